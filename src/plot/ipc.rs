//! The IPC charts: round-trip latency against message size (log–log, one line per transport,
//! one chart per endpoint kind), streaming throughput against size, CPU seconds per message
//! against size, and bars of the multiprocessing analogues' operations per second by client
//! count. Draws what the results carry; computes nothing but unit changes.

use std::collections::BTreeMap;

use plotters::coord::ranged1d::ValueFormatter;
use plotters::prelude::*;

use super::PlotError;
use super::style::{HouseMesh, model_colour, text};
use crate::results::{CaseRecord, CaseStatus, RunRecord};

const WIDTH: u32 = 900;
const HEIGHT: u32 = 500;

/// A byte count at a log-axis tick (powers of ten): `10 B`, `1 kB`, `100 kB`, `1 MB`.
fn size_label(x: f64) -> String {
    format!("{}B", compact(x))
}

/// A number at a log-axis tick, short: `0.1 `, `10 `, `1 k`, `100 M`.
fn compact(x: f64) -> String {
    let (v, prefix) = if x >= 1e9 {
        (x / 1e9, "G")
    } else if x >= 1e6 {
        (x / 1e6, "M")
    } else if x >= 1e3 {
        (x / 1e3, "k")
    } else {
        (x, "")
    };
    let v = if v >= 1.0 { format!("{}", (v * 10.0).round() / 10.0) } else { format!("{v:.2}") };
    format!("{v} {prefix}")
}

/// Distinct colours for the lines and bars of IPC charts (a transport keeps its colour).
const PALETTE: [RGBColor; 13] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(213, 94, 0),
    RGBColor(86, 180, 233),
    RGBColor(204, 121, 167),
    RGBColor(136, 34, 85),
    RGBColor(34, 34, 34),
    RGBColor(68, 170, 153),
    RGBColor(153, 153, 51),
    RGBColor(170, 68, 153),
    RGBColor(102, 102, 102),
    RGBColor(221, 204, 119),
];

/// The colour of a transport or `mp` variant.
fn colour(name: &str) -> RGBColor {
    if let Some(i) = crate::probe::ipc::NAMES.iter().position(|n| *n == name) {
        return PALETTE[i];
    }
    // mp variants: apart from each other and from `pipe` (the transport's blue).
    match name {
        "value" => PALETTE[5],
        "array" => PALETTE[2],
        "queue" => PALETTE[1],
        "manager" => PALETTE[3],
        _ => model_colour(name),
    }
}

/// A line: label and (x, y) points sorted by x.
type Series = (String, Vec<(f64, f64)>);

fn param<'a>(c: &'a CaseRecord, name: &str, default: &'a str) -> &'a str {
    c.params.get(name).map_or(default, String::as_str)
}

/// Charts by (scenario, endpoint kind).
type Charts = BTreeMap<(String, String), Chart>;
/// Per scenario: the group of its first case, and client count -> variant -> ops/s.
type MpBars = BTreeMap<String, (String, BTreeMap<u64, BTreeMap<String, f64>>)>;

struct Chart {
    group: String,
    lines: BTreeMap<String, Vec<(f64, f64)>>,
}

fn add(
    charts: &mut BTreeMap<(String, String), Chart>,
    key: (String, String),
    c: &CaseRecord,
    x: f64,
    y: f64,
) {
    if !(x > 0.0 && y > 0.0 && y.is_finite()) {
        return;
    }
    charts
        .entry(key)
        .or_insert_with(|| Chart { group: c.group.clone(), lines: BTreeMap::new() })
        .lines
        .entry(c.model.clone())
        .or_default()
        .push((x, y));
}

