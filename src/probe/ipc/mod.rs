//! The IPC probes: how two threads, two processes or two async tasks talk, measured by
//! round-trip latency (ping-pong, with percentiles) and streaming throughput, with the CPU each
//! side spends per message and the cost of serialising the message on its own.
//!
//! Kinds: `ipc` (variants are transports, see [`Transport`]) and `mp` (the multiprocessing
//! analogues, see [`mp`]). The measuring side runs in a thread of its own, pinned where the
//! placement asks; the peer is a thread, a helper process (`__ipcpeer`) or a task. Every
//! message is checked on arrival (length, sequence, checksum): a lost or corrupted message
//! fails the case.

mod channel;
mod endpoint;
pub mod message;
pub mod mp;
#[cfg(target_os = "linux")]
#[path = "sys/linux.rs"]
mod os;
#[cfg(not(target_os = "linux"))]
#[path = "sys/fallback.rs"]
mod os;
mod peer;
mod shm;
mod tasks;
mod transport;

pub use message::Payload;
pub use peer::ipcpeer_main;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};

use super::{Metric, Probe, ProbeEnv, ProbeError, ProbeSample};
use crate::measure::placement::{Placement, Topology, pin_current_thread};
use crate::probe::ProbeParams;
use endpoint::Endpoint;
use peer::{PeerProcess, PeerReport, PeerSpec};
use shm::Side;

/// A way two ends exchange messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// Two anonymous pipes, one per direction.
    Pipe,
    /// A unix stream socket bound in a private directory (unlinked once connected).
    UnixStream,
    /// Two unix datagram sockets, one message per datagram.
    UnixDgram,
    /// TCP on 127.0.0.1 with Nagle off.
    Tcp,
    /// A duplex `socketpair` (what multiprocessing's `Pipe()` uses).
    Socketpair,
    /// Shared-memory rings, busy-waiting.
    ShmSpin,
    /// Shared-memory rings, blocking on a futex.
    ShmFutex,
    /// One shared cache line bounced by stores and spinning loads: the floor.
    Atomic,
    /// crossbeam unbounded channel.
    Crossbeam,
    /// crossbeam bounded channel.
    CrossbeamBounded,
    /// std `mpsc::channel`.
    StdMpsc,
    /// std `mpsc::sync_channel`.
    StdSync,
    /// tokio `mpsc` (bounded).
    TokioMpsc,
}

/// The transports' names in scenarios and case keys, in declaration (and report) order.
pub const NAMES: [&str; 13] = [
    "pipe",
    "unix-stream",
    "unix-dgram",
    "tcp",
    "socketpair",
    "shm-spin",
    "shm-futex",
    "atomic",
    "crossbeam",
    "crossbeam-bounded",
    "std-mpsc",
    "std-sync",
    "tokio-mpsc",
];

impl Transport {
    /// Every transport, in declaration (and report) order.
    pub const ALL: [Transport; 13] = [
        Transport::Pipe,
        Transport::UnixStream,
        Transport::UnixDgram,
        Transport::Tcp,
        Transport::Socketpair,
        Transport::ShmSpin,
        Transport::ShmFutex,
        Transport::Atomic,
        Transport::Crossbeam,
        Transport::CrossbeamBounded,
        Transport::StdMpsc,
        Transport::StdSync,
        Transport::TokioMpsc,
    ];

    /// Its name in scenarios and case keys.
    pub fn name(self) -> &'static str {
        NAMES[self as usize]
    }

    /// Parses a name.
    pub fn from_name(name: &str) -> Option<Transport> {
        Transport::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Whether it lives in shared memory.
    pub fn is_shared_memory(self) -> bool {
        matches!(self, Transport::ShmSpin | Transport::ShmFutex | Transport::Atomic)
    }

    /// Whether it is an in-process channel.
    pub fn is_channel(self) -> bool {
        matches!(
            self,
            Transport::Crossbeam
                | Transport::CrossbeamBounded
                | Transport::StdMpsc
                | Transport::StdSync
                | Transport::TokioMpsc
        )
    }
}

/// Who the two ends are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoints {
    /// Two threads of this process.
    Threads,
    /// This process and a helper process.
    Processes,
    /// Two tokio tasks on one current-thread runtime.
    Tasks,
}

/// Round trips or a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Ping-pong: the peer echoes each message; the figure is the round-trip time.
    Latency,
    /// The driver streams messages; the peer checks and counts them.
    Throughput,
}

