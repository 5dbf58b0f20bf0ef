//! Shared-memory transports: a mapping shared by both sides (an anonymous file, so nothing is
//! left in `/dev/shm` and a killed peer leaks nothing), holding two single-producer rings of
//! bytes (one per direction) and one cache line for the atomic ping-pong floor.
//!
//! A ring waits in one of two ways: spinning on the other side's index (fast, burns a CPU the
//! whole time), or blocking on a futex after a few spins (cheap on CPU, pays a wake-up). Between
//! samples both block, so an idle case never burns the CPU another case is measuring on.

use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering, fence};
use std::time::{Duration, Instant};

use crossbeam_utils::CachePadded;
use rustix::mm::{MapFlags, ProtFlags, mmap, munmap};

use super::endpoint::Endpoint;
use crate::sys as os;

/// Bytes in each ring.
pub(crate) const RING: usize = 256 * 1024;
const PAGE: usize = 4096;
/// Spins of a busy wait between two looks at the deadline and a `yield` (so two spinning
/// ends sharing one CPU still make progress).
const SPINS_PER_YIELD: u32 = 100;
/// Spins of a blocking wait before it sleeps.
const BLOCK_SPINS: u32 = 64;
/// Longest single futex sleep during a sample, so deadlines and a closed peer are noticed.
const NAP: Duration = Duration::from_millis(10);
/// Longest single futex sleep between samples: closing the region wakes the sleeper, and a
/// peer process dies with its parent, so this only bounds a lost wake-up.
const IDLE_NAP: Duration = Duration::from_secs(1);

/// Which end of a shared region this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// The measuring side.
    Driver,
    /// The echoing or receiving side.
    Peer,
}

/// How a side waits for the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wait {
    /// Busy-wait on the index.
    Spin,
    /// A few spins, then sleep on a futex until woken.
    Block,
}

#[repr(C)]
struct Futex {
    seq: AtomicU32,
    waiting: AtomicU32,
}

#[repr(C)]
struct RingHead {
    head: CachePadded<AtomicU64>,
    tail: CachePadded<AtomicU64>,
    data: CachePadded<Futex>,
    space: CachePadded<Futex>,
}

#[repr(C)]
struct Header {
    /// The ping-pong words of the atomic floor, both in one cache line.
    line: CachePadded<[AtomicU64; 2]>,
    closed: CachePadded<AtomicU32>,
    rings: [RingHead; 2],
}

const DATA_AT: usize = std::mem::size_of::<Header>().div_ceil(PAGE) * PAGE;
const LEN: usize = DATA_AT + 2 * RING;

/// A shared mapping of an anonymous file; unmapped on drop.
#[derive(Debug)]
pub(crate) struct ShmRegion {
    ptr: NonNull<u8>,
    len: usize,
    fd: OwnedFd,
}

// SAFETY: the mapping is plain shared memory; every shared field is atomic and the ring
// bodies are only touched in ranges the index protocol hands to one side at a time.
unsafe impl Send for ShmRegion {}
// SAFETY: as above.
unsafe impl Sync for ShmRegion {}

impl ShmRegion {
    /// A new zeroed region for the rings (`_size` is the message size; the rings stream
    /// larger messages in pieces).
    pub(crate) fn create(_size: usize) -> io::Result<ShmRegion> {
        ShmRegion::with_len(LEN)
    }

    /// A new zeroed region of `len` bytes.
    pub(crate) fn with_len(len: usize) -> io::Result<ShmRegion> {
        let fd = os::anonymous_file("gilbench-ipc", len as u64)?;
        ShmRegion::map(fd, len)
    }

    /// Maps a ring region created by [`ShmRegion::create`] (possibly in another process).
    pub(crate) fn open(fd: OwnedFd) -> io::Result<ShmRegion> {
        let st = rustix::fs::fstat(&fd)?;
        if usize::try_from(st.st_size).ok() != Some(LEN) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "shared region of wrong size"));
        }
        ShmRegion::map(fd, LEN)
    }

    /// Maps a region of any size made by [`ShmRegion::with_len`].
    pub(crate) fn open_any(fd: OwnedFd) -> io::Result<ShmRegion> {
        let st = rustix::fs::fstat(&fd)?;
        let len = usize::try_from(st.st_size).unwrap_or(0);
        if len == 0 {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "empty shared region"));
        }
        ShmRegion::map(fd, len)
    }

    fn map(fd: OwnedFd, len: usize) -> io::Result<ShmRegion> {
        // SAFETY: a fresh shared mapping of the whole file, page-aligned, owned by the region.
        let ptr = unsafe {
            mmap(
                std::ptr::null_mut(),
                len,
                ProtFlags::READ | ProtFlags::WRITE,
                MapFlags::SHARED,
                fd.as_fd(),
                0,
            )?
        };
        let ptr =
            NonNull::new(ptr.cast::<u8>()).ok_or_else(|| io::Error::other("mmap returned null"))?;
        Ok(ShmRegion { ptr, len, fd })
    }

    /// A copy of the descriptor, for the other side.
    pub(crate) fn dup_fd(&self) -> io::Result<OwnedFd> {
        self.fd.try_clone()
    }

    /// Start of the mapping.
    pub(crate) fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    /// Length of the mapping, bytes.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    fn header(&self) -> &Header {
        // SAFETY: the mapping starts with a Header (zero is a valid value of every field) and
        // lives as long as `self`.
        unsafe { &*self.ptr.as_ptr().cast::<Header>() }
    }

    fn ring_data(&self, ring: usize) -> *mut u8 {
        // SAFETY: DATA_AT + 2 * RING == LEN, inside the mapping.
        unsafe { self.ptr.as_ptr().add(DATA_AT + ring * RING) }
    }

    /// Marks the region closed and wakes every sleeper, so the other side stops waiting.
    pub(crate) fn close(&self) {
        let h = self.header();
        h.closed.store(1, Ordering::SeqCst);
        for r in &h.rings {
            for f in [&r.data, &r.space] {
                f.seq.fetch_add(1, Ordering::SeqCst);
                os::futex_wake(&f.seq, u32::MAX);
            }
        }
    }
}

