//! `Value` and `Array`: counters in a shared mapping guarded by one process-shared lock, as
//! multiprocessing's `Value('q', 0)` and `Array('q', n)` are. An operation takes the lock and
//! adds one to every element.

use std::io;
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use super::super::shm::ShmRegion;
use super::sync::Mutex;

/// Elements start at this offset (the lock sits in the first cache line).
const ELEMENTS_AT: usize = 128;

/// A shared array of `u64` counters behind one lock.
#[derive(Debug)]
pub struct SharedArray {
    region: ShmRegion,
    elements: usize,
}

impl SharedArray {
    /// A new zeroed array of `elements` counters (at least one).
    pub fn create(elements: usize) -> io::Result<SharedArray> {
        let elements = elements.max(1);
        let region = ShmRegion::with_len(ELEMENTS_AT + elements * 8)?;
        Ok(SharedArray { region, elements })
    }

    /// Maps an array another process created.
    pub fn open(fd: OwnedFd) -> io::Result<SharedArray> {
        let region = ShmRegion::open_any(fd)?;
        let elements = region.len().saturating_sub(ELEMENTS_AT) / 8;
        if elements == 0 {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "array region too small"));
        }
        Ok(SharedArray { region, elements })
    }

    /// A descriptor for another process.
    pub fn fd(&self) -> io::Result<OwnedFd> {
        self.region.dup_fd()
    }

    fn lock_word(&self) -> &AtomicU32 {
        // SAFETY: the mapping starts with this word (zero = unlocked) and lives with `self`.
        unsafe { &*self.region.as_ptr().cast::<AtomicU32>() }
    }

    fn cell(&self, i: usize) -> &AtomicU64 {
        // SAFETY: i < elements, so the cell lies inside the mapping, 8-byte aligned.
        unsafe { &*self.region.as_ptr().add(ELEMENTS_AT + i * 8).cast::<AtomicU64>() }
    }

    /// One operation: under the lock, add one to every element (plain load and store, so a
    /// lock that failed to exclude would lose updates).
    pub fn increment(&self) {
        let lock = Mutex(self.lock_word());
        lock.lock();
        for i in 0..self.elements {
            let c = self.cell(i);
            c.store(c.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
        }
        lock.unlock();
    }

    /// Every element, read under the lock.
    pub fn snapshot(&self) -> Vec<u64> {
        let lock = Mutex(self.lock_word());
        lock.lock();
        let v = (0..self.elements).map(|i| self.cell(i).load(Ordering::Relaxed)).collect();
        lock.unlock();
        v
    }
}
