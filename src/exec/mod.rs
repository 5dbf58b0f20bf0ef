//! How units run: the execution models behind one `Executor` trait.
//!
//! An executor is built once per case (setup: threads, worker processes, a runtime — all
//! outside the timed region) and then runs one batch of tasks per sample. It times the batch
//! itself, from the moment all units are released together to the moment the last result is
//! back, because only the executor knows where its setup ends. It computes no statistics and
//! prints nothing.

mod async_rt;
pub mod gil;
mod processes;
mod sequential;
mod threads;
pub mod wire;
pub mod worker;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::measure::Usage;
use crate::work::{Task, WorkError, WorkSpec};

pub use async_rt::{AsyncExecutor, AsyncFlavor};
pub use processes::{ProcessExecutor, StartMethod};
pub use sequential::SequentialExecutor;
pub use threads::ThreadExecutor;

/// An execution model, as named in scenario files and case keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Model {
    /// One task after another on the calling thread: the baseline.
    #[serde(rename = "sequential")]
    Sequential,
    /// W OS threads pulling tasks from a shared queue.
    #[serde(rename = "threads")]
    Threads,
    /// W worker processes started by re-executing gilbench.
    #[serde(rename = "processes:spawn")]
    ProcessesSpawn,
    /// W worker processes forked from a single-threaded fork server.
    #[serde(rename = "processes:fork")]
    ProcessesFork,
    /// W OS threads under one modelled global interpreter lock (CPython's GIL).
    #[serde(rename = "gil")]
    Gil,
    /// W worker processes forked like `processes:fork`, each running its tasks under its own
    /// (uncontended) modelled interpreter lock: what multiprocessing buys a Python program.
    #[serde(rename = "gil:processes")]
    GilProcesses,
    /// One tokio task per unit of work, at most W in flight, on one current-thread runtime.
    #[serde(rename = "async:current")]
    AsyncCurrent,
    /// One tokio task per unit of work, at most W in flight, on a multi-thread runtime with
    /// W worker threads.
    #[serde(rename = "async:multi")]
    AsyncMulti,
    /// One tokio task per unit of work, at most W in flight, each handing its blocking body to
    /// `spawn_blocking` (a pool of at most W threads): tokio's advice for CPU-heavy work.
    #[serde(rename = "async:blocking")]
    AsyncBlocking,
}

impl Model {
    /// Every model, in report order.
    pub const ALL: [Model; 9] = [
        Model::Sequential,
        Model::Threads,
        Model::ProcessesSpawn,
        Model::ProcessesFork,
        Model::AsyncCurrent,
        Model::AsyncMulti,
        Model::AsyncBlocking,
        Model::Gil,
        Model::GilProcesses,
    ];

    /// The name used in scenario files, case keys and reports.
    pub fn name(self) -> &'static str {
        match self {
            Model::Sequential => "sequential",
            Model::Threads => "threads",
            Model::ProcessesSpawn => "processes:spawn",
            Model::ProcessesFork => "processes:fork",
            Model::Gil => "gil",
            Model::GilProcesses => "gil:processes",
            Model::AsyncCurrent => "async:current",
            Model::AsyncMulti => "async:multi",
            Model::AsyncBlocking => "async:blocking",
        }
    }

    /// Parses a model name as written in scenario files.
    pub fn from_name(name: &str) -> Option<Model> {
        Model::ALL.into_iter().find(|m| m.name() == name)
    }

    /// Whether the model takes a worker count (sequential always runs one unit).
    pub fn takes_workers(self) -> bool {
        self != Model::Sequential
    }

    /// OS threads or processes that run tasks at once with `workers` units: one under
    /// `sequential` and `async:current` (one thread however many tasks are in flight),
    /// `workers` (at least one) under the others.
    pub fn os_units(self, workers: usize) -> usize {
        match self {
            Model::Sequential | Model::AsyncCurrent => 1,
            _ => workers.max(1),
        }
    }
}

impl std::fmt::Display for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What executors need from their surroundings.
#[derive(Debug, Clone)]
pub struct ExecEnv {
    /// The gilbench executable that worker processes re-execute (`current_exe()` from the CLI,
    /// `env!("CARGO_BIN_EXE_gilbench")` in tests and benches).
    pub worker_exe: PathBuf,
    /// Set when the run is interrupted: executors stop waiting and return `Interrupted`.
    pub cancel: Arc<AtomicBool>,
}

