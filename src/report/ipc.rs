//! Sentences for the IPC probes: the transports ranked at the smallest message size for each
//! endpoint kind, how close the best shared-memory transport gets to the cache-line ping-pong
//! floor, what busy-waiting costs in CPU, what serialising a message costs on its own, and the
//! multiprocessing analogues side by side. Shows the medians the results carry.

use std::collections::BTreeMap;

use maud::{Markup, html};

use super::format;
use crate::results::{CaseRecord, CaseStatus, RunRecord};

fn param<'a>(c: &'a CaseRecord, name: &str, default: &'a str) -> &'a str {
    c.params.get(name).map_or(default, String::as_str)
}

/// Bytes in a case's message size (8 where unset, as the probe's default).
fn bytes(c: &CaseRecord) -> u64 {
    c.param_bytes("size").unwrap_or(8)
}

fn ok<'a>(
    run: &'a RunRecord,
    scenario: &'a str,
    kind: &'a str,
) -> impl Iterator<Item = &'a CaseRecord> {
    run.cases.iter().filter(move |c| {
        c.scenario == scenario
            && c.probe_kind() == Some(kind)
            && c.status == CaseStatus::Ok
            && c.summary.is_some()
    })
}

fn median(c: &CaseRecord) -> f64 {
    c.summary.map_or(f64::NAN, |s| s.median)
}

/// The IPC sentences of `scenario`.
pub(crate) fn ipc_sentences(run: &RunRecord, scenario: &str) -> Vec<String> {
    let mut out = Vec::new();
    let latency: Vec<&CaseRecord> =
        ok(run, scenario, "ipc").filter(|c| param(c, "mode", "latency") == "latency").collect();
    // Ranking at the smallest size, per endpoint kind, left to the scheduler.
    let mut by_kind: BTreeMap<&str, Vec<&CaseRecord>> = BTreeMap::new();
    for c in latency.iter().filter(|c| param(c, "placement", "free") == "free") {
        by_kind.entry(param(c, "endpoints", "threads")).or_default().push(c);
    }
    for (kind, cases) in &by_kind {
        let Some(smallest) = cases.iter().map(|c| bytes(c)).min() else {
            continue;
        };
        let mut at: Vec<&&CaseRecord> = cases.iter().filter(|c| bytes(c) == smallest).collect();
        at.sort_by(|a, b| median(a).total_cmp(&median(b)));
        let list: Vec<String> =
            at.iter().map(|c| format!("{} {}", c.model, format::duration(median(c)))).collect();
        if !list.is_empty() {
            out.push(format!(
                "Between two {kind}, a round trip of {} messages takes (the mean of a sample, median over samples): {}.",
                format::bytes(smallest),
                list.join(", ")
            ));
        }
    }
    // The floor: the atomic ping-pong against the best shared-memory transport, same
    // endpoints and placement.
    for floor in latency.iter().filter(|c| c.model == "atomic") {
        let same = |c: &&&CaseRecord| {
            param(c, "endpoints", "") == param(floor, "endpoints", "")
                && param(c, "placement", "free") == param(floor, "placement", "free")
                && param(c, "size", "") == param(floor, "size", "")
                && c.model.starts_with("shm-")
        };
        if let Some(best) =
            latency.iter().filter(same).min_by(|a, b| median(a).total_cmp(&median(b)))
        {
            out.push(format!(
                "Between two {} ({}), the best shared-memory transport, {} at {}, is {} the \
                 cache-line ping-pong floor of {}.",
                param(floor, "endpoints", ""),
                param(floor, "placement", "free"),
                best.model,
                format::duration(median(best)),
                format::factor(median(best) / median(floor)),
                format::duration(median(floor)),
            ));
        }
    }
    // Busy-waiting: CPU per round trip of spinning against blocking.
    for spin in latency.iter().filter(|c| c.model == "shm-spin") {
        let twin = latency.iter().find(|c| c.model == "shm-futex" && c.group == spin.group);
        if let (Some(futex), Some(a), Some(b)) = (
            twin,
            spin.counters.get("cpu_s_per_msg"),
            twin.and_then(|t| t.counters.get("cpu_s_per_msg")),
        ) && param(spin, "placement", "free") == "free"
            && bytes(spin) <= 64
        {
            out.push(format!(
                "Between two {}, spinning (shm-spin) answers in {} and burns {} of CPU per round \
                 trip; blocking on a futex (shm-futex) answers in {} for {} of CPU.",
                param(spin, "endpoints", ""),
                format::duration(median(spin)),
                format::duration(*a),
                format::duration(median(futex)),
                format::duration(*b),
            ));
        }
    }
    // Serialisation on its own, by size.
    let mut serde: BTreeMap<u64, f64> = BTreeMap::new();
    for c in &latency {
        if let Some(s) = c.counters.get("serde_s_per_msg") {
            serde.entry(bytes(c)).or_insert(*s);
        }
    }
    if !serde.is_empty() {
        let list: Vec<String> = serde
            .iter()
            .map(|(size, s)| format!("{} for {}", format::duration(*s), format::bytes(*size)))
            .collect();
        out.push(format!(
            "Serialising and deserialising one message (postcard, the pickle step), apart from \
             any transport: {}.",
            list.join(", ")
        ));
    }
    // The multiprocessing analogues.
    let mut mp: BTreeMap<u64, Vec<&CaseRecord>> = BTreeMap::new();
    for c in ok(run, scenario, "mp") {
        mp.entry(c.param_count("clients").unwrap_or(1)).or_default().push(c);
    }
    for (clients, mut cases) in mp {
        cases.sort_by(|a, b| median(b).total_cmp(&median(a)));
        let list: Vec<String> =
            cases.iter().map(|c| format!("{} {} ops/s", c.model, format::si(median(c)))).collect();
        let procs = if clients == 1 { "process" } else { "processes" };
        let mut s = format!("With {clients} client {procs}: {}.", list.join(", "));
        let get = |m: &str| cases.iter().find(|c| c.model == m).map(|c| median(c));
        if let (Some(v), Some(m)) = (get("value"), get("manager")) {
            s.push_str(&format!(
                " A manager proxy call costs {} a shared-memory Value increment.",
                format::factor(v / m)
            ));
        }
        out.push(s);
    }
    out
}

/// The sentences as a list, or nothing.
pub(super) fn ipc_list(run: &RunRecord, scenario: &str) -> Markup {
    let sentences = ipc_sentences(run, scenario);
    html! {
        @if !sentences.is_empty() {
            ul.verdicts { @for s in &sentences { li { (s) } } }
        }
    }
}
