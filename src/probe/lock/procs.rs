//! Contenders as processes: peers re-executed from the gilbench binary (`__lockpeer`), sharing
//! one region with a process-shared pthread mutex or POSIX semaphore (what
//! `multiprocessing.Lock` is built on). The parent only coordinates: it resets the region,
//! starts a sample by bumping a generation word (a futex the peers sleep on), stops it with a
//! flag and collects what each peer wrote into its slot. Peers are killed and reaped on drop;
//! the region goes with the last process holding it.

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crossbeam_utils::CachePadded;

use super::shm::{self, Region};
use super::threads::LATENCY_EVERY;
use super::work::Work;
use super::{Plan, Tally};
use crate::measure::Usage;
use crate::probe::{ProbeEnv, ProbeError};

/// Most peers one region holds.
pub(super) const MAX_PEERS: usize = 64;
/// Latencies one peer keeps per sample.
const SLOT_LATENCIES: usize = 1024;
/// Marks an initialised region (and its layout version).
pub(super) const MAGIC: u64 = 0x6769_6c62_6c6b_0001;

/// Which process-shared lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub(super) enum ProcKind {
    /// A `PTHREAD_PROCESS_SHARED` mutex.
    Mutex = 1,
    /// A `sem_init(pshared = 1)` semaphore.
    Semaphore = 2,
}

impl ProcKind {
    fn from_raw(v: u32) -> ProcKind {
        if v == ProcKind::Semaphore as u32 { ProcKind::Semaphore } else { ProcKind::Mutex }
    }
}

/// The control block at the start of the region.
#[repr(C)]
pub(super) struct Header {
    pub(super) magic: AtomicU64,
    pub(super) kind: AtomicU32,
    pub(super) permits: AtomicU32,
    /// Bumped by the parent to start a sample (a futex word).
    pub(super) generation: AtomicU32,
    pub(super) quit: AtomicU32,
    pub(super) ready: AtomicU32,
    pub(super) arrived: AtomicU32,
    pub(super) go: AtomicU32,
    pub(super) stop: AtomicU32,
    /// Peers done with the sample (a futex word).
    pub(super) done: AtomicU32,
    /// Peers past the start.
    pub(super) running: AtomicU32,
    pub(super) section_steps: AtomicU64,
    pub(super) outside_steps: AtomicU64,
    /// The guarded counter, alone in its cache lines.
    pub(super) counter: CachePadded<AtomicU64>,
}

/// What one peer reports about one sample.
#[repr(C, align(128))]
pub(super) struct PeerSlot {
    ops: AtomicU64,
    user_ns: AtomicU64,
    sys_ns: AtomicU64,
    voluntary_cs: AtomicU64,
    involuntary_cs: AtomicU64,
    cpu_ns: AtomicU64,
    error: AtomicU32,
    latencies: AtomicU32,
    latency_ns: [AtomicU64; SLOT_LATENCIES],
}

/// Peer processes contending for a region's lock.
pub(super) struct Peers {
    region: Region,
    kind: ProcKind,
    children: Vec<Child>,
}

impl std::fmt::Debug for Peers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Peers")
            .field("kind", &self.kind)
            .field("peers", &self.children.len())
            .finish_non_exhaustive()
    }
}

/// A region with no peers, for the uncontended cost (the parent takes the lock alone).
pub(super) fn region(kind: ProcKind, permits: u32) -> Result<Region, ProbeError> {
    Region::create(kind, permits)
}

