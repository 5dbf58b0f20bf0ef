//! Pure statistics over samples: summaries (median, MAD, min/max, coefficient of variation),
//! percentiles and a bootstrap confidence interval. No I/O, no serde of our own types beyond
//! the plain summary record.

mod bootstrap;
mod summary;

pub use bootstrap::{bootstrap_ci, bootstrap_paired_ratio_ci, bootstrap_ratio_ci};
pub use summary::{NOISY_CV, Summary, mad, median, percentile, summarize};

#[cfg(test)]
mod tests;
