//! `summary.md`: the run's successful cases as one markdown table, for pasting into an issue or
//! a README next to the machine it ran on.

use crate::results::{CaseStatus, RunRecord};

use super::format;

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
    out.push_str("| group | model | workers | median [95% CI] | speedup [95% CI] |\n");
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
    out
}

/// Text safe inside a table cell: pipes escaped, line breaks folded.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}
