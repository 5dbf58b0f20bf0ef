//! "CPU work that releases the GIL": the map over CPU fraction × released fraction (GIL
//! threads, processes and free threads at their best worker count) and a sentence per point,
//! e.g. "with 60 % of its CPU time in code that releases the GIL, 4 GIL threads reach 2.1×;
//! processes 3.0×". Words what `analysis::released_maps` returns; computes nothing.

use maud::{Markup, html};

use super::gil::short_factor;
use crate::analysis::{Best, ReleasedCell, ReleasedMap, released_maps};
use crate::plot::fraction_label;

/// "4 GIL threads reach 2.1×" for a model at its best worker count.
fn reach(best: &Best, what: &str) -> String {
    format!("{} {what} reach {}", best.workers, short_factor(best.speedup.median))
}

/// The sentence of one point.
pub fn cell_sentence(cell: &ReleasedCell) -> String {
    let share = (cell.released_fraction * 100.0).round();
    let lead = if cell.released_fraction <= 0.0 {
        "with all of its CPU time holding the GIL".to_string()
    } else {
        format!("with {share:.0} % of its CPU time in code that releases the GIL")
    };
    let mut s = format!(
        "CPU fraction {}, {lead}: {}",
        fraction_label(cell.cpu_fraction),
        reach(&cell.gil, "GIL threads")
    );
    if let Some(p) = &cell.processes {
        let (w, x) = (p.workers, short_factor(p.speedup.median));
        s.push_str(&format!("; {w} processes ({}) {x}", p.model));
    }
    if let Some(t) = &cell.threads {
        s.push_str(&format!("; {} free threads {}", t.workers, short_factor(t.speedup.median)));
    }
    s
}

/// The sentences of a run's maps, in run order.
pub fn released_sentences(run: &crate::results::RunRecord) -> Vec<String> {
    released_maps(run)
        .iter()
        .flat_map(|m| m.cells.iter().filter(|c| c.released_fraction > 0.0).map(cell_sentence))
        .collect()
}

fn cell_text(cell: Option<&ReleasedCell>) -> Markup {
    match cell {
        None => html! { "–" },
        Some(c) => html! {
            "GIL " (short_factor(c.gil.speedup.median)) " (" (c.gil.workers) ")"
            @if let Some(p) = &c.processes {
                br; "proc " (short_factor(p.speedup.median)) " (" (p.workers) ")"
            }
            @if let Some(t) = &c.threads {
                br; "free " (short_factor(t.speedup.median)) " (" (t.workers) ")"
            }
        },
    }
}

fn map_table(map: &ReleasedMap) -> Markup {
    html! {
        h4 { (map.title) }
        table {
            thead {
                tr {
                    th { "released fraction \\ CPU fraction" }
                    @for f in &map.cpu_fractions { th { (fraction_label(*f)) } }
                }
            }
            tbody {
                @for r in &map.released_fractions {
                    tr {
                        td { (fraction_label(*r)) }
                        @for f in &map.cpu_fractions { td.num { (cell_text(map.cell(*f, *r))) } }
                    }
                }
            }
        }
    }
}

/// The subsection, or nothing when the run swept no released fraction.
pub(crate) fn section(run: &crate::results::RunRecord) -> Markup {
    let maps = released_maps(run);
    if maps.is_empty() {
        return html! {};
    }
    let sentences = released_sentences(run);
    html! {
        h3 { "CPU work that releases the GIL" }
        p {
            "hashlib, zlib, numpy and Rust or C extensions release the GIL while they compute. "
            "Each cell: the speedup of GIL threads, processes and free threads at their best "
            "worker count (in brackets), for a share of the task spent computing (columns) and "
            "a share of that computing done with the lock released (rows)."
        }
        @for m in &maps { (map_table(m)) }
        ul.verdicts { @for s in &sentences { li { (s) } } }
    }
}
