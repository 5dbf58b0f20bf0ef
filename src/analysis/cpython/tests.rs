use std::collections::BTreeMap;
use std::path::Path;

use super::*;
use crate::report::{check_sentence, pair_sentence, summary_sentence};
use crate::results::cpython::parse_cpython;
use crate::results::{CaseRecord, Machine, ResultsError, RunRecord, RunStatus, Speedup};

fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn shape(workload: &str) -> Vec<(&'static str, &'static str)> {
    let own: &[(&str, &str)] = match workload {
        "cpu" => &[("task_duration", "2ms")],
        "io-sleep" => &[("sleep", "2ms")],
        _ => &[("task_duration", "2ms"), ("cpu_fraction", "0.5")],
    };
    let mut v = own.to_vec();
    v.extend([("tasks", "16"), ("payload_bytes", "1024")]);
    v
}

fn ours(model: &str, workload: &str, workers: usize, speedup: Option<f64>) -> CaseRecord {
    let mut p = params(&shape(workload));
    p.insert("workers".into(), workers.to_string());
    if model == "gil" {
        p.insert("switch_interval".into(), "5ms".into());
    }
    CaseRecord {
        scenario: "calibrate".into(),
        case: format!("calibrate/{model}/{workload}/workers={workers}"),
        group: format!("calibrate/{workload}"),
        model: model.into(),
        workload: workload.into(),
        params: p,
        workers,
        tasks: 16,
        unit: "s".into(),
        speedup: speedup.map(|median| Speedup::paired(median, median, median)),
        warmup: 1,
        ..CaseRecord::default()
    }
}

fn theirs(model: &str, workload: &str, workers: usize, median: f64) -> PeerCase {
    let mut p = params(&shape(workload));
    p.insert("workers".into(), workers.to_string());
    if model == "cpython:threads" {
        p.insert("switch_interval".into(), "5ms".into());
    }
    PeerCase {
        model: model.into(),
        workload: workload.into(),
        params: p,
        workers,
        tasks: 16,
        iterations: 0,
        hash_bytes: 0,
        sleep_s: 0.0,
        status: PeerStatus::Ok,
        reason: None,
        samples: vec![median; 3],
        median: Some(median),
        checksum: Some("00".into()),
    }
}

fn run(cases: Vec<CaseRecord>) -> RunRecord {
    RunRecord {
        seed: 7,
        sampling: None,
        groups: Vec::new(),
        sentinel: Vec::new(),
        schema_version: crate::results::SCHEMA_VERSION,
        gilbench_version: "0".into(),
        started_at: "2026-01-01T00:00:00Z".into(),
        finished_at: None,
        status: RunStatus::Complete,
        profile: "quick".into(),
        command: Vec::new(),
        scenario_files: Vec::new(),
        machine: Machine::default(),
        overhead: Default::default(),
        calibration: crate::results::Calibration { cpu_iterations_per_s: 1e9 },
        cases,
    }
}

fn peer(cases: Vec<PeerCase>) -> CpythonRecord {
    CpythonRecord {
        peer: "cpython_peer".into(),
        peer_version: 1,
        python_version: "3.11.7".into(),
        implementation: "CPython".into(),
        executable: "python3".into(),
        gil_enabled: Some(true),
        gil_disabled_build: Some(false),
        switch_interval_s: 0.005,
        start_method: "forkserver".into(),
        usable_cpus: Some(2),
        cpu_iterations_per_s: 4e6,
        hash_bytes_per_s: None,
        warmup: 1,
        elapsed_s: 1.0,
        pool_task_overhead_s: None,
        asyncio_sleep_requested_s: None,
        asyncio_sleep_actual_s: None,
        cases,
        convoy: Vec::new(),
    }
}

