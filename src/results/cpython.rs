//! The CPython peer's results (`cpython.json`, written by `peers/cpython_peer.py`) and their
//! comparison with gilbench's own models: speedups matched by workload shape and worker count,
//! the model's error at each point, and the GIL's shape checks (CPU-bound threads gain nothing,
//! IO-bound threads scale). Pure: nothing here runs a process or prints.
//!
//! It lives in `results` because the peer's file is a second data contract beside `run.json`,
//! and the comparison is a derived view of the two files, as a speedup is of two cases: `plot`
//! and `report` read it the way they read the results model, with imports pointing backwards.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{CaseStatus, ResultsError, RunRecord};

/// The peer's file name in a run directory.
pub const CPYTHON_FILE: &str = "cpython.json";

/// The newest peer output layout this build reads.
pub const PEER_VERSION: u32 = 1;

/// Models the peer measures, in report order.
pub const CPYTHON_MODELS: [&str; 4] =
    ["cpython:sequential", "cpython:threads", "cpython:processes", "cpython:asyncio"];

/// A point agrees when the model's speedup is within this share of CPython's (either way).
pub const AGREEMENT: f64 = 0.15;

/// CPU-bound threads "gain nothing over one thread" when none is faster than one thread by more
/// than this factor.
pub const NO_GAIN_MAX: f64 = 1.15;

/// IO-bound threads "scale" when, at the largest worker count, they are faster than one thread
/// by this share of the ideal `min(workers, tasks)` (and by 1.5× at least).
pub const SCALING_SHARE: f64 = 0.5;

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

fn shape_params(params: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    params
        .iter()
        .filter(|(k, _)| !NOT_SHAPE.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// A gilbench model set beside the CPython model it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    /// The gilbench model.
    pub model: &'static str,
    /// The CPython model.
    pub cpython: &'static str,
}

/// The comparisons made: the GIL model against real threads, free threads and processes
/// against real processes (what CPython needs for parallel CPU work), async against asyncio.
pub const PAIRS: [Pair; 4] = [
    Pair { model: "gil", cpython: "cpython:threads" },
    Pair { model: "threads", cpython: "cpython:processes" },
    Pair { model: "processes:fork", cpython: "cpython:processes" },
    Pair { model: "async:current", cpython: "cpython:asyncio" },
];

/// How a CPython model is named in sentences (`CPython threads`).
pub fn cpython_label(model: &str) -> String {
    match model.strip_prefix("cpython:") {
        Some(rest) => format!("CPython {rest}"),
        None => model.to_string(),
    }
}

/// How a gilbench model's speedup is named in sentences.
fn model_subject(model: &str) -> String {
    if model == "gil" {
        "the model's gil speedup".into()
    } else {
        format!("gilbench's {model} speedup")
    }
}

/// How far a ratio of speedups is from 1, the same either way: 1.1 and 1/1.1 are both 10% off.
pub fn ratio_error(ratio: f64) -> f64 {
    if ratio >= 1.0 { ratio - 1.0 } else { 1.0 / ratio - 1.0 }
}

/// The two speedups at one worker count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Worker count.
    pub workers: usize,
    /// gilbench's speedup against its sequential baseline.
    pub model: Option<f64>,
    /// CPython's speedup against its sequential baseline.
    pub cpython: Option<f64>,
}

impl Point {
    /// Model speedup / CPython speedup, when both were measured.
    pub fn ratio(&self) -> Option<f64> {
        match (self.model, self.cpython) {
            (Some(m), Some(c)) if m > 0.0 && c > 0.0 => Some(m / c),
            _ => None,
        }
    }

    /// [`ratio_error`] of [`Point::ratio`].
    pub fn error(&self) -> Option<f64> {
        self.ratio().map(ratio_error)
    }

    /// Whether the point is within [`AGREEMENT`].
    pub fn agrees(&self) -> Option<bool> {
        self.error().map(|e| e <= AGREEMENT + 1e-12)
    }
}

/// One pair over one shape's worker grid.
#[derive(Debug, Clone, PartialEq)]
pub struct PairComparison {
    /// The pair.
    pub pair: Pair,
    /// Points ascending by workers (any side may be missing).
    pub points: Vec<Point>,
}

