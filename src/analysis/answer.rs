//! The answer table: one row per shape of work in the run (CPU-bound, each CPU fraction of mixed
//! work, each IO kind, each swept task size), each model family at its best case, the family to
//! pick (ties named as ties), the families to avoid, and what the GIL costs.
//!
//! Comparison groups of one shape in several scenarios are read together: each family's best
//! case over all of them. Where a shape's payload is swept, the row keeps the payload nearest
//! the run's most common one, so every row carries comparable data.

use super::{Best, GIL, SEQUENTIAL, THREADS, best_by_model, cpu_fraction, groups, payload_bytes};
use crate::results::{CaseRecord, RunRecord};

/// Families whose best medians are within this ratio of the leader's tie with it.
pub const TIE: f64 = 1.05;
/// A family this many times slower than the pick, with intervals apart, is one to avoid.
pub const AVOID: f64 = 1.25;

/// A family of execution models, one column of the answer table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Family {
    /// `threads`: OS threads without a global lock.
    FreeThreads,
    /// `gil`: threads under the modelled GIL.
    GilThreads,
    /// `processes:*` and `gil:processes`.
    Processes,
    /// `async:*`.
    Async,
}

impl Family {
    /// Every family, in column order.
    pub const ALL: [Family; 4] =
        [Family::FreeThreads, Family::GilThreads, Family::Processes, Family::Async];

    /// The family a model belongs to; `None` for `sequential` and unknown models.
    pub fn of(model: &str) -> Option<Family> {
        if model == THREADS {
            Some(Family::FreeThreads)
        } else if model == GIL {
            Some(Family::GilThreads)
        } else if model.starts_with("processes") || model == "gil:processes" {
            Some(Family::Processes)
        } else if model.starts_with("async") {
            Some(Family::Async)
        } else {
            None
        }
    }

    /// The family's name in the table: `free threads`, `GIL threads`, `processes`, `async`.
    pub fn name(self) -> &'static str {
        match self {
            Family::FreeThreads => "free threads",
            Family::GilThreads => "GIL threads",
            Family::Processes => "processes",
            Family::Async => "async",
        }
    }
}

/// What a row recommends.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// The fastest family's best (or the sequential baseline when nothing beats it), followed
    /// by every family within [`TIE`] of it, fastest first.
    pub pick: Vec<Best>,
    /// Families at least [`AVOID`] times slower than the leader with intervals clear of it,
    /// slowest first.
    pub avoid: Vec<Best>,
}

impl Choice {
    /// The fastest entry.
    pub fn leader(&self) -> &Best {
        &self.pick[0]
    }

    /// Whether several families tie.
    pub fn is_tie(&self) -> bool {
        self.pick.len() > 1
    }
}

/// One shape of work.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerRow {
    /// What the work is: `CPU-bound, 2ms tasks`, `mixed, 50 % CPU`, `IO sleep (2ms)`.
    pub shape: String,
    /// The comparison groups read for this row.
    pub groups: Vec<String>,
    /// The scenarios those groups come from, in run order.
    pub scenarios: Vec<String>,
    /// A case of the row (for its workload and parameters).
    pub sample: CaseRecord,
    /// Each family at its best model and worker count, in [`Family::ALL`] order; `None`
    /// where the family was not measured or did not succeed.
    pub families: Vec<(Family, Option<Best>)>,
    /// The sequential baseline succeeded in at least one group.
    pub has_baseline: bool,
    /// The recommendation; `None` without a baseline or without any family.
    pub choice: Option<Choice>,
    /// Free threads' best over GIL threads' best (median speedups): what the lock costs.
    pub gil_cost: Option<f64>,
}

impl AnswerRow {
    /// Whether the row's tasks sleep (`io-sleep`, or `mixed` with a CPU share below 1): under
    /// the async models every such sleep is tokio's, rounded up to the next millisecond.
    pub fn sleeps(&self) -> bool {
        match self.sample.workload.as_str() {
            "io-sleep" => true,
            "mixed" => self.sample.param_number("cpu_fraction").is_some_and(|f| f < 1.0),
            _ => false,
        }
    }

