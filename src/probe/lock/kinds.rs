//! The lock kinds shared by threads, behind one small trait: an operation takes the lock,
//! runs the caller's section with it held, bumps the counter it guards, and releases it.
//! Each lock sits in its own cache lines (see [`Padded`]) so contenders' own data never
//! shares a line with it.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};

use crossbeam_utils::CachePadded;

use super::spin::SpinLock;
use super::sync::Semaphore;

/// A lock padded against false sharing.
pub type Padded<L> = CachePadded<L>;

/// A lock shared by threads, guarding a counter.
pub trait ThreadLock: Send + Sync {
    /// One operation: acquire, run `section` with the lock held, bump the counter (unless
    /// `read` and the kind has a shared mode, where the counter is only read), release.
    fn op(&self, read: bool, section: impl FnOnce());

    /// The counter: how many writing operations completed.
    fn counter(&self) -> u64;
}

/// Bumps `counter` with a plain load and store (no atomic add): the probe's check that a lock
/// really excludes.
pub(crate) fn plain_bump(counter: &AtomicU64) {
    counter.store(counter.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
}

/// `std::sync::Mutex`.
#[derive(Debug, Default)]
pub struct StdMutex(Mutex<u64>);

impl ThreadLock for StdMutex {
    fn op(&self, _read: bool, section: impl FnOnce()) {
        let mut g = self.0.lock().unwrap_or_else(|e| e.into_inner());
        section();
        *g += 1;
    }
    fn counter(&self) -> u64 {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// `parking_lot::Mutex` (0.13: unfair unless asked, wake-ups after unlock).
#[derive(Debug, Default)]
pub struct ParkingLotMutex(parking_lot::Mutex<u64>);

impl ThreadLock for ParkingLotMutex {
    fn op(&self, _read: bool, section: impl FnOnce()) {
        let mut g = self.0.lock();
        section();
        *g += 1;
    }
    fn counter(&self) -> u64 {
        *self.0.lock()
    }
}

/// `parking_lot::FairMutex`: every unlock hands the lock to the next waiter.
#[derive(Debug, Default)]
pub struct ParkingLotFairMutex(parking_lot::FairMutex<u64>);

impl ThreadLock for ParkingLotFairMutex {
    fn op(&self, _read: bool, section: impl FnOnce()) {
        let mut g = self.0.lock();
        section();
        *g += 1;
    }
    fn counter(&self) -> u64 {
        *self.0.lock()
    }
}

/// The test-and-test-and-set spin lock (for contrast: waiters spin).
#[derive(Debug, Default)]
pub struct Spin(SpinLock<u64>);

impl ThreadLock for Spin {
    fn op(&self, _read: bool, section: impl FnOnce()) {
        self.0.with(|n| {
            section();
            *n += 1;
        });
    }
    fn counter(&self) -> u64 {
        self.0.with(|n| *n)
    }
}

/// `std::sync::RwLock`: `read` operations share it.
#[derive(Debug, Default)]
pub struct StdRwLock(RwLock<u64>);

impl ThreadLock for StdRwLock {
    fn op(&self, read: bool, section: impl FnOnce()) {
        if read {
            let g = self.0.read().unwrap_or_else(|e| e.into_inner());
            section();
            std::hint::black_box(*g);
        } else {
            let mut g = self.0.write().unwrap_or_else(|e| e.into_inner());
            section();
            *g += 1;
        }
    }
    fn counter(&self) -> u64 {
        *self.0.read().unwrap_or_else(|e| e.into_inner())
    }
}

/// `parking_lot::RwLock`: `read` operations share it.
#[derive(Debug, Default)]
pub struct ParkingLotRwLock(parking_lot::RwLock<u64>);

impl ThreadLock for ParkingLotRwLock {
    fn op(&self, read: bool, section: impl FnOnce()) {
        if read {
            let g = self.0.read();
            section();
            std::hint::black_box(*g);
        } else {
            let mut g = self.0.write();
            section();
            *g += 1;
        }
    }
    fn counter(&self) -> u64 {
        *self.0.read()
    }
}

/// `parking_lot::ReentrantMutex` (Python's `RLock`), taken `depth` times nested per operation.
#[derive(Debug)]
pub struct Reentrant {
    lock: parking_lot::ReentrantMutex<Cell<u64>>,
    depth: usize,
}

impl Reentrant {
    /// A reentrant lock each operation takes `depth` (at least 1) times.
    pub fn new(depth: usize) -> Reentrant {
        Reentrant { lock: parking_lot::ReentrantMutex::new(Cell::new(0)), depth: depth.max(1) }
    }

    fn nest(&self, level: usize, section: impl FnOnce()) {
        let g = self.lock.lock();
        if level > 1 {
            self.nest(level - 1, section);
        } else {
            section();
            g.set(g.get() + 1);
        }
    }
}

impl ThreadLock for Reentrant {
    fn op(&self, _read: bool, section: impl FnOnce()) {
        self.nest(self.depth, section);
    }
    fn counter(&self) -> u64 {
        self.lock.lock().get()
    }
}

/// An atomic `fetch_add`, the lock-free baseline: the section runs after it, unguarded.
#[derive(Debug, Default)]
pub struct Atomic(AtomicU64);

impl ThreadLock for Atomic {
    fn op(&self, _read: bool, section: impl FnOnce()) {
        self.0.fetch_add(1, Ordering::AcqRel);
        section();
    }
    fn counter(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }
}

/// A counting semaphore (Mutex + Condvar) with `permits` holders at a time. With one
/// permit it is a lock and the counter is bumped with a plain load and store; with more,
/// holders overlap and bump it atomically.
#[derive(Debug)]
pub struct CountingSemaphore {
    sem: Semaphore,
    permits: usize,
    counter: AtomicU64,
}

impl CountingSemaphore {
    /// A semaphore with `permits` (at least 1) permits.
    pub fn new(permits: usize) -> CountingSemaphore {
        let permits = permits.max(1);
        CountingSemaphore { sem: Semaphore::new(permits), permits, counter: AtomicU64::new(0) }
    }
}

impl ThreadLock for CountingSemaphore {
    fn op(&self, _read: bool, section: impl FnOnce()) {
        self.sem.acquire();
        section();
        if self.permits == 1 {
            plain_bump(&self.counter);
        } else {
            self.counter.fetch_add(1, Ordering::Relaxed);
        }
        self.sem.release();
    }
    fn counter(&self) -> u64 {
        self.counter.load(Ordering::Acquire)
    }
}
