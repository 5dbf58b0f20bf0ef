//! Linux-only process setup of forked workers: die together with the fork server.

use rustix::process::getppid;

/// Asks the kernel to SIGKILL this process when `server` (its parent, a single-threaded
/// process) dies; exits at once if it already has.
pub(super) fn die_with_parent(server: u32) {
    crate::sys::die_with_parent();
    let parent = getppid().map_or(0, |p| p.as_raw_nonzero().get());
    if u32::try_from(parent).ok() != Some(server) {
        // SAFETY: _exit ends the process without running any user-space code.
        unsafe { libc::_exit(0) };
    }
}
