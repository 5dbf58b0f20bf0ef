//! Speedup against workers, one line per model, with the ideal-linear line.
//!
//! One chart per comparison group. x: the group's worker counts as equally spaced categories
//! (powers of two in the shipped scenarios, so this is a log2 axis); y: the speedup the results
//! carry, with its interval as a vertical error bar. Only `ok` cases with a speedup are drawn;
//! the sequential baseline is the line y = 1.

use std::collections::BTreeSet;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::hover::{Hovers, speedup_text};
use super::style::{
    HouseMesh, draw_marker, legend_row, model_colour, model_marker, model_rank, text,
};
use super::{Chart, PlotError};
use crate::results::{CaseRecord, CaseStatus, RunRecord, Speedup};

const WIDTH: u32 = 900;
const HEIGHT: u32 = 500;
const LEGEND_WIDTH: u32 = 210;
const BASELINE: RGBColor = RGBColor(85, 85, 85);
const IDEAL: RGBColor = RGBColor(150, 150, 150);

/// Draws one speedup chart per comparison group, named after the group's key.
///
/// A group gets a chart when at least one of its `ok` cases has a speedup (a non-sequential
/// model measured against the group's sequential baseline). Charts come in run order.
pub fn scaling_charts(run: &RunRecord) -> Result<Vec<Chart>, PlotError> {
    let groups = drawable_groups(run);
    let mut charts = Vec::with_capacity(groups.len());
    for group in groups {
        let title = group_title(group.first);
        let svg = draw(&group, &title)
            .map_err(|message| PlotError { chart: group.key.to_string(), message })?;
        charts.push(Chart::new(group.key, title, group.key.to_string(), svg));
    }
    Ok(charts)
}

/// The title of a comparison group: the workload and its parameters other than `workers`,
/// e.g. `cpu (task_duration=2ms, tasks=16, payload_bytes=1024)`.
pub fn group_title(case: &CaseRecord) -> String {
    crate::analysis::workload_title(
        &case.workload,
        case.params.iter().filter(|(k, _)| k.as_str() != "workers"),
    )
}

/// The points of one comparison group worth drawing.
#[derive(Debug)]
struct Group<'a> {
    key: &'a str,
    first: &'a CaseRecord,
    /// Distinct worker counts on the x axis, ascending.
    workers: Vec<usize>,
    /// One series per model, in report order; points ascending by workers.
    series: Vec<(&'a str, Vec<(usize, Speedup)>)>,
}

fn drawable(case: &CaseRecord) -> Option<Speedup> {
    let s = case.speedup?;
    let ok = case.status == CaseStatus::Ok && case.model != "sequential";
    (ok && s.median.is_finite() && s.median > 0.0).then_some(s)
}

fn drawable_groups(run: &RunRecord) -> Vec<Group<'_>> {
    let mut order: Vec<&str> = Vec::new();
    for case in &run.cases {
        if drawable(case).is_some() && !order.contains(&case.group.as_str()) {
            order.push(&case.group);
        }
    }
    order
        .into_iter()
        .map(|key| {
            let cases: Vec<&CaseRecord> = run.cases.iter().filter(|c| c.group == key).collect();
            let mut workers: BTreeSet<usize> = BTreeSet::from([1]);
            let mut models: Vec<&str> = Vec::new();
            for c in &cases {
                if drawable(c).is_some() {
                    workers.insert(c.workers);
                    if !models.contains(&c.model.as_str()) {
                        models.push(&c.model);
                    }
                }
            }
            models.sort_by_key(|m| model_rank(m));
            let series = models
                .into_iter()
                .map(|m| {
                    let mut points: Vec<(usize, Speedup)> = cases
                        .iter()
                        .filter(|c| c.model == m)
                        .filter_map(|c| drawable(c).map(|s| (c.workers, s)))
                        .collect();
                    points.sort_by_key(|p| p.0);
                    points.dedup_by_key(|p| p.0);
                    (m, points)
                })
                .collect();
            let first = cases[0];
            Group { key, first, workers: workers.into_iter().collect(), series }
        })
        .collect()
}

/// Top of the y axis: the data with headroom, and the ideal line up to twice the data.
fn y_top(group: &Group<'_>) -> f64 {
    let data = group
        .series
        .iter()
        .flat_map(|(_, pts)| pts.iter())
        .flat_map(|(_, s)| [s.median, s.ci_high])
        .filter(|v| v.is_finite())
        .fold(1.0_f64, f64::max);
    let ideal = group.workers.last().copied().unwrap_or(1).min(group.first.tasks.max(1)) as f64;
    (data * 1.15).max(ideal.min(data * 2.0) * 1.05).max(1.25)
}

/// The ideal polyline, y = workers at each category but never more than `tasks` (with fewer
/// tasks than workers the extra workers idle), cut where it leaves the chart.
pub(super) fn ideal_points(workers: &[usize], tasks: usize, top: f64) -> Vec<(f64, f64)> {
    let mut points: Vec<(f64, f64)> = Vec::new();
    for (i, &w) in workers.iter().enumerate() {
        let (x, y) = (i as f64, w.min(tasks.max(1)) as f64);
        if y <= top {
            points.push((x, y));
            continue;
        }
        if let Some(&(px, py)) = points.last() {
            let t = (top - py) / (y - py);
            points.push((px + t * (x - px), top));
        }
        break;
    }
    points
}

