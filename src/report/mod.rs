//! The self-contained HTML report (`index.html`), the markdown summary (`summary.md`) and the
//! chart files under `plots/`, built from the run record and the charts `plot` draws (written
//! once, and inlined from the same text). Computes nothing: it shows what the results model
//! carries, and its verdicts only compare the medians and intervals already there.

mod anchors;
mod answer;
mod cards;
mod cases;
mod chart_files;
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

use crate::plot::{Chart, GilChart, PlotError};
use crate::results::cpython::CpythonRecord;
use crate::results::{ResultsError, RunRecord, write_atomic};
use chart_files::{ChartFiles, Written};

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
    /// A chart file or a page could not be written.
    #[error("cannot write the report")]
    Results(#[from] ResultsError),
    /// A chart could not be drawn.
    #[error("cannot draw the charts")]
    Plot(#[from] PlotError),
}

/// The one pipeline from a finished run to its pages, for the CLI's `run`, `report` and
/// `calibrate` and for the library's `Bench`: draws every chart of `run` (and, with the CPython
/// peer's records — one per interpreter, the first one's charted — the comparison charts),
/// writes each into `dir/plots/`, then writes `index.html` (with the same SVG text inlined)
/// and `summary.md`, each atomically; returns the path of `index.html`.
pub fn publish(
    run: &RunRecord,
    dir: &Path,
    cpython: &[CpythonRecord],
) -> Result<PathBuf, ReportError> {
    let drawn = crate::plot::run_charts(run, cpython.first())?;
    let mut files = ChartFiles::new(dir);
    let charts = files.write(&drawn.charts, |c| (&c.name, &c.svg))?;
    let peer_charts = files.write(&drawn.cpython, |c| (&c.name, &c.svg))?;
    let gil = files.write(&drawn.gil, |c| (&c.name, &c.svg))?;
    let peers = (!cpython.is_empty()).then_some((cpython, peer_charts.as_slice()));
    write_pages(run, &charts, &gil, peers, dir)
}

/// Writes `index.html` (each chart's SVG text inlined, linked to its file) and `summary.md`
/// into `dir`, each atomically; returns the path of `index.html`. With `cpython` (the CPython
/// peer's records, one per interpreter, and the first one's charts), the page has the "Model
/// vs real CPython" section.
fn write_pages(
    run: &RunRecord,
    charts: &[Written<'_, Chart>],
    gil: &[Written<'_, GilChart>],
    cpython: Option<(&[CpythonRecord], &[Written<'_, Chart>])>,
    dir: &Path,
) -> Result<PathBuf, ReportError> {
    let peer = cpython.and_then(|(peers, _)| peers.first());
    let cpython = match cpython {
        Some((peers, peer_charts)) if !peers.is_empty() => {
            Some(cpython::section(run, peers, peer_charts))
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
    let page = html::page(run, charts, gil, peer, cpython);
    let index = dir.join("index.html");
    write_atomic(&index, page.as_bytes())?;
    write_atomic(&dir.join("summary.md"), summary_markdown(run).as_bytes())?;
    Ok(index)
}

#[cfg(test)]
mod tests;
