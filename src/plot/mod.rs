//! SVG charts drawn with plotters from the results model only, handed back as SVG text (the
//! report writes the files); one source file per chart kind.
//! Computes no statistics: it draws what `results` carries, and only chooses what to show.

mod compare;
mod convoy;
mod cpython;
mod crossover;
mod heatmap;
mod hover;
mod ipc;
mod locks;
mod scaling;
mod spawn;
mod style;
mod switch;

use crate::analysis::{crossover_maps, penalty_maps};
use crate::results::RunRecord;
use crate::results::cpython::CpythonRecord;

pub use compare::compare_charts;
pub use convoy::convoy_charts;
pub use cpython::{comparison_charts, cpython_charts};
pub use crossover::{payload_label, task_label};
pub use heatmap::fraction_label;
pub use ipc::ipc_charts;
pub use locks::lock_charts;
pub use scaling::{group_title, scaling_charts};
pub use spawn::spawn_charts;
pub use style::{model_colour, model_colour_hex, model_rank};
pub use switch::switch_charts;

/// A chart drawn in memory: its SVG text and where it belongs. Whoever publishes it writes
/// the text to a file and inlines the same text in a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Comparison group the chart shows (for a CPython chart, the shape key).
    pub group: String,
    /// Chart title.
    pub title: String,
    /// The name its file is wanted under, before it is made safe for a file system and distinct
    /// from the other charts' names.
    pub name: String,
    /// The SVG document.
    pub svg: String,
}

impl Chart {
    fn new(group: impl Into<String>, title: impl Into<String>, name: String, svg: String) -> Self {
        Chart { group: group.into(), title: title.into(), name, svg }
    }
}

/// What a GIL chart shows.
#[derive(Debug, Clone, PartialEq)]
pub enum GilChartKind {
    /// A penalty map: speedup(`numerator`) / speedup(`denominator`) over CPU fraction × workers.
    Penalty {
        /// The model over the fraction bar (`gil`, or a processes model).
        numerator: String,
        /// The model under it (`threads`, or `gil`).
        denominator: String,
    },
    /// The crossover map: the fastest model over task size × payload.
    Crossover,
}

/// A GIL chart drawn in memory.
#[derive(Debug, Clone, PartialEq)]
pub struct GilChart {
    /// Scenario the chart belongs to.
    pub scenario: String,
    /// The family of groups it covers (scenario and workload without the swept axes).
    pub key: String,
    /// What it shows.
    pub kind: GilChartKind,
    /// Chart title.
    pub title: String,
    /// The name its file is wanted under (see [`Chart::name`]).
    pub name: String,
    /// The SVG document.
    pub svg: String,
}

/// Draws the GIL charts of a run: the penalty maps of every family sweeping `cpu_fraction`
/// (see [`crate::analysis::penalty_maps`]) and the crossover map of every family sweeping the
/// task size with `gil` among its models. A run without such data has none.
pub fn gil_charts(run: &RunRecord) -> Result<Vec<GilChart>, PlotError> {
    let mut out = Vec::new();
    for map in &penalty_maps(run) {
        let svg =
            heatmap::draw(map).map_err(|message| PlotError { chart: map.key.clone(), message })?;
        out.push(GilChart {
            scenario: map.scenario.clone(),
            key: map.key.clone(),
            kind: GilChartKind::Penalty {
                numerator: map.numerator.clone(),
                denominator: map.denominator.clone(),
            },
            title: heatmap::penalty_title(map),
            name: format!("gil-penalty-{}-over-{}-{}", map.numerator, map.denominator, map.key),
            svg,
        });
    }
    for map in &crossover_maps(run) {
        let svg = crossover::draw(map)
            .map_err(|message| PlotError { chart: map.key.clone(), message })?;
        out.push(GilChart {
            scenario: map.scenario.clone(),
            key: map.key.clone(),
            kind: GilChartKind::Crossover,
            title: crossover::crossover_title(map),
            name: format!("gil-crossover-{}", map.key),
            svg,
        });
    }
    Ok(out)
}

/// Every chart of a run, drawn in memory.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunCharts {
    /// The scenarios' charts, in report order: scaling, convoy, switch, spawn, lock and IPC.
    pub charts: Vec<Chart>,
    /// The "Model vs real CPython" charts (none without the CPython peer's record).
    pub cpython: Vec<Chart>,
    /// The GIL penalty and crossover maps.
    pub gil: Vec<GilChart>,
}

/// Draws every chart the run's data calls for, and with the CPython peer's record its
/// comparison charts.
pub fn run_charts(
    run: &RunRecord,
    cpython: Option<&CpythonRecord>,
) -> Result<RunCharts, PlotError> {
    let mut charts = scaling_charts(run)?;
    charts.extend(convoy_charts(run)?);
    charts.extend(switch_charts(run)?);
    charts.extend(spawn_charts(run)?);
    charts.extend(lock_charts(run)?);
    charts.extend(ipc_charts(run)?);
    let cpython = match cpython {
        Some(peer) => cpython_charts(run, peer)?,
        None => Vec::new(),
    };
    Ok(RunCharts { charts, cpython, gil: gil_charts(run)? })
}

/// A chart could not be drawn.
#[derive(Debug, thiserror::Error)]
#[error("cannot draw {chart}: {message}")]
pub struct PlotError {
    /// Which chart.
    pub chart: String,
    /// What went wrong.
    pub message: String,
}

#[cfg(test)]
mod tests;