/// Everything one `ipc` case needs.
#[derive(Debug, Clone)]
pub struct IpcConfig {
    /// The transport.
    pub transport: Transport,
    /// Who the ends are.
    pub endpoints: Endpoints,
    /// Message size in bytes.
    pub size: usize,
    /// What is measured.
    pub mode: Mode,
    /// Where the ends run.
    pub placement: Placement,
    /// How long one sample streams or ping-pongs.
    pub duration: Duration,
}

impl IpcConfig {
    /// Reads a case's parameters.
    pub fn from_params(variant: &str, params: &ProbeParams) -> Result<IpcConfig, ProbeError> {
        let transport = Transport::from_name(variant)
            .ok_or_else(|| ProbeError::Unsupported(format!("ipc has no transport `{variant}`")))?;
        let endpoints = match params.choice("endpoints") {
            "processes" => Endpoints::Processes,
            "tasks" => Endpoints::Tasks,
            _ => Endpoints::Threads,
        };
        let mode =
            if params.choice("mode") == "throughput" { Mode::Throughput } else { Mode::Latency };
        let placement = Placement::from_name(params.choice("placement")).unwrap_or(Placement::Free);
        Ok(IpcConfig {
            transport,
            endpoints,
            size: params.size("size") as usize,
            mode,
            placement,
            duration: params.duration("duration").max(Duration::from_millis(1)),
        })
    }

    /// Why this combination cannot run here, if it cannot.
    pub fn unsupported(&self) -> Option<String> {
        let t = self.transport;
        let name = t.name();
        if self.size < message::MIN_SIZE {
            return Some(format!(
                "messages carry an 8-byte sequence number; {} B is too small",
                self.size
            ));
        }
        if t == Transport::Atomic && (self.size != 8 || self.mode == Mode::Throughput) {
            return Some("the atomic floor bounces one 8-byte word, latency only".into());
        }
        if t == Transport::UnixDgram && self.size > transport::MAX_DATAGRAM {
            return Some(format!(
                "unix-dgram carries at most {} KiB per datagram",
                transport::MAX_DATAGRAM / 1024
            ));
        }
        if t.is_shared_memory() && !os::HAS_FUTEX {
            return Some(format!("{name} needs memfd and futex (Linux)"));
        }
        match self.endpoints {
            Endpoints::Processes if t.is_channel() => {
                Some(format!("{name} is an in-process channel; it cannot join two processes"))
            }
            Endpoints::Tasks if !tasks::supports(t) => {
                Some(format!("{name} has no async form between tokio tasks"))
            }
            Endpoints::Tasks if !matches!(self.placement, Placement::Free | Placement::SameCpu) => {
                Some("both tasks run on one runtime thread: only free or same-cpu apply".into())
            }
            _ => None,
        }
    }
}

/// What the driver thread measured in one sample.
#[derive(Debug, Default)]
struct Measured {
    count: u64,
    wall: Duration,
    rtts_ns: Vec<u64>,
    driver_cpu_s: f64,
    peer: PeerReport,
    /// CPU of both sides together where they share a thread (tasks).
    both_cpu_s: Option<f64>,
}

/// Where the peer's reports come from.
enum Reports {
    Thread(Receiver<PeerReport>),
    Process(PeerProcess),
}

impl Reports {
    fn next(&mut self, wait: Duration) -> Result<PeerReport, String> {
        match self {
            Reports::Thread(r) => {
                r.recv_timeout(wait).map_err(|e| format!("no report from the peer: {e}"))
            }
            Reports::Process(p) => p.report(wait),
        }
    }
}

