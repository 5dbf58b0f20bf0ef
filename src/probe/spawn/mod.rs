//! The spawn probe: what starting one unit and waiting for its end costs, by kind of unit —
//! and, beside it, what one task costs on a pool that is already running (the warm-pool vs
//! spawn-per-task comparison). Also the `footprint` and `headroom` probes
//! ([`footprint`]): memory per idle unit and how many the machine takes within a budget.
//!
//! Variants: `thread` (spawn + join), `fork-exit-wait` (the child only `_exit`s),
//! `fork-exec` and `posix-spawn` (of `/bin/true`, waited for), `std-command`
//! (`Command::status` of the same), `gilbench-worker` (re-execute gilbench as a worker
//! process until it says it is ready; its exit is not timed), `tokio-task` (spawn + await on a
//! running multi-thread runtime), `thread-pool-task` and `process-pool-task` (one empty task
//! through an already running `threads` / `processes:fork` executor of one unit).
//!
//! `parent_rss` touches that many bytes in this process first (shared by the cases of a
//! group), because `fork` copies the page tables of everything resident while `posix_spawn`
//! does not. A sample repeats its unit for `duration` (at least twice); the primary figure is
//! the mean time per start.

pub mod footprint;
mod params;
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[path = "linux.rs"]
mod sys;
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
#[path = "other.rs"]
mod sys;

use std::collections::BTreeMap;
use std::ffi::CString;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use super::{Metric, Probe, ProbeEnv, ProbeError, ProbeSample};
use crate::exec::{self, ExecEnv, Executor, Model, ProcessExecutor, StartMethod};
use crate::measure::Usage;
use crate::work::{Task, WorkSpec};

pub use params::{FootprintParams, HeadroomParams, SpawnParams};

/// The spawn probe's variants, as `models = [...]` names them.
pub const SPAWN_VARIANTS: &[&str] = &[
    "thread",
    "fork-exit-wait",
    "fork-exec",
    "posix-spawn",
    "std-command",
    "gilbench-worker",
    "tokio-task",
    "thread-pool-task",
    "process-pool-task",
];

/// The footprint and headroom probes' variants.
pub const UNIT_VARIANTS: &[&str] = &["threads", "processes", "tokio-tasks"];

/// Where the program started by `fork-exec`, `posix-spawn` and `std-command` is looked for.
const TRUE_PATHS: &[&str] = &["/bin/true", "/usr/bin/true"];

/// Memory touched in this process so `fork` has page tables to copy; shared by every case
/// that asks for the same size while one of them holds it.
#[derive(Debug)]
struct Ballast {
    bytes: Vec<u8>,
}

static BALLAST: Mutex<Weak<Ballast>> = Mutex::new(Weak::new());

fn ballast(size: u64) -> Result<Option<Arc<Ballast>>, ProbeError> {
    if size == 0 {
        return Ok(None);
    }
    let mut slot = BALLAST.lock().map_err(|_| ProbeError::Setup("ballast lock".into()))?;
    if let Some(b) = slot.upgrade()
        && b.bytes.len() as u64 == size
    {
        return Ok(Some(b));
    }
    if let Some((available, _)) = sys::memory()
        && size > available / 2
    {
        return Err(ProbeError::Unsupported(format!(
            "a parent of {} MiB would take more than half the free memory ({} MiB)",
            size >> 20,
            available >> 20
        )));
    }
    let len = usize::try_from(size).map_err(|_| ProbeError::Setup("ballast too big".into()))?;
    let mut bytes = Vec::new();
    bytes
        .try_reserve_exact(len)
        .map_err(|e| ProbeError::Setup(format!("cannot allocate {len} bytes: {e}")))?;
    // Non-zero, so every page is really written (and resident).
    bytes.resize(len, 1);
    let b = Arc::new(Ballast { bytes });
    *slot = Arc::downgrade(&b);
    Ok(Some(b))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Thread,
    ForkExitWait,
    ForkExec,
    PosixSpawn,
    StdCommand,
    GilbenchWorker,
    TokioTask,
    ThreadPoolTask,
    ProcessPoolTask,
}