impl PairComparison {
    /// Points where both sides were measured.
    pub fn compared(&self) -> impl Iterator<Item = &Point> {
        self.points.iter().filter(|p| p.ratio().is_some())
    }

    /// The largest [`ratio_error`] over the compared points.
    pub fn max_error(&self) -> Option<f64> {
        self.compared().filter_map(Point::error).reduce(f64::max)
    }

    /// In words: "the model's gil speedup is within 8% of CPython threads on every point (1,
    /// 2, 4 workers)", or where it is not.
    pub fn sentence(&self) -> String {
        let subject = model_subject(self.pair.model);
        let other = cpython_label(self.pair.cpython);
        let compared: Vec<&Point> = self.compared().collect();
        if compared.is_empty() {
            return format!("{subject}: no point to compare with {other} (one side has no result)");
        }
        let (good, bad): (Vec<&Point>, Vec<&Point>) =
            compared.iter().partition(|p| p.agrees() == Some(true));
        let within = |pts: &[&Point]| {
            let worst = pts.iter().filter_map(|p| p.error()).fold(0.0, f64::max);
            (worst * 100.0).ceil().max(1.0) as u32
        };
        if bad.is_empty() {
            let counts = worker_list(&compared);
            return format!(
                "{subject} is within {}% of {other} on every point ({counts})",
                within(&good)
            );
        }
        let misses: Vec<String> = bad
            .iter()
            .map(|p| {
                format!(
                    "at {} {} it is {:.2}× the {other} speedup ({:.2}× against {:.2}×)",
                    p.workers,
                    if p.workers == 1 { "worker" } else { "workers" },
                    p.ratio().unwrap_or(f64::NAN),
                    p.model.unwrap_or(f64::NAN),
                    p.cpython.unwrap_or(f64::NAN)
                )
            })
            .collect();
        if good.is_empty() {
            format!(
                "{subject} is not within {:.0}% of {other} on any point: {}",
                AGREEMENT * 100.0,
                misses.join("; ")
            )
        } else {
            format!(
                "{subject} is within {}% of {other} at {}, but {}",
                within(&good),
                worker_list(&good),
                misses.join("; ")
            )
        }
    }
}

fn worker_list(points: &[&Point]) -> String {
    let n: Vec<String> = points.iter().map(|p| p.workers.to_string()).collect();
    match n.len() {
        0 => String::new(),
        1 if n[0] == "1" => "1 worker".into(),
        1 => format!("{} workers", n[0]),
        _ => format!("{} and {} workers", n[..n.len() - 1].join(", "), n[n.len() - 1]),
    }
}

/// Whether a shape's work is CPU-bound, IO-bound or in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Character {
    /// All CPU: threads under a GIL must not scale.
    CpuBound,
    /// All waiting: threads under a GIL must scale.
    IoBound,
    /// Both: no shape claim.
    Mixed,
}

impl Character {
    /// The character of a workload with its parameters (`mixed` by its `cpu_fraction`); CPU
    /// work that releases the GIL for a share of its time is in between.
    pub fn of(workload: &str, params: &BTreeMap<String, String>) -> Character {
        let released = params.get("released_fraction").and_then(|f| f.parse::<f64>().ok());
        if released.is_some_and(|r| r > 0.0) {
            return Character::Mixed;
        }
        match workload {
            "cpu" | "memory" => Character::CpuBound,
            "io-sleep" | "io-net" | "io-file" => Character::IoBound,
            _ => match params.get("cpu_fraction").and_then(|f| f.parse::<f64>().ok()) {
                Some(f) if f >= 1.0 => Character::CpuBound,
                Some(f) if f <= 0.0 => Character::IoBound,
                _ => Character::Mixed,
            },
        }
    }
}

/// The claim a shape check makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// CPU-bound threads under a GIL gain nothing: none beats one thread by more than
    /// [`NO_GAIN_MAX`].
    NoGain,
    /// IO-bound threads under a GIL scale: at the largest worker count they beat one thread by
    /// [`SCALING_SHARE`] of the ideal.
    Scales,
}

