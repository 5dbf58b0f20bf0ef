//! The self-contained HTML report (`index.html`) and the markdown summary (`summary.md`) built
//! from the run record and its charts. Computes nothing: it shows what the results model
//! carries, and its verdicts only compare the medians and intervals already there.

mod answer;
mod cards;
mod cases;
mod compare;
mod convoy;
mod cpython;
mod criterion;
mod format;
mod gil;
mod html;
mod ipc;
mod locks;
mod markdown;
mod noise;
mod released;
mod sampling;
mod switch;
mod verdict;

use std::path::{Path, PathBuf};

use crate::plot::{ChartFile, PlotError, gil_charts};
use crate::results::cpython::CpythonRecord;
use crate::results::{ResultsError, RunRecord, write_atomic};

pub use compare::write_compare_report;
pub use gil::{amdahl_sentences, break_even_sentences, gil_verdicts};
pub use markdown::summary_markdown;
pub use noise::{SentinelFigures, drift_threshold, flagged_groups, sentinel_spread};
pub use released::{cell_sentence, released_sentences};
pub use verdict::{Outcome, Pick, Verdict, verdicts};

/// The report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A chart could not be read or the page not written.
    #[error("cannot write the report")]
    Results(#[from] ResultsError),
    /// A chart could not be drawn.
    #[error("cannot draw the charts")]
    Plot(#[from] PlotError),
}

/// The one pipeline from a finished run to its pages, for the CLI's `run`, `report` and
/// `calibrate` and for the library's `Bench`: draws every chart of `run` (and, with the CPython
/// peer's record, the comparison charts) into `dir/plots/`, then writes `index.html` and
/// `summary.md`; returns the path of `index.html`.
pub fn publish(
    run: &RunRecord,
    dir: &Path,
    cpython: Option<&CpythonRecord>,
) -> Result<PathBuf, ReportError> {
    let charts = crate::plot::all_charts(run, dir)?;
    let peer_charts = match cpython {
        Some(peer) => crate::plot::cpython_charts(run, peer, dir)?,
        None => Vec::new(),
    };
    write_report_with(run, &charts, dir, cpython.map(|peer| (peer, peer_charts.as_slice())))
}

/// Writes `index.html` (with every chart's SVG inlined) and `summary.md` into `dir`, each
/// atomically, and returns the path of `index.html`.
///
/// `charts` are the charts already drawn; the GIL charts (penalty and crossover maps, see
/// [`gil_charts`]) are drawn here into `dir/plots/` when the run has their data.
pub fn write_report(
    run: &RunRecord,
    charts: &[ChartFile],
    dir: &Path,
) -> Result<PathBuf, ReportError> {
    write_report_with(run, charts, dir, None)
}

/// [`write_report`], plus the "Model vs real CPython" section when `cpython` holds the CPython
/// peer's record and its charts (from [`crate::plot::cpython_charts`]).
pub fn write_report_with(
    run: &RunRecord,
    charts: &[ChartFile],
    dir: &Path,
    cpython: Option<(&CpythonRecord, &[ChartFile])>,
) -> Result<PathBuf, ReportError> {
    let inlined = inline(charts, dir)?;
    let gil = gil_charts(run, dir)?;
    let gil_inlined: Vec<(&crate::plot::GilChart, String)> = gil
        .iter()
        .map(|c| read(dir.join(&c.path)).map(|svg| (c, svg)))
        .collect::<Result<_, _>>()?;
    let peer = cpython.map(|(peer, _)| peer);
    let cpython = match cpython {
        Some((peer, peer_charts)) => Some(cpython::section(run, peer, &inline(peer_charts, dir)?)),
        None => None,
    };
    let criterion = crate::results::criterion::criterion_beside(dir)?;
    let cpython = match (cpython, criterion) {
        (section, None) => section,
        (section, Some(found)) => {
            Some(maud::html! { @if let Some(s) = section { (s) } (criterion::section(&found)) })
        }
    };
    let page = html::page(run, &inlined, &gil_inlined, peer, cpython);
    let index = dir.join("index.html");
    write_atomic(&index, page.as_bytes())?;
    write_atomic(&dir.join("summary.md"), summary_markdown(run).as_bytes())?;
    Ok(index)
}

fn read(path: PathBuf) -> Result<String, ResultsError> {
    std::fs::read_to_string(&path).map_err(|source| ResultsError::Read { path, cause: source })
}

/// Each chart with its SVG text, read from `dir`.
fn inline<'a>(
    charts: &'a [ChartFile],
    dir: &Path,
) -> Result<Vec<(&'a ChartFile, String)>, ResultsError> {
    let mut inlined = Vec::with_capacity(charts.len());
    for chart in charts {
        inlined.push((chart, read(dir.join(&chart.path))?));
    }
    Ok(inlined)
}

#[cfg(test)]
mod tests;
