use super::*;

#[test]
fn median_and_mad_of_known_set() {
    let xs = [1.0, 2.0, 3.0, 4.0, 100.0];
    assert_eq!(median(&xs), 3.0);
    assert_eq!(mad(&xs), 1.0);
}

#[test]
fn summary_interval_brackets_median_and_flags_noise() {
    let calm: Vec<f64> = (0..20).map(|i| 10.0 + (i % 3) as f64 * 0.01).collect();
    let s = summarize(&calm).unwrap();
    assert!(s.ci_low <= s.median && s.median <= s.ci_high);
    assert!(!s.noisy);
    let wild: Vec<f64> = (0..20).map(|i| if i % 2 == 0 { 1.0 } else { 3.0 }).collect();
    assert!(summarize(&wild).unwrap().noisy);
    assert!(summarize(&[]).is_none());
}

#[test]
fn ratio_interval_contains_true_ratio() {
    let a: Vec<f64> = (0..30).map(|i| 20.0 + (i % 5) as f64 * 0.1).collect();
    let b: Vec<f64> = (0..30).map(|i| 10.0 + (i % 5) as f64 * 0.05).collect();
    let (lo, hi) = bootstrap_ratio_ci(&a, &b, 0.95, 1000, median);
    assert!(lo <= 2.0 && 2.0 <= hi, "{lo}..{hi}");
}

#[test]
fn percentile_ends() {
    let xs = [5.0, 1.0, 3.0];
    assert_eq!(percentile(&xs, 0.0), 1.0);
    assert_eq!(percentile(&xs, 100.0), 5.0);
}

#[test]
fn paired_ratio_interval_sees_through_shared_drift() {
    // Both series drift together by up to 40 % across rounds; the true ratio is 2.
    let drift: Vec<f64> = (0..20).map(|i| 1.0 + 0.4 * ((i * 7 % 20) as f64 / 20.0)).collect();
    let a: Vec<f64> =
        drift.iter().enumerate().map(|(i, d)| 20.0 * d * (1.0 + 0.01 * (i % 3) as f64)).collect();
    let b: Vec<f64> = drift.iter().map(|d| 10.0 * d).collect();
    let (lo, hi) = bootstrap_paired_ratio_ci(&a, &b, 0.95, 2000, median);
    assert!(lo <= 2.0 && 2.0 <= hi + 0.03, "{lo}..{hi}");
    let (ulo, uhi) = bootstrap_ratio_ci(&a, &b, 0.95, 2000, median);
    assert!(hi - lo < (uhi - ulo) / 2.0, "paired {lo}..{hi} vs unpaired {ulo}..{uhi}");
}

/// Samples around `centre` with a small deterministic spread (±1%).
fn around(centre: f64, n: usize) -> Vec<f64> {
    (0..n).map(|i| centre * (1.0 + ((i % 5) as f64 - 2.0) * 0.005)).collect()
}

/// Wall times Amdahl's law predicts for serial fraction `s` on each unit count, with spread.
fn amdahl_cases(s: f64, units: &[f64]) -> Vec<(f64, Vec<f64>)> {
    units.iter().map(|&n| (n, around(1.0 / amdahl_speedup(s, n), 12))).collect()
}

fn fit_of(s: f64, units: &[f64]) -> AmdahlFit {
    let cases = amdahl_cases(s, units);
    let refs: Vec<(f64, &[f64])> = cases.iter().map(|(n, xs)| (*n, xs.as_slice())).collect();
    amdahl_fit(&around(1.0, 12), &refs, 0.95, 500).expect("fit")
}

#[test]
fn perfect_scaling_is_not_serial() {
    let pts = [(2.0, 2.0), (4.0, 4.0), (8.0, 8.0)];
    assert!(amdahl_serial_fraction(&pts).unwrap() < 1e-6);
    let fit = fit_of(0.0, &[2.0, 4.0, 8.0]);
    assert!(fit.serial < 0.01 && fit.ci_high < 0.03, "{fit:?}");
}