/// One shape check on one model.
#[derive(Debug, Clone, PartialEq)]
pub struct ShapeCheck {
    /// The model checked (`cpython:threads` or `gil`).
    pub model: String,
    /// The claim.
    pub claim: Claim,
    /// Whether it holds; `None` when there is nothing to check.
    pub holds: Option<bool>,
    /// The check in words, with its figures.
    pub sentence: String,
}

/// Checks `claim` on `points` (workers, speedup against sequential) of `model`, with `tasks`
/// tasks per batch.
///
/// The claims are about threads against one thread, so where the model has a one-worker point
/// each speedup is taken relative to it (the sequential baseline's own noise then cancels out);
/// without one, against the sequential baseline.
pub fn check_shape(model: &str, claim: Claim, points: &[(usize, f64)], tasks: usize) -> ShapeCheck {
    let who = if model.starts_with("cpython:") {
        cpython_label(model)
    } else {
        format!("threads under the {model} model")
    };
    let one = points.iter().find(|(w, _)| *w == 1).map(|p| p.1).filter(|s| *s > 0.0);
    let (base, against) = match one {
        Some(s) => (s, "one thread"),
        None => (1.0, "sequential"),
    };
    let multi: Vec<(usize, f64)> =
        points.iter().filter(|(w, _)| *w > 1).map(|&(w, s)| (w, s / base)).collect();
    let (holds, sentence) = match claim {
        Claim::NoGain => match multi.iter().copied().reduce(|a, b| if b.1 > a.1 { b } else { a }) {
            None => (None, format!("CPU-bound: {who} have no point with more than one worker")),
            Some((w, best)) => {
                let holds = best <= NO_GAIN_MAX;
                (
                    Some(holds),
                    format!(
                        "CPU-bound: {who} {} (best {best:.2}× {against} at {w} workers; limit \
                         {NO_GAIN_MAX:.2}×)",
                        if holds {
                            "gain nothing over one thread"
                        } else {
                            "gain over one thread, against the GIL's shape"
                        }
                    ),
                )
            }
        },
        Claim::Scales => match multi.iter().copied().max_by_key(|(w, _)| *w) {
            None => (None, format!("IO-bound: {who} have no point with more than one worker")),
            Some((w, s)) => {
                let need = (SCALING_SHARE * w.min(tasks.max(1)) as f64).max(1.5);
                let holds = s >= need;
                (
                    Some(holds),
                    format!(
                        "IO-bound: {who} {} ({s:.2}× {against} at {w} workers; at least \
                         {need:.2}× expected)",
                        if holds { "scale" } else { "do not scale" }
                    ),
                )
            }
        },
    };
    ShapeCheck { model: model.to_string(), claim, holds, sentence }
}

/// Everything compared for one workload shape.
#[derive(Debug, Clone, PartialEq)]
pub struct ShapeComparison {
    /// [`shape_key`].
    pub key: String,
    /// Workload name.
    pub workload: String,
    /// Parameters without `workers` and `switch_interval`.
    pub params: BTreeMap<String, String>,
    /// Tasks per batch.
    pub tasks: usize,
    /// CPU-bound, IO-bound or mixed.
    pub character: Character,
    /// Worker counts of either side, ascending.
    pub workers: Vec<usize>,
    /// One comparison per [`PAIRS`] entry.
    pub pairs: Vec<PairComparison>,
    /// The shape checks that apply (none for a mixed shape).
    pub checks: Vec<ShapeCheck>,
}

impl ShapeComparison {
    /// A title: the workload and its parameters, e.g. `cpu (task_duration=2ms, tasks=16, ...)`.
    pub fn title(&self) -> String {
        let mut params: Vec<(&String, &String)> = self.params.iter().collect();
        params.sort_by_key(|(k, _)| match k.as_str() {
            "tasks" => 1,
            "payload_bytes" => 2,
            _ => 0,
        });
        let shown: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        if shown.is_empty() {
            self.workload.clone()
        } else {
            format!("{} ({})", self.workload, shown.join(", "))
        }
    }