/// CPU-bound: CPython threads at 1.0, 0.95, 0.9 (medians 32, 33.7, 35.6 ms over a 32 ms
/// baseline); the model at `gil` speedups given.
fn cpu_fixture(gil: [f64; 3]) -> (RunRecord, CpythonRecord) {
    let mut ours_cases = vec![ours("sequential", "cpu", 1, None)];
    for (w, s) in [1, 2, 4].into_iter().zip(gil) {
        ours_cases.push(ours("gil", "cpu", w, Some(s)));
    }
    let mut peer_cases = vec![theirs("cpython:sequential", "cpu", 1, 0.032)];
    for (w, s) in [(1, 1.0), (2, 0.95), (4, 0.9)] {
        peer_cases.push(theirs("cpython:threads", "cpu", w, 0.032 / s));
    }
    (run(ours_cases), peer(peer_cases))
}

#[test]
fn ratio_error_is_symmetric() {
    assert!((ratio_error(1.1) - 0.1).abs() < 1e-12);
    assert!((ratio_error(1.0 / 1.1) - 0.1).abs() < 1e-12);
    assert_eq!(ratio_error(1.0), 0.0);
    assert!((ratio_error(0.5) - 1.0).abs() < 1e-12);
}

#[test]
fn shape_keys_ignore_workers_and_switch_interval() {
    let a = params(&[("task_duration", "2ms"), ("workers", "4"), ("switch_interval", "5ms")]);
    let b = params(&[("task_duration", "2ms"), ("workers", "1")]);
    assert_eq!(shape_key("cpu", &a), "cpu/task_duration=2ms");
    assert_eq!(shape_key("cpu", &a), shape_key("cpu", &b));
    assert_ne!(shape_key("cpu", &a), shape_key("mixed", &a));
}

#[test]
fn speedups_are_matched_by_shape_and_workers() {
    let (r, p) = cpu_fixture([0.98, 0.97, 0.92]);
    let cmp = compare(&r, &p);
    assert_eq!(cmp.shapes.len(), 1);
    let shape = &cmp.shapes[0];
    assert_eq!(shape.character, Character::CpuBound);
    assert_eq!(shape.workers, [1, 2, 4]);
    let gil = shape.pairs.iter().find(|pc| pc.pair.model == "gil").expect("gil pair");
    let ratios: Vec<f64> = gil.points.iter().map(|p| p.ratio().expect("both sides")).collect();
    for (got, want) in ratios.iter().zip([0.98, 0.97 / 0.95, 0.92 / 0.9]) {
        assert!((got - want).abs() < 1e-9, "{ratios:?}");
    }
    let max = gil.max_error().expect("compared");
    assert!((max - (0.92 / 0.9 - 1.0)).abs() < 1e-9, "{max}");
    // Pairs without any gilbench side still list CPython's points, unmatched.
    let procs = shape.pairs.iter().find(|pc| pc.pair.model == "threads").expect("pair");
    assert!(procs.compared().next().is_none());
}

#[test]
fn agreement_sentence_names_the_bound_or_the_misses() {
    let (r, p) = cpu_fixture([0.98, 0.97, 0.92]);
    let cmp = compare(&r, &p);
    let gil = &cmp.shapes[0].pairs[0];
    assert_eq!(
        pair_sentence(gil),
        "the model's gil speedup is within 3% of CPython threads on every point (1, 2 and 4 workers)"
    );

    let (r, p) = cpu_fixture([0.98, 1.9, 3.6]);
    let cmp = compare(&r, &p);
    let s = pair_sentence(&cmp.shapes[0].pairs[0]);
    assert!(
        s.starts_with("the model's gil speedup is within 3% of CPython threads at 1 worker, but"),
        "{s}"
    );
    assert!(
        s.contains("at 2 workers it is 2.00× the CPython threads speedup (1.90× against 0.95×)"),
        "{s}"
    );
    assert!(s.contains("at 4 workers it is 4.00×"), "{s}");

    let summary = &cmp.summaries()[0];
    assert_eq!((summary.compared, summary.agreeing), (3, 1));
    let worst = summary.worst.as_ref().expect("worst point");
    assert_eq!(worst.1, 4);
    assert!(
        summary_sentence(summary).contains("on 1 of 3 points"),
        "{}",
        summary_sentence(summary)
    );
}

