//! The two ends of each switch mechanism, built on the probe's driver thread (which is the
//! initiating end): a peer thread, a peer process (gilbench re-executed with the hidden
//! `__switch-peer` subcommand), or a peer tokio task. Dropping a pair stops its peer and
//! joins or reaps it.

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use super::chan::{
    Channel, EMPTY, OUT_OF_SEQUENCE, ParkChannel, PingError, PipeChannel, READY, STOP, WorkingSet,
    YieldChannel, await_ready, next, ping, serve,
};
use super::sys;
use crate::measure::placement::pin_current_thread;
use crate::probe::ProbeError;

/// How long a peer gets to say it is ready.
const READY_WITHIN: Duration = Duration::from_secs(10);
/// How long a stopped peer process gets to exit before it is killed.
const EXIT_GRACE: Duration = Duration::from_secs(1);

/// The switch mechanisms, as named in scenario files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    ThreadFutex,
    ThreadPipe,
    ProcessPipe,
    ProcessFutex,
    AsyncCurrent,
    AsyncMulti,
    Yield,
}

impl Kind {
    pub(super) fn from_name(name: &str) -> Option<Kind> {
        Some(match name {
            "thread-futex" => Kind::ThreadFutex,
            "thread-pipe" => Kind::ThreadPipe,
            "process-pipe" => Kind::ProcessPipe,
            "process-futex" => Kind::ProcessFutex,
            "async-current" => Kind::AsyncCurrent,
            "async-multi" => Kind::AsyncMulti,
            "yield" => Kind::Yield,
            _ => return None,
        })
    }
}

/// One built mechanism, driven from the thread that built it.
pub(super) trait Mechanism {
    /// `round_trips` round trips, sequence-checked.
    fn run(&mut self, round_trips: u64, deadline: Instant) -> Result<(), PingError>;
    /// The OS threads (pid, tid) of the ends, the driver thread not included.
    fn peers(&self) -> Vec<(u32, i32)>;
    /// Whether the driver thread is one of the ends (its switches count).
    fn driver_is_an_end(&self) -> bool {
        true
    }
    /// Answers the peer has given so far, where it counts them in this process.
    fn replies(&self) -> Option<u64>;
}

/// What a pair is built from.
#[derive(Debug, Clone)]
pub(super) struct Spec {
    pub(super) kind: Kind,
    /// CPUs of the initiating end and the peer (`None`: not pinned).
    pub(super) cpus: (Option<usize>, Option<usize>),
    pub(super) working_set: u64,
    pub(super) worker_exe: std::path::PathBuf,
}

/// Builds the pair on the calling thread (the initiating end).
pub(super) fn build(spec: &Spec) -> Result<Box<dyn Mechanism>, ProbeError> {
    let setup = |what: &str, e: &dyn std::fmt::Display| ProbeError::Setup(format!("{what}: {e}"));
    match spec.kind {
        Kind::ThreadFutex => {
            let (mut mine, mut theirs) = ParkChannel::pair();
            theirs.connect(std::thread::current());
            let peer = PeerThread::start(theirs, spec)?;
            mine.connect(peer.thread());
            SyncPair::ready(Box::new(mine), spec, Peer::Thread(peer))
        }
        Kind::ThreadPipe => {
            let (mine, theirs) = PipeChannel::pair().map_err(|e| setup("pipes", &e))?;
            let peer = PeerThread::start(theirs, spec)?;
            SyncPair::ready(Box::new(mine), spec, Peer::Thread(peer))
        }
        Kind::Yield => {
            let (mine, theirs) = YieldChannel::pair();
            let peer = PeerThread::start(theirs, spec)?;
            SyncPair::ready(Box::new(mine), spec, Peer::Thread(peer))
        }
        Kind::ProcessPipe => {
            let mut child = peer_command(spec, "pipe")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .map_err(|e| setup("starting the peer process", &e))?;
            let (Some(tx), Some(rx)) = (child.stdin.take(), child.stdout.take()) else {
                let _ = child.kill();
                let _ = child.wait();
                return Err(ProbeError::Setup("the peer process has no pipes".into()));
            };
            let ch = PipeChannel::new(
                std::fs::File::from(std::os::fd::OwnedFd::from(rx)),
                std::fs::File::from(std::os::fd::OwnedFd::from(tx)),
            );
            SyncPair::ready(Box::new(ch), spec, Peer::Process(child))
        }
        Kind::ProcessFutex => {
            if !sys::SHARED_FUTEX {
                return Err(ProbeError::Unsupported("no futex in shared memory here".into()));
            }
            let words = Arc::new(sys::SharedWords::create().map_err(|e| setup("memfd", &e))?);
            let stdin = sys::stdin_for_child(&words).map_err(|e| setup("memfd", &e))?;
            let child = peer_command(spec, "futex")
                .stdin(stdin)
                .stdout(Stdio::null())
                .spawn()
                .map_err(|e| setup("starting the peer process", &e))?;
            let ch = sys::FutexChannel::initiator(words);
            SyncPair::ready(Box::new(ch), spec, Peer::Process(child))
        }
        Kind::AsyncCurrent | Kind::AsyncMulti => Ok(Box::new(AsyncPair::start(spec)?)),
    }
}

