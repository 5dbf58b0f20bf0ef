//! The self-contained HTML report (`index.html`) and the markdown summary (`summary.md`) built
//! from the run record and its charts. Computes nothing: it shows what the results model
//! carries, and its verdicts only compare the medians and intervals already there.

mod convoy;
mod format;
mod gil;
mod html;
mod ipc;
mod markdown;
mod noise;
mod verdict;

use std::path::{Path, PathBuf};

use crate::plot::{ChartFile, PlotError, gil_charts};
use crate::results::{ResultsError, RunRecord, write_atomic};

pub use gil::{amdahl_sentences, break_even_sentences, gil_verdicts};
pub use markdown::summary_markdown;
pub use verdict::{Outcome, Pick, Verdict, verdicts};

/// The report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A chart could not be read or the page not written.
    #[error("cannot write the report")]
    Results(#[from] ResultsError),
    /// A GIL chart could not be drawn.
    #[error("cannot draw the GIL charts")]
    Plot(#[from] PlotError),
}

/// Writes `index.html` (with every chart's SVG inlined) and `summary.md` into `dir`, each
/// atomically, and returns the path of `index.html`.
///
/// `charts` are the scaling charts already drawn; the GIL charts (penalty and crossover maps,
/// see [`gil_charts`]) are drawn here into `dir/plots/` when the run has their data.
pub fn write_report(
    run: &RunRecord,
    charts: &[ChartFile],
    dir: &Path,
) -> Result<PathBuf, ReportError> {
    let read = |path: PathBuf| {
        std::fs::read_to_string(&path).map_err(|source| ResultsError::Read { path, source })
    };
    let mut inlined = Vec::with_capacity(charts.len());
    for chart in charts {
        inlined.push((chart, read(dir.join(&chart.path))?));
    }
    let gil = gil_charts(run, dir)?;
    let mut gil_inlined = Vec::with_capacity(gil.len());
    for chart in &gil {
        gil_inlined.push((chart, read(dir.join(&chart.path))?));
    }
    let page = html::page(run, &verdicts(run), &inlined, &gil_inlined);
    let index = dir.join("index.html");
    write_atomic(&index, page.as_bytes())?;
    write_atomic(&dir.join("summary.md"), summary_markdown(run).as_bytes())?;
    Ok(index)
}

#[cfg(test)]
mod tests;
