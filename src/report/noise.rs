//! The noise section: the drift sentinel's readings across the run, the comparison groups
//! measured while it moved more than 10 % or while other processes kept the machine busy, and
//! the cases whose samples fell in two clusters.

use maud::{Markup, html};

use super::format;
use crate::results::{CaseStatus, RunRecord};
use crate::stats::{Clusters, median, two_clusters};

/// At most this many two-cluster cases are listed; run.json has every sample.
const CLUSTER_ROWS: usize = 40;

/// Workload cases whose wall times fall in two clusters.
fn clustered(run: &RunRecord) -> Vec<(&str, Clusters)> {
    run.cases
        .iter()
        .filter(|c| c.status == CaseStatus::Ok && !c.workload.starts_with("probe:"))
        .filter_map(|c| {
            let walls: Vec<f64> = c.samples.iter().map(|s| s.wall_s).collect();
            two_clusters(&walls).map(|k| (c.case.as_str(), k))
        })
        .collect()
}

/// Sentinel movement above which a group's comparisons are flagged.
pub(crate) const DRIFT_FLAG: f64 = 0.10;
/// CPUs' worth of other processes above which a group is flagged.
pub(crate) const LOAD_FLAG: f64 = 0.5;

/// The section, or nothing for a run without sentinel readings (older files) and without
/// two-cluster cases.
pub(super) fn noise_section(run: &RunRecord) -> Markup {
    let clusters = clustered(run);
    if run.sentinel.is_empty() && clusters.is_empty() {
        return html! {};
    }
    html! {
        section #noise {
            h2 { "Noise" }
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
            table {
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
    let mut flagged: Vec<(&str, Option<f64>, Option<f64>)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for c in &run.cases {
        if !seen.insert(c.group.as_str()) {
            continue;
        }
        let drifted = c.drift.is_some_and(|d| d > DRIFT_FLAG);
        let busy = c.load_others.is_some_and(|l| l > LOAD_FLAG);
        if drifted || busy {
            flagged.push((&c.group, c.drift, c.load_others));
        }
    }
    html! {
            p {
                "Drift sentinel (" (run.sentinel.len()) " readings: at the start, before each comparison group, at the end): "
                "CPU kernel " (format!("{c_med:.3}")) " ms (" (format!("{c_lo:.3}")) "–" (format!("{c_hi:.3}")) "), "
                "pipe round trip " (format!("{p_med:.1}")) " µs (" (format!("{p_lo:.1}")) "–" (format!("{p_hi:.1}")) "). "
                "Cases of a group are sampled interleaved, in a shuffled order each round (seed " (run.seed) "), "
                "so drift within a group hits every model alike."
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
                p { "No comparison group was measured while the sentinel moved more than 10 % or other processes kept more than half a CPU busy." }
            } @else {
                p.banner.warn { (flagged.len()) " comparison groups were measured on a moving or busy machine; treat their differences with care:" }
                table {
                    thead { tr { th { "group" } th { "sentinel moved" } th { "other processes (CPUs)" } } }
                    tbody {
                        @for (group, drift, load) in &flagged {
                            tr {
                                td { code { (group) } }
                                td { (drift.map_or("–".to_string(), |d| format!("{:.0} %", d * 100.0))) }
                                td { (load.map_or("–".to_string(), |l| format!("{l:.2}"))) }
                            }
                        }
                    }
                }
            }
    }
}
