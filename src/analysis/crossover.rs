//! The crossover map: over task size × payload, which model wins and by how much, and for each
//! payload the task size from which processes clearly beat GIL threads (the break-even point).

use super::{
    Best, GIL, axis, best_by_model, family_key, payload_bytes, position, processes_model,
    task_seconds,
};
use crate::results::{CaseRecord, RunRecord};

/// One cell: the models ranked by their best speedup.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossoverCell {
    /// Every model at its best worker count, fastest first (sequential at 1×).
    pub ranking: Vec<Best>,
    /// winner / runner-up median speedup (1 when only one model succeeded).
    pub margin: f64,
    /// Whether the winner's interval lies above the runner-up's.
    pub clear: bool,
}

impl CrossoverCell {
    /// The fastest model.
    pub fn winner(&self) -> &Best {
        &self.ranking[0]
    }

    /// The next fastest model, if any.
    pub fn runner_up(&self) -> Option<&Best> {
        self.ranking.get(1)
    }

    /// The best case of `model` in this cell.
    pub fn of(&self, model: &str) -> Option<&Best> {
        self.ranking.iter().find(|b| b.model == model)
    }
}

/// From which task size processes clearly beat GIL threads, for one payload.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BreakEven {
    /// From the task size at this column on (and at every larger size measured), but not
    /// at the column before it.
    From(usize),
    /// At every task size measured.
    Always,
    /// Not at the largest task size measured.
    Never,
    /// GIL threads or processes have no result at this payload.
    Unknown,
}

/// The winners over task size (columns) × payload (rows) for one family of groups.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossoverMap {
    /// Scenario name.
    pub scenario: String,
    /// Family key (scenario and workload without task size and payload), stable across runs.
    pub key: String,
    /// The workload without task size, payload and batch size, e.g. `cpu`.
    pub title: String,
    /// Task sizes in seconds, ascending (the columns).
    pub tasks: Vec<f64>,
    /// Payloads in bytes, ascending (the rows).
    pub payloads: Vec<u64>,
    /// `cells[row][column]`; `None` where no model succeeded.
    pub cells: Vec<Vec<Option<CrossoverCell>>>,
    /// The processes model compared with GIL threads, if one was measured.
    pub processes: Option<String>,
    /// Per payload row: where processes start to clearly beat GIL threads.
    pub break_even: Vec<BreakEven>,
}

/// The crossover maps of a run, in run order: one per family of groups that sweeps the task
/// size over two or more values and includes the `gil` model. Groups that differ only in task
/// size, payload and tasks per sample belong to one family.
pub fn crossover_maps(run: &RunRecord) -> Vec<CrossoverMap> {
    // `tasks` may shrink as tasks grow (so long tasks keep a sample short): the batch size is
    // not an axis of the map.
    const AXES: [&str; 4] = ["task_duration", "iterations", "payload_bytes", "tasks"];
    let mut families: Vec<(String, Vec<&CaseRecord>)> = Vec::new();
    for c in &run.cases {
        if task_seconds(c, run).is_none() || payload_bytes(c).is_none() {
            continue;
        }
        let key = family_key(c, &AXES);
        match families.iter_mut().find(|(k, _)| *k == key) {
            Some((_, cases)) => cases.push(c),
            None => families.push((key, vec![c])),
        }
    }
    families
        .into_iter()
        .filter(|(_, cases)| cases.iter().any(|c| c.model == GIL))
        .filter_map(|(key, cases)| map(run, key, &cases))
        .collect()
}

fn map(run: &RunRecord, key: String, cases: &[&CaseRecord]) -> Option<CrossoverMap> {
    let tasks = axis(cases.iter().filter_map(|c| task_seconds(c, run)));
    if tasks.len() < 2 {
        return None;
    }
    let payloads: Vec<u64> = {
        let mut p: Vec<u64> = cases.iter().filter_map(|c| payload_bytes(c)).collect();
        p.sort_unstable();
        p.dedup();
        p
    };
    let cells: Vec<Vec<Option<CrossoverCell>>> = payloads
        .iter()
        .map(|&p| {
            tasks
                .iter()
                .map(|&t| {
                    let here: Vec<&CaseRecord> = cases
                        .iter()
                        .copied()
                        .filter(|c| payload_bytes(c) == Some(p))
                        .filter(|c| {
                            task_seconds(c, run).is_some_and(|s| position(&[t], s).is_some())
                        })
                        .collect();
                    cell(&here)
                })
                .collect()
        })
        .collect();
    let processes = processes_model(cases.iter().map(|c| c.model.as_str()));
    let break_even = cells
        .iter()
        .map(|row| match &processes {
            Some(p) => break_even(row, p),
            None => BreakEven::Unknown,
        })
        .collect();
    let first = cases.first()?;
    Some(CrossoverMap {
        scenario: first.scenario.clone(),
        key,
        title: super::title_without(
            first,
            &["task_duration", "iterations", "payload_bytes", "tasks"],
        ),
        tasks,
        payloads,
        cells,
        processes,
        break_even,
    })
}

/// Ranks the models of one group; `None` when nothing succeeded.
pub(crate) fn cell(cases: &[&CaseRecord]) -> Option<CrossoverCell> {
    let ranking = best_by_model(cases);
    let winner = ranking.first()?;
    let (margin, clear) = match ranking.get(1) {
        Some(next) => (winner.speedup.median / next.speedup.median, winner.clearly_beats(next)),
        None => (1.0, false),
    };
    Some(CrossoverCell { ranking, margin, clear })
}

/// Where, along one payload row (task sizes ascending), `processes` starts to clearly beat
/// GIL threads and stays ahead at every larger size with both results.
pub(crate) fn break_even(row: &[Option<CrossoverCell>], processes: &str) -> BreakEven {
    let wins: Vec<(usize, bool)> = row
        .iter()
        .enumerate()
        .filter_map(|(i, cell)| {
            let cell = cell.as_ref()?;
            let (p, g) = (cell.of(processes)?, cell.of(GIL)?);
            Some((i, p.clearly_beats(g)))
        })
        .collect();
    let Some(&(_, last)) = wins.last() else { return BreakEven::Unknown };
    if !last {
        return BreakEven::Never;
    }
    let start = wins.iter().rposition(|(_, won)| !won).map(|k| k + 1).unwrap_or(0);
    if start == 0 { BreakEven::Always } else { BreakEven::From(wins[start].0) }
}
