//! A global interpreter lock modelled on CPython's "new GIL" (3.2 and later,
//! `Python/ceval_gil.h`), not a plain mutex:
//!
//! - a thread that wants the lock waits on a condition variable with a timeout of one switch
//!   interval; if the interval passes with no switch, it sets the drop request;
//! - the holder checks the drop request between small slices of work ([`Gil::checkpoint`]);
//!   when it is set, the holder releases the lock and (forced switching) waits until another
//!   thread has taken it before it competes again;
//! - a blocking call releases the lock before and takes it back after ([`Gil::release`],
//!   [`Gil::take`]).
//!
//! It counts switches (the lock changing hands), drop requests, the time spent waiting, and
//! the time the lock was held (a blocking call, or CPU work a C extension does with the lock
//! released, is not held time).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// CPython's default switch interval (`sys.getswitchinterval()`).
pub const DEFAULT_SWITCH_INTERVAL: Duration = Duration::from_millis(5);

#[derive(Debug, Default)]
struct State {
    locked: bool,
    waiters: usize,
    /// Threads in forced switching, waiting for another thread to take the lock.
    switch_waiters: usize,
    last_holder: Option<usize>,
    switch_number: u64,
    /// When the current holder took the lock.
    taken_at: Option<Instant>,
}

/// Counters of one [`Gil`] (or, summed, of several).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GilCounters {
    /// Times the lock passed to a different thread.
    pub switches: u64,
    /// Times a waiter timed out and asked the holder to drop the lock.
    pub drop_requests: u64,
    /// Total time threads spent waiting to take the lock, ns.
    pub wait_ns: u64,
    /// Total time the lock was held, ns.
    #[serde(default)]
    pub held_ns: u64,
}

impl GilCounters {
    /// The change from `before` to `self` (counters only grow; a smaller value reads as 0).
    pub fn since(&self, before: &GilCounters) -> GilCounters {
        GilCounters {
            switches: self.switches.saturating_sub(before.switches),
            drop_requests: self.drop_requests.saturating_sub(before.drop_requests),
            wait_ns: self.wait_ns.saturating_sub(before.wait_ns),
            held_ns: self.held_ns.saturating_sub(before.held_ns),
        }
    }

    /// The sum of two sets of counters (locks of several worker processes).
    pub fn plus(&self, other: &GilCounters) -> GilCounters {
        GilCounters {
            switches: self.switches.saturating_add(other.switches),
            drop_requests: self.drop_requests.saturating_add(other.drop_requests),
            wait_ns: self.wait_ns.saturating_add(other.wait_ns),
            held_ns: self.held_ns.saturating_add(other.held_ns),
        }
    }

    /// The counters as `Batch::counters` entries: `gil_switches`, `gil_drop_requests`,
    /// `gil_wait_s` and `gil_held_s`.
    pub fn entries(&self) -> [(&'static str, f64); 4] {
        [
            ("gil_switches", self.switches as f64),
            ("gil_drop_requests", self.drop_requests as f64),
            ("gil_wait_s", self.wait_ns as f64 * 1e-9),
            ("gil_held_s", self.held_ns as f64 * 1e-9),
        ]
    }
}

/// The modelled global interpreter lock shared by the threads of one "interpreter".
#[derive(Debug)]
pub struct Gil {
    state: Mutex<State>,
    /// Signalled when the lock is released.
    released: Condvar,
    /// Signalled when a thread takes the lock (forced switching waits on it).
    switched: Condvar,
    drop_request: AtomicBool,
    interval: Duration,
    switches: AtomicU64,
    drop_requests: AtomicU64,
    wait_ns: AtomicU64,
    held_ns: AtomicU64,
}

impl Gil {
    /// A released lock with the given switch interval.
    pub fn new(interval: Duration) -> Gil {
        Gil {
            state: Mutex::new(State::default()),
            released: Condvar::new(),
            switched: Condvar::new(),
            drop_request: AtomicBool::new(false),
            interval: interval.max(Duration::from_micros(1)),
            switches: AtomicU64::new(0),
            drop_requests: AtomicU64::new(0),
            wait_ns: AtomicU64::new(0),
            held_ns: AtomicU64::new(0),
        }
    }

    /// The switch interval.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the state mutex leaves the state consistent (plain fields).
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes the lock for thread `me`, waiting as CPython's `take_gil` does; returns the wait.
    pub fn take(&self, me: usize) -> Duration {
        let start = Instant::now();
        let mut st = self.state();
        while st.locked {
            let saved = st.switch_number;
            st.waiters += 1;
            let (guard, res) =
                self.released.wait_timeout(st, self.interval).unwrap_or_else(|e| e.into_inner());
            st = guard;
            st.waiters -= 1;
            if res.timed_out()
                && st.locked
                && st.switch_number == saved
                && !self.drop_request.swap(true, Ordering::AcqRel)
            {
                self.drop_requests.fetch_add(1, Ordering::Relaxed);
            }
        }
        st.locked = true;
        st.taken_at = Some(Instant::now());
        if st.last_holder != Some(me) {
            st.last_holder = Some(me);
            st.switch_number += 1;
            self.switches.fetch_add(1, Ordering::Relaxed);
        }
        // A pending request was aimed at the previous holder.
        self.drop_request.store(false, Ordering::Release);
        // Condition-variable wake-ups are system calls: only signal someone who waits.
        if st.switch_waiters > 0 {
            self.switched.notify_all();
        }
        drop(st);
        let waited = start.elapsed();
        self.wait_ns.fetch_add(waited.as_nanos() as u64, Ordering::Relaxed);
        waited
    }

    /// Releases the lock held by `me` (before a blocking call, or at the end of its work).
    pub fn release(&self, me: usize) {
        let _ = me;
        let mut st = self.state();
        self.unlock(&mut st);
        if st.waiters > 0 {
            self.released.notify_one();
        }
    }

    /// The eval loop's periodic check: if a waiter asked for the lock, hand it over, wait
    /// until another thread has taken it, and queue up again. Returns the time spent away.
    pub fn checkpoint(&self, me: usize) -> Duration {
        if !self.drop_request.load(Ordering::Acquire) {
            return Duration::ZERO;
        }
        let start = Instant::now();
        let mut st = self.state();
        self.unlock(&mut st);
        if st.waiters > 0 {
            self.released.notify_one();
        }
        // Forced switching: do not compete again before somebody else got the lock. The
        // bound only guards against a waiter that vanished; CPython waits unbounded.
        let give_up = start + self.interval * 4;
        while st.last_holder == Some(me) && !st.locked {
            let left = give_up.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            st.switch_waiters += 1;
            st = self.switched.wait_timeout(st, left).unwrap_or_else(|e| e.into_inner()).0;
            st.switch_waiters -= 1;
        }
        drop(st);
        self.take(me);
        start.elapsed()
    }

    /// Marks the lock free and adds the holder's time to the held total.
    fn unlock(&self, st: &mut State) {
        st.locked = false;
        if let Some(taken) = st.taken_at.take() {
            self.held_ns.fetch_add(taken.elapsed().as_nanos() as u64, Ordering::Relaxed);
        }
    }

    /// Threads blocked in [`Gil::take`] right now.
    pub fn waiters(&self) -> usize {
        self.state().waiters
    }

    /// A snapshot of the counters.
    pub fn counters(&self) -> GilCounters {
        GilCounters {
            switches: self.switches.load(Ordering::Relaxed),
            drop_requests: self.drop_requests.load(Ordering::Relaxed),
            wait_ns: self.wait_ns.load(Ordering::Relaxed),
            held_ns: self.held_ns.load(Ordering::Relaxed),
        }
    }
}
