//! The ping-pong itself, on any [`Channel`]: 32-bit messages carrying a sequence number that
//! both ends check, so a round trip that did not really alternate is an error, never a fast
//! figure. Also the portable channels: pipes, park/unpark mailboxes, `sched_yield` polling,
//! and the working set touched between switches.

use std::fs::File;
use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::thread::Thread;
use std::time::{Duration, Instant};

/// Sequence numbers live in the low 31 bits; the codes below sit above them.
pub const SEQ_MASK: u32 = 0x7fff_ffff;
/// An empty mailbox.
pub(crate) const EMPTY: u32 = 0x8000_0000;
/// Asks the peer to end.
pub const STOP: u32 = 0x8000_0001;
/// The peer's answer to a message it did not expect (it then ends).
pub const OUT_OF_SEQUENCE: u32 = 0x8000_0002;
/// The peer's first message: it is set up and waiting.
pub const READY: u32 = 0x8000_0003;

/// How long a blocked end waits before it looks at its deadline again.
pub(crate) const RECHECK: Duration = Duration::from_millis(50);

/// The message after `seq`.
pub fn next(seq: u32) -> u32 {
    seq.wrapping_add(1) & SEQ_MASK
}

/// Why a ping-pong stopped.
#[derive(Debug, thiserror::Error)]
pub enum PingError {
    /// The answer was not the next sequence number: the two ends did not alternate.
    #[error("the ping-pong did not alternate: expected message {expected}, got {got}")]
    OutOfSequence {
        /// The message that should have arrived.
        expected: u32,
        /// The message that did.
        got: u32,
    },
    /// The peer saw a message it did not expect.
    #[error("the peer saw a message out of sequence")]
    PeerOutOfSequence,
    /// The channel broke (a pipe closed, a peer died).
    #[error("the channel broke: {0}")]
    Broken(String),
    /// The deadline passed.
    #[error("deadline passed")]
    Timeout,
}

/// One end of a two-way channel of 32-bit messages.
pub trait Channel: Send {
    /// Sends one message.
    fn send(&mut self, msg: u32) -> Result<(), PingError>;
    /// Waits for one message, until `deadline` if given.
    fn recv(&mut self, deadline: Option<Instant>) -> Result<u32, PingError>;
}

/// Memory touched between switches (one write per 64-byte line), as lmbench `lat_ctx -s`
/// sums its array: what a switch costs once the caches hold someone else's data.
#[derive(Debug, Clone, Default)]
pub struct WorkingSet {
    lines: Vec<u64>,
}

impl WorkingSet {
    /// A working set of `bytes` (rounded down to whole lines; 0 touches nothing).
    pub fn new(bytes: u64) -> WorkingSet {
        WorkingSet { lines: vec![0; (bytes / 8) as usize] }
    }

    /// Whether it touches anything.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Writes every 64-byte line once.
    pub fn touch(&mut self) {
        for x in self.lines.iter_mut().step_by(8) {
            *x = std::hint::black_box(x.wrapping_add(1));
        }
    }

    /// Seconds one [`touch`](Self::touch) takes with the data already in cache (best of a
    /// few runs): the part of a switch figure that is not the switch.
    pub fn touch_cost_s(&mut self) -> f64 {
        if self.is_empty() {
            return 0.0;
        }
        let mut best = f64::INFINITY;
        for _ in 0..5 {
            let start = Instant::now();
            for _ in 0..20 {
                self.touch();
            }
            best = best.min(start.elapsed().as_secs_f64() / 20.0);
        }
        best
    }
}

/// `round_trips` round trips from the initiating end, continuing the sequence at `seq`:
/// send, wait for the answer, check it is the next number, touch the working set.
pub fn ping(
    ch: &mut dyn Channel,
    ws: &mut WorkingSet,
    seq: &mut u32,
    round_trips: u64,
    deadline: Instant,
) -> Result<(), PingError> {
    for i in 0..round_trips {
        if i.is_multiple_of(128) && Instant::now() > deadline {
            return Err(PingError::Timeout);
        }
        ch.send(*seq)?;
        let got = ch.recv(Some(deadline))?;
        let expected = next(*seq);
        if got == OUT_OF_SEQUENCE {
            return Err(PingError::PeerOutOfSequence);
        }
        if got != expected {
            return Err(PingError::OutOfSequence { expected, got });
        }
        ws.touch();
        *seq = next(expected);
    }
    Ok(())
}

