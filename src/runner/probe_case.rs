//! A probe case's live state: the probe built (setup untimed), one sample at a time.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::RunConfig;
use super::sampling::{Stop, Taken, blank_record};
use crate::measure::{Sample, Usage};
use crate::probe::{self, Probe, ProbeEnv, ProbeError};
use crate::results::{CaseRecord, CaseStatus};
use crate::sweep::ProbeCase;

/// A probe case ready to take samples.
pub(super) struct ProbeUnit {
    probe: Box<dyn Probe>,
    timeout: Duration,
}

/// The case's record and, unless setup failed, its live state.
pub(super) fn setup(
    case: &ProbeCase,
    config: &RunConfig,
    env: &ProbeEnv,
) -> (CaseRecord, Option<ProbeUnit>) {
    let mut rec = blank_record(
        &case.scenario,
        &case.key,
        &case.group,
        &case.variant,
        &format!("probe:{}", case.kind),
        &case.params,
    );
    match probe::build(&case.kind, &case.variant, &case.probe, env) {
        Ok(probe) => {
            rec.workers = probe.units();
            rec.unit = probe.metric().unit.to_string();
            (rec, Some(ProbeUnit { probe, timeout: case.timeout.unwrap_or(config.timeout) }))
        }
        Err(e) => {
            rec.status = match e {
                ProbeError::Unsupported(_) => CaseStatus::Unsupported,
                ProbeError::Deadlock(_) => CaseStatus::Deadlock,
                _ => CaseStatus::Failed,
            };
            rec.reason = Some(e.to_string());
            (rec, None)
        }
    }
}

impl ProbeUnit {
    /// One sample; `spent` is what the case has used of its timeout.
    pub(super) fn sample(&mut self, config: &RunConfig, spent: Duration) -> Result<Taken, Stop> {
        let deadline = Instant::now() + self.timeout.saturating_sub(spent);
        let before = Usage::this_process();
        let s = self.probe.sample(deadline).map_err(|e| {
            let status = match e {
                _ if config.cancel.load(Ordering::Relaxed) => CaseStatus::Interrupted,
                ProbeError::Timeout => CaseStatus::Timeout,
                ProbeError::Interrupted => CaseStatus::Interrupted,
                ProbeError::Unsupported(_) => CaseStatus::Unsupported,
                ProbeError::Deadlock(_) => CaseStatus::Deadlock,
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
    }
}
