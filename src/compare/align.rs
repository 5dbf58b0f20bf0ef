//! Case alignment and ratios between runs.

use std::collections::BTreeMap;

use serde::Serialize;

use super::LabelledRun;
use crate::results::{CaseRecord, CaseStatus};
use crate::stats::{bootstrap_ratio_ci, median};

/// One case's figure in one run compared with the reference run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseRatio {
    /// This run's median of the case's primary figure.
    pub median: f64,
    /// This median over the reference run's.
    pub ratio: f64,
    /// 95 % interval of the ratio: a bootstrap over the two cases' per-sample figures (for a
    /// probe case from a run that did not record them, from the two summaries' intervals).
    pub ci_low: f64,
    /// Upper bound.
    pub ci_high: f64,
    /// Whether the interval excludes 1.
    pub significant: bool,
}

/// One case key and its figure in every run (None where the run lacks it or it failed).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Aligned {
    /// The case key.
    pub case: String,
    /// Comparison group.
    pub group: String,
    /// Model or probe variant.
    pub model: String,
    /// Workload or `probe:<kind>`.
    pub workload: String,
    /// Units.
    pub workers: usize,
    /// Unit of the primary figure.
    pub unit: String,
    /// Per run, in run order; the reference (first) run's ratio is 1.
    pub per_run: Vec<Option<CaseRatio>>,
}

/// Every case key found in at least two runs, in the reference run's order then the others'.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Run labels, in order.
    pub labels: Vec<String>,
    /// The aligned cases.
    pub cases: Vec<Aligned>,
}

/// The case's own figure per sample: each sample's `value`; for a workload case written
/// before samples carried it, its wall time (which is the figure). Empty for an older probe
/// case, whose wall time is only its sampling window.
fn values(c: &CaseRecord) -> Vec<f64> {
    if !c.samples.is_empty() && c.samples.iter().all(|s| s.value.is_some()) {
        c.samples.iter().filter_map(|s| s.value).collect()
    } else if c.unit == "s" && !c.is_probe() {
        c.samples.iter().map(|s| s.wall_s).collect()
    } else {
        Vec::new()
    }
}

fn ratio(reference: &CaseRecord, other: &CaseRecord) -> Option<CaseRatio> {
    let (r, o) = (reference.summary?, other.summary?);
    if r.median <= 0.0 || !r.median.is_finite() || !o.median.is_finite() {
        return None;
    }
    let (rv, ov) = (values(reference), values(other));
    let (lo, hi) = if !rv.is_empty() && !ov.is_empty() {
        bootstrap_ratio_ci(&ov, &rv, 0.95, 2000, median)
    } else if r.ci_low > 0.0 {
        // Conservative: the ratio of the intervals' far ends.
        (o.ci_low / r.ci_high, o.ci_high / r.ci_low)
    } else {
        (f64::NAN, f64::NAN)
    };
    Some(CaseRatio {
        median: o.median,
        ratio: o.median / r.median,
        ci_low: lo,
        ci_high: hi,
        significant: lo.is_finite() && hi.is_finite() && (lo > 1.0 || hi < 1.0),
    })
}

/// Lines up the cases of `runs` by key; the first run is the reference.
pub fn align(runs: &[LabelledRun]) -> Comparison {
    let mut order: Vec<&str> = Vec::new();
    let mut by_run: Vec<BTreeMap<&str, &CaseRecord>> = Vec::new();
    for r in runs {
        let mut map = BTreeMap::new();
        for c in &r.run.cases {
            if !order.contains(&c.case.as_str()) {
                order.push(&c.case);
            }
            map.insert(c.case.as_str(), c);
        }
        by_run.push(map);
    }
    let mut cases = Vec::new();
    for key in order {
        let present: Vec<Option<&CaseRecord>> = by_run
            .iter()
            .map(|m| m.get(key).copied().filter(|c| c.status == CaseStatus::Ok))
            .collect();
        if present.iter().filter(|c| c.is_some()).count() < 2 {
            continue;
        }
        let Some(first) = by_run.iter().find_map(|m| m.get(key).copied()) else { continue };
        let reference = present[0];
        let per_run = present
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let c = (*c)?;
                match (i, reference) {
                    (0, _) => c.summary.map(|s| CaseRatio {
                        median: s.median,
                        ratio: 1.0,
                        ci_low: 1.0,
                        ci_high: 1.0,
                        significant: false,
                    }),
                    (_, Some(r)) => ratio(r, c),
                    (_, None) => c.summary.map(|s| CaseRatio {
                        median: s.median,
                        ratio: f64::NAN,
                        ci_low: f64::NAN,
                        ci_high: f64::NAN,
                        significant: false,
                    }),
                }
            })
            .collect();
        cases.push(Aligned {
            case: key.to_string(),
            group: first.group.clone(),
            model: first.model.clone(),
            workload: first.workload.clone(),
            workers: first.workers,
            unit: first.unit.clone(),
            per_run,
        });
    }
    Comparison { labels: runs.iter().map(|r| r.label.clone()).collect(), cases }
}