/// One sample through an endpoint: ping-pong or stream for `duration`, then the end marker
/// and the peer's report.
fn drive(
    ep: &mut dyn Endpoint,
    reports: &mut Reports,
    payload: &Payload,
    mode: Mode,
    duration: Duration,
    deadline: Instant,
    cancel: &AtomicBool,
) -> Result<Measured, ProbeError> {
    ep.set_deadline(Some(deadline));
    let mut msg = payload.make(0);
    let mut reply = Vec::with_capacity(payload.size());
    let mut m = Measured::default();
    let cpu0 = os::thread_cpu_s();
    let start = Instant::now();
    let stop_at = start + duration;
    let io = |e: std::io::Error, reports: &mut Reports| {
        if e.kind() == std::io::ErrorKind::TimedOut {
            return ProbeError::Timeout;
        }
        match reports.next(Duration::from_millis(200)) {
            Ok(PeerReport { error: Some(why), .. }) => ProbeError::Failed(why),
            _ => ProbeError::Failed(format!("transport failed: {e}")),
        }
    };
    let mut seq = 0u64;
    loop {
        if seq.is_multiple_of(64) {
            let now = Instant::now();
            if now >= stop_at && seq > 0 {
                break;
            }
            if now > deadline {
                return Err(ProbeError::Timeout);
            }
            if cancel.load(Ordering::Relaxed) {
                return Err(ProbeError::Interrupted);
            }
        }
        Payload::stamp(seq, &mut msg);
        match mode {
            Mode::Latency => {
                let t0 = Instant::now();
                ep.send(&msg).map_err(|e| io(e, reports))?;
                ep.recv(&mut reply).map_err(|e| io(e, reports))?;
                let rtt = t0.elapsed();
                payload.verify(seq, &reply).map_err(ProbeError::Failed)?;
                m.rtts_ns.push(rtt.as_nanos() as u64);
                if seq % 64 != 63 && Instant::now() >= stop_at {
                    seq += 1;
                    break;
                }
            }
            Mode::Throughput => ep.send(&msg).map_err(|e| io(e, reports))?,
        }
        seq += 1;
    }
    ep.send(&[]).map_err(|e| io(e, reports))?;
    let wait = deadline.saturating_duration_since(Instant::now()) + Duration::from_millis(100);
    m.peer = reports.next(wait).map_err(ProbeError::Failed)?;
    m.wall = start.elapsed();
    m.driver_cpu_s = os::thread_cpu_s() - cpu0;
    ep.set_deadline(None);
    if let Some(why) = m.peer.error.take() {
        return Err(ProbeError::Failed(why));
    }
    if m.peer.count != seq {
        return Err(ProbeError::Failed(format!(
            "{seq} messages sent, {} arrived intact",
            m.peer.count
        )));
    }
    m.count = seq;
    Ok(m)
}

/// Seconds one postcard encode + decode of a message of this payload takes (the pickle-like
/// step, measured apart from any transport), over about `budget`.
pub fn serde_cost(payload: &Payload, budget: Duration) -> f64 {
    #[derive(serde::Serialize, serde::Deserialize)]
    struct Msg {
        seq: u64,
        #[serde(with = "serde_bytes")]
        body: Vec<u8>,
    }
    let msg = Msg { seq: 1, body: payload.make(1) };
    let start = Instant::now();
    let mut n = 0u32;
    while n == 0 || (start.elapsed() < budget && n < 100_000) {
        let bytes = postcard::to_allocvec(&msg).unwrap_or_default();
        let back: Option<Msg> = postcard::from_bytes(std::hint::black_box(&bytes)).ok();
        std::hint::black_box(back.map(|m| m.seq));
        n += 1;
    }
    start.elapsed().as_secs_f64() / f64::from(n)
}

/// Picks the percentile `p` (0..=100) of `xs` in place (nearest rank).
fn pick(xs: &mut [u64], p: f64) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    let i = (((p / 100.0) * xs.len() as f64).ceil() as usize).clamp(1, xs.len()) - 1;
    let (_, v, _) = xs.select_nth_unstable(i);
    *v as f64 * 1e-9
}

/// Turns a measured sample into the probe's figures.
fn figures(cfg: &IpcConfig, mut m: Measured, serde_s: f64) -> ProbeSample {
    let n = m.count.max(1) as f64;
    let wall = m.wall.as_secs_f64().max(1e-12);
    let mut c = BTreeMap::new();
    let value = match cfg.mode {
        Mode::Latency => {
            let mean = m.rtts_ns.iter().sum::<u64>() as f64 * 1e-9 / m.rtts_ns.len().max(1) as f64;
            let p50 = pick(&mut m.rtts_ns, 50.0);
            c.insert("p50_s".into(), p50);
            c.insert("p99_s".into(), pick(&mut m.rtts_ns, 99.0));
            c.insert("p999_s".into(), pick(&mut m.rtts_ns, 99.9));
            c.insert("mean_s".into(), mean);
            c.insert("msg_per_s".into(), n / wall);
            // The mean, as perf bench and lmbench report it: where the scheduler moves the
            // ends between one CPU and two during a sample, the round trips fall in two
            // clusters and the median shows only the larger one.
            mean
        }
        Mode::Throughput => n / wall,
    };
    c.insert("messages".into(), m.count as f64);
    c.insert("bytes_per_s".into(), n * cfg.size as f64 / wall);
    match m.both_cpu_s {
        Some(both) => {
            c.insert("cpu_s_per_msg".into(), both / n);
        }
        None => {
            c.insert("driver_cpu_s_per_msg".into(), m.driver_cpu_s / n);
            c.insert("peer_cpu_s_per_msg".into(), m.peer.cpu_s / n);
            c.insert("cpu_s_per_msg".into(), (m.driver_cpu_s + m.peer.cpu_s) / n);
        }
    }
    if m.peer.usage.voluntary_cs > 0 || m.peer.usage.involuntary_cs > 0 {
        c.insert(
            "peer_cs_per_msg".into(),
            (m.peer.usage.voluntary_cs + m.peer.usage.involuntary_cs) as f64 / n,
        );
    }
    c.insert("serde_s_per_msg".into(), serde_s);
    ProbeSample { value, wall: m.wall, counters: c, worker_usage: m.peer.usage }
}