    /// Distinct speedup series (model, points ascending by workers) in drawing order: each
    /// gilbench model of [`PAIRS`] followed by the CPython model it is compared with.
    pub fn series(&self) -> Vec<(&'static str, Vec<(usize, f64)>)> {
        let mut out: Vec<(&'static str, Vec<(usize, f64)>)> = Vec::new();
        for pc in &self.pairs {
            for (name, cpython) in [(pc.pair.model, false), (pc.pair.cpython, true)] {
                if out.iter().any(|(n, _)| *n == name) {
                    continue;
                }
                let pts: Vec<(usize, f64)> = pc
                    .points
                    .iter()
                    .filter_map(|p| {
                        let s = if cpython { p.cpython } else { p.model };
                        s.map(|s| (p.workers, s))
                    })
                    .collect();
                if !pts.is_empty() {
                    out.push((name, pts));
                }
            }
        }
        out
    }
}

/// A run compared with the peer, shape by shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Shapes the peer measured, in its order.
    pub shapes: Vec<ShapeComparison>,
}

/// How one pair fared over every shape.
#[derive(Debug, Clone, PartialEq)]
pub struct PairSummary {
    /// The pair.
    pub pair: Pair,
    /// Points with both sides measured.
    pub compared: usize,
    /// Of those, the points within [`AGREEMENT`].
    pub agreeing: usize,
    /// The worst point: shape title, workers, ratio.
    pub worst: Option<(String, usize, f64)>,
}

impl PairSummary {
    /// In words: "over 5 shapes, the model's gil speedup is within 15% of CPython threads on 12
    /// of 15 points; the worst is ...".
    pub fn sentence(&self) -> String {
        let subject = model_subject(self.pair.model);
        let other = cpython_label(self.pair.cpython);
        if self.compared == 0 {
            return format!("{subject}: no point to compare with {other}");
        }
        let mut s = format!(
            "{subject} is within {:.0}% of {other} on {} of {} points",
            AGREEMENT * 100.0,
            self.agreeing,
            self.compared
        );
        if let Some((title, w, r)) = &self.worst {
            s.push_str(&format!(
                "; the worst is {title} at {w} {}, {r:.2}× the {other} speedup ({:.0}% off)",
                if *w == 1 { "worker" } else { "workers" },
                ratio_error(*r) * 100.0
            ));
        }
        s
    }
}

impl Comparison {
    /// Per pair, agreement over every shape.
    pub fn summaries(&self) -> Vec<PairSummary> {
        PAIRS
            .iter()
            .map(|&pair| {
                let mut compared = 0;
                let mut agreeing = 0;
                let mut worst: Option<(String, usize, f64)> = None;
                for shape in &self.shapes {
                    for pc in shape.pairs.iter().filter(|pc| pc.pair == pair) {
                        for p in pc.compared() {
                            let (Some(r), Some(e)) = (p.ratio(), p.error()) else { continue };
                            compared += 1;
                            if p.agrees() == Some(true) {
                                agreeing += 1;
                            }
                            if worst.as_ref().is_none_or(|(_, _, wr)| ratio_error(*wr) < e) {
                                worst = Some((shape.title(), p.workers, r));
                            }
                        }
                    }
                }
                PairSummary { pair, compared, agreeing, worst }
            })
            .collect()
    }

    /// Every compared point, side by side, one line per shape and pair: "cpu (task_duration=2ms,
    /// …): gil against CPython threads: 1 worker 1.02× / 1.00×, 2 workers 1.52× / 1.83× (17%
    /// off)" (gilbench's speedup first; the error shown where it exceeds [`AGREEMENT`]).
    pub fn point_lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for shape in &self.shapes {
            for pc in &shape.pairs {
                let points: Vec<String> = pc
                    .compared()
                    .filter_map(|p| {
                        let (m, c, e) = (p.model?, p.cpython?, p.error()?);
                        let unit = if p.workers == 1 { "worker" } else { "workers" };
                        let off = if p.agrees() == Some(true) {
                            String::new()
                        } else {
                            format!(" ({:.0}% off)", e * 100.0)
                        };
                        Some(format!("{} {unit} {m:.2}× / {c:.2}×{off}", p.workers))
                    })
                    .collect();
                if !points.is_empty() {
                    out.push(format!(
                        "{}: {} against {}: {}",
                        shape.title(),
                        pc.pair.model,
                        cpython_label(pc.pair.cpython),
                        points.join(", ")
                    ));
                }
            }
        }
        out
    }

    /// Every shape check of every shape.
    pub fn checks(&self) -> impl Iterator<Item = &ShapeCheck> {
        self.shapes.iter().flat_map(|s| s.checks.iter())
    }
}