fn peer_command(spec: &Spec, mechanism: &str) -> Command {
    let mut cmd = Command::new(&spec.worker_exe);
    cmd.arg("__switch-peer")
        .arg(mechanism)
        .arg(spec.cpus.1.map_or_else(|| "none".to_string(), |c| c.to_string()))
        .arg(spec.working_set.to_string())
        .stderr(Stdio::null());
    cmd
}

/// A peer thread running [`serve`].
struct PeerThread {
    handle: Option<JoinHandle<Result<(), PingError>>>,
    tid: i32,
    replies: Arc<AtomicU64>,
}

impl PeerThread {
    fn start(mut ch: impl Channel + 'static, spec: &Spec) -> Result<PeerThread, ProbeError> {
        let (cpu, bytes) = (spec.cpus.1, spec.working_set);
        let replies = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&replies);
        let (tx, rx) = std::sync::mpsc::channel();
        let handle = std::thread::Builder::new()
            .name("gilbench-switch-peer".into())
            .spawn(move || {
                if let Some(c) = cpu
                    && let Err(e) = pin_current_thread(c)
                {
                    let _ = tx.send(Err(e.to_string()));
                    return Err(PingError::Broken(e.to_string()));
                }
                let _ = tx.send(Ok(sys::current_tid()));
                let mut ws = WorkingSet::new(bytes);
                serve(&mut ch, &mut ws, &counted)
            })
            .map_err(|e| ProbeError::Setup(format!("starting the peer thread: {e}")))?;
        match rx.recv() {
            Ok(Ok(tid)) => Ok(PeerThread { handle: Some(handle), tid, replies }),
            Ok(Err(e)) => {
                let _ = handle.join();
                Err(ProbeError::Setup(format!("pinning the peer thread: {e}")))
            }
            Err(_) => {
                let _ = handle.join();
                Err(ProbeError::Setup("the peer thread ended before it started".into()))
            }
        }
    }

    fn thread(&self) -> std::thread::Thread {
        match &self.handle {
            Some(h) => h.thread().clone(),
            None => std::thread::current(),
        }
    }
}

enum Peer {
    Thread(PeerThread),
    Process(Child),
}

/// An initiating channel end on this thread and a peer thread or process.
struct SyncPair {
    ch: Box<dyn Channel>,
    ws: WorkingSet,
    seq: u32,
    peer: Peer,
}

impl SyncPair {
    /// The pair once the peer has said it is ready (dropped, so cleaned up, if it does not).
    fn ready(
        ch: Box<dyn Channel>,
        spec: &Spec,
        peer: Peer,
    ) -> Result<Box<dyn Mechanism>, ProbeError> {
        let mut pair = SyncPair { ch, ws: WorkingSet::new(spec.working_set), seq: 0, peer };
        await_ready(pair.ch.as_mut(), READY_WITHIN)
            .map_err(|e| ProbeError::Setup(format!("the peer did not get ready: {e}")))?;
        Ok(Box::new(pair))
    }
}

impl Mechanism for SyncPair {
    fn run(&mut self, round_trips: u64, deadline: Instant) -> Result<(), PingError> {
        ping(self.ch.as_mut(), &mut self.ws, &mut self.seq, round_trips, deadline)
    }

    fn peers(&self) -> Vec<(u32, i32)> {
        match &self.peer {
            Peer::Thread(t) => vec![(std::process::id(), t.tid)],
            // The peer process is single-threaded: its main thread's id is its pid.
            Peer::Process(c) => vec![(c.id(), c.id() as i32)],
        }
    }

