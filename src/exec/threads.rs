//! The `threads` model: W persistent OS threads pulling tasks from one shared crossbeam queue,
//! released together on a barrier at the start of each batch. The `gil` model is the same pool
//! with every thread running its tasks under one modelled interpreter lock.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::thread::JoinHandle;
use std::time::Instant;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

use super::gil::{Gil, GilUnit};
use super::{Batch, ExecEnv, ExecError, Executor, Model};
use crate::work::{FreeUnit, Task, TaskResult, WorkError, WorkSpec, Workload};

/// One batch handed to every thread: the shared queue of task positions and the start line.
struct Start {
    tasks: Arc<Vec<Task>>,
    queue: Receiver<usize>,
    barrier: Arc<Barrier>,
    /// When the first unit passed the barrier: the batch's clock starts there.
    released: Arc<std::sync::OnceLock<Instant>>,
    results: Sender<(u64, Result<TaskResult, WorkError>)>,
}

/// W OS threads sharing one task queue, optionally under one interpreter lock.
#[derive(Debug)]
pub struct ThreadExecutor {
    gil: Option<Arc<Gil>>,
    starts: Vec<Sender<Start>>,
    handles: Vec<JoinHandle<()>>,
    stop: Arc<AtomicBool>,
    cancel: Arc<AtomicBool>,
    /// Set after a timeout: stuck threads are detached instead of joined.
    poisoned: bool,
}

impl ThreadExecutor {
    /// Starts `workers` threads, parked until the first batch.
    pub fn new(
        workers: usize,
        spec: &WorkSpec,
        env: &ExecEnv,
    ) -> Result<ThreadExecutor, ExecError> {
        ThreadExecutor::start(workers, spec, env, None)
    }

    /// Starts `workers` threads that run their tasks under `gil`.
    pub fn with_gil(
        workers: usize,
        spec: &WorkSpec,
        env: &ExecEnv,
        gil: Arc<Gil>,
    ) -> Result<ThreadExecutor, ExecError> {
        ThreadExecutor::start(workers, spec, env, Some(gil))
    }

    /// The interpreter lock, for the `gil` model.
    pub fn gil(&self) -> Option<&Arc<Gil>> {
        self.gil.as_ref()
    }

    fn start(
        workers: usize,
        spec: &WorkSpec,
        env: &ExecEnv,
        gil: Option<Arc<Gil>>,
    ) -> Result<ThreadExecutor, ExecError> {
        let model = if gil.is_some() { Model::Gil } else { Model::Threads };
        let work: Arc<dyn Workload> = Arc::from(spec.build());
        let stop = Arc::new(AtomicBool::new(false));
        let mut starts = Vec::with_capacity(workers);
        let mut handles = Vec::with_capacity(workers);
        for i in 0..workers {
            let (tx, rx) = crossbeam_channel::bounded::<Start>(1);
            let work = Arc::clone(&work);
            let stop = Arc::clone(&stop);
            let cancel = Arc::clone(&env.cancel);
            let unit = gil.as_ref().map(|g| GilUnit::new(Arc::clone(g), i));
            let handle = std::thread::Builder::new()
                .name(format!("gilbench-thread-{i}"))
                .spawn(move || thread_main(rx, work, unit, stop, cancel))
                .map_err(|e| ExecError::Setup { model, reason: e.to_string() })?;
            starts.push(tx);
            handles.push(handle);
        }
        Ok(ThreadExecutor {
            gil,
            starts,
            handles,
            stop,
            cancel: Arc::clone(&env.cancel),
            poisoned: false,
        })
    }
}

fn thread_main(
    starts: Receiver<Start>,
    work: Arc<dyn Workload>,
    gil: Option<GilUnit>,
    stop: Arc<AtomicBool>,
    cancel: Arc<AtomicBool>,
) {
    while let Ok(start) = starts.recv() {
        start.barrier.wait();
        start.released.get_or_init(Instant::now);
        // A Python thread holds the lock from the moment it runs bytecode, through pulling
        // tasks and posting results (no blocking there), until it finishes.
        if let Some(unit) = &gil {
            unit.enter();
        }
        while let Ok(pos) = start.queue.try_recv() {
            if stop.load(Ordering::Relaxed) || cancel.load(Ordering::Relaxed) {
                break;
            }
            let task = &start.tasks[pos];
            let result = match &gil {
                Some(unit) => {
                    let r = work.run_in(task, unit);
                    crate::work::Unit::checkpoint(unit);
                    r
                }
                None => work.run_in(task, &FreeUnit),
            };
            if start.results.send((task.index, result)).is_err() {
                break;
            }
        }
        if let Some(unit) = &gil {
            unit.exit();
        }
    }
}

impl Executor for ThreadExecutor {
    fn model(&self) -> Model {
        if self.gil.is_some() { Model::Gil } else { Model::Threads }
    }

    fn run_batch(&mut self, tasks: &[Task], deadline: Instant) -> Result<Batch, ExecError> {
        // Setup, outside the timed region: the queue is filled before the units are released.
        let shared = Arc::new(tasks.to_vec());
        let (qtx, qrx) = crossbeam_channel::unbounded();
        for pos in 0..tasks.len() {
            qtx.send(pos).expect("invariant: receiver alive");
        }
        drop(qtx);
        let (rtx, rrx) = crossbeam_channel::unbounded();
        let gil_before = self.gil.as_ref().map(|g| g.counters());
        let barrier = Arc::new(Barrier::new(self.starts.len() + 1));
        let released = Arc::new(std::sync::OnceLock::new());
        for tx in &self.starts {
            let start = Start {
                tasks: Arc::clone(&shared),
                queue: qrx.clone(),
                barrier: Arc::clone(&barrier),
                released: Arc::clone(&released),
                results: rtx.clone(),
            };
            tx.send(start).map_err(|_| ExecError::Worker("a worker thread has exited".into()))?;
        }
        drop(rtx);
        barrier.wait();
        let start = *released.get_or_init(Instant::now);
        let mut checksum = 0u64;
        let mut received = 0usize;
        while received < tasks.len() {
            let wait = deadline.saturating_duration_since(Instant::now());
            match rrx.recv_timeout(wait.min(std::time::Duration::from_millis(100))) {
                Ok((_, Ok(r))) => {
                    checksum = checksum.wrapping_add(r.checksum);
                    received += 1;
                }
                Ok((index, Err(source))) => return Err(ExecError::Work { index, source }),
                Err(RecvTimeoutError::Timeout) => {
                    if self.cancel.load(Ordering::Relaxed) {
                        self.poisoned = true;
                        return Err(ExecError::Interrupted);
                    }
                    if Instant::now() >= deadline {
                        self.poisoned = true;
                        self.stop.store(true, Ordering::Relaxed);
                        return Err(ExecError::Timeout(deadline.saturating_duration_since(start)));
                    }
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(ExecError::Worker(
                        "worker threads stopped before the batch ended".into(),
                    ));
                }
            }
        }
        let wall = start.elapsed();
        let mut counters = BTreeMap::new();
        if let (Some(gil), Some(before)) = (&self.gil, gil_before) {
            for (name, value) in gil.counters().since(&before).entries() {
                counters.insert(name.into(), value);
            }
        }
        Ok(Batch { wall, checksum, completed: tasks.len() as u64, counters, ..Batch::default() })
    }
}

impl Drop for ThreadExecutor {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.starts.clear();
        for h in self.handles.drain(..) {
            if self.poisoned {
                // A thread stuck inside a task cannot be stopped from outside; it exits on its
                // own when the task returns (its start channel is closed).
                drop(h);
            } else {
                let _ = h.join();
            }
        }
    }
}
