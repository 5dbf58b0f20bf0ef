//! The noise section: the drift sentinel's readings across the run, the comparison groups
//! measured while it moved more than 10 % or while other processes kept the machine busy, and
//! the cases whose samples fell in two clusters.

use maud::{Markup, html};

use super::format;
use crate::results::{CaseRecord, CaseStatus, RunRecord};
use crate::stats::{Clusters, median, two_clusters};

/// At most this many two-cluster cases are listed; run.json has every sample.
const CLUSTER_ROWS: usize = 40;

/// Workload cases whose wall times fall in two clusters.
fn clustered(run: &RunRecord) -> Vec<(&str, Clusters)> {
    run.cases
        .iter()
        .filter(|c| c.status == CaseStatus::Ok && !c.is_probe())
        .filter_map(|c| {
            let walls: Vec<f64> = c.samples.iter().map(|s| s.wall_s).collect();
            two_clusters(&walls).map(|k| (c.case.as_str(), k))
        })
        .collect()
}

/// The sentinel's two figures as relative amounts (0.1 = 10 %): its CPU kernel and its pipe
/// round trip on one CPU.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SentinelFigures {
    /// The CPU kernel.
    pub cpu: f64,
    /// The pipe round trip.
    pub pipe: f64,
}

/// The least movement of the CPU kernel that flags a group: it is steady to a few percent.
pub(crate) const CPU_FLOOR: f64 = 0.10;
/// The least movement of the pipe round trip that flags a group: on a virtual machine a
/// hand-off on one CPU moves by up to a fifth between readings when the host preempts the
/// vCPU, with nothing on the machine itself changed.
pub(crate) const PIPE_FLOOR: f64 = 0.25;
/// How many times its own spread a sentinel figure must move to flag a group.
const SPREAD_TIMES: f64 = 3.0;

/// The sentinel's own spread over its readings at the start, per figure: (max - min) /
/// median; `None` with fewer than two start readings (older runs).
pub fn sentinel_spread(run: &RunRecord) -> Option<SentinelFigures> {
    let start: Vec<_> =
        run.sentinel.iter().filter(|p| p.at == "start").map(|p| p.reading).collect();
    if start.len() < 2 {
        return None;
    }
    let rel = |xs: Vec<f64>| {
        let (lo, hi) =
            xs.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &x| (l.min(x), h.max(x)));
        let m = median(&xs);
        if m > 0.0 { (hi - lo) / m } else { 0.0 }
    };
    Some(SentinelFigures {
        cpu: rel(start.iter().map(|r| r.cpu_s).collect()),
        pipe: rel(start.iter().map(|r| r.pipe_rtt_s).collect()),
    })
}

/// The movement of each figure above which a group is flagged: three times the sentinel's
/// own spread, at least [`CPU_FLOOR`] and [`PIPE_FLOOR`].
pub fn drift_threshold(run: &RunRecord) -> SentinelFigures {
    let s = sentinel_spread(run).unwrap_or(SentinelFigures { cpu: 0.0, pipe: 0.0 });
    SentinelFigures {
        cpu: (SPREAD_TIMES * s.cpu).max(CPU_FLOOR),
        pipe: (SPREAD_TIMES * s.pipe).max(PIPE_FLOOR),
    }
}

/// How far each sentinel figure moved across `group`, from its readings before and after it
/// (`None` for runs that recorded no reading after their groups).
fn group_movement(run: &RunRecord, group: &str) -> Option<SentinelFigures> {
    let reading = |at: String| run.sentinel.iter().find(|p| p.at == at).map(|p| p.reading);
    let before = reading(format!("before {group}"))?;
    let after = reading(format!("after {group}"))?;
    let (cpu, pipe) = after.changes_from(&before);
    Some(SentinelFigures { cpu, pipe })
}

/// CPUs' worth of other processes before a group (the machine's busy time less gilbench's)
/// above which the group is flagged.
pub(crate) const LOAD_FLAG: f64 = 0.5;
/// CPUs' worth of other processes' own CPU time while a group ran above which it is flagged:
/// a busy program that shares a CPU with the group's pinned units gets only part of that CPU.
pub(crate) const BUSY_FLAG: f64 = 0.25;

/// The section, or nothing for a run without sentinel readings (older files) and without
/// two-cluster cases.
pub(super) fn noise_section(run: &RunRecord) -> Markup {
    let clusters = clustered(run);
    if run.sentinel.is_empty() && clusters.is_empty() {
        return html! {};
    }
    html! {
        details.card #noise {
            summary {
                "Noise: " (flagged_groups(run).len()) " comparison groups flagged, "
                (clusters.len()) " cases in two clusters"
            }
            @if !run.sentinel.is_empty() { (sentinel_part(run)) }
            (clusters_part(&clusters))
        }
    }
}

/// Two-cluster cases, a table (nothing when there are none).
fn clusters_part(clusters: &[(&str, Clusters)]) -> Markup {
    html! {
        @if !clusters.is_empty() {
            p {
                (clusters.len()) " cases took their samples in two clusters rather than one "
                "spread, so their median stands for one of two behaviours (often some "
                "samples had two workers sharing a CPU and others did not):"
            }
            details {
            summary { (clusters.len()) " two-cluster cases" }
            table.sortable {
                thead { tr { th { "case" } th { "fast cluster" } th { "slow cluster" } } }
                tbody {
                    @for (case, k) in clusters.iter().take(CLUSTER_ROWS) {
                        tr {
                            td { code { (case) } }
                            td { (format::duration(k.low)) " × " (k.low_n) }
                            td { (format::duration(k.high)) " × " (k.high_n) }
                        }
                    }
                }
            }
            @if clusters.len() > CLUSTER_ROWS {
                p { "… and " (clusters.len() - CLUSTER_ROWS) " more; every sample is in run.json and samples.csv." }
            }
            }
        }
    }
}

