//! The answer table in words and markup: each shape of work with every model family's best
//! speedup, the pick (a tie named as a tie), what to avoid and what it costs, the GIL's cost,
//! and real CPython's speedups beside the model's when the run has them. It shows what
//! [`crate::analysis::answer_rows`] returns; nothing is computed here.

use maud::{Markup, html};

use crate::analysis::cpython::{Comparison, async_sleep, compare};
use crate::analysis::{AnswerRow, Best, Choice, Family, SEQUENTIAL, TIE, answer_rows};
use crate::results::RunRecord;
use crate::results::cpython::{CpythonRecord, shape_key};

use super::anchors::scenario_id;
use super::format;
use super::gil::short_factor;

/// How a model is named in the pick: the family for threads, the model where a family has
/// several (`processes:fork`, `async:multi`).
fn model_name(best: &Best) -> String {
    match Family::of(&best.model) {
        Some(f @ (Family::FreeThreads | Family::GilThreads)) => f.name().to_string(),
        Some(_) => best.model.clone(),
        None if best.model == SEQUENTIAL => "sequential".to_string(),
        None => best.model.clone(),
    }
}

/// "a", "a or b", "a, b or c".
fn either(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The pick in words: `processes:fork, 1.97×`, `free threads, processes:fork or async:multi —
/// within 5 % of each other`, `sequential: nothing beats it`.
pub(crate) fn pick_words(choice: &Choice) -> String {
    let leader = choice.leader();
    if choice.is_tie() {
        let names: Vec<String> = choice.pick.iter().map(model_name).collect();
        format!("{} — within {} of each other", either(&names), format::percent(TIE - 1.0))
    } else if leader.model == SEQUENTIAL {
        "sequential: no model beats it".to_string()
    } else {
        format!("{}, {}", model_name(leader), format::factor(leader.speedup.median))
    }
}

/// What to avoid and what it costs: `avoid GIL threads: 0.98×, 2.0× slower`; empty when
/// nothing is clearly worse.
pub(crate) fn avoid_words(choice: &Choice) -> String {
    let leader = choice.leader().speedup.median;
    let parts: Vec<String> = choice
        .avoid
        .iter()
        .map(|b| {
            format!(
                "{}: {}, {} slower",
                model_name(b),
                format::factor(b.speedup.median),
                short_factor(leader / b.speedup.median)
            )
        })
        .collect();
    if parts.is_empty() { String::new() } else { format!("avoid {}", parts.join("; ")) }
}

/// Marks an async figure of work that sleeps: it is tokio's sleep, not asyncio's.
const TIMER_MARK: &str = "†";

/// The mark of `family`'s figure in `row`: the async figures of work that sleeps.
fn timer_mark(row: &AnswerRow, family: Family) -> Option<&'static str> {
    (family == Family::Async && row.sleeps()).then_some(TIMER_MARK)
}

/// Whether any figure of `rows` carries the mark (so the table needs its note).
fn any_timer_mark(rows: &[AnswerRow]) -> bool {
    rows.iter().any(|r| r.best(Family::Async).is_some() && timer_mark(r, Family::Async).is_some())
}

/// What the mark means, with the run's own figure where it has one: tokio rounds every sleep
/// up to the next whole millisecond, so a Python reader must not take these for asyncio's.
pub(crate) fn timer_note(run: &RunRecord, cpython: Option<&CpythonRecord>) -> String {
    let mut s = format!(
        "{TIMER_MARK} The async models sleep on tokio's timer, which rounds every sleep up to the \
         next whole millisecond"
    );
    if let Some((want, took)) = async_sleep(run) {
        s.push_str(&format!(
            ": a {} sleep took {} here",
            format::duration(want),
            format::duration(took)
        ));
    }
    match cpython.and_then(|p| p.asyncio_sleep_requested_s.zip(p.asyncio_sleep_actual_s)) {
        Some((want, took)) => s.push_str(&format!(
            ", where asyncio's {} sleep took {}",
            format::duration(want),
            format::duration(took)
        )),
        None => s.push_str("; asyncio's does not round (calibrate times it on this machine)"),
    }
    s.push_str(". Read these figures as tokio's, not as what asyncio would reach.");
    s
}

/// The pick column of a row, in one line.
pub(crate) fn pick_cell(row: &AnswerRow) -> String {
    match &row.choice {
        None if !row.has_baseline => "no sequential baseline".to_string(),
        None => "no model succeeded".to_string(),
        Some(choice) => {
            let avoid = avoid_words(choice);
            if avoid.is_empty() {
                pick_words(choice)
            } else {
                format!("{}; {avoid}", pick_words(choice))
            }
        }
    }
}

/// The GIL cost column: free threads over GIL threads, or `–`.
fn gil_cost(row: &AnswerRow) -> String {
    row.gil_cost.map(short_factor).unwrap_or_else(|| "–".into())
}