/// Draws every IPC chart of the run.
pub fn ipc_charts(run: &RunRecord) -> Result<Vec<super::Chart>, PlotError> {
    let mut latency = BTreeMap::new();
    let mut throughput = BTreeMap::new();
    let mut cpu = BTreeMap::new();
    for c in
        run.cases.iter().filter(|c| c.probe_kind() == Some("ipc") && c.status == CaseStatus::Ok)
    {
        let (Some(s), Some(size)) = (c.summary, c.param_bytes("size").map(|b| b as f64)) else {
            continue;
        };
        if param(c, "placement", "free") != "free" {
            continue;
        }
        let key = (c.scenario.clone(), param(c, "endpoints", "threads").to_string());
        if param(c, "mode", "latency") == "throughput" {
            if let Some(bps) = c.counters.get("bytes_per_s") {
                add(&mut throughput, key, c, size, bps / 1e6);
            }
        } else {
            add(&mut latency, key.clone(), c, size, s.median * 1e6);
            if let Some(cpu_s) = c.counters.get("cpu_s_per_msg") {
                add(&mut cpu, key, c, size, cpu_s * 1e6);
            }
        }
    }
    let mut out = Vec::new();
    let kinds: [(&str, &str, &str, &Charts); 3] = [
        ("latency", "Round-trip latency by message size", "round trip, median (µs)", &latency),
        ("throughput", "Streaming throughput by message size", "throughput (MB/s)", &throughput),
        ("cpu", "CPU per message, both sides, by message size", "CPU per round trip (µs)", &cpu),
    ];
    for (slug, what, y_desc, charts) in kinds {
        for ((scenario, endpoints), chart) in charts {
            let title = format!("{what}: two {endpoints}");
            let mut series: Vec<Series> =
                chart.lines.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            for (_, p) in &mut series {
                p.sort_by(|a, b| a.0.total_cmp(&b.0));
            }
            let svg = draw_loglog(&title, y_desc, &series)
                .map_err(|message| PlotError { chart: title.clone(), message })?;
            let name = format!("{scenario}-ipc-{slug}-{endpoints}");
            out.push(super::Chart::new(&chart.group, title, name, svg));
        }
    }
    out.extend(mp_charts(run)?);
    Ok(out)
}

fn bounds(series: &[Series], pick: impl Fn(&(f64, f64)) -> f64) -> (f64, f64) {
    let (lo, hi) = series
        .iter()
        .flat_map(|(_, p)| p.iter().map(&pick))
        .fold((f64::INFINITY, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if lo.is_finite() && hi > 0.0 { (lo / 1.6, hi * 1.6) } else { (1.0, 10.0) }
}

type Err = DrawingAreaErrorKind<std::io::Error>;

fn draw_loglog(title: &str, y_desc: &str, series: &[Series]) -> Result<String, String> {
    let err = |e: Err| e.to_string();
    let (x0, x1) = bounds(series, |p| p.0);
    let (y0, y1) = bounds(series, |p| p.1);
    let mut svg = String::new();
    let mut hovers = super::hover::Hovers::default();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let body = root.titled(title, text(17.0)).map_err(err)?;
        let mut chart = ChartBuilder::on(&body)
            .margin(12)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())
            .map_err(err)?;
        mesh(&mut chart, "message size", y_desc, &|x: &f64| size_label(*x))?;
        for (label, points) in series {
            let colour = colour(label);
            chart
                .draw_series(LineSeries::new(points.iter().copied(), colour.stroke_width(2)))
                .map_err(err)?
                .label(label.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], colour.stroke_width(2))
                });
            chart
                .draw_series(points.iter().map(|&p| Circle::new(p, 3, colour.filled())))
                .map_err(err)?;
            for &(x, y) in points {
                hovers.point(
                    chart.backend_coord(&(x, y)),
                    format!("{label}, {}: {y:.4} — {y_desc}", size_label(x)),
                );
            }
        }
        legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
        root.present().map_err(err)?;
    }
    Ok(hovers.add_to(&svg))
}

fn mesh<'a, X, Y>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, Y>>,
    x_desc: &str,
    y_desc: &str,
    x_fmt: &dyn Fn(&X::ValueType) -> String,
) -> Result<(), String>
where
    X: Ranged + ValueFormatter<X::ValueType>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let y_fmt = |y: &f64| compact(*y);
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(x_fmt)
        .y_label_formatter(&|y: &Y::ValueType| y_fmt(y))
        .house()
        .draw()
        .map_err(|e| e.to_string())
}

fn legend<'a, X: Ranged, Y: Ranged>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, Y>>,
    at: SeriesLabelPosition,
) -> Result<(), String> {
    chart
        .configure_series_labels()
        .position(at)
        .label_font(text(12.0))
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(200, 200, 200))
        .draw()
        .map_err(|e| e.to_string())
}

