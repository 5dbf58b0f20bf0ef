//! What a Python user pays that gilbench's Rust units do not, measured on both sides: a
//! multiprocessing Pool's cost per task against one `processes:fork` unit's, and how long a
//! short sleep really takes under asyncio and under the async models (tokio's timer rounds a
//! sleep up to the next whole millisecond).

use crate::results::cpython::CpythonRecord;
use crate::results::{CaseStatus, RunRecord};

/// Per-task and per-sleep costs beside each other; each `None` where a side did not measure it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PythonCosts {
    /// An empty task through a one-worker multiprocessing Pool, seconds.
    pub pool_task_s: Option<f64>,
    /// An empty task through one `processes:fork` unit (run.json's harness overhead), seconds.
    pub fork_task_s: Option<f64>,
    /// asyncio: (requested, taken) seconds of one sleep.
    pub asyncio_sleep: Option<(f64, f64)>,
    /// The async models: (requested, taken) seconds of one sleep, from the run's `io-sleep`
    /// cases under `async:current` with one task at a time.
    pub tokio_sleep: Option<(f64, f64)>,
}

/// What one sleep takes under the async models: (requested, taken) seconds, from the run's
/// `io-sleep` cases under `async:current` with one task at a time; `None` without such a case.
pub fn async_sleep(run: &RunRecord) -> Option<(f64, f64)> {
    run.cases
        .iter()
        .filter(|c| {
            c.status == CaseStatus::Ok
                && c.workload == "io-sleep"
                && c.model == "async:current"
                && c.workers == 1
                && c.tasks > 0
        })
        .find_map(|c| {
            let sleep = c.param_number("sleep")?;
            Some((sleep, c.summary?.median / c.tasks as f64))
        })
}

/// The costs of `run` and `peer` side by side.
pub fn python_costs(run: &RunRecord, peer: &CpythonRecord) -> PythonCosts {
    PythonCosts {
        pool_task_s: peer.pool_task_overhead_s,
        fork_task_s: run.overhead.empty_task_ns.get("processes:fork").map(|ns| ns * 1e-9),
        asyncio_sleep: peer.asyncio_sleep_requested_s.zip(peer.asyncio_sleep_actual_s),
        tokio_sleep: async_sleep(run),
    }
}
