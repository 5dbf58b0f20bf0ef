//! Percentile bootstrap confidence intervals, with a fixed seed so a summary is reproducible.

/// The `level` (e.g. 0.95) percentile-bootstrap interval of `stat` over `xs`, from
/// `resamples` resamples with replacement.
pub fn bootstrap_ci(
    xs: &[f64],
    level: f64,
    resamples: usize,
    stat: impl Fn(&[f64]) -> f64,
) -> (f64, f64) {
    if xs.len() < 2 {
        let v = xs.first().copied().unwrap_or(f64::NAN);
        return (v, v);
    }
    let mut rng = fastrand::Rng::with_seed(0x6769_6c62_656e_6368);
    let mut buf = vec![0.0; xs.len()];
    let mut stats: Vec<f64> = (0..resamples.max(1))
        .map(|_| {
            for slot in buf.iter_mut() {
                *slot = xs[rng.usize(..xs.len())];
            }
            stat(&buf)
        })
        .collect();
    interval(&mut stats, level)
}

/// The bootstrap interval of `stat(a) / stat(b)`, resampling both sets independently.
pub fn bootstrap_ratio_ci(
    a: &[f64],
    b: &[f64],
    level: f64,
    resamples: usize,
    stat: impl Fn(&[f64]) -> f64,
) -> (f64, f64) {
    if a.is_empty() || b.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mut rng = fastrand::Rng::with_seed(0x7261_7469_6f63_6921);
    let (mut ba, mut bb) = (vec![0.0; a.len()], vec![0.0; b.len()]);
    let mut stats: Vec<f64> = (0..resamples.max(1))
        .map(|_| {
            for slot in ba.iter_mut() {
                *slot = a[rng.usize(..a.len())];
            }
            for slot in bb.iter_mut() {
                *slot = b[rng.usize(..b.len())];
            }
            stat(&ba) / stat(&bb)
        })
        .collect();
    interval(&mut stats, level)
}

/// The `level` percentile interval of bootstrap statistics (sorted in place).
pub(super) fn interval(stats: &mut [f64], level: f64) -> (f64, f64) {
    stats.sort_by(f64::total_cmp);
    let alpha = (1.0 - level.clamp(0.0, 1.0)) / 2.0;
    let last = stats.len() - 1;
    let lo = ((alpha * last as f64).floor() as usize).min(last);
    let hi = (((1.0 - alpha) * last as f64).ceil() as usize).min(last);
    (stats[lo], stats[hi])
}

/// The bootstrap interval of `stat(a) / stat(b)` for paired samples — `a[i]` and `b[i]` taken
/// in the same interleaved round — resampling whole rounds, so drift that hit both members of
/// a pair cancels out. Falls back to independent resampling when the lengths differ.
pub fn bootstrap_paired_ratio_ci(
    a: &[f64],
    b: &[f64],
    level: f64,
    resamples: usize,
    stat: impl Fn(&[f64]) -> f64,
) -> (f64, f64) {
    if a.len() != b.len() {
        return bootstrap_ratio_ci(a, b, level, resamples, stat);
    }
    if a.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let n = a.len();
    let mut rng = fastrand::Rng::with_seed(0x7061_6972_6564_2121);
    let (mut ba, mut bb) = (vec![0.0; n], vec![0.0; n]);
    let mut stats: Vec<f64> = (0..resamples.max(1))
        .map(|_| {
            for i in 0..n {
                let k = rng.usize(..n);
                ba[i] = a[k];
                bb[i] = b[k];
            }
            stat(&ba) / stat(&bb)
        })
        .collect();
    interval(&mut stats, level)
}