    fn replies(&self) -> Option<u64> {
        match &self.peer {
            Peer::Thread(t) => Some(t.replies.load(Ordering::Relaxed)),
            Peer::Process(_) => None,
        }
    }
}

impl Drop for SyncPair {
    fn drop(&mut self) {
        let _ = self.ch.send(STOP);
        match &mut self.peer {
            Peer::Thread(t) => {
                if let Some(h) = t.handle.take() {
                    let _ = h.join();
                }
            }
            Peer::Process(child) => {
                crate::sys::wait_or_kill(child, EXIT_GRACE);
            }
        }
    }
}

/// The hidden `__switch-peer <pipe|futex> <cpu|none> <working set bytes>` subcommand: the
/// answering end of a process ping-pong on standard input/output (pipes) or on the memfd
/// given as standard input (futex). Returns the exit code.
pub fn peer_main(args: &[String]) -> i32 {
    let (Some(mechanism), Some(cpu), Some(bytes)) = (args.first(), args.get(1), args.get(2)) else {
        return 2;
    };
    let Ok(bytes) = bytes.parse::<u64>() else { return 2 };
    if cpu != "none" {
        match cpu.parse::<usize>() {
            Ok(c) if pin_current_thread(c).is_ok() => {}
            _ => return 4,
        }
    }
    let mut ws = WorkingSet::new(bytes);
    let replies = AtomicU64::new(0);
    let outcome = match mechanism.as_str() {
        "pipe" => {
            use std::os::fd::AsFd;
            let rx = std::io::stdin().as_fd().try_clone_to_owned();
            let tx = std::io::stdout().as_fd().try_clone_to_owned();
            let (Ok(rx), Ok(tx)) = (rx, tx) else { return 5 };
            let mut ch = PipeChannel::new(std::fs::File::from(rx), std::fs::File::from(tx));
            serve(&mut ch, &mut ws, &replies)
        }
        "futex" => match sys::futex_answerer_from_stdin() {
            Ok(mut ch) => serve(&mut ch, &mut ws, &replies),
            Err(_) => return 5,
        },
        _ => return 2,
    };
    if outcome.is_ok() { 0 } else { 3 }
}

/// A mailbox word and a `Notify` for each direction between two tokio tasks.
#[derive(Debug)]
struct Mailbox {
    word: AtomicU32,
    notify: Notify,
}

impl Mailbox {
    fn new() -> Mailbox {
        Mailbox { word: AtomicU32::new(EMPTY), notify: Notify::new() }
    }

    fn send(&self, msg: u32) {
        self.word.store(msg, Ordering::Release);
        self.notify.notify_one();
    }

    async fn recv(&self) -> u32 {
        loop {
            let got = self.word.swap(EMPTY, Ordering::AcqRel);
            if got != EMPTY {
                return got;
            }
            // notify_one leaves a permit when nobody waits, so no wake-up is lost here.
            self.notify.notified().await;
        }
    }
}

#[derive(Debug)]
struct Boxes {
    to_peer: Mailbox,
    to_ping: Mailbox,
}

async fn serve_async(boxes: Arc<Boxes>, mut ws: WorkingSet, replies: Arc<AtomicU64>) {
    boxes.to_ping.send(READY);
    let mut expected = 0u32;
    loop {
        let got = boxes.to_peer.recv().await;
        if got == STOP {
            return;
        }
        if got != expected {
            boxes.to_ping.send(OUT_OF_SEQUENCE);
            return;
        }
        ws.touch();
        replies.fetch_add(1, Ordering::Relaxed);
        boxes.to_ping.send(next(got));
        expected = next(next(got));
    }
}

/// The async twin of [`ping`].
async fn ping_async(
    boxes: Arc<Boxes>,
    mut ws: WorkingSet,
    mut seq: u32,
    round_trips: u64,
    deadline: Instant,
) -> (WorkingSet, u32, Result<(), PingError>) {
    for i in 0..round_trips {
        if i.is_multiple_of(128) && Instant::now() > deadline {
            return (ws, seq, Err(PingError::Timeout));
        }
        boxes.to_peer.send(seq);
        let got = boxes.to_ping.recv().await;
        let expected = next(seq);
        if got == OUT_OF_SEQUENCE {
            return (ws, seq, Err(PingError::PeerOutOfSequence));
        }
        if got != expected {
            return (ws, seq, Err(PingError::OutOfSequence { expected, got }));
        }
        ws.touch();
        seq = next(expected);
    }
    (ws, seq, Ok(()))
}