#[test]
fn cpu_bound_checks_hold_for_a_flat_gil_and_fail_for_a_scaling_one() {
    let (r, p) = cpu_fixture([0.98, 0.97, 0.92]);
    let cmp = compare(&r, &p);
    let checks: Vec<&ShapeCheck> = cmp.checks().collect();
    assert_eq!(checks.len(), 2);
    assert!(checks.iter().all(|c| c.claim == Claim::NoGain && c.holds == Some(true)), "{checks:?}");

    // A model whose "GIL" lets CPU threads scale must fail the check, and CPython's stays.
    let (r, p) = cpu_fixture([0.98, 1.9, 3.6]);
    let cmp = compare(&r, &p);
    let gil = cmp.checks().find(|c| c.model == "gil").expect("gil check");
    assert_eq!(gil.holds, Some(false), "{}", check_sentence(gil));
    // Relative to one thread: 3.6 / 0.98.
    assert!(
        check_sentence(gil).contains("best 3.67× one thread at 4 workers"),
        "{}",
        check_sentence(gil)
    );
    let real = cmp.checks().find(|c| c.model == "cpython:threads").expect("check");
    assert_eq!(real.holds, Some(true));
}

#[test]
fn io_bound_threads_must_scale() {
    let held =
        check_shape("cpython:threads", Claim::Scales, &[(1, 0.97), (2, 1.93), (4, 3.65)], 16);
    assert_eq!(held.holds, Some(true), "{}", check_sentence(&held));
    let flat = check_shape("gil", Claim::Scales, &[(1, 1.0), (2, 1.0), (4, 1.05)], 16);
    assert_eq!(flat.holds, Some(false), "{}", check_sentence(&flat));
    assert!(check_sentence(&flat).contains("at least 2.00× expected"), "{}", check_sentence(&flat));
    // Few tasks cap the ideal: 2 tasks on 4 workers can reach 2× at best. Without a one-worker
    // point the speedup against sequential is used.
    let capped = check_shape("gil", Claim::Scales, &[(4, 1.6)], 2);
    assert_eq!(capped.holds, Some(true), "{}", check_sentence(&capped));
    assert!(check_sentence(&capped).contains("1.60× sequential"), "{}", check_sentence(&capped));
    // A slow sequential baseline (every speedup 1.3×) does not make flat threads "gain".
    let noisy = check_shape("gil", Claim::NoGain, &[(1, 1.3), (2, 1.31), (4, 1.28)], 16);
    assert_eq!(noisy.holds, Some(true), "{}", check_sentence(&noisy));
    let none = check_shape("gil", Claim::NoGain, &[(1, 1.0)], 16);
    assert_eq!(none.holds, None);
}

#[test]
fn characters_follow_the_cpu_fraction() {
    let f = |x: &str| Character::of("mixed", &params(&[("cpu_fraction", x)]));
    assert_eq!(f("1"), Character::CpuBound);
    assert_eq!(f("0"), Character::IoBound);
    assert_eq!(f("0.5"), Character::Mixed);
    assert_eq!(Character::of("io-sleep", &BTreeMap::new()), Character::IoBound);
    assert_eq!(Character::of("cpu", &BTreeMap::new()), Character::CpuBound);
}

#[test]
fn failed_peer_cases_and_missing_baselines_give_no_point() {
    let (r, mut p) = cpu_fixture([0.98, 0.97, 0.92]);
    p.cases[2].status = PeerStatus::Failed;
    p.cases[2].median = None;
    let cmp = compare(&r, &p);
    let gil = &cmp.shapes[0].pairs[0];
    assert_eq!(gil.compared().count(), 2);
    assert_eq!(gil.points.iter().find(|pt| pt.workers == 2).and_then(|pt| pt.cpython), None);

    p.cases.remove(0); // no cpython:sequential: no CPython speedup at all
    let cmp = compare(&r, &p);
    assert_eq!(cmp.shapes[0].pairs[0].compared().count(), 0);
    assert!(pair_sentence(&cmp.shapes[0].pairs[0]).contains("no point to compare"));
}

