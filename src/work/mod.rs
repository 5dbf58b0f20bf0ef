//! What runs inside one unit of work: the `Workload` trait, the serialisable `WorkSpec` that
//! names a workload with fully resolved parameters, and the task input/output types.
//!
//! A workload does no timing and writes nothing to the terminal. Every workload is
//! deterministic: the same task always yields the same checksum, whichever model runs it, so
//! tests can prove that no execution model skipped work.

mod command;
mod cpu;
mod custom;
mod file;
mod mixed;
mod net;
mod payload;
mod sleep;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use command::{CommandWork, TASK_PLACEHOLDER, show_argv};
pub use cpu::{CpuWork, SLICE_ITERATIONS, cpu_kernel, cpu_kernel_in, cpu_kernel_split};
pub use custom::{
    Factory, FnWorkload, Params, RESERVED_NAMES, Registry, WORKER_ROLE_ENV, check_name,
    check_param, result_of,
};
pub use file::FileWork;
pub use mixed::MixedWork;
pub use net::{LoopbackServer, NetWork};
pub use payload::{fold_checksum, make_input, transform_payload};
pub use sleep::SleepWork;

/// A future returned by [`Workload::run_async`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Errors a workload can return while running one task.
#[derive(Debug, thiserror::Error)]
pub enum WorkError {
    /// An IO operation of an IO-bound workload failed.
    #[error("{op}: {source}")]
    Io {
        /// What was being done.
        op: &'static str,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The loopback server answered something that is not the expected response.
    #[error("loopback server answered {got} bytes, expected {expected}")]
    ShortResponse {
        /// Bytes received.
        got: usize,
        /// Bytes expected.
        expected: usize,
    },
    /// The task failed for the reason given (a user's workload, an external command).
    #[error("{0}")]
    Failed(String),
}

impl WorkError {
    pub(crate) fn io(op: &'static str) -> impl FnOnce(std::io::Error) -> WorkError {
        move |source| WorkError::Io { op, source }
    }
}

/// The character of a workload, as a user would state it (CPU-bound, IO-bound, or both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Character {
    /// Spends its time computing.
    Cpu,
    /// Spends its time waiting for IO.
    Io,
    /// Some of each.
    Mixed,
}

/// One task: its index in the batch and its input payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// Position of the task in the batch (also seeds the work).
    pub index: u64,
    /// Input payload, carried to the unit that runs the task.
    #[serde(with = "serde_bytes")]
    pub input: Vec<u8>,
}

/// What one task returns: its checksum and its output payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskResult {
    /// Index of the task this answers.
    pub index: u64,
    /// Deterministic checksum of the work done and of the output payload.
    pub checksum: u64,
    /// Output payload, carried back to the caller.
    #[serde(with = "serde_bytes")]
    pub output: Vec<u8>,
}

/// A workload with every parameter resolved, small enough to send to a worker process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum WorkSpec {
    /// A pure integer kernel of `iterations` rounds.
    Cpu {
        /// Kernel rounds per task.
        iterations: u64,
        /// Of those, the rounds run with the interpreter lock released (the last ones).
        #[serde(default)]
        released_iterations: u64,
    },
    /// A blocking sleep.
    IoSleep {
        /// Sleep per task, in microseconds.
        sleep_us: u64,
    },
    /// Write a temp file of `bytes`, optionally fsync, read it back.
    IoFile {
        /// File size per task.
        bytes: u64,
        /// Whether to fsync after writing.
        fsync: bool,
        /// Private directory the files are written in.
        dir: PathBuf,
    },
    /// A request/response to the loopback server.
    IoNet {
        /// Address of the server gilbench started.
        addr: SocketAddr,
        /// Server-side delay before answering, in microseconds.
        delay_us: u64,
        /// Size of the response.
        response_bytes: u32,
    },
    /// CPU kernel then sleep.
    Mixed {
        /// Kernel rounds per task.
        iterations: u64,
        /// Of those, the rounds run with the interpreter lock released (the last ones).
        #[serde(default)]
        released_iterations: u64,
        /// Sleep per task, in microseconds.
        sleep_us: u64,
    },
    /// A workload a user registered by name (see [`Registry`]), rebuilt by name in every
    /// process from the registry that process installed.
    Custom {
        /// The registered name.
        name: String,
        /// Its parameters.
        params: Params,
    },
    /// An external program run once per task.
    Command {
        /// Program and arguments, `{task}` replaced by the task index.
        argv: Vec<String>,
        /// How long one run may take, in milliseconds.
        timeout_ms: u64,
    },
}

impl WorkSpec {
    /// The `cpu` workload of `iterations` rounds, every one holding the lock.
    pub fn cpu(iterations: u64) -> WorkSpec {
        WorkSpec::Cpu { iterations, released_iterations: 0 }
    }

