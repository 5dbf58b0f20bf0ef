//! A workload case's live state: the resolved workload, the executor with its units started
//! (setup untimed), the task batch, and one sample at a time with its checksum checked
//! against the group's.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::sampling::{Stop, Taken, blank_record};
use super::{Resources, RunConfig};
use crate::exec::{Batch, ExecEnv, ExecError, Executor, Model, UnitOptions};
use crate::measure::{Sample, Usage, peak_rss_window};
use crate::results::{CaseRecord, CaseStatus};
use crate::sweep::Case;
use crate::work::{Task, WorkSpec, make_input};

/// What builds a case's executor: [`exec::build_with`] in a run; a test may give executors
/// that return chosen times.
pub(super) type Build =
    dyn Fn(Model, usize, &WorkSpec, &ExecEnv, &UnitOptions) -> Result<Box<dyn Executor>, ExecError>;

/// Untimed work of a case's own before each of its interleaved samples, where two or more OS
/// threads or processes run its tasks; it stands in for the profile's warm-up samples. The
/// scheduler places a unit woken while another runs (a lock hand-off, the end of a sleep) by
/// the load it and each CPU have shown over the last tens of milliseconds (a 32 ms
/// half-life), so units that sat idle while the group's other cases ran start packed onto
/// one CPU. Measured on a 2-CPU machine with `gil` at 2 workers: half its CPU work released,
/// 23.3 ms a batch interleaved against 18.0 ms alone; mixed work, CPU share 0.5, in a group of
/// 13 cases, the median of 5 samples over five runs was 17.9–22.4 ms with no lead-in,
/// 18.0–21.1 ms after 40 ms and 17.8–18.3 ms after 100 ms, against 18.1 ms alone.
pub const VISIT_LEAD_IN: Duration = Duration::from_millis(100);

/// Whether `case` takes a lead-in before each sample, in place of warm-up samples: its tasks
/// run on two or more OS threads or processes.
pub(super) fn leads_in(case: &Case) -> bool {
    case.model.os_units(case.workers) >= 2
}

/// A workload case ready to take samples.
pub(super) struct WorkUnit {
    group: String,
    executor: Box<dyn Executor>,
    /// OS threads or processes running its tasks (they size the lead-in's parts).
    units: usize,
    /// Each visit starts with a lead-in ([`leads_in`]).
    leads_in: bool,
    /// Batch wall time per task of the last batch, seconds: sizes the lead-in.
    per_task: Option<f64>,
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
        units: case.model.os_units(case.workers),
        leads_in: leads_in(case),
        per_task: None,
        tasks,
        timeout: case.timeout.unwrap_or(config.timeout),
        checksum: None,
    };
    (rec, Some(unit))
}

impl WorkUnit {
    /// Whether each visit starts with a lead-in (two or more units), which then stands in
    /// for the profile's warm-up samples.
    pub(super) fn leads_in(&self) -> bool {
        self.leads_in
    }

    /// Runs the case's own tasks, untimed, for about [`VISIT_LEAD_IN`] where its units are
    /// spread over CPUs by the scheduler; nothing for one unit. The lead-in runs parts of the
    /// batch: first two tasks a unit, which time a task, then as many as the time left needs
    /// (at least two a unit, at most half the batch unless that is fewer), so a case whose
    /// batch is long pays about the lead-in's time, not whole batches. Time is the batches' own walls (or the clock, if
    /// longer); a whole batch's checksum is checked like a sample's.
    pub(super) fn lead_in(
        &mut self,
        config: &RunConfig,
        spent: Duration,
        reference: &mut HashMap<String, u64>,
    ) -> Result<(), Stop> {
        if !self.leads_in() {
            return Ok(());
        }
        let (start, mut walls) = (Instant::now(), Duration::ZERO);
        let all = self.tasks.len();
        let fewest = (2 * self.units).min(all);
        let most = (all / 2).max(fewest);
        while let Some(left) = VISIT_LEAD_IN.checked_sub(walls.max(start.elapsed())) {
            if left.is_zero() {
                break;
            }
            let count = match self.per_task {
                Some(per) if per > 0.0 => {
                    ((left.as_secs_f64() / per).ceil() as usize).clamp(fewest, most)
                }
                _ => fewest,
            };
            walls += self.batch(config, spent + start.elapsed(), count, reference)?.wall;
        }
        Ok(())
    }

    /// One batch, timed by the executor; `spent` is what the case has used of its timeout.
    pub(super) fn sample(
        &mut self,
        config: &RunConfig,
        spent: Duration,
        reference: &mut HashMap<String, u64>,
    ) -> Result<Taken, Stop> {
        let before = Usage::this_process();
        let peak = peak_rss_window();
        let batch = self.batch(config, spent, self.tasks.len(), reference)?;
        let peak_rss_bytes = peak.read();
        let usage = Usage::this_process().since(&before).plus(&batch.worker_usage);
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

    /// Runs the first `count` tasks once; a whole batch's checksum is checked against the
    /// group's.
    fn batch(
        &mut self,
        config: &RunConfig,
        spent: Duration,
        count: usize,
        reference: &mut HashMap<String, u64>,
    ) -> Result<Batch, Stop> {
        let timeout = self.timeout;
        let deadline = Instant::now() + timeout.saturating_sub(spent);
        let tasks = &self.tasks[..count.min(self.tasks.len())];
        let batch = self.executor.run_batch(tasks, deadline).map_err(|e| {
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
        self.per_task = Some(batch.wall.as_secs_f64() / tasks.len().max(1) as f64);
        if tasks.len() < self.tasks.len() {
            return Ok(batch);
        }
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
        Ok(batch)
    }
}
