//! The deadlock probe: two threads each take two locks, `rounds` times. In the
//! `opposite_order` variant thread A takes L1 then L2 while thread B takes L2 then L1 — the
//! textbook deadlock; in `fixed_order` both take L1 first, and every round completes.
//!
//! Nothing hangs: a thread waits for a lock in short timed attempts (`try_lock_for`) and
//! gives up when the watchdog says so. The watchdog (the sampling thread) records which
//! thread holds and waits for which lock; when no round has completed for `watchdog` and the
//! wait-for graph has a cycle, it reports the deadlock — which thread holds and waits for
//! which lock and how long after the cycle formed it was detected — and releases both
//! threads, which drop their locks and exit. The sample then fails with
//! [`ProbeError::Deadlock`]; the run goes on.

use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use parking_lot::{Mutex, MutexGuard};

use super::{Metric, Probe, ProbeError, ProbeSample};
use crate::probe::{KindParams, ParamDecl, ParamDefault, ParamError, ParamType, ProbeDecl, Values};

/// The variants, as scenario files name them.
pub const VARIANTS: &[&str] = &["opposite_order", "fixed_order"];

const ROUNDS: ParamDecl = ParamDecl {
    name: "rounds",
    ty: ParamType::Count { min: 1, max: 1_000_000 },
    default: ParamDefault::Count(20),
};
const HOLD: ParamDecl = ParamDecl {
    name: "hold",
    ty: ParamType::Duration { positive: false, max: Duration::from_secs(1) },
    default: ParamDefault::Duration(Duration::from_micros(200)),
};
const WATCHDOG: ParamDecl = ParamDecl {
    name: "watchdog",
    ty: ParamType::Duration { positive: true, max: Duration::from_secs(60) },
    default: ParamDefault::Duration(Duration::from_millis(100)),
};

/// A `deadlock` case's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadlockParams {
    /// Rounds each thread takes both locks.
    pub rounds: u64,
    /// How long a thread holds its first lock before it takes the second.
    pub hold: Duration,
    /// How long without a completed round before the watchdog looks for a cycle.
    pub watchdog: Duration,
}

impl KindParams for DeadlockParams {
    const DECL: ProbeDecl =
        ProbeDecl { kind: "deadlock", variants: VARIANTS, params: &[ROUNDS, HOLD, WATCHDOG] };

    fn read(v: &mut Values<'_>) -> Result<DeadlockParams, ParamError> {
        Ok(DeadlockParams {
            rounds: v.count(&ROUNDS)?,
            hold: v.duration(&HOLD)?,
            watchdog: v.duration(&WATCHDOG)?,
        })
    }
}

/// How long one timed attempt at a lock waits before looking at the abort flag.
const ATTEMPT: Duration = Duration::from_millis(2);
/// How often the watchdog looks.
const POLL: Duration = Duration::from_millis(1);

const NAMES: [&str; 2] = ["A", "B"];
const LOCKS: [&str; 2] = ["L1", "L2"];
/// "No lock" in a thread's state.
const NONE: u8 = u8::MAX;

/// What one thread holds and waits for, as the watchdog sees it.
#[derive(Debug)]
struct ThreadState {
    /// Bit i set: holds lock i.
    holds: AtomicU8,
    /// The lock it waits for, or [`NONE`].
    waits_for: AtomicU8,
    /// When the current wait began, ns since the sample's epoch.
    waiting_since_ns: AtomicU64,
}

impl ThreadState {
    fn new() -> ThreadState {
        ThreadState {
            holds: AtomicU8::new(0),
            waits_for: AtomicU8::new(NONE),
            waiting_since_ns: AtomicU64::new(0),
        }
    }
}

/// The deadlock probe.
#[derive(Debug)]
pub struct Deadlock {
    opposite: bool,
    rounds: u64,
    hold: Duration,
    watchdog: Duration,
}

impl Deadlock {
    /// Reads the variant and parameters.
    pub fn new(variant: &str, params: &DeadlockParams) -> Result<Deadlock, ProbeError> {
        let opposite = match variant {
            "opposite_order" => true,
            "fixed_order" => false,
            other => {
                return Err(ProbeError::Unsupported(format!("deadlock has no variant `{other}`")));
            }
        };
        Ok(Deadlock {
            opposite,
            rounds: params.rounds.max(1),
            hold: params.hold,
            watchdog: params.watchdog,
        })
    }
}

struct Shared {
    locks: [Mutex<u64>; 2],
    states: [ThreadState; 2],
    progress: AtomicU64,
    abort: AtomicBool,
    epoch: Instant,
    arrived: AtomicUsize,
}

impl Shared {
    fn now_ns(&self) -> u64 {
        self.epoch.elapsed().as_nanos() as u64
    }

