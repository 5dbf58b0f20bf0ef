//! `summary.md`: the run's successful cases as one markdown table, for pasting into an issue or
//! a README next to the machine it ran on, followed by the key GIL sentences when the run has
//! GIL cases.

use crate::results::{CaseStatus, RunRecord};

use super::format;
use super::gil::{amdahl_sentences, break_even_sentences, gil_verdicts};

/// A markdown summary: a heading, the machine in one line, and a table with one row per `ok`
/// case (group, model, workers, median [interval], speedup [interval]).
pub fn summary_markdown(run: &RunRecord) -> String {
    let m = &run.machine;
    let mut out = String::new();
    out.push_str(&format!("# gilbench run, {}\n\n", cell(&run.started_at)));
    out.push_str(&format!(
        "{} · {} · {} of {} CPUs usable · {} · gilbench {} · profile {}\n\n",
        cell(&m.hostname),
        cell(&m.cpu_brand),
        m.usable_cpus,
        m.logical_cpus,
        cell(&m.os),
        cell(&run.gilbench_version),
        cell(&run.profile)
    ));
    let note = format::intervals_note(run);
    if !note.is_empty() {
        out.push_str(&format!("{note}\n\n"));
    }
    out.push_str(&super::sampling::sampling_markdown(run));
    out.push_str("| group | model | workers | median [interval] | speedup [interval] |\n");
    out.push_str("|---|---|---:|---:|---:|\n");
    for c in run.cases.iter().filter(|c| c.status == CaseStatus::Ok) {
        let median = c
            .summary
            .map(|s| format::duration_interval(s.median, s.ci_low, s.ci_high))
            .unwrap_or_else(|| "–".into());
        let speedup = match (&c.speedup, c.model.as_str()) {
            (Some(s), _) => format::speedup(s),
            (None, "sequential") => "baseline".into(),
            (None, _) => "–".into(),
        };
        let noisy = if c.summary.is_some_and(|s| s.noisy) { " (noisy)" } else { "" };
        out.push_str(&format!(
            "| {} | {} | {} | {}{noisy} | {} |\n",
            cell(&c.group),
            cell(&c.model),
            c.workers,
            median,
            speedup
        ));
    }
    let verdicts = gil_verdicts(run);
    let break_even = break_even_sentences(run);
    // Task-size sweeps are summed up by their break-even sentence; their per-group fits stay
    // in the HTML report.
    let swept: Vec<String> =
        crate::analysis::crossover_maps(run).into_iter().map(|m| m.scenario).collect();
    let serial: Vec<(String, String)> = amdahl_sentences(run, Some(&["gil", "threads"]))
        .into_iter()
        .filter(|(scenario, _)| !swept.contains(scenario))
        .collect();
    if !(verdicts.is_empty() && break_even.is_empty()) {
        out.push_str("\n## Where a GIL hurts\n\n");
        for s in verdicts.iter().chain(&break_even) {
            out.push_str(&format!("- {}\n", line(s)));
        }
        if !serial.is_empty() {
            out.push_str("\nSerial fraction (Amdahl fit, 95% bootstrap interval):\n\n");
            for (_, s) in &serial {
                out.push_str(&format!("- {}\n", line(s)));
            }
        }
    }
    out
}

/// Text safe as one list item: line breaks folded.
fn line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// Text safe inside a table cell: pipes escaped, line breaks folded.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}
