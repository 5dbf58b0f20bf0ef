//! Linux: the shared region of the process-shared locks. An anonymous `memfd` (never a name
//! in `/dev/shm`, gone with the last process that holds it) mapped `MAP_SHARED`, holding the
//! control block, a `PTHREAD_PROCESS_SHARED` mutex, a `sem_init(pshared = 1)` semaphore and
//! the peers' slots. Peers get the fd as standard input, wait on futexes, and die with their
//! parent (`PR_SET_PDEATHSIG`).

use std::cell::UnsafeCell;
use std::os::fd::{AsFd, OwnedFd};
use std::ptr::NonNull;
use std::sync::atomic::AtomicU32;
use std::time::Duration;

use crossbeam_utils::CachePadded;

use super::procs::{Header, MAGIC, MAX_PEERS, PeerSlot, ProcKind};
use crate::probe::ProbeError;

/// The layout of the mapping (the same binary on both sides).
#[repr(C)]
struct Shared {
    header: Header,
    mutex: CachePadded<UnsafeCell<libc::pthread_mutex_t>>,
    sem: CachePadded<UnsafeCell<libc::sem_t>>,
    slots: [PeerSlot; MAX_PEERS],
}

/// A mapping of the shared region.
pub(super) struct Region {
    fd: OwnedFd,
    map: NonNull<Shared>,
    owner: bool,
}

impl std::fmt::Debug for Region {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Region").field("owner", &self.owner).finish_non_exhaustive()
    }
}

// SAFETY: everything in `Shared` is reached through atomics, or through the pthread/POSIX
// calls made for exactly this sharing; the mapping lives as long as the `Region`.
unsafe impl Send for Region {}
// SAFETY: as above.
unsafe impl Sync for Region {}

fn map(fd: &OwnedFd) -> Result<NonNull<Shared>, String> {
    // SAFETY: a fresh shared mapping of a file at least `size_of::<Shared>()` long; nothing
    // else refers to the address range.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            size_of::<Shared>(),
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED,
            std::os::fd::AsRawFd::as_raw_fd(fd),
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return Err(format!("mmap: {}", std::io::Error::last_os_error()));
    }
    NonNull::new(p.cast::<Shared>()).ok_or_else(|| "mmap returned null".to_string())
}

impl Region {
    /// Creates and initialises the region for `kind` (the semaphore starts at `permits`).
    pub(super) fn create(kind: ProcKind, permits: u32) -> Result<Region, ProbeError> {
        let setup =
            |what: &str, e: &dyn std::fmt::Display| ProbeError::Setup(format!("{what}: {e}"));
        let fd = crate::sys::anonymous_file("gilbench-lock", size_of::<Shared>() as u64)
            .map_err(|e| setup("shared memory", &e))?;
        let map = map(&fd).map_err(|e| setup("map", &e))?;
        let region = Region { fd, map, owner: false };
        let s = region.shared();
        // SAFETY: the mapping is fresh (zero-filled) and private to this process until
        // peers start; the attribute object lives on this stack frame for the calls.
        let rc = unsafe {
            let mut attr: libc::pthread_mutexattr_t = std::mem::zeroed();
            let mut rc = libc::pthread_mutexattr_init(&mut attr);
            if rc == 0 {
                rc = libc::pthread_mutexattr_setpshared(&mut attr, libc::PTHREAD_PROCESS_SHARED);
                if rc == 0 {
                    rc = libc::pthread_mutex_init(s.mutex.get(), &attr);
                }
                libc::pthread_mutexattr_destroy(&mut attr);
            }
            rc
        };
        if rc != 0 {
            return Err(setup("pthread_mutex_init", &std::io::Error::from_raw_os_error(rc)));
        }
        // SAFETY: as above; pshared = 1 for a semaphore in shared memory.
        if unsafe { libc::sem_init(s.sem.get(), 1, permits) } != 0 {
            // SAFETY: initialised just above, and no one else uses it.
            unsafe { libc::pthread_mutex_destroy(s.mutex.get()) };
            return Err(setup("sem_init", &std::io::Error::last_os_error()));
        }
        let mut region = region;
        region.owner = true;
        let h = &region.shared().header;
        h.kind.store(kind as u32, std::sync::atomic::Ordering::Relaxed);
        h.magic.store(MAGIC, std::sync::atomic::Ordering::Release);
        Ok(region)
    }