/// The answering end: says [`READY`], then answers every message with the next number
/// (after touching its working set) until [`STOP`]. A message out of sequence is answered
/// with [`OUT_OF_SEQUENCE`] and ends it. Counts its answers in `replies`.
pub fn serve(
    ch: &mut dyn Channel,
    ws: &mut WorkingSet,
    replies: &AtomicU64,
) -> Result<(), PingError> {
    ch.send(READY)?;
    let mut expected = 0u32;
    loop {
        let got = ch.recv(None)?;
        if got == STOP {
            return Ok(());
        }
        if got != expected {
            let _ = ch.send(OUT_OF_SEQUENCE);
            return Err(PingError::OutOfSequence { expected, got });
        }
        ws.touch();
        // Counted before the answer leaves, so the other end sees the count once it has it.
        replies.fetch_add(1, Ordering::Relaxed);
        ch.send(next(got))?;
        expected = next(next(got));
    }
}

/// Waits for the peer's [`READY`].
pub(crate) fn await_ready(ch: &mut dyn Channel, within: Duration) -> Result<(), PingError> {
    match ch.recv(Some(Instant::now() + within))? {
        READY => Ok(()),
        other => Err(PingError::Broken(format!("the peer's first message was {other:#x}"))),
    }
}

/// Two pipes, one each way: every message is a `write(2)` and a `read(2)`.
#[derive(Debug)]
pub struct PipeChannel {
    rx: File,
    tx: File,
}

impl PipeChannel {
    /// A channel reading `rx` and writing `tx`.
    pub fn new(rx: File, tx: File) -> PipeChannel {
        PipeChannel { rx, tx }
    }

    /// Two connected ends.
    pub fn pair() -> std::io::Result<(PipeChannel, PipeChannel)> {
        let (a_rx, b_tx) = std::io::pipe()?;
        let (b_rx, a_tx) = std::io::pipe()?;
        let file = |fd: std::os::fd::OwnedFd| File::from(fd);
        Ok((
            PipeChannel::new(file(a_rx.into()), file(a_tx.into())),
            PipeChannel::new(file(b_rx.into()), file(b_tx.into())),
        ))
    }
}

impl Channel for PipeChannel {
    fn send(&mut self, msg: u32) -> Result<(), PingError> {
        self.tx.write_all(&msg.to_ne_bytes()).map_err(|e| PingError::Broken(e.to_string()))
    }

    fn recv(&mut self, _deadline: Option<Instant>) -> Result<u32, PingError> {
        // A blocking read: a peer that dies closes the pipe, which ends the read.
        let mut buf = [0u8; 4];
        self.rx.read_exact(&mut buf).map_err(|e| PingError::Broken(e.to_string()))?;
        Ok(u32::from_ne_bytes(buf))
    }
}

/// A mailbox word each way; the receiver parks until the sender unparks it (a futex wait and
/// wake underneath on Linux).
#[derive(Debug)]
pub struct ParkChannel {
    inbox: Arc<AtomicU32>,
    outbox: Arc<AtomicU32>,
    other: Option<Thread>,
}

impl ParkChannel {
    /// Two connected ends; each must learn the other's thread with [`ParkChannel::connect`]
    /// before it sends.
    pub fn pair() -> (ParkChannel, ParkChannel) {
        let (a, b) = (Arc::new(AtomicU32::new(EMPTY)), Arc::new(AtomicU32::new(EMPTY)));
        (
            ParkChannel { inbox: Arc::clone(&a), outbox: Arc::clone(&b), other: None },
            ParkChannel { inbox: b, outbox: a, other: None },
        )
    }

    /// Sets the thread this end wakes.
    pub fn connect(&mut self, other: Thread) {
        self.other = Some(other);
    }
}

impl Channel for ParkChannel {
    fn send(&mut self, msg: u32) -> Result<(), PingError> {
        let other = self.other.as_ref().ok_or_else(|| PingError::Broken("not connected".into()))?;
        self.outbox.store(msg, Ordering::Release);
        other.unpark();
        Ok(())
    }

    fn recv(&mut self, deadline: Option<Instant>) -> Result<u32, PingError> {
        loop {
            let got = self.inbox.swap(EMPTY, Ordering::AcqRel);
            if got != EMPTY {
                return Ok(got);
            }
            match deadline {
                Some(d) => {
                    if Instant::now() > d {
                        return Err(PingError::Timeout);
                    }
                    std::thread::park_timeout(RECHECK);
                }
                None => std::thread::park(),
            }
        }
    }
}

/// How long the serving end of a [`YieldChannel`] polls without a message before it parks:
/// far longer than any round trip of a sample, so it parks only between samples.
const PARK_AFTER: Duration = Duration::from_millis(1);

