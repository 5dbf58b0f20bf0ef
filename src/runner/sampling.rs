//! The sampling loop shared by workload and probe cases: warm-up samples dropped, timed
//! samples kept until the profile's count or its time budget is reached, and the summary of
//! what was kept written into the case record.

use std::collections::BTreeMap;
use std::time::Instant;

use super::Profile;
use crate::measure::Sample;
use crate::results::{CaseRecord, CaseStatus};
use crate::stats::{median, summarize};

/// One sample as a case produces it.
#[derive(Debug, Clone)]
pub(super) struct Taken {
    /// Wall time and resources.
    pub(super) sample: Sample,
    /// The primary figure (the wall time for workloads).
    pub(super) value: f64,
    /// Named counters of the sample.
    pub(super) counters: BTreeMap<String, f64>,
}

/// Why a case stopped.
#[derive(Debug, Clone)]
pub(super) struct Stop {
    pub(super) status: CaseStatus,
    pub(super) reason: String,
}

/// Runs `one` for the warm-up and the timed samples of `profile`; fills `rec`'s samples,
/// summary (of the primary figures), CPU, context-switch and counter medians. Returns the
/// primary figures kept (empty when the case did not finish).
pub(super) fn sample_case(
    rec: &mut CaseRecord,
    profile: &Profile,
    mut one: impl FnMut(bool) -> Result<Taken, Stop>,
) -> Vec<f64> {
    let mut taken = 0usize;
    let mut values = Vec::new();
    let mut counters: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let start = Instant::now();
    loop {
        let warm = taken < profile.warmup;
        let kept = taken.saturating_sub(profile.warmup);
        if !warm
            && (kept >= profile.samples
                || (kept >= profile.min_samples && start.elapsed() > profile.case_budget))
        {
            break;
        }
        match one(warm) {
            Ok(t) if warm => {
                let _ = t;
                rec.warmup += 1;
            }
            Ok(t) => {
                rec.samples.push(t.sample);
                values.push(t.value);
                for (name, value) in t.counters {
                    counters.entry(name).or_default().push(value);
                }
            }
            Err(stop) => {
                rec.status = stop.status;
                rec.reason = Some(stop.reason);
                rec.samples.clear();
                return Vec::new();
            }
        }
        taken += 1;
    }
    rec.summary = summarize(&values);
    let col = |f: fn(&Sample) -> f64| Some(median(&rec.samples.iter().map(f).collect::<Vec<_>>()));
    rec.cpu_s = col(|s| s.usage.cpu_s());
    rec.user_s = col(|s| s.usage.user_s);
    rec.sys_s = col(|s| s.usage.sys_s);
    rec.voluntary_cs = col(|s| s.usage.voluntary_cs as f64);
    rec.involuntary_cs = col(|s| s.usage.involuntary_cs as f64);
    rec.peak_rss_bytes = rec.samples.iter().map(|s| s.usage.max_rss_bytes).max();
    rec.counters = counters.into_iter().map(|(name, v)| (name, median(&v))).collect();
    values
}

/// A case record with identity filled and nothing measured yet.
pub(super) fn blank_record(
    scenario: &str,
    key: &str,
    group: &str,
    model: &str,
    workload: &str,
    params: &BTreeMap<String, String>,
) -> CaseRecord {
    CaseRecord {
        scenario: scenario.to_string(),
        case: key.to_string(),
        group: group.to_string(),
        model: model.to_string(),
        workload: workload.to_string(),
        params: params.clone(),
        workers: 0,
        tasks: 0,
        status: CaseStatus::Ok,
        reason: None,
        unit: "s".into(),
        summary: None,
        speedup: None,
        cpu_s: None,
        user_s: None,
        sys_s: None,
        voluntary_cs: None,
        involuntary_cs: None,
        peak_rss_bytes: None,
        checksum: None,
        counters: BTreeMap::new(),
        warmup: 0,
        samples: Vec::new(),
    }
}
