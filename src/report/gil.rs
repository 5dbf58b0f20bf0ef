//! The GIL findings in words: a verdict per workload shape (GIL threads against free threads
//! and processes), the break-even task size per payload, and each model's Amdahl serial
//! fraction. It compares the medians and intervals `analysis` returns; nothing is measured or
//! fitted here.

use crate::analysis::{
    BreakEven, CrossoverMap, GilPoint, SerialFraction, crossover_maps, gil_points, serial_fractions,
};
use crate::plot::{fraction_label, payload_label, task_label};

/// A factor with two significant digits: `2.0×`, `0.52×`, `12×`.
pub(crate) fn short_factor(x: f64) -> String {
    if !x.is_finite() {
        "–".into()
    } else if x >= 10.0 {
        format!("{x:.0}×")
    } else if x >= 1.0 {
        format!("{x:.1}×")
    } else {
        format!("{x:.2}×")
    }
}

/// A margin between two models: like [`short_factor`], but with two decimals just above 1,
/// where a small margin would otherwise read `1.0×`: `1.04×`, `2.0×`.
fn margin(x: f64) -> String {
    if (1.0..1.1).contains(&x) { format!("{x:.2}×") } else { short_factor(x) }
}

/// One factor, or the range of several when they do not read the same: `2.0×`, `1.8–2.0×`.
fn factor_range(values: &[f64]) -> String {
    range_with(values, short_factor)
}

/// One margin, or the range of several: `1.04×`, `1.6–2.0×`.
fn margin_range(values: &[f64]) -> String {
    range_with(values, margin)
}

fn range_with(values: &[f64], show: fn(f64) -> String) -> String {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (a, b) = (show(lo), show(hi));
    if a == b { a } else { format!("{}–{b}", a.trim_end_matches('×')) }
}

/// The smallest ratio of speedups worth a recommendation: a model whose interval clears the
/// other's but that is less than 10 % faster is "within 10 %", not a winner.
pub(crate) const WORTH: f64 = 1.10;

/// Whether `a` clearly beats `b` by at least [`WORTH`].
fn decisively(a: &crate::analysis::Best, b: &crate::analysis::Best) -> bool {
    a.clearly_beats(b) && a.speedup.median >= b.speedup.median * WORTH
}

/// How processes compare with GIL threads at one point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Choice {
    Processes,
    GilThreads,
    /// One clears the other, by less than [`WORTH`].
    Close,
    Unclear,
}

/// How GIL threads compare with free threads at one point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lock {
    Costs,
    Free,
    GilFaster,
    Unmeasured,
}

fn choice(p: &GilPoint) -> Choice {
    match &p.processes {
        Some(proc) if decisively(proc, &p.gil) => Choice::Processes,
        Some(proc) if decisively(&p.gil, proc) => Choice::GilThreads,
        Some(proc) if !proc.overlaps(&p.gil) => Choice::Close,
        _ => Choice::Unclear,
    }
}

fn lock(p: &GilPoint) -> Lock {
    match &p.threads {
        Some(t) if decisively(t, &p.gil) => Lock::Costs,
        Some(t) if decisively(&p.gil, t) => Lock::GilFaster,
        Some(_) => Lock::Free,
        None => Lock::Unmeasured,
    }
}

/// The verdict sentences of the GIL question, one per workload shape: consecutive CPU
/// fractions of a sweep that reach the same conclusion share a sentence; a workload without a
/// CPU fraction gets its own. Groups of a task-size sweep are left to [`break_even_sentences`].
pub fn gil_verdicts(run: &crate::results::RunRecord) -> Vec<String> {
    let swept: Vec<String> = crossover_maps(run).into_iter().map(|m| m.scenario).collect();
    let points: Vec<GilPoint> =
        gil_points(run).into_iter().filter(|p| !swept.contains(&p.scenario)).collect();
    let mut families: Vec<(&str, Vec<&GilPoint>)> = Vec::new();
    for p in &points {
        match families.iter_mut().find(|(f, _)| *f == p.family) {
            Some((_, members)) => members.push(p),
            None => families.push((&p.family, vec![p])),
        }
    }
    let mut out = Vec::new();
    for (_, mut members) in families {
        let sweep = members.len() >= 2 && members.iter().all(|p| p.cpu_fraction.is_some());
        if !sweep {
            for p in members {
                out.push(sentence(&p.title, &[p]));
            }
            continue;
        }
        members.sort_by(|a, b| {
            a.cpu_fraction.unwrap_or(0.0).total_cmp(&b.cpu_fraction.unwrap_or(0.0))
        });
        let (min, max) = (members[0].cpu_fraction, members[members.len() - 1].cpu_fraction);
        let mut start = 0;
        for end in 1..=members.len() {
            let split = end == members.len()
                || choice(members[end]) != choice(members[start])
                || lock(members[end]) != lock(members[start]);
            if split {
                let bucket = &members[start..end];
                out.push(sentence(&shape_label(bucket, min, max), bucket));
                start = end;
            }
        }
    }
    out
}