type SampleResult = Result<ProbeSample, ProbeError>;

/// The `ipc` probe: a driver thread and its peer, set up once, one sample per request.
pub struct Ipc {
    cfg: IpcConfig,
    cmd: Option<Sender<Instant>>,
    out: Receiver<SampleResult>,
    driver: Option<JoinHandle<()>>,
    peer_thread: Option<JoinHandle<()>>,
    /// The helper's pid, to kill it when a sample hangs.
    peer_pid: Option<u32>,
    /// Set when the probe is dropped, for task peers.
    stop: Arc<AtomicBool>,
}

impl std::fmt::Debug for Ipc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ipc").field("cfg", &self.cfg).finish_non_exhaustive()
    }
}

impl Ipc {
    /// Builds the `ipc` probe for `variant` (a transport name).
    pub fn new(variant: &str, params: &ProbeParams, env: &ProbeEnv) -> Result<Ipc, ProbeError> {
        Ipc::with_config(IpcConfig::from_params(variant, params)?, env)
    }

    /// Builds it from a resolved configuration.
    pub fn with_config(cfg: IpcConfig, env: &ProbeEnv) -> Result<Ipc, ProbeError> {
        if let Some(why) = cfg.unsupported() {
            return Err(ProbeError::Unsupported(why));
        }
        let (a, b) = Topology::read().pair(cfg.placement).ok_or_else(|| {
            ProbeError::Unsupported(format!("this machine has no {} pair", cfg.placement.name()))
        })?;
        let setup = |e: std::io::Error| ProbeError::Setup(format!("{}: {e}", cfg.transport.name()));
        let payload = Payload::new(cfg.size);
        let latency = cfg.mode == Mode::Latency;
        let stop = Arc::new(AtomicBool::new(false));
        let mut peer_thread = None;
        let mut peer_pid = None;
        // The driver's end and where the peer's reports arrive (tasks build theirs inside).
        let ends: Option<(Box<dyn Endpoint>, Reports)> = match cfg.endpoints {
            Endpoints::Tasks => None,
            Endpoints::Threads => {
                let (mine, mut theirs): (Box<dyn Endpoint>, Box<dyn Endpoint>) =
                    if cfg.transport.is_channel() {
                        let (x, y) = channel::pair(cfg.transport, cfg.size).map_err(setup)?;
                        (Box::new(x), Box::new(y))
                    } else {
                        let (x, y) = transport::fd_pair(cfg.transport, cfg.size).map_err(setup)?;
                        (
                            transport::endpoint_from_fds(cfg.transport, x, Side::Driver)
                                .map_err(setup)?,
                            transport::endpoint_from_fds(cfg.transport, y, Side::Peer)
                                .map_err(setup)?,
                        )
                    };
                let (tx, rx) = crossbeam_channel::unbounded();
                let payload = payload.clone();
                let handle = std::thread::Builder::new()
                    .name("gilbench-ipc-peer".into())
                    .spawn(move || {
                        if let Some(cpu) = b {
                            let _ = pin_current_thread(cpu);
                        }
                        peer::serve(theirs.as_mut(), &payload, latency, false, &mut |r| {
                            tx.send(r.clone()).is_ok()
                        });
                    })
                    .map_err(setup)?;
                peer_thread = Some(handle);
                Some((mine, Reports::Thread(rx)))
            }
            Endpoints::Processes => {
                let (x, y) = transport::fd_pair(cfg.transport, cfg.size).map_err(setup)?;
                let spec = PeerSpec::Echo {
                    transport: cfg.transport.name().to_string(),
                    size: cfg.size as u64,
                    latency,
                    cpu: b,
                };
                let p = PeerProcess::start(&env.worker_exe, &spec, &y).map_err(setup)?;
                drop(y);
                peer_pid = Some(p.child.id());
                let mine =
                    transport::endpoint_from_fds(cfg.transport, x, Side::Driver).map_err(setup)?;
                Some((mine, Reports::Process(p)))
            }
        };
        let (cmd_tx, cmd_rx) = crossbeam_channel::unbounded::<Instant>();
        let (out_tx, out_rx) = crossbeam_channel::unbounded::<SampleResult>();
        let (c, cancel, stop2) = (cfg.clone(), Arc::clone(&env.cancel), Arc::clone(&stop));
        let driver = std::thread::Builder::new()
            .name("gilbench-ipc-driver".into())
            .spawn(move || {
                if let Some(cpu) = a
                    && let Err(e) = pin_current_thread(cpu)
                {
                    let _ = out_tx.send(Err(ProbeError::Setup(format!("pinning: {e}"))));
                    return;
                }
                match ends {
                    Some((mut ep, mut reports)) => {
                        for deadline in cmd_rx {
                            let serde_s = serde_cost(&payload, Duration::from_millis(2));
                            let r = drive(
                                ep.as_mut(),
                                &mut reports,
                                &payload,
                                c.mode,
                                c.duration,
                                deadline,
                                &cancel,
                            )
                            .map(|m| figures(&c, m, serde_s));
                            if out_tx.send(r).is_err() {
                                break;
                            }
                        }
                        drop(ep);
                        if let Reports::Process(p) = reports {
                            p.finish();
                        }
                    }
                    None => tasks::driver_main(&c, &payload, &cmd_rx, &out_tx, &cancel, &stop2),
                }
            })
            .map_err(setup)?;
        Ok(Ipc {
            cfg,
            cmd: Some(cmd_tx),
            out: out_rx,
            driver: Some(driver),
            peer_thread,
            peer_pid,
            stop,
        })
    }