/// The running experiment.
pub struct Spawn {
    kind: Kind,
    duration: Duration,
    program: Option<CString>,
    exec_env: ExecEnv,
    rt: Option<tokio::runtime::Runtime>,
    pool: Option<Box<dyn Executor>>,
    next_index: u64,
    _ballast: Option<Arc<Ballast>>,
}

impl std::fmt::Debug for Spawn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spawn").field("kind", &self.kind).finish_non_exhaustive()
    }
}

/// The task a pool runs: no work at all, so only the hand-over is measured.
fn empty_spec() -> WorkSpec {
    WorkSpec::cpu(0)
}

impl Spawn {
    /// Sets up the variant: the parent's ballast, the program to start, the running pool or
    /// runtime.
    pub fn new(variant: &str, params: &SpawnParams, env: &ProbeEnv) -> Result<Spawn, ProbeError> {
        let kind = match variant {
            "thread" => Kind::Thread,
            "fork-exit-wait" => Kind::ForkExitWait,
            "fork-exec" => Kind::ForkExec,
            "posix-spawn" => Kind::PosixSpawn,
            "std-command" => Kind::StdCommand,
            "gilbench-worker" => Kind::GilbenchWorker,
            "tokio-task" => Kind::TokioTask,
            "thread-pool-task" => Kind::ThreadPoolTask,
            "process-pool-task" => Kind::ProcessPoolTask,
            other => {
                return Err(ProbeError::Unsupported(format!("spawn has no variant `{other}`")));
            }
        };
        let needs_fork = matches!(kind, Kind::ForkExitWait | Kind::ForkExec | Kind::PosixSpawn);
        if needs_fork && !sys::SUPPORTED {
            return Err(ProbeError::Unsupported(format!("{variant} is not supported here")));
        }
        let program = if matches!(kind, Kind::ForkExec | Kind::PosixSpawn | Kind::StdCommand) {
            let path = TRUE_PATHS
                .iter()
                .find(|p| std::path::Path::new(p).exists())
                .ok_or_else(|| ProbeError::Unsupported("no /bin/true to start".into()))?;
            Some(CString::new(*path).map_err(|e| ProbeError::Setup(e.to_string()))?)
        } else {
            None
        };
        let exec_env =
            ExecEnv { worker_exe: env.worker_exe.clone(), cancel: Arc::clone(&env.cancel) };
        let ballast = ballast(params.parent_rss)?;
        let rt = if kind == Kind::TokioTask {
            Some(
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .thread_name("gilbench-spawn-rt")
                    .build()
                    .map_err(|e| ProbeError::Setup(format!("tokio runtime: {e}")))?,
            )
        } else {
            None
        };
        let pool = match kind {
            Kind::ThreadPoolTask => Some(Model::Threads),
            Kind::ProcessPoolTask => Some(Model::ProcessesFork),
            _ => None,
        }
        .map(|model| exec::build(model, 1, &empty_spec(), &exec_env))
        .transpose()
        .map_err(|e| ProbeError::Setup(e.to_string()))?;
        Ok(Spawn {
            kind,
            duration: params.duration,
            program,
            exec_env,
            rt,
            pool,
            next_index: 0,
            _ballast: ballast,
        })
    }

