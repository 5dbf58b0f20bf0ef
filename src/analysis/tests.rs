//! Synthetic runs: every speedup and interval is chosen, so each view is exact.

use std::collections::BTreeMap;

use super::*;
use crate::measure::Sample;
use crate::results::{Calibration, Machine, Overhead, RunStatus, SCHEMA_VERSION};

/// A case of `workload` with `params` (besides workers and the batch shape).
pub(crate) fn case(
    workload: &str,
    params: &[(&str, &str)],
    model: &str,
    workers: usize,
    speedup: (f64, f64, f64),
) -> CaseRecord {
    let mut p: BTreeMap<String, String> =
        params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    p.insert("tasks".into(), "16".into());
    p.insert("workers".into(), workers.to_string());
    if model == GIL {
        p.insert("switch_interval".into(), "5ms".into());
    }
    let shown: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let group = format!("s/{workload}/{}/tasks=16", shown.join("/"));
    let (median, ci_low, ci_high) = speedup;
    CaseRecord {
        scenario: "s".into(),
        case: format!("s/{model}/{workload}/{}/workers={workers}", shown.join("/")),
        group,
        model: model.into(),
        workload: workload.into(),
        params: p,
        workers,
        tasks: 16,
        unit: "s".into(),
        speedup: (model != SEQUENTIAL).then_some(Speedup::paired(median, ci_low, ci_high)),
        ..CaseRecord::default()
    }
}

pub(crate) fn run_of(cases: Vec<CaseRecord>, usable_cpus: usize) -> RunRecord {
    RunRecord {
        seed: 7,
        sampling: None,
        groups: Vec::new(),
        sentinel: Vec::new(),
        schema_version: SCHEMA_VERSION,
        gilbench_version: "0.1.0".into(),
        started_at: "2026-05-01T10:00:00Z".into(),
        finished_at: None,
        status: RunStatus::Complete,
        profile: "quick".into(),
        command: Vec::new(),
        scenario_files: Vec::new(),
        machine: Machine {
            hostname: "h".into(),
            cpu_brand: "c".into(),
            arch: "x86_64".into(),
            physical_cores: Some(usable_cpus),
            logical_cpus: usable_cpus,
            usable_cpus,
            cpu_mhz: None,
            memory_bytes: 1 << 30,
            os: "linux".into(),
            kernel: "6".into(),
            virtualization: None,
            load_avg: [0.0; 3],
            rustc: "rustc 1.95.0".into(),
            gilbench_version: "0.1.0".into(),
            git_rev: None,
            environment: Default::default(),
        },
        overhead: Overhead::default(),
        calibration: Calibration { cpu_iterations_per_s: 1e9 },
        cases,
    }
}

fn s(m: f64) -> (f64, f64, f64) {
    (m, m * 0.95, m * 1.05)
}

/// gil, threads and processes:fork over 3 CPU fractions and workers 1 and 2.
fn mixed_run() -> RunRecord {
    let mut cases = Vec::new();
    for (f, gil2, thr2, proc2) in
        [("0", 1.9, 2.0, 1.9), ("0.5", 1.3, 1.9, 1.9), ("1", 1.0, 2.0, 2.0)]
    {
        let p = [("task_duration", "2ms"), ("cpu_fraction", f)];
        cases.push(case("mixed", &p, SEQUENTIAL, 1, s(1.0)));
        for (model, two) in [(THREADS, thr2), (GIL, gil2), ("processes:fork", proc2)] {
            cases.push(case("mixed", &p, model, 1, s(1.0)));
            cases.push(case("mixed", &p, model, 2, s(two)));
        }
    }
    run_of(cases, 2)
}

#[test]
fn penalty_cells_are_speedup_ratios() {
    let maps = penalty_maps(&mixed_run());
    assert_eq!(maps.len(), 2);
    let gil = &maps[0];
    assert_eq!((gil.numerator.as_str(), gil.denominator.as_str()), ("gil", "threads"));
    assert_eq!(gil.fractions, [0.0, 0.5, 1.0]);
    assert_eq!(gil.workers, [1, 2]);
    assert_eq!(gil.title, "mixed (task_duration=2ms, tasks=16)");
    let two = &gil.cells[1];
    let ratios: Vec<f64> = two.iter().map(|c| c.expect("cell").ratio).collect();
    assert!((ratios[0] - 0.95).abs() < 1e-12 && (ratios[2] - 0.5).abs() < 1e-12, "{ratios:?}");
    assert!(!two[0].unwrap().clear && two[2].unwrap().clear);
    assert!((gil.cells[0][1].unwrap().ratio - 1.0).abs() < 1e-12);
    let procs = &maps[1];
    assert_eq!((procs.numerator.as_str(), procs.denominator.as_str()), ("processes:fork", "gil"));
    assert!((procs.cells[1][2].unwrap().ratio - 2.0).abs() < 1e-12);
}

