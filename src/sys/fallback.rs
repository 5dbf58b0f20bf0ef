//! Other platforms: no anonymous shared files and no futex (the shared-memory transports
//! report themselves unsupported); thread CPU time falls back to the process's.

use std::os::fd::OwnedFd;
use std::sync::atomic::AtomicU32;
use std::time::Duration;

/// An anonymous file for a shared mapping: not available here.
pub(crate) fn anonymous_file(_name: &str, _len: u64) -> std::io::Result<OwnedFd> {
    Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "no memfd on this platform"))
}

/// Whether blocking waits on shared words work across processes here.
pub(crate) const HAS_FUTEX: bool = false;

/// Sleeps briefly (no futex here).
pub(crate) fn futex_wait(_word: &AtomicU32, _expected: u32, timeout: Duration) {
    std::thread::sleep(timeout.min(Duration::from_micros(50)));
}

/// Nothing to wake without a futex.
pub(crate) fn futex_wake(_word: &AtomicU32, _n: u32) {}

/// CPU seconds used so far by the calling process (no per-thread clock here).
pub(crate) fn thread_cpu_s() -> f64 {
    crate::measure::Usage::this_process().cpu_s()
}

/// Nothing: the peer notices its parent is gone when its descriptors close.
pub(crate) fn die_with_parent() {}