    /// One start (or one pool task); returns the timed part.
    fn once(&mut self, deadline: Instant) -> Result<Duration, ProbeError> {
        let failed =
            |what: &str, e: &dyn std::fmt::Display| ProbeError::Failed(format!("{what}: {e}"));
        let program =
            || self.program.as_deref().ok_or_else(|| ProbeError::Failed("no program".into()));
        let start = Instant::now();
        match self.kind {
            Kind::Thread => {
                let h = std::thread::Builder::new()
                    .spawn(|| std::hint::black_box(1u64))
                    .map_err(|e| failed("spawning a thread", &e))?;
                h.join().map_err(|_| ProbeError::Failed("the thread panicked".into()))?;
            }
            Kind::ForkExitWait => sys::fork_exit_wait().map_err(|e| failed("fork", &e))?,
            Kind::ForkExec => {
                sys::fork_exec_wait(program()?).map_err(|e| failed("fork+exec", &e))?
            }
            Kind::PosixSpawn => {
                sys::posix_spawn_wait(program()?).map_err(|e| failed("posix_spawn", &e))?;
            }
            Kind::StdCommand => {
                let path = program()?.to_string_lossy().into_owned();
                let status = std::process::Command::new(path)
                    .env_clear()
                    .stdin(std::process::Stdio::null())
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .status()
                    .map_err(|e| failed("Command::status", &e))?;
                if !status.success() {
                    return Err(failed("the started program", &status));
                }
            }
            Kind::GilbenchWorker => {
                let worker =
                    ProcessExecutor::new(StartMethod::Spawn, 1, &empty_spec(), &self.exec_env)
                        .map_err(|e| failed("starting a worker", &e))?;
                let took = start.elapsed();
                // Its exit and reaping are not part of the start.
                drop(worker);
                return Ok(took);
            }
            Kind::TokioTask => {
                return Err(ProbeError::Failed("tokio tasks are timed in bulk".into()));
            }
            Kind::ThreadPoolTask | Kind::ProcessPoolTask => {
                let pool =
                    self.pool.as_mut().ok_or_else(|| ProbeError::Failed("no pool".into()))?;
                let task = Task { index: self.next_index, input: Vec::new() };
                self.next_index += 1;
                let batch = pool
                    .run_batch(std::slice::from_ref(&task), deadline)
                    .map_err(|e| failed("pool task", &e))?;
                if batch.completed != 1 {
                    return Err(ProbeError::Failed("the pool lost the task".into()));
                }
            }
        }
        Ok(start.elapsed())
    }

    /// Tokio tasks spawned and awaited one after another from a task on the runtime, until
    /// `duration`; returns (count, total time).
    fn tokio_tasks(&self, deadline: Instant) -> Result<(u64, Duration), ProbeError> {
        let rt = self.rt.as_ref().ok_or_else(|| ProbeError::Failed("no runtime".into()))?;
        let duration = self.duration;
        let handle = rt.spawn(async move {
            let start = Instant::now();
            let mut n = 0u64;
            while n < 2 || start.elapsed() < duration {
                if n.is_multiple_of(256) && Instant::now() > deadline {
                    return Err(ProbeError::Timeout);
                }
                tokio::spawn(async { std::hint::black_box(1u64) })
                    .await
                    .map_err(|e| ProbeError::Failed(format!("a task failed: {e}")))?;
                n += 1;
            }
            Ok((n, start.elapsed()))
        });
        rt.block_on(handle).map_err(|e| ProbeError::Failed(format!("the driving task: {e}")))?
    }
}

impl Probe for Spawn {
    fn metric(&self) -> Metric {
        Metric {
            name: "time to start a unit and wait for its end (or run one pool task)",
            unit: "s",
        }
    }

    fn units(&self) -> usize {
        1
    }

    fn sample(&mut self, deadline: Instant) -> Result<ProbeSample, ProbeError> {
        let children_before = Usage::children();
        let rss = sys::rss_bytes();
        let start = Instant::now();
        let (n, timed) = if self.kind == Kind::TokioTask {
            self.tokio_tasks(deadline)?
        } else {
            let (mut n, mut timed) = (0u64, Duration::ZERO);
            while n < 2 || start.elapsed() < self.duration {
                if Instant::now() > deadline {
                    return Err(ProbeError::Timeout);
                }
                if self.exec_env.cancel.load(std::sync::atomic::Ordering::Relaxed) {
                    return Err(ProbeError::Interrupted);
                }
                timed += self.once(deadline)?;
                n += 1;
            }
            (n, timed)
        };
        let wall = start.elapsed();
        let mut counters = BTreeMap::new();
        counters.insert("starts".into(), n as f64);
        if let Some(r) = rss {
            counters.insert("parent_rss_bytes".into(), r as f64);
        }
        Ok(ProbeSample {
            value: timed.as_secs_f64() / n as f64,
            wall,
            counters,
            worker_usage: Usage::children().since(&children_before),
        })
    }
}
