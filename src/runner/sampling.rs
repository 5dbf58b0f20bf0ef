//! Per-case sample collection, shared by workload and probe cases: warm-up samples dropped,
//! timed samples kept (how many the group's stopping rule decides), then the summary of what
//! was kept written into the case record.

use std::collections::BTreeMap;
use std::time::Duration;

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

/// What one case has collected so far.
#[derive(Debug, Default)]
pub(super) struct Collector {
    taken: usize,
    kept: usize,
    spent: Duration,
    /// Time the kept samples took.
    timed: Duration,
    /// Untimed lead-in still to run before the first kept sample (beyond the profile's
    /// warm-up count).
    lead_in: Duration,
    /// Takes no warm-up samples: a lead-in before each sample stands in for them.
    led_each_visit: bool,
    values: Vec<f64>,
    counters: BTreeMap<String, Vec<f64>>,
    stopped: bool,
}

impl Collector {
    /// A collector whose case first runs `lead_in` of warm-up samples (at least the
    /// profile's count).
    pub(super) fn with_lead_in(lead_in: Duration) -> Collector {
        Collector { lead_in, ..Collector::default() }
    }

    /// A collector whose case runs a lead-in of its own before every sample (see
    /// [`super::VISIT_LEAD_IN`]), which stands in for the profile's warm-up samples.
    pub(super) fn led_each_visit() -> Collector {
        Collector { led_each_visit: true, ..Collector::default() }
    }

    /// Whether a lead-in before each sample stands in for the warm-up samples.
    pub(super) fn leads_in_each_visit(&self) -> bool {
        self.led_each_visit
    }

    /// Whether the next sample is a warm-up sample.
    pub(super) fn warm(&self, profile: &Profile) -> bool {
        (!self.led_each_visit && self.taken < profile.warmup) || self.spent < self.lead_in
    }

    /// Time this case's own samples have taken so far.
    pub(super) fn spent(&self) -> Duration {
        self.spent
    }

    /// Time the kept samples have taken so far.
    pub(super) fn timed(&self) -> Duration {
        self.timed
    }

    /// Timed samples kept so far.
    pub(super) fn kept(&self) -> usize {
        self.kept
    }

    /// The primary figures kept so far.
    pub(super) fn values(&self) -> &[f64] {
        &self.values
    }

    /// Whether the case was stopped (failed, timed out, interrupted).
    pub(super) fn stopped(&self) -> bool {
        self.stopped
    }

    /// Counts untimed work run before a sample (a visit's lead-in) in the time the case has
    /// used of its timeout.
    pub(super) fn lead_in_took(&mut self, took: Duration) {
        self.spent += took;
    }

    /// Files one sample (dropped if it was a warm-up sample).
    pub(super) fn push(
        &mut self,
        rec: &mut CaseRecord,
        profile: &Profile,
        t: Taken,
        took: Duration,
    ) {
        let warm = self.warm(profile);
        self.spent += took;
        if warm {
            rec.warmup += 1;
        } else {
            self.kept += 1;
            self.timed += took;
            rec.samples.push(Sample { value: Some(t.value), ..t.sample });
            self.values.push(t.value);
            for (name, value) in t.counters {
                self.counters.entry(name).or_default().push(value);
            }
        }
        self.taken += 1;
    }

    /// Ends the case early with `stop`; what it had collected is dropped.
    pub(super) fn stop(&mut self, rec: &mut CaseRecord, stop: Stop) {
        self.stopped = true;
        rec.status = stop.status;
        rec.reason = Some(stop.reason);
        rec.samples.clear();
        self.values.clear();
    }

    /// Writes the summary, CPU, context-switch and counter medians into `rec`; returns the
    /// primary figures kept (empty when the case did not finish).
    pub(super) fn finish(self, rec: &mut CaseRecord) -> Vec<f64> {
        if rec.status != CaseStatus::Ok {
            return Vec::new();
        }
        rec.summary = summarize(&self.values);
        let col =
            |f: fn(&Sample) -> f64| Some(median(&rec.samples.iter().map(f).collect::<Vec<_>>()));
        rec.cpu_s = col(|s| s.usage.cpu_s());
        rec.user_s = col(|s| s.usage.user_s);
        rec.sys_s = col(|s| s.usage.sys_s);
        rec.voluntary_cs = col(|s| s.usage.voluntary_cs as f64);
        rec.involuntary_cs = col(|s| s.usage.involuntary_cs as f64);
        rec.peak_rss_bytes = rec.samples.iter().filter_map(|s| s.peak_rss_bytes).max();
        rec.worker_peak_rss_bytes =
            rec.samples.iter().filter_map(|s| s.worker_peak_rss_bytes).max();
        rec.counters = self.counters.into_iter().map(|(name, v)| (name, median(&v))).collect();
        self.values
    }
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
        unit: "s".into(),
        ..CaseRecord::default()
    }
}
