//! The platform calls several parts share, in one place: anonymous shared files (`memfd`),
//! cross-process futex wait and wake, per-thread CPU time, dying with the parent, and private
//! scratch directories. Linux
//! has them all; elsewhere the fallbacks say what is missing, and the probes that need them
//! report themselves unsupported.

mod scratch;

#[cfg(not(target_os = "linux"))]
mod fallback;
#[cfg(target_os = "linux")]
mod linux;

#[cfg(not(target_os = "linux"))]
pub(crate) use fallback::*;
#[cfg(target_os = "linux")]
pub(crate) use linux::*;
pub use scratch::private_dir;
