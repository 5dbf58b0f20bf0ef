//! Whether samples fall in two clusters rather than one spread: the widest relative gap
//! between neighbouring sorted samples, kept when it is wide and both sides hold a fair share.
//! A bimodal case (some samples ran two tasks on one CPU, say) reads "noisy" by its spread
//! alone; the two clusters say what happened.

use super::median;

/// Two clusters of samples: the median and size of each.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Clusters {
    /// Median of the lower cluster.
    pub low: f64,
    /// Samples in the lower cluster.
    pub low_n: usize,
    /// Median of the upper cluster.
    pub high: f64,
    /// Samples in the upper cluster.
    pub high_n: usize,
}

/// Samples needed before clusters are looked for.
const MIN_SAMPLES: usize = 6;
/// The gap between the clusters, as the ratio of the sample above it to the one below.
const MIN_GAP: f64 = 1.3;
/// Each cluster holds at least this share of the samples (and at least two).
const MIN_SHARE: f64 = 0.15;

/// The two clusters of positive samples `xs`, if there are two.
pub fn two_clusters(xs: &[f64]) -> Option<Clusters> {
    let mut v: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite() && *x > 0.0).collect();
    if v.len() < MIN_SAMPLES {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let least = ((v.len() as f64 * MIN_SHARE).ceil() as usize).max(2);
    let (cut, gap) = (least..=v.len() - least)
        .map(|i| (i, v[i] / v[i - 1]))
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    (gap >= MIN_GAP).then(|| {
        let (lo, hi) = v.split_at(cut);
        Clusters { low: median(lo), low_n: lo.len(), high: median(hi), high_n: hi.len() }
    })
}
