//! The markup of `index.html` (maud, so every value from the results is escaped): verdicts, the
//! machine card, run information, each scenario's charts and table. The charts' SVG text is
//! inlined so the page stands alone.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::analysis::{GIL, title_without};
use crate::plot::{ChartFile, GilChart, GilChartKind, group_title, model_colour_hex, model_rank};
use crate::results::{CaseRecord, CaseStatus, Machine, RunRecord, RunStatus};

use super::convoy::convoy_list;
use super::format;
use super::gil::{amdahl_sentences, break_even_sentences, gil_verdicts};
use super::ipc::ipc_list;
use super::noise::noise_section;
use super::sampling::sampling_section;
use super::verdict::{Outcome, Verdict};

const CSS: &str = include_str!("style.css");

/// The whole page. `charts` and `gil_charts` pair each chart with its SVG text; `cpython` is
/// the "Model vs real CPython" section, when there is one.
pub(crate) fn page(
    run: &RunRecord,
    verdicts: &[Verdict],
    charts: &[(&ChartFile, String)],
    gil_charts: &[(&GilChart, String)],
    cpython: Option<Markup>,
) -> String {
    let scenarios = scenarios(run);
    let title = format!("gilbench report: {} · {}", run.machine.hostname, run.started_at);
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    h1 { "gilbench report" }
                    p.sub {
                        (run.machine.hostname) " · " (run.machine.cpu_brand) " · "
                        (run.started_at) " · profile " (run.profile) " · " (status_name(run.status))
                    }
                    (banners(run))
                }
                section #verdicts {
                    h2 { "Verdicts" }
                    @for scenario in &scenarios {
                        h3 { (scenario) }
                        (verdict_list(verdicts.iter().filter(|v| v.scenario == *scenario)))
                        (convoy_list(run, scenario))
                        (super::switch::switch_list(run, scenario))
                        (super::locks::locks_list(run, scenario))
                        (ipc_list(run, scenario))
                    }
                    @if verdicts.is_empty() { p { "No case was run." } }
                }
                div.cards {
                    section.card #machine { h2 { "Machine" } (machine_card(&run.machine)) }
                    section.card #run { h2 { "Run" } (run_card(run)) }
                }
                (noise_section(run))
                (sampling_section(run))
                (gil_section(run, gil_charts))
                (amdahl_section(run))
                @for scenario in &scenarios {
                    section.scenario {
                        h2 { "Scenario " (scenario) }
                        @for (chart, svg) in charts.iter().filter(|(c, _)| chart_scenario(run, c) == Some(scenario.as_str())) {
                            figure {
                                (PreEscaped(svg_body(svg)))
                                figcaption {
                                    (chart.title) ". "
                                    a href=(chart.path.to_string_lossy().replace('\\', "/")) { "SVG file" }
                                }
                            }
                        }
                        (case_table(run, scenario))
                    }
                }
                @if let Some(section) = cpython { (section) }
                footer {
                    "Written by gilbench " (run.gilbench_version) " (schema "
                    (run.schema_version) "). Speedup = sequential median / median. " (format::intervals_note(run))
                }
            }
        }
    };
    markup.into_string()
}

/// Scenario names in run order.
fn scenarios(run: &RunRecord) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in &run.cases {
        if !out.contains(&c.scenario) {
            out.push(c.scenario.clone());
        }
    }
    out
}

fn chart_scenario<'a>(run: &'a RunRecord, chart: &ChartFile) -> Option<&'a str> {
    run.cases.iter().find(|c| c.group == chart.group).map(|c| c.scenario.as_str())
}

/// The SVG element itself, without any XML prolog, ready to inline.
fn svg_body(svg: &str) -> &str {
    svg.find("<svg").map(|i| &svg[i..]).unwrap_or(svg)
}

fn status_name(status: RunStatus) -> &'static str {
    match status {
        RunStatus::Running => "running (incomplete)",
        RunStatus::Complete => "complete",
        RunStatus::Interrupted => "interrupted",
    }
}

fn case_status_name(status: CaseStatus) -> &'static str {
    match status {
        CaseStatus::Ok => "ok",
        CaseStatus::Failed => "failed",
        CaseStatus::Timeout => "timeout",
        CaseStatus::Unsupported => "unsupported",
        CaseStatus::Interrupted => "interrupted",
        CaseStatus::Deadlock => "deadlock",
    }
}

