//! Linux pieces of the switch probe: a futex mailbox in memory shared between processes
//! (a memfd mapped `MAP_SHARED`), thread ids, and a thread's context-switch counts from
//! `/proc/<pid>/task/<tid>/status`.

use std::fs::File;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use super::chan::{Channel, EMPTY, PingError, RECHECK};

/// The kernel id of the calling thread.
pub(super) fn current_tid() -> i32 {
    rustix::thread::gettid().as_raw_nonzero().get()
}

/// (voluntary, involuntary) context switches of thread `tid` of process `pid` so far.
pub(super) fn switch_counts(pid: u32, tid: i32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        status.lines().find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
    };
    Some((field("voluntary_ctxt_switches:")?, field("nonvoluntary_ctxt_switches:")?))
}

/// Whether futexes in shared memory exist here.
pub(super) const SHARED_FUTEX: bool = true;

/// One page of a memfd mapped shared: two mailbox words.
#[derive(Debug)]
pub(super) struct SharedWords {
    base: *mut AtomicU32,
    _fd: OwnedFd,
}

// SAFETY: the mapping is only ever reached through atomics.
unsafe impl Send for SharedWords {}
// SAFETY: as above.
unsafe impl Sync for SharedWords {}

const PAGE: usize = 4096;

impl SharedWords {
    /// A fresh page, both mailboxes empty.
    pub(super) fn create() -> std::io::Result<SharedWords> {
        let fd = crate::sys::anonymous_file("gilbench-switch", PAGE as u64)?;
        let words = SharedWords::map(fd)?;
        words.word(0).store(EMPTY, Ordering::Release);
        words.word(1).store(EMPTY, Ordering::Release);
        Ok(words)
    }

    /// Maps a page made by [`SharedWords::create`] in another process.
    pub(super) fn map(fd: OwnedFd) -> std::io::Result<SharedWords> {
        // SAFETY: maps one page of a file descriptor we own; the result is checked before use
        // and unmapped in Drop.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                PAGE,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                fd.as_raw_fd(),
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        Ok(SharedWords { base: ptr.cast(), _fd: fd })
    }

    /// A copy of the descriptor, to hand to a child process.
    pub(super) fn fd(&self) -> std::io::Result<OwnedFd> {
        self._fd.as_fd().try_clone_to_owned()
    }

    fn word(&self, i: usize) -> &AtomicU32 {
        // SAFETY: i < 2 words inside a live, page-sized, suitably aligned mapping.
        unsafe { &*self.base.add(i.min(1)) }
    }
}

impl Drop for SharedWords {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the page mapped in `map`; no reference outlives `self`.
        unsafe {
            libc::munmap(self.base.cast(), PAGE);
        }
    }
}

/// A mailbox word each way in shared memory; the receiver sleeps in `futex(FUTEX_WAIT)`
/// (not private: the other end is another process) until the sender's `FUTEX_WAKE`.
#[derive(Debug)]
pub(super) struct FutexChannel {
    words: Arc<SharedWords>,
    inbox: usize,
    /// Set in the peer: the parent it must outlive no longer.
    parent: Option<u32>,
}

impl FutexChannel {
    /// The initiating end (reads word 1, writes word 0).
    pub(super) fn initiator(words: Arc<SharedWords>) -> FutexChannel {
        FutexChannel { words, inbox: 1, parent: None }
    }

    /// The answering end in a child process, ending if its parent goes away.
    pub(super) fn answerer(words: Arc<SharedWords>) -> FutexChannel {
        FutexChannel { words, inbox: 0, parent: Some(std::os::unix::process::parent_id()) }
    }
}

impl Channel for FutexChannel {
    fn send(&mut self, msg: u32) -> Result<(), PingError> {
        let out = self.words.word(1 - self.inbox);
        out.store(msg, Ordering::Release);
        crate::sys::futex_wake(out, 1);
        Ok(())
    }

    fn recv(&mut self, deadline: Option<Instant>) -> Result<u32, PingError> {
        let inbox = self.words.word(self.inbox);
        loop {
            let got = inbox.swap(EMPTY, Ordering::AcqRel);
            if got != EMPTY {
                return Ok(got);
            }
            // Returns at once if the word is no longer EMPTY; timeouts and signals just loop.
            crate::sys::futex_wait(inbox, EMPTY, RECHECK);
            if inbox.load(Ordering::Acquire) == EMPTY {
                if deadline.is_some_and(|d| Instant::now() > d) {
                    return Err(PingError::Timeout);
                }
                if self.parent.is_some_and(|p| std::os::unix::process::parent_id() != p) {
                    return Err(PingError::Broken("the parent process is gone".into()));
                }
            }
        }
    }
}

/// The peer process's futex channel over the memfd it got as standard input.
pub(super) fn futex_answerer_from_stdin() -> std::io::Result<FutexChannel> {
    let fd = std::io::stdin().as_fd().try_clone_to_owned()?;
    Ok(FutexChannel::answerer(Arc::new(SharedWords::map(fd)?)))
}

/// The page's descriptor as a child's standard input.
pub(super) fn stdin_for_child(words: &SharedWords) -> std::io::Result<std::process::Stdio> {
    Ok(std::process::Stdio::from(File::from(words.fd()?)))
}
