//! Derived views of a run for the GIL question: each model's best case in a comparison group,
//! the GIL penalty grids over CPU fraction × workers, CPU fraction × the share of CPU work done
//! with the lock released, the task-size × payload crossover with its break-even points,
//! Amdahl fits of each model's scaling, and the answer table (each shape of work's best model
//! family).
//!
//! Pure functions of a [`RunRecord`](crate::results::RunRecord): it reads what the results
//! carry, compares medians and intervals, and takes every statistic from `stats`. `plot` draws
//! these views and `report` words them; neither recomputes them.

mod amdahl;
mod answer;
pub mod cpython;
mod crossover;
mod penalty;
mod released;
mod shape;

use std::collections::BTreeMap;

use crate::results::{CaseRecord, CaseStatus, RunRecord, Speedup};

pub use amdahl::{SerialFraction, serial_fractions};
pub use answer::{AVOID, AnswerRow, Choice, Family, TIE, answer_rows, choose};
pub use crossover::{BreakEven, CrossoverCell, CrossoverMap, crossover_maps};
pub use penalty::{PenaltyCell, PenaltyMap, penalty_maps};
pub use released::{GIL_PROCESSES, ReleasedCell, ReleasedMap, released_fraction, released_maps};
pub use shape::{GilPoint, gil_points};

/// The model the GIL is modelled by.
pub const GIL: &str = "gil";
/// Free threads, the GIL's counterpart.
pub const THREADS: &str = "threads";
/// The baseline every speedup is measured against.
pub const SEQUENTIAL: &str = "sequential";

/// A model at its best worker count in one comparison group.
#[derive(Debug, Clone, PartialEq)]
pub struct Best {
    /// Execution model.
    pub model: String,
    /// Worker count of its fastest case.
    pub workers: usize,
    /// Its speedup against sequential (the baseline itself is exactly 1).
    pub speedup: Speedup,
}

impl Best {
    /// Whether this model's interval lies wholly above `other`'s.
    pub fn clearly_beats(&self, other: &Best) -> bool {
        self.speedup.ci_low > other.speedup.ci_high
    }

    /// Whether the two intervals overlap (neither clearly beats the other).
    pub fn overlaps(&self, other: &Best) -> bool {
        !self.clearly_beats(other) && !other.clearly_beats(self)
    }
}

/// Each model's fastest `ok` case among `cases` (one comparison group), fastest first; ties
/// by model name. The sequential baseline enters at exactly 1× when it succeeded, so "run it
/// sequentially" can win too. Models without a finite speedup are left out.
pub fn best_by_model(cases: &[&CaseRecord]) -> Vec<Best> {
    let mut out: Vec<Best> = Vec::new();
    for c in cases.iter().filter(|c| c.status == CaseStatus::Ok) {
        let speedup = if c.model == SEQUENTIAL {
            Speedup::paired(1.0, 1.0, 1.0)
        } else {
            match c.speedup {
                Some(s) if s.median.is_finite() && s.median > 0.0 => s,
                _ => continue,
            }
        };
        let best = Best { model: c.model.clone(), workers: c.workers, speedup };
        match out.iter_mut().find(|b| b.model == c.model) {
            Some(b) if b.speedup.median < speedup.median => *b = best,
            Some(_) => {}
            None => out.push(best),
        }
    }
    out.sort_by(|a, b| {
        b.speedup.median.total_cmp(&a.speedup.median).then_with(|| a.model.cmp(&b.model))
    });
    out
}

/// The first `processes:*` model among `models`, preferring the one with the most entries
/// (so the processes model a scenario measured most is the one compared), then by name.
pub(crate) fn processes_model<'a>(models: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for m in models.filter(|m| m.starts_with("processes")) {
        *counts.entry(m).or_default() += 1;
    }
    let most = counts.values().copied().max()?;
    counts.into_iter().find(|(_, n)| *n == most).map(|(m, _)| m.to_string())
}

/// The title of a case's workload without the parameters in `without` (and never `workers`
/// or `switch_interval`, which vary within a group), e.g. `mixed (task_duration=2ms,
/// tasks=16, payload_bytes=1024)`. The workload's own parameters come first.
pub fn title_without(case: &CaseRecord, without: &[&str]) -> String {
    workload_title(
        &case.workload,
        case.params
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "workers" | "switch_interval"))
            .filter(|(k, _)| !without.contains(&k.as_str())),
    )
}

/// `workload (k=v, …)` with the workload's own parameters first, then the batch shape shared
/// by every workload (`tasks`, `payload_bytes`); just `workload` without parameters.
pub fn workload_title<'a>(
    workload: &str,
    params: impl Iterator<Item = (&'a String, &'a String)>,
) -> String {
    let mut params: Vec<(&String, &String)> = params.collect();
    params.sort_by_key(|(k, _)| match k.as_str() {
        "tasks" => 1,
        "payload_bytes" => 2,
        _ => 0,
    });
    if params.is_empty() {
        return workload.to_string();
    }
    let shown: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{workload} ({})", shown.join(", "))
}

/// The key of a family of groups that differ only in the parameters `without`: scenario,
/// workload and every other parameter.
fn family_key(case: &CaseRecord, without: &[&str]) -> String {
    format!("{}/{}", case.scenario, title_without(case, without))
}

/// A case's CPU fraction, if it has one.
pub fn cpu_fraction(case: &CaseRecord) -> Option<f64> {
    case.param_number("cpu_fraction").filter(|f| f.is_finite())
}

/// A case's task size in seconds: its `task_duration`, or its `iterations` turned into time
/// with the run's CPU calibration.
pub fn task_seconds(case: &CaseRecord, run: &RunRecord) -> Option<f64> {
    if case.params.contains_key("task_duration") {
        return case.param_number("task_duration");
    }
    let iterations = case.param_number("iterations")?;
    let rate = run.calibration.cpu_iterations_per_s;
    (rate.is_finite() && rate > 0.0).then(|| iterations / rate)
}

/// A case's payload per task, bytes.
pub fn payload_bytes(case: &CaseRecord) -> Option<u64> {
    case.param_bytes("payload_bytes")
}

/// Comparison groups in run order, each with its cases.
fn groups(run: &RunRecord) -> Vec<(&str, Vec<&CaseRecord>)> {
    let mut out: Vec<(&str, Vec<&CaseRecord>)> = Vec::new();
    for c in &run.cases {
        match out.iter_mut().find(|(g, _)| *g == c.group) {
            Some((_, cases)) => cases.push(c),
            None => out.push((&c.group, vec![c])),
        }
    }
    out
}

/// Sorted, deduplicated finite values.
fn axis(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut v: Vec<f64> = values.filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    v.dedup_by(|a, b| (*a - *b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1e-300));
    v
}

/// Index of `x` in an axis built by [`axis`].
fn position(axis: &[f64], x: f64) -> Option<usize> {
    axis.iter().position(|a| (a - x).abs() <= 1e-12 * a.abs().max(x.abs()).max(1e-300))
}

#[cfg(test)]
pub(crate) mod tests;
