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
    let a: Vec<f64> = drift.iter().enumerate().map(|(i, d)| 20.0 * d * (1.0 + 0.01 * (i % 3) as f64)).collect();
    let b: Vec<f64> = drift.iter().map(|d| 10.0 * d).collect();
    let (lo, hi) = bootstrap_paired_ratio_ci(&a, &b, 0.95, 2000, median);
    assert!(lo <= 2.0 && 2.0 <= hi + 0.03, "{lo}..{hi}");
    let (ulo, uhi) = bootstrap_ratio_ci(&a, &b, 0.95, 2000, median);
    assert!(hi - lo < (uhi - ulo) / 2.0, "paired {lo}..{hi} vs unpaired {ulo}..{uhi}");
}
