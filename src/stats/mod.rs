//! Pure statistics over samples: summaries (median, MAD, min/max, coefficient of variation),
//! percentiles, order-statistic and bootstrap intervals that record their method and level, an Amdahl's-law fit and a two-cluster check. No I/O, no serde of
//! our own types beyond the plain summary record.

mod amdahl;
mod bootstrap;
mod clusters;
mod interval;
mod summary;

pub use amdahl::{AmdahlFit, amdahl_fit, amdahl_serial_fraction, amdahl_speedup};
pub use bootstrap::{bootstrap_ci, bootstrap_paired_ratio_ci, bootstrap_ratio_ci};
pub use clusters::{Clusters, two_clusters};
pub use interval::{IntervalMethod, median_interval, paired_ratio_interval, relative_half_width};
pub use summary::{LEVEL, NOISY_CV, Summary, mad, median, percentile, summarize};

#[cfg(test)]
mod tests;
