//! The `gil` model: W OS threads that must hold one modelled global interpreter lock to run
//! CPU work (see [`lock`] for how faithfully it follows CPython). The threads are the same
//! persistent pool as the `threads` model; each runs its tasks through a [`GilUnit`], so CPU
//! work checks the lock between slices and blocking IO releases it.

mod lock;

use std::sync::Arc;

pub use lock::{DEFAULT_SWITCH_INTERVAL, Gil, GilCounters};

use crate::work::Unit;

/// One thread's view of the lock: the hooks a workload calls while it runs.
#[derive(Debug, Clone)]
pub struct GilUnit {
    gil: Arc<Gil>,
    me: usize,
}

impl GilUnit {
    /// Thread `me` of the interpreter that `gil` guards.
    pub fn new(gil: Arc<Gil>, me: usize) -> GilUnit {
        GilUnit { gil, me }
    }

    /// Takes the lock (a thread starts running bytecode).
    pub fn enter(&self) {
        self.gil.take(self.me);
    }

    /// Releases the lock (the thread finished, or blocks outside the interpreter).
    pub fn exit(&self) {
        self.gil.release(self.me);
    }
}

impl Unit for GilUnit {
    fn checkpoint(&self) {
        self.gil.checkpoint(self.me);
    }

    fn enter_blocking(&self) {
        self.gil.release(self.me);
    }

    fn leave_blocking(&self) {
        self.gil.take(self.me);
    }
}

#[cfg(test)]
mod tests;
