//! The spawn, footprint and headroom charts: start-up cost by unit kind (log scale), fork
//! against posix_spawn as the parent's resident memory grows, and memory per idle unit.

use std::collections::BTreeMap;

use super::switch::{DotChart, Point, ok_cases, rank, show_size};
use super::{Chart, PlotError};
use crate::results::{CaseRecord, RunRecord};

/// The process-starting variants drawn against the parent's resident memory.
const START_METHODS: &[&str] = &["fork-exit-wait", "fork-exec", "posix-spawn", "std-command"];

fn point(i: usize, c: &CaseRecord, scale: f64) -> Option<Point> {
    c.summary.map(|s| (i, s.median * scale, s.ci_low * scale, s.ci_high * scale))
}

/// Every spawn and footprint chart of the run.
pub fn spawn_charts(run: &RunRecord) -> Result<Vec<Chart>, PlotError> {
    let order = crate::probe::spawn::SPAWN_VARIANTS;
    let mut out = Vec::new();
    let mut by_scenario: BTreeMap<&str, Vec<&CaseRecord>> = BTreeMap::new();
    for c in ok_cases(run, "spawn") {
        by_scenario.entry(c.scenario.as_str()).or_default().push(c);
    }
    for (scenario, cases) in &by_scenario {
        let rss = |c: &CaseRecord| c.param_bytes("parent_rss");
        let mut kinds: Vec<&str> = cases.iter().map(|c| c.model.as_str()).collect();
        kinds.sort_by_key(|k| rank(order, k));
        kinds.dedup();
        let mut sizes: Vec<u64> = cases.iter().filter_map(|c| rss(c)).collect();
        sizes.sort_unstable();
        sizes.dedup();
        let group = cases[0].group.clone();
        // Start-up by kind: one series per parent size.
        let mut series: BTreeMap<u64, Vec<Point>> = BTreeMap::new();
        for c in cases {
            let (Some(i), Some(b)) = (kinds.iter().position(|k| *k == c.model), rss(c)) else {
                continue;
            };
            series.entry(b).or_default().extend(point(i, c, 1e6));
        }
        let title = "Start-up cost by unit kind (start + join/wait, or one task on a warm pool)";
        let chart = DotChart {
            title: title.into(),
            x_desc: "unit kind".into(),
            y_desc: "time per start, median (µs, log scale)".into(),
            categories: kinds.iter().map(|k| k.to_string()).collect(),
            series: series
                .into_iter()
                .map(|(b, v)| (format!("parent RSS {}", show_size(b)), v))
                .collect(),
            log_y: true,
            lines: false,
        };
        let svg = chart.draw().map_err(|message| PlotError { chart: title.into(), message })?;
        out.push(Chart::new(&group, title, format!("{scenario}-spawn-by-kind"), svg));
        // Fork vs posix_spawn against parent RSS.
        if sizes.len() >= 2 {
            let mut series: BTreeMap<(usize, String), Vec<Point>> = BTreeMap::new();
            for c in cases.iter().filter(|c| START_METHODS.contains(&c.model.as_str())) {
                let Some(i) = rss(c).and_then(|b| sizes.iter().position(|x| *x == b)) else {
                    continue;
                };
                series
                    .entry((rank(START_METHODS, &c.model).0, c.model.clone()))
                    .or_default()
                    .extend(point(i, c, 1e3));
            }
            let mut series: Vec<(String, Vec<Point>)> =
                series.into_iter().map(|((_, m), v)| (m, v)).collect();
            for (_, v) in &mut series {
                v.sort_by_key(|p| p.0);
            }
            let title = "fork against posix_spawn as the parent's resident memory grows";
            let chart = DotChart {
                title: title.into(),
                x_desc: "memory touched in the parent".into(),
                y_desc: "time per start + wait, median (ms, log scale)".into(),
                categories: sizes.iter().map(|b| show_size(*b)).collect(),
                series,
                log_y: true,
                lines: true,
            };
            let svg = chart.draw().map_err(|message| PlotError { chart: title.into(), message })?;
            out.push(Chart::new(&group, title, format!("{scenario}-spawn-parent-rss"), svg));
        }
    }
    // Memory per idle unit.
    let mut by_scenario: BTreeMap<&str, Vec<&CaseRecord>> = BTreeMap::new();
    for c in ok_cases(run, "footprint") {
        by_scenario.entry(c.scenario.as_str()).or_default().push(c);
    }
    let units = crate::probe::spawn::UNIT_VARIANTS;
    for (scenario, cases) in &by_scenario {
        let mut kinds: Vec<&str> = cases.iter().map(|c| c.model.as_str()).collect();
        kinds.sort_by_key(|k| rank(units, k));
        kinds.dedup();
        let mut points = Vec::new();
        for c in cases {
            if let Some(i) = kinds.iter().position(|k| *k == c.model) {
                points.extend(point(i, c, 1.0 / 1024.0));
            }
        }
        let title = "Memory per idle unit (RSS growth for threads, heap for tokio tasks, PSS for processes)";
        let chart = DotChart {
            title: title.into(),
            x_desc: "unit kind".into(),
            y_desc: "KiB per idle unit, median (log scale)".into(),
            categories: kinds.iter().map(|k| k.to_string()).collect(),
            series: vec![("memory per unit".into(), points)],
            log_y: true,
            lines: false,
        };
        let svg = chart.draw().map_err(|message| PlotError { chart: title.into(), message })?;
        out.push(Chart::new(&cases[0].group, title, format!("{scenario}-footprint"), svg));
    }
    Ok(out)
}
