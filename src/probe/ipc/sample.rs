//! One `ipc` sample through an endpoint: the ping-pong or stream for the sample's duration,
//! the peer's report, and the figures made of them (mean round trip and percentiles, or
//! messages and bytes per second, CPU per message, serialisation cost).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;

use super::endpoint::Endpoint;
use super::peer::{PeerProcess, PeerReport};
use super::{IpcConfig, Mode, Payload};
use crate::probe::{ProbeError, ProbeSample};
use crate::sys as os;

/// What the driver thread measured in one sample.
#[derive(Debug, Default)]
pub(super) struct Measured {
    pub(super) count: u64,
    pub(super) wall: Duration,
    pub(super) rtts_ns: Vec<u64>,
    pub(super) driver_cpu_s: f64,
    pub(super) peer: PeerReport,
    /// CPU of both sides together where they share a thread (tasks).
    pub(super) both_cpu_s: Option<f64>,
}

/// Where the peer's reports come from.
pub(super) enum Reports {
    Thread(Receiver<PeerReport>),
    Process(PeerProcess),
}

impl Reports {
    pub(super) fn next(&mut self, wait: Duration) -> Result<PeerReport, String> {
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
pub(super) fn drive(
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
pub(super) fn figures(cfg: &IpcConfig, mut m: Measured, serde_s: f64) -> ProbeSample {
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
