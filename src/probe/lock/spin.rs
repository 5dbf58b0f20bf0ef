//! A test-and-test-and-set spin lock, for contrast only: waiters burn CPU instead of sleeping,
//! which the probe's CPU-per-operation figure shows. Not a lock to use in real code.

use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, Ordering};

/// A TTAS spin lock guarding a `T`.
#[derive(Debug, Default)]
pub struct SpinLock<T> {
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: the value is only reached through `with`, which holds the lock (acquire on
// taking, release on giving back), so at most one thread touches it at a time.
unsafe impl<T: Send> Sync for SpinLock<T> {}

impl<T> SpinLock<T> {
    /// An unlocked lock around `value`.
    pub fn new(value: T) -> SpinLock<T> {
        SpinLock { locked: AtomicBool::new(false), value: UnsafeCell::new(value) }
    }

    /// Takes the lock (spinning on a plain load until it looks free, then one swap), runs `f`
    /// on the value, releases.
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        loop {
            if !self.locked.swap(true, Ordering::Acquire) {
                break;
            }
            while self.locked.load(Ordering::Relaxed) {
                std::hint::spin_loop();
            }
        }
        // SAFETY: the swap above returned `false`: this thread holds the lock until the
        // release store below, so no other reference to the value exists.
        let r = f(unsafe { &mut *self.value.get() });
        self.locked.store(false, Ordering::Release);
        r
    }
}
