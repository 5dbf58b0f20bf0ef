//! One comparison group, sampled interleaved: every case of the group is set up first (units
//! started, untimed), then sampled round by round in a shuffled order — one sample of each
//! case per round — so a slow minute of the machine hits every model alike. Speedups against
//! the group's sequential baseline pair the samples of the same round.
//!
//! A probe case with a lead-in (a ping-pong whose ends the scheduler places) is not
//! interleaved: its placement would follow the idle time the other cases' samples leave it.
//! Each such case runs its lead-in and then all its samples back to back, before the rounds.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::Instant;

use super::probe_case::{self, ProbeUnit};
use super::sampling::{Collector, Stop};
use super::work_case::{self, WorkUnit};
use super::{Resources, RunConfig};
use crate::exec::{ExecEnv, Model};
use crate::probe::ProbeEnv;
use crate::results::{CaseRecord, CaseStatus, Speedup};
use crate::stats::{bootstrap_paired_ratio_ci, median};
use crate::sweep::Planned;

enum Live {
    Work(WorkUnit),
    Probe(ProbeUnit),
}

struct Slot {
    rec: CaseRecord,
    live: Option<Live>,
    col: Collector,
    sequential: bool,
}

/// What the cases of a run share.
pub(super) struct Shared<'a> {
    pub(super) config: &'a RunConfig,
    pub(super) env: &'a ExecEnv,
    pub(super) probe_env: &'a ProbeEnv,
    pub(super) res: &'a mut Resources,
    /// Per group: the checksum every batch must match.
    pub(super) reference: HashMap<String, u64>,
    /// When the run started: samples are stamped with their start relative to it.
    pub(super) run_start: Instant,
}

/// The order in which one round visits `n` cases, from the run's seed, the group's position
/// and the round: reproducible, and different from round to round.
pub(crate) fn round_order(n: usize, seed: u64, group: usize, round: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = fastrand::Rng::with_seed(
        seed ^ (group as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (round as u64).rotate_left(32),
    );
    rng.shuffle(&mut order);
    order
}

impl Slot {
    /// Whether the case runs its samples back to back after a lead-in.
    fn sustained(&self) -> bool {
        matches!(&self.live, Some(Live::Probe(unit)) if unit.lead_in.is_some())
    }
}

/// Takes one sample of a slot's case and files it; a failed sample stops the case.
fn take_one(slot: &mut Slot, shared: &mut Shared<'_>) {
    let config = shared.config;
    let spent = slot.col.spent();
    let start = Instant::now();
    let taken = match slot.live.as_mut() {
        Some(Live::Work(unit)) => unit.sample(config, spent, &mut shared.reference),
        Some(Live::Probe(unit)) => unit.sample(config, spent),
        None => return,
    };
    match taken {
        Ok(mut t) => {
            t.sample.at_s = Some(start.duration_since(shared.run_start).as_secs_f64());
            slot.col.push(&mut slot.rec, &config.profile, t, start.elapsed());
        }
        Err(stop) => {
            slot.col.stop(&mut slot.rec, stop);
            // Drop the units now: a broken executor kills and reaps its workers.
            slot.live = None;
        }
    }
}

/// Measures the cases of one group, interleaved; returns their records in plan order.
pub(super) fn run_group(
    cases: &[&Planned],
    group_index: usize,
    shared: &mut Shared<'_>,
) -> Vec<CaseRecord> {
    let config = shared.config;
    let profile = &config.profile;
    let mut slots: Vec<Slot> = cases
        .iter()
        .map(|planned| {
            let (rec, live, sequential) = match planned {
                Planned::Work(case) => {
                    let (rec, unit) = work_case::setup(case, config, shared.env, shared.res);
                    (rec, unit.map(Live::Work), case.model == Model::Sequential)
                }
                Planned::Probe(case) => {
                    let (rec, unit) = probe_case::setup(case, config, shared.probe_env);
                    (rec, unit.map(Live::Probe), false)
                }
            };
            let col = match &live {
                Some(Live::Probe(unit)) => {
                    Collector::with_lead_in(unit.lead_in.unwrap_or_default())
                }
                _ => Collector::default(),
            };
            Slot { rec, live, col, sequential }
        })
        .collect();

    // Cases with a lead-in: each in one block, lead-in then samples, nothing else between.
    for slot in slots.iter_mut().filter(|s| s.sustained()) {
        while slot.live.is_some()
            && slot.col.wants_more(profile)
            && !config.cancel.load(Ordering::Relaxed)
        {
            take_one(slot, shared);
        }
    }

    let mut round = 0usize;
    loop {
        let active: Vec<usize> = (0..slots.len())
            .filter(|&i| {
                slots[i].live.is_some() && !slots[i].sustained() && slots[i].col.wants_more(profile)
            })
            .collect();
        if active.is_empty() {
            break;
        }
        for k in round_order(active.len(), config.seed, group_index, round) {
            if config.cancel.load(Ordering::Relaxed) {
                break;
            }
            take_one(&mut slots[active[k]], shared);
        }
        if config.cancel.load(Ordering::Relaxed) {
            for slot in slots.iter_mut().filter(|s| s.rec.status == CaseStatus::Ok) {
                let stop = Stop {
                    status: CaseStatus::Interrupted,
                    reason: "the run was interrupted before this case finished".into(),
                };
                slot.col.stop(&mut slot.rec, stop);
            }
            break;
        }
        round += 1;
    }

    // Stop every unit before any summary is computed.
    let checksums: Vec<Option<u64>> = slots
        .iter_mut()
        .map(|s| match s.live.take() {
            Some(Live::Work(unit)) => unit.checksum,
            _ => None,
        })
        .collect();
    let mut values: Vec<Vec<f64>> = Vec::with_capacity(slots.len());
    let mut records: Vec<CaseRecord> = Vec::with_capacity(slots.len());
    for (slot, checksum) in slots.into_iter().zip(checksums) {
        let mut rec = slot.rec;
        values.push(slot.col.finish(&mut rec));
        if rec.status == CaseStatus::Ok {
            rec.checksum = checksum.map(|c| format!("{c:016x}"));
        }
        records.push((rec, slot.sequential).0);
    }
    let baseline = cases
        .iter()
        .zip(&records)
        .position(|(p, r)| {
            matches!(p, Planned::Work(c) if c.model == Model::Sequential)
                && r.status == CaseStatus::Ok
        })
        .map(|i| values[i].clone());
    if let Some(base) = baseline {
        for (rec, walls) in records.iter_mut().zip(&values) {
            if rec.status != CaseStatus::Ok || rec.workload.starts_with("probe:") {
                continue;
            }
            let (lo, hi) = bootstrap_paired_ratio_ci(&base, walls, 0.95, 2000, median);
            rec.speedup = Some(Speedup::paired(median(&base) / median(walls), lo, hi));
        }
    }
    records
}
