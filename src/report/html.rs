//! The markup of `index.html` (maud, so every value from the results is escaped). The answer
//! comes first (the answer table, the GIL penalty map, the convoy in one sentence); a table of
//! contents links every section and scenario; the rest (GIL details, Amdahl fits, each
//! scenario's charts and cases, the Machine, Run, Noise and Sampling cards) sits below, its
//! long tables folded in `<details>`. The charts' SVG text is inlined so the page stands alone.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::analysis::{GIL, THREADS, title_without};
use crate::plot::{Chart, GilChart, GilChartKind};
use crate::results::cpython::CpythonRecord;
use crate::results::{CaseRecord, CaseStatus, RunRecord};

use super::anchors::scenario_id;
use super::answer::answer_section;
use super::cards::{banners, machine_card, run_card, status_name};
use super::cases::case_table;
use super::chart_files::{Written, href, svg_body};
use super::convoy::{convoy_headline, convoy_list};
use super::format;
use super::gil::{amdahl_sentences, break_even_sentences};
use super::ipc::ipc_list;
use super::noise::noise_section;
use super::sampling::sampling_section;

const CSS: &str = include_str!("style.css");

/// Sorts a `table.sortable` by the column whose header is clicked (numbers by value).
const SORT_JS: &str = "document.querySelectorAll('table.sortable thead th').forEach((th,i)=>{\
th.title='click to sort';th.addEventListener('click',()=>{const b=th.closest('table').tBodies[0];\
const d=th.dataset.d=th.dataset.d==='a'?'d':'a';const k=r=>{const t=(r.cells[i]||{}).textContent||'';\
const n=parseFloat(t);return isNaN(n)?t.trim():n};[...b.rows].sort((x,y)=>{const a=k(x),c=k(y);\
const o=typeof a==='number'&&typeof c==='number'?a-c:String(a).localeCompare(String(c));\
return d==='a'?o:-o}).forEach(r=>b.appendChild(r))})});";

/// Tables with more rows than this are folded in `<details>`.
pub(super) const FOLD_ROWS: usize = 20;

/// `table` as it is when it has at most [`FOLD_ROWS`] rows, else folded under `summary`.
pub(super) fn fold(rows: usize, summary: &str, table: Markup) -> Markup {
    html! {
        @if rows > FOLD_ROWS {
            details { summary { (summary) } (table) }
        } @else {
            (table)
        }
    }
}

