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
        let (Some(s), Some(hogs)) = (c.summary, c.param_count("hogs")) else {
            continue;
        };
        let interval = c.param_duration("switch_interval").map_or(0, |d| d.as_nanos());
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

/// The convoy in one sentence, for the top of the page: how long one IO call takes behind one
/// CPU-bound thread under the GIL (at a 5 ms switch interval, CPython's default, where it was
/// measured; else the longest measured), against free threads. `None` without those cases.
pub(super) fn convoy_headline(run: &RunRecord) -> Option<String> {
    let ok = |c: &&crate::results::CaseRecord| {
        c.workload == "probe:convoy" && c.status == CaseStatus::Ok && c.summary.is_some()
    };
    let one_hog = |c: &crate::results::CaseRecord| c.param_count("hogs") == Some(1);
    let interval = |c: &crate::results::CaseRecord| c.param_duration("switch_interval");
    let gil: Vec<&crate::results::CaseRecord> =
        run.cases.iter().filter(ok).filter(|c| c.model == "gil" && one_hog(c)).collect();
    let cpython = std::time::Duration::from_millis(5);
    let under = gil
        .iter()
        .find(|c| interval(c) == Some(cpython))
        .or_else(|| gil.iter().max_by_key(|c| interval(c)))?;
    let free = run.cases.iter().filter(ok).find(|c| {
        c.model == "threads" && one_hog(c) && c.params.get("io_time") == under.params.get("io_time")
    });
    let s = under.summary?;
    let io_time = under.params.get("io_time").cloned().unwrap_or_default();
    let io = under.params.get("io").cloned().unwrap_or_else(|| "IO".into());
    let si = under.params.get("switch_interval").cloned().unwrap_or_default();
    let default = if interval(under) == Some(cpython) { " (CPython's default)" } else { "" };
    let mut out = format!(
        "The convoy: a {io_time} {io} takes {} behind one CPU-bound thread under the GIL at a \
         {si} switch interval{default}",
        format::duration(s.median)
    );
    if let Some(f) = free.and_then(|c| c.summary) {
        out.push_str(&format!(", {} with free threads", format::duration(f.median)));
    }
    out.push('.');
    Some(out)
}
