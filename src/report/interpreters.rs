//! The interpreters of one calibrate call side by side in the CPython section: each one's
//! agreement with the model that stands for it, every threads speedup beside gilbench's `gil`
//! and `threads`, and what a free-threaded build costs one thread (or that none was measured).

use maud::{Markup, html};

use crate::analysis::cpython::{
    AGREEMENT, FreeThreading, SideBySide, SingleThreadCost, free_threading, side_by_side,
};
use crate::results::RunRecord;
use crate::results::cpython::CpythonRecord;

use super::format;

/// The part for `peers` (every interpreter measured, at least one).
pub(crate) fn part(run: &RunRecord, peers: &[CpythonRecord]) -> Markup {
    let side = (peers.len() > 1).then(|| side_by_side(run, peers));
    html! {
        @if let Some(side) = &side {
            h3 { "Interpreters side by side" }
            ul.verdicts {
                @for (label, threads) in side.labels.iter().zip(&side.threads) {
                    @if let Some(s) = threads {
                        @let class = if s.compared == 0 { "none" } else if s.agreeing == s.compared { "clear" } else { "unclear" };
                        li class=(class) { (label) ": " (super::summary_sentence(s)) "." }
                    }
                }
            }
            (table(side))
        }
        h3 { "Free-threaded builds" }
        @for s in free_threading_sentences(&free_threading(peers)) { p { (s) } }
    }
}

fn table(side: &SideBySide) -> Markup {
    html! {
        @if side.rows.is_empty() {
            p { "No interpreter measured a shape with threads beyond one worker." }
        } @else {
            table {
                thead { tr {
                    th { "shape" } th { "workers" } th { "gilbench gil" } th { "gilbench threads" }
                    @for (label, free) in side.labels.iter().zip(&side.free) {
                        th title=(if *free { "runs without a GIL: compared with gilbench's threads" } else { "compared with gilbench's gil" }) {
                            (label) " threads"
                        }
                    }
                } }
                tbody {
                    @for r in &side.rows {
                        tr {
                            td { (r.shape) } td.num { (r.workers) }
                            td.num { (cell(r.gil)) } td.num { (cell(r.threads)) }
                            @for (i, (c, free)) in r.cpython.iter().zip(&side.free).enumerate() {
                                @if r.agrees(i, *free) == Some(false) { td.num.bad title="more than the agreement margin from the model that stands for it" { (cell(*c)) } }
                                @else { td.num { (cell(*c)) } }
                            }
                        }
                    }
                }
            }
            p.sub {
                "Each speedup is against its own side's sequential run. A CPython cell is marked "
                "where it is more than " (format!("{:.0}%", AGREEMENT * 100.0))
                " from the model that stands for it: gil for a build with the GIL on, threads for one without."
            }
        }
    }
}

fn cell(x: Option<f64>) -> String {
    x.map(format::factor).unwrap_or_else(|| "–".into())
}

/// What the call says about free-threaded builds, in sentences.
pub fn free_threading_sentences(f: &FreeThreading) -> Vec<String> {
    match f {
        FreeThreading::NoneMeasured => vec![
            "No free-threaded build (3.13t, 3.14t) was measured: pass one to calibrate with \
             --python, beside a GIL build of the same version, to see what its threads gain \
             and what it costs a single thread."
                .to_string(),
        ],
        FreeThreading::Measured { costs, unpaired } => {
            let mut out: Vec<String> = costs.iter().map(cost_sentence).collect();
            for label in unpaired {
                out.push(format!(
                    "{label} was measured without a GIL build of the same version beside it: \
                     its single-thread cost is not known here."
                ));
            }
            out
        }
    }
}

fn cost_sentence(c: &SingleThreadCost) -> String {
    let r = c.slowdown();
    let how = if r >= 1.0 {
        format!("{r:.2}× slower than")
    } else {
        format!("{:.2}× faster than", 1.0 / r)
    };
    format!(
        "{} runs one thread's pure-Python work {how} {}: {} against {} per kernel iteration \
         ({}).",
        c.free,
        c.gil,
        format::duration(c.free_s),
        format::duration(c.gil_s),
        c.source
    )
}