fn banners(run: &RunRecord) -> Markup {
    let failed = run
        .cases
        .iter()
        .filter(|c| {
            matches!(c.status, CaseStatus::Failed | CaseStatus::Timeout | CaseStatus::Deadlock)
        })
        .count();
    let busy = run.machine.load_avg[0] > 0.5 * run.machine.usable_cpus.max(1) as f64;
    html! {
        @match run.status {
            RunStatus::Interrupted => div.banner.warn {
                "This run was interrupted: the report holds the " (run.cases.len())
                " cases that finished before it stopped."
            },
            RunStatus::Running => div.banner.warn {
                "This run had not finished when the report was written."
            },
            RunStatus::Complete => {},
        }
        @if failed > 0 {
            div.banner.bad { (failed) " case(s) failed or timed out; see the tables for the reasons." }
        }
        @if busy {
            div.banner.warn {
                "The machine was busy at the start (1-minute load "
                (format!("{:.2}", run.machine.load_avg[0])) " on " (run.machine.usable_cpus)
                " usable CPUs): timings may be disturbed."
            }
        }
    }
}

fn verdict_list<'a>(verdicts: impl Iterator<Item = &'a Verdict>) -> Markup {
    html! {
        ul.verdicts {
            @for v in verdicts {
                @let class = match v.outcome {
                    Outcome::NoResult | Outcome::NoBaseline => "none",
                    _ if v.is_clear() => "clear",
                    _ => "unclear",
                };
                li class=(class) { (v.sentence()) }
            }
        }
    }
}

fn opt<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref().map(|x| x.to_string()).unwrap_or_else(|| "unknown".into())
}

fn machine_card(m: &Machine) -> Markup {
    html! {
        dl {
            dt { "host" } dd { (m.hostname) }
            dt { "CPU" } dd { (m.cpu_brand) }
            dt { "architecture" } dd { (m.arch) }
            @for (k, v) in &m.environment { dt { (k.replace('_', " ")) } dd { (v) } }
            dt { "physical cores" } dd { (opt(&m.physical_cores)) }
            dt { "logical CPUs" } dd { (m.logical_cpus) }
            dt { "usable CPUs" } dd { (m.usable_cpus) " (affinity and quota applied)" }
            dt { "CPU clock" } dd { (m.cpu_mhz.map(|f| format!("{f} MHz")).unwrap_or_else(|| "unknown".into())) }
            dt { "memory" } dd { (format::bytes(m.memory_bytes)) }
            dt { "OS" } dd { (m.os) }
            dt { "kernel" } dd { (m.kernel) }
            dt { "virtualisation" } dd { (m.virtualization.as_deref().unwrap_or("none detected")) }
            dt { "load at start" } dd {
                (format!("{:.2} / {:.2} / {:.2}", m.load_avg[0], m.load_avg[1], m.load_avg[2]))
                " (1 / 5 / 15 min)"
            }
            dt { "rustc" } dd { (m.rustc) }
            dt { "gilbench" } dd { (m.gilbench_version) }
            dt { "git revision" } dd { code { (opt(&m.git_rev)) } }
        }
    }
}

fn run_card(run: &RunRecord) -> Markup {
    html! {
        dl {
            dt { "profile" } dd { (run.profile) }
            dt { "status" } dd { (status_name(run.status)) }
            dt { "started" } dd { (run.started_at) }
            dt { "finished" } dd { (run.finished_at.as_deref().unwrap_or("not finished")) }
            dt { "command" } dd { code { (run.command.join(" ")) } }
            dt { "scenario files" } dd {
                @for (i, f) in run.scenario_files.iter().enumerate() {
                    @if i > 0 { ", " } code { (f) }
                }
            }
            dt { "cases" } dd {
                (run.cases.len()) " (" (run.cases.iter().filter(|c| c.status == CaseStatus::Ok).count()) " ok)"
            }
            dt { "clock read" } dd { (format::duration(run.overhead.clock_read_ns * 1e-9)) }
            dt { "empty task" } dd {
                @if run.overhead.empty_task_ns.is_empty() { "not measured" }
                @for (model, ns) in empty_tasks(run) {
                    span.nowrap { (swatch(model)) (model) ": " (format::duration(ns * 1e-9)) }
                    br;
                }
            }
            dt { "CPU calibration" } dd {
                (format::si(run.calibration.cpu_iterations_per_s)) " iterations/s of the CPU kernel on one core"
            }
        }
    }
}

/// Empty-task costs in report order.
fn empty_tasks(run: &RunRecord) -> Vec<(&String, f64)> {
    let mut out: Vec<(&String, f64)> =
        run.overhead.empty_task_ns.iter().map(|(m, ns)| (m, *ns)).collect();
    out.sort_by(|a, b| model_rank(a.0).cmp(&model_rank(b.0)));
    out
}