/// Where an end of a [`YieldChannel`] sleeps between samples.
#[derive(Debug, Default)]
struct Bed {
    asleep: std::sync::atomic::AtomicBool,
    thread: std::sync::OnceLock<Thread>,
}

/// A mailbox word each way, polled with `sched_yield` in between: both ends stay runnable,
/// so on one CPU every yield hands it to the other end. The serving end (which waits with no
/// deadline) parks once no message has come for [`PARK_AFTER`], so between samples it burns
/// no CPU that another case is being measured on.
#[derive(Debug)]
pub struct YieldChannel {
    inbox: Arc<AtomicU32>,
    outbox: Arc<AtomicU32>,
    mine: Arc<Bed>,
    theirs: Arc<Bed>,
}

impl YieldChannel {
    /// Two connected ends.
    pub fn pair() -> (YieldChannel, YieldChannel) {
        let (a, b) = (Arc::new(AtomicU32::new(EMPTY)), Arc::new(AtomicU32::new(EMPTY)));
        let (x, y) = (Arc::new(Bed::default()), Arc::new(Bed::default()));
        (
            YieldChannel {
                inbox: Arc::clone(&a),
                outbox: Arc::clone(&b),
                mine: Arc::clone(&x),
                theirs: Arc::clone(&y),
            },
            YieldChannel { inbox: b, outbox: a, mine: y, theirs: x },
        )
    }
}

impl Channel for YieldChannel {
    fn send(&mut self, msg: u32) -> Result<(), PingError> {
        self.outbox.store(msg, Ordering::SeqCst);
        if self.theirs.asleep.load(Ordering::SeqCst)
            && let Some(t) = self.theirs.thread.get()
        {
            t.unpark();
        }
        Ok(())
    }

    fn recv(&mut self, deadline: Option<Instant>) -> Result<u32, PingError> {
        let mut spins = 0u32;
        let mut since = None;
        loop {
            let got = self.inbox.swap(EMPTY, Ordering::AcqRel);
            if got != EMPTY {
                return Ok(got);
            }
            std::thread::yield_now();
            spins = spins.wrapping_add(1);
            if !spins.is_multiple_of(1024) {
                continue;
            }
            match deadline {
                Some(d) if Instant::now() > d => return Err(PingError::Timeout),
                Some(_) => {}
                None if since.get_or_insert_with(Instant::now).elapsed() >= PARK_AFTER => {
                    // Idle: sleep until the other end sends (it unparks a sleeper it sees).
                    self.mine.thread.get_or_init(std::thread::current);
                    self.mine.asleep.store(true, Ordering::SeqCst);
                    if self.inbox.load(Ordering::SeqCst) == EMPTY {
                        std::thread::park_timeout(RECHECK * 20);
                    }
                    self.mine.asleep.store(false, Ordering::SeqCst);
                }
                None => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A peer that skips a number every `skip_every` answers.
    struct Skipper {
        pending: Option<u32>,
        answered: u32,
        skip_every: u32,
    }

    impl Channel for Skipper {
        fn send(&mut self, msg: u32) -> Result<(), PingError> {
            self.pending = Some(msg);
            Ok(())
        }
        fn recv(&mut self, _: Option<Instant>) -> Result<u32, PingError> {
            let m = self.pending.take().ok_or(PingError::Broken("nothing sent".into()))?;
            self.answered += 1;
            let step = if self.answered.is_multiple_of(self.skip_every) { 2 } else { 1 };
            Ok(m.wrapping_add(step) & SEQ_MASK)
        }
    }

    #[test]
    fn ping_notices_a_skipped_answer() {
        let mut ch = Skipper { pending: None, answered: 0, skip_every: 5 };
        let (mut ws, mut seq) = (WorkingSet::new(0), 0);
        let far = Instant::now() + Duration::from_secs(5);
        match ping(&mut ch, &mut ws, &mut seq, 100, far) {
            Err(PingError::OutOfSequence { expected: 9, got: 10 }) => {}
            other => panic!("expected an out-of-sequence error, got {other:?}"),
        }
        let mut honest = Skipper { pending: None, answered: 0, skip_every: u32::MAX };
        let mut seq = SEQ_MASK - 3; // wraps
        ping(&mut honest, &mut ws, &mut seq, 10, far).expect("an honest peer alternates");
        assert_eq!(seq, 16);
    }

    #[test]
    fn the_working_set_touches_every_line() {
        let mut ws = WorkingSet::new(4096);
        ws.touch();
        ws.touch();
        assert_eq!(ws.lines.iter().filter(|&&x| x == 2).count(), 4096 / 64);
        assert!(WorkingSet::new(0).is_empty());
    }
}
