//! Contenders as threads: started together on a gate, run for the sample's duration (or a
//! fixed number of barrier rounds), then stopped; each returns its own tally so nothing it
//! counts shares a cache line with another contender.

use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::kinds::ThreadLock;
use super::sync::BoundedQueue;
use super::{Plan, Tally};
use crate::probe::ProbeError;

/// Every this many operations, one has its acquire latency timed.
pub(super) const LATENCY_EVERY: u64 = 32;
/// At most this many latencies per contender and sample.
pub(super) const LATENCY_CAP: usize = 4096;

/// One contender's own figures.
#[derive(Debug, Default)]
pub(super) struct Slot {
    pub(super) ops: u64,
    pub(super) writes: u64,
    pub(super) latencies: Vec<f64>,
    pub(super) end: Option<Instant>,
}

/// The start gate and stop flag of one sample.
#[derive(Debug, Default)]
pub(super) struct Gate {
    arrived: AtomicUsize,
    running: AtomicUsize,
    go: AtomicBool,
    stop: AtomicBool,
}

impl Gate {
    /// Waits for the start; `false` when the sample was called off first.
    pub(super) fn wait_start(&self) -> bool {
        self.arrived.fetch_add(1, Ordering::AcqRel);
        while !self.go.load(Ordering::Acquire) {
            // A fixed-rounds sample raises `stop` right after `go`: `go` seen after `stop`
            // (stored before it) means the sample started, and this contender must run.
            if self.stop.load(Ordering::Acquire) && !self.go.load(Ordering::Acquire) {
                return false;
            }
            std::thread::yield_now();
        }
        self.running.fetch_add(1, Ordering::AcqRel);
        true
    }

    /// Whether the sample is over.
    #[inline]
    pub(super) fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
}

/// How the coordinator ends a sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// Sets the stop flag after the plan's duration; the wall time ends there.
    Timed,
    /// Waits for every contender to finish its fixed work; the wall time ends with the last.
    Finish,
}

/// Runs `n` contenders of `body` on scoped threads, released together; `on_stop` runs right
/// after the stop flag is set (to wake contenders blocked in the primitive).
fn run_contenders(
    n: usize,
    plan: &Plan,
    ending: Ending,
    deadline: Instant,
    cancel: &AtomicBool,
    body: impl Fn(usize, &Gate) -> Slot + Sync,
    on_stop: impl Fn(),
) -> Result<(Vec<Slot>, Duration), ProbeError> {
    let gate = Gate::default();
    std::thread::scope(|s| {
        let mut handles = Vec::with_capacity(n);
        let mut spawn_error = None;
        for i in 0..n {
            let (gate, body) = (&gate, &body);
            match std::thread::Builder::new()
                .name(format!("gilbench-lock-{i}"))
                .spawn_scoped(s, move || body(i, gate))
            {
                Ok(h) => handles.push(h),
                Err(e) => {
                    spawn_error = Some(ProbeError::Setup(format!("starting contender {i}: {e}")));
                    break;
                }
            }
        }
        let mut outcome = Ok(());
        if let Some(e) = spawn_error {
            outcome = Err(e);
        } else {
            while gate.arrived.load(Ordering::Acquire) < n {
                if Instant::now() > deadline {
                    outcome = Err(ProbeError::Timeout);
                    break;
                }
                std::thread::yield_now();
            }
        }
        let start = Instant::now();
        let mut stopped_at = start;
        if outcome.is_ok() {
            gate.go.store(true, Ordering::Release);
            if ending == Ending::Timed {
                let running = || gate.running.load(Ordering::Acquire);
                outcome = super::run_for(n, running, plan.duration, deadline, cancel);
            }
            stopped_at = Instant::now();
        }
        gate.stop.store(true, Ordering::Release);
        on_stop();
        let mut slots = Vec::with_capacity(n);
        for h in handles {
            match h.join() {
                Ok(slot) => slots.push(slot),
                Err(_) => outcome = Err(ProbeError::Failed("a contender thread panicked".into())),
            }
        }
        outcome?;
        let wall = match ending {
            Ending::Timed => stopped_at - start,
            Ending::Finish => slots.iter().filter_map(|s| s.end).max().unwrap_or(start) - start,
        };
        Ok((slots, wall))
    })
}

fn tally(slots: Vec<Slot>, wall: Duration) -> Tally {
    let mut t = Tally { wall, ..Tally::default() };
    for s in slots {
        t.ops.push(s.ops);
        t.writes += s.writes;
        t.latencies.extend(s.latencies);
    }
    t
}

