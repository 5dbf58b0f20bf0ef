//! gilbench's models against real CPython (`cpython.json`): speedups matched by workload
//! shape and worker count, the model's error at each point, and the GIL's shape checks
//! (CPU-bound threads gain nothing, IO-bound threads scale). Pure: nothing here runs a
//! process or prints; `plot` and `report` draw and say what it returns.

mod costs;
mod interpreters;
mod shape;

pub use costs::{PythonCosts, async_sleep, python_costs};
pub use interpreters::{
    FreeThreading, SideBySide, SideRow, SingleThreadCost, free_threading, side_by_side,
};
pub use shape::{Character, Claim, Reference, ShapeCheck, check_shape};

use std::collections::BTreeMap;

use crate::results::cpython::{CpythonRecord, PeerCase, PeerStatus, shape_key, shape_params};
use crate::results::{CaseStatus, RunRecord};

/// A point agrees when the model's speedup is within this share of CPython's (either way).
pub const AGREEMENT: f64 = 0.10;

/// CPU-bound threads "gain nothing over one thread" when none is faster than one thread by more
/// than this factor.
pub const NO_GAIN_MAX: f64 = 1.15;

/// IO-bound threads "scale" when, at the largest worker count, they are faster than one thread
/// by this share of the ideal `min(workers, tasks)` (and by 1.5× at least).
pub const SCALING_SHARE: f64 = 0.5;

/// A gilbench model set beside the CPython model it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    /// The gilbench model.
    pub model: &'static str,
    /// The CPython model.
    pub cpython: &'static str,
}

/// The comparisons made: the GIL model against real threads, free threads and processes
/// against real processes (what CPython needs for parallel CPU work), async against asyncio.
pub const PAIRS: [Pair; 4] = [
    Pair { model: "gil", cpython: "cpython:threads" },
    Pair { model: "threads", cpython: "cpython:processes" },
    Pair { model: "processes:fork", cpython: "cpython:processes" },
    Pair { model: "async:current", cpython: "cpython:asyncio" },
];

/// The comparisons made for a free-threaded build (the GIL off): its threads run in parallel,
/// so they stand beside gilbench's free `threads`, not the GIL model.
pub const FREE_THREADED_PAIRS: [Pair; 4] = [
    Pair { model: "threads", cpython: "cpython:threads" },
    Pair { model: "threads", cpython: "cpython:processes" },
    Pair { model: "processes:fork", cpython: "cpython:processes" },
    Pair { model: "async:current", cpython: "cpython:asyncio" },
];

/// The pairs that fit the interpreter: [`FREE_THREADED_PAIRS`] when it ran without a GIL,
/// else [`PAIRS`].
pub fn pairs_for(peer: &CpythonRecord) -> &'static [Pair; 4] {
    if peer.free_threaded() { &FREE_THREADED_PAIRS } else { &PAIRS }
}

/// How a CPython model is named in sentences (`CPython threads`).
pub fn cpython_label(model: &str) -> String {
    match model.strip_prefix("cpython:") {
        Some(rest) => format!("CPython {rest}"),
        None => model.to_string(),
    }
}

/// How far a ratio of speedups is from 1, the same either way: 1.1 and 1/1.1 are both 10% off.
pub fn ratio_error(ratio: f64) -> f64 {
    if ratio >= 1.0 { ratio - 1.0 } else { 1.0 / ratio - 1.0 }
}

/// The two speedups at one worker count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Worker count.
    pub workers: usize,
    /// gilbench's speedup against its sequential baseline.
    pub model: Option<f64>,
    /// CPython's speedup against its sequential baseline.
    pub cpython: Option<f64>,
}

impl Point {
    /// Model speedup / CPython speedup, when both were measured.
    pub fn ratio(&self) -> Option<f64> {
        match (self.model, self.cpython) {
            (Some(m), Some(c)) if m > 0.0 && c > 0.0 => Some(m / c),
            _ => None,
        }
    }

    /// [`ratio_error`] of [`Point::ratio`].
    pub fn error(&self) -> Option<f64> {
        self.ratio().map(ratio_error)
    }

    /// Whether the point is within [`AGREEMENT`].
    pub fn agrees(&self) -> Option<bool> {
        self.error().map(|e| e <= AGREEMENT + 1e-12)
    }
}

/// One pair over one shape's worker grid.
#[derive(Debug, Clone, PartialEq)]
pub struct PairComparison {
    /// The pair.
    pub pair: Pair,
    /// Points ascending by workers (any side may be missing).
    pub points: Vec<Point>,
}