/// Errors of an execution model.
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    /// Setting up the units failed (spawning threads, processes, a runtime).
    #[error("could not start {model} units: {reason}")]
    Setup {
        /// The model.
        model: Model,
        /// What failed.
        reason: String,
    },
    /// A task's workload failed.
    #[error("task {index} failed: {source}")]
    Work {
        /// The task.
        index: u64,
        /// The workload's error.
        #[source]
        source: WorkError,
    },
    /// A worker process died or broke its protocol.
    #[error("{0}")]
    Worker(String),
    /// The batch did not finish before its deadline; the units were stopped.
    #[error("batch did not finish within {0:?}; units stopped")]
    Timeout(Duration),
    /// The run was interrupted.
    #[error("interrupted")]
    Interrupted,
}

/// The outcome of one batch.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Batch {
    /// Wall time from releasing the units to receiving the last result.
    pub wall: Duration,
    /// Order-independent checksum over every task's result.
    pub checksum: u64,
    /// Tasks completed (always the batch size on success).
    pub completed: u64,
    /// Resources used by worker processes during the batch (zero for in-process models);
    /// the caller adds its own process's usage.
    pub worker_usage: Usage,
    /// The largest peak RSS of one worker process during the batch, bytes (`None` for
    /// in-process models and where the platform cannot reset the mark).
    pub worker_peak_rss_bytes: Option<u64>,
    /// Model-specific counters of the batch (the `gil` and `gil:processes` models' switches,
    /// drop requests and lock-wait seconds, summed over units), by name.
    pub counters: BTreeMap<String, f64>,
}

/// Runs batches of one workload on W units of one model.
pub trait Executor: Send {
    /// The model this executor implements.
    fn model(&self) -> Model;

    /// Runs every task once across the units and returns when all results are back or
    /// `deadline` has passed (then `ExecError::Timeout`, with the units stopped).
    fn run_batch(&mut self, tasks: &[Task], deadline: Instant) -> Result<Batch, ExecError>;

    /// Process ids of the worker processes (empty for in-process models).
    fn worker_pids(&self) -> Vec<u32> {
        Vec::new()
    }
}

/// Per-case settings of the units, beyond their number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnitOptions {
    /// The switch interval of the `gil` and `gil:processes` models' interpreter locks.
    pub switch_interval: Duration,
}

impl Default for UnitOptions {
    fn default() -> UnitOptions {
        UnitOptions { switch_interval: gil::DEFAULT_SWITCH_INTERVAL }
    }
}

/// Builds the executor for `model` with `workers` units running `spec`, default options.
pub fn build(
    model: Model,
    workers: usize,
    spec: &WorkSpec,
    env: &ExecEnv,
) -> Result<Box<dyn Executor>, ExecError> {
    build_with(model, workers, spec, env, &UnitOptions::default())
}

/// Builds the executor for `model` with `workers` units running `spec`.
pub fn build_with(
    model: Model,
    workers: usize,
    spec: &WorkSpec,
    env: &ExecEnv,
    options: &UnitOptions,
) -> Result<Box<dyn Executor>, ExecError> {
    let workers = workers.max(1);
    Ok(match model {
        Model::Sequential => Box::new(SequentialExecutor::new(spec, env)),
        Model::Threads => Box::new(ThreadExecutor::new(workers, spec, env)?),
        Model::Gil => Box::new(ThreadExecutor::with_gil(
            workers,
            spec,
            env,
            Arc::new(gil::Gil::new(options.switch_interval)),
        )?),
        Model::ProcessesSpawn => {
            Box::new(ProcessExecutor::new(StartMethod::Spawn, workers, spec, env)?)
        }
        Model::ProcessesFork => {
            Box::new(ProcessExecutor::new(StartMethod::Fork, workers, spec, env)?)
        }
        Model::GilProcesses => {
            Box::new(ProcessExecutor::with_gil(workers, spec, env, options.switch_interval)?)
        }
        Model::AsyncCurrent => {
            Box::new(AsyncExecutor::new(AsyncFlavor::CurrentThread, workers, spec, env)?)
        }
        Model::AsyncMulti => {
            Box::new(AsyncExecutor::new(AsyncFlavor::MultiThread, workers, spec, env)?)
        }
        Model::AsyncBlocking => {
            Box::new(AsyncExecutor::new(AsyncFlavor::Blocking, workers, spec, env)?)
        }
    })
}
