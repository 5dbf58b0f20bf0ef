//! The footprint and headroom probes: idle units — threads blocked on a condition variable,
//! forked processes blocked in `read` on a pipe, tokio tasks awaiting a `Notify` — created,
//! measured, then all freed (joined, reaped) at the end of every sample, also on error.
//!
//! `footprint` reports memory per idle unit: the resident-set growth of this process for
//! threads, the heap they hold for tokio tasks (glibc `mallinfo2`; RSS barely moves for
//! them), with virtual growth and the reserved stack size as counters, the summed
//! proportional set size (`/proc/<pid>/smaps_rollup`) of the children for processes.
//! `headroom` creates units until a count limit, a time limit, a memory floor (a fifth of the
//! machine's memory left available) or the first error, and says which came first.

use std::collections::BTreeMap;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use super::sys;
use super::{FootprintParams, HeadroomParams};
use crate::probe::{Metric, Probe, ProbeError, ProbeSample};

/// How long created units get to reach their idle state.
const SETTLE_WITHIN: Duration = Duration::from_secs(10);
/// Rust's default thread stack when `RUST_MIN_STACK` does not say otherwise.
const DEFAULT_STACK: u64 = 2 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UnitKind {
    Threads,
    Processes,
    TokioTasks,
}

fn unit_kind(variant: &str) -> Result<UnitKind, ProbeError> {
    match variant {
        "threads" => Ok(UnitKind::Threads),
        "processes" if sys::SUPPORTED => Ok(UnitKind::Processes),
        "processes" => Err(ProbeError::Unsupported("idle processes are not supported here".into())),
        "tokio-tasks" => Ok(UnitKind::TokioTasks),
        other => Err(ProbeError::Unsupported(format!("no unit kind `{other}`"))),
    }
}

/// The reserved stack of a spawned thread, bytes.
fn stack_reserved() -> u64 {
    std::env::var("RUST_MIN_STACK").ok().and_then(|s| s.parse().ok()).unwrap_or(DEFAULT_STACK)
}

type Gate = Arc<(Mutex<bool>, Condvar)>;