#[test]
fn penalty_maps_need_a_sweep_and_both_models() {
    let mut run = mixed_run();
    run.cases.retain(|c| c.params["cpu_fraction"] == "0.5");
    assert!(penalty_maps(&run).is_empty(), "one fraction is no map");
    let mut run = mixed_run();
    run.cases.retain(|c| c.model != THREADS);
    let maps = penalty_maps(&run);
    assert_eq!(maps.len(), 1);
    assert_eq!(maps[0].denominator, "gil");
    // A failed case leaves its cell empty.
    let mut run = mixed_run();
    for c in &mut run.cases {
        if c.model == GIL && c.workers == 2 && c.params["cpu_fraction"] == "1" {
            c.status = CaseStatus::Failed;
        }
    }
    assert!(penalty_maps(&run)[0].cells[1][2].is_none());
}

/// cpu tasks of 10 µs, 1 ms, 100 ms × payloads 0 and 1 MiB; processes win from 1 ms with no
/// payload and only at 100 ms with 1 MiB.
fn granularity_run() -> RunRecord {
    let mut cases = Vec::new();
    let grid = [
        ("0", [("10us", 0.5, 1.0), ("1ms", 1.9, 1.0), ("100ms", 2.0, 1.0)]),
        ("1048576", [("10us", 0.1, 1.0), ("1ms", 0.6, 1.0), ("100ms", 1.8, 1.0)]),
    ];
    for (payload, row) in grid {
        for (task, procs, gil) in row {
            let p = [("task_duration", task), ("payload_bytes", payload)];
            cases.push(case("cpu", &p, SEQUENTIAL, 1, s(1.0)));
            cases.push(case("cpu", &p, GIL, 2, s(gil)));
            cases.push(case("cpu", &p, "processes:fork", 2, s(procs)));
        }
    }
    run_of(cases, 2)
}

#[test]
fn crossover_ranks_models_and_finds_break_even() {
    let maps = crossover_maps(&granularity_run());
    assert_eq!(maps.len(), 1);
    let m = &maps[0];
    assert_eq!(m.tasks, [1e-5, 1e-3, 0.1]);
    assert_eq!(m.payloads, [0, 1 << 20]);
    assert_eq!(m.title, "cpu");
    assert_eq!(m.processes.as_deref(), Some("processes:fork"));
    let small = m.cells[0][0].as_ref().expect("cell");
    // gil (1.0) ties the sequential baseline (1.0): overlapping, no clear winner.
    assert_eq!(small.winner().model, "gil");
    assert!(!small.clear);
    let big = m.cells[0][2].as_ref().expect("cell");
    assert_eq!(big.winner().model, "processes:fork");
    assert!(big.clear && (big.margin - 2.0).abs() < 1e-12);
    assert_eq!(m.break_even, [BreakEven::From(1), BreakEven::From(2)]);
}

#[test]
fn break_even_needs_processes_to_stay_ahead() {
    let row = |wins: &[Option<(f64, f64)>]| -> Vec<Option<CrossoverCell>> {
        wins.iter()
            .map(|w| {
                let (p, g) = (*w)?;
                crossover::cell(&[
                    &case("cpu", &[], GIL, 2, s(g)),
                    &case("cpu", &[], "processes:fork", 2, s(p)),
                ])
            })
            .collect()
    };
    let be = |wins: &[Option<(f64, f64)>]| crossover::break_even(&row(wins), "processes:fork");
    assert_eq!(be(&[Some((2.0, 1.0)), Some((2.0, 1.0))]), BreakEven::Always);
    assert_eq!(be(&[Some((2.0, 1.0)), Some((1.0, 1.0))]), BreakEven::Never);
    // A win, a loss, then wins: the break-even is after the last loss.
    assert_eq!(
        be(&[Some((2.0, 1.0)), Some((0.5, 1.0)), Some((2.0, 1.0)), Some((3.0, 1.0))]),
        BreakEven::From(2)
    );
    // A column without data is skipped, not counted as a loss.
    assert_eq!(be(&[Some((0.5, 1.0)), None, Some((2.0, 1.0))]), BreakEven::From(2));
    assert_eq!(be(&[None, None]), BreakEven::Unknown);
}