/// The x axis: worker counts as equally spaced categories at 0, 1, 2, …, labelled by count.
#[derive(Debug, Clone)]
pub(super) struct WorkerAxis {
    pub(super) workers: Vec<usize>,
}

impl Ranged for WorkerAxis {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let range = self.range();
        let t = (value - range.start) / (range.end - range.start);
        limit.0 + (t * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        let n = self.workers.len();
        let step = n.div_ceil(hint.max_num_points().max(1)).max(1);
        (0..n).step_by(step).map(|i| i as f64).collect()
    }

    fn range(&self) -> std::ops::Range<f64> {
        -0.5..self.workers.len() as f64 - 0.5
    }
}

impl ValueFormatter<f64> for WorkerAxis {
    fn format_ext(&self, value: &f64) -> String {
        let i = value.round();
        if (value - i).abs() > 1e-6 || i < 0.0 {
            return String::new();
        }
        self.workers.get(i as usize).map(|w| w.to_string()).unwrap_or_default()
    }
}

/// Draws the chart and returns the SVG text.
fn draw(group: &Group<'_>, title: &str) -> Result<String, String> {
    let err = |e: DrawingAreaErrorKind<std::io::Error>| e.to_string();
    let mut svg = String::new();
    let mut hovers = Hovers::default();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let body = root.titled(title, text(17.0)).map_err(err)?;
        let (plot_area, legend_area) = body.split_horizontally(WIDTH - LEGEND_WIDTH);

        let n = group.workers.len();
        let top = y_top(group);
        let mut chart = ChartBuilder::on(&plot_area)
            .margin(10)
            .x_label_area_size(50)
            .y_label_area_size(64)
            .build_cartesian_2d(WorkerAxis { workers: group.workers.clone() }, 0.0..top)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("workers")
            .y_desc("speedup vs sequential (×)")
            .y_label_formatter(&|y: &f64| tick(*y))
            .house()
            .draw()
            .map_err(err)?;

        let x_max = n as f64 - 0.5;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(-0.5, 1.0), (x_max, 1.0)],
                BASELINE.stroke_width(2),
            )))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(DashedPathElement::new(
                ideal_points(&group.workers, group.first.tasks, top),
                6,
                5,
                IDEAL.stroke_width(2),
            )))
            .map_err(err)?;

        let m = group.series.len() as f64;
        for (k, (model, points)) in group.series.iter().enumerate() {
            let colour = model_colour(model);
            let dodge = (k as f64 - (m - 1.0) / 2.0) * 0.05;
            let at = |w: usize| {
                group.workers.iter().position(|&x| x == w).map(|i| i as f64 + dodge).unwrap_or(0.0)
            };
            let line: Vec<(f64, f64)> = points.iter().map(|(w, s)| (at(*w), s.median)).collect();
            chart
                .draw_series(std::iter::once(PathElement::new(line, colour.stroke_width(2))))
                .map_err(err)?;
            for (w, s) in points {
                let x = at(*w);
                if s.ci_low.is_finite() && s.ci_high.is_finite() && s.ci_high > s.ci_low {
                    let bar = colour.stroke_width(1);
                    let cap = 0.03;
                    for seg in [
                        vec![(x, s.ci_low), (x, s.ci_high)],
                        vec![(x - cap, s.ci_low), (x + cap, s.ci_low)],
                        vec![(x - cap, s.ci_high), (x + cap, s.ci_high)],
                    ] {
                        chart
                            .draw_series(std::iter::once(PathElement::new(seg, bar)))
                            .map_err(err)?;
                    }
                }
                draw_marker(chart.plotting_area(), (x, s.median), model_marker(model), colour)
                    .map_err(err)?;
                hovers.point(
                    chart.backend_coord(&(x, s.median)),
                    format!(
                        "{model}, {w} workers: {}",
                        speedup_text(s.median, s.ci_low, s.ci_high)
                    ),
                );
            }
        }

        draw_legend(&legend_area, group).map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(hovers.add_to(&svg))
}

/// A y tick label: at most two decimals, no trailing zeros.
pub(super) fn tick(y: f64) -> String {
    let s = format!("{y:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The legend, drawn by hand beside the plot so it never hides a line.
fn draw_legend(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    group: &Group<'_>,
) -> Result<(), DrawingAreaErrorKind<std::io::Error>> {
    let x = 8;
    let mut y = 24;
    let row = 24;
    area.draw(&Text::new("models", (x, y - 6), text(13.0)))?;
    y += row - 6;
    for (model, _) in &group.series {
        legend_row(area, (x, y), model_colour(model), model_marker(model), model, 13.0)?;
        y += row;
    }
    area.draw(&PathElement::new(vec![(x, y), (x + 28, y)], BASELINE.stroke_width(2)))?;
    area.draw(&Text::new("sequential (baseline)", (x + 36, y - 7), text(13.0)))?;
    y += row;
    area.draw(&DashedPathElement::new(vec![(x, y), (x + 28, y)], 6, 5, IDEAL.stroke_width(2)))?;
    area.draw(&Text::new("ideal (≤ tasks)", (x + 36, y - 7), text(13.0)))?;
    y += row + 4;
    let method = group.series.iter().flat_map(|(_, points)| points).next();
    let bars = method.map_or("interval", |(_, s)| s.ci_method.name());
    area.draw(&Text::new(format!("bars: {bars}"), (x, y - 7), text(12.0)))?;
    Ok(())
}