/// A set of idle units of one kind. Dropping it frees them all.
struct Crowd {
    kind: UnitKind,
    started: Arc<AtomicUsize>,
    gate: Gate,
    threads: Vec<JoinHandle<()>>,
    pids: Vec<i32>,
    pipe: Option<(OwnedFd, OwnedFd)>,
    rt: Option<tokio::runtime::Runtime>,
    /// Closed to wake every task, polled yet or not.
    gate_tasks: Arc<Semaphore>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Crowd {
    fn new(kind: UnitKind) -> Result<Crowd, ProbeError> {
        let pipe = if kind == UnitKind::Processes {
            let (r, w) = std::io::pipe().map_err(|e| ProbeError::Setup(format!("pipe: {e}")))?;
            Some((OwnedFd::from(r), OwnedFd::from(w)))
        } else {
            None
        };
        let rt = if kind == UnitKind::TokioTasks {
            Some(
                tokio::runtime::Builder::new_current_thread()
                    .build()
                    .map_err(|e| ProbeError::Setup(format!("tokio runtime: {e}")))?,
            )
        } else {
            None
        };
        Ok(Crowd {
            kind,
            started: Arc::new(AtomicUsize::new(0)),
            gate: Arc::new((Mutex::new(false), Condvar::new())),
            threads: Vec::new(),
            pids: Vec::new(),
            pipe,
            rt,
            gate_tasks: Arc::new(Semaphore::new(0)),
            tasks: Vec::new(),
        })
    }

    fn len(&self) -> usize {
        self.threads.len() + self.pids.len() + self.tasks.len()
    }

    /// One more idle unit.
    fn add(&mut self) -> Result<(), String> {
        match self.kind {
            UnitKind::Threads => {
                let (gate, started) = (Arc::clone(&self.gate), Arc::clone(&self.started));
                let h = std::thread::Builder::new()
                    .name("gilbench-idle".into())
                    .spawn(move || {
                        started.fetch_add(1, Ordering::Release);
                        let (lock, cv) = &*gate;
                        let mut released = lock.lock().unwrap_or_else(|e| e.into_inner());
                        while !*released {
                            released = cv.wait(released).unwrap_or_else(|e| e.into_inner());
                        }
                    })
                    .map_err(|e| format!("thread: {e}"))?;
                self.threads.push(h);
            }
            UnitKind::Processes => {
                let (r, w) = self.pipe.as_ref().ok_or("no pipe")?;
                let pid = sys::fork_idle(r.as_raw_fd(), w.as_raw_fd())
                    .map_err(|e| format!("fork: {e}"))?;
                self.pids.push(pid);
            }
            UnitKind::TokioTasks => {
                let rt = self.rt.as_ref().ok_or("no runtime")?;
                let (gate, started) = (Arc::clone(&self.gate_tasks), Arc::clone(&self.started));
                self.tasks.push(rt.spawn(async move {
                    started.fetch_add(1, Ordering::Release);
                    // Waits until the semaphore is closed.
                    let _ = gate.acquire().await;
                }));
            }
        }
        Ok(())
    }

    /// Waits until every thread runs and every task has been polled once (processes are idle
    /// from birth).
    fn settle(&mut self) -> Result<(), String> {
        let want = self.threads.len() + self.tasks.len();
        let start = Instant::now();
        if let Some(rt) = &self.rt {
            let started = Arc::clone(&self.started);
            rt.block_on(async {
                while started.load(Ordering::Acquire) < want && start.elapsed() < SETTLE_WITHIN {
                    tokio::task::yield_now().await;
                }
            });
        }
        while self.started.load(Ordering::Acquire) < want {
            if start.elapsed() > SETTLE_WITHIN {
                return Err("units did not start in time".into());
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        Ok(())
    }

    /// Frees every unit: threads joined, processes reaped, tasks finished. Returns how many
    /// could not be freed.
    fn release(&mut self) -> usize {
        let mut left = 0;
        {
            let (lock, cv) = &*self.gate;
            *lock.lock().unwrap_or_else(|e| e.into_inner()) = true;
            cv.notify_all();
        }
        for h in self.threads.drain(..) {
            left += usize::from(h.join().is_err());
        }
        // Closing our write end gives every child end-of-file.
        if let Some((r, w)) = self.pipe.take() {
            drop(w);
            for pid in self.pids.drain(..) {
                left += usize::from(sys::reap(pid).is_err());
            }
            drop(r);
        }
        if let Some(rt) = self.rt.as_ref() {
            self.gate_tasks.close();
            let tasks: Vec<_> = self.tasks.drain(..).collect();
            left += rt.block_on(async move {
                let mut failed = 0;
                for t in tasks {
                    failed += usize::from(t.await.is_err());
                }
                failed
            });
        }
        left
    }
}

impl Drop for Crowd {
    fn drop(&mut self) {
        self.release();
    }
}

/// Memory per idle unit.
#[derive(Debug)]
pub struct Footprint {
    kind: UnitKind,
    units: usize,
}

impl Footprint {
    /// A footprint probe of `units` idle units of kind `variant`.
    pub fn new(variant: &str, params: &FootprintParams) -> Result<Footprint, ProbeError> {
        if sys::rss_bytes().is_none() {
            return Err(ProbeError::Unsupported("no resident-set figure here".into()));
        }
        Ok(Footprint { kind: unit_kind(variant)?, units: params.units.max(1) as usize })
    }
}

impl Probe for Footprint {
    fn metric(&self) -> Metric {
        Metric { name: "memory per idle unit", unit: "B" }
    }

    fn units(&self) -> usize {
        self.units
    }

    fn sample(&mut self, deadline: Instant) -> Result<ProbeSample, ProbeError> {
        let start = Instant::now();
        let mut crowd = Crowd::new(self.kind)?;
        let (rss0, vm0, heap0) = (sys::rss_bytes(), sys::vm_bytes(), sys::heap_in_use());
        for _ in 0..self.units {
            if Instant::now() > deadline {
                return Err(ProbeError::Timeout);
            }
            crowd.add().map_err(|e| ProbeError::Failed(format!("creating a unit: {e}")))?;
        }
        crowd.settle().map_err(ProbeError::Failed)?;
        let created = start.elapsed();
        let (rss1, vm1, heap1) = (sys::rss_bytes(), sys::vm_bytes(), sys::heap_in_use());
        let n = self.units as f64;
        let per =
            |a: Option<u64>, b: Option<u64>| a.zip(b).map(|(a, b)| b.saturating_sub(a) as f64 / n);
        let mut counters = BTreeMap::new();
        let rss_per = per(rss0, rss1);
        if let Some(x) = rss_per {
            counters.insert("rss_delta_per_unit_bytes".into(), x);
        }
        if let Some(x) = per(vm0, vm1) {
            counters.insert("vm_delta_per_unit_bytes".into(), x);
        }
        let heap_per = per(heap0, heap1);
        if let Some(x) = heap_per {
            counters.insert("heap_per_unit_bytes".into(), x);
        }
        counters.insert("create_s_per_unit".into(), created.as_secs_f64() / n);
        let value = match self.kind {
            UnitKind::Processes => {
                let pss: Option<u64> = crowd.pids.iter().map(|&p| sys::pss_bytes(p)).sum();
                let pss = pss.ok_or_else(|| {
                    ProbeError::Unsupported("no smaps_rollup for the children".into())
                })?;
                counters.insert("pss_per_unit_bytes".into(), pss as f64 / n);
                pss as f64 / n
            }
            UnitKind::Threads => {
                counters.insert("stack_reserved_bytes".into(), stack_reserved() as f64);
                rss_per.unwrap_or(0.0)
            }
            // The allocator reuses freed memory, so RSS barely moves for small tasks: count
            // the heap they hold instead.
            UnitKind::TokioTasks => heap_per.or(rss_per).unwrap_or(0.0),
        };
        let left = crowd.release();
        counters.insert("left_behind".into(), left as f64);
        if left > 0 {
            return Err(ProbeError::Failed(format!("{left} units could not be freed")));
        }
        Ok(ProbeSample { value, wall: start.elapsed(), counters, ..ProbeSample::default() })
    }
}

/// What stopped a headroom sample first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoppedBy {
    /// The count limit.
    Count,
    /// The time limit.
    Time,
    /// The memory floor (a fifth of the machine's memory left available).
    Memory,
    /// Creating a unit failed.
    Error,
}

impl StoppedBy {
    /// The counter that says so (`stopped_by_count`, ...).
    pub fn counter(self) -> &'static str {
        match self {
            StoppedBy::Count => "stopped_by_count",
            StoppedBy::Time => "stopped_by_time",
            StoppedBy::Memory => "stopped_by_memory",
            StoppedBy::Error => "stopped_by_error",
        }
    }
}

/// How many idle units the machine takes within a bounded budget.
#[derive(Debug)]
pub struct Headroom {
    kind: UnitKind,
    max_units: usize,
    time_limit: Duration,
}

impl Headroom {
    /// A headroom probe of kind `variant` with its count and time limits.
    pub fn new(variant: &str, params: &HeadroomParams) -> Result<Headroom, ProbeError> {
        Ok(Headroom {
            kind: unit_kind(variant)?,
            max_units: params.max_units.max(1) as usize,
            time_limit: params.time_limit,
        })
    }
}

impl Probe for Headroom {
    fn metric(&self) -> Metric {
        Metric { name: "idle units created within the budget", unit: "units" }
    }