fn swatch(model: &str) -> Markup {
    html! { span.swatch style=(format!("background:{}", model_colour_hex(model))) {} }
}

fn case_table(run: &RunRecord, scenario: &str) -> Markup {
    let cases: Vec<&CaseRecord> = run.cases.iter().filter(|c| c.scenario == scenario).collect();
    let mut groups: Vec<&str> = Vec::new();
    for c in &cases {
        if !groups.contains(&c.group.as_str()) {
            groups.push(&c.group);
        }
    }
    let note = format::intervals_note(run);
    html! {
        table {
            colgroup {
                col style="width:24%"; col style="width:10%"; col style="width:5%";
                col style="width:15%"; col style="width:13%"; col style="width:7%";
                col style="width:8%"; col style="width:9%"; col style="width:9%";
            }
            thead {
                tr {
                    th { "case" } th { "model" } th { "workers" }
                    th title=(note) { "median [interval]" }
                    th title=(note) { "speedup [interval]" } th { "CPU" } th { "ctx switches vol + invol" }
                    th title="peak resident memory during the case's samples: gilbench's own process, then the largest worker process" {
                        "peak memory: gilbench / largest worker"
                    }
                    th { "status" }
                }
            }
            tbody {
                @for g in groups {
                    @let members: Vec<&&CaseRecord> = cases.iter().filter(|c| c.group == g).collect();
                    tr.group { th colspan="9" { (group_title(members[0])) } }
                    @for c in members { (case_row(c, run.machine.usable_cpus)) }
                }
            }
        }
    }
}

/// A sanity note on a speedup that exceeds what the units could give: above the worker count
/// (impossible without a measurement problem) or above the usable CPUs (fine for IO-bound
/// work, suspicious for CPU-bound work).
fn speedup_sanity(c: &CaseRecord, usable_cpus: usize) -> Option<String> {
    let s = c.speedup?;
    if s.ci_low > c.workers as f64 * 1.05 {
        Some(format!("above {} workers: check the measurement", c.workers))
    } else if s.ci_low > usable_cpus as f64 * 1.05 && c.workload == "cpu" {
        Some(format!("CPU-bound work above the {usable_cpus} usable CPUs: check the measurement"))
    } else {
        None
    }
}

fn case_row(c: &CaseRecord, usable_cpus: usize) -> Markup {
    let class = match c.status {
        CaseStatus::Ok => "",
        CaseStatus::Failed | CaseStatus::Timeout | CaseStatus::Deadlock => "bad",
        CaseStatus::Unsupported | CaseStatus::Interrupted => "skip",
    };
    let speedup = match (&c.speedup, c.model.as_str(), c.status) {
        (Some(s), _, _) => format::speedup(s),
        (None, "sequential", CaseStatus::Ok) => "baseline".into(),
        _ => "–".into(),
    };
    let ctx = match (c.voluntary_cs, c.involuntary_cs) {
        (Some(v), Some(i)) => format!("{} + {}", format::count(v), format::count(i)),
        _ => "–".into(),
    };
    let memory = match (c.peak_rss_bytes, c.worker_peak_rss_bytes) {
        (Some(own), Some(worker)) => format!("{} / {}", format::bytes(own), format::bytes(worker)),
        (Some(own), None) => format::bytes(own),
        (None, Some(worker)) => format!("– / {}", format::bytes(worker)),
        (None, None) => "–".into(),
    };
    html! {
        tr class=(class) {
            td.key { (c.case) }
            td { (swatch(&c.model)) (c.model) }
            td.num { (c.workers) }
            td.num {
                @if let Some(s) = &c.summary {
                    (format::value_interval(&c.unit, s.median, s.ci_low, s.ci_high))
                    @if s.noisy { span.flag title="robust coefficient of variation above the noise threshold" {
                        "noisy, CV " (format!("{:.0}%", s.cv * 100.0))
                    } }
                } @else { "–" }
            }
            td.num {
                (speedup)
                @if let Some(note) = speedup_sanity(c, usable_cpus) { " " span.flag { (note) } }
            }
            td.num { (c.cpu_s.map(format::duration).unwrap_or_else(|| "–".into())) }
            td.num { (ctx) }
            td.num { (memory) }
            td.status.ok[c.status == CaseStatus::Ok] {
                (case_status_name(c.status))
                @if let Some(r) = &c.reason { ": " (r) }
            }
        }
    }
}

