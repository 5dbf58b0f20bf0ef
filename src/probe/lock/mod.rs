//! The lock probe: what taking a lock costs alone (ns per acquire + release) and how much
//! work gets through it when contenders compete (operations per second), with per-operation
//! acquire latency, CPU time per operation (spinning shows here) and fairness (each
//! contender's share of the operations: min/max ratio and Jain's index).
//!
//! One variant per kind (see [`KIND_NAMES`]): std, parking_lot and fair parking_lot mutexes, a
//! test-and-test-and-set spin lock (for contrast), std and parking_lot `RwLock` with a swept
//! read share, parking_lot's `ReentrantMutex` nested `depth` times, an atomic `fetch_add`
//! (the lock-free baseline), a counting semaphore, a Condvar-based bounded buffer, `Barrier`,
//! tokio's `Mutex` and `Semaphore` between tasks, and a process-shared pthread mutex and
//! POSIX semaphore between processes.
//!
//! Every sample checks the lock: the counter it guards is bumped with a plain load and store,
//! so a lock that does not exclude loses updates and the sample fails.

pub mod kinds;
mod params;
mod procs;
#[cfg(target_os = "linux")]
#[path = "shm_linux.rs"]
mod shm;
#[cfg(not(target_os = "linux"))]
#[path = "shm_other.rs"]
mod shm;
pub mod spin;
pub mod sync;
pub mod tasks;
mod threads;
pub mod work;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use crossbeam_utils::CachePadded;
use tokio::runtime::Runtime;

use self::kinds::{
    Atomic, CountingSemaphore, ParkingLotFairMutex, ParkingLotMutex, ParkingLotRwLock, Reentrant,
    Spin, StdMutex, StdRwLock, ThreadLock,
};
use self::procs::{Peers, ProcKind};
use self::shm::Region;
use self::sync::BoundedQueue;
use self::tasks::AsyncLock;
use self::work::Work;
use super::{Metric, Probe, ProbeEnv, ProbeError, ProbeSample};
use crate::measure::Usage;
use crate::stats::percentile;

pub use self::params::{LockMode, LockParams};
pub use self::procs::peer_main;

/// The lock kinds, as scenario files name them (the probe's variants).
pub const KIND_NAMES: &[&str] = &[
    "std",
    "parking_lot",
    "parking_lot_fair",
    "spin",
    "std_rwlock",
    "parking_lot_rwlock",
    "reentrant",
    "atomic",
    "semaphore",
    "condvar_queue",
    "barrier",
    "tokio_mutex",
    "tokio_semaphore",
    "process_mutex",
    "process_semaphore",
];

/// Contenders, sample length, and the work done per operation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Plan {
    contenders: usize,
    duration: Duration,
    section: Work,
    outside: Work,
    read_percent: u32,
    seed: u64,
}

/// What contenders did in one sample.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tally {
    /// Operations per contender.
    ops: Vec<u64>,
    /// Operations that bumped the guarded counter.
    writes: u64,
    /// Sampled acquire latencies, seconds.
    latencies: Vec<f64>,
    /// From the start to the stop of the contenders.
    wall: Duration,
    /// How far the guarded counter moved, where the engine reads it itself.
    counted: Option<u64>,
    /// CPU used by peer processes.
    worker_usage: Usage,
    /// CPU seconds of peer processes, from their precise process clocks.
    peer_cpu_s: f64,
}

/// The kinds shared by threads that go through [`ThreadLock`].
enum ThreadKind {
    Std(StdMutex),
    ParkingLot(ParkingLotMutex),
    Fair(ParkingLotFairMutex),
    Spin(Spin),
    StdRw(StdRwLock),
    ParkingLotRw(ParkingLotRwLock),
    Reentrant(Reentrant),
    Atomic(Atomic),
    Semaphore(CountingSemaphore),
}

/// Something done with a thread lock of any kind.
trait Visit {
    type Out;
    fn visit<L: ThreadLock>(self, lock: &L) -> Self::Out;
}

