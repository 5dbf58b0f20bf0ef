//! The CPython peer's results (`cpython.json`, written by `peers/cpython_peer.py`): a second
//! data contract beside `run.json`, read and written here, and the shape key that matches its
//! cases with gilbench's. Their comparison is `analysis::cpython`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::ResultsError;

/// The peer's file name in a run directory.
pub const CPYTHON_FILE: &str = "cpython.json";

/// The newest peer output layout this build reads.
pub const PEER_VERSION: u32 = 1;

/// Models the peer measures, in report order.
pub const CPYTHON_MODELS: [&str; 4] =
    ["cpython:sequential", "cpython:threads", "cpython:processes", "cpython:asyncio"];

/// Parameters that are not part of a workload shape: the worker count (an axis of the
/// comparison) and the GIL's switch interval (a property of the lock, not of the work).
const NOT_SHAPE: [&str; 2] = ["workers", "switch_interval"];

/// The peer's whole output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CpythonRecord {
    /// Always `cpython_peer`.
    pub peer: String,
    /// Output layout version.
    pub peer_version: u32,
    /// `platform.python_version()`.
    pub python_version: String,
    /// `platform.python_implementation()` (`CPython`, `PyPy`, ...).
    pub implementation: String,
    /// `sys.executable`.
    #[serde(default)]
    pub executable: String,
    /// Whether the GIL was on (`sys._is_gil_enabled()` on 3.13+, else always true).
    #[serde(default)]
    pub gil_enabled: Option<bool>,
    /// `sys.getswitchinterval()`, seconds.
    pub switch_interval_s: f64,
    /// The multiprocessing start method of `cpython:processes`.
    #[serde(default)]
    pub start_method: String,
    /// CPUs the interpreter could use.
    #[serde(default)]
    pub usable_cpus: Option<usize>,
    /// Whether the interpreter was built free-threaded (`Py_GIL_DISABLED`).
    #[serde(default)]
    pub gil_disabled_build: Option<bool>,
    /// Pure-Python kernel iterations per second on one core.
    pub cpu_iterations_per_s: f64,
    /// `hashlib.sha256` bytes per second on one core (GIL released), when measured.
    #[serde(default)]
    pub hash_bytes_per_s: Option<f64>,
    /// Warm-up batches per case, run and dropped.
    #[serde(default)]
    pub warmup: usize,
    /// Wall time of the whole measurement, seconds.
    #[serde(default)]
    pub elapsed_s: f64,
    /// Seconds of overhead per empty task through a one-worker multiprocessing Pool (map,
    /// chunksize 1): what every Pool task pays in pickling, queues and the result thread.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool_task_overhead_s: Option<f64>,
    /// The sleep the peer timed under asyncio, seconds (with `asyncio_sleep_actual_s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asyncio_sleep_requested_s: Option<f64>,
    /// What one such `asyncio.sleep` took, seconds (mean of 16 in a row).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asyncio_sleep_actual_s: Option<f64>,
    /// Every case, in run order.
    pub cases: Vec<PeerCase>,
    /// The convoy shape, when measured.
    #[serde(default)]
    pub convoy: Vec<ConvoyPoint>,
}

/// Whether a peer case was measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PeerStatus {
    /// Measured.
    Ok,
    /// The case raised; `reason` says what.
    Failed,
}

/// One case of the peer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeerCase {
    /// One of [`CPYTHON_MODELS`].
    pub model: String,
    /// `cpu`, `io-sleep` or `mixed`.
    pub workload: String,
    /// Parameters with gilbench's keys and display format, `workers` included.
    pub params: BTreeMap<String, String>,
    /// Units.
    pub workers: usize,
    /// Tasks per batch.
    pub tasks: usize,
    /// Kernel iterations per task.
    #[serde(default)]
    pub iterations: u64,
    /// Bytes hashed per task by `hashlib.sha256` with the GIL released.
    #[serde(default)]
    pub hash_bytes: u64,
    /// Sleep per task, seconds.
    #[serde(default)]
    pub sleep_s: f64,
    /// Outcome.
    pub status: PeerStatus,
    /// Why the case failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Wall seconds per timed batch.
    #[serde(default)]
    pub samples: Vec<f64>,
    /// Median of `samples`.
    #[serde(default)]
    pub median: Option<f64>,
    /// Digest of the batch's results (the same for every model of a workload point).
    #[serde(default)]
    pub checksum: Option<String>,
}

