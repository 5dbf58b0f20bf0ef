//! Amdahl fits per comparison group and model: the serial fraction that explains how a model's
//! speedup grows with workers, with a bootstrap interval from the raw samples.

use super::{SEQUENTIAL, groups};
use crate::results::{CaseRecord, CaseStatus, RunRecord};
use crate::stats::{amdahl_fit, amdahl_serial_fraction};

/// Bootstrap resamples per fit.
const RESAMPLES: usize = 1000;

/// The fitted serial fraction of one model in one comparison group.
#[derive(Debug, Clone, PartialEq)]
pub struct SerialFraction {
    /// Scenario name.
    pub scenario: String,
    /// Comparison group key.
    pub group: String,
    /// The group's workload and parameters.
    pub title: String,
    /// Execution model.
    pub model: String,
    /// Serial fraction in `0..=1`.
    pub serial: f64,
    /// Its 95% bootstrap interval, when the cases carry their samples.
    pub interval: Option<(f64, f64)>,
    /// The `(workers, units)` points fitted; units are the workers capped at the usable CPUs,
    /// since no more can run at once.
    pub points: Vec<(usize, usize)>,
}

/// Fits Amdahl's law to every non-sequential model of every group that has a sequential
/// baseline and at least one `ok` case with two or more units. Groups in run order, models in
/// their order of first appearance.
///
/// Amdahl's `n` is the worker count capped at the machine's usable CPUs: four CPU-bound
/// threads on two CPUs are two at a time. Work that waits (IO) can then exceed the model's
/// ceiling, which fits a serial fraction of 0.
pub fn serial_fractions(run: &RunRecord) -> Vec<SerialFraction> {
    let cpus = run.machine.usable_cpus.max(1);
    let mut out = Vec::new();
    for (group, cases) in groups(run) {
        let ok = |c: &&&CaseRecord| c.status == CaseStatus::Ok;
        let Some(base) = cases.iter().filter(ok).find(|c| c.model == SEQUENTIAL) else {
            continue;
        };
        let base_walls: Vec<f64> = base.samples.iter().map(|s| s.wall_s).collect();
        let mut models: Vec<&str> = Vec::new();
        for c in cases.iter().filter(ok).filter(|c| c.model != SEQUENTIAL) {
            if !models.contains(&c.model.as_str()) {
                models.push(&c.model);
            }
        }
        for model in models {
            let members: Vec<&CaseRecord> = cases
                .iter()
                .copied()
                .filter(|c| c.model == model && c.status == CaseStatus::Ok)
                .filter(|c| c.speedup.is_some_and(|s| s.median.is_finite() && s.median > 0.0))
                .filter(|c| c.workers.min(cpus) >= 2)
                .collect();
            if members.is_empty() {
                continue;
            }
            let units = |c: &CaseRecord| c.workers.min(cpus) as f64;
            let walls: Vec<Vec<f64>> =
                members.iter().map(|c| c.samples.iter().map(|s| s.wall_s).collect()).collect();
            let with_samples = !base_walls.is_empty() && walls.iter().all(|w| !w.is_empty());
            let (serial, interval) = if with_samples {
                let cases: Vec<(f64, &[f64])> =
                    members.iter().zip(&walls).map(|(c, w)| (units(c), w.as_slice())).collect();
                match amdahl_fit(&base_walls, &cases, 0.95, RESAMPLES) {
                    Some(fit) => (fit.serial, Some((fit.ci_low, fit.ci_high))),
                    None => continue,
                }
            } else {
                let points: Vec<(f64, f64)> = members
                    .iter()
                    .filter_map(|c| c.speedup.map(|s| (units(c), s.median)))
                    .collect();
                match amdahl_serial_fraction(&points) {
                    Some(s) => (s, None),
                    None => continue,
                }
            };
            out.push(SerialFraction {
                scenario: base.scenario.clone(),
                group: group.to_string(),
                title: super::title_without(base, &[]),
                model: model.to_string(),
                serial,
                interval,
                points: members.iter().map(|c| (c.workers, c.workers.min(cpus))).collect(),
            });
        }
    }
    out
}
