//! The cases a validated scenario will expand to: refuses sweeps above
//! [`MAX_CASES`] and workloads whose case keys would collide.
//! Mirrors the key layout of `sweep::expand` without depending on the host's CPU count.

use std::collections::HashMap;

use super::limits::MAX_WORKERS;
use super::values::{Read, Reader};
use super::{Workers, WorkloadAxes};

/// Above this many cases a scenario is refused (a sweep that would run for days is a typo).
pub const MAX_CASES: usize = 10_000;

/// How many worker counts `"auto"` stands for when a sweep is sized (an upper bound).
pub(super) const AUTO_WORKER_COUNTS: usize = 12;

/// How many values an axis has and where it was written, for sizing errors.
pub(super) struct AxisAt {
    pub(super) key: &'static str,
    pub(super) len: usize,
    pub(super) offset: usize,
}

/// A validated workload plus what the sweep-size and collision checks need.
pub(super) struct Checked {
    pub(super) axes: WorkloadAxes,
    /// Byte offset of the `[[workload]]` table.
    pub(super) offset: usize,
    /// The axes that multiply this workload's case count, with their sizes.
    pub(super) sizes: Vec<AxisAt>,
}

/// Cases a workload expands to, counting `"auto"` as [`AUTO_WORKER_COUNTS`] counts.
fn case_count(axes: &WorkloadAxes) -> usize {
    let w = match &axes.workers {
        Workers::Auto => AUTO_WORKER_COUNTS,
        Workers::List(list) => list.len(),
    };
    let per_point: usize = axes
        .models
        .iter()
        .map(|m| if m.takes_workers() { w } else { 1 })
        .fold(0, usize::saturating_add);
    axes.variants
        .len()
        .saturating_mul(axes.tasks.len())
        .saturating_mul(axes.payload_bytes.len())
        .saturating_mul(per_point)
}

/// Refuses sweeps above [`MAX_CASES`], naming the longest axis of the biggest workload.
pub(super) fn check_size(rd: &Reader<'_>, checked: &[Checked]) -> Read<()> {
    let counts: Vec<usize> = checked.iter().map(|c| case_count(&c.axes)).collect();
    let total = counts.iter().copied().fold(0, usize::saturating_add);
    if total <= MAX_CASES {
        return Ok(());
    }
    let biggest =
        (0..checked.len()).max_by_key(|&i| (counts[i], std::cmp::Reverse(i))).unwrap_or(0);
    let Some(c) = checked.get(biggest) else { return Ok(()) };
    let mut longest: Option<&AxisAt> = None;
    for a in &c.sizes {
        if longest.is_none_or(|l| a.len > l.len) {
            longest = Some(a);
        }
    }
    let (key, offset) = longest.map_or(("workers", c.offset), |a| (a.key, a.offset));
    Err(rd.src.at(
        offset,
        Some(key),
        format!(
            "the scenario expands to {total} cases (counting \"auto\" as {AUTO_WORKER_COUNTS} \
             worker counts), more than the limit of {MAX_CASES}; shorten the sweep"
        ),
    ))
}

/// Refuses two workloads that would produce the same case key (their results would collide).
pub(super) fn check_collisions(rd: &Reader<'_>, checked: &[Checked]) -> Read<()> {
    // "auto" may become any power of two up to the worker limit.
    let auto: Vec<usize> =
        (0..).map(|p| 1usize << p).take_while(|&w| w as u64 <= MAX_WORKERS).collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (index, c) in checked.iter().enumerate() {
        let a = &c.axes;
        let workers = match &a.workers {
            Workers::Auto => auto.as_slice(),
            Workers::List(list) => list.as_slice(),
        };
        for (params, shown) in &a.variants {
            let tail: Vec<String> = shown.iter().map(|(k, v)| format!("{k}={v}")).collect();
            for tasks in &a.tasks {
                for payload in &a.payload_bytes {
                    for model in &a.models {
                        let counts = if model.takes_workers() { workers } else { &[1][..] };
                        for w in counts {
                            let key = format!(
                                "{}/{}/{}/tasks={tasks}/payload_bytes={payload}/workers={w}",
                                model.name(),
                                params.name(),
                                tail.join("/")
                            );
                            match seen.get(&key) {
                                Some(&first) if first != index => {
                                    let (line, _) = super::error::line_column(
                                        rd.src.text,
                                        checked.get(first).map_or(0, |f| f.offset),
                                    );
                                    return Err(rd.src.at(
                                        c.offset,
                                        Some("workload"),
                                        format!(
                                            "repeats cases of the [[workload]] at line {line} \
                                             (e.g. `{key}`); their results would collide"
                                        ),
                                    ));
                                }
                                Some(_) => {}
                                None => {
                                    seen.insert(key, index);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    Ok(())
}
