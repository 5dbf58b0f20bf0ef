//! Several runs side by side — from several machines, or from one machine with different
//! settings: load them, line their cases up by case key (never by position), and give each
//! case's ratio to the reference run with a bootstrap interval, called a difference only when
//! the interval excludes 1. Also the baseline check for CI: which cases regressed beyond a
//! threshold. Prints nothing; `report` renders, `plot` draws.

mod align;
mod gate;

pub use align::{Aligned, CaseRatio, Comparison, align};
pub use gate::{Gate, Lost, Regression, gate, lost, regressions};

use std::path::Path;

use crate::results::{ResultsError, RunRecord, load_run};

/// One run in a comparison, with the label its columns and series carry.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledRun {
    /// Short unique label: the host name; where host names repeat, with the machine (CPU
    /// count and model), then the start date, then a position, until it is unique.
    pub label: String,
    /// Where it was loaded from.
    pub source: String,
    /// The run.
    pub run: RunRecord,
}

/// Loads every run (a run directory or a `run.json`), labelled; the first is the reference.
pub fn load_runs(paths: &[&Path]) -> Result<Vec<LabelledRun>, ResultsError> {
    let mut runs = Vec::with_capacity(paths.len());
    for path in paths {
        let run = load_run(path)?;
        runs.push(LabelledRun {
            label: run.machine.hostname.clone(),
            source: path.display().to_string(),
            run,
        });
    }
    // Make labels unique: host, then host + machine, then + start time, then a position.
    // Each pass decides from the labels as they were before it, so every member of a clash
    // is renamed.
    let clashing = |runs: &[LabelledRun]| -> Vec<bool> {
        runs.iter().map(|r| runs.iter().filter(|o| o.label == r.label).count() > 1).collect()
    };
    for (i, clash) in clashing(&runs).into_iter().enumerate() {
        if clash {
            let m = &runs[i].run.machine;
            runs[i].label =
                format!("{} · {}× {}", m.hostname, m.usable_cpus, short_cpu(&m.cpu_brand));
        }
    }
    for (i, clash) in clashing(&runs).into_iter().enumerate() {
        if clash {
            runs[i].label = format!("{} {}", runs[i].label, runs[i].run.started_at);
        }
    }
    for (i, clash) in clashing(&runs).into_iter().enumerate() {
        if clash {
            runs[i].label = format!("{} #{}", runs[i].label, i + 1);
        }
    }
    Ok(runs)
}

/// A CPU model without trademarks and filler: `Intel(R) Xeon(R) Processor` → `Intel Xeon`.
fn short_cpu(brand: &str) -> String {
    let words: Vec<&str> = brand
        .split_whitespace()
        .map(|w| w.trim_end_matches("(R)").trim_end_matches("(TM)").trim_end_matches("(tm)"))
        .filter(|w| !w.is_empty() && !matches!(*w, "Processor" | "CPU" | "@"))
        .collect();
    if words.is_empty() { "unknown CPU".into() } else { words.join(" ") }
}

#[cfg(test)]
mod tests;
