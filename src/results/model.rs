//! `run.json`, versioned by [`SCHEMA_VERSION`]. Bump it on any incompatible change.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Machine;
use crate::measure::{Sample, SentinelReading};
use crate::stats::{IntervalMethod, LEVEL, Summary, paired_ratio_interval, relative_half_width};
use crate::sweep::ParamValue;

/// Version of the `run.json` layout.
pub const SCHEMA_VERSION: u32 = 1;

/// Whether a run finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RunStatus {
    /// Cases are still being measured (the file is rewritten after each).
    #[default]
    Running,
    /// Every case was attempted.
    Complete,
    /// Stopped by SIGINT/SIGTERM; the file holds what finished.
    Interrupted,
}

/// The outcome of one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CaseStatus {
    /// Measured.
    #[default]
    Ok,
    /// A unit failed (a worker died, a task errored, a checksum differed).
    Failed,
    /// Stopped at its timeout.
    Timeout,
    /// Not supported on this platform.
    Unsupported,
    /// Not run because the run was interrupted first.
    Interrupted,
    /// Its threads deadlocked; the reason says which threads and locks, and how fast it
    /// was detected.
    Deadlock,
}

/// Speedup against the sequential baseline with the same parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Speedup {
    /// The speedup: for the paired t interval, the geometric mean of the per-round ratios
    /// baseline / case (rounds in which both were sampled); in older runs, baseline median /
    /// this case's median. (The name stays for the layout's sake.)
    pub median: f64,
    /// Lower bound of the interval of the ratio (see `ci_method`, `ci_level`).
    pub ci_low: f64,
    /// Upper bound of the interval of the ratio.
    pub ci_high: f64,
    /// How the interval was computed (runs before this field: a percentile bootstrap over
    /// the samples paired by interleaving round).
    #[serde(default = "paired_bootstrap")]
    pub ci_method: IntervalMethod,
    /// Its level (0 where one round gave a point and no interval).
    #[serde(default = "nominal_level")]
    pub ci_level: f64,
}

impl Speedup {
    /// A speedup with its paired t interval at the run's level.
    pub fn paired(median: f64, ci_low: f64, ci_high: f64) -> Speedup {
        Speedup { median, ci_low, ci_high, ci_method: IntervalMethod::PairedLogT, ci_level: LEVEL }
    }

    /// The speedup of `walls` over `baseline`, samples paired by round; `None` without a
    /// round in common. One round gives its ratio with a zero-width interval of level 0.
    pub fn from_rounds(baseline: &[f64], walls: &[f64]) -> Option<Speedup> {
        match paired_ratio_interval(baseline, walls, LEVEL) {
            Some((ratio, low, high)) => Some(Speedup::paired(ratio, low, high)),
            None => {
                let (&b, &w) = (baseline.first()?, walls.first()?);
                let ratio = b / w;
                (ratio.is_finite() && ratio > 0.0)
                    .then_some(Speedup { ci_level: 0.0, ..Speedup::paired(ratio, ratio, ratio) })
            }
        }
    }

    /// How far its interval reaches from the point, relative to it (infinite without a
    /// level).
    pub fn reach(&self) -> f64 {
        if self.ci_level > 0.0 {
            relative_half_width(self.median, self.ci_low, self.ci_high)
        } else {
            f64::INFINITY
        }
    }
}

fn paired_bootstrap() -> IntervalMethod {
    IntervalMethod::PairedBootstrapPercentile
}

fn nominal_level() -> f64 {
    LEVEL
}

/// One case's record.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct CaseRecord {
    /// Scenario name.
    pub scenario: String,
    /// Stable key, `scenario/model/workload/param=value/...`.
    pub case: String,
    /// Key of the comparison group (the case key without model and workers).
    pub group: String,
    /// Execution model.
    pub model: String,
    /// Workload name.
    pub workload: String,
    /// Every parameter, `workers` included, as display strings (as in the case key).
    pub params: BTreeMap<String, String>,
    /// The same parameters as typed values: durations in seconds, sizes in bytes, counts,
    /// switches and words (absent in runs written before it was recorded).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub param_values: BTreeMap<String, ParamValue>,
    /// Units.
    pub workers: usize,
    /// Tasks per sample.
    pub tasks: usize,
    /// Outcome.
    pub status: CaseStatus,
    /// Why the case is not `ok`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Unit of the case's figure, of `summary` and of each sample's `value`: `s` (a
    /// workload's wall time per batch, or a probe's time), `ops/s` or `msg/s` (a probe's
    /// rate), `B` (memory per unit), `units` (units created); see [`super::direction`].
    pub unit: String,
    /// Summary of the kept samples' figures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Summary>,
    /// Speedup against sequential with the same parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speedup: Option<Speedup>,
    /// Median CPU seconds (user + system, workers included) per sample.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_s: Option<f64>,
    /// Median user CPU seconds per sample.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_s: Option<f64>,
    /// Median system CPU seconds per sample.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sys_s: Option<f64>,
    /// Median voluntary context switches per sample.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voluntary_cs: Option<f64>,
    /// Median involuntary context switches per sample.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub involuntary_cs: Option<f64>,
    /// Peak RSS of gilbench's own process during the case's samples, bytes: the largest of
    /// the per-sample peaks, each measured from a mark reset right before its sample (absent
    /// where the platform cannot reset the mark).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_rss_bytes: Option<u64>,
    /// The largest peak RSS of one worker process during the case's samples, bytes (process
    /// models only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_peak_rss_bytes: Option<u64>,
    /// Batch checksum (identical for every model and worker count of a workload).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum: Option<String>,
    /// Model-specific counters (e.g. `gil_switches`, `gil_drop_requests`, `gil_wait_s`):
    /// the median per sample.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub counters: BTreeMap<String, f64>,
    /// CPUs kept busy by other processes when the case's group started (Linux; when the run
    /// waits for a quiet machine: the previous group's reading while it ran where that was
    /// below the gate's threshold, else a reading taken before the group).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_others: Option<f64>,
    /// CPUs kept busy by other processes while the case's group ran: the machine's busy time
    /// less gilbench's and its children's, over the group (Linux).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub busy_others: Option<f64>,
    /// How far the drift sentinel moved across the case's group (0.1 = 10 %).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift: Option<f64>,
    /// Warm-up samples run and dropped.
    pub warmup: usize,
    /// The kept samples, in the order taken.
    #[serde(default)]
    pub samples: Vec<Sample>,
}

