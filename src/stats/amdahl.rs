//! Amdahl's law fit: the serial fraction `s` of `speedup(n) = 1 / (s + (1 - s) / n)` that best
//! explains measured speedups, with a bootstrap interval from the raw samples. Pure functions.

use super::bootstrap::interval;
use super::median;

/// A fitted serial fraction and its bootstrap interval, all in `0..=1`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AmdahlFit {
    /// Least-squares serial fraction.
    pub serial: f64,
    /// Lower bound of the bootstrap interval.
    pub ci_low: f64,
    /// Upper bound of the bootstrap interval.
    pub ci_high: f64,
}

/// The speedup Amdahl's law predicts on `n` units for serial fraction `s`.
pub fn amdahl_speedup(s: f64, n: f64) -> f64 {
    1.0 / (s + (1.0 - s) / n)
}

/// The serial fraction `s` in `0..=1` minimising the squared speedup error over `(units,
/// speedup)` points. Points with fewer than two units or a non-finite speedup say nothing
/// about `s` and are ignored; `None` when no point is left.
pub fn amdahl_serial_fraction(points: &[(f64, f64)]) -> Option<f64> {
    let used: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|&(n, y)| n.is_finite() && n >= 2.0 && y.is_finite() && y > 0.0)
        .collect();
    if used.is_empty() {
        return None;
    }
    let loss = |s: f64| -> f64 {
        used.iter()
            .map(|&(n, y)| {
                let e = y - amdahl_speedup(s, n);
                e * e
            })
            .sum()
    };
    // A coarse scan finds the basin (the loss need not be unimodal in general); a golden
    // section search then refines inside the bracket around the best grid point.
    const GRID: usize = 200;
    let best = (0..=GRID)
        .map(|i| i as f64 / GRID as f64)
        .min_by(|a, b| loss(*a).total_cmp(&loss(*b)))
        .expect("invariant: the grid is not empty");
    let step = 1.0 / GRID as f64;
    let (mut lo, mut hi) = ((best - step).max(0.0), (best + step).min(1.0));
    let phi = (5.0_f64.sqrt() - 1.0) / 2.0;
    let mut c = hi - phi * (hi - lo);
    let mut d = lo + phi * (hi - lo);
    for _ in 0..60 {
        if loss(c) < loss(d) {
            hi = d;
        } else {
            lo = c;
        }
        c = hi - phi * (hi - lo);
        d = lo + phi * (hi - lo);
    }
    let refined = (lo + hi) / 2.0;
    Some(if loss(refined) <= loss(best) { refined } else { best })
}

/// Fits the serial fraction to raw wall times: `baseline` are the sequential samples, and each
/// entry of `cases` pairs a unit count with that case's samples. The speedup of a case is
/// `median(baseline) / median(case)`.
///
/// The interval resamples the baseline and every case independently (with replacement)
/// `resamples` times and refits; it is the `level` percentile interval of those fits, widened
/// if need be to contain the point estimate. `None`
/// when the baseline is empty or no case with two or more units has samples.
pub fn amdahl_fit(
    baseline: &[f64],
    cases: &[(f64, &[f64])],
    level: f64,
    resamples: usize,
) -> Option<AmdahlFit> {
    let cases: Vec<(f64, &[f64])> =
        cases.iter().copied().filter(|(n, xs)| *n >= 2.0 && !xs.is_empty()).collect();
    if baseline.is_empty() || cases.is_empty() {
        return None;
    }
    let speedups = |base: &[f64], samples: &mut dyn FnMut(usize) -> f64| -> Vec<(f64, f64)> {
        let b = median(base);
        cases.iter().enumerate().map(|(i, (n, _))| (*n, b / samples(i))).collect()
    };
    let serial = amdahl_serial_fraction(&speedups(baseline, &mut |i| median(cases[i].1)))?;

    let mut rng = fastrand::Rng::with_seed(0x616d_6461_686c_2121);
    let mut base_buf = vec![0.0; baseline.len()];
    let mut case_bufs: Vec<Vec<f64>> = cases.iter().map(|(_, xs)| vec![0.0; xs.len()]).collect();
    let mut fits: Vec<f64> = Vec::with_capacity(resamples.max(1));
    for _ in 0..resamples.max(1) {
        for slot in base_buf.iter_mut() {
            *slot = baseline[rng.usize(..baseline.len())];
        }
        for (buf, (_, xs)) in case_bufs.iter_mut().zip(&cases) {
            for slot in buf.iter_mut() {
                *slot = xs[rng.usize(..xs.len())];
            }
        }
        let points = speedups(&base_buf, &mut |i| median(&case_bufs[i]));
        if let Some(s) = amdahl_serial_fraction(&points) {
            fits.push(s);
        }
    }
    if fits.is_empty() {
        return Some(AmdahlFit { serial, ci_low: serial, ci_high: serial });
    }
    let (ci_low, ci_high) = interval(&mut fits, level);
    Some(AmdahlFit { serial, ci_low: ci_low.min(serial), ci_high: ci_high.max(serial) })
}
