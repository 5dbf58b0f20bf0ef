//! How long a planned case should take under a profile, before anything runs: what
//! `gilbench list --cases` shows. Known only for workloads whose task time the scenario
//! states (`cpu` by duration, `io-sleep`, `io-net`'s delay, `mixed`); probes, `io-file`,
//! `command` and iteration-sized `cpu` tasks have no stated time.

use std::time::Duration;

use super::Profile;
use crate::exec::Model;
use crate::scenario::{CpuSize, WorkloadParams};
use crate::sweep::Planned;

/// Expected wall time of one batch (one sample) of `case` on `usable_cpus` CPUs: the tasks'
/// sleeps overlap across the units, their CPU work across at most one unit per CPU (one in
/// all under `gil` and `async:current`). `None` when the scenario states no task time.
pub fn batch_time(case: &Planned, usable_cpus: usize) -> Option<Duration> {
    let Planned::Work(case) = case else { return None };
    let (cpu, sleep) = match case.workload {
        WorkloadParams::Cpu { size: CpuSize::Duration(d), .. } => (d, Duration::ZERO),
        WorkloadParams::IoSleep { sleep } => (Duration::ZERO, sleep),
        WorkloadParams::IoNet { delay, .. } => (Duration::ZERO, delay),
        WorkloadParams::Mixed { task_duration, cpu_fraction, .. } => {
            let cpu = task_duration.mul_f64(cpu_fraction);
            (cpu, task_duration.saturating_sub(cpu))
        }
        _ => return None,
    };
    let units = if case.model.takes_workers() { case.workers.max(1) } else { 1 };
    let cpu_parallel = match case.model {
        Model::Sequential | Model::Gil | Model::AsyncCurrent => 1,
        _ => units.min(usable_cpus.max(1)),
    };
    let tasks = case.tasks as u32;
    let rounds = case.tasks.div_ceil(units) as u32;
    Some(((cpu + sleep) * rounds).max(cpu * tasks / cpu_parallel as u32))
}

/// Longest expected time of `case` under `profile`: its warm-up batches, then timed batches
/// until the round limit or its share of the group's budget once the minimum is in, as the
/// runner samples a group that never converges (a steady one stops at the minimum). `None`
/// when the batch time is unknown (see [`batch_time`]).
pub fn estimate(case: &Planned, profile: &Profile, usable_cpus: usize) -> Option<Duration> {
    let batch = batch_time(case, usable_cpus)?;
    let (mut kept, mut spent) = (0, Duration::ZERO);
    loop {
        let enough = kept >= profile.max_rounds
            || (kept >= profile.min_rounds && spent >= profile.case_budget);
        if enough {
            return Some(spent + batch * profile.warmup as u32);
        }
        spent += batch;
        kept += 1;
    }
}
