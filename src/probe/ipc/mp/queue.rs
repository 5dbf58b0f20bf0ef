//! `Queue`: a bounded queue between processes built the way multiprocessing.Queue is — each
//! item serialised (postcard, as pickle), written as one length-prefixed frame to a pipe under
//! a writers' lock, read under a readers' lock, with a semaphore of free slots (`maxsize`) in
//! shared memory. `put` blocks or times out when the queue is full; `get_nowait` answers
//! `Empty` at once.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::sync::atomic::AtomicU32;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::super::shm::ShmRegion;
use super::sync::{Mutex, Semaphore};

/// Why a queue operation did not complete.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// `put` timed out: the queue stayed full.
    #[error("queue full")]
    Full,
    /// `get` timed out (or `get_nowait` found nothing).
    #[error("queue empty")]
    Empty,
    /// The queue's pipe or memory failed.
    #[error("queue broken: {0}")]
    Io(#[from] io::Error),
    /// An item did not decode.
    #[error("bad item: {0}")]
    Decode(String),
}

/// One item as it travels: who put it and its bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// The producer's number.
    pub from: u32,
    /// The body.
    #[serde(with = "serde_bytes")]
    pub body: Vec<u8>,
}

/// Shared words: [writers' lock, readers' lock, free slots, slot sleepers].
const WORDS: usize = 4;

/// A handle on the queue; a process may hold the reading end, the writing end, or both.
#[derive(Debug)]
pub struct Queue {
    region: ShmRegion,
    rx: Option<File>,
    tx: Option<File>,
    maxsize: u32,
}

impl Queue {
    /// A new queue holding at most `maxsize` items.
    pub fn new(maxsize: u32) -> io::Result<Queue> {
        let maxsize = maxsize.max(1);
        let region = ShmRegion::with_len(4096)?;
        let (r, w) = io::pipe()?;
        let q = Queue {
            region,
            rx: Some(File::from(OwnedFd::from(r))),
            tx: Some(File::from(OwnedFd::from(w))),
            maxsize,
        };
        q.word(2).store(maxsize, std::sync::atomic::Ordering::SeqCst);
        Ok(q)
    }

    /// A writing handle from another process's descriptors (the shared words, the pipe's
    /// writing end).
    pub fn producer(shared: OwnedFd, tx: OwnedFd, maxsize: u32) -> io::Result<Queue> {
        Ok(Queue {
            region: ShmRegion::open_any(shared)?,
            rx: None,
            tx: Some(File::from(tx)),
            maxsize,
        })
    }

    /// Descriptors for a producer in another process: (shared words, pipe writing end).
    pub fn producer_fds(&self) -> io::Result<(OwnedFd, OwnedFd)> {
        let tx = self.tx.as_ref().ok_or_else(|| io::Error::other("no writing end"))?;
        Ok((self.region.dup_fd()?, tx.as_fd().try_clone_to_owned()?))
    }

    /// The most items it holds.
    pub fn maxsize(&self) -> u32 {
        self.maxsize
    }

    fn word(&self, i: usize) -> &AtomicU32 {
        debug_assert!(i < WORDS);
        // SAFETY: the first page of the mapping holds the shared words (zero-initialised,
        // slots set by `new`); they live with `self`. Each sits in its own cache line.
        unsafe { &*self.region.as_ptr().add(i * 64).cast::<AtomicU32>() }
    }

    fn slots(&self) -> Semaphore<'_> {
        Semaphore { count: self.word(2), sleepers: self.word(3) }
    }

    /// Puts `item`, waiting at most `timeout` for a free slot (`None`: as long as it takes).
    pub fn put(&self, item: &Item, timeout: Option<Duration>) -> Result<(), QueueError> {
        let tx = self.tx.as_ref().ok_or_else(|| io::Error::other("no writing end"))?;
        let body = postcard::to_allocvec(item).map_err(|e| QueueError::Decode(e.to_string()))?;
        if !self.slots().acquire(timeout) {
            return Err(QueueError::Full);
        }
        let len =
            u32::try_from(body.len()).map_err(|_| QueueError::Decode("item too large".into()))?;
        let mut frame = Vec::with_capacity(4 + body.len());
        frame.extend_from_slice(&len.to_le_bytes());
        frame.extend_from_slice(&body);
        let lock = Mutex(self.word(0));
        lock.lock();
        let written = (&*tx).write_all(&frame);
        lock.unlock();
        written?;
        Ok(())
    }

    /// Takes the oldest item, waiting at most `timeout` for one (`None`: as long as it takes).
    pub fn get(&self, timeout: Option<Duration>) -> Result<Item, QueueError> {
        let rx = self.rx.as_ref().ok_or_else(|| io::Error::other("no reading end"))?;
        let lock = Mutex(self.word(1));
        lock.lock();
        let read = (|| {
            let ts = timeout.map(|t| rustix::event::Timespec {
                tv_sec: t.as_secs() as _,
                tv_nsec: t.subsec_nanos() as _,
            });
            let mut fds = [rustix::event::PollFd::new(rx, rustix::event::PollFlags::IN)];
            let ready = rustix::event::poll(&mut fds, ts.as_ref()).map_err(io::Error::from)?;
            if ready == 0 {
                return Err(QueueError::Empty);
            }
            let mut head = [0u8; 4];
            (&*rx).read_exact(&mut head)?;
            let len = u32::from_le_bytes(head) as usize;
            if len > super::super::endpoint::MAX_MESSAGE {
                return Err(QueueError::Decode("corrupt length prefix".into()));
            }
            let mut body = vec![0u8; len];
            (&*rx).read_exact(&mut body)?;
            Ok(body)
        })();
        lock.unlock();
        let body = read?;
        self.slots().release();
        postcard::from_bytes(&body).map_err(|e| QueueError::Decode(e.to_string()))
    }

    /// Takes the oldest item if there is one, else [`QueueError::Empty`] at once.
    pub fn get_nowait(&self) -> Result<Item, QueueError> {
        self.get(Some(Duration::ZERO))
    }
}