impl ThreadKind {
    fn with<V: Visit>(&self, v: V) -> V::Out {
        match self {
            ThreadKind::Std(l) => v.visit(l),
            ThreadKind::ParkingLot(l) => v.visit(l),
            ThreadKind::Fair(l) => v.visit(l),
            ThreadKind::Spin(l) => v.visit(l),
            ThreadKind::StdRw(l) => v.visit(l),
            ThreadKind::ParkingLotRw(l) => v.visit(l),
            ThreadKind::Reentrant(l) => v.visit(l),
            ThreadKind::Atomic(l) => v.visit(l),
            ThreadKind::Semaphore(l) => v.visit(l),
        }
    }
}

/// How the probe runs its contenders.
enum Engine {
    Threads(CachePadded<ThreadKind>),
    Queue(CachePadded<BoundedQueue>, usize, usize),
    Barrier(u64),
    Tasks(Runtime, Arc<AsyncLock>),
    Peers(Peers),
    Alone(Region, ProcKind),
}

/// One case of the lock probe.
pub struct LockProbe {
    kind: &'static str,
    contended: bool,
    plan: Plan,
    engine: Engine,
    cancel: Arc<AtomicBool>,
}

impl std::fmt::Debug for LockProbe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LockProbe")
            .field("kind", &self.kind)
            .field("contended", &self.contended)
            .field("plan", &self.plan)
            .finish_non_exhaustive()
    }
}

struct Contend<'a> {
    plan: &'a Plan,
    deadline: Instant,
    cancel: &'a AtomicBool,
}

impl Visit for Contend<'_> {
    type Out = Result<(Tally, u64, u64), ProbeError>;
    fn visit<L: ThreadLock>(self, lock: &L) -> Self::Out {
        let before = lock.counter();
        let t = threads::contend(lock, self.plan, self.deadline, self.cancel)?;
        Ok((t, before, lock.counter()))
    }
}

struct Alone<'a> {
    plan: &'a Plan,
    deadline: Instant,
}

impl Visit for Alone<'_> {
    type Out = (Tally, u64, u64);
    fn visit<L: ThreadLock>(self, lock: &L) -> Self::Out {
        let before = lock.counter();
        let t = threads::alone(lock, self.plan, self.deadline);
        (t, before, lock.counter())
    }
}

impl LockProbe {
    /// Builds the lock of `variant` and, for contended process kinds, starts the peers.
    pub fn new(
        variant: &str,
        params: &LockParams,
        env: &ProbeEnv,
    ) -> Result<LockProbe, ProbeError> {
        let kind =
            KIND_NAMES.iter().copied().find(|k| *k == variant).ok_or_else(|| {
                ProbeError::Unsupported(format!("lock has no variant `{variant}`"))
            })?;
        let contended = params.mode == LockMode::Contended;
        let contenders = params.contenders.max(1) as usize;
        if !contended && contenders != 1 {
            return Err(ProbeError::Setup(format!(
                "mode = \"uncontended\" takes the lock from one thread; contenders = {contenders}"
            )));
        }
        let plan = Plan {
            contenders,
            duration: params.duration,
            section: Work::lasting(params.critical_section),
            outside: Work::lasting(params.outside_work),
            read_percent: if kind.ends_with("rwlock") {
                params.read_percent.min(100) as u32
            } else {
                0
            },
            seed: 0x6c6f_636b,
        };
        let permits = params.permits.clamp(1, u64::from(u32::MAX)) as usize;
        let thread = |k: ThreadKind| Engine::Threads(CachePadded::new(k));
        let engine = match kind {
            "std" => thread(ThreadKind::Std(StdMutex::default())),
            "parking_lot" => thread(ThreadKind::ParkingLot(ParkingLotMutex::default())),
            "parking_lot_fair" => thread(ThreadKind::Fair(ParkingLotFairMutex::default())),
            "spin" => thread(ThreadKind::Spin(Spin::default())),
            "std_rwlock" => thread(ThreadKind::StdRw(StdRwLock::default())),
            "parking_lot_rwlock" => thread(ThreadKind::ParkingLotRw(ParkingLotRwLock::default())),
            "reentrant" => thread(ThreadKind::Reentrant(Reentrant::new(params.depth as usize))),
            "atomic" => thread(ThreadKind::Atomic(Atomic::default())),
            "semaphore" => thread(ThreadKind::Semaphore(CountingSemaphore::new(permits))),
            "condvar_queue" => {
                let producers = contenders.div_ceil(2);
                let consumers = if contended { (contenders / 2).max(1) } else { 0 };
                let capacity = params.capacity.max(1) as usize;
                Engine::Queue(CachePadded::new(BoundedQueue::new(capacity)), producers, consumers)
            }
            "barrier" => Engine::Barrier(64),
            "tokio_mutex" | "tokio_semaphore" => {
                let lock = if kind == "tokio_mutex" {
                    AsyncLock::mutex()
                } else {
                    AsyncLock::semaphore(permits)
                };
                Engine::Tasks(tasks::runtime()?, Arc::new(lock))
            }
            _ => {
                let pk =
                    if kind == "process_mutex" { ProcKind::Mutex } else { ProcKind::Semaphore };
                let permits = permits.min(i32::MAX as usize) as u32;
                if contended {
                    Engine::Peers(Peers::start(env, pk, permits, &plan)?)
                } else {
                    let region = procs::region(pk, permits)?;
                    region.header().permits.store(permits, std::sync::atomic::Ordering::Relaxed);
                    Engine::Alone(region, pk)
                }
            }
        };
        Ok(LockProbe { kind, contended, plan, engine, cancel: Arc::clone(&env.cancel) })
    }