/// `plan.contenders` threads contend for `lock` for the plan's duration.
pub(super) fn contend<L: ThreadLock>(
    lock: &L,
    plan: &Plan,
    deadline: Instant,
    cancel: &AtomicBool,
) -> Result<Tally, ProbeError> {
    let body = |i: usize, gate: &Gate| {
        let mut slot = Slot::default();
        if !gate.wait_start() {
            return slot;
        }
        let mut rng = fastrand::Rng::with_seed(plan.seed ^ (i as u64).wrapping_mul(0x9E37_79B9));
        while !gate.stopped() {
            let read = plan.read_percent > 0 && rng.u32(0..100) < plan.read_percent;
            if slot.ops.is_multiple_of(LATENCY_EVERY) && slot.latencies.len() < LATENCY_CAP {
                let t = Instant::now();
                let mut waited = 0.0;
                lock.op(read, || {
                    waited = t.elapsed().as_secs_f64();
                    plan.section.run();
                });
                slot.latencies.push(waited);
            } else {
                lock.op(read, || plan.section.run());
            }
            plan.outside.run();
            slot.ops += 1;
            slot.writes += u64::from(!read);
        }
        slot
    };
    let (slots, wall) =
        run_contenders(plan.contenders, plan, Ending::Timed, deadline, cancel, body, || {})?;
    Ok(tally(slots, wall))
}

/// One thread alone takes and releases `lock` for the plan's duration.
pub(super) fn alone<L: ThreadLock>(lock: &L, plan: &Plan, deadline: Instant) -> Tally {
    const CHUNK: u64 = 256;
    let mut rng = fastrand::Rng::with_seed(plan.seed);
    let (mut ops, mut writes) = (0u64, 0u64);
    let start = Instant::now();
    let end = (start + plan.duration).min(deadline);
    loop {
        for _ in 0..CHUNK {
            let read = plan.read_percent > 0 && rng.u32(0..100) < plan.read_percent;
            lock.op(read, || plan.section.run());
            plan.outside.run();
            writes += u64::from(!read);
        }
        ops += CHUNK;
        if Instant::now() >= end {
            break;
        }
    }
    Tally { ops: vec![ops], writes, wall: start.elapsed(), ..Tally::default() }
}

/// Producers put numbered items into `queue` and consumers take them out, for the plan's
/// duration; returns the tally (ops per contender: puts, then gets; `writes`: items taken)
/// and whether every item put was taken exactly once (count and sum).
pub(super) fn queue(
    queue: &BoundedQueue,
    producers: usize,
    consumers: usize,
    plan: &Plan,
    deadline: Instant,
    cancel: &AtomicBool,
) -> Result<(Tally, bool), ProbeError> {
    queue.reopen();
    let put_sum = AtomicU64::new(0);
    let got_sum = AtomicU64::new(0);
    let body = |i: usize, gate: &Gate| {
        let mut slot = Slot::default();
        if !gate.wait_start() {
            return slot;
        }
        let mut sum = 0u64;
        if i < producers {
            let mut item = (i as u64) << 40;
            while !gate.stopped() {
                plan.outside.run();
                item += 1;
                if !queue.put(item) {
                    break;
                }
                sum = sum.wrapping_add(item);
                slot.ops += 1;
            }
            put_sum.fetch_add(sum, Ordering::Relaxed);
        } else {
            while let Some(item) = queue.get() {
                plan.section.run();
                sum = sum.wrapping_add(item);
                slot.ops += 1;
            }
            slot.writes = slot.ops;
            got_sum.fetch_add(sum, Ordering::Relaxed);
        }
        slot
    };
    let (slots, wall) =
        run_contenders(producers + consumers, plan, Ending::Timed, deadline, cancel, body, || {
            queue.close()
        })?;
    let put: u64 = slots[..producers].iter().map(|s| s.ops).sum();
    let t = tally(slots, wall);
    let exact = t.writes == put && put_sum.into_inner() == got_sum.into_inner();
    Ok((t, exact))
}

/// `plan.contenders` threads pass a `std::sync::Barrier` `rounds` times; returns the tally
/// (ops per contender = rounds passed) and whether no thread ever left a round before every
/// thread had arrived.
pub(super) fn barrier(
    rounds: u64,
    plan: &Plan,
    deadline: Instant,
    cancel: &AtomicBool,
) -> Result<(Tally, bool), ProbeError> {
    let n = plan.contenders;
    let barrier = Barrier::new(n);
    let arrivals = AtomicU64::new(0);
    let early = AtomicBool::new(false);
    let body = |_: usize, gate: &Gate| {
        let mut slot = Slot::default();
        if !gate.wait_start() {
            return slot;
        }
        for round in 1..=rounds {
            plan.outside.run();
            plan.section.run();
            arrivals.fetch_add(1, Ordering::AcqRel);
            barrier.wait();
            if arrivals.load(Ordering::Acquire) < round * n as u64 {
                early.store(true, Ordering::Relaxed);
            }
            slot.ops += 1;
        }
        slot.writes = slot.ops;
        slot.end = Some(Instant::now());
        slot
    };
    let (slots, wall) = run_contenders(n, plan, Ending::Finish, deadline, cancel, body, || {})?;
    Ok((tally(slots, wall), !early.into_inner()))
}
