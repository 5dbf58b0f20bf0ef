//! SVG charts drawn with plotters from the results model only; one file per chart kind.
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

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::analysis::{crossover_maps, penalty_maps};
use crate::results::RunRecord;

pub use compare::compare_charts;
pub use convoy::convoy_charts;
pub use cpython::{comparison_charts, cpython_charts};
pub use crossover::{payload_label, task_label};
pub use heatmap::fraction_label;
pub use ipc::ipc_charts;
pub use locks::lock_charts;
pub use scaling::{ChartFile, group_title, scaling_charts};
pub use spawn::spawn_charts;
pub use style::{model_colour, model_colour_hex, model_rank};
pub use switch::switch_charts;

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

/// A GIL chart written to disk.
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
    /// Path relative to the run directory.
    pub path: PathBuf,
}

/// Draws the GIL charts of a run into `dir/plots/`: the penalty maps of every family sweeping
/// `cpu_fraction` (see [`crate::analysis::penalty_maps`]) and the crossover map of every family
/// sweeping the task size with `gil` among its models. A run without such data draws nothing
/// and creates no folder.
pub fn gil_charts(run: &RunRecord, dir: &Path) -> Result<Vec<GilChart>, PlotError> {
    let penalties = penalty_maps(run);
    let crossovers = crossover_maps(run);
    if penalties.is_empty() && crossovers.is_empty() {
        return Ok(Vec::new());
    }
    let mut used = HashSet::new();
    let mut out = Vec::new();
    for map in &penalties {
        let svg =
            heatmap::draw(map).map_err(|message| PlotError { chart: map.key.clone(), message })?;
        let name = format!("gil-penalty-{}-over-{}-{}", map.numerator, map.denominator, map.key);
        out.push(GilChart {
            scenario: map.scenario.clone(),
            key: map.key.clone(),
            kind: GilChartKind::Penalty {
                numerator: map.numerator.clone(),
                denominator: map.denominator.clone(),
            },
            title: heatmap::penalty_title(map),
            path: write_chart(dir, &name, &mut used, &svg)?,
        });
    }
    for map in &crossovers {
        let svg = crossover::draw(map)
            .map_err(|message| PlotError { chart: map.key.clone(), message })?;
        out.push(GilChart {
            scenario: map.scenario.clone(),
            key: map.key.clone(),
            kind: GilChartKind::Crossover,
            title: crossover::crossover_title(map),
            path: write_chart(dir, &format!("gil-crossover-{}", map.key), &mut used, &svg)?,
        });
    }
    Ok(out)
}

/// Writes `svg` to `dir/plots/<safe name>.svg`; returns the path relative to `dir`.
pub(super) fn write_svg(dir: &Path, name: &str, svg: &str) -> Result<PathBuf, PlotError> {
    write_chart(dir, name, &mut HashSet::new(), svg)
}

/// Writes `svg` to `dir/plots/<safe name>.svg` (made distinct from `used`); returns the path
/// relative to `dir`.
pub(super) fn write_chart(
    dir: &Path,
    name: &str,
    used: &mut HashSet<String>,
    svg: &str,
) -> Result<PathBuf, PlotError> {
    let plots = dir.join("plots");
    std::fs::create_dir_all(&plots).map_err(|e| PlotError {
        chart: plots.display().to_string(),
        message: format!("cannot create the folder: {e}"),
    })?;
    let base = safe_file_name(name);
    let mut file = base.clone();
    let mut n = 2;
    while !used.insert(file.clone()) {
        file = format!("{base}-{n}");
        n += 1;
    }
    let path = PathBuf::from("plots").join(format!("{file}.svg"));
    crate::results::write_atomic(&dir.join(&path), svg.as_bytes())
        .map_err(|e| PlotError { chart: name.to_string(), message: e.to_string() })?;
    Ok(path)
}

/// Every chart the run's data calls for except the GIL maps (which the report draws), in
/// report order.
pub fn all_charts(run: &RunRecord, dir: &Path) -> Result<Vec<ChartFile>, PlotError> {
    let mut charts = scaling_charts(run, dir)?;
    charts.extend(convoy_charts(run, dir)?);
    charts.extend(switch_charts(run, dir)?);
    charts.extend(spawn_charts(run, dir)?);
    charts.extend(lock_charts(run, dir)?);
    charts.extend(ipc_charts(run, dir)?);
    Ok(charts)
}

/// A chart could not be drawn or written.
#[derive(Debug, thiserror::Error)]
#[error("cannot draw {chart}: {message}")]
pub struct PlotError {
    /// Which chart.
    pub chart: String,
    /// What went wrong.
    pub message: String,
}

/// A file name (without extension) for `key` that is safe on every file system and in a
/// relative URL: ASCII letters, digits, `-`, `_` and `.` only, never starting with a dot,
/// at most 100 characters (longer keys end in a hash so they stay distinct).
pub fn safe_file_name(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for c in key.chars() {
        let c = match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '.' => c,
            '=' => '-',
            _ => '_',
        };
        let repeat = matches!(c, '_' | '-' | '.') && out.ends_with(c);
        if !repeat {
            out.push(c);
        }
    }
    let trimmed = out.trim_matches(|c| matches!(c, '_' | '-' | '.'));
    let mut name = if trimmed.is_empty() { "chart".to_string() } else { trimmed.to_string() };
    const MAX: usize = 100;
    if name.len() > MAX {
        let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        name.truncate(MAX - 17);
        name = format!("{name}-{hash:016x}");
    }
    name
}

#[cfg(test)]
mod tests;