    /// Runs the engine once: the tally and whether the guarded state checked out.
    fn run(&mut self, deadline: Instant) -> Result<Tally, ProbeError> {
        let (plan, cancel) = (&self.plan, &*self.cancel);
        let exactly = |t: Tally, before: u64, after: u64| {
            Ok(Tally { counted: Some(after.wrapping_sub(before)), ..t })
        };
        match &mut self.engine {
            Engine::Threads(k) if self.contended => {
                let (t, before, after) = k.with(Contend { plan, deadline, cancel })?;
                exactly(t, before, after)
            }
            Engine::Threads(k) => {
                let (t, before, after) = k.with(Alone { plan, deadline });
                exactly(t, before, after)
            }
            Engine::Queue(q, producers, consumers) => {
                if !self.contended {
                    return Ok(queue_alone(q, plan, deadline));
                }
                let (t, ok) = threads::queue(q, *producers, *consumers, plan, deadline, cancel)?;
                if !ok {
                    return Err(ProbeError::Failed(
                        "the bounded buffer lost or duplicated items".into(),
                    ));
                }
                Ok(t)
            }
            Engine::Barrier(rounds) => {
                let p = if self.contended { *plan } else { Plan { contenders: 1, ..*plan } };
                let (t, ok) = threads::barrier(*rounds, &p, deadline, cancel)?;
                if !ok {
                    return Err(ProbeError::Failed(
                        "a thread left the barrier before every thread had arrived".into(),
                    ));
                }
                // Aim the next sample's rounds at the plan's duration.
                let scale = plan.duration.as_secs_f64() / t.wall.as_secs_f64().max(1e-6);
                *rounds = ((*rounds as f64 * scale) as u64).clamp(8, 10_000_000);
                Ok(t)
            }
            Engine::Tasks(rt, lock) => {
                let before = rt.block_on(lock.counter());
                let t = if self.contended {
                    tasks::contend(rt, lock, plan, deadline, cancel)?
                } else {
                    tasks::alone(rt, lock, plan, deadline)
                };
                let after = rt.block_on(lock.counter());
                exactly(t, before, after)
            }
            Engine::Peers(peers) => peers.sample(plan, deadline, cancel),
            Engine::Alone(region, pk) => procs::alone(region, *pk, plan, deadline),
        }
    }
}

/// The timed part of a contended sample: waits until `running()` says all `n` contenders have
/// started (or the deadline passes), so one the scheduler starts late still runs for about the
/// whole sample, then lets them run for `duration`, watching the deadline and the cancel flag.
pub(super) fn run_for(
    n: usize,
    running: impl Fn() -> usize,
    duration: Duration,
    deadline: Instant,
    cancel: &AtomicBool,
) -> Result<(), ProbeError> {
    while running() < n && Instant::now() < deadline {
        std::thread::yield_now();
    }
    let end = Instant::now() + duration;
    loop {
        let now = Instant::now();
        if now >= end {
            return Ok(());
        }
        if now > deadline {
            return Err(ProbeError::Timeout);
        }
        if cancel.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(ProbeError::Interrupted);
        }
        std::thread::sleep((end - now).min(Duration::from_millis(5)));
    }
}

