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
    assert!(took >= Duration::from_millis(300), "{took:?}");
    assert!(waits >= 1, "the gate reported no wait");
    assert!(left <= Duration::from_millis(9_700), "the run budget was not charged: {left:?}");
    // With the run budget spent, the gate only reads the load.
    let mut none_left = Duration::ZERO;
    let start = Instant::now();
    let mut waited = 0;
    wait_for_quiet(&gate, &mut none_left, &AtomicBool::new(false), &mut |_| waited += 1);
    // One reading and no wait: shorter than the bounded wait above, and no wait reported.
    assert_eq!(waited, 0);
    assert!(start.elapsed() < took, "{:?} against {took:?}", start.elapsed());
}

fn planned(text: &str) -> Vec<crate::sweep::Planned> {
    let sc = crate::scenario::parse(text, std::path::Path::new("e.toml")).unwrap();
    crate::sweep::plan(&sc, 2)
}

fn case_of<'a>(cases: &'a [crate::sweep::Planned], model: &str) -> &'a crate::sweep::Planned {
    cases.iter().find(|c| c.key().contains(&format!("/{model}/"))).unwrap()
}

#[test]
fn batch_time_overlaps_sleeps_and_spreads_cpu_work_over_the_cpus() {
    use super::batch_time;
    let ms = Duration::from_millis;
    let cpu = planned(
        "models = [\"sequential\", \"threads\", \"gil\"]\nworkers = [4]\ntasks = 8\n\n\
         [[workload]]\nkind = \"cpu\"\ntask_duration = \"10ms\"\n",
    );
    assert_eq!(batch_time(case_of(&cpu, "sequential"), 2), Some(ms(80)));
    // 8 tasks of CPU work over 2 CPUs (4 threads); the GIL serialises them.
    assert_eq!(batch_time(case_of(&cpu, "threads"), 2), Some(ms(40)));
    assert_eq!(batch_time(case_of(&cpu, "gil"), 2), Some(ms(80)));
    let sleep = planned(
        "models = [\"sequential\", \"threads\", \"gil\"]\nworkers = [4]\ntasks = 8\n\n\
         [[workload]]\nkind = \"io-sleep\"\nsleep = \"10ms\"\n",
    );
    // Sleeps overlap across the 4 units, GIL or not: 2 rounds.
    assert_eq!(batch_time(case_of(&sleep, "threads"), 2), Some(ms(20)));
    assert_eq!(batch_time(case_of(&sleep, "gil"), 2), Some(ms(20)));
    // Under the GIL, work done with the lock released overlaps like free threads' work.
    let released = planned(
        "models = [\"gil\"]\nworkers = [4]\ntasks = 8\n\n\
         [[workload]]\nkind = \"cpu\"\ntask_duration = \"10ms\"\nreleased_fraction = [0.5, 1]\n",
    );
    let at = |f: &str| {
        released.iter().find(|c| c.key().contains(&format!("released_fraction={f}/"))).unwrap()
    };
    // Half held: 8 × 5 ms serial; all released: 80 ms over 2 CPUs.
    assert_eq!(batch_time(at("0.5"), 2), Some(ms(40)));
    assert_eq!(batch_time(at("1"), 2), Some(ms(40)));
    let mixed = planned(
        "models = [\"gil\"]\nworkers = [2]\ntasks = 8\n\n[[workload]]\nkind = \"mixed\"\n\
         task_duration = \"10ms\"\ncpu_fraction = 0.8\nreleased_fraction = 0.25\n",
    );
    // 8 × 6 ms held against 4 rounds of 10 ms: the lock decides.
    assert_eq!(batch_time(&mixed[0], 2), Some(ms(48)));
    let unknown = planned(
        "models = [\"sequential\"]\ntasks = 8\n\n[[workload]]\nkind = \"cpu\"\niterations = 5\n",
    );
    assert_eq!(batch_time(&unknown[0], 2), None, "iterations state no time");
}

#[test]
fn the_estimate_follows_the_profiles_counts_and_budget() {
    use super::{Profile, estimate};
    // 1 warm-up, 3 to 10 rounds, 100 ms per case.
    let quick = Profile::named("quick").unwrap();
    let one = |task: &str| {
        planned(&format!(
            "models = [\"sequential\"]\ntasks = 1\n\n[[workload]]\nkind = \"cpu\"\n\
             task_duration = \"{task}\"\n"
        ))
    };
    let ms = Duration::from_millis;
    // Short batches: the round limit comes first (10 rounds and the warm-up).
    assert_eq!(estimate(&one("5ms")[0], &quick, 2), Some(ms(55)));
    // Long batches: the budget is spent by the minimum of 3 rounds.
    assert_eq!(estimate(&one("1s")[0], &quick, 2), Some(ms(4000)));
    // Between: rounds until the budget is spent (4 × 25 ms ≥ 100 ms), and the warm-up.
    assert_eq!(estimate(&one("25ms")[0], &quick, 2), Some(ms(125)));
    let full = Profile::named("full").unwrap(); // 3 warm-up, 10 to 200 rounds, 5 s
    assert_eq!(estimate(&one("10ms")[0], &full, 2), Some(ms(2030)));
    // Two threads: no warm-up, and each visit adds the 100 ms lead-in, so the budget is spent
    // by the minimum of 3 rounds.
    let two = planned(
        "models = [\"threads\"]\nworkers = [2]\ntasks = 2\n\n[[workload]]\nkind = \"cpu\"\n\
         task_duration = \"5ms\"\n",
    );
    assert_eq!(estimate(&two[0], &quick, 2), Some(ms(3 * 105)));
}

/// The calibrated rate is the rate tasks run at: a task sized for 1 ms by it takes 1 ms (best
/// of nine on either side, so a busy machine shifts both alike). A calibration whose loop the
/// compiler could specialise read about 10 % fast here, and every "2ms" task took 2.2 ms.
#[test]
fn a_task_sized_by_the_calibration_lasts_its_duration() {
    let best = |n: u64| {
        (0..9)
            .map(|r| {
                let t = std::time::Instant::now();
                std::hint::black_box(crate::work::cpu_kernel(r, std::hint::black_box(n)));
                t.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    };
    let mut ratios = Vec::new();
    for _ in 0..3 {
        let rate = super::calibrate_cpu();
        let took = best((rate * 1e-3) as u64);
        let ratio = took / 1e-3;
        if (ratio - 1.0).abs() <= 0.06 {
            return;
        }
        ratios.push(ratio);
    }
    panic!("a calibrated 1 ms task took {ratios:?} × 1 ms in three tries");
}
