//! The platform calls several parts share, in one place: anonymous shared files (`memfd`),
//! cross-process futex wait and wake, per-thread CPU time, dying with the parent, ending a
//! child (wait, then kill), and private scratch directories. Linux
//! has them all; elsewhere the fallbacks say what is missing, and the probes that need them
//! report themselves unsupported.

mod child;
mod scratch;

#[cfg(not(target_os = "linux"))]
mod fallback;
#[cfg(target_os = "linux")]
mod linux;

pub(crate) use child::wait_or_kill;
#[cfg(not(target_os = "linux"))]
pub(crate) use fallback::*;
#[cfg(target_os = "linux")]
pub(crate) use linux::*;
pub use scratch::private_dir;