/// Compares `run` with the peer's `cpython` record.
///
/// Shapes are matched by [`shape_key`]; gilbench's speedups are the run's own (against its
/// sequential baseline), CPython's are `cpython:sequential`'s median over each model's median
/// for the same shape. When a run holds a shape in several scenarios, the first case wins.
pub fn compare(run: &RunRecord, cpython: &CpythonRecord) -> Comparison {
    // gilbench: (shape, model, workers) -> speedup.
    let mut ours: BTreeMap<(String, String, usize), f64> = BTreeMap::new();
    for c in &run.cases {
        let Some(s) = c.speedup else { continue };
        if c.status != CaseStatus::Ok || !(s.median.is_finite() && s.median > 0.0) {
            continue;
        }
        ours.entry((shape_key(&c.workload, &c.params), c.model.clone(), c.workers))
            .or_insert(s.median);
    }
    // CPython: medians by (shape, model, workers).
    let mut medians: BTreeMap<(String, String, usize), f64> = BTreeMap::new();
    let mut order: Vec<(String, &PeerCase)> = Vec::new();
    for c in &cpython.cases {
        let key = shape_key(&c.workload, &c.params);
        if !order.iter().any(|(k, _)| *k == key) {
            order.push((key.clone(), c));
        }
        if c.status != PeerStatus::Ok {
            continue;
        }
        if let Some(m) = c.median.filter(|m| m.is_finite() && *m > 0.0) {
            medians.entry((key, c.model.clone(), c.workers)).or_insert(m);
        }
    }
    let shapes = order
        .into_iter()
        .map(|(key, first)| {
            let baseline =
                medians.get(&(key.clone(), "cpython:sequential".to_string(), 1)).copied();
            let theirs = |model: &str, w: usize| {
                let m = medians.get(&(key.clone(), model.to_string(), w))?;
                baseline.map(|b| b / m)
            };
            let mine =
                |model: &str, w: usize| ours.get(&(key.clone(), model.to_string(), w)).copied();
            let mut workers: Vec<usize> = medians
                .keys()
                .chain(ours.keys())
                .filter(|(k, m, _)| *k == key && m != "sequential" && m != "cpython:sequential")
                .map(|(_, _, w)| *w)
                .collect();
            workers.sort_unstable();
            workers.dedup();
            let pairs: Vec<PairComparison> = PAIRS
                .iter()
                .map(|&pair| PairComparison {
                    pair,
                    points: workers
                        .iter()
                        .map(|&w| Point {
                            workers: w,
                            model: mine(pair.model, w),
                            cpython: theirs(pair.cpython, w),
                        })
                        .filter(|p| p.model.is_some() || p.cpython.is_some())
                        .collect(),
                })
                .collect();
            let character = Character::of(&first.workload, &first.params);
            let claim = match character {
                Character::CpuBound => Some(Claim::NoGain),
                Character::IoBound => Some(Claim::Scales),
                Character::Mixed => None,
            };
            let checks = claim
                .map(|claim| {
                    ["cpython:threads", "gil"]
                        .iter()
                        .map(|&model| {
                            let pts: Vec<(usize, f64)> = workers
                                .iter()
                                .filter_map(|&w| {
                                    let s = if model == "gil" {
                                        mine(model, w)
                                    } else {
                                        theirs(model, w)
                                    };
                                    s.map(|s| (w, s))
                                })
                                .collect();
                            check_shape(model, claim, &pts, first.tasks)
                        })
                        .collect()
                })
                .unwrap_or_default();
            ShapeComparison {
                key,
                workload: first.workload.clone(),
                params: shape_params(&first.params),
                tasks: first.tasks,
                character,
                workers,
                pairs,
                checks,
            }
        })
        .collect();
    Comparison { shapes }
}

#[cfg(test)]
mod tests;
