//! Contenders as tokio tasks on a multi-thread runtime: a `tokio::sync::Mutex` or
//! `tokio::sync::Semaphore` taken with `.await`, the section run with it held.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

use tokio::runtime::Runtime;

use super::kinds::plain_bump;
use super::threads::{LATENCY_CAP, LATENCY_EVERY};
use super::{Plan, Tally};
use crate::probe::ProbeError;

/// An async lock guarding a counter.
#[derive(Debug)]
pub enum AsyncLock {
    /// `tokio::sync::Mutex`.
    Mutex(tokio::sync::Mutex<u64>),
    /// `tokio::sync::Semaphore` with this many permits; the counter beside it.
    Semaphore(tokio::sync::Semaphore, usize, AtomicU64),
}

impl AsyncLock {
    /// A tokio mutex.
    pub fn mutex() -> AsyncLock {
        AsyncLock::Mutex(tokio::sync::Mutex::new(0))
    }

    /// A tokio semaphore with `permits` (at least 1) permits.
    pub fn semaphore(permits: usize) -> AsyncLock {
        let permits = permits.max(1);
        AsyncLock::Semaphore(tokio::sync::Semaphore::new(permits), permits, AtomicU64::new(0))
    }

    /// One operation: acquire, `section`, bump the counter, release. `false` if the
    /// semaphore was closed (never here).
    pub async fn op(&self, section: impl FnOnce()) -> bool {
        match self {
            AsyncLock::Mutex(m) => {
                let mut g = m.lock().await;
                section();
                *g += 1;
                true
            }
            AsyncLock::Semaphore(sem, permits, counter) => {
                let Ok(permit) = sem.acquire().await else { return false };
                section();
                if *permits == 1 {
                    plain_bump(counter);
                } else {
                    counter.fetch_add(1, Ordering::Relaxed);
                }
                drop(permit);
                true
            }
        }
    }

    /// The counter.
    pub async fn counter(&self) -> u64 {
        match self {
            AsyncLock::Mutex(m) => *m.lock().await,
            AsyncLock::Semaphore(_, _, c) => c.load(Ordering::Acquire),
        }
    }
}

/// The runtime the tasks run on: one worker per CPU.
pub(super) fn runtime() -> Result<Runtime, ProbeError> {
    tokio::runtime::Builder::new_multi_thread()
        .thread_name("gilbench-lock-rt")
        .build()
        .map_err(|e| ProbeError::Setup(format!("tokio runtime: {e}")))
}

/// `plan.contenders` tasks contend for `lock` for the plan's duration.
pub(super) fn contend(
    rt: &Runtime,
    lock: &Arc<AsyncLock>,
    plan: &Plan,
    deadline: Instant,
    cancel: &AtomicBool,
) -> Result<Tally, ProbeError> {
    let n = plan.contenders;
    let arrived = Arc::new(AtomicUsize::new(0));
    let running = Arc::new(AtomicUsize::new(0));
    let go = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let (section, outside) = (plan.section, plan.outside);
    rt.block_on(async {
        let mut handles = Vec::with_capacity(n);
        for _ in 0..n {
            let (lock, arrived, go, stop) =
                (Arc::clone(lock), Arc::clone(&arrived), Arc::clone(&go), Arc::clone(&stop));
            let running = Arc::clone(&running);
            handles.push(tokio::spawn(async move {
                let (mut ops, mut latencies, mut ok) = (0u64, Vec::new(), true);
                arrived.fetch_add(1, Ordering::AcqRel);
                while !go.load(Ordering::Acquire) && !stop.load(Ordering::Acquire) {
                    tokio::task::yield_now().await;
                }
                running.fetch_add(1, Ordering::AcqRel);
                while !stop.load(Ordering::Relaxed) {
                    if ops.is_multiple_of(LATENCY_EVERY) && latencies.len() < LATENCY_CAP {
                        let t = Instant::now();
                        let mut waited = 0.0;
                        ok = lock
                            .op(|| {
                                waited = t.elapsed().as_secs_f64();
                                section.run();
                            })
                            .await;
                        latencies.push(waited);
                    } else {
                        ok = lock.op(|| section.run()).await;
                    }
                    if !ok {
                        break;
                    }
                    outside.run();
                    ops += 1;
                }
                (ops, latencies, ok)
            }));
        }
        let mut outcome = Ok(());
        while arrived.load(Ordering::Acquire) < n {
            if Instant::now() > deadline {
                outcome = Err(ProbeError::Timeout);
                break;
            }
            std::thread::yield_now();
        }
        let start = Instant::now();
        if outcome.is_ok() {
            go.store(true, Ordering::Release);
            let started = || running.load(Ordering::Acquire);
            outcome = super::run_for(n, started, plan.duration, deadline, cancel);
        }
        let wall = start.elapsed();
        stop.store(true, Ordering::Release);
        let mut t = Tally { wall, ..Tally::default() };
        for h in handles {
            match h.await {
                Ok((ops, lat, ok)) => {
                    if !ok {
                        outcome = Err(ProbeError::Failed("the semaphore was closed".into()));
                    }
                    t.ops.push(ops);
                    t.writes += ops;
                    t.latencies.extend(lat);
                }
                Err(e) => outcome = Err(ProbeError::Failed(format!("a contender task: {e}"))),
            }
        }
        outcome.map(|()| t)
    })
}

/// One task alone takes and releases `lock` for the plan's duration.
pub(super) fn alone(rt: &Runtime, lock: &AsyncLock, plan: &Plan, deadline: Instant) -> Tally {
    const CHUNK: u64 = 256;
    rt.block_on(async {
        let mut ops = 0u64;
        let start = Instant::now();
        let end = (start + plan.duration).min(deadline);
        loop {
            for _ in 0..CHUNK {
                lock.op(|| plan.section.run()).await;
                plan.outside.run();
            }
            ops += CHUNK;
            if Instant::now() >= end {
                break;
            }
        }
        Tally { ops: vec![ops], writes: ops, wall: start.elapsed(), ..Tally::default() }
    })
}
