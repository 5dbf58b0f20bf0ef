//! The lock probe's charts: throughput against contenders per lock kind (one chart per
//! critical-section length), the uncontended cost per kind, fairness per kind (the smallest
//! contender's share over the largest's, at the most contenders), and RwLock throughput
//! against the share of reads. Draws what the results carry; computes nothing.

use std::collections::BTreeMap;

use plotters::prelude::*;

use super::style::{HouseMesh, Marker, draw_marker, legend_row, series_style, text};
use super::{Chart, PlotError};
use crate::results::{CaseRecord, CaseStatus, RunRecord};

const WIDTH: u32 = 900;
const HEIGHT: u32 = 480;

/// (x, median, low, high).
type Point = (f64, f64, f64, f64);
/// A line: its label and its points.
type Series = (String, Vec<Point>);
/// Lines by label, per (scenario, critical section).
type Lines = BTreeMap<(String, String), BTreeMap<String, Vec<Point>>>;

fn ok_locks(run: &RunRecord) -> impl Iterator<Item = &CaseRecord> {
    run.cases.iter().filter(|c| {
        c.probe_kind() == Some("lock") && c.status == CaseStatus::Ok && c.summary.is_some()
    })
}

fn contended(c: &CaseRecord) -> bool {
    c.params.get("mode").map(String::as_str) != Some("uncontended")
}

