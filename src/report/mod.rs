//! The self-contained HTML report (`index.html`) and the markdown summary (`summary.md`) built
//! from the run record and its charts. Computes nothing: it shows what the results model
//! carries, and its verdicts only compare the medians and intervals already there.

mod cpython;
mod format;
mod html;
mod markdown;
mod verdict;

use std::path::{Path, PathBuf};

use crate::plot::ChartFile;
use crate::results::cpython::CpythonRecord;
use crate::results::{ResultsError, RunRecord, write_atomic};

pub use markdown::summary_markdown;
pub use verdict::{Outcome, Pick, Verdict, verdicts};

/// Writes `index.html` (with every chart's SVG inlined) and `summary.md` into `dir`, each
/// atomically, and returns the path of `index.html`.
pub fn write_report(
    run: &RunRecord,
    charts: &[ChartFile],
    dir: &Path,
) -> Result<PathBuf, ResultsError> {
    write_report_with(run, charts, dir, None)
}

/// [`write_report`], plus the "Model vs real CPython" section when `cpython` holds the CPython
/// peer's record and its charts (from [`crate::plot::cpython_charts`]).
pub fn write_report_with(
    run: &RunRecord,
    charts: &[ChartFile],
    dir: &Path,
    cpython: Option<(&CpythonRecord, &[ChartFile])>,
) -> Result<PathBuf, ResultsError> {
    let inlined = inline(charts, dir)?;
    let cpython = match cpython {
        Some((peer, peer_charts)) => Some(cpython::section(run, peer, &inline(peer_charts, dir)?)),
        None => None,
    };
    let page = html::page(run, &verdicts(run), &inlined, cpython);
    let index = dir.join("index.html");
    write_atomic(&index, page.as_bytes())?;
    write_atomic(&dir.join("summary.md"), summary_markdown(run).as_bytes())?;
    Ok(index)
}

/// Each chart with its SVG text, read from `dir`.
fn inline<'a>(
    charts: &'a [ChartFile],
    dir: &Path,
) -> Result<Vec<(&'a ChartFile, String)>, ResultsError> {
    let mut inlined = Vec::with_capacity(charts.len());
    for chart in charts {
        let path = dir.join(&chart.path);
        let svg = std::fs::read_to_string(&path)
            .map_err(|source| ResultsError::Read { path: path.clone(), source })?;
        inlined.push((chart, svg));
    }
    Ok(inlined)
}

#[cfg(test)]
mod tests;
