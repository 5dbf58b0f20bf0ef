//! The CPython comparison in words: each pair's agreement over a shape and over every shape,
//! every point side by side (calibrate's closing lines), and each shape check. The figures are
//! [`crate::analysis::cpython`]'s; only the words are here.

use crate::analysis::cpython::{
    AGREEMENT, Claim, Comparison, NO_GAIN_MAX, PairComparison, PairSummary, Point, Reference,
    ShapeCheck, cpython_label, ratio_error,
};

/// How a gilbench model's speedup is named in sentences.
fn model_subject(model: &str) -> String {
    if model == "gil" {
        "the model's gil speedup".into()
    } else {
        format!("gilbench's {model} speedup")
    }
}

fn workers_word(n: usize) -> &'static str {
    if n == 1 { "worker" } else { "workers" }
}

fn worker_list(points: &[&Point]) -> String {
    let n: Vec<String> = points.iter().map(|p| p.workers.to_string()).collect();
    match n.len() {
        0 => String::new(),
        1 if n[0] == "1" => "1 worker".into(),
        1 => format!("{} workers", n[0]),
        _ => format!("{} and {} workers", n[..n.len() - 1].join(", "), n[n.len() - 1]),
    }
}

/// One pair over one shape: "the model's gil speedup is within 8% of CPython threads on every
/// point (1, 2 and 4 workers)", or where it is not.
pub fn pair_sentence(pc: &PairComparison) -> String {
    let subject = model_subject(pc.pair.model);
    let other = cpython_label(pc.pair.cpython);
    let compared: Vec<&Point> = pc.compared().collect();
    if compared.is_empty() {
        return format!("{subject}: no point to compare with {other} (one side has no result)");
    }
    let (good, bad): (Vec<&Point>, Vec<&Point>) =
        compared.iter().partition(|p| p.agrees() == Some(true));
    let within = |pts: &[&Point]| {
        let worst = pts.iter().filter_map(|p| p.error()).fold(0.0, f64::max);
        (worst * 100.0).ceil().max(1.0) as u32
    };
    if bad.is_empty() {
        let counts = worker_list(&compared);
        return format!(
            "{subject} is within {}% of {other} on every point ({counts})",
            within(&good)
        );
    }
    let misses: Vec<String> = bad
        .iter()
        .map(|p| {
            format!(
                "at {} {} it is {:.2}× the {other} speedup ({:.2}× against {:.2}×)",
                p.workers,
                workers_word(p.workers),
                p.ratio().unwrap_or(f64::NAN),
                p.model.unwrap_or(f64::NAN),
                p.cpython.unwrap_or(f64::NAN)
            )
        })
        .collect();
    if good.is_empty() {
        format!(
            "{subject} is not within {:.0}% of {other} on any point: {}",
            AGREEMENT * 100.0,
            misses.join("; ")
        )
    } else {
        format!(
            "{subject} is within {}% of {other} at {}, but {}",
            within(&good),
            worker_list(&good),
            misses.join("; ")
        )
    }
}

/// One pair over every shape: "the model's gil speedup is within 10% of CPython threads on 12
/// of 15 points; the worst is ...".
pub fn summary_sentence(s: &PairSummary) -> String {
    let subject = model_subject(s.pair.model);
    let other = cpython_label(s.pair.cpython);
    if s.compared == 0 {
        return format!("{subject}: no point to compare with {other}");
    }
    let mut out = format!(
        "{subject} is within {:.0}% of {other} on {} of {} points",
        AGREEMENT * 100.0,
        s.agreeing,
        s.compared
    );
    if let Some((title, w, r)) = &s.worst {
        out.push_str(&format!(
            "; the worst is {title} at {w} {}, {r:.2}× the {other} speedup ({:.0}% off)",
            workers_word(*w),
            ratio_error(*r) * 100.0
        ));
    }
    out
}

/// Every compared point, one line per shape and pair: "cpu (task_duration=2ms, …): gil
/// against CPython threads: 1 worker 1.02× / 1.00×, 2 workers 1.52× / 1.83× (17% off)"
/// (gilbench's speedup first; the error shown where it exceeds [`AGREEMENT`]).
pub fn point_lines(cmp: &Comparison) -> Vec<String> {
    let mut out = Vec::new();
    for shape in &cmp.shapes {
        for pc in &shape.pairs {
            let points: Vec<String> = pc
                .compared()
                .filter_map(|p| {
                    let (m, c, e) = (p.model?, p.cpython?, p.error()?);
                    let off = if p.agrees() == Some(true) {
                        String::new()
                    } else {
                        format!(" ({:.0}% off)", e * 100.0)
                    };
                    Some(format!(
                        "{} {} {m:.2}× / {c:.2}×{off}",
                        p.workers,
                        workers_word(p.workers)
                    ))
                })
                .collect();
            if !points.is_empty() {
                out.push(format!(
                    "{}: {} against {}: {}",
                    shape.title(),
                    pc.pair.model,
                    cpython_label(pc.pair.cpython),
                    points.join(", ")
                ));
            }
        }
    }
    out
}

/// A shape check with its figures: "CPU-bound: CPython threads gain nothing over one thread
/// (best 1.00× one thread at 2 workers; limit 1.15×)".
pub fn check_sentence(c: &ShapeCheck) -> String {
    let who = if c.model.starts_with("cpython:") {
        cpython_label(&c.model)
    } else {
        format!("threads under the {} model", c.model)
    };
    let against = match c.against {
        Reference::OneThread => "one thread",
        Reference::Sequential => "sequential",
    };
    let holds = c.holds == Some(true);
    match (c.claim, c.at) {
        (Claim::NoGain, None) => {
            format!("CPU-bound: {who} have no point with more than one worker")
        }
        (Claim::Scales, None) => format!("IO-bound: {who} have no point with more than one worker"),
        (Claim::NoGain, Some((w, best))) => format!(
            "CPU-bound: {who} {} (best {best:.2}× {against} at {w} workers; limit \
             {NO_GAIN_MAX:.2}×)",
            if holds {
                "gain nothing over one thread"
            } else {
                "gain over one thread, against the GIL's shape"
            }
        ),
        (Claim::Scales, Some((w, s))) => format!(
            "IO-bound: {who} {} ({s:.2}× {against} at {w} workers; at least {:.2}× expected)",
            if holds { "scale" } else { "do not scale" },
            c.need.unwrap_or(f64::NAN)
        ),
    }
}