    /// The family's best, if measured.
    pub fn best(&self, family: Family) -> Option<&Best> {
        self.families.iter().find(|(f, _)| *f == family).and_then(|(_, b)| b.as_ref())
    }
}

/// Ordering and identity of a shape: (rank, CPU fraction, released share, task seconds,
/// workload, label).
type ShapeKey = (u8, i64, i64, i64, String, String);

/// Comparison groups with their cases.
type Members<'a> = Vec<(&'a str, Vec<&'a CaseRecord>)>;

fn shape_of(case: &CaseRecord, run: &RunRecord) -> Option<ShapeKey> {
    let task = super::task_seconds(case, run);
    let task_ns = task.map_or(0, |s| (s * 1e9).round() as i64);
    let shown_task = || case.params.get("task_duration").cloned();
    let (rank, fraction, label) = match case.workload.as_str() {
        _ if case.is_probe() => return None,
        "cpu" => (
            0,
            0,
            match shown_task() {
                Some(t) => format!("CPU-bound, {t} tasks"),
                None => "CPU-bound".to_string(),
            },
        ),
        "mixed" => {
            let f = cpu_fraction(case).unwrap_or(0.0);
            let pct = format!("{:.0} % CPU", f * 100.0);
            let label = match shown_task() {
                Some(t) => format!("mixed, {pct} of {t}"),
                None => format!("mixed, {pct}"),
            };
            // Most CPU first.
            (1, -((f * 1000.0).round() as i64), label)
        }
        "io-sleep" => (2, 0, with_param("IO sleep", case, "sleep")),
        "io-net" => (3, 0, with_param("IO network", case, "delay")),
        "io-file" => (4, 0, "IO file".to_string()),
        other => (5, 0, other.to_string()),
    };
    // CPU work partly done with the GIL released (a C extension's share) is a shape of its own.
    let released = super::released_fraction(case).filter(|r| *r > 0.0);
    let label = match released {
        Some(r) => format!("{label}, {:.0} % of it releasing the GIL", r * 100.0),
        None => label,
    };
    let released_permille = released.map_or(0, |r| (r * 1000.0).round() as i64);
    Some((rank, fraction, released_permille, task_ns, case.workload.clone(), label))
}

fn with_param(name: &str, case: &CaseRecord, key: &str) -> String {
    match case.params.get(key) {
        Some(v) => format!("{name} ({v})"),
        None => name.to_string(),
    }
}

/// The answer rows of a run, CPU-bound first, then mixed work by CPU fraction (most CPU
/// first), then IO; within a shape, by task size. A run without workload cases has none.
pub fn answer_rows(run: &RunRecord) -> Vec<AnswerRow> {
    let all = groups(run);
    let common = common_payload(run);
    let mut shapes: Vec<(ShapeKey, Members<'_>)> = Vec::new();
    for (group, cases) in all {
        let Some(key) = shape_of(cases[0], run) else { continue };
        match shapes.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push((group, cases)),
            None => shapes.push((key, vec![(group, cases)])),
        }
    }
    shapes.sort_by(|a, b| a.0.cmp(&b.0));
    shapes.into_iter().map(|(key, members)| row(key.5, nearest_payload(members, common))).collect()
}

/// The payload most groups of the run carry.
fn common_payload(run: &RunRecord) -> Option<u64> {
    let mut counts: Vec<(u64, usize)> = Vec::new();
    for (_, cases) in groups(run) {
        let Some(p) = payload_bytes(cases[0]) else { continue };
        match counts.iter_mut().find(|(q, _)| *q == p) {
            Some((_, n)) => *n += 1,
            None => counts.push((p, 1)),
        }
    }
    counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|(p, _)| p)
}