/// Bars of `mp` operations per second: one cluster per client count, one bar per variant.
fn mp_charts(run: &RunRecord) -> Result<Vec<super::Chart>, PlotError> {
    // scenario -> (group of the first case, clients -> variant -> ops/s)
    let mut by: MpBars = BTreeMap::new();
    for c in run.cases.iter().filter(|c| c.probe_kind() == Some("mp") && c.status == CaseStatus::Ok)
    {
        let clients = if c.param("clients").is_some() { c.param_count("clients") } else { Some(1) };
        let (Some(s), Some(clients)) = (c.summary, clients) else {
            continue;
        };
        let entry =
            by.entry(c.scenario.clone()).or_insert_with(|| (c.group.clone(), BTreeMap::new()));
        entry.1.entry(clients).or_default().insert(c.model.clone(), s.median);
    }
    let mut out = Vec::new();
    for (scenario, (group, clusters)) in by {
        let title =
            "Multiprocessing analogues: operations per second by client processes".to_string();
        let svg = draw_bars(&title, &clusters)
            .map_err(|message| PlotError { chart: title.clone(), message })?;
        out.push(super::Chart::new(group, title, format!("{scenario}-ipc-mp"), svg));
    }
    Ok(out)
}

fn draw_bars(
    title: &str,
    clusters: &BTreeMap<u64, BTreeMap<String, f64>>,
) -> Result<String, String> {
    let err = |e: Err| e.to_string();
    const ORDER: [&str; 5] = ["value", "array", "pipe", "queue", "manager"];
    let mut variants: Vec<&str> = ORDER.to_vec();
    for m in clusters.values().flat_map(|m| m.keys()) {
        if !variants.contains(&m.as_str()) {
            variants.push(m);
        }
    }
    let values: Vec<f64> = clusters.values().flat_map(|m| m.values().copied()).collect();
    let hi = values.iter().copied().fold(1.0f64, f64::max) * 60.0;
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min).min(hi / 10.0) / 3.0;
    let n = clusters.len().max(1) as f64;
    let width = 0.8 / variants.len() as f64;
    let keys: Vec<u64> = clusters.keys().copied().collect();
    let mut svg = String::new();
    let mut hovers = super::hover::Hovers::default();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let body = root.titled(title, text(17.0)).map_err(err)?;
        let y = (lo.max(1e-3)..hi).log_scale();
        let mut chart = ChartBuilder::on(&body)
            .margin(12)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(-0.5..n - 0.5, y)
            .map_err(err)?;
        let keys2 = keys.clone();
        chart
            .configure_mesh()
            .x_desc("client processes")
            .y_desc("operations per second (all clients)")
            .x_labels(keys.len())
            .x_label_formatter(&move |x: &f64| {
                let i = x.round();
                if (x - i).abs() < 0.05 && i >= 0.0 {
                    keys2.get(i as usize).map(|k| k.to_string()).unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|y: &f64| compact(*y))
            .house()
            .draw()
            .map_err(err)?;
        for (vi, variant) in variants.iter().enumerate() {
            for (ci, k) in keys.iter().enumerate() {
                let Some(v) = clusters.get(k).and_then(|m| m.get(*variant)) else { continue };
                let x = ci as f64 - 0.4 + width * vi as f64;
                hovers.rect(
                    [
                        chart.backend_coord(&(x, lo.max(1e-3))),
                        chart.backend_coord(&(x + width * 0.9, *v)),
                    ],
                    format!("{variant}, {k} client processes: {} operations/s", compact(*v)),
                );
            }
            let colour = colour(variant);
            let bars: Vec<_> = keys
                .iter()
                .enumerate()
                .filter_map(|(ci, k)| {
                    let v = *clusters.get(k)?.get(*variant)?;
                    let x = ci as f64 - 0.4 + width * vi as f64;
                    Some(Rectangle::new([(x, lo.max(1e-3)), (x + width * 0.9, v)], colour.filled()))
                })
                .collect();
            if bars.is_empty() {
                continue;
            }
            chart.draw_series(bars).map_err(err)?.label(variant.to_string()).legend(
                move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], colour.filled()),
            );
        }
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        root.present().map_err(err)?;
    }
    Ok(hovers.add_to(&svg))
}
