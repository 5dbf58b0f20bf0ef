//! The convoy chart: IO call latency against the number of CPU hogs, one line per probe
//! variant (and switch interval for `gil`), with the median's interval as error bars.
//! One chart per scenario and IO kind.

use std::collections::BTreeMap;

use plotters::prelude::*;

use super::style::{HouseMesh, model_colour, text};
use super::{Chart, PlotError};
use crate::results::{CaseRecord, CaseStatus, RunRecord};

const WIDTH: u32 = 900;
const HEIGHT: u32 = 480;

/// One line: its label and (hogs, median, low, high) points in milliseconds.
type Series = (String, Vec<(f64, f64, f64, f64)>);

fn series_label(case: &CaseRecord) -> String {
    match (case.model.as_str(), case.params.get("switch_interval")) {
        ("gil", Some(si)) => format!("gil, switch interval {si}"),
        (model, _) => model.to_string(),
    }
}

/// Draws one convoy chart per scenario and IO kind.
pub fn convoy_charts(run: &RunRecord) -> Result<Vec<Chart>, PlotError> {
    // (scenario, io, io_time) -> label -> points
    let mut charts: BTreeMap<(String, String, String), BTreeMap<String, Vec<_>>> = BTreeMap::new();
    let mut first_group: BTreeMap<(String, String, String), String> = BTreeMap::new();
    for case in &run.cases {
        if case.probe_kind() != Some("convoy") || case.status != CaseStatus::Ok {
            continue;
        }
        let (Some(s), Some(hogs)) = (case.summary, case.param_number("hogs")) else {
            continue;
        };
        let io = case.params.get("io").cloned().unwrap_or_default();
        let io_time = case.params.get("io_time").cloned().unwrap_or_default();
        let at = (case.scenario.clone(), io, io_time);
        first_group.entry(at.clone()).or_insert_with(|| case.group.clone());
        charts.entry(at).or_default().entry(series_label(case)).or_default().push((
            hogs,
            s.median * 1e3,
            s.ci_low * 1e3,
            s.ci_high * 1e3,
        ));
    }
    let mut out = Vec::new();
    for ((scenario, io, io_time), lines) in charts {
        let title = format!("Convoy: {io} call of {io_time} behind N CPU-bound threads");
        let mut series: Vec<Series> = lines.into_iter().collect();
        for (_, points) in &mut series {
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
        let svg = draw(&title, &series)
            .map_err(|message| PlotError { chart: format!("{scenario} convoy"), message })?;
        let name = format!("{scenario}-convoy-{io}-{io_time}");
        let group = first_group.remove(&(scenario, io, io_time)).unwrap_or_default();
        out.push(Chart::new(group, title, name, svg));
    }
    Ok(out)
}

fn draw(title: &str, series: &[Series]) -> Result<String, String> {
    let err = |e: DrawingAreaErrorKind<std::io::Error>| e.to_string();
    let max_hogs = series.iter().flat_map(|(_, p)| p.iter().map(|x| x.0)).fold(0.0, f64::max);
    let top = series.iter().flat_map(|(_, p)| p.iter().map(|x| x.3.max(x.1))).fold(0.0, f64::max);
    let top = if top > 0.0 { top * 1.15 } else { 1.0 };
    let mut svg = String::new();
    let mut hovers = super::hover::Hovers::default();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let body = root.titled(title, text(17.0)).map_err(err)?;
        let mut chart = ChartBuilder::on(&body)
            .margin(12)
            .x_label_area_size(50)
            .y_label_area_size(64)
            .build_cartesian_2d(-0.3..max_hogs + 0.3, 0.0..top)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("CPU-bound threads (hogs)")
            .y_desc("IO call latency, median (ms)")
            .x_labels((max_hogs as usize + 1).min(20))
            .x_label_formatter(&|x: &f64| {
                if (x - x.round()).abs() < 1e-9 { format!("{}", x.round()) } else { String::new() }
            })
            .house()
            .draw()
            .map_err(err)?;
        let palette = [RGBColor(204, 121, 167), RGBColor(136, 34, 85), RGBColor(230, 159, 0)];
        let mut gil_seen = 0usize;
        for (label, points) in series {
            let colour = if label.starts_with("gil") {
                gil_seen += 1;
                palette[(gil_seen - 1) % palette.len()]
            } else {
                model_colour(label)
            };
            chart
                .draw_series(LineSeries::new(
                    points.iter().map(|p| (p.0, p.1)),
                    colour.stroke_width(2),
                ))
                .map_err(err)?
                .label(label.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], colour.stroke_width(2))
                });
            for &(x, m, lo, hi) in points {
                if hi > lo {
                    chart
                        .draw_series(std::iter::once(PathElement::new(
                            vec![(x, lo), (x, hi)],
                            colour.stroke_width(1),
                        )))
                        .map_err(err)?;
                }
                chart
                    .draw_series(std::iter::once(Circle::new((x, m), 4, colour.filled())))
                    .map_err(err)?;
                hovers.point(
                    chart.backend_coord(&(x, m)),
                    format!("{label}, {x} hogs: {m:.3} ms [{lo:.3}, {hi:.3}]"),
                );
            }
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .label_font(text(12.0))
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(hovers.add_to(&svg))
}
