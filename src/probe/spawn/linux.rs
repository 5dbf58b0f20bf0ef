//! Linux (and Unix) pieces of the spawn, footprint and headroom probes: `fork` whose child
//! only `_exit`s, `exec`s or blocks in `read` (the parent is multi-threaded, so the child
//! calls nothing but async-signal-safe functions), `posix_spawn`, `waitpid`, and memory
//! figures from `/proc`.

use std::ffi::{CStr, c_char};
use std::os::fd::RawFd;

use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork};

/// Whether this platform has the process variants.
pub(super) const SUPPORTED: bool = true;

fn io(e: nix::Error) -> std::io::Error {
    std::io::Error::from_raw_os_error(e as i32)
}

/// Waits for `pid` and checks it exited with status 0.
pub(super) fn reap(pid: i32) -> std::io::Result<()> {
    loop {
        match waitpid(Pid::from_raw(pid), None) {
            Ok(WaitStatus::Exited(_, 0)) => return Ok(()),
            Ok(WaitStatus::Exited(_, code)) => {
                return Err(std::io::Error::other(format!("child exited with status {code}")));
            }
            Ok(WaitStatus::Signaled(_, sig, _)) => {
                return Err(std::io::Error::other(format!("child killed by {sig}")));
            }
            Ok(_) => continue,
            Err(nix::Error::EINTR) => continue,
            Err(e) => return Err(io(e)),
        }
    }
}

/// `fork`; the child `_exit(0)`s at once; the parent waits for it.
pub(super) fn fork_exit_wait() -> std::io::Result<()> {
    // SAFETY: the child calls only `_exit`, which is async-signal-safe.
    match unsafe { fork() }.map_err(io)? {
        ForkResult::Child => unsafe { libc::_exit(0) },
        ForkResult::Parent { child } => reap(child.as_raw()),
    }
}

/// `fork`, the child `execve`s `path` with no arguments and an empty environment; the parent
/// waits for it.
pub(super) fn fork_exec_wait(path: &CStr) -> std::io::Result<()> {
    let argv: [*const c_char; 2] = [path.as_ptr(), std::ptr::null()];
    let envp: [*const c_char; 1] = [std::ptr::null()];
    // SAFETY: the child calls only `execve` and `_exit` (async-signal-safe), on pointers
    // prepared before the fork.
    match unsafe { fork() }.map_err(io)? {
        ForkResult::Child => unsafe {
            libc::execve(path.as_ptr(), argv.as_ptr(), envp.as_ptr());
            libc::_exit(127)
        },
        ForkResult::Parent { child } => reap(child.as_raw()),
    }
}

/// `posix_spawn` of `path` with no arguments and an empty environment, then wait.
pub(super) fn posix_spawn_wait(path: &CStr) -> std::io::Result<()> {
    let argv: [*mut c_char; 2] = [path.as_ptr().cast_mut(), std::ptr::null_mut()];
    let envp: [*mut c_char; 1] = [std::ptr::null_mut()];
    let mut pid: libc::pid_t = 0;
    // SAFETY: every pointer is valid for the call; null file actions and attributes are allowed.
    let rc = unsafe {
        libc::posix_spawn(
            &mut pid,
            path.as_ptr(),
            std::ptr::null(),
            std::ptr::null(),
            argv.as_ptr(),
            envp.as_ptr(),
        )
    };
    if rc != 0 {
        return Err(std::io::Error::from_raw_os_error(rc));
    }
    reap(pid)
}

/// Forks an idle child: it closes `write_fd`, blocks reading `read_fd` until every writer
/// has closed it, then `_exit(0)`s. Returns its pid.
pub(super) fn fork_idle(read_fd: RawFd, write_fd: RawFd) -> std::io::Result<i32> {
    // SAFETY: the child calls only `close`, `read` and `_exit` (async-signal-safe) on a buffer
    // on its own stack.
    match unsafe { fork() }.map_err(io)? {
        ForkResult::Child => unsafe {
            libc::close(write_fd);
            let mut buf = [0u8; 8];
            while libc::read(read_fd, buf.as_mut_ptr().cast(), buf.len()) != 0 {
                if *libc::__errno_location() != libc::EINTR {
                    break;
                }
            }
            libc::_exit(0)
        },
        ForkResult::Parent { child } => Ok(child.as_raw()),
    }
}

fn status_field(path: &str, name: &str) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    let kib: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix(name)?.trim().strip_suffix("kB")?.trim().parse().ok())?;
    Some(kib * 1024)
}

/// Resident set size of this process, bytes.
pub(super) fn rss_bytes() -> Option<u64> {
    status_field("/proc/self/status", "VmRSS:")
}

/// Virtual size of this process, bytes.
pub(super) fn vm_bytes() -> Option<u64> {
    status_field("/proc/self/status", "VmSize:")
}

/// Proportional set size of process `pid` (`smaps_rollup`), bytes.
pub(super) fn pss_bytes(pid: i32) -> Option<u64> {
    status_field(&format!("/proc/{pid}/smaps_rollup"), "Pss:")
}

/// Bytes the C allocator has handed out and not taken back (glibc `mallinfo2`).
pub(super) fn heap_in_use() -> Option<u64> {
    // SAFETY: mallinfo2 takes no arguments and returns a plain struct.
    let info = unsafe { libc::mallinfo2() };
    Some(info.uordblks as u64 + info.hblkhd as u64)
}

/// (available, total) memory of the machine, bytes.
pub(super) fn memory() -> Option<(u64, u64)> {
    Some((
        status_field("/proc/meminfo", "MemAvailable:")?,
        status_field("/proc/meminfo", "MemTotal:")?,
    ))
}
