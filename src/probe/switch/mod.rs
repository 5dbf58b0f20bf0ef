//! The switch probe: what one context switch costs, by ping-pong between two units.
//!
//! Variants (the mechanism): `thread-futex` (park/unpark, a futex underneath on Linux),
//! `thread-pipe`, `process-pipe`, `process-futex` (a futex in memory shared with another
//! process), `async-current` and `async-multi` (tokio tasks woken through `Notify`) and
//! `yield` (`sched_yield` between two runnable threads).
//!
//! Parameters: `placement` (where the two ends run: `same-cpu` is the true switch, the other
//! placements add a cross-CPU wake-up), `peer` (`busy` keeps the CPUs of the ends awake with
//! idle-class spinners, so idle-state exit is not counted), `working_set` (bytes each end
//! touches after every message, as lmbench `lat_ctx -s`) and `round_trips` per sample.
//!
//! The primary figure is the time per switch: a sample's wall time over twice its round trips,
//! less the cached cost of touching the working set once. Every message carries a sequence
//! number both ends check, so a ping-pong that did not alternate fails instead of reporting
//! a figure. Counters: the voluntary and involuntary context switches per round trip of the
//! two ends' OS threads (from `/proc` on Linux; a round trip should cost about two) and the
//! peer's answers per round trip where it counts them.
//!
//! The initiating end is a driver thread owned by the probe (pinned like the placement asks),
//! so the runner's own thread is never pinned.

mod chan;
mod pair;
mod params;
#[cfg(target_os = "linux")]
#[path = "linux.rs"]
mod sys;
#[cfg(not(target_os = "linux"))]
#[path = "other.rs"]
mod sys;

pub use chan::{
    Channel, OUT_OF_SEQUENCE, ParkChannel, PingError, PipeChannel, READY, SEQ_MASK, STOP,
    WorkingSet, YieldChannel, next, ping, serve,
};
pub use pair::peer_main;
pub use params::{Peer, SwitchParams};

use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{Metric, Probe, ProbeEnv, ProbeError, ProbeSample};
use crate::measure::placement::{Placement, Spinner, Topology, pin_current_thread};

/// The variants, as `models = [...]` names them.
pub const VARIANTS: &[&str] = &[
    "thread-futex",
    "thread-pipe",
    "process-pipe",
    "process-futex",
    "async-current",
    "async-multi",
    "yield",
];

/// Extra time a sample's driver gets past its deadline before the probe gives up on it.
const DRIVER_GRACE: Duration = Duration::from_secs(2);

/// One sample's raw outcome on the driver thread.
#[derive(Debug)]
struct Run {
    wall: Duration,
    /// (voluntary, involuntary) switches of the ends' OS threads during the run.
    switches: Option<(u64, u64)>,
    /// Peer answers during the run.
    replies: Option<u64>,
}

struct Cmd {
    round_trips: u64,
    deadline: Instant,
}

/// The running experiment: a driver thread holding the initiating end and its peer.
pub struct Switch {
    variant: String,
    round_trips: u64,
    busy_cpus: Vec<usize>,
    /// Whether the scheduler places the two ends (free placement, two OS threads).
    placed: bool,
    touch_s: f64,
    working_set: u64,
    cmd: Option<Sender<Cmd>>,
    reply: Receiver<Result<Run, PingError>>,
    driver: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Switch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Switch")
            .field("variant", &self.variant)
            .field("round_trips", &self.round_trips)
            .finish_non_exhaustive()
    }
}

fn counts(threads: &[(u32, i32)]) -> Option<(u64, u64)> {
    threads.iter().try_fold((0u64, 0u64), |(v, i), &(pid, tid)| {
        let (dv, di) = sys::switch_counts(pid, tid)?;
        Some((v + dv, i + di))
    })
}

