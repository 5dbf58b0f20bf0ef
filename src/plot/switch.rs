//! The switch probe's charts — time per switch by mechanism and placement, and against the
//! working set — and the categorical dot chart they share with the spawn charts.

use std::collections::BTreeMap;

use plotters::prelude::*;

use super::style::text;
use super::{Chart, PlotError};
use crate::results::{CaseRecord, CaseStatus, RunRecord};

const WIDTH: u32 = 900;
const HEIGHT: u32 = 480;

const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(230, 159, 0),
    RGBColor(90, 90, 90),
];

/// A point: (category index, median, interval low, interval high), in display units.
pub(super) type Point = (usize, f64, f64, f64);

/// A chart of medians (with their intervals) over named categories, one series per colour.
#[derive(Debug, Clone)]
pub(super) struct DotChart {
    pub(super) title: String,
    pub(super) x_desc: String,
    pub(super) y_desc: String,
    pub(super) categories: Vec<String>,
    pub(super) series: Vec<(String, Vec<Point>)>,
    pub(super) log_y: bool,
    /// Join a series' points with a line (for ordered categories).
    pub(super) lines: bool,
}

/// A size for an axis label: `0`, `16 KiB`, `256 MiB`, `2 GiB`.
pub(super) fn show_size(b: u64) -> String {
    for (unit, m) in [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] {
        if b >= m {
            let x = b as f64 / m as f64;
            return if (x - x.round()).abs() < 1e-9 {
                format!("{x:.0} {unit}")
            } else {
                format!("{x:.1} {unit}")
            };
        }
    }
    format!("{b} B")
}

/// Ok cases of one probe kind with a summary.
pub(super) fn ok_cases<'a>(run: &'a RunRecord, kind: &str) -> Vec<&'a CaseRecord> {
    run.cases
        .iter()
        .filter(|c| {
            c.probe_kind() == Some(kind) && c.status == CaseStatus::Ok && c.summary.is_some()
        })
        .collect()
}

/// The index of `name` in `order`, else after them all, by name.
pub(super) fn rank<'a>(order: &[&str], name: &'a str) -> (usize, &'a str) {
    (order.iter().position(|o| *o == name).unwrap_or(order.len()), name)
}

/// Both switch charts for every scenario with switch cases.
pub fn switch_charts(run: &RunRecord) -> Result<Vec<Chart>, PlotError> {
    let order = crate::probe::switch::VARIANTS;
    let mut by_scenario: BTreeMap<&str, Vec<&CaseRecord>> = BTreeMap::new();
    for c in ok_cases(run, "switch") {
        by_scenario.entry(c.scenario.as_str()).or_default().push(c);
    }
    let mut out = Vec::new();
    for (scenario, cases) in by_scenario {
        let p = |c: &CaseRecord, k: &str| c.params.get(k).cloned().unwrap_or_default();
        let ws0 = |c: &&&CaseRecord| c.param_bytes("working_set") == Some(0);
        // Chart 1: mechanisms × placement (no working set).
        let mut mechs: Vec<&str> = cases.iter().filter(ws0).map(|c| c.model.as_str()).collect();
        mechs.sort_by_key(|m| rank(order, m));
        mechs.dedup();
        let mut series: BTreeMap<String, Vec<Point>> = BTreeMap::new();
        let mut group = None;
        for c in cases.iter().filter(ws0) {
            let Some(s) = c.summary else { continue };
            let Some(i) = mechs.iter().position(|m| *m == c.model) else { continue };
            let label = match p(c, "peer").as_str() {
                "busy" => format!("{}, busy peer CPU", p(c, "placement")),
                _ => p(c, "placement"),
            };
            group.get_or_insert_with(|| c.group.clone());
            series.entry(label).or_default().push((
                i,
                s.median * 1e6,
                s.ci_low * 1e6,
                s.ci_high * 1e6,
            ));
        }
        if let Some(group) = group {
            let title = "Time per context switch by mechanism and placement".to_string();
            let chart = DotChart {
                title: title.clone(),
                x_desc: "mechanism".into(),
                y_desc: "time per switch, median (µs, log scale)".into(),
                categories: mechs.iter().map(|m| m.to_string()).collect(),
                series: series.into_iter().collect(),
                log_y: true,
                lines: false,
            };
            let svg =
                chart.draw().map_err(|message| PlotError { chart: title.clone(), message })?;
            out.push(Chart::new(&group, title, format!("{scenario}-switch-placement"), svg));
        }
        // Chart 2: working set, same CPU, idle peer.
        let same: Vec<&&CaseRecord> = cases
            .iter()
            .filter(|c| p(c, "placement") == "same-cpu" && p(c, "peer") != "busy")
            .collect();
        let mut sizes: Vec<u64> =
            same.iter().filter_map(|c| c.param_bytes("working_set")).collect();
        sizes.sort_unstable();
        sizes.dedup();
        if sizes.len() < 2 {
            continue;
        }
        let mut series: BTreeMap<(usize, String), Vec<Point>> = BTreeMap::new();
        let mut group = None;
        for c in &same {
            let (Some(s), Some(ws)) = (c.summary, c.param_bytes("working_set")) else {
                continue;
            };
            let Some(i) = sizes.iter().position(|x| *x == ws) else { continue };
            if ws > 0 {
                group.get_or_insert_with(|| c.group.clone());
            }
            series.entry((rank(order, &c.model).0, c.model.clone())).or_default().push((
                i,
                s.median * 1e6,
                s.ci_low * 1e6,
                s.ci_high * 1e6,
            ));
        }
        let mut series: Vec<(String, Vec<Point>)> =
            series.into_iter().filter(|(_, v)| v.len() >= 2).map(|((_, m), v)| (m, v)).collect();
        for (_, v) in &mut series {
            v.sort_by_key(|x| x.0);
        }
        if let (Some(group), false) = (group, series.is_empty()) {
            let title =
                "Time per switch against the working set touched between switches (same CPU)"
                    .to_string();
            let chart = DotChart {
                title: title.clone(),
                x_desc: "working set per end".into(),
                y_desc: "time per switch less the cached touch, median (µs, log scale)".into(),
                categories: sizes.iter().map(|b| show_size(*b)).collect(),
                series,
                log_y: true,
                lines: true,
            };
            let svg =
                chart.draw().map_err(|message| PlotError { chart: title.clone(), message })?;
            out.push(Chart::new(&group, title, format!("{scenario}-switch-working-set"), svg));
        }
    }
    Ok(out)
}