#[test]
fn iterations_become_task_time_with_the_calibration() {
    let run = run_of(Vec::new(), 2);
    let c = case("cpu", &[("iterations", "1000000")], GIL, 2, s(1.0));
    assert_eq!(task_seconds(&c, &run), Some(1e-3));
    let d = case("cpu", &[("task_duration", "1s500ms")], GIL, 2, s(1.0));
    assert_eq!(task_seconds(&d, &run), Some(1.5));
}

#[test]
fn best_by_model_keeps_each_models_fastest_case() {
    let run = mixed_run();
    let group: Vec<&CaseRecord> =
        run.cases.iter().filter(|c| c.params["cpu_fraction"] == "1").collect();
    let ranking = best_by_model(&group);
    let names: Vec<(&str, usize)> = ranking.iter().map(|b| (b.model.as_str(), b.workers)).collect();
    assert_eq!(names, [("processes:fork", 2), ("threads", 2), ("gil", 1), ("sequential", 1)]);
    assert!(ranking[0].overlaps(&ranking[1]) && ranking[1].clearly_beats(&ranking[2]));
}

/// Wall-time samples for a speedup of `x` against a 1 s baseline.
fn samples(x: f64) -> Vec<Sample> {
    (0..8)
        .map(|i| Sample { wall_s: (1.0 + (i % 3) as f64 * 0.01) / x, ..Sample::default() })
        .collect()
}

#[test]
fn amdahl_fits_use_samples_and_cap_workers_at_the_cpus() {
    let p = [("task_duration", "2ms")];
    let mut cases = vec![case("cpu", &p, SEQUENTIAL, 1, s(1.0))];
    cases[0].samples = samples(1.0);
    for (model, two, four) in [(GIL, 1.0, 1.0), (THREADS, 2.0, 2.0)] {
        for (w, x) in [(1, 1.0), (2, two), (4, four)] {
            let mut c = case("cpu", &p, model, w, s(x));
            c.samples = samples(x);
            cases.push(c);
        }
    }
    let fits = serial_fractions(&run_of(cases, 2));
    assert_eq!(fits.len(), 2);
    let gil = fits.iter().find(|f| f.model == GIL).expect("gil fit");
    assert!(gil.serial > 0.97, "{gil:?}");
    let (lo, hi) = gil.interval.expect("interval from samples");
    assert!(lo <= gil.serial && gil.serial <= hi);
    assert_eq!(gil.points, [(2, 2), (4, 2)]);
    // Four threads on two CPUs at 2×: perfect scaling on the CPUs there are, s ≈ 0.
    let threads = fits.iter().find(|f| f.model == THREADS).expect("threads fit");
    assert!(threads.serial < 0.03, "{threads:?}");
    // Without samples the fit comes from the carried medians, without an interval.
    let fits = serial_fractions(&mixed_run());
    assert!(fits.iter().all(|f| f.interval.is_none()));
    let gil_cpu = fits.iter().find(|f| f.model == GIL && f.group.contains("cpu_fraction=1"));
    assert!(gil_cpu.is_some_and(|f| f.serial > 0.99));
}

#[test]
fn gil_points_compare_gil_with_threads_and_processes() {
    let points = gil_points(&mixed_run());
    assert_eq!(points.len(), 3);
    let cpu = &points[2];
    assert_eq!(cpu.cpu_fraction, Some(1.0));
    assert_eq!(cpu.task_s, Some(0.002));
    assert_eq!(cpu.processes.as_ref().map(|p| p.model.as_str()), Some("processes:fork"));
    assert!((cpu.processes_over_gil.unwrap() - 2.0).abs() < 1e-12);
    assert!((cpu.threads_over_gil.unwrap() - 2.0).abs() < 1e-12);
    assert!(points.iter().all(|p| p.family == points[0].family));
}

