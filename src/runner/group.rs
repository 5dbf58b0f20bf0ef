//! One comparison group, sampled interleaved: every case of the group is set up first (units
//! started, untimed), then sampled round by round in a shuffled order — one sample of each
//! case per round — so a slow minute of the machine hits every model alike. Speedups against
//! the group's sequential baseline pair the samples of the same round.
//!
//! A workload case whose tasks run on two or more OS threads or processes starts each of its
//! samples with an untimed lead-in of its own tasks ([`work_case::VISIT_LEAD_IN`], in place
//! of warm-up samples), so the scheduler places its units by their own load, not by the cases
//! sampled while they waited.
//!
//! A probe case with a lead-in (a ping-pong whose ends the scheduler places) is not
//! interleaved: its placement would follow the idle time the other cases' samples leave it.
//! Each such case runs its lead-in and then all its samples back to back, before the rounds.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::Instant;

use super::probe_case::{self, ProbeUnit};
use super::sampling::{Collector, Stop};
use super::stopping;
use super::work_case::{self, WorkUnit};
use super::{Resources, RunConfig};
use crate::exec::{ExecEnv, Model};
use crate::probe::ProbeEnv;
use crate::results::{CaseRecord, CaseStatus, GroupSampling, Speedup, StopReason};
use crate::sweep::Planned;

enum Live {
    Work(WorkUnit),
    Probe(ProbeUnit),
}

