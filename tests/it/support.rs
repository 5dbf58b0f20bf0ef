//! Shared helpers: the worker executable, an environment for executors, task batches.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use gilbench::exec::{self, ExecEnv, Model};
use gilbench::work::{Task, WorkSpec, make_input};

pub(crate) fn exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_gilbench"))
}

pub(crate) fn env() -> ExecEnv {
    ExecEnv { worker_exe: exe(), cancel: Arc::new(AtomicBool::new(false)) }
}

pub(crate) fn tasks(n: u64, payload: usize) -> Vec<Task> {
    (0..n).map(|i| Task { index: i, input: make_input(i, payload) }).collect()
}

/// Best wall time of `rounds` batches of `tasks` through `model` with `workers` units, and
/// the batch checksum (asserted equal across rounds).
pub(crate) fn best_of(
    model: Model,
    workers: usize,
    spec: &WorkSpec,
    tasks: &[Task],
    rounds: usize,
) -> (Duration, u64) {
    let mut ex = exec::build(model, workers, spec, &env()).expect("executor starts");
    let mut best = Duration::MAX;
    let mut sum = None;
    for _ in 0..rounds {
        let b = ex.run_batch(tasks, Instant::now() + Duration::from_secs(60)).expect("batch runs");
        assert_eq!(b.completed, tasks.len() as u64);
        assert_eq!(
            *sum.get_or_insert(b.checksum),
            b.checksum,
            "{model} {workers} {spec:?}: checksum unstable across batches"
        );
        best = best.min(b.wall);
    }
    (best, sum.expect("invariant: at least one round"))
}

static MACHINE: std::sync::RwLock<()> = std::sync::RwLock::new(());

/// Held by tests that compare timings: no other test of this binary runs meanwhile.
pub(crate) fn exclusive() -> std::sync::RwLockWriteGuard<'static, ()> {
    MACHINE.write().unwrap_or_else(|e| e.into_inner())
}

/// Held by tests that load the CPU but compare no timings.
pub(crate) fn shared() -> std::sync::RwLockReadGuard<'static, ()> {
    MACHINE.read().unwrap_or_else(|e| e.into_inner())
}
