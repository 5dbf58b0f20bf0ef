//! How long a planned case should take under a profile, before anything runs: what
//! `gilbench list --cases` shows. Known only for workloads whose task time the scenario
//! states (`cpu` by duration, `io-sleep`, `io-net`'s delay, `mixed`); probes, `io-file`,
//! `command` and iteration-sized `cpu` tasks have no stated time.

use std::time::Duration;

use super::Profile;
use super::work_case::{self, VISIT_LEAD_IN};
use crate::exec::Model;
use crate::scenario::{CpuSize, WorkloadParams};
use crate::sweep::Planned;

/// Expected wall time of one batch (one sample) of `case` on `usable_cpus` CPUs: the tasks'
/// sleeps overlap across the units, their CPU work across at most one unit per CPU (one in
/// all under `sequential` and `async:current`); under `gil` only the share done with the lock
/// released (`released_fraction`) overlaps, the rest is serial. `None` when the scenario
/// states no task time.
pub fn batch_time(case: &Planned, usable_cpus: usize) -> Option<Duration> {
    let Planned::Work(case) = case else { return None };
    let (cpu, sleep, released) = match case.workload {
        WorkloadParams::Cpu { size: CpuSize::Duration(d), released_fraction } => {
            (d, Duration::ZERO, released_fraction)
        }
        WorkloadParams::IoSleep { sleep } => (Duration::ZERO, sleep, 0.0),
        WorkloadParams::IoNet { delay, .. } => (Duration::ZERO, delay, 0.0),
        WorkloadParams::Mixed { task_duration, cpu_fraction, released_fraction } => {
            let cpu = task_duration.mul_f64(cpu_fraction);
            (cpu, task_duration.saturating_sub(cpu), released_fraction)
        }
        _ => return None,
    };
    let units = if case.model.takes_workers() { case.workers.max(1) } else { 1 };
    let cpu_parallel = case.model.os_units(units).min(usable_cpus.max(1));
    let held = match case.model {
        Model::Sequential | Model::AsyncCurrent => cpu,
        Model::Gil => cpu.mul_f64(1.0 - released),
        _ => Duration::ZERO,
    };
    let tasks = case.tasks as u32;
    let rounds = case.tasks.div_ceil(units) as u32;
    Some(((cpu + sleep) * rounds).max(cpu * tasks / cpu_parallel as u32).max(held * tasks))
}

/// Longest expected time of `case` under `profile`: its warm-up batches, then timed batches
/// until the round limit or its share of the group's budget once the minimum is in, as the
/// runner samples a group that never converges (a steady one stops at the minimum). A case on
/// two or more OS units takes no warm-up batches and starts each sample with
/// [`VISIT_LEAD_IN`] of untimed work, which the budget counts. `None` when the batch time is
/// unknown (see [`batch_time`]).
pub fn estimate(case: &Planned, profile: &Profile, usable_cpus: usize) -> Option<Duration> {
    let batch = batch_time(case, usable_cpus)?;
    let spread = matches!(case, Planned::Work(c) if work_case::leads_in(c));
    let (visit, warmup) =
        if spread { (batch + VISIT_LEAD_IN, 0) } else { (batch, profile.warmup as u32) };
    let (mut kept, mut spent) = (0, Duration::ZERO);
    loop {
        let enough = kept >= profile.max_rounds
            || (kept >= profile.min_rounds && spent >= profile.case_budget);
        if enough {
            return Some(spent + visit * warmup);
        }
        spent += visit;
        kept += 1;
    }
}
