//! The one interface every IPC transport implements: one side of a duplex message transport
//! (byte transports in `transport.rs` and `shm.rs`, in-process channels in `channel.rs`).

use std::io;
use std::time::Instant;

/// Largest framed message any transport accepts (a longer length prefix is corruption).
pub(crate) const MAX_MESSAGE: usize = 64 * 1024 * 1024;

/// One side of a duplex message transport.
pub(crate) trait Endpoint: Send {
    /// Sends one message; an empty message marks the end of a sample.
    fn send(&mut self, msg: &[u8]) -> io::Result<()>;
    /// Receives one message into `buf` (replacing its contents).
    fn recv(&mut self, buf: &mut Vec<u8>) -> io::Result<()>;
    /// Gives up waiting for the other side at `deadline` (transports that can).
    fn set_deadline(&mut self, _deadline: Option<Instant>) {}
    /// Between samples: wait cheaply for the next message (busy-waiting transports block).
    fn set_idle(&mut self, _idle: bool) {}
}