#[test]
fn released_maps_join_the_unreleased_groups_and_take_each_model_at_its_best() {
    let mut cases = Vec::new();
    for cpu in ["0.5", "1"] {
        for released in [None, Some("0.6")] {
            let mut p = vec![("task_duration", "2ms"), ("cpu_fraction", cpu)];
            if let Some(r) = released {
                p.push(("released_fraction", r));
            }
            let gil_best = if released.is_some() { 2.1 } else { 1.0 };
            cases.push(case("mixed", &p, SEQUENTIAL, 1, s(1.0)));
            cases.push(case("mixed", &p, GIL, 2, s(gil_best * 0.9)));
            cases.push(case("mixed", &p, GIL, 4, s(gil_best)));
            cases.push(case("mixed", &p, THREADS, 4, s(2.5)));
            cases.push(case("mixed", &p, "processes:fork", 4, s(3.5)));
            cases.push(case("mixed", &p, GIL_PROCESSES, 4, s(3.0)));
        }
    }
    // A family without a released sweep gives no map.
    cases.push(case("io-sleep", &[("sleep", "2ms")], SEQUENTIAL, 1, s(1.0)));
    cases.push(case("io-sleep", &[("sleep", "2ms")], GIL, 4, s(3.9)));
    let run = run_of(cases, 2);
    let maps = released_maps(&run);
    assert_eq!(maps.len(), 1, "{maps:?}");
    let m = &maps[0];
    assert_eq!(m.cpu_fractions, [0.5, 1.0]);
    assert_eq!(m.released_fractions, [0.0, 0.6]);
    assert_eq!(m.cells.len(), 4);
    let c = m.cell(1.0, 0.6).expect("measured");
    assert_eq!((c.gil.workers, c.gil.speedup.median), (4, 2.1));
    // A Python user's processes each have their own GIL: gil:processes is the one compared.
    assert_eq!(c.processes.as_ref().map(|p| p.model.as_str()), Some(GIL_PROCESSES));
    assert_eq!(m.cell(0.5, 0.0).map(|c| c.gil.speedup.median), Some(1.0));
    assert!(!m.title.contains("released_fraction") && !m.title.contains("cpu_fraction"));
}

/// One CPU-bound group: sequential plus each (model, workers, speedup).
fn cpu_group(models: &[(&str, usize, (f64, f64, f64))]) -> RunRecord {
    let mut cases = vec![case("cpu", &[("task_duration", "2ms")], SEQUENTIAL, 1, (1.0, 1.0, 1.0))];
    for &(model, workers, s) in models {
        cases.push(case("cpu", &[("task_duration", "2ms")], model, workers, s));
    }
    run_of(cases, 2)
}

fn picked(row: &AnswerRow) -> Vec<&str> {
    row.choice.as_ref().expect("a choice").pick.iter().map(|b| b.model.as_str()).collect()
}

fn avoided(row: &AnswerRow) -> Vec<&str> {
    row.choice.as_ref().expect("a choice").avoid.iter().map(|b| b.model.as_str()).collect()
}

#[test]
fn a_clear_winner_is_picked_alone_and_the_slow_families_are_avoided() {
    let run = cpu_group(&[
        ("threads", 2, (1.9, 1.8, 2.0)),
        ("threads", 4, (1.7, 1.6, 1.8)),
        (GIL, 2, (0.98, 0.96, 0.99)),
        ("processes:fork", 2, (1.6, 1.5, 1.7)),
        ("async:multi", 2, (1.2, 1.1, 1.3)),
    ]);
    let rows = answer_rows(&run);
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.shape, "CPU-bound, 2ms tasks");
    assert_eq!(row.best(Family::FreeThreads).map(|b| b.workers), Some(2));
    assert_eq!(picked(row), ["threads"]);
    // Slowest first; processes are 1.19× slower: not worth avoiding.
    assert_eq!(avoided(row), [GIL, "async:multi"]);
    assert!((row.gil_cost.unwrap() - 1.9 / 0.98).abs() < 1e-12);
}

#[test]
fn families_within_five_percent_tie() {
    let run = cpu_group(&[
        ("threads", 2, (1.97, 1.80, 2.10)),
        (GIL, 2, (0.98, 0.96, 0.99)),
        ("processes:fork", 2, (1.90, 1.80, 2.00)),
        ("processes:spawn", 2, (1.70, 1.60, 1.80)),
        ("async:multi", 2, (1.96, 1.70, 2.20)),
    ]);
    let row = &answer_rows(&run)[0];
    // Fastest first; processes:fork stands for its family.
    assert_eq!(picked(row), ["threads", "async:multi", "processes:fork"]);
    assert!(row.choice.as_ref().unwrap().is_tie());
    assert_eq!(avoided(row), [GIL]);
    // Just outside the tie: 1.97 / 1.87 > 1.05.
    let run =
        cpu_group(&[("threads", 2, (1.97, 1.9, 2.0)), ("processes:fork", 2, (1.87, 1.8, 1.9))]);
    assert_eq!(picked(&answer_rows(&run)[0]), ["threads"]);
}

