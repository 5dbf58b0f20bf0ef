//! Several interpreters measured in one calibrate call, side by side: each one's threads
//! speedup at every shared point beside gilbench's `gil` and `threads`, and what a
//! free-threaded build costs one thread against a GIL build of the same version.

use crate::results::RunRecord;
use crate::results::cpython::{CpythonRecord, PeerStatus};

use super::{PairSummary, Point, compare, model_speedups};

/// One shape at one worker count, every side's threads speedup.
#[derive(Debug, Clone, PartialEq)]
pub struct SideRow {
    /// The shape's title (`cpu (task_duration=2ms, …)`).
    pub shape: String,
    /// Worker count.
    pub workers: usize,
    /// gilbench's `gil` speedup.
    pub gil: Option<f64>,
    /// gilbench's `threads` speedup.
    pub threads: Option<f64>,
    /// Each interpreter's `cpython:threads` speedup, in the order of [`SideBySide::labels`].
    pub cpython: Vec<Option<f64>>,
}

/// The interpreters' threads beside the models.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SideBySide {
    /// Each interpreter's [`CpythonRecord::label`].
    pub labels: Vec<String>,
    /// Whether each interpreter ran without a GIL (compared with `threads`).
    pub free: Vec<bool>,
    /// Each interpreter's threads against the model that stands for them, over every shape.
    pub threads: Vec<Option<PairSummary>>,
    /// Shapes in the first interpreter's order (then any only a later one measured), worker
    /// counts ascending; 1 worker left out (every speedup there is about 1).
    pub rows: Vec<SideRow>,
}

/// `peers`' threads speedups side by side with gilbench's `gil` and `threads` on `run`.
pub fn side_by_side(run: &RunRecord, peers: &[CpythonRecord]) -> SideBySide {
    let ours = model_speedups(run);
    let comparisons: Vec<_> = peers.iter().map(|p| compare(run, p)).collect();
    let mut rows: Vec<SideRow> = Vec::new();
    for (i, cmp) in comparisons.iter().enumerate() {
        for shape in &cmp.shapes {
            let threads = shape.pairs.iter().find(|pc| pc.pair.cpython == "cpython:threads");
            for p in threads.map(|pc| pc.points.as_slice()).unwrap_or_default() {
                let Some(speedup) = p.cpython else { continue };
                if p.workers == 1 {
                    continue;
                }
                let title = shape.title();
                let at = rows.iter().position(|r| r.shape == title && r.workers == p.workers);
                let row = match at {
                    Some(at) => &mut rows[at],
                    None => {
                        let mine =
                            |m: &str| ours.get(&(shape.key.clone(), m.to_string(), p.workers));
                        rows.push(SideRow {
                            shape: title,
                            workers: p.workers,
                            gil: mine("gil").copied(),
                            threads: mine("threads").copied(),
                            cpython: vec![None; peers.len()],
                        });
                        rows.last_mut().expect("invariant: just pushed")
                    }
                };
                row.cpython[i] = Some(speedup);
            }
        }
    }
    SideBySide {
        labels: peers.iter().map(CpythonRecord::label).collect(),
        free: peers.iter().map(CpythonRecord::free_threaded).collect(),
        threads: comparisons
            .iter()
            .map(|cmp| cmp.summaries().into_iter().find(|s| s.pair.cpython == "cpython:threads"))
            .collect(),
        rows,
    }
}

impl SideRow {
    /// Whether interpreter `i`'s speedup is off the model that stands for it (`threads` for a
    /// build without a GIL, else `gil`) by more than the agreement margin; `None` where one
    /// side was not measured.
    pub fn agrees(&self, i: usize, free: bool) -> Option<bool> {
        let model = if free { self.threads } else { self.gil };
        Point { workers: self.workers, model, cpython: *self.cpython.get(i)? }.agrees()
    }
}

/// A free-threaded build's cost to one thread, against a GIL build of the same version.
#[derive(Debug, Clone, PartialEq)]
pub struct SingleThreadCost {
    /// The free-threaded build's label.
    pub free: String,
    /// The GIL build's label.
    pub gil: String,
    /// Seconds per pure-Python kernel iteration on one thread, free-threaded build.
    pub free_s: f64,
    /// The same on the GIL build.
    pub gil_s: f64,
    /// Where the figures come from, in words.
    pub source: &'static str,
}

impl SingleThreadCost {
    /// The free-threaded build's time over the GIL build's (above 1: slower).
    pub fn slowdown(&self) -> f64 {
        self.free_s / self.gil_s
    }
}

/// What the call measured of free-threaded builds.
#[derive(Debug, Clone, PartialEq)]
pub enum FreeThreading {
    /// No free-threaded build among the interpreters.
    NoneMeasured,
    /// Free-threaded builds, each with its single-thread cost where a GIL build of the same
    /// version was measured too (labels of those without one in `unpaired`).
    Measured {
        /// Costs against a GIL build of the same version.
        costs: Vec<SingleThreadCost>,
        /// Free-threaded builds without a GIL build of their version beside them.
        unpaired: Vec<String>,
    },
}

/// One thread's time per kernel iteration from the plain cpu shape's `cpython:threads` at one
/// worker (the 1-worker time over the iterations it ran); `None` where it was not measured.
fn one_thread_s(peer: &CpythonRecord) -> Option<f64> {
    peer.cases.iter().find_map(|c| {
        let plain = c.workload == "cpu" && c.hash_bytes == 0;
        if !(plain && c.model == "cpython:threads" && c.workers == 1) {
            return None;
        }
        let median = c.median.filter(|_| c.status == PeerStatus::Ok)?;
        let iterations = c.iterations.checked_mul(c.tasks as u64).filter(|n| *n > 0)?;
        Some(median / iterations as f64)
    })
}

/// The free-threaded builds among `peers` and their single-thread cost.
pub fn free_threading(peers: &[CpythonRecord]) -> FreeThreading {
    let free: Vec<&CpythonRecord> =
        peers.iter().filter(|p| p.gil_disabled_build == Some(true)).collect();
    if free.is_empty() {
        return FreeThreading::NoneMeasured;
    }
    let mut costs = Vec::new();
    let mut unpaired = Vec::new();
    for f in free {
        let gil = peers
            .iter()
            .find(|g| g.gil_disabled_build != Some(true) && g.minor_version() == f.minor_version());
        match gil {
            Some(g) if f.cpu_iterations_per_s > 0.0 && g.cpu_iterations_per_s > 0.0 => {
                // Both sides from the same source: the measured task where both have it,
                // else both peers' kernel calibration.
                let (free_s, gil_s, source) = match (one_thread_s(f), one_thread_s(g)) {
                    (Some(a), Some(b)) => {
                        (a, b, "one thread's time per iteration of the pure-Python cpu task")
                    }
                    _ => (
                        1.0 / f.cpu_iterations_per_s,
                        1.0 / g.cpu_iterations_per_s,
                        "the peer's single-thread kernel calibration",
                    ),
                };
                costs.push(SingleThreadCost {
                    free: f.label(),
                    gil: g.label(),
                    free_s,
                    gil_s,
                    source,
                });
            }
            _ => unpaired.push(f.label()),
        }
    }
    FreeThreading::Measured { costs, unpaired }
}
