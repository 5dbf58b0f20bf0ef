//! The baseline gate for CI: a new run against a baseline run of the same cases. It fails on
//! a case that was ok in the baseline and is not ok now (failed, timed out, deadlocked,
//! interrupted, unsupported or missing), and on a case whose figure got significantly worse
//! by more than a threshold, "worse" read from the figure's unit
//! ([`crate::results::direction`]).

use serde::Serialize;

use super::{LabelledRun, align};
use crate::results::{CaseStatus, Direction, direction};

/// A case that got significantly worse than the baseline by more than the threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Regression {
    /// The case key.
    pub case: String,
    /// Unit of the figure.
    pub unit: String,
    /// Which way is better for the unit (`None`: a unit without a declared direction, which
    /// counts as worse when it moves either way).
    pub direction: Option<Direction>,
    /// Baseline median.
    pub old: f64,
    /// New median.
    pub new: f64,
    /// New median over the baseline's.
    pub ratio: f64,
    /// How much worse, as a fraction (0.12 = 12 % worse).
    pub worse_by: f64,
    /// The interval of new/old.
    pub ci: (f64, f64),
}

/// A case that was ok in the baseline and is not ok in the new run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lost {
    /// The case key.
    pub case: String,
    /// Its status in the new run as `run.json` writes it (`failed`, `timeout`, `deadlock`,
    /// `interrupted`, `unsupported`), or `missing` when the new run has no such case.
    pub status: String,
    /// Why, as the new run recorded it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What the gate found.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Gate {
    /// Cases ok in the baseline and not ok (or absent) now, in the baseline's order.
    pub failures: Vec<Lost>,
    /// Cases significantly worse by more than the threshold.
    pub regressions: Vec<Regression>,
}

impl Gate {
    /// Whether the new run passes: no failure and no regression.
    pub fn passed(&self) -> bool {
        self.failures.is_empty() && self.regressions.is_empty()
    }
}

/// Judges `new` against the baseline `old` with `threshold` (0.05 = 5 %).
pub fn gate(old: &LabelledRun, new: &LabelledRun, threshold: f64) -> Gate {
    Gate { failures: lost(old, new), regressions: regressions(old, new, threshold) }
}

/// Cases ok in `old` that are not ok in `new`, or not there at all.
pub fn lost(old: &LabelledRun, new: &LabelledRun) -> Vec<Lost> {
    old.run
        .cases
        .iter()
        .filter(|c| c.status == CaseStatus::Ok)
        .filter_map(|c| match new.run.cases.iter().find(|n| n.case == c.case) {
            None => Some(Lost { case: c.case.clone(), status: "missing".into(), reason: None }),
            Some(n) if n.status != CaseStatus::Ok => Some(Lost {
                case: c.case.clone(),
                status: status_name(n.status),
                reason: n.reason.clone(),
            }),
            Some(_) => None,
        })
        .collect()
}

/// A status as `run.json` spells it.
fn status_name(status: CaseStatus) -> String {
    match serde_json::to_value(status) {
        Ok(serde_json::Value::String(s)) => s,
        _ => format!("{status:?}").to_lowercase(),
    }
}

/// Cases of `new` significantly worse than in `old` by more than `threshold` (0.05 = 5 %),
/// each judged from its per-sample figures in the direction its unit declares.
pub fn regressions(old: &LabelledRun, new: &LabelledRun, threshold: f64) -> Vec<Regression> {
    let cmp = align(&[old.clone(), new.clone()]);
    cmp.cases
        .iter()
        .filter_map(|a| {
            let r = a.per_run.get(1)?.as_ref()?;
            let old_median = a.per_run.first()?.as_ref()?.median;
            let dir = direction(&a.unit);
            let higher = (r.ratio - 1.0, r.ci_low > 1.0 + threshold);
            let lower = (1.0 / r.ratio - 1.0, r.ci_high < 1.0 / (1.0 + threshold));
            let (worse_by, excludes) = match dir {
                Some(Direction::LowerIsBetter) => higher,
                Some(Direction::HigherIsBetter) => lower,
                // Undeclared: a move either way beyond the threshold counts.
                None if r.ratio >= 1.0 => higher,
                None => lower,
            };
            (r.significant && excludes && worse_by > threshold).then(|| Regression {
                case: a.case.clone(),
                unit: a.unit.clone(),
                direction: dir,
                old: old_median,
                new: r.median,
                ratio: r.ratio,
                worse_by,
                ci: (r.ci_low, r.ci_high),
            })
        })
        .collect()
}