/// The first case of every group measured on a moving machine (the sentinel moved more than
/// [`drift_threshold`] across it; the recorded `drift` over 10 % for runs without readings after
/// their groups) or a busy one (other processes kept more than
/// [`LOAD_FLAG`] CPUs busy before it, or used more than [`BUSY_FLAG`] while it ran).
pub fn flagged_groups(run: &RunRecord) -> Vec<&CaseRecord> {
    let threshold = drift_threshold(run);
    let mut seen = std::collections::HashSet::new();
    run.cases
        .iter()
        .filter(|c| seen.insert(c.group.as_str()))
        .filter(|c| {
            let drifted = match group_movement(run, &c.group) {
                Some(m) => m.cpu > threshold.cpu || m.pipe > threshold.pipe,
                None => c.drift.is_some_and(|d| d > CPU_FLOOR),
            };
            let busy = c.load_others.is_some_and(|l| l > LOAD_FLAG)
                || c.busy_others.is_some_and(|l| l > BUSY_FLAG);
            drifted || busy
        })
        .collect()
}

/// The drift sentinel's readings, the run's own memory, the machine's noisy settings and the
/// groups measured on a moving or busy machine.
fn sentinel_part(run: &RunRecord) -> Markup {
    let cpu: Vec<f64> = run.sentinel.iter().map(|p| p.reading.cpu_s * 1e3).collect();
    let pipe: Vec<f64> = run.sentinel.iter().map(|p| p.reading.pipe_rtt_s * 1e6).collect();
    let range = |xs: &[f64]| {
        let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lo, median(xs), hi)
    };
    let (c_lo, c_med, c_hi) = range(&cpu);
    let (p_lo, p_med, p_hi) = range(&pipe);
    // One row per group: the first case of each carries the group's load and drift.
    let threshold = drift_threshold(run);
    let spread = sentinel_spread(run);
    let flagged = flagged_groups(run);
    html! {
            p {
                "Drift sentinel (" (run.sentinel.len()) " readings: at the start, before each comparison group, at the end): "
                "CPU kernel " (format!("{c_med:.3}")) " ms (" (format!("{c_lo:.3}")) "–" (format!("{c_hi:.3}")) "), "
                "pipe round trip " (format!("{p_med:.1}")) " µs (" (format!("{p_lo:.1}")) "–" (format!("{p_hi:.1}")) "). "
                "Cases of a group are sampled interleaved, in a shuffled order each round (seed " (run.seed) "), "
                "so drift within a group hits every model alike."
                @if let Some(s) = spread {
                    " Its own spread over " (run.sentinel.iter().filter(|p| p.at == "start").count())
                    " readings at the start: CPU kernel " (format!("{:.1} %", s.cpu * 100.0))
                    ", pipe round trip " (format!("{:.1} %", s.pipe * 100.0))
                    ". A group is flagged when across it the kernel moved more than "
                    (format!("{:.0} %", threshold.cpu * 100.0)) " or the round trip more than "
                    (format!("{:.0} %", threshold.pipe * 100.0))
                    " (three times that spread, at least 10 % and 25 %: a round trip on one CPU of a virtual machine moves by up to a fifth on its own), "
                    "or when other processes kept more than half a CPU busy before it or used more than a quarter of one while it ran."
                }
            }
            @let rss: Vec<u64> = run.sentinel.iter().filter_map(|p| p.rss_bytes).collect();
            @if let (Some(first), Some(last), Some(max)) = (rss.first(), rss.last(), rss.iter().max()) {
                p {
                    "gilbench's own memory: " (format::bytes(*first)) " at the start, "
                    (format::bytes(*last)) " at the end, at most " (format::bytes(*max)) "."
                }
            }
            @let warnings = run.machine.noise_warnings();
            @if !warnings.is_empty() {
                p { "Settings of this machine that add noise:" }
                ul { @for w in &warnings { li { (w) } } }
            }
            @if flagged.is_empty() {
                p { "No comparison group was measured while the sentinel moved (kernel more than "
                    (format!("{:.0} %", threshold.cpu * 100.0)) ", round trip more than "
                    (format!("{:.0} %", threshold.pipe * 100.0))
                    ") or other processes were busy (more than half a CPU before it, a quarter of one while it ran)." }
            } @else {
                details #flagged {
                summary.banner.warn { (flagged.len()) " comparison groups were measured on a moving or busy machine; treat their differences with care (click for the list)" }
                table.sortable {
                    thead { tr { th { "group" } th { "sentinel moved" } th { "other processes before (CPUs)" } th { "other processes during (CPUs)" } } }
                    tbody {
                        @for c in &flagged {
                            tr {
                                td { code { (c.group) } }
                                td { (match group_movement(run, &c.group) {
                                    Some(m) => format!("kernel {:.0} %, round trip {:.0} %", m.cpu * 100.0, m.pipe * 100.0),
                                    None => c.drift.map_or("–".to_string(), |d| format!("{:.0} %", d * 100.0)),
                                }) }
                                td { (c.load_others.map_or("–".to_string(), |l| format!("{l:.2}"))) }
                                td { (c.busy_others.map_or("–".to_string(), |l| format!("{l:.2}"))) }
                            }
                        }
                    }
                }
                }
            }
    }
}