/// Why `variant` cannot run at the case's placement anywhere: `async-current` runs both
/// tasks on one thread, so only placements that keep both ends on one CPU apply.
pub(crate) fn not_applicable(variant: &str, params: &SwitchParams) -> Option<String> {
    let placement = params.placement;
    (pair::Kind::from_name(variant)? == pair::Kind::AsyncCurrent
        && !matches!(placement, Placement::SameCpu | Placement::Free))
    .then(|| {
        format!(
            "async-current runs both tasks on one thread, so it has no {} placement",
            placement.name()
        )
    })
}

impl Switch {
    /// Checks the placement against this machine, starts the driver thread and the peer.
    pub fn new(variant: &str, params: &SwitchParams, env: &ProbeEnv) -> Result<Switch, ProbeError> {
        let kind = pair::Kind::from_name(variant)
            .ok_or_else(|| ProbeError::Unsupported(format!("switch has no variant `{variant}`")))?;
        let placement = params.placement;
        let placement_name = placement.name();
        let topo = Topology::read();
        let cpus = topo.pair(placement).ok_or_else(|| {
            ProbeError::Unsupported(format!("this machine has no {placement_name} pair of CPUs"))
        })?;
        if kind == pair::Kind::AsyncCurrent && cpus.0 != cpus.1 {
            return Err(ProbeError::Unsupported(format!(
                "async-current runs both tasks on one thread, so it has no {placement_name} \
                 placement"
            )));
        }
        let busy_cpus = if params.peer == Peer::Busy {
            match cpus {
                (None, None) => topo.cpus.iter().map(|c| c.id).collect(),
                (a, b) => {
                    let mut v: Vec<usize> = a.into_iter().chain(b).collect();
                    v.dedup();
                    v
                }
            }
        } else {
            Vec::new()
        };
        let working_set = params.working_set;
        let spec = pair::Spec { kind, cpus, working_set, worker_exe: env.worker_exe.clone() };
        let (cmd_tx, cmd_rx) = std::sync::mpsc::channel::<Cmd>();
        let (reply_tx, reply_rx) = std::sync::mpsc::channel();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let driver = std::thread::Builder::new()
            .name("gilbench-switch".into())
            .spawn(move || drive(&spec, &cmd_rx, &reply_tx, &ready_tx))
            .map_err(|e| ProbeError::Setup(format!("starting the driver thread: {e}")))?;
        let mut probe = Switch {
            variant: variant.to_string(),
            round_trips: params.round_trips.max(1),
            busy_cpus,
            placed: placement == Placement::Free && kind != pair::Kind::AsyncCurrent,
            touch_s: WorkingSet::new(working_set).touch_cost_s(),
            working_set,
            cmd: Some(cmd_tx),
            reply: reply_rx,
            driver: Some(driver),
        };
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(probe),
            Ok(Err(e)) => Err(e),
            Err(_) => {
                probe.cmd = None;
                Err(ProbeError::Setup("the driver thread ended during setup".into()))
            }
        }
    }
}

