//! Elsewhere than Linux: no process-shared lock region (it needs `memfd_create` and futexes);
//! the process kinds report themselves unsupported.

use std::os::fd::OwnedFd;
use std::sync::atomic::AtomicU32;
use std::time::Duration;

use super::procs::{Header, PeerSlot, ProcKind};
use crate::probe::ProbeError;

/// Never built here.
#[derive(Debug)]
pub(super) struct Region {
    never: std::convert::Infallible,
}

impl Region {
    pub(super) fn create(_kind: ProcKind, _permits: u32) -> Result<Region, ProbeError> {
        Err(ProbeError::Unsupported("process-shared locks need Linux (memfd, futex)".into()))
    }
    pub(super) fn attach(_fd: OwnedFd) -> Result<Region, String> {
        Err("process-shared locks need Linux".into())
    }
    pub(super) fn share_fd(&self) -> Result<OwnedFd, ProbeError> {
        match self.never {}
    }
    pub(super) fn header(&self) -> &Header {
        match self.never {}
    }
    pub(super) fn slot(&self, _i: usize) -> &PeerSlot {
        match self.never {}
    }
    pub(super) fn acquire(&self, _kind: ProcKind) -> Result<(), i32> {
        match self.never {}
    }
    pub(super) fn release(&self, _kind: ProcKind) -> Result<(), i32> {
        match self.never {}
    }
}

pub(super) fn wait_while(_word: &AtomicU32, _seen: u32, timeout: Duration) {
    std::thread::sleep(timeout.min(Duration::from_millis(1)));
}

pub(super) fn wake_all(_word: &AtomicU32) {}

pub(super) fn die_with_parent(_parent_pid: u32) -> bool {
    true
}

pub(super) fn stdin_fd() -> Result<OwnedFd, String> {
    Err("process-shared locks need Linux".into())
}

pub(super) fn process_cpu_s() -> f64 {
    crate::measure::Usage::this_process().cpu_s()
}