impl Drop for ShmRegion {
    fn drop(&mut self) {
        // SAFETY: the mapping was made by `map` with this length and is not used after this.
        let _ = unsafe { munmap(self.ptr.as_ptr().cast(), self.len) };
    }
}

/// Wakes the other side if it sleeps on `f`.
fn notify(f: &Futex) {
    fence(Ordering::SeqCst);
    if f.waiting.load(Ordering::Relaxed) != 0 {
        f.seq.fetch_add(1, Ordering::SeqCst);
        os::futex_wake(&f.seq, 1);
    }
}

/// Waits until `ready()`, spinning or sleeping on `f`.
fn wait_until(
    ready: &dyn Fn() -> bool,
    f: &Futex,
    closed: &AtomicU32,
    wait: Wait,
    idle: bool,
    deadline: Option<Instant>,
) -> io::Result<()> {
    let late = || deadline.is_some_and(|d| Instant::now() > d);
    let mut spins = 0u32;
    loop {
        if ready() {
            return Ok(());
        }
        if closed.load(Ordering::Relaxed) != 0 {
            return Err(io::Error::new(io::ErrorKind::BrokenPipe, "the other side closed"));
        }
        if wait == Wait::Spin && !idle {
            std::hint::spin_loop();
            spins = spins.wrapping_add(1);
            if spins.is_multiple_of(SPINS_PER_YIELD) {
                if late() {
                    return Err(io::Error::new(io::ErrorKind::TimedOut, "deadline passed"));
                }
                // Lets the other side run when both share one CPU.
                std::thread::yield_now();
            }
            continue;
        }
        if !idle && spins < BLOCK_SPINS {
            spins += 1;
            std::hint::spin_loop();
            continue;
        }
        f.waiting.store(1, Ordering::SeqCst);
        let seen = f.seq.load(Ordering::SeqCst);
        if ready() {
            f.waiting.store(0, Ordering::Relaxed);
            return Ok(());
        }
        os::futex_wait(&f.seq, seen, if idle { IDLE_NAP } else { NAP });
        f.waiting.store(0, Ordering::Relaxed);
        if late() {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "deadline passed"));
        }
    }
}

/// One side of the shared-memory ring transport.
#[derive(Debug)]
pub(crate) struct ShmEnd {
    region: ShmRegion,
    tx: usize,
    wait: Wait,
    idle: bool,
    deadline: Option<Instant>,
    head: u64,
    tail: u64,
}

impl ShmEnd {
    /// `side`'s end of `region`, waiting the `wait` way.
    pub(crate) fn new(region: ShmRegion, side: Side, wait: Wait) -> ShmEnd {
        let tx = if side == Side::Driver { 0 } else { 1 };
        let h = region.header();
        let head = h.rings[tx].head.load(Ordering::Acquire);
        let tail = h.rings[1 - tx].tail.load(Ordering::Acquire);
        ShmEnd { region, tx, wait, idle: false, deadline: None, head, tail }
    }

    fn write(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        let h = self.region.header();
        let ring = &h.rings[self.tx];
        let data = self.region.ring_data(self.tx);
        while !bytes.is_empty() {
            let tail = ring.tail.load(Ordering::Acquire);
            let free = RING - (self.head - tail) as usize;
            if free == 0 {
                ring.head.store(self.head, Ordering::Release);
                notify(&ring.data);
                let ready = || ring.tail.load(Ordering::Acquire) != tail;
                wait_until(&ready, &ring.space, &h.closed, self.wait, false, self.deadline)?;
                continue;
            }
            let pos = (self.head % RING as u64) as usize;
            let n = bytes.len().min(free).min(RING - pos);
            // SAFETY: [pos, pos+n) lies in this ring and is free: the reader is past it.
            unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), data.add(pos), n) };
            self.head += n as u64;
            bytes = &bytes[n..];
        }
        Ok(())
    }

    fn read(&mut self, mut out: &mut [u8]) -> io::Result<()> {
        let h = self.region.header();
        let ring = &h.rings[1 - self.tx];
        let data = self.region.ring_data(1 - self.tx);
        while !out.is_empty() {
            let head = ring.head.load(Ordering::Acquire);
            let avail = (head - self.tail) as usize;
            if avail == 0 {
                ring.tail.store(self.tail, Ordering::Release);
                notify(&ring.space);
                let tail = self.tail;
                let ready = || ring.head.load(Ordering::Acquire) != tail;
                wait_until(&ready, &ring.data, &h.closed, self.wait, self.idle, self.deadline)?;
                continue;
            }
            let pos = (self.tail % RING as u64) as usize;
            let n = out.len().min(avail).min(RING - pos);
            // SAFETY: [pos, pos+n) lies in this ring and was published by the writer.
            unsafe { std::ptr::copy_nonoverlapping(data.add(pos), out.as_mut_ptr(), n) };
            self.tail += n as u64;
            out = &mut out[n..];
        }
        Ok(())
    }
}