/// "Where a GIL hurts": the verdict per workload shape, the break-even task sizes, the penalty
/// and crossover maps, and the GIL counters. Absent when the run measured no `gil` case.
fn gil_section(run: &RunRecord, charts: &[(&GilChart, String)]) -> Markup {
    let gil_cases: Vec<&CaseRecord> = run
        .cases
        .iter()
        .filter(|c| c.model == GIL && c.status == CaseStatus::Ok && !c.is_probe())
        .collect();
    if gil_cases.is_empty() && charts.is_empty() {
        return html! {};
    }
    let verdicts = gil_verdicts(run);
    let break_even = break_even_sentences(run);
    html! {
        section #gil {
            h2 { "Where a GIL hurts" }
            p.lead {
                "GIL threads are threads that must hold one global lock to run CPU work, as in "
                "CPython; free threads do not. Each model is taken at its best worker count; a "
                "winner is named only when its interval clears the other's and it is at "
                "least 10 % faster."
            }
            @if !verdicts.is_empty() {
                ul.verdicts { @for v in &verdicts { li { (v) } } }
            }
            (super::released::section(run))
            @if !break_even.is_empty() {
                h3 { "Break-even task size" }
                ul.verdicts { @for s in &break_even { li { (s) } } }
            }
            @for (chart, svg) in charts {
                figure {
                    (PreEscaped(svg_body(svg)))
                    figcaption {
                        (gil_caption(chart)) " "
                        a href=(chart.path.to_string_lossy().replace('\\', "/")) { "SVG file" }
                    }
                }
            }
            @if gil_cases.iter().any(|c| !c.counters.is_empty()) {
                h3 { "GIL counters (median per sample)" }
                (gil_counters(&gil_cases))
            }
        }
    }
}

fn gil_caption(chart: &GilChart) -> String {
    match &chart.kind {
        GilChartKind::Penalty { numerator, denominator } => format!(
            "{}. Each cell: the speedup of {numerator} divided by that of {denominator} at the \
             same CPU fraction and worker count; below 1 (orange) {numerator} is slower, above 1 \
             (blue) faster.",
            chart.title
        ),
        GilChartKind::Crossover => format!(
            "{}. Each cell names the fastest model at its best worker count and its margin \
             over the runner-up; pale cells have no clear winner.",
            chart.title
        ),
    }
}

fn gil_counters(cases: &[&CaseRecord]) -> Markup {
    let counter = |c: &CaseRecord, k: &str| c.counters.get(k).copied();
    html! {
        table {
            colgroup {
                col style="width:46%"; col style="width:8%"; col style="width:14%";
                col style="width:10%"; col style="width:10%"; col style="width:12%";
            }
            thead {
                tr {
                    th { "workload" } th { "workers" } th { "speedup [interval]" }
                    th { "GIL switches" } th { "drop requests" } th { "lock wait" }
                }
            }
            tbody {
                @for c in cases {
                    tr {
                        td { (title_without(c, &[])) }
                        td.num { (c.workers) }
                        td.num { (c.speedup.as_ref().map(format::speedup).unwrap_or_else(|| "–".into())) }
                        td.num { (counter(c, "gil_switches").map(format::count).unwrap_or_else(|| "–".into())) }
                        td.num { (counter(c, "gil_drop_requests").map(format::count).unwrap_or_else(|| "–".into())) }
                        td.num { (counter(c, "gil_wait_s").map(format::duration).unwrap_or_else(|| "–".into())) }
                    }
                }
            }
        }
    }
}

/// "Serial fraction (Amdahl's law)": per group, each model's fitted serial fraction.
fn amdahl_section(run: &RunRecord) -> Markup {
    let sentences = amdahl_sentences(run, None);
    if sentences.is_empty() {
        return html! {};
    }
    let cpus = run.machine.usable_cpus.max(1);
    html! {
        section #amdahl {
            h2 { "Serial fraction (Amdahl's law)" }
            p.lead {
                "The share s of the work that does not run in parallel, fitted by least squares to "
                "speedup(n) = 1 / (s + (1 − s) / n) with n = workers capped at the " (cpus)
                " usable CPUs; the interval is a 95% bootstrap interval over the samples. Work that "
                "waits (IO) can beat the CPU count and then fits 0%."
            }
            @for scenario in scenarios(run) {
                @let mine: Vec<&String> = sentences.iter().filter(|(s, _)| *s == scenario).map(|(_, t)| t).collect();
                @if !mine.is_empty() {
                    h3 { (scenario) }
                    ul.verdicts { @for t in mine { li { (t) } } }
                }
            }
        }
    }
}