fn bump(region: &Region, kind: ProcKind, permits: u32) {
    let counter = &region.header().counter;
    if kind == ProcKind::Mutex || permits == 1 {
        super::kinds::plain_bump(counter);
    } else {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

fn lock_error(what: &str, errno: i32) -> ProbeError {
    ProbeError::Failed(format!("{what}: {}", std::io::Error::from_raw_os_error(errno)))
}

/// The parent alone takes and releases the region's lock for the plan's duration.
pub(super) fn alone(
    region: &Region,
    kind: ProcKind,
    plan: &Plan,
    deadline: Instant,
) -> Result<Tally, ProbeError> {
    const CHUNK: u64 = 256;
    let permits = region.header().permits.load(Ordering::Relaxed);
    let before = region.header().counter.load(Ordering::Acquire);
    let mut ops = 0u64;
    let start = Instant::now();
    let end = (start + plan.duration).min(deadline);
    loop {
        for _ in 0..CHUNK {
            region.acquire(kind).map_err(|e| lock_error("acquire", e))?;
            plan.section.run();
            bump(region, kind, permits);
            region.release(kind).map_err(|e| lock_error("release", e))?;
            plan.outside.run();
        }
        ops += CHUNK;
        if Instant::now() >= end {
            break;
        }
    }
    let wall = start.elapsed();
    let counted = region.header().counter.load(Ordering::Acquire).wrapping_sub(before);
    Ok(Tally { ops: vec![ops], writes: ops, wall, counted: Some(counted), ..Tally::default() })
}

impl Peers {
    /// Creates the region and starts `plan.contenders` peers; returns once all are attached.
    pub(super) fn start(
        env: &ProbeEnv,
        kind: ProcKind,
        permits: u32,
        plan: &Plan,
    ) -> Result<Peers, ProbeError> {
        let n = plan.contenders;
        if n > MAX_PEERS {
            return Err(ProbeError::Setup(format!(
                "{n} contender processes; at most {MAX_PEERS} share one lock region"
            )));
        }
        let region = Region::create(kind, permits)?;
        let h = region.header();
        h.permits.store(permits, Ordering::Relaxed);
        h.section_steps.store(plan.section.steps, Ordering::Relaxed);
        h.outside_steps.store(plan.outside.steps, Ordering::Release);
        let mut peers = Peers { region, kind, children: Vec::with_capacity(n) };
        for i in 0..n {
            let child = Command::new(&env.worker_exe)
                .arg("__lockpeer")
                .arg(i.to_string())
                .arg(std::process::id().to_string())
                .stdin(Stdio::from(peers.region.share_fd()?))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| ProbeError::Setup(format!("starting lock peer {i}: {e}")))?;
            peers.children.push(child);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while (peers.region.header().ready.load(Ordering::Acquire) as usize) < n {
            peers.check_alive()?;
            if Instant::now() > deadline {
                return Err(ProbeError::Setup("lock peers did not attach within 10 s".into()));
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        Ok(peers)
    }

    fn check_alive(&mut self) -> Result<(), ProbeError> {
        for (i, c) in self.children.iter_mut().enumerate() {
            if let Ok(Some(status)) = c.try_wait() {
                return Err(ProbeError::Failed(format!("lock peer {i} exited: {status}")));
            }
        }
        Ok(())
    }

    /// One sample: every peer contends for the plan's duration.
    pub(super) fn sample(
        &mut self,
        plan: &Plan,
        deadline: Instant,
        cancel: &AtomicBool,
    ) -> Result<Tally, ProbeError> {
        let n = self.children.len();
        let h = self.region.header();
        for i in 0..n {
            let s = self.region.slot(i);
            for a in [&s.ops, &s.user_ns, &s.sys_ns, &s.voluntary_cs, &s.involuntary_cs, &s.cpu_ns]
            {
                a.store(0, Ordering::Relaxed);
            }
            s.error.store(0, Ordering::Relaxed);
            s.latencies.store(0, Ordering::Relaxed);
        }
        for a in [&h.arrived, &h.go, &h.stop, &h.done, &h.running] {
            a.store(0, Ordering::Relaxed);
        }
        let before = h.counter.load(Ordering::Acquire);
        h.generation.fetch_add(1, Ordering::AcqRel);
        shm::wake_all(&h.generation);

        let mut outcome = Ok(());
        let mut polls = 0u32;
        while (self.region.header().arrived.load(Ordering::Acquire) as usize) < n {
            polls = polls.wrapping_add(1);
            if polls.is_multiple_of(64) {
                outcome = self.check_alive();
            }
            if outcome.is_ok() && Instant::now() > deadline {
                outcome = Err(ProbeError::Timeout);
            }
            if outcome.is_err() {
                break;
            }
            std::thread::yield_now();
        }
        let h = self.region.header();
        let start = Instant::now();
        if outcome.is_ok() {
            h.go.store(1, Ordering::Release);
            let running = || h.running.load(Ordering::Acquire) as usize;
            outcome = super::run_for(n, running, plan.duration, deadline, cancel);
        }
        let wall = start.elapsed();
        h.stop.store(1, Ordering::Release);
        outcome?;
        loop {
            let done = self.region.header().done.load(Ordering::Acquire);
            if done as usize >= n {
                break;
            }
            self.check_alive()?;
            if Instant::now() > deadline {
                return Err(ProbeError::Timeout);
            }
            shm::wait_while(&self.region.header().done, done, Duration::from_millis(2));
        }
        let h = self.region.header();
        let mut t = Tally { wall, ..Tally::default() };
        for i in 0..n {
            let s = self.region.slot(i);
            let errno = s.error.load(Ordering::Acquire);
            if errno != 0 {
                return Err(lock_error(&format!("lock peer {i}"), errno as i32));
            }
            let ops = s.ops.load(Ordering::Acquire);
            t.ops.push(ops);
            t.writes += ops;
            let kept = (s.latencies.load(Ordering::Acquire) as usize).min(SLOT_LATENCIES);
            t.latencies.extend(
                s.latency_ns[..kept].iter().map(|l| l.load(Ordering::Relaxed) as f64 * 1e-9),
            );
            t.peer_cpu_s += s.cpu_ns.load(Ordering::Relaxed) as f64 * 1e-9;
            let ns = |a: &AtomicU64| a.load(Ordering::Relaxed) as f64 * 1e-9;
            t.worker_usage = t.worker_usage.plus(&Usage {
                user_s: ns(&s.user_ns),
                sys_s: ns(&s.sys_ns),
                voluntary_cs: s.voluntary_cs.load(Ordering::Relaxed),
                involuntary_cs: s.involuntary_cs.load(Ordering::Relaxed),
            });
        }
        t.counted = Some(h.counter.load(Ordering::Acquire).wrapping_sub(before));
        Ok(t)
    }
}

impl Drop for Peers {
    fn drop(&mut self) {
        let h = self.region.header();
        h.quit.store(1, Ordering::Release);
        h.stop.store(1, Ordering::Release);
        h.generation.fetch_add(1, Ordering::AcqRel);
        shm::wake_all(&h.generation);
        let deadline = Instant::now() + Duration::from_millis(500);
        for child in &mut self.children {
            crate::sys::wait_or_kill(child, deadline.saturating_duration_since(Instant::now()));
        }
        // The region (and its lock) goes after the peers: see `Region`'s drop.
    }
}

/// The hidden `__lockpeer` subcommand: attach to the region on standard input and contend
/// as peer `index` in every sample until told to quit (or the parent `parent_pid` dies).
pub fn peer_main(index: usize, parent_pid: u32) -> i32 {
    if !shm::die_with_parent(parent_pid) {
        return 3;
    }
    let region = match shm::stdin_fd().and_then(Region::attach) {
        Ok(r) => r,
        Err(_) => return 2,
    };
    let h = region.header();
    let kind = ProcKind::from_raw(h.kind.load(Ordering::Acquire));
    let mut seen = h.generation.load(Ordering::Acquire);
    h.ready.fetch_add(1, Ordering::AcqRel);
    loop {
        while h.generation.load(Ordering::Acquire) == seen && h.quit.load(Ordering::Acquire) == 0 {
            shm::wait_while(&h.generation, seen, Duration::from_millis(200));
        }
        if h.quit.load(Ordering::Acquire) != 0 {
            return 0;
        }
        seen = h.generation.load(Ordering::Acquire);
        peer_sample(&region, kind, index);
        h.done.fetch_add(1, Ordering::AcqRel);
        shm::wake_all(&h.done);
    }
}

fn peer_sample(region: &Region, kind: ProcKind, index: usize) {
    let h = region.header();
    let slot = region.slot(index);
    let section = Work { steps: h.section_steps.load(Ordering::Acquire) };
    let outside = Work { steps: h.outside_steps.load(Ordering::Acquire) };
    let permits = h.permits.load(Ordering::Acquire);
    h.arrived.fetch_add(1, Ordering::AcqRel);
    while h.go.load(Ordering::Acquire) == 0 {
        if h.stop.load(Ordering::Acquire) != 0 {
            return;
        }
        std::thread::yield_now();
    }
    h.running.fetch_add(1, Ordering::AcqRel);
    let before = Usage::this_process();
    let cpu_before = shm::process_cpu_s();
    let (mut ops, mut kept) = (0u64, 0usize);
    while h.stop.load(Ordering::Relaxed) == 0 {
        let timed = (ops.is_multiple_of(LATENCY_EVERY) && kept < SLOT_LATENCIES).then(Instant::now);
        if let Err(e) = region.acquire(kind) {
            slot.error.store(e.max(1) as u32, Ordering::Release);
            break;
        }
        if let Some(t) = timed {
            slot.latency_ns[kept].store(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
            kept += 1;
        }
        section.run();
        bump(region, kind, permits);
        if let Err(e) = region.release(kind) {
            slot.error.store(e.max(1) as u32, Ordering::Release);
            break;
        }
        outside.run();
        ops += 1;
    }
    let cpu = shm::process_cpu_s() - cpu_before;
    let used = Usage::this_process().since(&before);
    slot.cpu_ns.store((cpu.max(0.0) * 1e9) as u64, Ordering::Relaxed);
    slot.user_ns.store((used.user_s * 1e9) as u64, Ordering::Relaxed);
    slot.sys_ns.store((used.sys_s * 1e9) as u64, Ordering::Relaxed);
    slot.voluntary_cs.store(used.voluntary_cs, Ordering::Relaxed);
    slot.involuntary_cs.store(used.involuntary_cs, Ordering::Relaxed);
    slot.latencies.store(kept as u32, Ordering::Relaxed);
    slot.ops.store(ops, Ordering::Release);
}