struct Slot {
    rec: CaseRecord,
    live: Option<Live>,
    col: Collector,
    /// The group's sequential baseline.
    sequential: bool,
    /// A probe case (compared by its median, never by a speedup).
    probe: bool,
    /// Its comparison is known to the profile's half-width: it takes no more samples.
    settled: bool,
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
    /// Builds each workload case's executor.
    pub(super) build: &'a work_case::Build,
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
    // A workload case's lead-in, untimed but counted in what the case has used.
    let led = match slot.live.as_mut() {
        Some(Live::Work(unit)) => {
            let start = Instant::now();
            let led = unit.lead_in(config, slot.col.spent(), &mut shared.reference);
            slot.col.lead_in_took(start.elapsed());
            led
        }
        _ => Ok(()),
    };
    let spent = slot.col.spent();
    let start = Instant::now();
    let taken = match (led, slot.live.as_mut()) {
        (Err(stop), _) => Err(stop),
        (Ok(()), Some(Live::Work(unit))) => unit.sample(config, spent, &mut shared.reference),
        (Ok(()), Some(Live::Probe(unit))) => unit.sample(config, spent),
        (Ok(()), None) => return,
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

/// What a group's comparisons need: which slot is the sequential baseline (an ok one).
fn baseline_of(slots: &[Slot]) -> Option<usize> {
    slots.iter().position(|s| s.sequential && s.rec.status == CaseStatus::Ok)
}

/// Whether slot `i` is one of the group's comparisons: every case but the baseline, which
/// is one only where no other workload case is compared with it.
fn compared(slots: &[Slot], i: usize, baseline: Option<usize>) -> bool {
    Some(i) != baseline || !slots.iter().enumerate().any(|(j, s)| j != i && !s.probe)
}

/// How far slot `i`'s comparison is from known: its speedup against the baseline, or (a
/// probe, or a case without a baseline) its median.
fn reach(slots: &[Slot], i: usize, baseline: Option<usize>) -> f64 {
    let own = slots[i].col.values();
    match baseline {
        Some(b) if b != i && !slots[i].probe => stopping::speedup_reach(slots[b].col.values(), own),
        _ => stopping::median_reach(own),
    }
}

/// Measures the cases of one group, interleaved, until the profile's stopping rule ends it;
/// returns their records in plan order and how the sampling went.
pub(super) fn run_group(
    cases: &[&Planned],
    group_index: usize,
    shared: &mut Shared<'_>,
    on_event: &mut dyn FnMut(&super::Event),
) -> (Vec<CaseRecord>, GroupSampling) {
    let config = shared.config;
    let profile = &config.profile;
    let cancelled = || config.cancel.load(Ordering::Relaxed);
    let mut slots: Vec<Slot> = cases
        .iter()
        .map(|planned| {
            let (rec, live, sequential) = match planned {
                Planned::Work(case) => {
                    let (rec, unit) =
                        work_case::setup(case, config, shared.env, shared.res, shared.build);
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
                Some(Live::Work(unit)) if unit.leads_in() => Collector::led_each_visit(),
                _ => Collector::default(),
            };
            let probe = matches!(planned, Planned::Probe(_));
            Slot { rec, live, col, sequential, probe, settled: false }
        })
        .collect();
    let group_start = Instant::now();

    // Cases with a lead-in: each in one block, lead-in then samples, nothing else between;
    // each stops on its own median, within its share of the budget.
    let mut sustained_stop = None;
    for slot in slots.iter_mut().filter(|s| s.sustained()) {
        while slot.live.is_some() && !cancelled() {
            if !slot.col.warm(profile) {
                // The group's rule, applied to this one case and its own share of the budget.
                let (kept, timed) = (slot.col.kept(), slot.col.timed());
                let reach = stopping::median_reach(slot.col.values());
                slot.settled = stopping::settled(profile, kept, reach);
                let open = usize::from(!slot.settled);
                if let Some(why) =
                    stopping::verdict(profile, kept, timed, profile.case_budget, open)
                {
                    if why != StopReason::Converged {
                        sustained_stop = Some(why);
                    }
                    break;
                }
            }
            take_one(slot, shared);
        }
    }

    // The other cases: interleaved rounds until every comparison is settled or the group's
    // budget or round limit ends them. A settled case leaves the rounds; the baseline stays
    // while any case compared with it is still sampled.
    let interleaved: Vec<usize> = (0..slots.len()).filter(|&i| !slots[i].sustained()).collect();
    let budget = profile.case_budget * u32::try_from(interleaved.len()).unwrap_or(u32::MAX);
    let rounds_start = Instant::now();
    let sampled = |s: &Slot| s.live.is_some() && !s.col.stopped() && !s.settled;
    let mut round = 0usize;
    let mut stop = None;
    while stop.is_none() {
        let baseline = baseline_of(&slots);
        let open: Vec<usize> = interleaved
            .iter()
            .copied()
            .filter(|&i| sampled(&slots[i]) && compared(&slots, i, baseline))
            .collect();
        let mut active = open.clone();
        if let Some(b) = baseline.filter(|&b| !open.is_empty() && !active.contains(&b)) {
            active.push(b);
        }
        if active.is_empty() {
            break;
        }
        for k in round_order(active.len(), config.seed, group_index, round) {
            if cancelled() {
                break;
            }
            // A case whose lead-in stands in for its warm-up sits the warm-up rounds out,
            // so its samples pair with the others' round by round.
            if round < profile.warmup && slots[active[k]].col.leads_in_each_visit() {
                continue;
            }
            take_one(&mut slots[active[k]], shared);
        }
        round += 1;
        let by_rounds = round as f64 / profile.max_rounds.max(1) as f64;
        let by_time = rounds_start.elapsed().as_secs_f64() / budget.as_secs_f64().max(1e-9);
        on_event(&super::Event::RoundFinished { round, fraction: by_rounds.max(by_time).min(1.0) });
        if cancelled() {
            for slot in slots.iter_mut().filter(|s| s.rec.status == CaseStatus::Ok) {
                let why = Stop {
                    status: CaseStatus::Interrupted,
                    reason: "the run was interrupted before this case finished".into(),
                };
                slot.col.stop(&mut slot.rec, why);
            }
            stop = Some(StopReason::Interrupted);
            break;
        }
        // Settle what is known (a warm-up round keeps nothing, so settles nothing).
        let baseline = baseline_of(&slots);
        for &i in &open {
            if sampled(&slots[i]) && compared(&slots, i, baseline) {
                let kept = slots[i].col.kept();
                slots[i].settled = stopping::settled(profile, kept, reach(&slots, i, baseline));
            }
        }
        let kept = active.iter().map(|&i| slots[i].col.kept()).max().unwrap_or(0);
        let still_open = interleaved
            .iter()
            .filter(|&&i| sampled(&slots[i]) && compared(&slots, i, baseline))
            .count();
        stop = stopping::verdict(profile, kept, rounds_start.elapsed(), budget, still_open);
    }

    // How it went: the widest comparison and the cases not known to the half-width.
    let baseline = baseline_of(&slots);
    let mut widest: Option<f64> = None;
    let mut unsettled = Vec::new();
    for i in 0..slots.len() {
        if slots[i].rec.status != CaseStatus::Ok || !compared(&slots, i, baseline) {
            continue;
        }
        let r = reach(&slots, i, baseline);
        if r.is_finite() {
            widest = Some(widest.map_or(r, |w| w.max(r)));
        }
        if r.is_nan() || r > profile.half_width {
            unsettled.push(slots[i].rec.case.clone());
        }
    }
    let rounds = slots.iter().map(|s| s.col.kept()).max().unwrap_or(0);
    let stop = match stop {
        // Rounds that converged leave the reason to a block-sampled case that did not.
        Some(StopReason::Converged) | None => {
            sustained_stop.unwrap_or(if slots.iter().any(|s| s.rec.status == CaseStatus::Ok) {
                StopReason::Converged
            } else {
                StopReason::NothingToSample
            })
        }
        Some(other) => other,
    };
    let sampled = GroupSampling {
        group: slots.first().map(|s| s.rec.group.clone()).unwrap_or_default(),
        rounds,
        stop,
        widest,
        unsettled,
        seconds: group_start.elapsed().as_secs_f64(),
    };

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
    let mut probes = Vec::with_capacity(slots.len());
    for (slot, checksum) in slots.into_iter().zip(checksums) {
        let mut rec = slot.rec;
        values.push(slot.col.finish(&mut rec));
        if rec.status == CaseStatus::Ok {
            rec.checksum = checksum.map(|c| format!("{c:016x}"));
        }
        probes.push(slot.probe);
        records.push(rec);
    }
    // The baseline found for the sampling record: finishing a case never changes its status.
    if let Some(base) = baseline.map(|i| values[i].clone()) {
        for ((rec, walls), probe) in records.iter_mut().zip(&values).zip(probes) {
            if rec.status == CaseStatus::Ok && !probe {
                rec.speedup = Speedup::from_rounds(&base, walls);
            }
        }
    }
    (records, sampled)
}
