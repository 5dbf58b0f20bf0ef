//! GIL penalty grids: over CPU fraction × workers, the speedup of one model divided by
//! another's — `gil` / `threads` (what the lock costs) and `processes:*` / `gil` (what leaving
//! the lock for processes gains) — for every family of groups that sweeps `cpu_fraction`.

use std::collections::BTreeSet;

use super::{GIL, THREADS, axis, cpu_fraction, family_key, position, processes_model};
use crate::results::{CaseRecord, CaseStatus, RunRecord, Speedup};

/// One cell: the two speedups and their ratio.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PenaltyCell {
    /// numerator speedup / denominator speedup (medians).
    pub ratio: f64,
    /// The numerator model's speedup.
    pub numerator: Speedup,
    /// The denominator model's speedup.
    pub denominator: Speedup,
    /// Whether the two intervals do not overlap (the ratio is clearly not 1).
    pub clear: bool,
}

/// A grid of speedup ratios over CPU fraction (columns) × workers (rows).
#[derive(Debug, Clone, PartialEq)]
pub struct PenaltyMap {
    /// Scenario name.
    pub scenario: String,
    /// Family key (scenario and workload without `cpu_fraction`), stable across runs.
    pub key: String,
    /// The workload without `cpu_fraction`, e.g. `mixed (task_duration=2ms, tasks=16, …)`.
    pub title: String,
    /// The model over the fraction bar.
    pub numerator: String,
    /// The model under the fraction bar.
    pub denominator: String,
    /// CPU fractions, ascending (the columns).
    pub fractions: Vec<f64>,
    /// Worker counts, ascending (the rows).
    pub workers: Vec<usize>,
    /// `cells[row][column]`; `None` where either model has no `ok` speedup.
    pub cells: Vec<Vec<Option<PenaltyCell>>>,
}

/// The penalty grids of a run, in run order: for each family of groups sweeping
/// `cpu_fraction` over two or more values, `gil / threads` when both were measured, then
/// `processes / gil` with the processes model measured most.
pub fn penalty_maps(run: &RunRecord) -> Vec<PenaltyMap> {
    let mut families: Vec<(String, Vec<&CaseRecord>)> = Vec::new();
    for c in run.cases.iter().filter(|c| cpu_fraction(c).is_some()) {
        let key = family_key(c, &["cpu_fraction"]);
        match families.iter_mut().find(|(k, _)| *k == key) {
            Some((_, cases)) => cases.push(c),
            None => families.push((key, vec![c])),
        }
    }
    let mut maps = Vec::new();
    for (key, cases) in families {
        let fractions = axis(cases.iter().filter_map(|c| cpu_fraction(c)));
        if fractions.len() < 2 {
            continue;
        }
        let has = |m: &str| cases.iter().any(|c| c.model == m);
        let mut pairs: Vec<(String, String)> = Vec::new();
        if has(GIL) && has(THREADS) {
            pairs.push((GIL.into(), THREADS.into()));
        }
        if has(GIL)
            && let Some(p) = processes_model(cases.iter().map(|c| c.model.as_str()))
        {
            pairs.push((p, GIL.into()));
        }
        for (numerator, denominator) in pairs {
            if let Some(map) = grid(&key, &cases, &fractions, &numerator, &denominator) {
                maps.push(map);
            }
        }
    }
    maps
}

fn usable(c: &CaseRecord) -> Option<Speedup> {
    let s = c.speedup?;
    (c.status == CaseStatus::Ok && s.median.is_finite() && s.median > 0.0).then_some(s)
}

fn grid(
    key: &str,
    cases: &[&CaseRecord],
    fractions: &[f64],
    numerator: &str,
    denominator: &str,
) -> Option<PenaltyMap> {
    let find = |model: &str, fraction: f64, workers: usize| {
        cases
            .iter()
            .filter(|c| c.model == model && c.workers == workers)
            .filter(|c| cpu_fraction(c).is_some_and(|f| position(&[fraction], f).is_some()))
            .find_map(|c| usable(c))
    };
    let workers: BTreeSet<usize> = cases
        .iter()
        .filter(|c| c.model == numerator && usable(c).is_some())
        .filter(|c| cpu_fraction(c).is_some_and(|f| find(denominator, f, c.workers).is_some()))
        .map(|c| c.workers)
        .collect();
    if workers.is_empty() {
        return None;
    }
    let workers: Vec<usize> = workers.into_iter().collect();
    let cells = workers
        .iter()
        .map(|&w| {
            fractions
                .iter()
                .map(|&f| {
                    let (n, d) = (find(numerator, f, w)?, find(denominator, f, w)?);
                    Some(PenaltyCell {
                        ratio: n.median / d.median,
                        numerator: n,
                        denominator: d,
                        clear: n.ci_low > d.ci_high || d.ci_low > n.ci_high,
                    })
                })
                .collect()
        })
        .collect();
    let first = cases.first()?;
    Some(PenaltyMap {
        scenario: first.scenario.clone(),
        key: key.to_string(),
        title: super::title_without(first, &["cpu_fraction"]),
        numerator: numerator.to_string(),
        denominator: denominator.to_string(),
        fractions: fractions.to_vec(),
        workers,
        cells,
    })
}