#[test]
fn no_scaling_is_all_serial() {
    let pts = [(2.0, 1.0), (4.0, 1.0)];
    assert!(amdahl_serial_fraction(&pts).unwrap() > 1.0 - 1e-6);
    // Slower than sequential still clamps to 1.
    assert_eq!(amdahl_serial_fraction(&[(2.0, 0.8)]), Some(1.0));
    let fit = fit_of(1.0, &[2.0, 4.0]);
    assert!(fit.serial > 0.99 && fit.ci_low > 0.97, "{fit:?}");
}

#[test]
fn a_known_serial_fraction_is_recovered() {
    let units = [2.0, 4.0, 8.0, 16.0];
    let pts: Vec<(f64, f64)> = units.iter().map(|&n| (n, amdahl_speedup(0.3, n))).collect();
    let s = amdahl_serial_fraction(&pts).unwrap();
    assert!((s - 0.3).abs() < 1e-6, "{s}");
    let fit = fit_of(0.3, &units);
    assert!((fit.serial - 0.3).abs() < 0.01, "{fit:?}");
    assert!(fit.ci_low <= fit.serial && fit.serial <= fit.ci_high);
    assert!(fit.ci_low > 0.25 && fit.ci_high < 0.35, "{fit:?}");
}

#[test]
fn the_interval_widens_with_noise() {
    let calm = fit_of(0.5, &[2.0, 4.0]);
    let noisy: Vec<(f64, Vec<f64>)> = [2.0, 4.0]
        .iter()
        .map(|&n| {
            let t = 1.0 / amdahl_speedup(0.5, n);
            (n, (0..12).map(|i| t * if i % 2 == 0 { 0.8 } else { 1.2 }).collect())
        })
        .collect();
    let refs: Vec<(f64, &[f64])> = noisy.iter().map(|(n, xs)| (*n, xs.as_slice())).collect();
    let wide = amdahl_fit(&around(1.0, 12), &refs, 0.95, 500).unwrap();
    assert!(wide.ci_high - wide.ci_low > 2.0 * (calm.ci_high - calm.ci_low), "{wide:?} {calm:?}");
}

#[test]
fn a_fit_needs_two_or_more_units() {
    assert_eq!(amdahl_serial_fraction(&[(1.0, 1.0)]), None);
    assert_eq!(amdahl_serial_fraction(&[]), None);
    let one = around(1.0, 5);
    assert!(amdahl_fit(&one, &[(1.0, &one)], 0.95, 100).is_none());
    assert!(amdahl_fit(&[], &[(2.0, &one)], 0.95, 100).is_none());
}

#[test]
fn two_clusters_are_found_only_where_there_are_two() {
    // The 16-core case: 16 tasks on 16 workers, some samples ran two tasks on one CPU.
    let bimodal = [2.4, 2.4, 2.5, 2.5, 4.3, 4.4, 4.5, 4.6, 4.6, 4.6, 4.7, 4.7, 4.8, 4.8, 4.8];
    let c = two_clusters(&bimodal).expect("two clusters");
    assert_eq!((c.low_n, c.high_n), (4, 11));
    assert!((c.low - 2.45).abs() < 1e-9 && (c.high - 4.6).abs() < 1e-9, "{c:?}");
    // A wide but even spread, one outlier, too few samples: not two clusters.
    let spread: Vec<f64> = (0..15).map(|i| 2.0 + 0.2 * i as f64).collect();
    assert_eq!(two_clusters(&spread), None);
    let outlier = [1.0, 1.01, 1.02, 0.99, 1.0, 1.01, 1.0, 3.0];
    assert_eq!(two_clusters(&outlier), None);
    assert_eq!(two_clusters(&[1.0, 1.0, 3.0, 3.0]), None);
    assert_eq!(two_clusters(&[]), None);
}