/// Draws every lock chart of the run.
pub fn lock_charts(run: &RunRecord) -> Result<Vec<Chart>, PlotError> {
    let mut out = Vec::new();
    let kinds = Kinds::of(run);
    // Throughput and fairness by (scenario, critical section), RwLock cases apart.
    type Key = (String, String);
    let mut lines: Lines = BTreeMap::new();
    let mut fairness: BTreeMap<Key, BTreeMap<String, (f64, f64)>> = BTreeMap::new();
    let mut rw: Lines = BTreeMap::new();
    let mut alone: BTreeMap<String, Vec<(String, f64)>> = BTreeMap::new();
    let mut groups: BTreeMap<String, String> = BTreeMap::new();
    for c in ok_locks(run) {
        let Some(s) = c.summary else { continue };
        let cs = c.params.get("critical_section").cloned().unwrap_or_else(|| "0s".into());
        let n = c.param_number("contenders").unwrap_or(1.0);
        let read =
            c.model.ends_with("rwlock").then(|| c.param_number("read_percent").unwrap_or(0.0));
        let key = (c.scenario.clone(), cs.clone());
        if !contended(c) {
            groups.entry(format!("{}/uncontended", c.scenario)).or_insert_with(|| c.group.clone());
            alone.entry(c.scenario.clone()).or_default().push((c.model.clone(), s.median));
            continue;
        }
        let point = (n, s.median, s.ci_low, s.ci_high);
        if let Some(r) = read {
            groups.entry(format!("{}/rw/{cs}", c.scenario)).or_insert_with(|| c.group.clone());
            let label = format!("{}, {} contenders", c.model, n);
            rw.entry(key)
                .or_default()
                .entry(label)
                .or_default()
                .push((r, s.median, s.ci_low, s.ci_high));
            continue;
        }
        groups.entry(format!("{}/cs/{cs}", c.scenario)).or_insert_with(|| c.group.clone());
        lines.entry(key.clone()).or_default().entry(c.model.clone()).or_default().push(point);
        if let Some(share) = c.counters.get("fairness_min_max") {
            let slot =
                fairness.entry(key).or_default().entry(c.model.clone()).or_insert((0.0, 1.0));
            if n >= slot.0 {
                *slot = (n, *share);
            }
        }
    }
    let mut write =
        |name: String, title: String, group: Option<&String>, svg: Result<String, String>| {
            let svg = svg.map_err(|message| PlotError { chart: title.clone(), message })?;
            out.push(Chart::new(group.cloned().unwrap_or_default(), title, name, svg));
            Ok::<(), PlotError>(())
        };
    for (scenario, mut bars) in alone {
        bars.sort_by(|a, b| a.1.total_cmp(&b.1));
        let bars: Vec<(String, f64)> = bars.into_iter().map(|(k, v)| (k, v * 1e9)).collect();
        let title = "Uncontended: one acquire + release (ns, log scale)".to_string();
        let svg = hbars(&title, "ns per operation (median)", &bars, &kinds, true);
        write(
            format!("{scenario}-lock-uncontended"),
            title,
            groups.get(&format!("{scenario}/uncontended")),
            svg,
        )?;
    }
    for ((scenario, cs), by_kind) in lines {
        let mut series: Vec<Series> = by_kind.into_iter().collect();
        for (_, p) in &mut series {
            p.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
        let title = format!("Lock throughput vs contenders, critical section {cs}");
        let styles: Vec<_> = series.iter().map(|(label, _)| kinds.style(label)).collect();
        let svg = lines_chart(
            &title,
            "contenders",
            "operations per second (median)",
            &series,
            &styles,
            true,
        );
        let group = groups.get(&format!("{scenario}/cs/{cs}"));
        write(format!("{scenario}-lock-throughput-{cs}"), title, group, svg)?;
        if let Some(f) = fairness.get(&(scenario.clone(), cs.clone())) {
            let mut bars: Vec<(String, f64)> =
                f.iter().map(|(k, (n, share))| (format!("{k} ({n})"), *share)).collect();
            bars.sort_by(|a, b| b.1.total_cmp(&a.1));
            let title = format!(
                "Fairness at the most contenders, critical section {cs}: smallest share / largest"
            );
            let svg =
                hbars(&title, "min/max share of operations (1 = equal)", &bars, &kinds, false);
            write(format!("{scenario}-lock-fairness-{cs}"), title, group, svg)?;
        }
    }
    for ((scenario, cs), by_kind) in rw {
        let mut series: Vec<Series> = by_kind.into_iter().collect();
        for (_, p) in &mut series {
            p.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
        let title = format!("RwLock throughput vs share of reads, critical section {cs}");
        let svg =
            lines_chart(&title, "reads (%)", "operations per second (median)", &series, &[], false);
        write(
            format!("{scenario}-lock-rwlock-{cs}"),
            title,
            groups.get(&format!("{scenario}/rw/{cs}")),
            svg,
        )?;
    }
    Ok(out)
}

fn err(e: DrawingAreaErrorKind<std::io::Error>) -> String {
    e.to_string()
}

/// The colour and marker of each lock kind: the same in every lock chart of a run.
struct Kinds(Vec<String>);

impl Kinds {
    fn of(run: &RunRecord) -> Kinds {
        let mut all: Vec<String> = ok_locks(run).map(|c| c.model.clone()).collect();
        all.sort();
        all.dedup();
        Kinds(all)
    }

    /// The style of `label`, which starts with a kind (`std`, `std (4)`).
    fn style(&self, label: &str) -> (RGBColor, Marker) {
        let kind = label.split([',', ' ']).next().unwrap_or(label);
        series_style(self.0.iter().position(|k| k == kind).unwrap_or(self.0.len()))
    }
}

/// Lines with their intervals, one colour and marker each, the legend beside the plot. The
/// y axis turns logarithmic when the medians span more than 20×, so a lock-free baseline does
/// not flatten every lock into the floor.
fn lines_chart(
    title: &str,
    x_desc: &str,
    y_desc: &str,
    series: &[Series],
    styles: &[(RGBColor, Marker)],
    log_x: bool,
) -> Result<String, String> {
    const LEGEND: u32 = 210;
    let style = |i: usize| styles.get(i).copied().unwrap_or_else(|| series_style(i));
    let xs = series.iter().flat_map(|(_, p)| p.iter().map(|x| x.0));
    let (xmin, xmax) = xs.fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(x), b.max(x)));
    let medians = series.iter().flat_map(|(_, p)| p.iter().map(|x| x.1)).filter(|m| *m > 0.0);
    let (low, high) = medians.fold((f64::MAX, 0.0f64), |(a, b), m| (a.min(m), b.max(m)));
    let log_y = high > 0.0 && high / low > 20.0;
    let top = series.iter().flat_map(|(_, p)| p.iter().map(|x| x.3.max(x.1))).fold(0.0, f64::max);
    let fx = |x: f64| if log_x { x.max(1e-9).log2() } else { x };
    let (y0, y1) = if log_y {
        ((low / 1.5).log10().floor(), (top * 1.05).log10().ceil())
    } else {
        (0.0, if top > 0.0 { top * 1.1 } else { 1.0 })
    };
    let fy = |y: f64| if log_y { y.max(10f64.powf(y0)).log10() } else { y };
    let (lo, hi) = (fx(xmin.min(xmax)), fx(xmax.max(xmin)));
    let pad = ((hi - lo) * 0.05).max(0.2);
    let y_desc = if log_y { format!("{y_desc}, log scale") } else { y_desc.to_string() };
    let mut svg = String::new();
    let mut hovers = super::hover::Hovers::default();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let body = root.titled(title, text(17.0)).map_err(err)?;
        let (plot_area, legend_area) = body.split_horizontally(WIDTH - LEGEND);
        let mut chart = ChartBuilder::on(&plot_area)
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(72)
            .build_cartesian_2d(lo - pad..hi + pad, y0..y1)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            .x_label_formatter(&|x: &f64| {
                let v = if log_x { 2f64.powf(*x) } else { *x };
                if (v - v.round()).abs() < 1e-6 { format!("{}", v.round()) } else { String::new() }
            })
            .y_label_formatter(&|y: &f64| {
                if !log_y {
                    si(*y)
                } else if (y - y.round()).abs() < 1e-6 {
                    si(10f64.powf(y.round()))
                } else {
                    String::new()
                }
            })
            .y_labels(if log_y { ((y1 - y0).ceil() as usize * 4).max(2) } else { 10 })
            .house()
            .draw()
            .map_err(err)?;
        for (i, (label, points)) in series.iter().enumerate() {
            let (c, marker) = style(i);
            chart
                .draw_series(LineSeries::new(
                    points.iter().map(|p| (fx(p.0), fy(p.1))),
                    c.stroke_width(2),
                ))
                .map_err(err)?;
            for &(x, m, l, h) in points {
                if h > l {
                    chart
                        .draw_series(std::iter::once(PathElement::new(
                            vec![(fx(x), fy(l)), (fx(x), fy(h))],
                            c.stroke_width(1),
                        )))
                        .map_err(err)?;
                }
                draw_marker(chart.plotting_area(), (fx(x), fy(m)), marker, c).map_err(err)?;
                hovers.point(
                    chart.backend_coord(&(fx(x), fy(m))),
                    format!("{label}, {x_desc} {x}: {} [{}, {}]", si(m), si(l), si(h)),
                );
            }
        }
        let row = 22;
        for (i, (label, _)) in series.iter().enumerate() {
            let (c, marker) = style(i);
            let y = 30 + row * i as i32;
            legend_row(&legend_area, (8, y), c, marker, label, 12.0).map_err(err)?;
        }
        let y = 30 + row * series.len() as i32 + 4;
        legend_area
            .draw(&Text::new("bars: order-statistic interval", (8, y - 7), text(12.0)))
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(hovers.add_to(&svg))
}

