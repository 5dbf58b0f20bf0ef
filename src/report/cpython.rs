//! The "Model vs real CPython" section of `index.html`: the peer's interpreter, how closely
//! each gilbench model's speedup follows the CPython model it stands for, the GIL's shape
//! checks, one chart and table per workload shape, and the convoy shape CPython showed. The
//! figures come from [`crate::analysis::cpython::compare`]; nothing is computed here.

use maud::{Markup, PreEscaped, html};

use crate::analysis::cpython::{
    AGREEMENT, PairComparison, PythonCosts, ShapeComparison, compare, cpython_label, python_costs,
};
use crate::plot::{Chart, model_colour_hex};
use crate::results::RunRecord;
use crate::results::cpython::CpythonRecord;

use super::chart_files::{Written, href, svg_body};
use super::format;

/// The section for `run` against the peers' records (one per interpreter, at least one: the
/// first is shown in full, every one side by side); `charts` pairs each of the first one's
/// CPython charts (from [`crate::plot::cpython_charts`]) with the path of its file.
pub(crate) fn section(
    run: &RunRecord,
    peers: &[CpythonRecord],
    charts: &[Written<'_, Chart>],
) -> Markup {
    let peer = &peers[0];
    let cmp = compare(run, peer);
    let gil = match peer.gil_enabled {
        Some(true) => "enabled",
        Some(false) => "disabled (free-threaded build)",
        None => "unknown",
    };
    html! {
        section.scenario #cpython {
            h2 { "Model vs real CPython" }
            p {
                "The same workload shapes, measured by " (peer.label())
                " (" code { (peer.executable) } ")"
                @if peers.len() > 1 { ", the first of " (peers.len()) " interpreters (all side by side below)," }
                " with real "
                code { "threading" } ", " code { "multiprocessing" } " ("
                (peer.start_method) " start method, payloads pickled) and " code { "asyncio" }
                ": switch interval " (format::duration(peer.switch_interval_s)) ", GIL " (gil)
                ", pure-Python kernel " (format::si(peer.cpu_iterations_per_s))
                " iterations/s. Speedups on each side are against that side's own sequential run; "
                "a point agrees when the ratio of the two speedups is within "
                (format!("{:.0}%", AGREEMENT * 100.0)) " of 1 (either way)."
            }
            @let costs = costs_sentences(&python_costs(run, peer));
            @if !costs.is_empty() {
                h3 { "What Python pays that the model does not" }
                ul { @for s in &costs { li { (s) } } }
            }
            h3 { "Agreement over every shape" }
            ul.verdicts {
                @for s in cmp.summaries() {
                    @let class = if s.compared == 0 { "none" } else if s.agreeing == s.compared { "clear" } else { "unclear" };
                    li class=(class) { (super::summary_sentence(&s)) "." }
                }
            }
            (super::interpreters::part(run, peers))
            h3 { "Shape checks" }
            @if cmp.checks().next().is_none() {
                p { "No CPU-bound or IO-bound shape was measured on both sides." }
            }
            ul.verdicts {
                @for c in cmp.checks() {
                    @let (class, word) = match c.holds {
                        Some(true) => ("clear", "holds"),
                        Some(false) => ("none", "does not hold"),
                        None => ("unclear", "not checked"),
                    };
                    li class=(class) { (super::check_sentence(c)) ": " (word) "." }
                }
            }
            @for shape in &cmp.shapes {
                (shape_part(shape, charts))
            }
            @if !peer.convoy.is_empty() {
                h3 { "Convoy effect in CPython" }
                p {
                    "How late an IO thread's short sleep returns while CPU-bound threads spin "
                    "(the oversleep: measured minus requested). Recorded for the convoy probe to compare with."
                }
                table {
                    thead { tr {
                        th { "CPU-bound threads" } th { "sleep" } th { "sleeps" }
                        th { "median oversleep" } th { "p99 oversleep" } th { "max oversleep" }
                    } }
                    tbody {
                        @for c in &peer.convoy {
                            tr {
                                td.num { (c.cpu_threads) } td.num { (c.sleep) } td.num { (c.n) }
                                td.num { (format::duration(c.median_oversleep_s)) }
                                td.num { (format::duration(c.p99_oversleep_s)) }
                                td.num { (format::duration(c.max_oversleep_s)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn shape_part(shape: &ShapeComparison, charts: &[Written<'_, Chart>]) -> Markup {
    let compared: Vec<&PairComparison> =
        shape.pairs.iter().filter(|pc| pc.compared().next().is_some()).collect();
    html! {
        h3 { (shape.title()) }
        @for (chart, path) in charts.iter().filter(|(c, _)| c.group == shape.key) {
            figure {
                (PreEscaped(svg_body(&chart.svg)))
                figcaption {
                    "Speedup against workers, gilbench (solid) and CPython (dashed). "
                    a href=(href(path)) { "SVG file" }
                }
            }
        }
        @if compared.is_empty() {
            p { "No point measured on both sides for this shape." }
        } @else {
            ul.verdicts {
                @for pc in &compared {
                    @let class = if pc.max_error().is_some_and(|e| e <= AGREEMENT + 1e-12) { "clear" } else { "unclear" };
                    li class=(class) { (super::pair_sentence(pc)) "." }
                }
            }
            table {
                thead { tr {
                    th { "gilbench model" } th { "CPython model" } th { "workers" }
                    th { "gilbench speedup" } th { "CPython speedup" } th { "ratio" }
                } }
                tbody {
                    @for pc in &compared {
                        @for p in &pc.points {
                            tr class=(if p.agrees() == Some(false) { "bad" } else { "" }) {
                                td { (swatch(pc.pair.model)) (pc.pair.model) }
                                td { (cpython_label(pc.pair.cpython)) }
                                td.num { (p.workers) }
                                td.num { (p.model.map(format::factor).unwrap_or_else(|| "–".into())) }
                                td.num { (p.cpython.map(format::factor).unwrap_or_else(|| "–".into())) }
                                td.num { (p.ratio().map(|r| format!("{r:.2}")).unwrap_or_else(|| "–".into())) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn swatch(model: &str) -> Markup {
    html! { span.swatch style=(format!("background:{}", model_colour_hex(model))) {} }
}

/// The per-task and per-sleep costs in sentences, each only where both sides measured it.
pub(crate) fn costs_sentences(c: &PythonCosts) -> Vec<String> {
    let mut out = Vec::new();
    if let (Some(pool), Some(fork)) = (c.pool_task_s, c.fork_task_s) {
        out.push(format!(
            "An empty task through a multiprocessing Pool (map, chunksize 1) costs {} here, \
             against {} through one processes:fork unit: every CPython process task pays {} \
             more in pickling, the pool's queues and its result thread (an empty task's cost; \
             a real task's wake-ups and pickled payloads add to it).",
            format::duration(pool),
            format::duration(fork),
            format::duration((pool - fork).max(0.0)),
        ));
    }
    match (c.asyncio_sleep, c.tokio_sleep) {
        (Some((want, took)), Some((t_want, t_took))) => out.push(format!(
            "A {} asyncio.sleep takes {} here; a {} sleep under the async models takes {} \
             (tokio's timer rounds up to the next millisecond): their IO figures with short \
             sleeps are slower than asyncio's would be.",
            format::duration(want),
            format::duration(took),
            format::duration(t_want),
            format::duration(t_took),
        )),
        (None, Some((t_want, t_took))) => out.push(format!(
            "A {} sleep under the async models takes {} (tokio's timer rounds up to the next \
             millisecond); asyncio's sleep was not timed.",
            format::duration(t_want),
            format::duration(t_took),
        )),
        _ => {}
    }
    out
}