    /// Maps the region a parent passed on `fd` (a peer's standard input).
    pub(super) fn attach(fd: OwnedFd) -> Result<Region, String> {
        let map = map(&fd)?;
        let region = Region { fd, map, owner: false };
        if region.shared().header.magic.load(std::sync::atomic::Ordering::Acquire) != MAGIC {
            return Err("standard input is not a gilbench lock region".into());
        }
        Ok(region)
    }

    /// A new descriptor of the region, for a peer's standard input.
    pub(super) fn share_fd(&self) -> Result<OwnedFd, ProbeError> {
        self.fd
            .as_fd()
            .try_clone_to_owned()
            .map_err(|e| ProbeError::Setup(format!("duplicating the region's fd: {e}")))
    }

    fn shared(&self) -> &Shared {
        // SAFETY: mapped for the lifetime of `self`; `Shared` is made of atomics and cells.
        unsafe { self.map.as_ref() }
    }

    /// The control block.
    pub(super) fn header(&self) -> &Header {
        &self.shared().header
    }

    /// Peer `i`'s slot (`i < MAX_PEERS`).
    pub(super) fn slot(&self, i: usize) -> &PeerSlot {
        &self.shared().slots[i.min(MAX_PEERS - 1)]
    }

    /// Takes the region's lock of `kind`; the error number on failure.
    #[inline]
    pub(super) fn acquire(&self, kind: ProcKind) -> Result<(), i32> {
        let s = self.shared();
        match kind {
            // SAFETY: initialised in `create` before any peer attached; destroyed only by
            // the owner once every peer is gone.
            ProcKind::Mutex => match unsafe { libc::pthread_mutex_lock(s.mutex.get()) } {
                0 => Ok(()),
                rc => Err(rc),
            },
            ProcKind::Semaphore => loop {
                // SAFETY: as above.
                if unsafe { libc::sem_wait(s.sem.get()) } == 0 {
                    return Ok(());
                }
                let e = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
                if e != libc::EINTR {
                    return Err(e);
                }
            },
        }
    }

    /// Releases the region's lock of `kind`.
    #[inline]
    pub(super) fn release(&self, kind: ProcKind) -> Result<(), i32> {
        let s = self.shared();
        // SAFETY: as in `acquire`; called by the holder.
        let rc = unsafe {
            match kind {
                ProcKind::Mutex => libc::pthread_mutex_unlock(s.mutex.get()),
                ProcKind::Semaphore => {
                    if libc::sem_post(s.sem.get()) == 0 {
                        0
                    } else {
                        std::io::Error::last_os_error().raw_os_error().unwrap_or(-1)
                    }
                }
            }
        };
        if rc == 0 { Ok(()) } else { Err(rc) }
    }
}

impl Drop for Region {
    fn drop(&mut self) {
        if self.owner {
            let s = self.shared();
            // SAFETY: the owner drops the region only after every peer has exited.
            unsafe {
                libc::pthread_mutex_destroy(s.mutex.get());
                libc::sem_destroy(s.sem.get());
            }
        }
        // SAFETY: unmaps exactly the mapping made in `map`; no reference outlives `self`.
        unsafe { libc::munmap(self.map.as_ptr().cast(), size_of::<Shared>()) };
    }
}

/// Waits (at most `timeout`) while `word` still reads `seen`.
pub(super) fn wait_while(word: &AtomicU32, seen: u32, timeout: Duration) {
    crate::sys::futex_wait(word, seen, timeout);
}

/// Wakes every waiter on `word`.
pub(super) fn wake_all(word: &AtomicU32) {
    crate::sys::futex_wake(word, i32::MAX as u32);
}

/// Has the kernel kill this process when its parent dies; `false` if the parent
/// (`parent_pid`) is already gone.
pub(super) fn die_with_parent(parent_pid: u32) -> bool {
    crate::sys::die_with_parent();
    rustix::process::getppid().map(|p| p.as_raw_nonzero().get() as u32) == Some(parent_pid)
}

/// The standard input as an owned descriptor.
pub(super) fn stdin_fd() -> Result<OwnedFd, String> {
    std::io::stdin().as_fd().try_clone_to_owned().map_err(|e| format!("standard input: {e}"))
}

/// CPU time of the calling process (all its threads), seconds, from the kernel's precise
/// per-process clock (`getrusage` figures are tick-sampled on some kernels).
pub(super) fn process_cpu_s() -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid out-pointer for the call.
    if unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) } != 0 {
        return crate::measure::Usage::this_process().cpu_s();
    }
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}
