//! Speedup against workers, one line per model, with the ideal-linear line.

use std::path::{Path, PathBuf};

use super::PlotError;
use crate::results::RunRecord;

/// A chart written to disk.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartFile {
    /// Comparison group the chart shows.
    pub group: String,
    /// Chart title.
    pub title: String,
    /// Path relative to the run directory.
    pub path: PathBuf,
}

/// Draws one speedup chart per comparison group into `dir/plots/`.
pub fn scaling_charts(_run: &RunRecord, _dir: &Path) -> Result<Vec<ChartFile>, PlotError> {
    Ok(Vec::new())
}
