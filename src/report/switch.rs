//! Sentences for the switch, spawn, footprint and headroom probes: time per switch by
//! mechanism and placement (and when a round trip did not cost about two switches), what a
//! busy peer CPU and a working set change, start-up cost by unit kind, fork against
//! posix_spawn as the parent grows, the warm-pool vs spawn-per-task break-even, memory per idle
//! unit and the headroom found. Shows the medians the results carry; derives only ratios.

use std::collections::BTreeMap;

use maud::{Markup, html};

use super::format;
use crate::results::{CaseRecord, CaseStatus, RunRecord};

fn cases<'a>(run: &'a RunRecord, scenario: &str, kind: &str) -> Vec<&'a CaseRecord> {
    run.cases
        .iter()
        .filter(|c| {
            c.scenario == scenario
                && c.probe_kind() == Some(kind)
                && c.status == CaseStatus::Ok
                && c.summary.is_some()
        })
        .collect()
}

fn param<'a>(c: &'a CaseRecord, name: &str) -> &'a str {
    c.params.get(name).map_or("", String::as_str)
}

fn median(c: &CaseRecord) -> f64 {
    c.summary.map_or(f64::NAN, |s| s.median)
}

fn interval(c: &CaseRecord) -> String {
    c.summary
        .map_or_else(|| "–".into(), |s| format::duration_interval(s.median, s.ci_low, s.ci_high))
}

fn no_working_set(c: &CaseRecord) -> bool {
    matches!(param(c, "working_set"), "" | "0" | "0B")
}

fn rank(order: &[&str], name: &str) -> usize {
    order.iter().position(|o| *o == name).unwrap_or(order.len())
}

/// The switch probe's sentences for `scenario`.
pub(crate) fn switch_sentences(run: &RunRecord, scenario: &str) -> Vec<String> {
    let order = crate::probe::switch::VARIANTS;
    let all = cases(run, scenario, "switch");
    let mut out = Vec::new();
    // Per placement with an idle peer and no working set.
    let mut by_placement: BTreeMap<(usize, &str), Vec<&CaseRecord>> = BTreeMap::new();
    let placements = crate::measure::placement::Placement::NAMES;
    for c in all.iter().filter(|c| no_working_set(c) && param(c, "peer") != "busy") {
        let p = param(c, "placement");
        by_placement.entry((rank(&placements, p), p)).or_default().push(c);
    }
    for ((_, placement), mut cs) in by_placement {
        cs.sort_by_key(|c| rank(order, &c.model));
        let parts: Vec<String> =
            cs.iter().map(|c| format!("{} with {}", interval(c), c.model)).collect();
        out.push(format!("Placement {placement}: one switch costs {}.", parts.join("; ")));
    }
    // The switch-count check.
    for c in &all {
        let Some(&per) = c.counters.get("switches_per_round_trip") else { continue };
        let placement = param(c, "placement");
        if c.model.starts_with("async") {
            if per < 0.5 {
                out.push(format!(
                    "{} ({placement}) hands over with {} kernel switches per round trip: its \
                     figure is a task switch inside the runtime, not a context switch.",
                    c.model,
                    format::count(per)
                ));
            }
            continue;
        }
        if !(1.5..=2.5).contains(&per) {
            let why = if c.model == "yield" || per < 1.5 {
                "the ends kept running on their own CPUs and polled instead of switching"
            } else {
                "extra switches (preemption or wake-ups of other threads) were counted"
            };
            out.push(format!(
                "{} ({placement}): {} context switches per round trip, not the two expected: \
                 {why}.",
                c.model,
                format::count(per)
            ));
        }
    }
    // Busy peer against idle peer at the same point.
    for busy in all.iter().filter(|c| param(c, "peer") == "busy" && no_working_set(c)) {
        if let Some(idle) = all.iter().find(|c| {
            c.model == busy.model
                && param(c, "peer") != "busy"
                && param(c, "placement") == param(busy, "placement")
                && no_working_set(c)
        }) {
            out.push(format!(
                "With the CPUs kept awake by an idle-class spinner, {} ({}) costs {} per switch \
                 instead of {}: the difference is waking an idle CPU.",
                busy.model,
                param(busy, "placement"),
                interval(busy),
                interval(idle)
            ));
        }
    }
    // Working set: the largest against none, same CPU.
    let mut largest: BTreeMap<&str, &CaseRecord> = BTreeMap::new();
    for c in all.iter().filter(|c| param(c, "placement") == "same-cpu" && !no_working_set(c)) {
        let size = |c: &CaseRecord| c.counters.get("touch_s").copied().unwrap_or(0.0);
        let e = largest.entry(c.model.as_str()).or_insert(c);
        if size(c) > size(e) {
            *e = c;
        }
    }
    for (model, big) in largest {
        if let Some(none) = all.iter().find(|c| {
            c.model == model
                && param(c, "placement") == "same-cpu"
                && param(c, "peer") != "busy"
                && no_working_set(c)
        }) {
            out.push(format!(
                "Touching {} per end between switches, a same-CPU {model} switch costs {} \
                 (less the cached touch) instead of {} with none: the caches refill after \
                 every switch.",
                param(big, "working_set"),
                interval(big),
                interval(none)
            ));
        }
    }
    out
}