/// The whole page. `charts` and `gil_charts` pair each chart with the path of its file; `peer`
/// is the CPython peer's record and `cpython` its "Model vs real CPython" section, when there
/// is one.
pub(crate) fn page(
    run: &RunRecord,
    charts: &[Written<'_, Chart>],
    gil_charts: &[Written<'_, GilChart>],
    peer: Option<&CpythonRecord>,
    cpython: Option<Markup>,
) -> String {
    let scenarios = scenarios(run);
    let title = format!("gilbench report: {} · {}", run.machine.hostname, run.started_at);
    // The headline map: what the lock costs (GIL threads over free threads), under the table.
    let headline = gil_charts.iter().position(|(c, _)| {
        matches!(&c.kind, GilChartKind::Penalty { numerator, denominator }
            if numerator == GIL && denominator == THREADS)
    });
    let rest: Vec<&Written<'_, GilChart>> = gil_charts
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != headline)
        .map(|(_, c)| c)
        .collect();
    let below = html! {
        @if let Some(i) = headline { (gil_figure(&gil_charts[i])) }
        @if let Some(s) = convoy_headline(run) { p.convoy { (s) } }
    };
    let answer = answer_section(run, peer, below);
    let gil = gil_section(run, &rest);
    let amdahl = amdahl_section(run);
    let noise = noise_section(run);
    let sampling = sampling_section(run);
    let mut toc: Vec<(String, String)> = Vec::new();
    let mut add = |present: bool, id: &str, label: &str| {
        if present {
            toc.push((id.to_string(), label.to_string()));
        }
    };
    add(!answer.0.is_empty(), "answer", "The answer");
    add(!gil.0.is_empty(), "gil", "Where a GIL hurts");
    add(!amdahl.0.is_empty(), "amdahl", "Serial fraction");
    add(cpython.is_some(), "cpython", "Model vs CPython");
    add(true, "machine", "Machine");
    add(true, "run", "Run");
    add(!noise.0.is_empty(), "noise", "Noise");
    add(!sampling.0.is_empty(), "sampling", "Sampling");
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
                        (run.machine.usable_cpus) " usable CPUs · "
                        (run.started_at) " · profile " (run.profile) " · " (status_name(run.status))
                    }
                    (banners(run))
                    nav.toc #contents {
                        @for (id, label) in &toc { a href=(format!("#{id}")) { (label) } " " }
                        span.scenarios {
                            "Scenarios: "
                            @for s in &scenarios { a href=(format!("#{}", scenario_id(s))) { (s) } " " }
                        }
                    }
                }
                @if answer.0.is_empty() { p { "No workload case was run: the scenarios below hold probes only." } }
                (answer)
                (gil)
                (amdahl)
                @for scenario in &scenarios {
                    @let cases = run.cases.iter().filter(|c| c.scenario == *scenario).count();
                    section.scenario id=(scenario_id(scenario)) {
                        h2 { "Scenario " (scenario) }
                        (convoy_list(run, scenario))
                        (super::switch::switch_list(run, scenario))
                        (super::locks::locks_list(run, scenario))
                        (ipc_list(run, scenario))
                        @for (chart, path) in charts.iter().filter(|(c, _)| chart_scenario(run, c) == Some(scenario.as_str())) {
                            figure {
                                (PreEscaped(svg_body(&chart.svg)))
                                figcaption {
                                    (chart.title) ". "
                                    a href=(href(path)) { "SVG file" }
                                }
                            }
                        }
                        (fold(cases, &format!("All {cases} cases of {scenario}: medians, speedups, CPU, context switches, memory, status"), case_table(run, scenario)))
                    }
                }
                @if let Some(section) = cpython { (section) }
                section #about {
                    h2 { "Machine, run and noise" }
                    details.card #machine { summary { "Machine: " (run.machine.cpu_brand) ", " (run.machine.usable_cpus) " usable CPUs, " (run.machine.os) } (machine_card(&run.machine)) }
                    details.card #run { summary { "Run: profile " (run.profile) ", " (run.cases.len()) " cases, started " (run.started_at) "; harness overhead" } (run_card(run)) }
                    (noise)
                    (sampling)
                }
                footer {
                    "Written by gilbench " (run.gilbench_version) " (schema "
                    (run.schema_version) "). Speedup = sequential median / median. " (format::intervals_note(run))
                }
                script { (PreEscaped(SORT_JS)) }
            }
        }
    };
    markup.into_string()
}

fn gil_figure((chart, path): &Written<'_, GilChart>) -> Markup {
    html! {
        figure {
            (PreEscaped(svg_body(&chart.svg)))
            figcaption {
                (gil_caption(chart)) " "
                a href=(href(path)) { "SVG file" }
            }
        }
    }
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

fn chart_scenario<'a>(run: &'a RunRecord, chart: &Chart) -> Option<&'a str> {
    run.cases.iter().find(|c| c.group == chart.group).map(|c| c.scenario.as_str())
}

/// "Where a GIL hurts": the break-even task sizes, the penalty and crossover maps not shown
/// with the answer, and the GIL counters (the answer table already says, per shape, what the
/// lock costs). Absent when the run measured no `gil` case.
fn gil_section(run: &RunRecord, charts: &[&Written<'_, GilChart>]) -> Markup {
    let gil_cases: Vec<&CaseRecord> = run
        .cases
        .iter()
        .filter(|c| c.model == GIL && c.status == CaseStatus::Ok && !c.is_probe())
        .collect();
    if gil_cases.is_empty() && charts.is_empty() {
        return html! {};
    }
    let break_even = break_even_sentences(run);
    html! {
        section #gil {
            h2 { "Where a GIL hurts" }
            p.lead {
                "GIL threads are threads that must hold one global lock to run CPU work, as in "
                "CPython; free threads do not. The answer table above gives, per shape of "
                "work, what the lock costs; here are the task sizes where processes overtake "
                "GIL threads and the maps behind it."
            }
            (super::released::section(run))
            @if !break_even.is_empty() {
                h3 { "Break-even task size" }
                ul.verdicts { @for s in &break_even { li { (s) } } }
            }
            @for chart in charts { (gil_figure(chart)) }
            @if gil_cases.iter().any(|c| !c.counters.is_empty()) {
                h3 { "GIL counters (median per sample)" }
                (fold(gil_cases.len(), &format!("{} GIL cases: switches, drop requests and lock wait", gil_cases.len()), gil_counters(&gil_cases)))
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
        table.sortable {
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
                    details {
                        summary { (scenario) ": " (mine.len()) " comparison groups" }
                        ul.verdicts { @for t in mine { li { (t) } } }
                    }
                }
            }
        }
    }
}
