//! Comparison charts: for each comparison group, speedup against workers with one line per
//! model and run (colour by model, dash pattern by run), and the same per usable core
//! (speedup ÷ min(workers, the run's usable CPUs)) so machines with different core counts
//! line up.

use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::style::{
    HouseMesh, draw_marker, legend_row, model_colour, model_marker, model_rank, text,
};
use super::{Chart, PlotError};
use crate::compare::LabelledRun;
use crate::results::CaseStatus;

const WIDTH: u32 = 900;
const HEIGHT: u32 = 460;

/// (label, model, run index, points (workers, value)).
type Line = (String, String, usize, Vec<(f64, f64)>);

/// Draws the two charts of every group with speedups in at least two runs.
pub fn compare_charts(runs: &[LabelledRun]) -> Result<Vec<Chart>, PlotError> {
    let mut groups: Vec<&str> = Vec::new();
    for r in runs {
        for c in &r.run.cases {
            if c.speedup.is_some() && !groups.contains(&c.group.as_str()) {
                groups.push(&c.group);
            }
        }
    }
    let mut out = Vec::new();
    for group in groups {
        let with_data = runs
            .iter()
            .filter(|r| r.run.cases.iter().any(|c| c.group == group && c.speedup.is_some()))
            .count();
        if with_data < 2 {
            continue;
        }
        for per_core in [false, true] {
            let mut lines: Vec<Line> = Vec::new();
            for (i, r) in runs.iter().enumerate() {
                let cores = r.run.machine.usable_cpus.max(1);
                let mut models: Vec<&str> = r
                    .run
                    .cases
                    .iter()
                    .filter(|c| c.group == group && c.speedup.is_some())
                    .map(|c| c.model.as_str())
                    .collect();
                models.sort_by_key(|m| model_rank(m));
                models.dedup();
                for model in models {
                    let mut pts: Vec<(f64, f64)> = r
                        .run
                        .cases
                        .iter()
                        .filter(|c| c.group == group && c.model == model)
                        .filter(|c| c.status == CaseStatus::Ok)
                        .filter_map(|c| {
                            let s = c.speedup?.median;
                            let y =
                                if per_core { s / c.workers.min(cores).max(1) as f64 } else { s };
                            Some((c.workers as f64, y))
                        })
                        .collect();
                    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
                    if !pts.is_empty() {
                        lines.push((r.label.clone(), model.to_string(), i, pts));
                    }
                }
            }
            let title = format!(
                "{}{}",
                group,
                if per_core { ": speedup per usable core" } else { ": speedup by machine" }
            );
            let y_desc = if per_core {
                "speedup ÷ min(workers, cores)"
            } else {
                "speedup vs sequential (×)"
            };
            let svg = draw(&title, y_desc, &lines)
                .map_err(|message| PlotError { chart: title.clone(), message })?;
            let suffix = if per_core { "-per-core" } else { "" };
            out.push(Chart::new(group, title, format!("compare-{group}{suffix}"), svg));
        }
    }
    Ok(out)
}

/// Dash length of run `run`'s lines: the reference run is solid (0), others dashed.
fn dash(run: usize) -> u32 {
    if run == 0 { 0 } else { 2 + 4 * run as u32 }
}

fn draw(title: &str, y_desc: &str, lines: &[Line]) -> Result<String, String> {
    const LEGEND: u32 = 230;
    let err = |e: DrawingAreaErrorKind<std::io::Error>| e.to_string();
    let x_max = lines.iter().flat_map(|l| l.3.iter().map(|p| p.0)).fold(1.0, f64::max);
    let y_max = lines.iter().flat_map(|l| l.3.iter().map(|p| p.1)).fold(1.0, f64::max) * 1.15;
    // Workers on a log2 axis drawn as a linear one, ticks only at whole powers of two.
    let fx = |w: f64| w.max(1e-9).log2();
    let hi = fx(x_max);
    let mut svg = String::new();
    let mut hovers = super::hover::Hovers::default();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let body = root.titled(title, text(16.0)).map_err(err)?;
        let (plot_area, legend_area) = body.split_horizontally(WIDTH - LEGEND);
        let mut chart = ChartBuilder::on(&plot_area)
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(64)
            .build_cartesian_2d(-0.3..hi + 0.3, 0.0..y_max)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("workers (log scale)")
            .y_desc(y_desc)
            .x_labels((hi.ceil() as usize + 2).max(2))
            .x_label_formatter(&|x: &f64| {
                if (x - x.round()).abs() < 1e-6 && *x >= -1e-6 {
                    format!("{}", 2f64.powf(x.round()))
                } else {
                    String::new()
                }
            })
            .house()
            .draw()
            .map_err(err)?;
        for (label, model, run, pts) in lines {
            for &(w, y) in pts {
                let text = format!("{label}, {model}, {w} workers: {y:.3}");
                hovers.point(chart.backend_coord(&(fx(w), y)), text);
            }
            let colour = model_colour(model);
            let style = colour.stroke_width(2);
            let pts: Vec<(f64, f64)> = pts.iter().map(|&(w, y)| (fx(w), y)).collect();
            if dash(*run) == 0 {
                chart.draw_series(LineSeries::new(pts.iter().copied(), style)).map_err(err)?;
            } else {
                chart
                    .draw_series(std::iter::once(DashedPathElement::new(
                        pts.iter().copied(),
                        dash(*run),
                        4,
                        style,
                    )))
                    .map_err(err)?;
            }
            for &p in &pts {
                draw_marker(chart.plotting_area(), p, model_marker(model), colour).map_err(err)?;
            }
        }
        // The legend: one row per model (colour and marker), then one per run (line style).
        let mut models: Vec<&str> = lines.iter().map(|l| l.1.as_str()).collect();
        models.sort_by_key(|m| model_rank(m));
        models.dedup();
        let mut runs: Vec<(usize, &str)> = lines.iter().map(|l| (l.2, l.0.as_str())).collect();
        runs.sort();
        runs.dedup();
        let (x, row) = (8, 22);
        let mut y = 24;
        legend_area.draw(&Text::new("models", (x, y - 6), text(13.0))).map_err(err)?;
        y += row - 4;
        for model in models {
            legend_row(&legend_area, (x, y), model_colour(model), model_marker(model), model, 12.0)
                .map_err(err)?;
            y += row;
        }
        y += 8;
        legend_area.draw(&Text::new("machines", (x, y - 6), text(13.0))).map_err(err)?;
        y += row - 4;
        let ink = RGBColor(60, 60, 60).stroke_width(2);
        for (run, label) in runs {
            let seg = vec![(x, y), (x + 28, y)];
            if dash(run) == 0 {
                legend_area.draw(&PathElement::new(seg, ink)).map_err(err)?;
            } else {
                legend_area.draw(&DashedPathElement::new(seg, dash(run), 4, ink)).map_err(err)?;
            }
            legend_area
                .draw(&Text::new(label.to_string(), (x + 36, y - 7), text(12.0)))
                .map_err(err)?;
            y += row;
        }
        root.present().map_err(err)?;
    }
    Ok(hovers.add_to(&svg))
}
