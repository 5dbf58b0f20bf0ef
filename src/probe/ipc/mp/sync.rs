//! Process-shared synchronisation on words in a shared mapping: a futex mutex (unlocked,
//! locked, locked with waiters) and a counting semaphore with timeouts — what
//! multiprocessing's `Lock` and `Queue`'s `maxsize` semaphore are.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use crate::sys as os;

/// A mutex on a shared word (0 unlocked, 1 locked, 2 locked with waiters).
#[derive(Debug)]
pub(crate) struct Mutex<'a>(pub(crate) &'a AtomicU32);

impl Mutex<'_> {
    /// Takes the lock, sleeping while another holds it.
    pub(crate) fn lock(&self) {
        if self.0.compare_exchange(0, 1, Ordering::Acquire, Ordering::Relaxed).is_ok() {
            return;
        }
        while self.0.swap(2, Ordering::Acquire) != 0 {
            os::futex_wait(self.0, 2, Duration::from_millis(50));
        }
    }

    /// Releases the lock, waking one waiter if there are any.
    pub(crate) fn unlock(&self) {
        if self.0.swap(0, Ordering::Release) == 2 {
            os::futex_wake(self.0, 1);
        }
    }
}

/// A counting semaphore on two shared words: the count and the number of sleepers.
#[derive(Debug)]
pub(crate) struct Semaphore<'a> {
    pub(crate) count: &'a AtomicU32,
    pub(crate) sleepers: &'a AtomicU32,
}

impl Semaphore<'_> {
    /// Takes one unit, waiting at most `timeout` (`None`: forever); false when it timed out.
    pub(crate) fn acquire(&self, timeout: Option<Duration>) -> bool {
        let deadline = timeout.map(|t| Instant::now() + t);
        loop {
            let v = self.count.load(Ordering::Acquire);
            if v > 0 {
                if self
                    .count
                    .compare_exchange(v, v - 1, Ordering::AcqRel, Ordering::Relaxed)
                    .is_ok()
                {
                    return true;
                }
                continue;
            }
            let nap = match deadline {
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return false;
                    }
                    left.min(Duration::from_millis(50))
                }
                None => Duration::from_millis(50),
            };
            self.sleepers.fetch_add(1, Ordering::SeqCst);
            os::futex_wait(self.count, 0, nap);
            self.sleepers.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Gives one unit back, waking a sleeper if there is one.
    pub(crate) fn release(&self) {
        self.count.fetch_add(1, Ordering::SeqCst);
        if self.sleepers.load(Ordering::SeqCst) > 0 {
            os::futex_wake(self.count, 1);
        }
    }
}