impl PairComparison {
    /// Points where both sides were measured.
    pub fn compared(&self) -> impl Iterator<Item = &Point> {
        self.points.iter().filter(|p| p.ratio().is_some())
    }

    /// The largest [`ratio_error`] over the compared points.
    pub fn max_error(&self) -> Option<f64> {
        self.compared().filter_map(Point::error).reduce(f64::max)
    }
}

/// Everything compared for one workload shape.
#[derive(Debug, Clone, PartialEq)]
pub struct ShapeComparison {
    /// [`shape_key`].
    pub key: String,
    /// Workload name.
    pub workload: String,
    /// Parameters without `workers` and `switch_interval`.
    pub params: BTreeMap<String, String>,
    /// Tasks per batch.
    pub tasks: usize,
    /// CPU-bound, IO-bound or mixed.
    pub character: Character,
    /// Worker counts of either side, ascending.
    pub workers: Vec<usize>,
    /// One comparison per entry of [`Comparison::pairs`].
    pub pairs: Vec<PairComparison>,
    /// The shape checks that apply (none for a mixed shape).
    pub checks: Vec<ShapeCheck>,
}

impl ShapeComparison {
    /// A title: the workload and its parameters, e.g. `cpu (task_duration=2ms, tasks=16, ...)`.
    pub fn title(&self) -> String {
        let mut params: Vec<(&String, &String)> = self.params.iter().collect();
        params.sort_by_key(|(k, _)| match k.as_str() {
            "tasks" => 1,
            "payload_bytes" => 2,
            _ => 0,
        });
        let shown: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        if shown.is_empty() {
            self.workload.clone()
        } else {
            format!("{} ({})", self.workload, shown.join(", "))
        }
    }

    /// Distinct speedup series (model, points ascending by workers) in drawing order: each
    /// gilbench model of the pairs followed by the CPython model it is compared with.
    pub fn series(&self) -> Vec<(&'static str, Vec<(usize, f64)>)> {
        let mut out: Vec<(&'static str, Vec<(usize, f64)>)> = Vec::new();
        for pc in &self.pairs {
            for (name, cpython) in [(pc.pair.model, false), (pc.pair.cpython, true)] {
                if out.iter().any(|(n, _)| *n == name) {
                    continue;
                }
                let pts: Vec<(usize, f64)> = pc
                    .points
                    .iter()
                    .filter_map(|p| {
                        let s = if cpython { p.cpython } else { p.model };
                        s.map(|s| (p.workers, s))
                    })
                    .collect();
                if !pts.is_empty() {
                    out.push((name, pts));
                }
            }
        }
        out
    }
}

/// A run compared with the peer, shape by shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The pairs compared ([`pairs_for`] the interpreter).
    pub pairs: &'static [Pair; 4],
    /// Shapes the peer measured, in its order.
    pub shapes: Vec<ShapeComparison>,
}

/// How one pair fared over every shape.
#[derive(Debug, Clone, PartialEq)]
pub struct PairSummary {
    /// The pair.
    pub pair: Pair,
    /// Points with both sides measured.
    pub compared: usize,
    /// Of those, the points within [`AGREEMENT`].
    pub agreeing: usize,
    /// The worst point: shape title, workers, ratio.
    pub worst: Option<(String, usize, f64)>,
}

impl Comparison {
    /// Per pair, agreement over every shape.
    pub fn summaries(&self) -> Vec<PairSummary> {
        self.pairs
            .iter()
            .map(|&pair| {
                let mut compared = 0;
                let mut agreeing = 0;
                let mut worst: Option<(String, usize, f64)> = None;
                for shape in &self.shapes {
                    for pc in shape.pairs.iter().filter(|pc| pc.pair == pair) {
                        for p in pc.compared() {
                            let (Some(r), Some(e)) = (p.ratio(), p.error()) else { continue };
                            compared += 1;
                            if p.agrees() == Some(true) {
                                agreeing += 1;
                            }
                            if worst.as_ref().is_none_or(|(_, _, wr)| ratio_error(*wr) < e) {
                                worst = Some((shape.title(), p.workers, r));
                            }
                        }
                    }
                }
                PairSummary { pair, compared, agreeing, worst }
            })
            .collect()
    }

    /// Every shape check of every shape.
    pub fn checks(&self) -> impl Iterator<Item = &ShapeCheck> {
        self.shapes.iter().flat_map(|s| s.checks.iter())
    }
}

