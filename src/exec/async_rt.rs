//! The `async` models, written the way tokio programs are: one task per unit of work, spawned
//! from outside the runtime's worker threads, at most W in flight (a `JoinSet` window).
//!
//! - `async:current`: a current-thread runtime; W tasks interleave at their await points.
//! - `async:multi`: a multi-thread runtime with W worker threads. Tasks spawned from outside
//!   land in the runtime's shared queue, where every worker can take them.
//! - `async:blocking`: a current-thread runtime whose tasks hand their blocking body to
//!   `spawn_blocking` (a pool of at most W threads), as tokio advises for CPU-heavy work;
//!   IO-bound work is awaited on the runtime.
//!
//! IO workloads use tokio's own sleep, file and network calls; under `async:current` and
//! `async:multi` CPU work runs inline and blocks its runtime thread, which is a result to show.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::{Batch, ExecEnv, ExecError, Executor, Model};
use crate::measure::Usage;
use crate::work::{Character, Task, TaskResult, WorkError, WorkSpec, Workload};

/// How long an idle blocking-pool thread is kept: longer than any case, so the pool's threads
/// are started by the warm-up sample and not again inside a timed one.
const BLOCKING_KEEP_ALIVE: Duration = Duration::from_secs(3600);

/// How often the window looks at the cancel flag while it waits.
const CANCEL_POLL: Duration = Duration::from_millis(100);

/// Which tokio runtime runs the tasks, and where their blocking bodies go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsyncFlavor {
    /// One OS thread.
    CurrentThread,
    /// W worker threads.
    MultiThread,
    /// One runtime thread; blocking bodies on a pool of at most W threads.
    Blocking,
}

impl AsyncFlavor {
    /// The model this flavour implements.
    pub fn model(self) -> Model {
        match self {
            AsyncFlavor::CurrentThread => Model::AsyncCurrent,
            AsyncFlavor::MultiThread => Model::AsyncMulti,
            AsyncFlavor::Blocking => Model::AsyncBlocking,
        }
    }
}

/// A tokio runtime built once per case; each batch spawns one task per unit of work.
pub struct AsyncExecutor {
    flavor: AsyncFlavor,
    workers: usize,
    work: Arc<dyn Workload>,
    runtime: Option<tokio::runtime::Runtime>,
    cancel: Arc<AtomicBool>,
}

impl std::fmt::Debug for AsyncExecutor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncExecutor")
            .field("flavor", &self.flavor)
            .field("workers", &self.workers)
            .finish_non_exhaustive()
    }
}

impl AsyncExecutor {
    /// Builds the runtime (outside any timed region).
    pub fn new(
        flavor: AsyncFlavor,
        workers: usize,
        spec: &WorkSpec,
        env: &ExecEnv,
    ) -> Result<AsyncExecutor, ExecError> {
        let mut builder = match flavor {
            AsyncFlavor::CurrentThread => tokio::runtime::Builder::new_current_thread(),
            AsyncFlavor::MultiThread => {
                let mut b = tokio::runtime::Builder::new_multi_thread();
                b.worker_threads(workers).thread_name("gilbench-async");
                b
            }
            AsyncFlavor::Blocking => {
                let mut b = tokio::runtime::Builder::new_current_thread();
                b.max_blocking_threads(workers)
                    .thread_keep_alive(BLOCKING_KEEP_ALIVE)
                    .thread_name("gilbench-blocking");
                b
            }
        };
        let runtime = builder
            .enable_all()
            .build()
            .map_err(|e| ExecError::Setup { model: flavor.model(), reason: e.to_string() })?;
        Ok(AsyncExecutor {
            flavor,
            workers,
            work: Arc::from(spec.build()),
            runtime: Some(runtime),
            cancel: Arc::clone(&env.cancel),
        })
    }
}

/// One unit of work as an async task of this flavour.
async fn one_task(
    flavor: AsyncFlavor,
    work: Arc<dyn Workload>,
    tasks: Arc<[Task]>,
    pos: usize,
) -> Result<TaskResult, ExecError> {
    let index = tasks[pos].index;
    let offload = flavor == AsyncFlavor::Blocking && work.character() != Character::Io;
    let result = if offload {
        tokio::task::spawn_blocking(move || work.run(&tasks[pos])).await.map_err(|e| {
            ExecError::Work { index, source: WorkError::Failed(format!("blocking task: {e}")) }
        })?
    } else {
        work.run_async(&tasks[pos]).await
    };
    result.map_err(|source| ExecError::Work { index, source })
}

impl Executor for AsyncExecutor {
    fn model(&self) -> Model {
        self.flavor.model()
    }

    fn run_batch(&mut self, tasks: &[Task], deadline: Instant) -> Result<Batch, ExecError> {
        let tasks: Arc<[Task]> = tasks.into();
        let runtime = self.runtime.as_ref().expect("invariant: runtime lives until drop");
        let (flavor, window) = (self.flavor, self.workers);
        let (work, cancel) = (&self.work, &self.cancel);
        // `block_on` runs on this thread, which is none of a multi-thread runtime's workers:
        // what it spawns goes to the runtime's shared queue, where any worker takes it.
        let outcome = runtime.block_on(async {
            let start = Instant::now();
            let deadline = tokio::time::Instant::from_std(deadline);
            let mut set = tokio::task::JoinSet::new();
            let mut next = 0usize;
            let mut checksum = 0u64;
            loop {
                while set.len() < window && next < tasks.len() {
                    if cancel.load(Ordering::Relaxed) {
                        set.abort_all();
                        return Err(ExecError::Interrupted);
                    }
                    set.spawn(one_task(flavor, Arc::clone(work), Arc::clone(&tasks), next));
                    next += 1;
                }
                let joined = tokio::select! {
                    j = set.join_next() => j,
                    _ = tokio::time::sleep_until(deadline) => {
                        set.abort_all();
                        return Err(ExecError::Timeout(
                            deadline.into_std().saturating_duration_since(start),
                        ));
                    }
                    _ = tokio::time::sleep(CANCEL_POLL) => {
                        if cancel.load(Ordering::Relaxed) {
                            set.abort_all();
                            return Err(ExecError::Interrupted);
                        }
                        continue;
                    }
                };
                match joined {
                    None => break,
                    Some(Ok(Ok(r))) => checksum = checksum.wrapping_add(r.checksum),
                    Some(Ok(Err(e))) => {
                        set.abort_all();
                        return Err(e);
                    }
                    Some(Err(e)) => {
                        set.abort_all();
                        return Err(ExecError::Worker(format!("async task failed: {e}")));
                    }
                }
            }
            Ok((start.elapsed(), checksum))
        });
        let (wall, checksum) = outcome?;
        Ok(Batch {
            wall,
            checksum,
            completed: tasks.len() as u64,
            worker_usage: Usage::default(),
            ..Batch::default()
        })
    }
}

impl Drop for AsyncExecutor {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            // Never wait on a task stuck in CPU work after a timeout.
            rt.shutdown_timeout(Duration::from_secs(1));
        }
    }
}