#[test]
fn the_peer_output_round_trips_and_bad_files_are_named() {
    let (_, p) = cpu_fixture([1.0, 1.0, 1.0]);
    let text = serde_json::to_string(&p).expect("serialises");
    let path = Path::new("dir/cpython.json");
    assert_eq!(parse_cpython(&text, path).expect("parses"), p);

    let err = parse_cpython("{\"cases\": []}", path).expect_err("no peer field");
    assert!(err.to_string().contains("dir/cpython.json"), "{err}");
    let newer = text.replace("\"peer_version\":1", "\"peer_version\":99");
    assert!(matches!(parse_cpython(&newer, path), Err(ResultsError::Schema { found: 99, .. })));
    assert!(parse_cpython("not json", path).is_err());
}

#[test]
fn series_are_distinct_and_in_pair_order() {
    let (mut r, mut p) = cpu_fixture([0.98, 0.97, 0.92]);
    r.cases.push(ours("threads", "cpu", 2, Some(1.9)));
    r.cases.push(ours("processes:fork", "cpu", 2, Some(1.7)));
    p.cases.push(theirs("cpython:processes", "cpu", 2, 0.018));
    let cmp = compare(&r, &p);
    let names: Vec<&str> = cmp.shapes[0].series().iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["gil", "cpython:threads", "threads", "cpython:processes", "processes:fork"]);
}

#[test]
fn cpu_work_that_releases_the_gil_makes_no_cpu_bound_claim() {
    let cpu = |r: &str| Character::of("cpu", &params(&[("released_fraction", r)]));
    assert_eq!(cpu("0"), Character::CpuBound);
    assert_eq!(cpu("0.5"), Character::Mixed);
    assert_eq!(cpu("1"), Character::Mixed);
    assert_eq!(Character::of("cpu", &params(&[])), Character::CpuBound);
}

#[test]
fn python_costs_pair_the_pool_with_a_fork_unit_and_asyncio_sleep_with_tokio() {
    let (mut r, mut p) = cpu_fixture([1.0, 1.0, 1.0]);
    // Neither side measured anything: nothing to say.
    assert_eq!(python_costs(&r, &p), PythonCosts::default());
    p.pool_task_overhead_s = Some(40e-6);
    p.asyncio_sleep_requested_s = Some(0.002);
    p.asyncio_sleep_actual_s = Some(0.00205);
    r.overhead.empty_task_ns.insert("processes:fork".into(), 4000.0);
    let mut sleep = ours("async:current", "io-sleep", 1, None);
    sleep.params.insert("sleep".into(), "2ms".into());
    sleep.tasks = 16;
    sleep.summary = crate::stats::summarize(&[0.0496, 0.0497, 0.0498]);
    r.cases.push(sleep);
    let c = python_costs(&r, &p);
    assert_eq!(c.pool_task_s, Some(40e-6));
    assert!((c.fork_task_s.unwrap() - 4e-6).abs() < 1e-12);
    assert_eq!(c.asyncio_sleep, Some((0.002, 0.00205)));
    let (want, took) = c.tokio_sleep.unwrap();
    assert!((want - 0.002).abs() < 1e-12 && (took - 0.0497 / 16.0).abs() < 1e-9, "{took}");
}

/// A free-threaded build's record: the GIL off, the kernel `rate` iterations per second, the
/// plain cpu shape's threads measured at 1, 2 and 4 workers (speedups 1, 1.9, 1.9).
fn free_threaded(version: &str, rate: f64) -> CpythonRecord {
    let mut p = peer(Vec::new());
    p.python_version = version.into();
    p.gil_enabled = Some(false);
    p.gil_disabled_build = Some(true);
    p.cpu_iterations_per_s = rate;
    p.cases.push(theirs("cpython:sequential", "cpu", 1, 0.032));
    for (w, s) in [(1, 1.0), (2, 1.9), (4, 1.9)] {
        let mut c = theirs("cpython:threads", "cpu", w, 0.032 / s);
        c.iterations = 1000;
        p.cases.push(c);
    }
    p
}

