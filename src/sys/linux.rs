//! Linux: anonymous shared memory from `memfd_create`, cross-process futex wait and wake,
//! per-thread CPU time, and dying with the parent.

use std::os::fd::OwnedFd;
use std::sync::atomic::AtomicU32;
use std::time::Duration;

use rustix::fs::{MemfdFlags, memfd_create};
use rustix::thread::futex;

/// An anonymous file for a shared mapping: no name in any file system, gone with its last
/// descriptor or mapping. Close-on-exec; a peer gets it by descriptor passing.
pub(crate) fn anonymous_file(name: &str, len: u64) -> std::io::Result<OwnedFd> {
    let fd = memfd_create(name, MemfdFlags::CLOEXEC)?;
    rustix::fs::ftruncate(&fd, len)?;
    Ok(fd)
}

/// Whether blocking waits on shared words work across processes here.
pub(crate) const HAS_FUTEX: bool = true;

/// Sleeps while `word` holds `expected`, at most `timeout` (spurious returns allowed).
/// Not private: works across processes sharing the mapping.
pub(crate) fn futex_wait(word: &AtomicU32, expected: u32, timeout: Duration) {
    let ts = futex::Timespec {
        tv_sec: timeout.as_secs() as _,
        tv_nsec: i64::from(timeout.subsec_nanos()) as _,
    };
    let _ = futex::wait(word, futex::Flags::empty(), expected, Some(&ts));
}

/// Wakes up to `n` waiters on `word`.
pub(crate) fn futex_wake(word: &AtomicU32, n: u32) {
    let _ = futex::wake(word, futex::Flags::empty(), n);
}

/// CPU seconds used so far by the calling thread.
pub(crate) fn thread_cpu_s() -> f64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

/// Asks the kernel to SIGKILL this process when the thread that started it ends.
pub(crate) fn die_with_parent() {
    let _ = rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL));
}
