//! The `async` models: W tokio tasks pulling from one shared queue, on a current-thread
//! runtime (one OS thread, W tasks interleaved at their await points) or on a multi-thread
//! runtime with W worker threads. IO workloads use tokio's own sleep, file and network
//! calls; CPU work runs inline and blocks its runtime thread, which is a result to show.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::{Batch, ExecEnv, ExecError, Executor, Model};
use crate::measure::Usage;
use crate::work::{Task, WorkSpec, Workload};

/// Which tokio runtime runs the tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsyncFlavor {
    /// One OS thread.
    CurrentThread,
    /// W worker threads.
    MultiThread,
}

/// W tokio tasks on one runtime, built once per case.
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
        let model = match flavor {
            AsyncFlavor::CurrentThread => Model::AsyncCurrent,
            AsyncFlavor::MultiThread => Model::AsyncMulti,
        };
        let mut builder = match flavor {
            AsyncFlavor::CurrentThread => tokio::runtime::Builder::new_current_thread(),
            AsyncFlavor::MultiThread => {
                let mut b = tokio::runtime::Builder::new_multi_thread();
                b.worker_threads(workers).thread_name("gilbench-async");
                b
            }
        };
        let runtime = builder
            .enable_all()
            .build()
            .map_err(|e| ExecError::Setup { model, reason: e.to_string() })?;
        Ok(AsyncExecutor {
            flavor,
            workers,
            work: Arc::from(spec.build()),
            runtime: Some(runtime),
            cancel: Arc::clone(&env.cancel),
        })
    }
}

impl Executor for AsyncExecutor {
    fn model(&self) -> Model {
        match self.flavor {
            AsyncFlavor::CurrentThread => Model::AsyncCurrent,
            AsyncFlavor::MultiThread => Model::AsyncMulti,
        }
    }

    fn run_batch(&mut self, tasks: &[Task], deadline: Instant) -> Result<Batch, ExecError> {
        let shared = Arc::new(tasks.to_vec());
        let next = Arc::new(AtomicUsize::new(0));
        let barrier = Arc::new(tokio::sync::Barrier::new(self.workers + 1));
        // The clock starts when the first unit passes the barrier: on a current-thread runtime
        // the task that completes the barrier runs on (CPU work never yields) before the
        // coordinator is polled again.
        let released = Arc::new(std::sync::OnceLock::<Instant>::new());
        let runtime = self.runtime.as_ref().expect("invariant: runtime lives until drop");
        let workers = self.workers;
        let work = &self.work;
        let cancel = &self.cancel;
        let outcome = runtime.block_on(async {
            let mut set = tokio::task::JoinSet::new();
            for _ in 0..workers {
                let (tasks, next, barrier, work) =
                    (Arc::clone(&shared), Arc::clone(&next), Arc::clone(&barrier), Arc::clone(work));
                let released = Arc::clone(&released);
                let cancel = Arc::clone(cancel);
                set.spawn(async move {
                    barrier.wait().await;
                    released.get_or_init(Instant::now);
                    let mut sum = 0u64;
                    loop {
                        let pos = next.fetch_add(1, Ordering::Relaxed);
                        let Some(task) = tasks.get(pos) else { break };
                        if cancel.load(Ordering::Relaxed) {
                            return Err(ExecError::Interrupted);
                        }
                        let r = work
                            .run_async(task)
                            .await
                            .map_err(|source| ExecError::Work { index: task.index, source })?;
                        sum = sum.wrapping_add(r.checksum);
                    }
                    Ok(sum)
                });
            }
            barrier.wait().await;
            let start = *released.get_or_init(Instant::now);
            let mut checksum = 0u64;
            let deadline = tokio::time::Instant::from_std(deadline);
            loop {
                let joined = tokio::select! {
                    j = set.join_next() => j,
                    _ = tokio::time::sleep_until(deadline) => {
                        set.abort_all();
                        return Err(ExecError::Timeout(deadline.into_std().saturating_duration_since(start)));
                    }
                    _ = tokio::time::sleep(Duration::from_millis(100)) => {
                        if cancel.load(Ordering::Relaxed) {
                            set.abort_all();
                            return Err(ExecError::Interrupted);
                        }
                        continue;
                    }
                };
                match joined {
                    None => break,
                    Some(Ok(Ok(sum))) => checksum = checksum.wrapping_add(sum),
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