impl Endpoint for ShmEnd {
    fn send(&mut self, msg: &[u8]) -> io::Result<()> {
        let len = u32::try_from(msg.len())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "message too long"))?;
        self.write(&len.to_le_bytes())?;
        self.write(msg)?;
        let ring = &self.region.header().rings[self.tx];
        ring.head.store(self.head, Ordering::Release);
        notify(&ring.data);
        Ok(())
    }

    fn recv(&mut self, buf: &mut Vec<u8>) -> io::Result<()> {
        let mut head = [0u8; 4];
        self.read(&mut head)?;
        let len = u32::from_le_bytes(head) as usize;
        if len > super::endpoint::MAX_MESSAGE {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "corrupt length prefix"));
        }
        buf.resize(len, 0);
        self.read(buf)?;
        let ring = &self.region.header().rings[1 - self.tx];
        ring.tail.store(self.tail, Ordering::Release);
        notify(&ring.space);
        Ok(())
    }

    fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.deadline = deadline;
    }

    fn set_idle(&mut self, idle: bool) {
        self.idle = idle;
    }
}

impl Drop for ShmEnd {
    fn drop(&mut self) {
        self.region.close();
    }
}

/// How often an idle atomic-floor end looks for the next sample's first message.
const IDLE_POLL: Duration = Duration::from_millis(2);

/// Low half of an atomic-floor word that marks the end of a sample.
const END: u64 = 0xFFFF_FFFF;

/// The floor: eight-byte messages as stores to one shared cache line, read by spinning.
#[derive(Debug)]
pub(crate) struct AtomicEnd {
    region: ShmRegion,
    tx: usize,
    stores: u64,
    last: u64,
    idle: bool,
    deadline: Option<Instant>,
}

impl AtomicEnd {
    /// `side`'s end of a fresh `region` (both words still zero: every store is nonzero).
    pub(crate) fn new(region: ShmRegion, side: Side) -> AtomicEnd {
        let tx = if side == Side::Driver { 0 } else { 1 };
        AtomicEnd { region, tx, stores: 0, last: 0, idle: false, deadline: None }
    }
}

impl Endpoint for AtomicEnd {
    fn send(&mut self, msg: &[u8]) -> io::Result<()> {
        // High half: this side's store count, so every store differs from the last one seen;
        // low half: the sequence number, or all ones for the end of a sample.
        let low = match msg.len() {
            0 => END,
            8 => {
                let mut w = [0u8; 8];
                w.copy_from_slice(msg);
                u64::from_le_bytes(w) & END
            }
            _ => return Err(io::Error::new(io::ErrorKind::InvalidInput, "eight bytes only")),
        };
        self.stores = self.stores.wrapping_add(1);
        self.region.header().line[self.tx].store((self.stores << 32) | low, Ordering::Release);
        Ok(())
    }

    fn recv(&mut self, buf: &mut Vec<u8>) -> io::Result<()> {
        let h = self.region.header();
        let word = &h.line[1 - self.tx];
        let mut spins = 0u32;
        let value = loop {
            let v = word.load(Ordering::Acquire);
            if v != self.last {
                break v;
            }
            if h.closed.load(Ordering::Relaxed) != 0 {
                return Err(io::Error::new(io::ErrorKind::BrokenPipe, "the other side closed"));
            }
            if self.idle {
                // Between samples: a rare look, so the idle end wakes no CPU another case is
                // measured on (the figure is the median round trip: the first one's wait
                // does not move it).
                std::thread::sleep(IDLE_POLL);
                continue;
            }
            std::hint::spin_loop();
            spins = spins.wrapping_add(1);
            if spins.is_multiple_of(SPINS_PER_YIELD) {
                if self.deadline.is_some_and(|d| Instant::now() > d) {
                    return Err(io::Error::new(io::ErrorKind::TimedOut, "deadline passed"));
                }
                std::thread::yield_now();
            }
        };
        self.last = value;
        buf.clear();
        if value & END != END {
            buf.extend_from_slice(&(value & END).to_le_bytes());
        }
        Ok(())
    }

    fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.deadline = deadline;
    }

    fn set_idle(&mut self, idle: bool) {
        self.idle = idle;
    }
}

impl Drop for AtomicEnd {
    fn drop(&mut self) {
        self.region.close();
    }
}