/// The convoy shape at one number of CPU-bound threads: how late an IO thread's short sleep
/// returns while they spin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConvoyPoint {
    /// CPU-bound threads spinning meanwhile.
    pub cpu_threads: usize,
    /// The requested sleep, display form (`1ms`).
    pub sleep: String,
    /// Sleeps measured.
    pub n: usize,
    /// Median time past the requested sleep, seconds.
    pub median_oversleep_s: f64,
    /// 99th percentile of the oversleep, seconds.
    pub p99_oversleep_s: f64,
    /// Largest oversleep, seconds.
    pub max_oversleep_s: f64,
}

impl CpythonRecord {
    /// Whether the interpreter ran without a GIL (a free-threaded build with the GIL off): its
    /// threads are compared with gilbench's `threads`, not `gil`.
    pub fn free_threaded(&self) -> bool {
        self.gil_enabled == Some(false)
    }

    /// `major.minor` of the version (`3.13` of `3.13.0`).
    pub fn minor_version(&self) -> &str {
        let v = self.python_version.as_str();
        match v.match_indices('.').nth(1) {
            Some((i, _)) => &v[..i],
            None => v,
        }
    }

    /// How the interpreter is named beside others: `CPython 3.13.0`, with a `t` for a
    /// free-threaded build (`CPython 3.13.0t`) and the GIL's state where it differs from the
    /// build's default.
    pub fn label(&self) -> String {
        let t = if self.gil_disabled_build == Some(true) { "t" } else { "" };
        let state = match (self.gil_disabled_build, self.gil_enabled) {
            (Some(true), Some(true)) => " (GIL re-enabled)",
            _ => "",
        };
        format!("{} {}{t}{state}", self.implementation, self.python_version)
    }
}

/// The file of the `n`-th interpreter (from 0) of one calibrate call: `cpython.json` for the
/// first, `cpython-2.json`, `cpython-3.json`, … for the next ones.
pub fn cpython_file_name(n: usize) -> String {
    if n == 0 { CPYTHON_FILE.to_string() } else { format!("cpython-{}.json", n + 1) }
}

/// Parses the peer's JSON output; `path` names it in errors.
pub fn parse_cpython(text: &str, path: &Path) -> Result<CpythonRecord, ResultsError> {
    let invalid = |message: String| ResultsError::Invalid { path: path.to_path_buf(), message };
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
    if value.get("peer").and_then(|p| p.as_str()) != Some("cpython_peer") {
        return Err(invalid("not the output of cpython_peer.py (no `peer` field)".into()));
    }
    let version = value.get("peer_version").and_then(|v| v.as_u64()).unwrap_or(0);
    if version > u64::from(PEER_VERSION) {
        return Err(ResultsError::Schema {
            path: path.to_path_buf(),
            found: version as u32,
            supported: PEER_VERSION,
        });
    }
    serde_json::from_value(value).map_err(|e| invalid(e.to_string()))
}

/// Loads a `cpython.json` (or the one inside a run directory).
pub fn load_cpython(path: &Path) -> Result<CpythonRecord, ResultsError> {
    let file = if path.is_dir() { path.join(CPYTHON_FILE) } else { path.to_path_buf() };
    let text = std::fs::read_to_string(&file)
        .map_err(|source| ResultsError::Read { path: file.clone(), cause: source })?;
    parse_cpython(&text, &file)
}

/// The `cpython.json` beside a run, if the run directory has one.
pub fn cpython_beside(run_dir: &Path) -> Result<Option<CpythonRecord>, ResultsError> {
    let file: PathBuf = run_dir.join(CPYTHON_FILE);
    if file.is_file() { load_cpython(&file).map(Some) } else { Ok(None) }
}

/// Every interpreter's record beside a run, in the order calibrate measured them
/// (`cpython.json`, then `cpython-2.json`, … while they exist).
pub fn cpythons_beside(run_dir: &Path) -> Result<Vec<CpythonRecord>, ResultsError> {
    let mut out = Vec::new();
    loop {
        let file = run_dir.join(cpython_file_name(out.len()));
        if !file.is_file() {
            return Ok(out);
        }
        out.push(load_cpython(&file)?);
    }
}

/// The shape of a case: its workload and parameters without `workers` and `switch_interval`,
/// e.g. `mixed/cpu_fraction=0.5/payload_bytes=1024/task_duration=2ms/tasks=16`.
pub fn shape_key(workload: &str, params: &BTreeMap<String, String>) -> String {
    let mut key = workload.to_string();
    for (k, v) in shape_params(params) {
        key.push('/');
        key.push_str(&k);
        key.push('=');
        key.push_str(&v);
    }
    key
}

/// A case's parameters that make its shape (all but `workers` and `switch_interval`).
pub fn shape_params(params: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    params
        .iter()
        .filter(|(k, _)| !NOT_SHAPE.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}