fn queue_alone(q: &BoundedQueue, plan: &Plan, deadline: Instant) -> Tally {
    const CHUNK: u64 = 256;
    q.reopen();
    let mut ops = 0u64;
    let start = Instant::now();
    let end = (start + plan.duration).min(deadline);
    loop {
        for i in 0..CHUNK {
            plan.outside.run();
            q.put(i);
            std::hint::black_box(q.get());
            plan.section.run();
        }
        ops += CHUNK;
        if Instant::now() >= end {
            break;
        }
    }
    Tally { ops: vec![ops], writes: ops, wall: start.elapsed(), ..Tally::default() }
}

/// Jain's fairness index of per-contender shares: 1 when equal, 1/n when one takes all.
pub fn jain_index(shares: &[u64]) -> f64 {
    let sum: f64 = shares.iter().map(|&x| x as f64).sum();
    let squares: f64 = shares.iter().map(|&x| (x as f64) * (x as f64)).sum();
    if squares == 0.0 { 1.0 } else { sum * sum / (shares.len() as f64 * squares) }
}

impl Probe for LockProbe {
    fn metric(&self) -> Metric {
        match (self.contended, self.kind) {
            (false, _) => Metric { name: "one acquire + release, uncontended", unit: "s" },
            (true, "condvar_queue") => {
                Metric { name: "items through the buffer per second", unit: "ops/s" }
            }
            (true, "barrier") => Metric { name: "barrier rounds per second", unit: "ops/s" },
            (true, _) => {
                Metric { name: "lock operations per second, all contenders", unit: "ops/s" }
            }
        }
    }

    fn units(&self) -> usize {
        match &self.engine {
            Engine::Queue(_, p, c) => p + c,
            _ if !self.contended => 1,
            _ => self.plan.contenders,
        }
    }

    fn sample(&mut self, deadline: Instant) -> Result<ProbeSample, ProbeError> {
        if Instant::now() + self.plan.duration > deadline {
            return Err(ProbeError::Timeout);
        }
        let cpu_before = shm::process_cpu_s();
        let t = self.run(deadline)?;
        let cpu_s = shm::process_cpu_s() - cpu_before + t.peer_cpu_s;
        if let Some(counted) = t.counted
            && counted != t.writes
        {
            return Err(ProbeError::Failed(format!(
                "{}: the guarded counter moved by {counted} in {} operations: the lock did not exclude",
                self.kind, t.writes
            )));
        }
        let total: u64 = match self.kind {
            "condvar_queue" => t.writes,
            "barrier" => t.ops.iter().copied().max().unwrap_or(0),
            _ => t.ops.iter().sum(),
        };
        if total == 0 {
            return Err(ProbeError::Failed("no operation completed in the sample".into()));
        }
        let wall_s = t.wall.as_secs_f64().max(1e-9);
        let ops_per_s = total as f64 / wall_s;
        let mut counters = BTreeMap::new();
        counters.insert("ops_per_s".to_string(), ops_per_s);

        counters.insert("cpu_s_per_op".to_string(), cpu_s / total as f64);
        if !t.latencies.is_empty() {
            counters.insert("acquire_p50_s".to_string(), percentile(&t.latencies, 50.0));
            counters.insert("acquire_p99_s".to_string(), percentile(&t.latencies, 99.0));
        }
        if t.ops.len() > 1 {
            let max = t.ops.iter().copied().max().unwrap_or(0).max(1) as f64;
            let min = t.ops.iter().copied().min().unwrap_or(0) as f64;
            counters.insert("fairness_min_max".to_string(), min / max);
            counters.insert("fairness_jain".to_string(), jain_index(&t.ops));
        }
        let value = if self.contended { ops_per_s } else { wall_s / total as f64 };
        Ok(ProbeSample { value, wall: t.wall, counters, worker_usage: t.worker_usage })
    }
}
