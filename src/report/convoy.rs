//! Sentences for the convoy probe: how long an IO call takes behind N CPU-bound threads under
//! the GIL model, without it, and with the CPU work in other processes. Shows the medians the
//! results carry; computes nothing else.

use std::collections::BTreeMap;

use maud::{Markup, html};

use super::format;
use crate::results::{CaseStatus, RunRecord};

/// (io, io_time, hogs) of a convoy case.
type Point = (String, String, u64);
/// (median, ci_low, ci_high, p99, calls per second) of a convoy case.
type Interval = (f64, f64, f64, f64, f64);

/// One sentence per hog count (above zero) and IO kind in `scenario`'s convoy cases.
pub(crate) fn convoy_sentences(run: &RunRecord, scenario: &str) -> Vec<String> {
    let mut points: BTreeMap<Point, BTreeMap<(u8, u128, String), Interval>> = BTreeMap::new();
    for c in run.cases.iter().filter(|c| {
        c.scenario == scenario && c.probe_kind() == Some("convoy") && c.status == CaseStatus::Ok
    }) {
        let (Some(s), Some(hogs)) =
            (c.summary, c.params.get("hogs").and_then(|h| h.parse::<u64>().ok()))
        else {
            continue;
        };
        let interval = c
            .params
            .get("switch_interval")
            .and_then(|si| humantime::parse_duration(si).ok())
            .map_or(0, |d| d.as_nanos());
        // Sorted: the GIL by switch interval, then free threads, then processes.
        let label = match (c.model.as_str(), c.params.get("switch_interval")) {
            ("gil", Some(si)) => {
                (0, interval, format!("under the GIL with a {si} switch interval"))
            }
            ("threads", _) => (1, 0, "with free threads".to_string()),
            ("processes", _) => (2, 0, "with the CPU work in other processes".to_string()),
            (other, _) => (3, 0, format!("with {other}")),
        };
        let io = c.params.get("io").cloned().unwrap_or_default();
        let io_time = c.params.get("io_time").cloned().unwrap_or_default();
        let p99 = c.counters.get("p99_s").copied().unwrap_or(f64::NAN);
        let rate = c.counters.get("ops_per_s").copied().unwrap_or(f64::NAN);
        points
            .entry((io, io_time, hogs))
            .or_default()
            .insert(label, (s.median, s.ci_low, s.ci_high, p99, rate));
    }
    points
        .into_iter()
        .filter(|((_, _, hogs), _)| *hogs > 0)
        .map(|((io, io_time, hogs), by)| {
            let parts: Vec<String> = by
                .iter()
                .map(|((_, _, label), (m, lo, hi, p99, rate))| {
                    format!(
                        "{} {label} (p99 {}, {:.0} calls/s)",
                        format::duration_interval(*m, *lo, *hi),
                        format::duration(*p99),
                        rate
                    )
                })
                .collect();
            let threads = if hogs == 1 { "thread" } else { "threads" };
            format!(
                "Behind {hogs} CPU-bound {threads}, a {io_time} {io} call takes {}.",
                parts.join("; ")
            )
        })
        .collect()
}

/// The sentences as a list, or nothing.
pub(super) fn convoy_list(run: &RunRecord, scenario: &str) -> Markup {
    let sentences = convoy_sentences(run, scenario);
    html! {
        @if !sentences.is_empty() {
            ul.verdicts { @for s in &sentences { li { (s) } } }
        }
    }
}
