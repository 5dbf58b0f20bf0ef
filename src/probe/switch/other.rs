//! Platforms other than Linux: no futex in shared memory and no per-thread switch counts;
//! the variants needing them report `unsupported`.

use std::sync::Arc;
use std::time::Instant;

use super::chan::{Channel, PingError};

/// No kernel thread id here.
pub(super) fn current_tid() -> i32 {
    0
}

/// Per-thread context-switch counts are not read here.
pub(super) fn switch_counts(_pid: u32, _tid: i32) -> Option<(u64, u64)> {
    None
}

/// Whether futexes in shared memory exist here.
pub(super) const SHARED_FUTEX: bool = false;

fn unsupported() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::Unsupported, "no futex in shared memory here")
}

/// Shared mailbox words: not available here.
#[derive(Debug)]
pub(super) struct SharedWords;

impl SharedWords {
    pub(super) fn create() -> std::io::Result<SharedWords> {
        Err(unsupported())
    }
}

/// A futex channel: not available here.
#[derive(Debug)]
pub(super) struct FutexChannel;

impl FutexChannel {
    pub(super) fn initiator(_words: Arc<SharedWords>) -> FutexChannel {
        FutexChannel
    }
}

impl Channel for FutexChannel {
    fn send(&mut self, _msg: u32) -> Result<(), PingError> {
        Err(PingError::Broken(unsupported().to_string()))
    }

    fn recv(&mut self, _deadline: Option<Instant>) -> Result<u32, PingError> {
        Err(PingError::Broken(unsupported().to_string()))
    }
}

pub(super) fn futex_answerer_from_stdin() -> std::io::Result<FutexChannel> {
    Err(unsupported())
}

pub(super) fn stdin_for_child(_words: &SharedWords) -> std::io::Result<std::process::Stdio> {
    Err(unsupported())
}
