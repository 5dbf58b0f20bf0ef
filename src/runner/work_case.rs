//! A workload case's live state: the resolved workload, the executor with its units started
//! (setup untimed), the task batch, and one sample at a time with its checksum checked
//! against the group's.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::sampling::{Stop, Taken, blank_record};
use super::{Resources, RunConfig};
use crate::exec::{ExecEnv, ExecError, Executor, Model, UnitOptions};
use crate::measure::{Sample, Usage, peak_rss_window};
use crate::results::{CaseRecord, CaseStatus};
use crate::sweep::Case;
use crate::work::{Task, WorkSpec, make_input};

/// What builds a case's executor: [`exec::build_with`] in a run; a test may give executors
/// that return chosen times.
pub(super) type Build =
    dyn Fn(Model, usize, &WorkSpec, &ExecEnv, &UnitOptions) -> Result<Box<dyn Executor>, ExecError>;

/// A workload case ready to take samples.
pub(super) struct WorkUnit {
    group: String,
    executor: Box<dyn Executor>,
    tasks: Vec<Task>,
    timeout: Duration,
    /// The checksum of the last batch.
    pub(super) checksum: Option<u64>,
}

/// The case's record and, unless setup failed, its live state.
pub(super) fn setup(
    case: &Case,
    config: &RunConfig,
    env: &ExecEnv,
    res: &mut Resources,
    build: &Build,
) -> (CaseRecord, Option<WorkUnit>) {
    let mut rec = blank_record(
        &case.scenario,
        &case.key,
        &case.group,
        case.model.name(),
        case.workload.name(),
        &case.params,
    );
    rec.param_values = case.param_values();
    rec.workers = case.workers;
    rec.tasks = case.tasks;
    let mut failed = |reason: String| {
        rec.status = CaseStatus::Failed;
        rec.reason = Some(reason);
    };
    let spec = match res.spec(&case.workload) {
        Ok(s) => s,
        Err(e) => {
            failed(e.to_string());
            return (rec, None);
        }
    };
    let options = UnitOptions {
        switch_interval: case.switch_interval.unwrap_or(UnitOptions::default().switch_interval),
    };
    let executor = match build(case.model, case.workers, &spec, env, &options) {
        Ok(e) => e,
        Err(e) => {
            failed(e.to_string());
            return (rec, None);
        }
    };
    let tasks = (0..case.tasks as u64)
        .map(|i| Task { index: i, input: make_input(i, case.payload_bytes) })
        .collect();
    let unit = WorkUnit {
        group: case.group.clone(),
        executor,
        tasks,
        timeout: case.timeout.unwrap_or(config.timeout),
        checksum: None,
    };
    (rec, Some(unit))
}

impl WorkUnit {
    /// One batch, timed by the executor; `spent` is what the case has used of its timeout.
    pub(super) fn sample(
        &mut self,
        config: &RunConfig,
        spent: Duration,
        reference: &mut HashMap<String, u64>,
    ) -> Result<Taken, Stop> {
        let timeout = self.timeout;
        let deadline = Instant::now() + timeout.saturating_sub(spent);
        let before = Usage::this_process();
        let peak = peak_rss_window();
        let batch = self.executor.run_batch(&self.tasks, deadline).map_err(|e| {
            // Ctrl-C on a terminal also reaches the workers: whatever broke after the run
            // was cancelled is the interrupt, not a failure of the case.
            let status = match e {
                _ if config.cancel.load(Ordering::Relaxed) => CaseStatus::Interrupted,
                ExecError::Timeout(_) => CaseStatus::Timeout,
                ExecError::Interrupted => CaseStatus::Interrupted,
                _ => CaseStatus::Failed,
            };
            let reason = match e {
                ExecError::Timeout(_) => format!("timed out after {timeout:?}; units stopped"),
                other => other.to_string(),
            };
            Stop { status, reason }
        })?;
        let peak_rss_bytes = peak.read();
        let usage = Usage::this_process().since(&before).plus(&batch.worker_usage);
        let expected = *reference.entry(self.group.clone()).or_insert(batch.checksum);
        if batch.checksum != expected {
            return Err(Stop {
                status: CaseStatus::Failed,
                reason: format!(
                    "checksum {:016x} differs from the group's {:016x}: a unit did different work",
                    batch.checksum, expected
                ),
            });
        }
        self.checksum = Some(batch.checksum);
        let wall_s = batch.wall.as_secs_f64();
        let sample = Sample {
            wall_s,
            usage,
            peak_rss_bytes,
            worker_peak_rss_bytes: batch.worker_peak_rss_bytes,
            at_s: None,
            value: None,
        };
        Ok(Taken { sample, value: wall_s, counters: batch.counters })
    }
}