    fn units(&self) -> usize {
        self.max_units
    }

    fn sample(&mut self, deadline: Instant) -> Result<ProbeSample, ProbeError> {
        let start = Instant::now();
        let mut crowd = Crowd::new(self.kind)?;
        let floor = sys::memory().map(|(_, total)| total / 5);
        let stopped = loop {
            let n = crowd.len();
            if n >= self.max_units {
                break StoppedBy::Count;
            }
            if start.elapsed() >= self.time_limit || Instant::now() > deadline {
                break StoppedBy::Time;
            }
            if n.is_multiple_of(32)
                && let (Some(floor), Some((available, _))) = (floor, sys::memory())
                && available < floor
            {
                break StoppedBy::Memory;
            }
            if crowd.add().is_err() {
                break StoppedBy::Error;
            }
        };
        let created = crowd.len();
        let took = start.elapsed();
        let settled = crowd.settle();
        let left = crowd.release();
        settled.map_err(ProbeError::Failed)?;
        if left > 0 {
            return Err(ProbeError::Failed(format!("{left} units could not be freed")));
        }
        let mut counters = BTreeMap::new();
        counters.insert(stopped.counter().into(), 1.0);
        counters.insert("left_behind".into(), 0.0);
        if created > 0 {
            counters.insert("create_s_per_unit".into(), took.as_secs_f64() / created as f64);
        }
        Ok(ProbeSample {
            value: created as f64,
            wall: start.elapsed(),
            counters,
            ..ProbeSample::default()
        })
    }
}