#[test]
fn a_free_threaded_build_is_compared_with_free_threads_and_not_held_to_no_gain() {
    let (mut run, _) = cpu_fixture([1.0, 0.97, 0.95]);
    for (w, s) in [(1, 1.0), (2, 1.95), (4, 1.9)] {
        run.cases.push(ours("threads", "cpu", w, Some(s)));
    }
    let ft = free_threaded("3.13.0", 3e6);
    let cmp = compare(&run, &ft);
    assert_eq!(cmp.pairs, &FREE_THREADED_PAIRS);
    let threads = &cmp.shapes[0].pairs[0];
    assert_eq!((threads.pair.model, threads.pair.cpython), ("threads", "cpython:threads"));
    assert_eq!(threads.compared().count(), 3);
    assert!(threads.max_error().is_some_and(|e| e < 0.05), "{threads:?}");
    // CPU-bound threads that scale are what a free-threaded build is for: only the model's
    // own GIL is held to "no gain".
    let models: Vec<&str> = cmp.checks().map(|c| c.model.as_str()).collect();
    assert_eq!(models, ["gil"]);
    // A GIL build is still compared with the GIL model.
    let (run, gil_build) = cpu_fixture([1.0, 0.97, 0.95]);
    assert_eq!(compare(&run, &gil_build).pairs, &PAIRS);
}

#[test]
fn a_free_threaded_build_costs_one_thread_against_the_gil_build_of_its_version() {
    let mut gil_build = peer(Vec::new());
    gil_build.python_version = "3.13.0".into();
    gil_build.cases.push(theirs("cpython:sequential", "cpu", 1, 0.032));
    let mut one = theirs("cpython:threads", "cpu", 1, 0.032);
    one.iterations = 1250;
    gil_build.cases.push(one);
    let ft = free_threaded("3.13.0", 3e6);
    // 32 ms / (1000 × 16) against 32 ms / (1250 × 16): 1.25× slower per iteration.
    match free_threading(&[gil_build.clone(), ft.clone()]) {
        FreeThreading::Measured { costs, unpaired } => {
            assert!(unpaired.is_empty());
            assert_eq!(costs.len(), 1);
            assert!((costs[0].slowdown() - 1.25).abs() < 1e-9, "{costs:?}");
            assert_eq!(costs[0].free, "CPython 3.13.0t");
            assert_eq!(costs[0].gil, "CPython 3.13.0");
        }
        other => panic!("{other:?}"),
    }
    // Another version's GIL build is no reference; no free-threaded build: none measured.
    let mut other = gil_build.clone();
    other.python_version = "3.12.1".into();
    match free_threading(&[other.clone(), ft]) {
        FreeThreading::Measured { costs, unpaired } => {
            assert!(costs.is_empty());
            assert_eq!(unpaired, ["CPython 3.13.0t"]);
        }
        f => panic!("{f:?}"),
    }
    assert_eq!(free_threading(&[other, gil_build]), FreeThreading::NoneMeasured);
}

#[test]
fn interpreters_stand_side_by_side_at_every_shared_point() {
    let (mut run, gil_build) = cpu_fixture([1.0, 0.97, 0.95]);
    for (w, s) in [(1, 1.0), (2, 1.95), (4, 1.9)] {
        run.cases.push(ours("threads", "cpu", w, Some(s)));
    }
    let ft = free_threaded("3.13.0", 3e6);
    let side = side_by_side(&run, &[gil_build, ft]);
    assert_eq!(side.labels, ["CPython 3.11.7", "CPython 3.13.0t"]);
    assert_eq!(side.free, [false, true]);
    // 1 worker left out; 2 and 4 workers with every side's figure.
    let at: Vec<usize> = side.rows.iter().map(|r| r.workers).collect();
    assert_eq!(at, [2, 4]);
    let two = &side.rows[0];
    assert_eq!((two.gil, two.threads), (Some(0.97), Some(1.95)));
    let c: Vec<f64> = two.cpython.iter().map(|c| c.expect("both measured")).collect();
    assert!((c[0] - 0.95).abs() < 1e-9 && (c[1] - 1.9).abs() < 1e-9, "{c:?}");
}
