//! CPU work that releases the GIL: for every family of groups that sweeps `released_fraction`
//! (the share of the CPU work done with the lock released, as a C extension computes), GIL
//! threads, free threads and processes at their best worker count over CPU fraction × released
//! fraction. A group of the family without the key stands for released fraction 0.

use super::{Best, GIL, THREADS, best_by_model, cpu_fraction, groups, processes_model};
use crate::results::{CaseRecord, RunRecord};

/// The processes model a Python user would use: each worker under its own GIL.
pub const GIL_PROCESSES: &str = "gil:processes";

/// One point: a CPU fraction and a released fraction, each model at its best worker count.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleasedCell {
    /// Share of the task spent computing (1 for a `cpu` workload).
    pub cpu_fraction: f64,
    /// Share of that CPU work done with the lock released.
    pub released_fraction: f64,
    /// GIL threads at their best worker count.
    pub gil: Best,
    /// Free threads at their best worker count.
    pub threads: Option<Best>,
    /// `gil:processes` (else the `processes:*` model measured most) at its best worker count.
    pub processes: Option<Best>,
}

/// The cells of one family, ordered by CPU fraction, then released fraction.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleasedMap {
    /// Scenario name.
    pub scenario: String,
    /// The workload without `cpu_fraction` and `released_fraction`.
    pub title: String,
    /// CPU fractions, ascending.
    pub cpu_fractions: Vec<f64>,
    /// Released fractions, ascending (0 included when a group without the key was measured).
    pub released_fractions: Vec<f64>,
    /// Every measured point.
    pub cells: Vec<ReleasedCell>,
}

impl ReleasedMap {
    /// The cell at one CPU fraction and released fraction.
    pub fn cell(&self, cpu: f64, released: f64) -> Option<&ReleasedCell> {
        self.cells.iter().find(|c| c.cpu_fraction == cpu && c.released_fraction == released)
    }
}

/// A case's released fraction: its `released_fraction`, 0 when the key is absent from a
/// workload that could take it (`cpu`, `mixed`); `None` for other workloads.
pub fn released_fraction(case: &CaseRecord) -> Option<f64> {
    match case.params.get("released_fraction") {
        Some(_) => case.param_number("released_fraction").filter(|f| f.is_finite()),
        None if matches!(case.workload.as_str(), "cpu" | "mixed") => Some(0.0),
        None => None,
    }
}

/// The released-fraction maps of a run, in run order: one per family of groups (scenario and
/// workload without the two fractions) where `gil` was measured at two or more released
/// fractions.
pub fn released_maps(run: &RunRecord) -> Vec<ReleasedMap> {
    let mut families: Vec<(String, ReleasedMap)> = Vec::new();
    for (_, cases) in groups(run) {
        let first = cases[0];
        let Some(released) = released_fraction(first) else { continue };
        let cpu = match first.workload.as_str() {
            "cpu" => 1.0,
            _ => match cpu_fraction(first) {
                Some(f) => f,
                None => continue,
            },
        };
        let ranking = best_by_model(&cases);
        let Some(gil) = ranking.iter().find(|b| b.model == GIL).cloned() else { continue };
        let threads = ranking.iter().find(|b| b.model == THREADS).cloned();
        let processes = ranking.iter().find(|b| b.model == GIL_PROCESSES).cloned().or_else(|| {
            processes_model(ranking.iter().map(|b| b.model.as_str()))
                .and_then(|p| ranking.iter().find(|b| b.model == p).cloned())
        });
        let without = ["cpu_fraction", "released_fraction"];
        let key = super::family_key(first, &without);
        let cell = ReleasedCell {
            cpu_fraction: cpu,
            released_fraction: released,
            gil,
            threads,
            processes,
        };
        match families.iter_mut().find(|(k, _)| *k == key) {
            Some((_, map)) => map.cells.push(cell),
            None => families.push((
                key,
                ReleasedMap {
                    scenario: first.scenario.clone(),
                    title: super::title_without(first, &without),
                    cpu_fractions: Vec::new(),
                    released_fractions: Vec::new(),
                    cells: vec![cell],
                },
            )),
        }
    }
    families
        .into_iter()
        .filter_map(|(_, mut map)| {
            map.cpu_fractions = super::axis(map.cells.iter().map(|c| c.cpu_fraction));
            map.released_fractions = super::axis(map.cells.iter().map(|c| c.released_fraction));
            map.cells.sort_by(|a, b| {
                a.cpu_fraction
                    .total_cmp(&b.cpu_fraction)
                    .then(a.released_fraction.total_cmp(&b.released_fraction))
            });
            (map.released_fractions.len() >= 2).then_some(map)
        })
        .collect()
}
