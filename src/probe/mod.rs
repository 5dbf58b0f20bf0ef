//! Probes: experiments that measure one primitive cost (a convoy behind a lock, an IPC round
//! trip, a lock hand-off, a context switch, a start-up) rather than run a workload. Each
//! probe is built once per case (setup untimed) and then takes one sample at a time, returning
//! its primary figure plus named counters. Probes print nothing and compute no summaries.

pub mod convoy;
pub mod deadlock;
pub mod ipc;
mod kinds;
pub mod lock;
mod params;
pub mod spawn;
pub mod switch;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use crate::measure::Usage;
pub use kinds::{PROBES, ProbeConfig};
pub use params::{
    GIB, KIB, KindParams, MIB, ParamDecl, ParamDefault, ParamError, ParamType, ProbeDecl,
    ProbeParams, ProbeValue, Values, Word, show_duration,
};
pub(crate) use params::{PLACEMENT, words};

/// What a probe's primary figure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metric {
    /// What is measured, in words ("IO latency, median of the sample").
    pub name: &'static str,
    /// Its unit as written in results (`s`, `ops/s`).
    pub unit: &'static str,
}

/// One sample of a probe.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProbeSample {
    /// The primary figure, in the probe's [`Metric`] unit.
    pub value: f64,
    /// How long the sample took.
    pub wall: Duration,
    /// Other figures of the sample, by name (`p99_s`, `ops_per_s`, ...).
    pub counters: BTreeMap<String, f64>,
    /// Resources used by child processes of the probe during the sample.
    pub worker_usage: Usage,
}

/// Errors of a probe.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// The probe or variant does not exist on this platform.
    #[error("unsupported here: {0}")]
    Unsupported(String),
    /// Setting up the probe failed.
    #[error("could not set up the probe: {0}")]
    Setup(String),
    /// A sample failed.
    #[error("{0}")]
    Failed(String),
    /// The sample did not finish before its deadline.
    #[error("sample did not finish before its deadline")]
    Timeout,
    /// The sample did not come back even this long after its deadline: its threads are
    /// stuck (left running; the run goes on without them).
    #[error(
        "timed out: the sample was still running {0:?} after its deadline (its threads were left stuck)"
    )]
    Stuck(Duration),
    /// The run was interrupted.
    #[error("interrupted")]
    Interrupted,
    /// Threads of the probe deadlocked (what, who, how fast it was caught).
    #[error("{0}")]
    Deadlock(String),
}

/// Untimed traffic before the samples of a ping-pong whose ends the scheduler places (see
/// [`Probe::lead_in`]): long enough for the kernel's per-CPU load averages (32 ms half-life)
/// to reflect the pair's own traffic rather than the idle time before it.
pub const PLACEMENT_LEAD_IN: Duration = Duration::from_millis(150);

/// What probes need from their surroundings.
#[derive(Debug, Clone)]
pub struct ProbeEnv {
    /// The gilbench executable, re-executed for helper processes.
    pub worker_exe: PathBuf,
    /// Set when the run is interrupted.
    pub cancel: Arc<AtomicBool>,
}

/// One primitive-cost experiment.
pub trait Probe: Send {
    /// What the primary figure is.
    fn metric(&self) -> Metric;

    /// Takes one sample, returning before `deadline` or with [`ProbeError::Timeout`].
    fn sample(&mut self, deadline: Instant) -> Result<ProbeSample, ProbeError>;

    /// Units taking part (threads or processes), for the results' `workers` column.
    fn units(&self) -> usize;

    /// How long the probe's own traffic must run, untimed, right before its samples, which
    /// are then taken back to back rather than interleaved with the other cases of their
    /// group; `None` (the default) for probes that may be interleaved.
    ///
    /// For figures that depend on where the scheduler has put the ends: two ends left to the
    /// scheduler are kept on one CPU or spread over two according to the load each CPU has
    /// shown over the last tens of milliseconds, so a ping-pong that waited while other cases
    /// ran starts in another placement than one that has been running.
    fn lead_in(&self) -> Option<Duration> {
        None
    }
}

/// Why `variant` of the probe `config` describes cannot run on any machine this build targets
/// (an in-process channel between two processes, a datagram above the largest one, a
/// single-thread runtime pinned across cores), so the run plan leaves it out; `None` when it
/// may run. Checks that depend on the machine it runs on stay in [`build`].
pub fn not_applicable(variant: &str, config: &ProbeConfig) -> Option<String> {
    match config {
        ProbeConfig::Ipc(p) => p.config(variant).ok()?.unsupported(),
        ProbeConfig::Switch(p) => switch::not_applicable(variant, p),
        _ => None,
    }
}

/// Builds `variant` of the probe `config` describes.
pub fn build(
    variant: &str,
    config: &ProbeConfig,
    env: &ProbeEnv,
) -> Result<Box<dyn Probe>, ProbeError> {
    Ok(match config {
        ProbeConfig::Convoy(p) => Box::new(convoy::Convoy::new(variant, p, env)?),
        ProbeConfig::Switch(p) => Box::new(switch::Switch::new(variant, p, env)?),
        ProbeConfig::Spawn(p) => Box::new(spawn::Spawn::new(variant, p, env)?),
        ProbeConfig::Footprint(p) => Box::new(spawn::footprint::Footprint::new(variant, p)?),
        ProbeConfig::Headroom(p) => Box::new(spawn::footprint::Headroom::new(variant, p)?),
        ProbeConfig::Lock(p) => Box::new(lock::LockProbe::new(variant, p, env)?),
        ProbeConfig::Deadlock(p) => Box::new(deadlock::Deadlock::new(variant, p)?),
        ProbeConfig::Ipc(p) => Box::new(ipc::Ipc::new(variant, p, env)?),
        ProbeConfig::Mp(p) => Box::new(ipc::mp::Mp::new(variant, p, env)?),
    })
}
