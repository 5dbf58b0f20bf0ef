//! The GIL's shape checks against CPython: whether a shape is CPU-bound, IO-bound or mixed,
//! and whether threads behave as that character demands (CPU-bound threads gain nothing,
//! IO-bound threads scale), each with its sentence.

use std::collections::BTreeMap;

use super::{NO_GAIN_MAX, SCALING_SHARE, cpython_label};

/// Whether a shape's work is CPU-bound, IO-bound or in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Character {
    /// All CPU: threads under a GIL must not scale.
    CpuBound,
    /// All waiting: threads under a GIL must scale.
    IoBound,
    /// Both: no shape claim.
    Mixed,
}

impl Character {
    /// The character of a workload with its parameters (`mixed` by its `cpu_fraction`); CPU
    /// work that releases the GIL for a share of its time is in between.
    pub fn of(workload: &str, params: &BTreeMap<String, String>) -> Character {
        let released = params.get("released_fraction").and_then(|f| f.parse::<f64>().ok());
        if released.is_some_and(|r| r > 0.0) {
            return Character::Mixed;
        }
        match workload {
            "cpu" | "memory" => Character::CpuBound,
            "io-sleep" | "io-net" | "io-file" => Character::IoBound,
            _ => match params.get("cpu_fraction").and_then(|f| f.parse::<f64>().ok()) {
                Some(f) if f >= 1.0 => Character::CpuBound,
                Some(f) if f <= 0.0 => Character::IoBound,
                _ => Character::Mixed,
            },
        }
    }
}

/// The claim a shape check makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// CPU-bound threads under a GIL gain nothing: none beats one thread by more than
    /// [`NO_GAIN_MAX`].
    NoGain,
    /// IO-bound threads under a GIL scale: at the largest worker count they beat one thread by
    /// [`SCALING_SHARE`] of the ideal.
    Scales,
}

/// One shape check on one model.
#[derive(Debug, Clone, PartialEq)]
pub struct ShapeCheck {
    /// The model checked (`cpython:threads` or `gil`).
    pub model: String,
    /// The claim.
    pub claim: Claim,
    /// Whether it holds; `None` when there is nothing to check.
    pub holds: Option<bool>,
    /// The check in words, with its figures.
    pub sentence: String,
}

/// Checks `claim` on `points` (workers, speedup against sequential) of `model`, with `tasks`
/// tasks per batch.
///
/// The claims are about threads against one thread, so where the model has a one-worker point
/// each speedup is taken relative to it (the sequential baseline's own noise then cancels out);
/// without one, against the sequential baseline.
pub fn check_shape(model: &str, claim: Claim, points: &[(usize, f64)], tasks: usize) -> ShapeCheck {
    let who = if model.starts_with("cpython:") {
        cpython_label(model)
    } else {
        format!("threads under the {model} model")
    };
    let one = points.iter().find(|(w, _)| *w == 1).map(|p| p.1).filter(|s| *s > 0.0);
    let (base, against) = match one {
        Some(s) => (s, "one thread"),
        None => (1.0, "sequential"),
    };
    let multi: Vec<(usize, f64)> =
        points.iter().filter(|(w, _)| *w > 1).map(|&(w, s)| (w, s / base)).collect();
    let (holds, sentence) = match claim {
        Claim::NoGain => match multi.iter().copied().reduce(|a, b| if b.1 > a.1 { b } else { a }) {
            None => (None, format!("CPU-bound: {who} have no point with more than one worker")),
            Some((w, best)) => {
                let holds = best <= NO_GAIN_MAX;
                (
                    Some(holds),
                    format!(
                        "CPU-bound: {who} {} (best {best:.2}× {against} at {w} workers; limit \
                         {NO_GAIN_MAX:.2}×)",
                        if holds {
                            "gain nothing over one thread"
                        } else {
                            "gain over one thread, against the GIL's shape"
                        }
                    ),
                )
            }
        },
        Claim::Scales => match multi.iter().copied().max_by_key(|(w, _)| *w) {
            None => (None, format!("IO-bound: {who} have no point with more than one worker")),
            Some((w, s)) => {
                let need = (SCALING_SHARE * w.min(tasks.max(1)) as f64).max(1.5);
                let holds = s >= need;
                (
                    Some(holds),
                    format!(
                        "IO-bound: {who} {} ({s:.2}× {against} at {w} workers; at least \
                         {need:.2}× expected)",
                        if holds { "scale" } else { "do not scale" }
                    ),
                )
            }
        },
    };
    ShapeCheck { model: model.to_string(), claim, holds, sentence }
}