/// The members whose payload is nearest `common` (on a log scale); all when none has one.
fn nearest_payload<'a>(
    members: Vec<(&'a str, Vec<&'a CaseRecord>)>,
    common: Option<u64>,
) -> Vec<(&'a str, Vec<&'a CaseRecord>)> {
    let Some(common) = common else { return members };
    let distance = |p: u64| ((p as f64 + 1.0).ln() - (common as f64 + 1.0).ln()).abs();
    let best = members
        .iter()
        .filter_map(|(_, c)| payload_bytes(c[0]))
        .map(distance)
        .fold(f64::INFINITY, f64::min);
    if !best.is_finite() {
        return members;
    }
    members
        .into_iter()
        .filter(|(_, c)| payload_bytes(c[0]).is_none_or(|p| distance(p) <= best + 1e-9))
        .collect()
}

fn row(shape: String, members: Vec<(&str, Vec<&CaseRecord>)>) -> AnswerRow {
    let mut families: Vec<(Family, Option<Best>)> = Family::ALL.map(|f| (f, None)).to_vec();
    let mut has_baseline = false;
    let mut scenarios: Vec<String> = Vec::new();
    for (_, cases) in &members {
        if !scenarios.contains(&cases[0].scenario) {
            scenarios.push(cases[0].scenario.clone());
        }
        for best in best_by_model(cases) {
            if best.model == SEQUENTIAL {
                has_baseline = true;
                continue;
            }
            let Some(family) = Family::of(&best.model) else { continue };
            let slot = &mut families.iter_mut().find(|(f, _)| *f == family).expect("all").1;
            if slot.as_ref().is_none_or(|b| b.speedup.median < best.speedup.median) {
                *slot = Some(best);
            }
        }
    }
    let bests: Vec<Best> = families.iter().filter_map(|(_, b)| b.clone()).collect();
    let choice = has_baseline.then(|| choose(&bests)).flatten();
    let gil_cost = match (
        families[0].1.as_ref().map(|b| b.speedup.median),
        families[1].1.as_ref().map(|b| b.speedup.median),
    ) {
        (Some(free), Some(gil)) if gil > 0.0 => Some(free / gil),
        _ => None,
    };
    AnswerRow {
        shape,
        groups: members.iter().map(|(g, _)| g.to_string()).collect(),
        scenarios,
        sample: members[0].1[0].clone(),
        families,
        has_baseline,
        choice,
        gil_cost,
    }
}

/// The pick among the families' bests, with the sequential baseline (at exactly 1×) as a
/// candidate too: the leader and every family within [`TIE`] of it; and the families to avoid.
/// `None` when `bests` is empty.
pub fn choose(bests: &[Best]) -> Option<Choice> {
    if bests.is_empty() {
        return None;
    }
    let mut candidates: Vec<Best> = bests.to_vec();
    candidates.push(Best {
        model: SEQUENTIAL.into(),
        workers: 1,
        speedup: crate::results::Speedup::paired(1.0, 1.0, 1.0),
    });
    candidates.sort_by(|a, b| {
        b.speedup.median.total_cmp(&a.speedup.median).then_with(|| {
            // The baseline last among equals: a family at exactly 1× is still a choice.
            (a.model == SEQUENTIAL).cmp(&(b.model == SEQUENTIAL))
        })
    });
    let leader = candidates[0].clone();
    let pick: Vec<Best> = candidates
        .iter()
        .filter(|b| b.speedup.median * TIE >= leader.speedup.median)
        .filter(|b| b.model != SEQUENTIAL || pick_baseline(&leader))
        .cloned()
        .collect();
    let mut avoid: Vec<Best> = bests
        .iter()
        .filter(|b| {
            b.speedup.median * AVOID <= leader.speedup.median
                && leader.speedup.ci_low > b.speedup.ci_high
        })
        .cloned()
        .collect();
    avoid.sort_by(|a, b| a.speedup.median.total_cmp(&b.speedup.median));
    Some(Choice { pick, avoid })
}

/// The baseline stays among the picks only when running sequentially is as good as anything
/// (the leader is at most [`TIE`] above 1×).
fn pick_baseline(leader: &Best) -> bool {
    leader.speedup.median <= TIE
}
