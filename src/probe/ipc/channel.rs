//! In-process channels between two threads: crossbeam (unbounded and bounded), std `mpsc`
//! (`channel` and `sync_channel`) and tokio `mpsc` used from plain threads. A message is a
//! `Vec<u8>` the sender fills with one copy of its buffer, moved through the channel, and
//! checked like any other; the receiver hands the buffer back through a [`Recycler`], so a
//! message costs the channel and one copy, not an allocation. An unbounded channel lets the
//! sender run ahead; in throughput mode it is held to a window of messages so a fast sender
//! cannot fill memory.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::Transport;
use super::endpoint::Endpoint;

/// Capacity of the bounded channels.
pub(crate) const BOUND: usize = 64;
/// Spare buffers a [`Recycler`] keeps; more are freed.
const SPARES: usize = 2 * BOUND;

/// Message buffers a receiver has finished with, for a sender to fill again. Shared by both
/// ends of a pair: without it every message would be an allocation, and a large one would
/// measure the allocator's page faults (or leave its freed pages in a thread's heap arena)
/// rather than the channel.
#[derive(Clone)]
pub(crate) struct Recycler {
    tx: crossbeam_channel::Sender<Vec<u8>>,
    rx: crossbeam_channel::Receiver<Vec<u8>>,
}

impl Recycler {
    pub(crate) fn new() -> Recycler {
        let (tx, rx) = crossbeam_channel::bounded(SPARES);
        Recycler { tx, rx }
    }

    /// A buffer holding a copy of `msg`: a spare one where there is one.
    pub(crate) fn fill(&self, msg: &[u8]) -> Vec<u8> {
        let mut m = self.rx.try_recv().unwrap_or_default();
        m.clear();
        m.extend_from_slice(msg);
        m
    }

    /// Puts `received` in `buf` and keeps the buffer `buf` held before as a spare.
    pub(crate) fn take(&self, buf: &mut Vec<u8>, received: Vec<u8>) {
        let old = std::mem::replace(buf, received);
        if old.capacity() > 0 {
            let _ = self.tx.try_send(old);
        }
    }
}
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
    spares: Recycler,
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
    let spares = Recycler::new();
    Ok((
        ChanEnd {
            tx: down_tx,
            rx: up_rx,
            sent: 0,
            mine: Arc::clone(&a),
            theirs: Arc::clone(&b),
            window,
            spares: spares.clone(),
        },
        ChanEnd { tx: up_tx, rx: down_rx, sent: 0, mine: b, theirs: a, window, spares },
    ))
}

impl Endpoint for ChanEnd {
    fn send(&mut self, msg: &[u8]) -> io::Result<()> {
        if let Some(w) = self.window {
            while self.sent.saturating_sub(self.theirs.load(Ordering::Acquire)) >= w {
                std::thread::yield_now();
            }
        }
        let m = self.spares.fill(msg);
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
        let received = match &mut self.rx {
            Rx::Crossbeam(r) => r.recv().map_err(|_| closed())?,
            Rx::Std(r) => r.recv().map_err(|_| closed())?,
            Rx::Tokio(r) => r.blocking_recv().ok_or_else(closed)?,
        };
        self.spares.take(buf, received);
        if self.window.is_some() {
            self.mine.fetch_add(1, Ordering::Release);
        }
        Ok(())
    }
}
