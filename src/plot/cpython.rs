//! "Model vs real CPython" charts: per workload shape, speedup against workers for gilbench's
//! models (solid lines, filled markers) beside the CPython models they stand for (dashed, hollow
//! markers, in the colour of their gilbench counterpart: CPython threads with `gil`, processes
//! with `processes:fork`, asyncio with `async:current`). Draws what
//! [`crate::analysis::cpython::compare`] returns; computes nothing itself.

use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::scaling::WorkerAxis;
use super::style::{HouseMesh, model_colour, text};
use super::{Chart, PlotError};
use crate::analysis::cpython::{Comparison, ShapeComparison, compare, cpython_label};
use crate::results::RunRecord;
use crate::results::cpython::CpythonRecord;

const WIDTH: u32 = 900;
const HEIGHT: u32 = 460;
const LEGEND_WIDTH: u32 = 220;
const BASELINE: RGBColor = RGBColor(85, 85, 85);
const IDEAL: RGBColor = RGBColor(150, 150, 150);

/// The gilbench model whose colour a CPython model borrows.
fn counterpart(model: &str) -> &str {
    match model {
        "cpython:threads" => "gil",
        "cpython:processes" => "processes:fork",
        "cpython:asyncio" => "async:current",
        other => other,
    }
}

fn colour(model: &str) -> RGBColor {
    model_colour(counterpart(model))
}

fn label(model: &str) -> String {
    if model.starts_with("cpython:") { cpython_label(model) } else { format!("{model} (gilbench)") }
}

/// Draws one chart per compared shape of `run` against `cpython`, named `cpython-<shape>`;
/// each [`Chart::group`] is the shape key.
pub fn cpython_charts(run: &RunRecord, cpython: &CpythonRecord) -> Result<Vec<Chart>, PlotError> {
    comparison_charts(&compare(run, cpython))
}

/// As [`cpython_charts`], from a comparison already made.
pub fn comparison_charts(cmp: &Comparison) -> Result<Vec<Chart>, PlotError> {
    let shapes: Vec<&ShapeComparison> =
        cmp.shapes.iter().filter(|s| !s.series().is_empty()).collect();
    let mut charts = Vec::with_capacity(shapes.len());
    for shape in shapes {
        let title = format!("Model vs CPython: {}", shape.title());
        let svg = draw(shape, &title)
            .map_err(|message| PlotError { chart: shape.key.clone(), message })?;
        charts.push(Chart::new(&shape.key, title, format!("cpython-{}", shape.key), svg));
    }
    Ok(charts)
}

fn draw(shape: &ShapeComparison, title: &str) -> Result<String, String> {
    let err = |e: DrawingAreaErrorKind<std::io::Error>| e.to_string();
    let series = shape.series();
    let workers = shape.workers.clone();
    let data_top = series
        .iter()
        .flat_map(|(_, pts)| pts.iter().map(|p| p.1))
        .filter(|v| v.is_finite())
        .fold(1.0_f64, f64::max);
    let ideal_top = workers.last().copied().unwrap_or(1).min(shape.tasks.max(1)) as f64;
    let top = (data_top * 1.15).max(ideal_top.min(data_top * 2.0) * 1.05).max(1.25);
    let mut svg = String::new();
    let mut hovers = super::hover::Hovers::default();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let body = root.titled(title, text(16.0)).map_err(err)?;
        let (plot_area, legend_area) = body.split_horizontally(WIDTH - LEGEND_WIDTH);
        let n = workers.len();
        let mut chart = ChartBuilder::on(&plot_area)
            .margin(10)
            .x_label_area_size(50)
            .y_label_area_size(64)
            .build_cartesian_2d(WorkerAxis { workers: workers.clone() }, 0.0..top)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("workers")
            .y_desc("speedup vs sequential (×)")
            .y_label_formatter(&|y: &f64| super::scaling::tick(*y))
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
        let ideal: Vec<(f64, f64)> = workers
            .iter()
            .enumerate()
            .map(|(i, &w)| (i as f64, (w.min(shape.tasks.max(1)) as f64).min(top)))
            .collect();
        chart
            .draw_series(std::iter::once(DashedPathElement::new(
                ideal,
                2,
                6,
                IDEAL.stroke_width(1),
            )))
            .map_err(err)?;

        let m = series.len() as f64;
        for (k, (model, points)) in series.iter().enumerate() {
            let c = colour(model);
            let dodge = (k as f64 - (m - 1.0) / 2.0) * 0.04;
            let at = |w: usize| workers.iter().position(|&x| x == w).map(|i| i as f64 + dodge);
            let line: Vec<(f64, f64)> =
                points.iter().filter_map(|(w, s)| at(*w).map(|x| (x, *s))).collect();
            let real = model.starts_with("cpython:");
            if real {
                chart
                    .draw_series(std::iter::once(DashedPathElement::new(
                        line.clone(),
                        7,
                        4,
                        c.stroke_width(2),
                    )))
                    .map_err(err)?;
            } else {
                chart
                    .draw_series(std::iter::once(PathElement::new(line.clone(), c.stroke_width(2))))
                    .map_err(err)?;
            }
            for p in line {
                let style = if real { c.stroke_width(2) } else { c.filled() };
                chart
                    .draw_series(std::iter::once(
                        EmptyElement::at(p) + Circle::new((0, 0), 4, style),
                    ))
                    .map_err(err)?;
            }
            for (w, s) in points {
                if let Some(x) = at(*w) {
                    let text = format!("{}, {w} workers: {s:.3}× (median)", label(model));
                    hovers.point(chart.backend_coord(&(x, *s)), text);
                }
            }
        }

        // Legend, beside the plot so it never hides a line.
        let x = 8;
        let mut y = 24;
        legend_area.draw(&Text::new("speedup of", (x, y - 6), text(13.0))).map_err(err)?;
        y += 18;
        for (model, _) in &series {
            let c = colour(model);
            let real = model.starts_with("cpython:");
            if real {
                legend_area
                    .draw(&DashedPathElement::new(
                        vec![(x, y), (x + 28, y)],
                        7,
                        4,
                        c.stroke_width(2),
                    ))
                    .map_err(err)?;
            } else {
                legend_area
                    .draw(&PathElement::new(vec![(x, y), (x + 28, y)], c.stroke_width(2)))
                    .map_err(err)?;
            }
            let style = if real { c.stroke_width(2) } else { c.filled() };
            legend_area
                .draw(&(EmptyElement::at((x + 14, y)) + Circle::new((0, 0), 4, style)))
                .map_err(err)?;
            legend_area.draw(&Text::new(label(model), (x + 36, y - 7), text(13.0))).map_err(err)?;
            y += 24;
        }
        legend_area
            .draw(&PathElement::new(vec![(x, y), (x + 28, y)], BASELINE.stroke_width(2)))
            .map_err(err)?;
        legend_area
            .draw(&Text::new("sequential (baseline)", (x + 36, y - 7), text(13.0)))
            .map_err(err)?;
        y += 24;
        legend_area
            .draw(&DashedPathElement::new(vec![(x, y), (x + 28, y)], 2, 6, IDEAL.stroke_width(1)))
            .map_err(err)?;
        legend_area.draw(&Text::new("ideal", (x + 36, y - 7), text(13.0))).map_err(err)?;
        y += 30;
        legend_area
            .draw(&Text::new("solid: gilbench; dashed: CPython", (x, y - 7), text(12.0)))
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(hovers.add_to(&svg))
}

#[cfg(test)]
mod tests;