/// Two tokio tasks: on a current-thread runtime driven by this thread, or on a two-worker
/// multi-thread runtime whose workers are pinned like the two ends.
struct AsyncPair {
    rt: Option<tokio::runtime::Runtime>,
    multi: bool,
    boxes: Arc<Boxes>,
    ws: Option<WorkingSet>,
    seq: u32,
    replies: Arc<AtomicU64>,
    workers: Arc<Mutex<Vec<i32>>>,
}

impl AsyncPair {
    fn start(spec: &Spec) -> Result<AsyncPair, ProbeError> {
        let multi = spec.kind == Kind::AsyncMulti;
        let workers = Arc::new(Mutex::new(Vec::new()));
        let rt = if multi {
            let (cpus, seen, failed) =
                (spec.cpus, Arc::new(AtomicUsize::new(0)), Arc::new(AtomicBool::new(false)));
            let (tids, fail) = (Arc::clone(&workers), Arc::clone(&failed));
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_time()
                .thread_name("gilbench-switch-async")
                .on_thread_start(move || {
                    let i = seen.fetch_add(1, Ordering::Relaxed);
                    let cpu = if i % 2 == 0 { cpus.0 } else { cpus.1 };
                    if let Some(c) = cpu
                        && pin_current_thread(c).is_err()
                    {
                        fail.store(true, Ordering::Relaxed);
                    }
                    if let Ok(mut t) = tids.lock() {
                        t.push(sys::current_tid());
                    }
                })
                .build()
                .map_err(|e| ProbeError::Setup(format!("tokio runtime: {e}")))?;
            if failed.load(Ordering::Relaxed) {
                return Err(ProbeError::Setup("could not pin the runtime's workers".into()));
            }
            rt
        } else {
            tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .map_err(|e| ProbeError::Setup(format!("tokio runtime: {e}")))?
        };
        let boxes = Arc::new(Boxes { to_peer: Mailbox::new(), to_ping: Mailbox::new() });
        let replies = Arc::new(AtomicU64::new(0));
        rt.spawn(serve_async(
            Arc::clone(&boxes),
            WorkingSet::new(spec.working_set),
            Arc::clone(&replies),
        ));
        let pair = AsyncPair {
            multi,
            boxes: Arc::clone(&boxes),
            ws: Some(WorkingSet::new(spec.working_set)),
            seq: 0,
            replies,
            workers,
            rt: Some(rt),
        };
        let ready = pair.rt.as_ref().map(|rt| {
            rt.block_on(async { tokio::time::timeout(READY_WITHIN, boxes.to_ping.recv()).await })
        });
        match ready {
            Some(Ok(READY)) => Ok(pair),
            _ => Err(ProbeError::Setup("the peer task did not get ready".into())),
        }
    }
}

impl Mechanism for AsyncPair {
    fn run(&mut self, round_trips: u64, deadline: Instant) -> Result<(), PingError> {
        let (Some(rt), Some(ws)) = (self.rt.as_ref(), self.ws.take()) else {
            return Err(PingError::Broken("the runtime is gone".into()));
        };
        let fut = ping_async(Arc::clone(&self.boxes), ws, self.seq, round_trips, deadline);
        let (ws, seq, outcome) = if self.multi {
            match rt.block_on(rt.spawn(fut)) {
                Ok(done) => done,
                Err(e) => return Err(PingError::Broken(format!("the ping task failed: {e}"))),
            }
        } else {
            rt.block_on(fut)
        };
        self.ws = Some(ws);
        self.seq = seq;
        outcome
    }

    fn peers(&self) -> Vec<(u32, i32)> {
        if !self.multi {
            return Vec::new();
        }
        let pid = std::process::id();
        self.workers.lock().map(|t| t.iter().map(|&tid| (pid, tid)).collect()).unwrap_or_default()
    }

    fn driver_is_an_end(&self) -> bool {
        !self.multi
    }

    fn replies(&self) -> Option<u64> {
        Some(self.replies.load(Ordering::Relaxed))
    }
}

impl Drop for AsyncPair {
    fn drop(&mut self) {
        self.boxes.to_peer.send(STOP);
        if let Some(rt) = self.rt.take() {
            rt.shutdown_timeout(EXIT_GRACE);
        }
    }
}