    /// The process id of the helper process, if the peer is one.
    pub fn peer_pid(&self) -> Option<u32> {
        self.peer_pid
    }
}

impl Probe for Ipc {
    fn metric(&self) -> Metric {
        match self.cfg.mode {
            Mode::Latency => Metric { name: "round-trip latency, mean of the sample", unit: "s" },
            Mode::Throughput => Metric { name: "messages per second, streamed", unit: "msg/s" },
        }
    }

    fn units(&self) -> usize {
        2
    }

    /// A ping-pong whose ends the scheduler places (free placement, two threads or two
    /// processes) is measured sustained, after its own traffic has run long enough for the
    /// scheduler's load tracking (32 ms half-life) to follow it rather than the idle time
    /// before it. Pinned ends and tasks on one runtime thread have no placement to settle.
    fn lead_in(&self) -> Option<Duration> {
        let placed =
            self.cfg.placement == Placement::Free && self.cfg.endpoints != Endpoints::Tasks;
        (placed && self.cfg.mode == Mode::Latency).then_some(super::PLACEMENT_LEAD_IN)
    }

    fn sample(&mut self, deadline: Instant) -> Result<ProbeSample, ProbeError> {
        let cmd = self.cmd.as_ref().ok_or_else(|| ProbeError::Failed("probe stopped".into()))?;
        cmd.send(deadline).map_err(|_| ProbeError::Failed("the driver thread ended".into()))?;
        match self.out.recv_deadline(deadline + Duration::from_secs(1)) {
            Ok(r) => r,
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {
                // A peer that stopped answering: end it so the driver's wait returns.
                self.kill_peer();
                Err(ProbeError::Timeout)
            }
            Err(_) => Err(ProbeError::Failed("the driver thread ended".into())),
        }
    }
}

impl Ipc {
    fn kill_peer(&mut self) {
        if let Some(pid) = self.peer_pid.and_then(|p| i32::try_from(p).ok()) {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
    }
}

impl Drop for Ipc {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.cmd = None;
        if let Some(d) = self.driver.take() {
            let start = Instant::now();
            while !d.is_finished() && start.elapsed() < Duration::from_secs(2) {
                std::thread::sleep(Duration::from_millis(1));
            }
            if !d.is_finished() {
                self.kill_peer();
            }
            let _ = d.join();
        }
        if let Some(p) = self.peer_thread.take() {
            let _ = p.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_transport_has_its_own_name_and_parses_back() {
        for (i, t) in Transport::ALL.into_iter().enumerate() {
            assert_eq!(t as usize, i, "ALL is in declaration order");
            assert_eq!(Transport::from_name(t.name()), Some(t));
        }
        let mut names = NAMES.to_vec();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Transport::ALL.len());
    }
}
