//! Blocking primitives std lacks, built the classic way from a `Mutex` and `Condvar`: a
//! counting semaphore (Python's `threading.Semaphore`) and a bounded buffer (Python's
//! `queue.Queue(maxsize)` / a `Condition`-based producer-consumer).

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};

fn relock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic inside these short sections cannot leave the state half-written.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A counting semaphore.
#[derive(Debug)]
pub struct Semaphore {
    /// (free permits, threads waiting for one).
    free: Mutex<(usize, usize)>,
    freed: Condvar,
}

impl Semaphore {
    /// A semaphore with `permits` free permits.
    pub fn new(permits: usize) -> Semaphore {
        Semaphore { free: Mutex::new((permits, 0)), freed: Condvar::new() }
    }

    /// Takes a permit, waiting while none is free.
    pub fn acquire(&self) {
        let mut s = relock(&self.free);
        while s.0 == 0 {
            s.1 += 1;
            s = self.freed.wait(s).unwrap_or_else(|e| e.into_inner());
            s.1 -= 1;
        }
        s.0 -= 1;
    }

    /// Gives a permit back, waking a waiter if there is one (as Python's `Condition.notify`
    /// does, no wake-up call when nobody waits).
    pub fn release(&self) {
        let mut s = relock(&self.free);
        s.0 += 1;
        let waiting = s.1 > 0;
        drop(s);
        if waiting {
            self.freed.notify_one();
        }
    }
}

/// A bounded FIFO buffer: `put` waits while it is full, `get` while it is empty; once closed,
/// `put` refuses and `get` drains what is left, then answers `None`. Like Python's
/// `queue.Queue`, it signals a condition only when someone waits on it.
#[derive(Debug)]
pub struct BoundedQueue {
    state: Mutex<QueueState>,
    not_empty: Condvar,
    not_full: Condvar,
    capacity: usize,
}

#[derive(Debug, Default)]
struct QueueState {
    items: VecDeque<u64>,
    closed: bool,
    getters: usize,
    putters: usize,
}

impl BoundedQueue {
    /// An empty, open buffer for `capacity` items.
    pub fn new(capacity: usize) -> BoundedQueue {
        BoundedQueue {
            state: Mutex::new(QueueState {
                items: VecDeque::with_capacity(capacity),
                ..QueueState::default()
            }),
            not_empty: Condvar::new(),
            not_full: Condvar::new(),
            capacity: capacity.max(1),
        }
    }

    /// Appends `item`, waiting for room; `false` when the buffer was closed.
    pub fn put(&self, item: u64) -> bool {
        let mut s = relock(&self.state);
        while s.items.len() >= self.capacity && !s.closed {
            s.putters += 1;
            s = self.not_full.wait(s).unwrap_or_else(|e| e.into_inner());
            s.putters -= 1;
        }
        if s.closed {
            return false;
        }
        s.items.push_back(item);
        let wake = s.getters > 0;
        drop(s);
        if wake {
            self.not_empty.notify_one();
        }
        true
    }

    /// Takes the oldest item, waiting for one; `None` once closed and empty.
    pub fn get(&self) -> Option<u64> {
        let mut s = relock(&self.state);
        loop {
            if let Some(item) = s.items.pop_front() {
                let wake = s.putters > 0;
                drop(s);
                if wake {
                    self.not_full.notify_one();
                }
                return Some(item);
            }
            if s.closed {
                return None;
            }
            s.getters += 1;
            s = self.not_empty.wait(s).unwrap_or_else(|e| e.into_inner());
            s.getters -= 1;
        }
    }

    /// Closes the buffer and wakes every waiter.
    pub fn close(&self) {
        relock(&self.state).closed = true;
        self.not_empty.notify_all();
        self.not_full.notify_all();
    }

    /// Opens it again, empty.
    pub fn reopen(&self) {
        let mut s = relock(&self.state);
        s.items.clear();
        s.closed = false;
    }
}
