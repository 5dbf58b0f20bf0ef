//! The comparison page (`index.html` of `gilbench compare`): the runs and their machines,
//! "which model wins where" per machine side by side, every aligned case with its ratio to
//! the reference run and whether the difference is significant, the baseline gate's
//! failures and regressions when a baseline check was asked for, and the comparison charts
//! (written under `plots/` and inlined from the same text).

use std::path::{Path, PathBuf};

use maud::{DOCTYPE, PreEscaped, html};

use super::ReportError;
use super::chart_files::{ChartFiles, svg_body};
use super::format;
use super::verdict::{Outcome, verdicts};
use crate::compare::{Comparison, Gate, LabelledRun};
use crate::plot::Chart;
use crate::results::write_atomic;

const CSS: &str = include_str!("style.css");

fn short_verdict(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Winner { best, runner_up: Some(_) } => {
            format!("{} ×{} ({})", best.model, best.workers, format::factor(best.speedup.median))
        }
        Outcome::Winner { best, runner_up: None } => format!("only {}", best.model),
        Outcome::NoClearWinner { best, .. } => format!(
            "no clear winner ({} ×{} {})",
            best.model,
            best.workers,
            format::factor(best.speedup.median)
        ),
        Outcome::NoBaseline => "no baseline".into(),
        Outcome::NoResult => "no result".into(),
    }
}

/// Writes the comparison charts (from [`crate::plot::compare_charts`]) into `dir/plots/` and
/// the comparison page, with the same SVG text inlined, into `dir`; returns the page's path.
pub fn write_compare_report(
    runs: &[LabelledRun],
    comparison: &Comparison,
    charts: &[Chart],
    gate: Option<(f64, &Gate)>,
    dir: &Path,
) -> Result<PathBuf, ReportError> {
    let inlined = ChartFiles::new(dir).write(charts, |c| (&c.name, &c.svg))?;
    let per_run: Vec<Vec<crate::report::Verdict>> = runs.iter().map(|r| verdicts(&r.run)).collect();
    let mut groups: Vec<(String, String)> = Vec::new();
    for v in per_run.iter().flatten() {
        if !groups.iter().any(|(g, _)| *g == v.group) {
            groups.push((v.group.clone(), v.title.clone()));
        }
    }
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "gilbench comparison: " (comparison.labels.join(" vs ")) }
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    h1 { "gilbench comparison" }
                    p.sub { (comparison.labels.join(" · ")) }
                }
                section {
                    h2 { "Runs" }
                    table {
                        thead { tr { th { "run" } th { "CPU" } th { "usable CPUs" } th { "kernel" } th { "started" } th { "profile" } th { "from" } } }
                        tbody {
                            @for r in runs {
                                tr {
                                    td { (r.label) }
                                    td { (r.run.machine.cpu_brand) }
                                    td.num { (r.run.machine.usable_cpus) }
                                    td { (r.run.machine.kernel) }
                                    td { (r.run.started_at) }
                                    td { (r.run.profile) }
                                    td { code { (r.source) } }
                                }
                            }
                        }
                    }
                    p { "Ratios are against the first run, " b { (comparison.labels.first().cloned().unwrap_or_default()) } ", with a 95 % bootstrap interval; a difference is called only when the interval excludes 1." }
                }
                @if let Some((threshold, gate)) = gate {
                    section {
                        h2 { "Baseline gate (threshold " (format!("{:.0} %", threshold * 100.0)) ")" }
                        @if gate.failures.is_empty() {
                            p { "Every case that was ok in the baseline is ok in the new run." }
                        } @else {
                            p.banner.warn { (gate.failures.len()) " cases were ok in the baseline and are not now:" }
                            table {
                                thead { tr { th { "case" } th { "status" } th { "reason" } } }
                                tbody {
                                    @for l in &gate.failures {
                                        tr {
                                            td { code { (l.case) } }
                                            td { (l.status) }
                                            td { (l.reason.clone().unwrap_or_default()) }
                                        }
                                    }
                                }
                            }
                        }
                        @if gate.regressions.is_empty() {
                            p { "No case got significantly worse by more than the threshold." }
                        } @else {
                            p.banner.warn { (gate.regressions.len()) " cases got significantly worse:" }
                            table {
                                thead { tr { th { "case" } th { "baseline" } th { "new" } th { "worse by" } th { "interval of new/old" } } }
                                tbody {
                                    @for r in &gate.regressions {
                                        tr {
                                            td { code { (r.case) } }
                                            td.num { (format::value_interval(&r.unit, r.old, r.old, r.old)) }
                                            td.num { (format::value_interval(&r.unit, r.new, r.new, r.new)) }
                                            td.num { (format!("{:.1} %", r.worse_by * 100.0)) }
                                            td.num { (format!("[{:.3}, {:.3}]", r.ci.0, r.ci.1)) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                section {
                    h2 { "Which model wins where" }
                    table {
                        thead { tr { th { "workload" } @for l in &comparison.labels { th { (l) } } } }
                        tbody {
                            @for (group, title) in &groups {
                                tr {
                                    td { (title) }
                                    @for vs in &per_run {
                                        td { (vs.iter().find(|v| v.group == *group).map(|v| short_verdict(&v.outcome)).unwrap_or_else(|| "–".into())) }
                                    }
                                }
                            }
                        }
                    }
                }
                section {
                    h2 { "Charts" }
                    @for (chart, _) in &inlined {
                        figure {
                            (PreEscaped(svg_body(&chart.svg)))
                            figcaption { (chart.title) ". Solid lines: " (comparison.labels.first().cloned().unwrap_or_default()) "; dashed: the other runs." }
                        }
                    }
                }
                section {
                    h2 { "Every case" }
                    table {
                        thead { tr { th { "case" } th { "model" } th.num { "workers" } @for l in &comparison.labels { th.num { (l) } } } }
                        tbody {
                            @for a in &comparison.cases {
                                tr {
                                    td.key { (a.case) }
                                    td { (a.model) }
                                    td.num { (a.workers) }
                                    @for (i, r) in a.per_run.iter().enumerate() {
                                        td.num {
                                            @match r {
                                                None => { "–" }
                                                Some(r) if i == 0 => { (format::value_interval(&a.unit, r.median, r.median, r.median)) }
                                                Some(r) => {
                                                    (format::value_interval(&a.unit, r.median, r.median, r.median)) br;
                                                    @if r.significant {
                                                        b { (format!("×{:.3} [{:.3}, {:.3}]", r.ratio, r.ci_low, r.ci_high)) }
                                                    } @else {
                                                        (format!("×{:.3} [{:.3}, {:.3}]", r.ratio, r.ci_low, r.ci_high))
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let index = dir.join("index.html");
    write_atomic(&index, page.into_string().as_bytes())?;
    Ok(index)
}