/// "CPU-bound (CPU fraction ≥ 0.5) with 2ms tasks" for a run of sorted sweep points.
fn shape_label(bucket: &[&GilPoint], min: Option<f64>, max: Option<f64>) -> String {
    let lo = bucket[0].cpu_fraction.unwrap_or(0.0);
    let hi = bucket[bucket.len() - 1].cpu_fraction.unwrap_or(0.0);
    let kind = if hi <= 0.1 {
        "IO-bound"
    } else if lo >= 0.5 {
        "CPU-bound"
    } else {
        "Mixed"
    };
    let (from_min, to_max) = (Some(lo) == min, Some(hi) == max);
    let range = if lo == hi {
        format!("CPU fraction {}", fraction_label(lo))
    } else if from_min && to_max {
        format!("every CPU fraction, {}–{}", fraction_label(lo), fraction_label(hi))
    } else if to_max {
        format!("CPU fraction ≥ {}", fraction_label(lo))
    } else if from_min {
        format!("CPU fraction ≤ {}", fraction_label(hi))
    } else {
        format!("CPU fraction {}–{}", fraction_label(lo), fraction_label(hi))
    };
    let task =
        bucket[0].task_s.map(|s| format!(" with {} tasks", task_label(s))).unwrap_or_default();
    format!("{kind} ({range}){task}")
}

/// The sentence for points sharing one conclusion.
fn sentence(label: &str, points: &[&GilPoint]) -> String {
    let gil: Vec<f64> = points.iter().map(|p| p.gil.speedup.median).collect();
    let threads: Vec<f64> =
        points.iter().filter_map(|p| p.threads.as_ref().map(|t| t.speedup.median)).collect();
    let procs: Vec<f64> =
        points.iter().filter_map(|p| p.processes.as_ref().map(|t| t.speedup.median)).collect();
    let proc_name = points
        .iter()
        .find_map(|p| p.processes.as_ref().map(|b| b.model.clone()))
        .unwrap_or_else(|| "processes".into());
    let first = match choice(points[0]) {
        Choice::Processes => {
            let margins: Vec<f64> = points.iter().filter_map(|p| p.processes_over_gil).collect();
            format!(
                "use processes ({proc_name}), {} over GIL threads on this machine",
                margin_range(&margins)
            )
        }
        Choice::GilThreads => {
            let margins: Vec<f64> =
                points.iter().filter_map(|p| p.processes_over_gil.map(|m| 1.0 / m)).collect();
            format!("GIL threads beat processes ({proc_name}), {}", margin_range(&margins))
        }
        Choice::Close => format!(
            "processes ({proc_name}, {}) and GIL threads ({}) are within 10 % of each other",
            factor_range(&procs),
            factor_range(&gil)
        ),
        Choice::Unclear if procs.is_empty() => "processes were not measured".to_string(),
        Choice::Unclear => format!(
            "no clear winner between processes ({proc_name}, {}) and GIL threads ({})",
            factor_range(&procs),
            factor_range(&gil)
        ),
    };
    let second = match lock(points[0]) {
        Lock::Free => format!(
            "GIL threads scale like free threads, {} vs {}",
            factor_range(&gil),
            factor_range(&threads)
        ),
        Lock::Costs => {
            let costs: Vec<f64> = points.iter().filter_map(|p| p.threads_over_gil).collect();
            format!(
                "the GIL costs {} against free threads ({} vs {})",
                margin_range(&costs),
                factor_range(&gil),
                factor_range(&threads)
            )
        }
        Lock::GilFaster => format!(
            "GIL threads were faster than free threads here ({} vs {})",
            factor_range(&gil),
            factor_range(&threads)
        ),
        Lock::Unmeasured => return format!("{label}: {first}"),
    };
    format!("{label}: {first}; {second}")
}

