//! The GIL question per comparison group: GIL threads at their best worker count against free
//! threads and against processes, with the ratios the report words as a verdict.

use super::{Best, GIL, THREADS, best_by_model, cpu_fraction, groups, processes_model};
use crate::results::RunRecord;

/// One group where GIL threads were measured.
#[derive(Debug, Clone, PartialEq)]
pub struct GilPoint {
    /// Scenario name.
    pub scenario: String,
    /// Comparison group key.
    pub group: String,
    /// Workload name.
    pub workload: String,
    /// The group's workload and parameters.
    pub title: String,
    /// The workload without `cpu_fraction`: groups sharing it form one sweep.
    pub family: String,
    /// The group's CPU fraction, if the workload has one.
    pub cpu_fraction: Option<f64>,
    /// The task duration in seconds, if the workload has one.
    pub task_s: Option<f64>,
    /// GIL threads at their best worker count.
    pub gil: Best,
    /// Free threads at their best worker count.
    pub threads: Option<Best>,
    /// The processes model at its best worker count.
    pub processes: Option<Best>,
    /// processes / GIL threads (median speedups).
    pub processes_over_gil: Option<f64>,
    /// free threads / GIL threads (median speedups): what the lock costs.
    pub threads_over_gil: Option<f64>,
}

/// Every group with an `ok` GIL result, in run order.
pub fn gil_points(run: &RunRecord) -> Vec<GilPoint> {
    let mut out = Vec::new();
    for (group, cases) in groups(run) {
        let ranking = best_by_model(&cases);
        let Some(gil) = ranking.iter().find(|b| b.model == GIL).cloned() else { continue };
        let threads = ranking.iter().find(|b| b.model == THREADS).cloned();
        let processes = processes_model(ranking.iter().map(|b| b.model.as_str()))
            .and_then(|p| ranking.iter().find(|b| b.model == p).cloned());
        let first = cases[0];
        out.push(GilPoint {
            scenario: first.scenario.clone(),
            group: group.to_string(),
            workload: first.workload.clone(),
            title: super::title_without(first, &[]),
            family: super::family_key(first, &["cpu_fraction"]),
            cpu_fraction: cpu_fraction(first),
            task_s: first.param_number("task_duration"),
            processes_over_gil: processes.as_ref().map(|p| p.speedup.median / gil.speedup.median),
            threads_over_gil: threads.as_ref().map(|t| t.speedup.median / gil.speedup.median),
            gil,
            threads,
            processes,
        });
    }
    out
}