#[test]
fn a_run_without_the_gil_model_has_no_gil_cost_and_still_picks() {
    let run = cpu_group(&[("threads", 2, (1.9, 1.8, 2.0)), ("processes:fork", 2, (1.3, 1.2, 1.4))]);
    let row = &answer_rows(&run)[0];
    assert!(row.best(Family::GilThreads).is_none());
    assert!(row.best(Family::Async).is_none());
    assert_eq!(row.gil_cost, None);
    assert_eq!(picked(row), ["threads"]);
    assert_eq!(avoided(row), ["processes:fork"]);
}

#[test]
fn sequential_is_the_pick_when_nothing_beats_it() {
    let run =
        cpu_group(&[("threads", 2, (0.6, 0.5, 0.7)), ("processes:fork", 2, (0.98, 0.9, 1.1))]);
    let row = &answer_rows(&run)[0];
    // processes at 0.98× ties with running sequentially; threads are avoided.
    assert_eq!(picked(row), [SEQUENTIAL, "processes:fork"]);
    assert_eq!(avoided(row), ["threads"]);
}

#[test]
fn shapes_are_ordered_and_merged_across_scenarios() {
    let mut cases = Vec::new();
    for (workload, params) in [
        ("io-sleep", vec![("sleep", "2ms")]),
        ("mixed", vec![("task_duration", "2ms"), ("cpu_fraction", "0.5")]),
        ("mixed", vec![("task_duration", "2ms"), ("cpu_fraction", "0.9")]),
        ("cpu", vec![("task_duration", "2ms")]),
    ] {
        cases.push(case(workload, &params, SEQUENTIAL, 1, (1.0, 1.0, 1.0)));
        cases.push(case(workload, &params, "threads", 2, (1.5, 1.4, 1.6)));
    }
    // The CPU-bound shape again in another scenario, with another model.
    let mut other = case("cpu", &[("task_duration", "2ms")], SEQUENTIAL, 1, (1.0, 1.0, 1.0));
    other.scenario = "t".into();
    other.group = format!("t{}", &other.group[1..]);
    let mut gil = case("cpu", &[("task_duration", "2ms")], GIL, 2, (0.9, 0.8, 1.0));
    gil.scenario = "t".into();
    gil.group = other.group.clone();
    cases.extend([other, gil]);
    let rows = answer_rows(&run_of(cases, 2));
    let shapes: Vec<&str> = rows.iter().map(|r| r.shape.as_str()).collect();
    assert_eq!(
        shapes,
        [
            "CPU-bound, 2ms tasks",
            "mixed, 90 % CPU of 2ms",
            "mixed, 50 % CPU of 2ms",
            "IO sleep (2ms)"
        ]
    );
    assert_eq!(rows[0].groups.len(), 2);
    assert_eq!(rows[0].scenarios, ["s", "t"]);
    assert!(rows[0].best(Family::GilThreads).is_some());
}

#[test]
fn work_that_releases_the_gil_is_a_row_of_its_own() {
    let mut cases = Vec::new();
    for released in [None, Some("0.9")] {
        let mut p = vec![("task_duration", "2ms"), ("cpu_fraction", "1")];
        if let Some(r) = released {
            p.push(("released_fraction", r));
        }
        let gil = if released.is_some() { (1.9, 1.8, 2.0) } else { (1.0, 0.99, 1.01) };
        cases.push(case("mixed", &p, SEQUENTIAL, 1, (1.0, 1.0, 1.0)));
        cases.push(case("mixed", &p, GIL, 2, gil));
        cases.push(case("mixed", &p, "threads", 2, (1.95, 1.9, 2.0)));
    }
    let rows = answer_rows(&run_of(cases, 2));
    let shapes: Vec<&str> = rows.iter().map(|r| r.shape.as_str()).collect();
    assert_eq!(
        shapes,
        ["mixed, 100 % CPU of 2ms", "mixed, 100 % CPU of 2ms, 90 % of it releasing the GIL"]
    );
    // Held, the GIL costs about 2x; released, it costs next to nothing.
    assert!(rows[0].gil_cost.unwrap() > 1.8 && rows[1].gil_cost.unwrap() < 1.1, "{rows:?}");
}