    /// Takes lock `which` for thread `me` in timed attempts; `None` once aborted.
    fn take(&self, me: usize, which: usize) -> Option<MutexGuard<'_, u64>> {
        let st = &self.states[me];
        st.waiting_since_ns.store(self.now_ns(), Ordering::SeqCst);
        st.waits_for.store(which as u8, Ordering::SeqCst);
        loop {
            if let Some(g) = self.locks[which].try_lock_for(ATTEMPT) {
                st.holds.fetch_or(1 << which, Ordering::SeqCst);
                st.waits_for.store(NONE, Ordering::SeqCst);
                return Some(g);
            }
            if self.abort.load(Ordering::SeqCst) {
                st.waits_for.store(NONE, Ordering::SeqCst);
                return None;
            }
        }
    }

    fn give_back(&self, me: usize, which: usize, g: MutexGuard<'_, u64>) {
        self.states[me].holds.fetch_and(!(1 << which), Ordering::SeqCst);
        drop(g);
    }

    /// Waits until both threads have reached round `round`; `false` once aborted.
    fn meet(&self, round: usize) -> bool {
        self.arrived.fetch_add(1, Ordering::SeqCst);
        while self.arrived.load(Ordering::SeqCst) < 2 * (round + 1) {
            if self.abort.load(Ordering::SeqCst) {
                return false;
            }
            std::thread::yield_now();
        }
        true
    }

    /// Thread `me`'s rounds, both threads starting each round together: take `order[0]`,
    /// hold it a while, take `order[1]`, count.
    fn run(&self, me: usize, order: [usize; 2], rounds: u64, hold: Duration) -> u64 {
        let mut done = 0;
        for round in 0..rounds as usize {
            if !self.meet(round) {
                break;
            }
            let Some(first) = self.take(me, order[0]) else { break };
            if !hold.is_zero() {
                std::thread::sleep(hold);
            }
            let Some(mut second) = self.take(me, order[1]) else {
                self.give_back(me, order[0], first);
                break;
            };
            *second += 1;
            self.give_back(me, order[1], second);
            self.give_back(me, order[0], first);
            self.progress.fetch_add(1, Ordering::SeqCst);
            done += 1;
        }
        done
    }

    /// A cycle in the wait-for graph: each thread waits for a lock the other holds.
    fn cycle(&self) -> Option<String> {
        let seen: Vec<(u8, u8, u64)> = self
            .states
            .iter()
            .map(|s| {
                (
                    s.holds.load(Ordering::SeqCst),
                    s.waits_for.load(Ordering::SeqCst),
                    s.waiting_since_ns.load(Ordering::SeqCst),
                )
            })
            .collect();
        let (a, b) = (seen[0], seen[1]);
        let waits_on = |waiter: (u8, u8, u64), holder: (u8, u8, u64)| {
            waiter.1 != NONE && holder.0 & (1 << waiter.1) != 0
        };
        if !(waits_on(a, b) && waits_on(b, a)) {
            return None;
        }
        let formed_ns = a.2.max(b.2);
        let detected_after = self.now_ns().saturating_sub(formed_ns) as f64 / 1e6;
        let held = |s: (u8, u8, u64)| {
            (0..2).filter(|i| s.0 & (1 << i) != 0).map(|i| LOCKS[i]).collect::<Vec<_>>().join("+")
        };
        Some(format!(
            "deadlock: thread {} holds {} waiting for {}, thread {} holds {} waiting for {}, \
             detected after {detected_after:.1} ms",
            NAMES[0],
            held(a),
            LOCKS[a.1 as usize],
            NAMES[1],
            held(b),
            LOCKS[b.1 as usize],
        ))
    }
}

impl Probe for Deadlock {
    fn metric(&self) -> Metric {
        Metric { name: "one round (both threads take both locks)", unit: "s" }
    }

    fn units(&self) -> usize {
        2
    }

    fn sample(&mut self, deadline: Instant) -> Result<ProbeSample, ProbeError> {
        let shared = Shared {
            locks: [Mutex::new(0), Mutex::new(0)],
            states: [ThreadState::new(), ThreadState::new()],
            progress: AtomicU64::new(0),
            abort: AtomicBool::new(false),
            epoch: Instant::now(),
            arrived: AtomicUsize::new(0),
        };
        let orders = if self.opposite { [[0, 1], [1, 0]] } else { [[0, 1], [0, 1]] };
        let (rounds, hold, watchdog) = (self.rounds, self.hold, self.watchdog);
        std::thread::scope(|s| {
            let sh = &shared;
            let spawn = |me: usize| {
                std::thread::Builder::new()
                    .name(format!("gilbench-deadlock-{}", NAMES[me]))
                    .spawn_scoped(s, move || sh.run(me, orders[me], rounds, hold))
            };
            let a = spawn(0).map_err(|e| ProbeError::Setup(format!("thread A: {e}")))?;
            let b = match spawn(1) {
                Ok(b) => b,
                Err(e) => {
                    sh.abort.store(true, Ordering::SeqCst);
                    let _ = a.join();
                    return Err(ProbeError::Setup(format!("thread B: {e}")));
                }
            };
            let start = Instant::now();
            let mut last = (0u64, Instant::now());
            let mut verdict: Result<(), ProbeError> = Ok(());
            while !(a.is_finished() && b.is_finished()) {
                std::thread::sleep(POLL);
                let now = Instant::now();
                let progress = sh.progress.load(Ordering::SeqCst);
                if progress != last.0 {
                    last = (progress, now);
                } else if now - last.1 >= watchdog {
                    verdict = Err(match sh.cycle() {
                        Some(report) => ProbeError::Deadlock(report),
                        None => ProbeError::Failed(format!(
                            "no round completed for {} ms, and no lock cycle",
                            watchdog.as_millis()
                        )),
                    });
                    break;
                }
                if now > deadline {
                    verdict = Err(ProbeError::Timeout);
                    break;
                }
            }
            sh.abort.store(true, Ordering::SeqCst);
            let wall = start.elapsed();
            let done: u64 = [a.join(), b.join()].into_iter().map(|r| r.unwrap_or(0)).sum();
            verdict?;
            if done != 2 * rounds {
                return Err(ProbeError::Failed(format!(
                    "{done} of {} rounds completed",
                    2 * rounds
                )));
            }
            let per_round = wall.as_secs_f64() / rounds as f64;
            let mut counters = std::collections::BTreeMap::new();
            counters.insert("rounds".to_string(), rounds as f64);
            counters.insert("rounds_per_s".to_string(), rounds as f64 / wall.as_secs_f64());
            Ok(ProbeSample { value: per_round, wall, counters, ..ProbeSample::default() })
        })
    }
}