/// One sentence per crossover map: from which task size processes clearly beat GIL threads,
/// per payload.
pub fn break_even_sentences(run: &crate::results::RunRecord) -> Vec<String> {
    crossover_maps(run).iter().filter_map(break_even_sentence).collect()
}

/// The break-even sentence of one map; `None` without a processes model.
pub(crate) fn break_even_sentence(map: &CrossoverMap) -> Option<String> {
    let processes = map.processes.as_ref()?;
    let (first, last) = (map.tasks.first()?, map.tasks.last()?);
    let clauses: Vec<String> = map
        .payloads
        .iter()
        .zip(&map.break_even)
        .enumerate()
        .map(|(i, (&p, be))| {
            let payload = if p == 0 {
                "no payload".to_string()
            } else {
                format!("{} payloads", payload_label(p))
            };
            let when = match be {
                BreakEven::From(col) if i == 0 => {
                    format!("from {} tasks", task_label(map.tasks[*col]))
                }
                BreakEven::From(col) => format!("from {}", task_label(map.tasks[*col])),
                BreakEven::Always => {
                    format!("at every task size measured (from {})", task_label(*first))
                }
                BreakEven::Never => format!("at no task size up to {}", task_label(*last)),
                BreakEven::Unknown => "not measured".to_string(),
            };
            if i == 0 {
                format!("with {payload} {when}")
            } else {
                format!("with {payload}, {when}")
            }
        })
        .collect();
    Some(format!(
        "{}: processes ({processes}) clearly beat GIL threads {}.",
        map.title,
        clauses.join("; ")
    ))
}

/// How a model is named in an Amdahl sentence.
fn amdahl_model(model: &str) -> String {
    match model {
        "gil" => "under the GIL".into(),
        "threads" => "with free threads".into(),
        other => format!("with {other}"),
    }
}

fn percent(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// "92% serial [88%, 95%]".
fn serial_text(f: &SerialFraction) -> String {
    match f.interval {
        Some((lo, hi)) => {
            format!("{} serial [{}, {}]", percent(f.serial), percent(lo), percent(hi))
        }
        None => format!("{} serial", percent(f.serial)),
    }
}

/// One sentence per comparison group with a fit, e.g. "cpu (…): under the GIL this workload is
/// 97% serial [95%, 99%]; with free threads 1% serial [0%, 2%]". With `only` set, just those
/// models are named. Returns (scenario, sentence) pairs in run order.
pub fn amdahl_sentences(
    run: &crate::results::RunRecord,
    only: Option<&[&str]>,
) -> Vec<(String, String)> {
    let fits: Vec<SerialFraction> = serial_fractions(run)
        .into_iter()
        .filter(|f| only.is_none_or(|models| models.contains(&f.model.as_str())))
        .collect();
    let mut groups: Vec<(&str, Vec<&SerialFraction>)> = Vec::new();
    for f in &fits {
        match groups.iter_mut().find(|(g, _)| *g == f.group) {
            Some((_, v)) => v.push(f),
            None => groups.push((&f.group, vec![f])),
        }
    }
    groups
        .into_iter()
        .map(|(_, mut v)| {
            v.sort_by_key(|f| crate::plot::model_rank(&f.model));
            // The GIL leads: it is the question this section answers.
            v.sort_by_key(|f| f.model != "gil");
            let parts: Vec<String> = v
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    if i == 0 {
                        format!("{} this workload is {}", amdahl_model(&f.model), serial_text(f))
                    } else {
                        format!("{} {}", amdahl_model(&f.model), serial_text(f))
                    }
                })
                .collect();
            (v[0].scenario.clone(), format!("{}: {}", v[0].title, parts.join("; ")))
        })
        .collect()
}
