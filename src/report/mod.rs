//! The self-contained HTML report (`index.html`) built from `run.json` and the charts.
//! Computes nothing: it shows what the results model carries.

use std::path::{Path, PathBuf};

use crate::plot::ChartFile;
use crate::results::{ResultsError, RunRecord};

/// Writes `index.html` into `dir` and returns its path.
pub fn write_report(
    run: &RunRecord,
    charts: &[ChartFile],
    dir: &Path,
) -> Result<PathBuf, ResultsError> {
    let _ = (run, charts);
    let path = dir.join("index.html");
    crate::results::write_atomic(&path, b"<!doctype html><title>gilbench</title>")?;
    Ok(path)
}