    /// The short name used in case keys and reports.
    pub fn name(&self) -> &'static str {
        match self {
            WorkSpec::Cpu { .. } => "cpu",
            WorkSpec::IoSleep { .. } => "io-sleep",
            WorkSpec::IoFile { .. } => "io-file",
            WorkSpec::IoNet { .. } => "io-net",
            WorkSpec::Mixed { .. } => "mixed",
            WorkSpec::Custom { .. } => "custom",
            WorkSpec::Command { .. } => "command",
        }
    }

    /// Builds the runnable workload; a custom workload this process has not installed builds
    /// into one whose every task fails with the reason (see [`WorkSpec::try_build`]).
    pub fn build(&self) -> Box<dyn Workload> {
        self.try_build().unwrap_or_else(|reason| Box::new(custom::Unbuilt { reason }))
    }

    /// Builds the runnable workload, or says why a custom workload cannot be built here.
    pub fn try_build(&self) -> Result<Box<dyn Workload>, String> {
        Ok(match self.clone() {
            WorkSpec::Cpu { iterations, released_iterations } => {
                Box::new(CpuWork { iterations, released_iterations })
            }
            WorkSpec::IoSleep { sleep_us } => Box::new(SleepWork { sleep_us }),
            WorkSpec::IoFile { bytes, fsync, dir } => Box::new(FileWork { bytes, fsync, dir }),
            WorkSpec::IoNet { addr, delay_us, response_bytes } => {
                Box::new(NetWork { addr, delay_us, response_bytes })
            }
            WorkSpec::Mixed { iterations, released_iterations, sleep_us } => {
                Box::new(MixedWork { iterations, released_iterations, sleep_us })
            }
            WorkSpec::Custom { name, params } => custom::build_installed(&name, &params)?,
            WorkSpec::Command { argv, timeout_ms } => {
                Box::new(CommandWork { argv, timeout: Duration::from_millis(timeout_ms) })
            }
        })
    }
}

/// What the unit running a task offers it: the points where an interpreter lock would be
/// checked (between small slices of CPU work) and released (around blocking calls). Free
/// units (threads, processes, async) do nothing there; the `gil` model hands its lock over.
pub trait Unit: Sync {
    /// Called between small slices of CPU work (the eval loop's periodic check).
    fn checkpoint(&self) {}
    /// Called right before a blocking call (`Py_BEGIN_ALLOW_THREADS`).
    fn enter_blocking(&self) {}
    /// Called right after a blocking call (`Py_END_ALLOW_THREADS`).
    fn leave_blocking(&self) {}
}

/// A unit with no lock: every hook does nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct FreeUnit;

impl Unit for FreeUnit {}

/// Runs `f` as a blocking call of `unit`: the lock is released before and taken back after.
pub fn blocking<R>(unit: &dyn Unit, f: impl FnOnce() -> R) -> R {
    unit.enter_blocking();
    let r = f();
    unit.leave_blocking();
    r
}

/// One kind of task that every execution model can run unchanged.
///
/// `run` is the blocking form used by sequential, thread and process units. `run_async` is
/// what async tasks await; its default runs `run` inline, which is exactly what CPU-bound
/// work does to an async executor (it blocks it). IO workloads override it with tokio's
/// own sleep, file and network calls.
pub trait Workload: Send + Sync {
    /// Whether the work is CPU-bound, IO-bound or mixed.
    fn character(&self) -> Character;

    /// Runs one task to completion on the calling thread.
    fn run(&self, task: &Task) -> Result<TaskResult, WorkError> {
        self.run_in(task, &FreeUnit)
    }

    /// Runs one task on a unit that may hold an interpreter lock: CPU work calls
    /// `unit.checkpoint()` between small slices, blocking calls go through [`blocking`].
    /// A workload that never calls the hooks holds the lock for the whole task.
    fn run_in(&self, task: &Task, unit: &dyn Unit) -> Result<TaskResult, WorkError>;

    /// Runs one task inside an async task.
    fn run_async<'a>(&'a self, task: &'a Task) -> BoxFuture<'a, Result<TaskResult, WorkError>> {
        Box::pin(async move { self.run(task) })
    }
}

/// Builds the task result from a work checksum: folds in the transformed payload.
pub(crate) fn finish(task: &Task, work: u64) -> TaskResult {
    let output = transform_payload(&task.input, work);
    let checksum = fold_checksum(work ^ task.index.rotate_left(17), &output);
    TaskResult { index: task.index, checksum, output }
}

/// Combines per-task checksums into one batch checksum, independent of completion order.
pub fn batch_checksum<'a>(results: impl IntoIterator<Item = &'a TaskResult>) -> u64 {
    results.into_iter().fold(0u64, |acc, r| acc.wrapping_add(r.checksum))
}

#[cfg(test)]
mod tests;
