//! The lock probes in the report: sentences ranking the lock kinds (uncontended cost, and
//! throughput, fairness and CPU per operation at the most contenders for each
//! critical-section length), and the deadlock case beside its fixed-order twin. Shows the
//! medians the results carry; computes nothing else.

use std::collections::BTreeMap;

use maud::{Markup, html};

use super::format;
use crate::results::{CaseRecord, CaseStatus, RunRecord};

fn lock_cases<'a>(run: &'a RunRecord, scenario: &'a str) -> impl Iterator<Item = &'a CaseRecord> {
    run.cases.iter().filter(move |c| {
        c.scenario == scenario
            && c.probe_kind() == Some("lock")
            && c.status == CaseStatus::Ok
            && c.summary.is_some()
    })
}

/// One sentence for the uncontended costs and one per critical-section length.
pub(crate) fn lock_sentences(run: &RunRecord, scenario: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut alone: Vec<(&str, f64)> = lock_cases(run, scenario)
        .filter(|c| c.params.get("mode").map(String::as_str) == Some("uncontended"))
        .filter_map(|c| c.summary.map(|s| (c.model.as_str(), s.median)))
        .collect();
    alone.sort_by(|a, b| a.1.total_cmp(&b.1));
    if !alone.is_empty() {
        let parts: Vec<String> =
            alone.iter().map(|(k, v)| format!("{k} {}", format::duration(*v))).collect();
        out.push(format!("Uncontended, one acquire + release costs: {}.", parts.join(", ")));
    }
    // Critical section -> kind -> (contenders, ops/s, Jain, min/max, CPU per op), at the
    // most contenders measured; RwLock read-share cases are left to their chart.
    type At = (u64, f64, Option<f64>, Option<f64>, Option<f64>);
    let mut by_cs: BTreeMap<String, BTreeMap<String, At>> = BTreeMap::new();
    for c in lock_cases(run, scenario) {
        if c.params.get("mode").map(String::as_str) == Some("uncontended")
            || c.model.ends_with("rwlock")
        {
            continue;
        }
        let (Some(s), Some(n)) = (c.summary, c.param_count("contenders")) else { continue };
        let cs = c.params.get("critical_section").cloned().unwrap_or_else(|| "0s".into());
        let at = (
            n,
            s.median,
            c.counters.get("fairness_jain").copied(),
            c.counters.get("fairness_min_max").copied(),
            c.counters.get("cpu_s_per_op").copied(),
        );
        let slot = by_cs.entry(cs).or_default().entry(c.model.clone()).or_insert(at);
        if n > slot.0 {
            *slot = at;
        }
    }
    for (cs, kinds) in by_cs {
        let mut ranked: Vec<(&String, &At)> = kinds.iter().collect();
        ranked.sort_by(|a, b| b.1.1.total_cmp(&a.1.1));
        let parts: Vec<String> = ranked
            .iter()
            .map(|(k, a)| format!("{k} {} ops/s ({} contenders)", format::si(a.1), a.0))
            .collect();
        let mut sentence =
            format!("With a {cs} critical section, at the most contenders: {}.", parts.join(", "));
        let fair = ranked.iter().filter_map(|(k, a)| a.3.map(|m| (k, m, a.2))).fold(
            None::<(&&String, f64, Option<f64>)>,
            |best, x| match best {
                Some(b) if b.1 <= x.1 => Some(b),
                _ => Some(x),
            },
        );
        if let Some((k, share, jain)) = fair {
            sentence.push_str(&format!(
                " Least fair: {k}, whose slowest contender got {:.3} of the fastest one's share \
                 (Jain's index {}).",
                share,
                jain.map_or("–".into(), |j| format!("{j:.2}"))
            ));
        }
        if let (Some(spin), Some(std)) = (kinds.get("spin"), kinds.get("std"))
            && let (Some(a), Some(b)) = (spin.4, std.4)
        {
            sentence.push_str(&format!(
                " CPU per operation: spin {} against std {}.",
                format::duration(a),
                format::duration(b)
            ));
        }
        out.push(sentence);
    }
    out
}

/// The deadlock cases of `scenario` beside their fixed-order twins: (variant, status, what).
fn deadlock_rows(run: &RunRecord, scenario: &str) -> Vec<(String, String, String)> {
    run.cases
        .iter()
        .filter(|c| c.scenario == scenario && c.probe_kind() == Some("deadlock"))
        .map(|c| {
            let what = match (&c.summary, &c.reason) {
                (Some(s), _) if c.status == CaseStatus::Ok => format!(
                    "completed every round: {} per round",
                    format::duration_interval(s.median, s.ci_low, s.ci_high)
                ),
                (_, Some(r)) => r.clone(),
                _ => "–".into(),
            };
            let status = match c.status {
                CaseStatus::Deadlock => "Deadlock".to_string(),
                CaseStatus::Ok => "ok".to_string(),
                other => format!("{other:?}").to_lowercase(),
            };
            (c.model.clone(), status, what)
        })
        .collect()
}

/// The sentences as a list and the deadlock table, or nothing.
pub(super) fn locks_list(run: &RunRecord, scenario: &str) -> Markup {
    let sentences = lock_sentences(run, scenario);
    let deadlock = deadlock_rows(run, scenario);
    html! {
        @if !sentences.is_empty() {
            ul.verdicts { @for s in &sentences { li { (s) } } }
        }
        @if !deadlock.is_empty() {
            table.cases {
                thead { tr { th { "lock order" } th { "status" } th { "what happened" } } }
                tbody {
                    @for (variant, status, what) in &deadlock {
                        tr class=(if status == "ok" { "" } else { "bad" }) {
                            td { (variant) } td { (status) } td { (what) }
                        }
                    }
                }
            }
        }
    }
}
