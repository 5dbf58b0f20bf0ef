//! Each scenario's table of cases: model, workers, median and speedup with intervals, CPU,
//! context switches, memory and status, grouped by comparison group.

use maud::{Markup, html};

use crate::plot::group_title;
use crate::results::{CaseRecord, CaseStatus, RunRecord};

use super::cards::{case_status_name, swatch};
use super::format;

pub(super) fn case_table(run: &RunRecord, scenario: &str) -> Markup {
    let cases: Vec<&CaseRecord> = run.cases.iter().filter(|c| c.scenario == scenario).collect();
    let mut groups: Vec<&str> = Vec::new();
    for c in &cases {
        if !groups.contains(&c.group.as_str()) {
            groups.push(&c.group);
        }
    }
    let note = format::intervals_note(run);
    html! {
        table {
            colgroup {
                col style="width:24%"; col style="width:10%"; col style="width:5%";
                col style="width:15%"; col style="width:13%"; col style="width:7%";
                col style="width:8%"; col style="width:9%"; col style="width:9%";
            }
            thead {
                tr {
                    th { "case" } th { "model" } th { "workers" }
                    th title=(note) { "median [interval]" }
                    th title=(note) { "speedup [interval]" } th { "CPU" } th { "ctx switches vol + invol" }
                    th title="peak resident memory during the case's samples: gilbench's own process, then the largest worker process" {
                        "peak memory: gilbench / largest worker"
                    }
                    th { "status" }
                }
            }
            tbody {
                @for g in groups {
                    @let members: Vec<&&CaseRecord> = cases.iter().filter(|c| c.group == g).collect();
                    tr.group { th colspan="9" { (group_title(members[0])) } }
                    @for c in members { (case_row(c, run.machine.usable_cpus)) }
                }
            }
        }
    }
}

/// A sanity note on a speedup that exceeds what the units could give: above the worker count
/// (impossible without a measurement problem) or above the usable CPUs (fine for IO-bound
/// work, suspicious for CPU-bound work).
fn speedup_sanity(c: &CaseRecord, usable_cpus: usize) -> Option<String> {
    let s = c.speedup?;
    if s.ci_low > c.workers as f64 * 1.05 {
        Some(format!("above {} workers: check the measurement", c.workers))
    } else if s.ci_low > usable_cpus as f64 * 1.05 && c.workload == "cpu" {
        Some(format!("CPU-bound work above the {usable_cpus} usable CPUs: check the measurement"))
    } else {
        None
    }
}

fn case_row(c: &CaseRecord, usable_cpus: usize) -> Markup {
    let class = match c.status {
        CaseStatus::Ok => "",
        CaseStatus::Failed | CaseStatus::Timeout | CaseStatus::Deadlock => "bad",
        CaseStatus::Unsupported | CaseStatus::Interrupted => "skip",
    };
    let speedup = match (&c.speedup, c.model.as_str(), c.status) {
        (Some(s), _, _) => format::speedup(s),
        (None, "sequential", CaseStatus::Ok) => "baseline".into(),
        _ => "–".into(),
    };
    let ctx = match (c.voluntary_cs, c.involuntary_cs) {
        (Some(v), Some(i)) => format!("{} + {}", format::count(v), format::count(i)),
        _ => "–".into(),
    };
    let memory = match (c.peak_rss_bytes, c.worker_peak_rss_bytes) {
        (Some(own), Some(worker)) => format!("{} / {}", format::bytes(own), format::bytes(worker)),
        (Some(own), None) => format::bytes(own),
        (None, Some(worker)) => format!("– / {}", format::bytes(worker)),
        (None, None) => "–".into(),
    };
    html! {
        tr class=(class) {
            td.key { (c.case) }
            td { (swatch(&c.model)) (c.model) }
            td.num { (c.workers) }
            td.num {
                @if let Some(s) = &c.summary {
                    (format::value_interval(&c.unit, s.median, s.ci_low, s.ci_high))
                    @if s.noisy { span.flag title="robust coefficient of variation above the noise threshold" {
                        "noisy, CV " (format!("{:.0}%", s.cv * 100.0))
                    } }
                } @else { "–" }
            }
            td.num {
                (speedup)
                @if let Some(note) = speedup_sanity(c, usable_cpus) { " " span.flag { (note) } }
            }
            td.num { (c.cpu_s.map(format::duration).unwrap_or_else(|| "–".into())) }
            td.num { (ctx) }
            td.num { (memory) }
            td.status.ok[c.status == CaseStatus::Ok] {
                (case_status_name(c.status))
                @if let Some(r) = &c.reason { ": " (r) }
            }
        }
    }
}
