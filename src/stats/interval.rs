//! Intervals that say what they are: a distribution-free interval for a median from its order
//! statistics (its exact coverage from the binomial distribution, so five samples give
//! [min, max] with 93.75 % coverage, not a "95 % CI"), and the names of the methods the
//! results record with every interval.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// How an interval was computed; recorded beside it in the results.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum IntervalMethod {
    /// Between two order statistics of the samples, symmetric around the median: holds the
    /// true median with the recorded coverage whatever the samples' distribution.
    OrderStatistic,
    /// Percentile bootstrap over the samples (nominal level).
    #[default]
    BootstrapPercentile,
    /// Percentile bootstrap over samples paired by interleaving round (nominal level; with few
    /// samples the true coverage is lower).
    PairedBootstrapPercentile,
    /// Student's t interval of the mean log ratio of samples paired by interleaving round:
    /// the geometric mean of the per-round ratios and its interval (level exact when the log
    /// ratios are normal; two pairs or fewer give no interval).
    PairedLogT,
}

impl IntervalMethod {
    /// The short name a report prints beside a level: "order-statistic interval".
    pub fn name(self) -> &'static str {
        match self {
            IntervalMethod::OrderStatistic => "order-statistic interval",
            IntervalMethod::BootstrapPercentile => "bootstrap interval",
            IntervalMethod::PairedBootstrapPercentile => "paired bootstrap interval",
            IntervalMethod::PairedLogT => "paired t interval",
        }
    }

    /// Whether the level is the interval's exact coverage (else a nominal level).
    pub fn exact(self) -> bool {
        self == IntervalMethod::OrderStatistic
    }
}

/// The narrowest order-statistic interval of the median whose coverage reaches `level`, as
/// (low, high, coverage); with too few samples for `level`, the widest one, [min, max], and
/// the coverage it has. One sample gives a zero-width interval of coverage 0.
pub fn median_interval(xs: &[f64], level: f64) -> (f64, f64, f64) {
    let mut sorted: Vec<f64> = xs.iter().copied().filter(|x| !x.is_nan()).collect();
    if sorted.is_empty() {
        return (f64::NAN, f64::NAN, 0.0);
    }
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    // [x(k), x(n+1-k)] (1-based) misses the median when at most k-1 samples fall below it or
    // at most k-1 above it: coverage = 1 - 2 P(B <= k-1), B ~ Binomial(n, 1/2).
    let cdf = binomial_half_cdf(n);
    let coverage = |k: usize| (1.0 - 2.0 * cdf[k - 1]).max(0.0);
    let mut k = 1;
    while k < n.div_ceil(2) && coverage(k + 1) >= level {
        k += 1;
    }
    (sorted[k - 1], sorted[n - k], if n == 1 { 0.0 } else { coverage(k) })
}

/// The ratio `a / b` of samples paired by round (`a[i]` and `b[i]` from round `i`; a longer
/// side's extra rounds are left out) as the geometric mean of the per-round ratios, with
/// Student's t interval at `level` of the mean log ratio: (ratio, low, high). `None` with
/// fewer than two pairs or a sample that is not a positive number.
pub fn paired_ratio_interval(a: &[f64], b: &[f64], level: f64) -> Option<(f64, f64, f64)> {
    let logs: Vec<f64> = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| {
            (x > 0.0 && y > 0.0 && x.is_finite() && y.is_finite()).then(|| (x / y).ln())
        })
        .collect::<Option<_>>()?;
    let n = logs.len();
    if n < 2 {
        return None;
    }
    let mean = logs.iter().sum::<f64>() / n as f64;
    let var = logs.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let t = StudentsT::new(0.0, 1.0, (n - 1) as f64).ok()?.inverse_cdf(0.5 + level / 2.0);
    let half = t * (var / n as f64).sqrt();
    Some((mean.exp(), (mean - half).exp(), (mean + half).exp()))
}