impl DotChart {
    /// The chart as SVG text.
    pub(super) fn draw(&self) -> Result<String, String> {
        let err = |e: DrawingAreaErrorKind<std::io::Error>| e.to_string();
        let values = || self.series.iter().flat_map(|(_, p)| p.iter());
        let top = values().map(|p| p.3.max(p.1)).fold(0.0, f64::max);
        let bottom =
            values().map(|p| p.2.min(p.1)).filter(|v| *v > 0.0).fold(f64::INFINITY, f64::min);
        let n = self.categories.len().max(1);
        let mut svg = String::new();
        let mut hovers = super::hover::Hovers::default();
        {
            let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
            root.fill(&WHITE).map_err(err)?;
            let body = root.titled(&self.title, text(17.0)).map_err(err)?;
            let x_range = -0.5..n as f64 - 0.5;
            let cats = self.categories.clone();
            let x_fmt = move |x: &f64| {
                let i = x.round();
                if (x - i).abs() < 1e-6 && i >= 0.0 {
                    cats.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            };
            let mut builder = ChartBuilder::on(&body);
            builder.margin(14).x_label_area_size(50).y_label_area_size(70);
            macro_rules! finish {
                ($chart:expr) => {{
                    let mut chart = $chart;
                    chart
                        .configure_mesh()
                        .x_desc(self.x_desc.as_str())
                        .y_desc(self.y_desc.as_str())
                        .x_labels(n * 2 + 1)
                        .x_label_formatter(&x_fmt)
                        .label_style(text(11.0))
                        .axis_desc_style(text(13.0))
                        .bold_line_style(RGBColor(225, 225, 225))
                        .light_line_style(RGBColor(245, 245, 245))
                        .draw()
                        .map_err(err)?;
                    let k = self.series.len().max(1) as f64;
                    for (si, (label, points)) in self.series.iter().enumerate() {
                        let colour = PALETTE[si % PALETTE.len()];
                        // Spread the series a little so equal values stay visible.
                        let dx =
                            if self.lines { 0.0 } else { (si as f64 - (k - 1.0) / 2.0) * 0.08 };
                        let xy: Vec<(f64, f64)> =
                            points.iter().map(|p| (p.0 as f64 + dx, p.1)).collect();
                        if self.lines {
                            chart
                                .draw_series(LineSeries::new(xy.clone(), colour.stroke_width(2)))
                                .map_err(err)?;
                        }
                        chart
                            .draw_series(
                                xy.iter().map(|&(x, y)| Circle::new((x, y), 4, colour.filled())),
                            )
                            .map_err(err)?
                            .label(label.clone())
                            .legend(move |(x, y)| Circle::new((x + 8, y), 4, colour.filled()));
                        for (p, xy) in points.iter().zip(&xy) {
                            let at = self.categories.get(p.0).cloned().unwrap_or_default();
                            hovers.point(
                                chart.backend_coord(xy),
                                format!(
                                    "{label}, {at}: {:.4} [{:.4}, {:.4}] — {}",
                                    p.1, p.2, p.3, self.y_desc
                                ),
                            );
                        }
                        for p in points.iter().filter(|p| p.3 > p.2 && p.2 > 0.0) {
                            let x = p.0 as f64 + dx;
                            chart
                                .draw_series(std::iter::once(PathElement::new(
                                    vec![(x, p.2), (x, p.3)],
                                    colour.stroke_width(1),
                                )))
                                .map_err(err)?;
                        }
                    }
                    chart
                        .configure_series_labels()
                        .position(SeriesLabelPosition::LowerLeft)
                        .label_font(text(12.0))
                        .background_style(WHITE.mix(0.85))
                        .border_style(RGBColor(200, 200, 200))
                        .draw()
                        .map_err(err)?;
                }};
            }
            if self.log_y {
                let lo = if bottom.is_finite() { bottom / 2.0 } else { 1e-3 };
                let hi = if top > lo { top * 2.0 } else { lo * 10.0 };
                finish!(builder.build_cartesian_2d(x_range, (lo..hi).log_scale()).map_err(err)?);
            } else {
                let hi = if top > 0.0 { top * 1.15 } else { 1.0 };
                finish!(builder.build_cartesian_2d(x_range, 0.0..hi).map_err(err)?);
            }
            root.present().map_err(err)?;
        }
        Ok(hovers.add_to(&svg))
    }
}