/// Harness overhead, measured at the start of the run.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Overhead {
    /// Cost of one clock read, ns.
    pub clock_read_ns: f64,
    /// Per model: median wall time of one empty task pushed through one unit, ns.
    pub empty_task_ns: BTreeMap<String, f64>,
}

/// The CPU kernel's calibration, so durations in scenarios become iteration counts.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Calibration {
    /// Kernel iterations per second on one core.
    pub cpu_iterations_per_s: f64,
}

/// A whole run: what `run.json` holds.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct RunRecord {
    /// Layout version.
    pub schema_version: u32,
    /// gilbench version that wrote the file.
    pub gilbench_version: String,
    /// RFC 3339 start time.
    pub started_at: String,
    /// RFC 3339 end time, once the run ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    /// Whether the run finished.
    pub status: RunStatus,
    /// Measurement profile (`quick`, `default`, `full`).
    pub profile: String,
    /// The command line.
    pub command: Vec<String>,
    /// The scenario files.
    pub scenario_files: Vec<String>,
    /// The machine fingerprint.
    pub machine: Machine,
    /// Harness overhead.
    pub overhead: Overhead,
    /// Kernel calibration.
    pub calibration: Calibration,
    /// Seed of the interleaved sampling order (rerun with `--seed` to repeat it).
    #[serde(default)]
    pub seed: u64,
    /// The sampling rule the run followed (absent in runs from before adaptive sampling).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampling: Option<SamplingRule>,
    /// Per comparison group, in run order: how many rounds it took and why it stopped.
    #[serde(default)]
    pub groups: Vec<GroupSampling>,
    /// Drift-sentinel readings: at the start, between comparison groups, at the end.
    #[serde(default)]
    pub sentinel: Vec<SentinelPoint>,
    /// Every case, in run order.
    pub cases: Vec<CaseRecord>,
}

/// How comparison groups were sampled: interleaved rounds until every comparison is known to
/// within `half_width`, between `min_rounds` and `max_rounds`, within a budget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SamplingRule {
    /// Warm-up samples per case, dropped.
    pub warmup: usize,
    /// Timed rounds always taken.
    pub min_rounds: usize,
    /// Timed rounds never exceeded.
    pub max_rounds: usize,
    /// Sampling seconds per case of a group; a group's budget is this times its case count.
    pub case_budget_s: f64,
    /// Relative half-width at which a comparison counts as known (0.05: ±5 %).
    pub half_width: f64,
    /// Level of the intervals judged.
    pub level: f64,
    /// Seconds of untimed work of its own that each sample of a workload case on two or more
    /// OS threads or processes starts with; such a case takes no warm-up samples (0 in runs
    /// recorded before there was one).
    #[serde(default)]
    pub lead_in_s: f64,
}

/// Why a comparison group stopped sampling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum StopReason {
    /// Every comparison was known to within the rule's half-width.
    Converged,
    /// The group's time budget was spent first.
    Budget,
    /// The most rounds the rule allows were taken first.
    MaxRounds,
    /// No case of the group could be sampled (each failed or is unsupported).
    NothingToSample,
    /// The run was interrupted.
    Interrupted,
}

impl StopReason {
    /// How a report says it: "converged", "budget spent".
    pub fn label(self) -> &'static str {
        match self {
            StopReason::Converged => "converged",
            StopReason::Budget => "budget spent",
            StopReason::MaxRounds => "round limit",
            StopReason::NothingToSample => "nothing to sample",
            StopReason::Interrupted => "interrupted",
        }
    }
}

/// How one comparison group's sampling went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GroupSampling {
    /// Group key.
    pub group: String,
    /// Timed rounds taken (a case that settled early took fewer).
    pub rounds: usize,
    /// Why it stopped.
    pub stop: StopReason,
    /// The widest relative half-width among its comparisons when it stopped (`None` where
    /// none had an interval).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub widest: Option<f64>,
    /// Cases whose comparison was not known to within the rule's half-width.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unsettled: Vec<String>,
    /// Seconds from the group's first sample to its last.
    pub seconds: f64,
}

/// One reading of the drift sentinel and where in the run it was taken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SentinelPoint {
    /// `start`, `before <group>`, or `end`.
    pub at: String,
    /// Seconds since the run started.
    pub t_s: f64,
    /// The reading.
    pub reading: SentinelReading,
    /// gilbench's own resident memory at that point, bytes: flat across a run, or it leaks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rss_bytes: Option<u64>,
}
