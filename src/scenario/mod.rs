//! Scenario files: TOML in, a validated [`Scenario`] out. Nothing here runs anything.
//!
//! Errors name the file, the line and column, and the key at fault.
//!
//! `schema` reads the TOML into loosely typed values with their spans, `values` reads
//! integers, sizes, durations, names and sweep axes against the ranges in `limits`,
//! `validate` checks the file as a whole: its own keys, each workload (`workload`, with
//! `command`, and `shared` for the keys a workload shares with the top) and each probe
//! (`probe`); `cases` refuses sweeps above [`MAX_CASES`] or with colliding case keys.
//! `kinds` lists the workload kinds and the keys each takes; `shipped` holds the scenarios
//! compiled into the binary, found by name, and `unknown_key` with `suggest` words the "did
//! you mean" of a misspelled key. A key that accepts a list is a sweep axis; `workers`
//! defaults to `"auto"` and `payload_bytes` to 0, while `models` and `tasks` must be set at
//! the top or per workload.

mod cases;
mod command;
mod error;
mod kinds;
mod limits;
mod probe;
mod schema;
mod shared;
mod shipped;
mod suggest;
mod unknown_key;
mod validate;
mod values;
mod workload;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use crate::probe::{ProbeParams, ProbeValue};
pub use cases::MAX_CASES;
pub use error::ScenarioError;
pub use shipped::{Shipped, find_shipped, load_file_or_shipped, shipped};
pub use suggest::closest;
pub use values::show_duration;
pub use values::{parse_duration, parse_size};

use crate::exec::Model;

/// How worker counts are chosen.
#[derive(Debug, Clone, PartialEq)]
pub enum Workers {
    /// The geometric grid 1, 2, 4, … up to twice the usable CPUs.
    Auto,
    /// Exactly these counts.
    List(Vec<usize>),
}

/// How big a CPU task is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CpuSize {
    /// Fixed kernel iterations.
    Iterations(u64),
    /// A target duration on one core, turned into iterations by the run's calibration.
    Duration(Duration),
}

/// One workload with every axis value fixed (one point of the sweep).
#[derive(Debug, Clone, PartialEq)]
pub enum WorkloadParams {
    /// `cpu`.
    Cpu {
        /// Task size.
        size: CpuSize,
        /// Share of the CPU work done with the interpreter lock released, 0..=1 (0 when not
        /// given; shown in case keys only when the scenario gives it).
        released_fraction: f64,
    },
    /// `io-sleep`.
    IoSleep {
        /// Sleep per task.
        sleep: Duration,
    },
    /// `io-file`.
    IoFile {
        /// File size per task.
        bytes: u64,
        /// fsync after writing.
        fsync: bool,
    },
    /// `io-net`.
    IoNet {
        /// Server-side delay.
        delay: Duration,
        /// Response size.
        response_bytes: u32,
    },
    /// `mixed`.
    Mixed {
        /// Total task duration on one core (CPU share + sleep).
        task_duration: Duration,
        /// Share of the task spent in the CPU kernel, 0..=1.
        cpu_fraction: f64,
        /// Share of that CPU work done with the interpreter lock released, 0..=1.
        released_fraction: f64,
    },
    /// `command`: an external program per task.
    Command {
        /// The name shown in case keys (`command=NAME`).
        name: String,
        /// Program and arguments; `{task}` becomes the task index.
        argv: Vec<String>,
        /// How long one run may take.
        timeout: Duration,
    },
    /// A workload registered by a user's program (the library API; not in scenario files).
    Custom {
        /// The registered name, used as the workload's name.
        name: String,
        /// Its parameters.
        params: crate::work::Params,
    },
}

impl WorkloadParams {
    /// The workload's name as written in scenario files (a custom workload's own name).
    pub fn name(&self) -> &str {
        match self {
            WorkloadParams::Cpu { .. } => "cpu",
            WorkloadParams::IoSleep { .. } => "io-sleep",
            WorkloadParams::IoFile { .. } => "io-file",
            WorkloadParams::IoNet { .. } => "io-net",
            WorkloadParams::Mixed { .. } => "mixed",
            WorkloadParams::Command { .. } => "command",
            WorkloadParams::Custom { name, .. } => name,
        }
    }
}

/// A workload table of a scenario: its kind and every axis, each with one or more values.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkloadAxes {
    /// One entry per point of the workload's own axes (their cartesian product), each with
    /// its `(param, display value)` pairs for case keys.
    pub variants: Vec<(WorkloadParams, Vec<(String, String)>)>,
    /// Models for this workload (the scenario's unless overridden).
    pub models: Vec<Model>,
    /// Worker counts (the scenario's unless overridden).
    pub workers: Workers,
    /// Tasks per sample (axis).
    pub tasks: Vec<usize>,
    /// Payload bytes per task, both ways (axis).
    pub payload_bytes: Vec<usize>,
}

/// A `[[probe]]` table: the probe kind, the variants to run, and every point of its axes.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeAxes {
    /// Probe kind (`convoy`, ...).
    pub kind: String,
    /// Variants to run (the probe's "models").
    pub variants: Vec<String>,
    /// One entry per point of the cartesian product of the parameters, with the
    /// `(param, display value)` pairs of the parameters the file sets (for case keys).
    pub points: Vec<(ProbeParams, Vec<(String, String)>)>,
}

/// A parsed and validated scenario file.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Name (the `name` key, else the file stem).
    pub name: String,
    /// One-line description.
    pub description: String,
    /// The file it came from.
    pub path: PathBuf,
    /// Per-case timeout, if the file sets one.
    pub timeout: Option<Duration>,
    /// The `gil` model's switch interval, if the file sets one (else CPython's 5 ms).
    pub switch_interval: Option<Duration>,
    /// The workloads, in file order.
    pub workloads: Vec<WorkloadAxes>,
    /// The probes, in file order.
    pub probes: Vec<ProbeAxes>,
}

/// Reads and validates a scenario file.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| ScenarioError::Read { path: path.to_path_buf(), cause: source })?;
    parse(&text, path)
}

/// Parses and validates scenario text; `path` is used for the name and in errors.
pub fn parse(text: &str, path: &Path) -> Result<Scenario, ScenarioError> {
    validate::validate(schema::parse(text, path)?, text, path)
}
