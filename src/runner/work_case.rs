//! One workload case: resolve the workload, build the executor (setup untimed), sample
//! batches under the case deadline, check every batch's checksum against its group's, and
//! compare with the group's sequential baseline.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::Instant;

use super::sampling::{Stop, Taken, blank_record, sample_case};
use super::{Resources, RunConfig};
use crate::exec::{self, ExecEnv, ExecError, UnitOptions};
use crate::measure::{Sample, Usage};
use crate::results::{CaseRecord, CaseStatus, Speedup};
use crate::stats::{bootstrap_ratio_ci, median};
use crate::sweep::Case;
use crate::work::{Task, make_input};

pub(super) fn run_work_case(
    case: &Case,
    config: &RunConfig,
    env: &ExecEnv,
    res: &mut Resources,
    reference: &mut HashMap<String, u64>,
    baselines: &HashMap<String, Vec<f64>>,
) -> CaseRecord {
    let mut rec = blank_record(
        &case.scenario,
        &case.key,
        &case.group,
        case.model.name(),
        case.workload.name(),
        &case.params,
    );
    rec.workers = case.workers;
    rec.tasks = case.tasks;
    let failed = |mut rec: CaseRecord, reason: String| {
        rec.status = CaseStatus::Failed;
        rec.reason = Some(reason);
        rec
    };
    let spec = match res.spec(&case.workload) {
        Ok(s) => s,
        Err(e) => return failed(rec, e.to_string()),
    };
    let timeout = case.timeout.unwrap_or(config.timeout);
    let tasks: Vec<Task> = (0..case.tasks as u64)
        .map(|i| Task { index: i, input: make_input(i, case.payload_bytes) })
        .collect();
    let deadline = Instant::now() + timeout;
    let options = UnitOptions {
        switch_interval: case.switch_interval.unwrap_or(UnitOptions::default().switch_interval),
    };
    let mut executor = match exec::build_with(case.model, case.workers, &spec, env, &options) {
        Ok(e) => e,
        Err(e) => return failed(rec, e.to_string()),
    };
    let mut checksum = None;
    let walls = sample_case(&mut rec, &config.profile, |_warm| {
        let before = Usage::this_process();
        let batch = executor.run_batch(&tasks, deadline).map_err(|e| {
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
        let usage = Usage::this_process().since(&before).plus(&batch.worker_usage);
        let expected = *reference.entry(case.group.clone()).or_insert(batch.checksum);
        if batch.checksum != expected {
            return Err(Stop {
                status: CaseStatus::Failed,
                reason: format!(
                    "checksum {:016x} differs from the group's {:016x}: a unit did different work",
                    batch.checksum, expected
                ),
            });
        }
        checksum = Some(batch.checksum);
        let wall_s = batch.wall.as_secs_f64();
        Ok(Taken { sample: Sample { wall_s, usage }, value: wall_s, counters: batch.counters })
    });
    drop(executor);
    if rec.status != CaseStatus::Ok {
        return rec;
    }
    rec.checksum = checksum.map(|c| format!("{c:016x}"));
    if let Some(base) = baselines.get(&case.group) {
        let (lo, hi) = bootstrap_ratio_ci(base, &walls, 0.95, 2000, median);
        rec.speedup =
            Some(Speedup { median: median(base) / median(&walls), ci_low: lo, ci_high: hi });
    }
    rec
}
