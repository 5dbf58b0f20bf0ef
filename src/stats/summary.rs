//! Robust summary of one sample set.

use serde::{Deserialize, Serialize};
use statrs::statistics::{Data, Distribution, Max, Median, Min, OrderStatistics};

use super::{IntervalMethod, median_interval};

/// The level intervals aim for.
pub const LEVEL: f64 = 0.95;

/// The level of an interval recorded without one (bootstrap intervals, always 95 %).
fn nominal_level() -> f64 {
    LEVEL
}

/// Above this coefficient of variation (robust: MAD-based) a result is flagged noisy.
pub const NOISY_CV: f64 = 0.10;

/// The summary of one case's samples, in the samples' unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Summary {
    /// Number of samples (warm-ups excluded).
    pub n: usize,
    /// Median.
    pub median: f64,
    /// Arithmetic mean.
    pub mean: f64,
    /// Median absolute deviation (unscaled).
    pub mad: f64,
    /// Smallest sample.
    pub min: f64,
    /// Largest sample.
    pub max: f64,
    /// Lower bound of the interval of the median (see `ci_method`, `ci_level`).
    pub ci_low: f64,
    /// Upper bound of the interval of the median.
    pub ci_high: f64,
    /// How the interval was computed.
    #[serde(default)]
    pub ci_method: IntervalMethod,
    /// Its level: the exact coverage for an order-statistic interval (0.9375 with five
    /// samples), the nominal level for a bootstrap one.
    #[serde(default = "nominal_level")]
    pub ci_level: f64,
    /// Robust coefficient of variation: 1.4826·MAD / median.
    pub cv: f64,
    /// Whether `cv` exceeds [`NOISY_CV`].
    pub noisy: bool,
}

/// Median of `xs` (NaN when empty).
pub fn median(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    Data::new(xs.to_vec()).median()
}

/// The `p`-th percentile (0..=100) of `xs` (NaN when empty).
pub fn percentile(xs: &[f64], p: f64) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    Data::new(xs.to_vec()).quantile((p / 100.0).clamp(0.0, 1.0))
}

/// Median absolute deviation from the median (unscaled).
pub fn mad(xs: &[f64]) -> f64 {
    let m = median(xs);
    let dev: Vec<f64> = xs.iter().map(|x| (x - m).abs()).collect();
    median(&dev)
}

/// Summarises `xs`; `None` when there is no sample.
pub fn summarize(xs: &[f64]) -> Option<Summary> {
    if xs.is_empty() {
        return None;
    }
    let data = Data::new(xs.to_vec());
    let med = data.median();
    let mad = mad(xs);
    let (ci_low, ci_high, ci_level) = median_interval(xs, LEVEL);
    let cv = if med > 0.0 { 1.4826 * mad / med } else { 0.0 };
    Some(Summary {
        n: xs.len(),
        median: med,
        mean: data.mean().unwrap_or(med),
        mad,
        min: data.min(),
        max: data.max(),
        ci_low,
        ci_high,
        ci_method: IntervalMethod::OrderStatistic,
        ci_level,
        cv,
        noisy: cv > NOISY_CV,
    })
}
