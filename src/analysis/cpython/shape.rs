//! The GIL's shape checks against CPython: whether a shape is CPU-bound, IO-bound or mixed,
//! and whether threads behave as that character demands (CPU-bound threads gain nothing,
//! IO-bound threads scale), each with the figures it was judged on (its words are the
//! report's).

use std::collections::BTreeMap;

use super::{NO_GAIN_MAX, SCALING_SHARE};
use crate::results::number_in;

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
        let released = number_in(params, "released_fraction");
        if released.is_some_and(|r| r > 0.0) {
            return Character::Mixed;
        }
        match workload {
            "cpu" | "memory" => Character::CpuBound,
            "io-sleep" | "io-net" | "io-file" => Character::IoBound,
            _ => match number_in(params, "cpu_fraction") {
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

/// What a shape check's speedups are taken against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reference {
    /// The model's own one-worker point.
    OneThread,
    /// The sequential baseline (the model has no one-worker point).
    Sequential,
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
    /// The point it was judged at: workers and speedup against [`ShapeCheck::against`] (the
    /// best point for [`Claim::NoGain`], the largest worker count for [`Claim::Scales`]).
    pub at: Option<(usize, f64)>,
    /// What the speedups are taken against.
    pub against: Reference,
    /// The speedup [`Claim::Scales`] needed at that point.
    pub need: Option<f64>,
}

/// Checks `claim` on `points` (workers, speedup against sequential) of `model`, with `tasks`
/// tasks per batch.
///
/// The claims are about threads against one thread, so where the model has a one-worker point
/// each speedup is taken relative to it (the sequential baseline's own noise then cancels out);
/// without one, against the sequential baseline.
pub fn check_shape(model: &str, claim: Claim, points: &[(usize, f64)], tasks: usize) -> ShapeCheck {
    let one = points.iter().find(|(w, _)| *w == 1).map(|p| p.1).filter(|s| *s > 0.0);
    let (base, against) = match one {
        Some(s) => (s, Reference::OneThread),
        None => (1.0, Reference::Sequential),
    };
    let multi: Vec<(usize, f64)> =
        points.iter().filter(|(w, _)| *w > 1).map(|&(w, s)| (w, s / base)).collect();
    let (at, need) = match claim {
        Claim::NoGain => (multi.iter().copied().reduce(|a, b| if b.1 > a.1 { b } else { a }), None),
        Claim::Scales => {
            let at = multi.iter().copied().max_by_key(|(w, _)| *w);
            (at, at.map(|(w, _)| (SCALING_SHARE * w.min(tasks.max(1)) as f64).max(1.5)))
        }
    };
    let holds = at.map(|(_, s)| match need {
        Some(need) => s >= need,
        None => s <= NO_GAIN_MAX,
    });
    ShapeCheck { model: model.to_string(), claim, holds, at, against, need }
}
