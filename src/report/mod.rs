//! The self-contained HTML report (`index.html`) and the markdown summary (`summary.md`) built
//! from the run record and its charts. Computes nothing: it shows what the results model
//! carries, and its verdicts only compare the medians and intervals already there.

mod answer;
mod cards;
mod cases;
mod compare;
mod convoy;
mod cpython;
mod cpython_sentences;
mod criterion;
mod format;
mod gil;
mod html;
mod interpreters;
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
pub use cpython_sentences::{check_sentence, pair_sentence, point_lines, summary_sentence};
pub use gil::{amdahl_sentences, break_even_sentences, gil_verdicts};
pub use interpreters::free_threading_sentences;
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
/// peer's records — one per interpreter, the first one's charted — the comparison charts) into
/// `dir/plots/`, then writes `index.html` and `summary.md`; returns the path of `index.html`.
pub fn publish(
    run: &RunRecord,
    dir: &Path,
    cpython: &[CpythonRecord],
) -> Result<PathBuf, ReportError> {
    let charts = crate::plot::all_charts(run, dir)?;
    let peer_charts = match cpython.first() {
        Some(peer) => crate::plot::cpython_charts(run, peer, dir)?,
        None => Vec::new(),
    };
    let peers = (!cpython.is_empty()).then_some((cpython, peer_charts.as_slice()));
    write_report_with(run, &charts, dir, peers)
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
/// peer's records (one per interpreter, at least one) and the first one's charts (from
/// [`crate::plot::cpython_charts`]).
pub fn write_report_with(
    run: &RunRecord,
    charts: &[ChartFile],
    dir: &Path,
    cpython: Option<(&[CpythonRecord], &[ChartFile])>,
) -> Result<PathBuf, ReportError> {
    let inlined = inline(charts, dir)?;
    let gil = gil_charts(run, dir)?;
    let gil_inlined: Vec<(&crate::plot::GilChart, String)> = gil
        .iter()
        .map(|c| read(dir.join(&c.path)).map(|svg| (c, svg)))
        .collect::<Result<_, _>>()?;
    let peer = cpython.and_then(|(peers, _)| peers.first());
    let cpython = match cpython {
        Some((peers, peer_charts)) if !peers.is_empty() => {
            Some(cpython::section(run, peers, &inline(peer_charts, dir)?))
        }
        _ => None,
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
