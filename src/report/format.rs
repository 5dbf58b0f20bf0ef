//! How numbers read in the report: durations in ns/µs/ms/s, speedups as `1.90×`, intervals in
//! the unit of their median, bytes in binary units. Formatting only; nothing is computed.

use crate::results::{CaseStatus, RunRecord, Speedup};
use crate::stats::IntervalMethod;

/// Three significant digits, without a needless exponent: `12.3`, `1.23`, `123`.
fn sig3(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let a = x.abs();
    let decimals = if a >= 100.0 {
        0
    } else if a >= 10.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        3
    };
    format!("{x:.decimals$}")
}

/// The unit a duration of `s` seconds reads best in: (divisor, suffix).
fn duration_unit(s: f64) -> (f64, &'static str) {
    let a = s.abs();
    if a >= 1.0 {
        (1.0, "s")
    } else if a >= 1e-3 {
        (1e-3, "ms")
    } else if a >= 1e-6 {
        (1e-6, "µs")
    } else {
        (1e-9, "ns")
    }
}

/// A duration given in seconds: `850 ns`, `12.3 µs`, `4.56 ms`, `1.20 s`.
pub(crate) fn duration(s: f64) -> String {
    if !s.is_finite() {
        return "–".into();
    }
    let (div, unit) = duration_unit(s);
    format!("{} {unit}", sig3(s / div))
}

/// A duration and its interval in the duration's unit: `12.3 ms [12.1, 12.6]`.
pub(crate) fn duration_interval(median: f64, low: f64, high: f64) -> String {
    if !median.is_finite() {
        return "–".into();
    }
    let (div, unit) = duration_unit(median);
    format!("{} {unit} [{}, {}]", sig3(median / div), sig3(low / div), sig3(high / div))
}

/// A speedup factor: `1.90×`, `0.452×`, `12.5×`.
pub(crate) fn factor(x: f64) -> String {
    format!("{}×", sig3(x))
}

/// A speedup and its interval: `1.90× [1.80, 2.00]`.
pub(crate) fn speedup(s: &Speedup) -> String {
    format!("{} [{}, {}]", factor(s.median), sig3(s.ci_low), sig3(s.ci_high))
}

/// Bytes in binary units: `512 B`, `23.5 GiB`.
pub(crate) fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = UNITS[0];
    for u in &UNITS[1..] {
        if v < 1024.0 {
            break;
        }
        v /= 1024.0;
        unit = u;
    }
    format!("{} {unit}", sig3(v))
}

/// A count that is a median (may be fractional): `12`, `3.5`, `1.2k`.
pub(crate) fn count(x: f64) -> String {
    if !x.is_finite() {
        "–".into()
    } else if x.abs() >= 10_000.0 {
        format!("{}k", sig3(x / 1000.0))
    } else if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

/// A large number with an SI prefix: `1.23 M`, `512`.
pub(crate) fn si(x: f64) -> String {
    let a = x.abs();
    let (div, prefix) = if a >= 1e9 {
        (1e9, "G")
    } else if a >= 1e6 {
        (1e6, "M")
    } else if a >= 1e3 {
        (1e3, "k")
    } else {
        (1.0, "")
    };
    if prefix.is_empty() { sig3(x) } else { format!("{} {prefix}", sig3(x / div)) }
}

/// "1 worker", "4 workers".
pub(crate) fn workers(n: usize) -> String {
    if n == 1 { "1 worker".into() } else { format!("{n} workers") }
}

/// A figure and its interval in its unit: durations for `s`, SI prefixes otherwise
/// (`1.23 M ops/s [1.20 M, 1.25 M]`).
pub(crate) fn value_interval(unit: &str, median: f64, low: f64, high: f64) -> String {
    if unit == "s" {
        return duration_interval(median, low, high);
    }
    if !median.is_finite() {
        return "–".into();
    }
    format!("{} {unit} [{}, {}]", si(median), si(low), si(high))
}

/// An interval's name with its level: "93.8 % order-statistic interval" (an exact coverage),
/// "nominal 95 % paired bootstrap interval".
pub(crate) fn interval_name(method: IntervalMethod, level: f64) -> String {
    let pct = percent(level);
    if method.exact() {
        format!("{pct} {}", method.name())
    } else {
        format!("nominal {pct} {}", method.name())
    }
}

/// A fraction as a percentage with at most one decimal: 0.05 → "5 %", 0.125 → "12.5 %".
pub(crate) fn percent(x: f64) -> String {
    let pct = format!("{:.1}", x * 100.0);
    format!("{} %", pct.strip_suffix(".0").unwrap_or(&pct))
}

/// What the intervals of a run's cases are, in one sentence: the medians' and the speedups'
/// methods and levels as recorded (several levels where sample counts differ).
pub(crate) fn intervals_note(run: &RunRecord) -> String {
    // Per method, the range of levels (order-statistic coverage varies with sample count).
    let mut medians: Vec<(IntervalMethod, f64, f64)> = Vec::new();
    let mut speedups: Vec<(IntervalMethod, f64, f64)> = Vec::new();
    let add = |v: &mut Vec<(IntervalMethod, f64, f64)>, method: IntervalMethod, level: f64| match v
        .iter_mut()
        .find(|(m, _, _)| *m == method)
    {
        Some((_, lo, hi)) => {
            *lo = lo.min(level);
            *hi = hi.max(level);
        }
        None => v.push((method, level, level)),
    };
    for c in run.cases.iter().filter(|c| c.status == CaseStatus::Ok) {
        if let Some(s) = &c.summary {
            add(&mut medians, s.ci_method, s.ci_level);
        }
        if let Some(s) = &c.speedup {
            add(&mut speedups, s.ci_method, s.ci_level);
        }
    }
    let list = |v: &[(IntervalMethod, f64, f64)]| {
        v.iter()
            .map(|&(method, lo, hi)| {
                if lo == hi {
                    interval_name(method, lo)
                } else if method.exact() {
                    format!("{} of {} to {} coverage", method.name(), percent(lo), percent(hi))
                } else {
                    format!("{} at nominal {} to {}", method.name(), percent(lo), percent(hi))
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut parts = Vec::new();
    if !medians.is_empty() {
        parts.push(format!(
            "medians: {} (distribution-free: the samples' order statistics around the median; \
             five samples give [min, max])",
            list(&medians)
        ));
    }
    if !speedups.is_empty() {
        parts.push(format!(
            "speedups: {} (the geometric mean of the ratios of samples paired by interleaving \
             round, Student's t on their logs)",
            list(&speedups)
        ));
    }
    if parts.is_empty() { String::new() } else { format!("Intervals — {}.", parts.join("; ")) }
}