/// Horizontal bars, one per label, top to bottom in the given order.
fn hbars(
    title: &str,
    x_desc: &str,
    bars: &[(String, f64)],
    kinds: &Kinds,
    log_x: bool,
) -> Result<String, String> {
    let n = bars.len().max(1);
    let height = (80 + 26 * n as u32).max(200);
    let fx = |x: f64| if log_x { x.max(1e-3).log10() } else { x };
    let max = bars.iter().map(|b| fx(b.1)).fold(f64::MIN, f64::max);
    let min =
        if log_x { bars.iter().map(|b| fx(b.1)).fold(f64::MAX, f64::min).floor() } else { 0.0 };
    let max = if max > min { max + (max - min) * 0.05 } else { min + 1.0 };
    let labels: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
    let mut svg = String::new();
    let mut hovers = super::hover::Hovers::default();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let body = root.titled(title, text(16.0)).map_err(err)?;
        let mut chart = ChartBuilder::on(&body)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(170)
            .build_cartesian_2d(min..max, -0.5..n as f64 - 0.5)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_labels(n)
            .y_label_formatter(&|y: &f64| {
                let i = y.round();
                if (y - i).abs() < 1e-6 && i >= 0.0 {
                    labels.get(n - 1 - i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .x_label_formatter(&|x: &f64| {
                if log_x { crate::plot::locks::si(10f64.powf(*x)) } else { format!("{x:.2}") }
            })
            .disable_y_mesh()
            .house()
            .draw()
            .map_err(err)?;
        for (i, (label, v)) in bars.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            let (c, _) = kinds.style(label);
            hovers.rect(
                [
                    chart.backend_coord(&(min, y - 0.35)),
                    chart.backend_coord(&(fx(*v).max(min), y + 0.35)),
                ],
                format!("{label}: {} — {x_desc}", si(*v)),
            );
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(min, y - 0.35), (fx(*v).max(min), y + 0.35)],
                    c.filled(),
                )))
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(hovers.add_to(&svg))
}

/// A number with an SI prefix and three significant digits: `1.23 M`, `456 k`, `7.5`.
pub(crate) fn si(x: f64) -> String {
    let a = x.abs();
    let (d, p) = if a >= 1e9 {
        (1e9, " G")
    } else if a >= 1e6 {
        (1e6, " M")
    } else if a >= 1e3 {
        (1e3, " k")
    } else {
        (1.0, "")
    };
    let v = x / d;
    if v.abs() >= 100.0 {
        format!("{v:.0}{p}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}{p}")
    } else {
        format!("{v:.2}{p}")
    }
}
