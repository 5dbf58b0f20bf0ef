//! In-process channels between two threads: crossbeam (unbounded and bounded), std `mpsc`
//! (`channel` and `sync_channel`) and tokio `mpsc` used from plain threads. A message is a
//! `Vec<u8>` copied from the sender's buffer, moved through the channel, and checked like any
//! other. An unbounded channel lets the sender run ahead; in throughput mode it is held to a
//! window of messages so a fast sender cannot fill memory.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::Transport;
use super::transport::Endpoint;

/// Capacity of the bounded channels.
pub(crate) const BOUND: usize = 64;
/// Bytes an unbounded sender may run ahead of its receiver.
const WINDOW_BYTES: u64 = 64 * 1024 * 1024;

enum Tx {
    Crossbeam(crossbeam_channel::Sender<Vec<u8>>),
    Std(std::sync::mpsc::Sender<Vec<u8>>),
    StdSync(std::sync::mpsc::SyncSender<Vec<u8>>),
    Tokio(tokio::sync::mpsc::Sender<Vec<u8>>),
}

enum Rx {
    Crossbeam(crossbeam_channel::Receiver<Vec<u8>>),
    Std(std::sync::mpsc::Receiver<Vec<u8>>),
    Tokio(tokio::sync::mpsc::Receiver<Vec<u8>>),
}

/// One side of a pair of channels.
pub(crate) struct ChanEnd {
    tx: Tx,
    rx: Rx,
    sent: u64,
    /// Messages this side has received / the other side has received.
    mine: Arc<AtomicU64>,
    theirs: Arc<AtomicU64>,
    window: Option<u64>,
}

impl std::fmt::Debug for ChanEnd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChanEnd").field("sent", &self.sent).finish_non_exhaustive()
    }
}

fn closed() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "the other side closed")
}

/// Both ends of channel transport `t` for messages of `size` bytes.
pub(crate) fn pair(t: Transport, size: usize) -> io::Result<(ChanEnd, ChanEnd)> {
    fn one(t: Transport) -> io::Result<(Tx, Rx)> {
        Ok(match t {
            Transport::Crossbeam => {
                let (s, r) = crossbeam_channel::unbounded();
                (Tx::Crossbeam(s), Rx::Crossbeam(r))
            }
            Transport::CrossbeamBounded => {
                let (s, r) = crossbeam_channel::bounded(BOUND);
                (Tx::Crossbeam(s), Rx::Crossbeam(r))
            }
            Transport::StdMpsc => {
                let (s, r) = std::sync::mpsc::channel();
                (Tx::Std(s), Rx::Std(r))
            }
            Transport::StdSync => {
                let (s, r) = std::sync::mpsc::sync_channel(BOUND);
                (Tx::StdSync(s), Rx::Std(r))
            }
            Transport::TokioMpsc => {
                let (s, r) = tokio::sync::mpsc::channel(BOUND);
                (Tx::Tokio(s), Rx::Tokio(r))
            }
            other => {
                return Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    format!("{} is not a channel", other.name()),
                ));
            }
        })
    }
    let (down_tx, down_rx) = one(t)?;
    let (up_tx, up_rx) = one(t)?;
    let unbounded = matches!(t, Transport::Crossbeam | Transport::StdMpsc);
    let window = unbounded.then(|| (WINDOW_BYTES / size.max(1) as u64).max(16));
    let (a, b) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    Ok((
        ChanEnd {
            tx: down_tx,
            rx: up_rx,
            sent: 0,
            mine: Arc::clone(&a),
            theirs: Arc::clone(&b),
            window,
        },
        ChanEnd { tx: up_tx, rx: down_rx, sent: 0, mine: b, theirs: a, window },
    ))
}

impl Endpoint for ChanEnd {
    fn send(&mut self, msg: &[u8]) -> io::Result<()> {
        if let Some(w) = self.window {
            while self.sent.saturating_sub(self.theirs.load(Ordering::Acquire)) >= w {
                std::thread::yield_now();
            }
        }
        let m = msg.to_vec();
        match &self.tx {
            Tx::Crossbeam(s) => s.send(m).map_err(|_| closed())?,
            Tx::Std(s) => s.send(m).map_err(|_| closed())?,
            Tx::StdSync(s) => s.send(m).map_err(|_| closed())?,
            Tx::Tokio(s) => s.blocking_send(m).map_err(|_| closed())?,
        }
        self.sent += 1;
        Ok(())
    }

    fn recv(&mut self, buf: &mut Vec<u8>) -> io::Result<()> {
        *buf = match &mut self.rx {
            Rx::Crossbeam(r) => r.recv().map_err(|_| closed())?,
            Rx::Std(r) => r.recv().map_err(|_| closed())?,
            Rx::Tokio(r) => r.blocking_recv().ok_or_else(closed)?,
        };
        if self.window.is_some() {
            self.mine.fetch_add(1, Ordering::Release);
        }
        Ok(())
    }
}
