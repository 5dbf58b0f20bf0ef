//! One probe case: build the probe (setup untimed), take its samples under the case deadline.

use std::sync::atomic::Ordering;
use std::time::Instant;

use super::RunConfig;
use super::sampling::{Stop, Taken, blank_record, sample_case};
use crate::measure::{Sample, Usage};
use crate::probe::{self, ProbeEnv, ProbeError};
use crate::results::{CaseRecord, CaseStatus};
use crate::sweep::ProbeCase;

pub(super) fn run_probe_case(case: &ProbeCase, config: &RunConfig, env: &ProbeEnv) -> CaseRecord {
    let mut rec = blank_record(
        &case.scenario,
        &case.key,
        &case.group,
        &case.variant,
        &format!("probe:{}", case.kind),
        &case.params,
    );
    let timeout = case.timeout.unwrap_or(config.timeout);
    let deadline = Instant::now() + timeout;
    let mut probe = match probe::build(&case.kind, &case.variant, &case.probe, env) {
        Ok(p) => p,
        Err(e) => {
            rec.status = match e {
                ProbeError::Unsupported(_) => CaseStatus::Unsupported,
                _ => CaseStatus::Failed,
            };
            rec.reason = Some(e.to_string());
            return rec;
        }
    };
    rec.workers = probe.units();
    rec.unit = probe.metric().unit.to_string();
    sample_case(&mut rec, &config.profile, |_warm| {
        let before = Usage::this_process();
        let s = probe.sample(deadline).map_err(|e| {
            let status = match e {
                _ if config.cancel.load(Ordering::Relaxed) => CaseStatus::Interrupted,
                ProbeError::Timeout => CaseStatus::Timeout,
                ProbeError::Interrupted => CaseStatus::Interrupted,
                ProbeError::Unsupported(_) => CaseStatus::Unsupported,
                _ => CaseStatus::Failed,
            };
            Stop { status, reason: e.to_string() }
        })?;
        let usage = Usage::this_process().since(&before).plus(&s.worker_usage);
        Ok(Taken {
            sample: Sample { wall_s: s.wall.as_secs_f64(), usage },
            value: s.value,
            counters: s.counters,
        })
    });
    rec
}