/// The driver thread: pins itself, builds the pair, then runs samples on command until the
/// command channel closes; dropping the pair at the end stops and reaps the peer.
fn drive(
    spec: &pair::Spec,
    cmds: &Receiver<Cmd>,
    replies: &Sender<Result<Run, PingError>>,
    ready: &Sender<Result<(), ProbeError>>,
) {
    if let Some(c) = spec.cpus.0
        && let Err(e) = pin_current_thread(c)
    {
        let _ = ready.send(Err(ProbeError::Setup(format!("pinning to CPU {c}: {e}"))));
        return;
    }
    let mut mech = match pair::build(spec) {
        Ok(m) => m,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let _ = ready.send(Ok(()));
    let me = (std::process::id(), sys::current_tid());
    while let Ok(cmd) = cmds.recv() {
        // One untimed round trip first: a peer that parked between samples is awake (and
        // its wake-up not counted) before the clock starts.
        if let Err(e) = mech.run(1, cmd.deadline) {
            if replies.send(Err(e)).is_err() {
                break;
            }
            continue;
        }
        let mut threads = mech.peers();
        if mech.driver_is_an_end() {
            threads.push(me);
        }
        let (before, replied) = (counts(&threads), mech.replies());
        let start = Instant::now();
        let outcome = mech.run(cmd.round_trips, cmd.deadline);
        let wall = start.elapsed();
        let after = counts(&threads);
        let run = outcome.map(|()| Run {
            wall,
            switches: before
                .zip(after)
                .map(|(b, a)| (a.0.saturating_sub(b.0), a.1.saturating_sub(b.1))),
            replies: replied.zip(mech.replies()).map(|(b, a)| a.saturating_sub(b)),
        });
        if replies.send(run).is_err() {
            break;
        }
    }
}

impl Probe for Switch {
    fn metric(&self) -> Metric {
        Metric { name: "time per context switch (a round trip is two)", unit: "s" }
    }

    fn units(&self) -> usize {
        2
    }

    /// Ends the scheduler places are measured sustained (see [`Probe::lead_in`]).
    fn lead_in(&self) -> Option<Duration> {
        self.placed.then_some(super::PLACEMENT_LEAD_IN)
    }

    fn sample(&mut self, deadline: Instant) -> Result<ProbeSample, ProbeError> {
        let mut spinners = Vec::with_capacity(self.busy_cpus.len());
        for &c in &self.busy_cpus {
            spinners.push(
                Spinner::start(c)
                    .map_err(|e| ProbeError::Unsupported(format!("a busy peer CPU: {e}")))?,
            );
        }
        let cmd = self.cmd.as_ref().ok_or_else(|| ProbeError::Failed("driver gone".into()))?;
        cmd.send(Cmd { round_trips: self.round_trips, deadline })
            .map_err(|_| ProbeError::Failed("the driver thread is gone".into()))?;
        let wait = deadline.saturating_duration_since(Instant::now()) + DRIVER_GRACE;
        let run = match self.reply.recv_timeout(wait) {
            Ok(Ok(run)) => run,
            Ok(Err(PingError::Timeout)) | Err(RecvTimeoutError::Timeout) => {
                return Err(ProbeError::Timeout);
            }
            Ok(Err(e)) => return Err(ProbeError::Failed(e.to_string())),
            Err(RecvTimeoutError::Disconnected) => {
                return Err(ProbeError::Failed("the driver thread is gone".into()));
            }
        };
        drop(spinners);
        let n = self.round_trips as f64;
        let raw = run.wall.as_secs_f64() / (2.0 * n);
        let mut counters = BTreeMap::new();
        counters.insert("round_trip_s".into(), run.wall.as_secs_f64() / n);
        counters.insert("raw_per_switch_s".into(), raw);
        if self.working_set > 0 {
            counters.insert("touch_s".into(), self.touch_s);
        }
        if let Some((v, i)) = run.switches {
            counters.insert("voluntary_per_round_trip".into(), v as f64 / n);
            counters.insert("involuntary_per_round_trip".into(), i as f64 / n);
            counters.insert("switches_per_round_trip".into(), (v + i) as f64 / n);
        }
        if let Some(r) = run.replies {
            counters.insert("peer_replies_per_round_trip".into(), r as f64 / n);
        }
        Ok(ProbeSample {
            value: (raw - self.touch_s).max(0.0),
            wall: run.wall,
            counters,
            ..ProbeSample::default()
        })
    }
}

impl Drop for Switch {
    fn drop(&mut self) {
        // Closing the command channel ends the driver, which stops and reaps its peer.
        self.cmd = None;
        if let Some(h) = self.driver.take() {
            let start = Instant::now();
            while !h.is_finished() && start.elapsed() < DRIVER_GRACE * 2 {
                std::thread::sleep(Duration::from_millis(1));
            }
            if h.is_finished() {
                let _ = h.join();
            }
        }
    }
}
