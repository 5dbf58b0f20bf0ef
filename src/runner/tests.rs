use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use super::group::round_order;
use super::{LoadGate, wait_for_quiet};

#[test]
fn every_round_visits_every_case_once_in_a_reproducible_order() {
    let mut first_seen = [0usize; 6];
    for round in 0..600 {
        let order = round_order(6, 42, 3, round);
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(sorted, (0..6).collect::<Vec<_>>(), "round {round} is not a permutation");
        assert_eq!(order, round_order(6, 42, 3, round), "same seed, same order");
        first_seen[order[0]] += 1;
    }
    // Each case leads a round about 100 times out of 600; none is always first or never.
    assert!(first_seen.iter().all(|&n| (50..=150).contains(&n)), "{first_seen:?}");
    assert_ne!(round_order(6, 42, 3, 0), round_order(6, 43, 3, 0), "the seed matters");
}

#[test]
#[cfg(target_os = "linux")] // the load comes from /proc/stat
fn the_load_gate_waits_then_proceeds_within_its_bound() {
    // A threshold no machine meets: the gate must wait its bound, then go on.
    let gate = LoadGate {
        threshold_cpus: -1.0,
        max_wait: Duration::from_millis(300),
        run_budget: Duration::from_secs(10),
        window: Duration::from_millis(50),
    };
    let mut left = gate.run_budget;
    let mut waits = 0;
    let start = Instant::now();
    let load = wait_for_quiet(&gate, &mut left, &AtomicBool::new(false), &mut |_| waits += 1);
    let took = start.elapsed();
    assert!(load.is_some_and(|l| l >= 0.0));
    assert!(took >= Duration::from_millis(300) && took < Duration::from_secs(2), "{took:?}");
    assert!(waits >= 1, "the gate reported no wait");
    assert!(left <= Duration::from_millis(9_700), "the run budget was not charged: {left:?}");
    // With the run budget spent, the gate only reads the load.
    let mut none_left = Duration::ZERO;
    let start = Instant::now();
    wait_for_quiet(&gate, &mut none_left, &AtomicBool::new(false), &mut |_| {});
    assert!(start.elapsed() < Duration::from_millis(250));
}