/// Real CPython's best speedup per CPython model for a row's shape: `threads 0.98×,
/// processes 1.9×, asyncio 3.9×`; `None` where the peer did not measure the shape.
fn cpython_cell(row: &AnswerRow, cmp: &Comparison) -> Option<String> {
    let key = shape_key(&row.sample.workload, &row.sample.params);
    let shape = cmp.shapes.iter().find(|s| s.key == key)?;
    let mut seen: Vec<(&str, f64)> = Vec::new();
    for pc in &shape.pairs {
        let best = pc.points.iter().filter_map(|p| p.cpython).fold(f64::NAN, f64::max);
        if best.is_finite() && !seen.iter().any(|(m, _)| *m == pc.pair.cpython) {
            seen.push((pc.pair.cpython, best));
        }
    }
    let parts: Vec<String> = seen
        .iter()
        .map(|(m, s)| format!("{} {}", m.trim_start_matches("cpython:"), short_factor(*s)))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// The section at the top of the page: the table, then `below` (the penalty map and the
/// convoy sentence). Nothing for a run without workload cases.
pub(super) fn answer_section(
    run: &RunRecord,
    cpython: Option<&CpythonRecord>,
    below: Markup,
) -> Markup {
    let rows = answer_rows(run);
    if rows.is_empty() {
        return html! {};
    }
    let cmp = cpython.map(|peer| compare(run, peer));
    let families: Vec<Family> =
        Family::ALL.into_iter().filter(|f| rows.iter().any(|r| r.best(*f).is_some())).collect();
    let has_gil = rows.iter().any(|r| r.gil_cost.is_some());
    let note = format::intervals_note(run);
    let marked = any_timer_mark(&rows);
    html! {
        section #answer {
            h2 { "The answer" }
            table.answer {
                thead {
                    tr {
                        th.shape { "work" }
                        @for f in &families { th title=(note) { (f.name()) } }
                        @if cmp.is_some() { th.peer title="real CPython's best speedup per model (from cpython.json)" { "CPython" } }
                        th.pick { "pick" }
                        @if has_gil { th.cost title="free threads' best speedup over GIL threads' best" { "GIL cost" } }
                    }
                }
                tbody {
                    @for row in &rows {
                        tr {
                            td.shape {
                                a href=(format!("#{}", scenario_id(&row.scenarios[0]))) { (row.shape) }
                            }
                            @for f in &families { (family_cell(row, *f)) }
                            @if let Some(cmp) = &cmp {
                                td { (cpython_cell(row, cmp).unwrap_or_else(|| "–".into())) }
                            }
                            td.pick { (pick_cell(row)) }
                            @if has_gil { td.num { (gil_cost(row)) } }
                        }
                    }
                }
            }
            p.lead {
                "Each cell: the family's best speedup over running the tasks one after another, "
                "with its model and worker count, and a 95 % interval. A tie is a median within "
                (format::percent(TIE - 1.0)) " of the fastest; "
                (format::percent(crate::analysis::AVOID - 1.0))
                " slower with apart intervals is one to avoid. Rows read every scenario that ran the shape."
            }
            @if marked { p.lead { (timer_note(run, cpython)) } }
            (below)
        }
    }
}

fn family_cell(row: &AnswerRow, family: Family) -> Markup {
    let Some(best) = row.best(family) else { return html! { td.num.none { "–" } } };
    let class = match &row.choice {
        Some(c) if c.pick.iter().any(|b| b.model == best.model) => "num pick",
        Some(c) if c.avoid.iter().any(|b| b.model == best.model) => "num avoid",
        _ => "num",
    };
    let s = &best.speedup;
    let title = format!(
        "{} with {}: {} [{}, {}]",
        best.model,
        format::workers(best.workers),
        format::factor(s.median),
        format::factor(s.ci_low),
        format::factor(s.ci_high)
    );
    let who = match family {
        Family::FreeThreads | Family::GilThreads => format::workers(best.workers),
        _ => format!("{}, {}", best.model, format::workers(best.workers)),
    };
    let mark = timer_mark(row, family);
    html! {
        td class=(class) title=(title) {
            b { (format::factor(s.median)) } @if let Some(m) = mark { sup { (m) } } " "
            span.ci { "[" (format::factor(s.ci_low).trim_end_matches('×')) ", " (format::factor(s.ci_high).trim_end_matches('×')) "]" }
            br; span.who { (who) }
        }
    }
}

/// The answer table in markdown, with the pick and GIL cost columns.
pub(crate) fn answer_markdown(run: &RunRecord) -> String {
    let rows = answer_rows(run);
    if rows.is_empty() {
        return String::new();
    }
    let families: Vec<Family> =
        Family::ALL.into_iter().filter(|f| rows.iter().any(|r| r.best(*f).is_some())).collect();
    let has_gil = rows.iter().any(|r| r.gil_cost.is_some());
    let mut out = String::from("## The answer\n\n| work |");
    for f in &families {
        out.push_str(&format!(" {} |", f.name()));
    }
    out.push_str(if has_gil { " pick | GIL cost |\n|---|" } else { " pick |\n|---|" });
    out.push_str(&"---:|".repeat(families.len()));
    out.push_str(if has_gil { "---|---:|\n" } else { "---|\n" });
    for row in &rows {
        out.push_str(&format!("| {} |", row.shape));
        for f in &families {
            let mark = timer_mark(row, *f).unwrap_or_default();
            let cell = match row.best(*f) {
                Some(b) => {
                    format!("{}{mark} ({}, {}w)", format::speedup(&b.speedup), b.model, b.workers)
                }
                None => "–".into(),
            };
            out.push_str(&format!(" {cell} |"));
        }
        out.push_str(&format!(" {} |", pick_cell(row).replace('|', "\\|")));
        if has_gil {
            out.push_str(&format!(" {} |", gil_cost(row)));
        }
        out.push('\n');
    }
    out.push('\n');
    if any_timer_mark(&rows) {
        out.push_str(&format!("{}\n\n", timer_note(run, None)));
    }
    out
}