/// gilbench's speedups by (shape key, model, workers): each ok case's against its own
/// sequential baseline; when a run holds a shape in several scenarios, the first case wins.
pub fn model_speedups(run: &RunRecord) -> BTreeMap<(String, String, usize), f64> {
    let mut ours = BTreeMap::new();
    for c in &run.cases {
        let Some(s) = c.speedup else { continue };
        if c.status != CaseStatus::Ok || !(s.median.is_finite() && s.median > 0.0) {
            continue;
        }
        ours.entry((shape_key(&c.workload, &c.params), c.model.clone(), c.workers))
            .or_insert(s.median);
    }
    ours
}

/// Compares `run` with the peer's `cpython` record (with the pairs that fit it, see
/// [`pairs_for`]).
///
/// Shapes are matched by [`shape_key`]; gilbench's speedups are the run's own (against its
/// sequential baseline), CPython's are `cpython:sequential`'s median over each model's median
/// for the same shape. When a run holds a shape in several scenarios, the first case wins.
pub fn compare(run: &RunRecord, cpython: &CpythonRecord) -> Comparison {
    let pairs = pairs_for(cpython);
    let ours = model_speedups(run);
    // CPython: medians by (shape, model, workers).
    let mut medians: BTreeMap<(String, String, usize), f64> = BTreeMap::new();
    let mut order: Vec<(String, &PeerCase)> = Vec::new();
    for c in &cpython.cases {
        let key = shape_key(&c.workload, &c.params);
        if !order.iter().any(|(k, _)| *k == key) {
            order.push((key.clone(), c));
        }
        if c.status != PeerStatus::Ok {
            continue;
        }
        if let Some(m) = c.median.filter(|m| m.is_finite() && *m > 0.0) {
            medians.entry((key, c.model.clone(), c.workers)).or_insert(m);
        }
    }
    let shapes = order
        .into_iter()
        .map(|(key, first)| {
            let baseline =
                medians.get(&(key.clone(), "cpython:sequential".to_string(), 1)).copied();
            let theirs = |model: &str, w: usize| {
                let m = medians.get(&(key.clone(), model.to_string(), w))?;
                baseline.map(|b| b / m)
            };
            let mine =
                |model: &str, w: usize| ours.get(&(key.clone(), model.to_string(), w)).copied();
            let mut workers: Vec<usize> = medians
                .keys()
                .chain(ours.keys())
                .filter(|(k, m, _)| *k == key && m != "sequential" && m != "cpython:sequential")
                .map(|(_, _, w)| *w)
                .collect();
            workers.sort_unstable();
            workers.dedup();
            let pairs: Vec<PairComparison> = pairs
                .iter()
                .map(|&pair| PairComparison {
                    pair,
                    points: workers
                        .iter()
                        .map(|&w| Point {
                            workers: w,
                            model: mine(pair.model, w),
                            cpython: theirs(pair.cpython, w),
                        })
                        .filter(|p| p.model.is_some() || p.cpython.is_some())
                        .collect(),
                })
                .collect();
            let character = Character::of(&first.workload, &first.params);
            let claim = match character {
                Character::CpuBound => Some(Claim::NoGain),
                Character::IoBound => Some(Claim::Scales),
                Character::Mixed => None,
            };
            let checks = claim
                .map(|claim| {
                    // A free-threaded build's threads are meant to gain on CPU-bound work:
                    // the "no gain" claim is the GIL's alone.
                    let free = cpython.free_threaded() && claim == Claim::NoGain;
                    ["cpython:threads", "gil"]
                        .iter()
                        .filter(|&&model| !(free && model == "cpython:threads"))
                        .map(|&model| {
                            let pts: Vec<(usize, f64)> = workers
                                .iter()
                                .filter_map(|&w| {
                                    let s = if model == "gil" {
                                        mine(model, w)
                                    } else {
                                        theirs(model, w)
                                    };
                                    s.map(|s| (w, s))
                                })
                                .collect();
                            check_shape(model, claim, &pts, first.tasks)
                        })
                        .collect()
                })
                .unwrap_or_default();
            ShapeComparison {
                key,
                workload: first.workload.clone(),
                params: shape_params(&first.params),
                tasks: first.tasks,
                character,
                workers,
                pairs,
                checks,
            }
        })
        .collect();
    Comparison { pairs, shapes }
}

#[cfg(test)]
mod tests;
