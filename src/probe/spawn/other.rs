//! Platforms other than Linux: the process variants and `/proc` figures are unsupported.

use std::ffi::CStr;
use std::os::fd::RawFd;

/// Whether this platform has the process variants.
pub(super) const SUPPORTED: bool = false;

fn unsupported() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::Unsupported, "not supported on this platform")
}

pub(super) fn reap(_pid: i32) -> std::io::Result<()> {
    Err(unsupported())
}

pub(super) fn fork_exit_wait() -> std::io::Result<()> {
    Err(unsupported())
}

pub(super) fn fork_exec_wait(_path: &CStr) -> std::io::Result<()> {
    Err(unsupported())
}

pub(super) fn posix_spawn_wait(_path: &CStr) -> std::io::Result<()> {
    Err(unsupported())
}

pub(super) fn fork_idle(_read_fd: RawFd, _write_fd: RawFd) -> std::io::Result<i32> {
    Err(unsupported())
}

pub(super) fn rss_bytes() -> Option<u64> {
    None
}

pub(super) fn vm_bytes() -> Option<u64> {
    None
}

pub(super) fn pss_bytes(_pid: i32) -> Option<u64> {
    None
}

pub(super) fn memory() -> Option<(u64, u64)> {
    None
}

pub(super) fn heap_in_use() -> Option<u64> {
    None
}