/// How far an interval reaches from its point, relative to the point: the larger side.
/// Infinite for a point that is not positive or bounds that are not numbers.
pub fn relative_half_width(point: f64, low: f64, high: f64) -> f64 {
    if !(point > 0.0 && low.is_finite() && high.is_finite() && point.is_finite()) {
        return f64::INFINITY;
    }
    ((point - low).max(high - point) / point).max(0.0)
}

/// P(B <= i) for i in 0..=n, B ~ Binomial(n, 1/2), summed in log space (no underflow for
/// large n).
fn binomial_half_cdf(n: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(n + 1);
    let mut log_pmf = n as f64 * 0.5f64.ln();
    let mut sum = 0.0;
    for i in 0..=n {
        sum += log_pmf.exp();
        out.push(sum.min(1.0));
        log_pmf += ((n - i) as f64).ln() - ((i + 1) as f64).ln();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_samples_give_min_to_max_with_their_true_coverage() {
        let (lo, hi, cov) = median_interval(&[5.0, 1.0, 3.0, 2.0, 4.0], 0.95);
        assert_eq!((lo, hi), (1.0, 5.0));
        assert!((cov - 0.9375).abs() < 1e-12, "{cov}");
    }

    #[test]
    fn more_samples_narrow_the_interval_and_keep_the_level() {
        let xs: Vec<f64> = (1..=15).map(f64::from).collect();
        let (lo, hi, cov) = median_interval(&xs, 0.95);
        // n = 15: [x(4), x(12)] covers 96.5 %; [x(5), x(11)] only 88.2 %.
        assert_eq!((lo, hi), (4.0, 12.0));
        assert!((0.95..0.97).contains(&cov), "{cov}");
        let xs: Vec<f64> = (1..=2000).map(f64::from).collect();
        let (lo, hi, cov) = median_interval(&xs, 0.95);
        assert!(lo > 900.0 && hi < 1100.0 && cov >= 0.95, "{lo} {hi} {cov}");
    }

    #[test]
    fn a_paired_t_interval_is_the_geometric_mean_with_its_t_bounds() {
        // Log ratios ln 2 ± 0.1: mean ln 2, sd 0.1, n = 2 → t(1) 97.5 % = 12.706.
        let a = [2.0 * 0.1f64.exp(), 2.0 * (-0.1f64).exp()];
        let (r, lo, hi) = paired_ratio_interval(&a, &[1.0, 1.0], 0.95).unwrap();
        assert!((r - 2.0).abs() < 1e-12, "{r}");
        let half = 12.706 * 0.1f64 * 2f64.sqrt() / 2f64.sqrt();
        assert!((lo - 2.0 * (-half).exp()).abs() < 1e-3 && (hi - 2.0 * half.exp()).abs() < 1e-2);
        // Identical rounds: a zero-width interval; one pair or a zero: none.
        assert_eq!(paired_ratio_interval(&[3.0; 4], &[1.5; 4], 0.95), Some((2.0, 2.0, 2.0)));
        assert_eq!(paired_ratio_interval(&[3.0], &[1.5], 0.95), None);
        assert_eq!(paired_ratio_interval(&[3.0, 0.0], &[1.5, 1.0], 0.95), None);
        // Extra rounds on one side are left out.
        assert_eq!(paired_ratio_interval(&[3.0; 4], &[1.5, 1.5], 0.95), Some((2.0, 2.0, 2.0)));
    }

    #[test]
    fn a_relative_half_width_takes_the_larger_side() {
        assert!((relative_half_width(2.0, 1.9, 2.2) - 0.1).abs() < 1e-12);
        assert_eq!(relative_half_width(0.0, -1.0, 1.0), f64::INFINITY);
        assert_eq!(relative_half_width(1.0, f64::NAN, 1.0), f64::INFINITY);
    }

    #[test]
    fn one_sample_has_no_coverage_and_none_has_no_interval() {
        assert_eq!(median_interval(&[2.0], 0.95), (2.0, 2.0, 0.0));
        assert!(median_interval(&[], 0.95).0.is_nan());
    }
}