/// The spawn, footprint and headroom sentences for `scenario`.
pub(crate) fn spawn_sentences(run: &RunRecord, scenario: &str) -> Vec<String> {
    let order = crate::probe::spawn::SPAWN_VARIANTS;
    let all = cases(run, scenario, "spawn");
    let mut out = Vec::new();
    let size = |c: &CaseRecord| param(c, "parent_rss").to_string();
    let mut by_size: BTreeMap<u64, (String, Vec<&CaseRecord>)> = BTreeMap::new();
    for c in &all {
        by_size
            .entry(c.param_bytes("parent_rss").unwrap_or(0))
            .or_insert((size(c), Vec::new()))
            .1
            .push(c);
    }
    for (label, cs) in by_size.values_mut() {
        cs.sort_by_key(|c| rank(order, &c.model));
        let parts: Vec<String> =
            cs.iter().map(|c| format!("{} {}", c.model, interval(c))).collect();
        out.push(format!(
            "With {label} touched in the parent, one start + join/wait costs: {}.",
            parts.join("; ")
        ));
    }
    // fork against posix_spawn across parent sizes.
    if by_size.len() >= 2 {
        let (first, last) = (by_size.values().next(), by_size.values().next_back());
        if let (Some((small, a)), Some((big, b))) = (first, last) {
            let pick =
                |cs: &[&CaseRecord], m: &str| cs.iter().find(|c| c.model == m).map(|c| median(c));
            let mut parts = Vec::new();
            for m in ["fork-exit-wait", "fork-exec", "posix-spawn", "std-command"] {
                if let (Some(x), Some(y)) = (pick(a, m), pick(b, m)) {
                    parts.push(format!(
                        "{m} from {} to {} ({})",
                        format::duration(x),
                        format::duration(y),
                        format::factor(y / x)
                    ));
                }
            }
            if !parts.is_empty() {
                out.push(format!(
                    "From {small} to {big} touched in the parent, {}: fork copies the page \
                     tables of everything resident, posix_spawn does not.",
                    parts.join(", ")
                ));
            }
        }
    }
    // Warm pool against a unit per task, at the smallest parent.
    if let Some((_, cs)) = by_size.values().next() {
        let find = |m: &str| cs.iter().find(|c| c.model == m).map(|c| median(c));
        for (pool, spawn, what) in [
            ("thread-pool-task", "thread", "a thread"),
            ("process-pool-task", "gilbench-worker", "a worker process"),
        ] {
            if let (Some(p), Some(s)) = (find(pool), find(spawn)) {
                out.push(break_even(p, s, what));
            }
        }
    }
    // Footprint.
    let units = crate::probe::spawn::UNIT_VARIANTS;
    let mut foot = cases(run, scenario, "footprint");
    foot.sort_by_key(|c| rank(units, &c.model));
    let parts: Vec<String> = foot
        .iter()
        .map(|c| {
            let mut s =
                format!("an idle {} {}", singular(&c.model), format::bytes(median(c) as u64));
            if let Some(stack) = c.counters.get("stack_reserved_bytes") {
                s.push_str(&format!(
                    " of RSS ({} of stack reserved, virtual)",
                    format::bytes(*stack as u64)
                ));
            } else if c.model == "processes" {
                s.push_str(" of PSS");
            }
            s
        })
        .collect();
    if !parts.is_empty() {
        out.push(format!("Memory per unit: {}.", parts.join("; ")));
    }
    // Headroom.
    let mut room = cases(run, scenario, "headroom");
    room.sort_by_key(|c| rank(units, &c.model));
    for c in room {
        let by = ["count", "time", "memory", "error"]
            .into_iter()
            .find(|w| c.counters.get(&format!("stopped_by_{w}")).is_some_and(|v| *v >= 0.5))
            .unwrap_or("count");
        let limit = match by {
            "count" => format!("the count limit of {}", param(c, "max_units")),
            "time" => format!("the time limit of {}", param(c, "time_limit")),
            "memory" => "the memory floor (a fifth of the machine's memory left)".into(),
            _ => "the first failure to create one".into(),
        };
        out.push(format!(
            "Headroom: {} idle {} were created before {limit} stopped it; all were freed.",
            format::count(median(c)),
            c.model
        ));
    }
    out
}

fn singular(model: &str) -> &str {
    match model {
        "threads" => "thread",
        "processes" => "process",
        "tokio-tasks" => "tokio task",
        other => other,
    }
}

/// The warm-pool vs spawn-per-task sentence: a pool of one unit costs about one start, then
/// `pool` per task; a unit per task costs `spawn` each time.
pub(crate) fn break_even(pool: f64, spawn: f64, what: &str) -> String {
    if pool >= spawn {
        return format!(
            "A task on a warm pool costs {}, starting {what} per task {}: here the pool buys \
             nothing per task.",
            format::duration(pool),
            format::duration(spawn)
        );
    }
    let tasks = (spawn / (spawn - pool)).ceil().max(1.0);
    format!(
        "A task on a warm pool costs {}, starting {what} per task {} ({} dearer): a pool that \
         costs one start to set up has paid for itself by task {}, and every task after saves \
         {}.",
        format::duration(pool),
        format::duration(spawn),
        format::factor(spawn / pool),
        tasks as u64,
        format::duration(spawn - pool)
    )
}

/// Every sentence of these probes as a list, or nothing.
pub(super) fn switch_list(run: &RunRecord, scenario: &str) -> Markup {
    let mut sentences = switch_sentences(run, scenario);
    sentences.extend(spawn_sentences(run, scenario));
    html! {
        @if !sentences.is_empty() {
            ul.verdicts { @for s in &sentences { li { (s) } } }
        }
    }
}
