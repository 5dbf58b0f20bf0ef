use std::collections::BTreeMap;

use super::format;
use super::verdict::{Outcome, judge};
use crate::results::{CaseRecord, CaseStatus, Speedup};

fn case(model: &str, workers: usize, speedup: Option<(f64, f64, f64)>, ok: bool) -> CaseRecord {
    CaseRecord {
        scenario: "s".into(),
        case: format!("s/{model}/cpu/workers={workers}"),
        group: "s/cpu".into(),
        model: model.into(),
        workload: "cpu".into(),
        params: BTreeMap::new(),
        workers,
        tasks: 8,
        status: if ok { CaseStatus::Ok } else { CaseStatus::Failed },
        unit: "s".into(),
        speedup: speedup.map(|(median, ci_low, ci_high)| Speedup::paired(median, ci_low, ci_high)),
        ..CaseRecord::default()
    }
}

fn outcome(cases: &[CaseRecord]) -> Outcome {
    judge(&cases.iter().collect::<Vec<_>>())
}

fn names(o: &Outcome) -> (String, usize, Option<String>) {
    match o {
        Outcome::Winner { best, runner_up } => {
            (best.model.clone(), best.workers, runner_up.as_ref().map(|r| r.model.clone()))
        }
        Outcome::NoClearWinner { best, runner_up } => {
            (best.model.clone(), best.workers, Some(runner_up.model.clone()))
        }
        other => panic!("no pick: {other:?}"),
    }
}

#[test]
fn best_worker_count_of_the_best_model_wins() {
    let o = outcome(&[
        case("sequential", 1, None, true),
        case("threads", 2, Some((1.9, 1.8, 2.0)), true),
        case("threads", 4, Some((1.5, 1.4, 1.6)), true),
        case("processes:fork", 4, Some((1.2, 1.1, 1.3)), true),
    ]);
    assert!(matches!(o, Outcome::Winner { .. }));
    assert_eq!(names(&o), ("threads".into(), 2, Some("processes:fork".into())));
}

#[test]
fn overlapping_intervals_mean_no_clear_winner() {
    let o = outcome(&[
        case("sequential", 1, None, true),
        case("threads", 4, Some((3.7, 3.4, 4.0)), true),
        case("async:multi", 4, Some((3.6, 3.3, 3.9)), true),
    ]);
    assert!(matches!(o, Outcome::NoClearWinner { .. }));
    assert_eq!(names(&o), ("threads".into(), 4, Some("async:multi".into())));
}

#[test]
fn the_baseline_competes_too() {
    // A speedup whose interval includes 1 is not clearly faster than sequential.
    let o = outcome(&[
        case("sequential", 1, None, true),
        case("threads", 2, Some((1.05, 0.97, 1.12)), true),
    ]);
    assert_eq!(names(&o), ("threads".into(), 2, Some("sequential".into())));
    assert!(matches!(o, Outcome::NoClearWinner { .. }));
    // Everything slower than sequential: sequential wins.
    let o = outcome(&[
        case("sequential", 1, None, true),
        case("async:current", 2, Some((0.5, 0.45, 0.55)), true),
    ]);
    assert!(matches!(o, Outcome::Winner { .. }));
    assert_eq!(names(&o).0, "sequential");
}

#[test]
fn failed_cases_never_win() {
    let o = outcome(&[
        case("sequential", 1, None, true),
        case("threads", 2, Some((1.5, 1.4, 1.6)), true),
        case("processes:fork", 2, Some((9.0, 8.0, 10.0)), false),
    ]);
    assert_eq!(names(&o), ("threads".into(), 2, Some("sequential".into())));
    assert_eq!(outcome(&[case("threads", 2, None, false)]), Outcome::NoResult);
    assert_eq!(outcome(&[case("threads", 2, None, true)]), Outcome::NoBaseline);
}

#[test]
fn numbers_read_with_units() {
    assert_eq!(format::duration(0.032), "32.0 ms");
    assert_eq!(format::duration(4.2e-6), "4.20 µs");
    assert_eq!(format::duration(850e-9), "850 ns");
    assert_eq!(format::duration(1.5), "1.50 s");
    assert_eq!(format::duration(f64::NAN), "–");
    assert_eq!(format::duration_interval(0.0123, 0.0121, 0.0126), "12.3 ms [12.1, 12.6]");
    assert_eq!(format::speedup(&Speedup::paired(1.9, 1.8, 2.0)), "1.90× [1.80, 2.00]");
    assert_eq!(format::bytes(512), "512 B");
    assert_eq!(format::bytes(16 << 30), "16.0 GiB");
    assert_eq!(format::count(12.0), "12");
    assert_eq!(format::count(3.5), "3.5");
    assert_eq!(format::si(1.25e8), "125 M");
    assert_eq!(format::workers(1), "1 worker");
}

#[test]
fn intervals_are_named_with_their_method_and_level() {
    let mut five = case("threads", 2, Some((1.9, 1.8, 2.0)), true);
    five.summary = crate::stats::summarize(&[1.0, 1.1, 1.2, 1.3, 1.4]);
    let mut fifteen = case("threads", 4, Some((3.0, 2.8, 3.2)), true);
    fifteen.summary = crate::stats::summarize(&(1..=15).map(f64::from).collect::<Vec<_>>());
    let run = crate::results::RunRecord { cases: vec![five, fifteen], ..Default::default() };
    let note = format::intervals_note(&run);
    assert!(note.contains("order-statistic interval of 93.8 % to 96.5 % coverage"), "{note}");
    assert!(note.contains("nominal 95 % paired t interval"), "{note}");
    assert!(!note.contains("CI"), "{note}");
    let md = super::summary_markdown(&run);
    assert!(md.contains("order-statistic interval of 93.8 % to 96.5 % coverage"), "{md}");
    assert!(!md.contains("95% CI"), "{md}");
}

#[test]
fn released_sentences_name_the_share_the_workers_and_each_speedup() {
    use crate::analysis::tests::{case, run_of};
    let p = [("task_duration", "2ms"), ("cpu_fraction", "1"), ("released_fraction", "0.6")];
    let q = [("task_duration", "2ms"), ("cpu_fraction", "1")];
    let mut cases = Vec::new();
    for params in [&p[..], &q[..]] {
        cases.push(case("mixed", params, "sequential", 1, (1.0, 1.0, 1.0)));
        cases.push(case("mixed", params, "gil", 4, (2.1, 2.0, 2.2)));
        cases.push(case("mixed", params, "gil:processes", 4, (3.0, 2.9, 3.1)));
    }
    let run = run_of(cases, 2);
    assert_eq!(
        super::released_sentences(&run),
        ["CPU fraction 1, with 60 % of its CPU time in code that releases the GIL: 4 GIL \
          threads reach 2.1×; 4 processes (gil:processes) 3.0×"]
    );
}

fn best(model: &str, workers: usize, s: (f64, f64, f64)) -> crate::analysis::Best {
    crate::analysis::Best { model: model.into(), workers, speedup: Speedup::paired(s.0, s.1, s.2) }
}

#[test]
fn the_pick_names_a_tie_as_a_tie_and_says_what_to_avoid() {
    use super::answer::{avoid_words, pick_words};
    let tie = crate::analysis::choose(&[
        best("threads", 4, (1.97, 1.8, 2.1)),
        best("gil", 2, (0.98, 0.96, 0.99)),
        best("processes:fork", 2, (1.95, 1.85, 2.05)),
        best("async:multi", 4, (1.97, 1.7, 2.2)),
    ])
    .unwrap();
    assert_eq!(
        pick_words(&tie),
        "free threads, async:multi or processes:fork — within 5 % of each other"
    );
    assert_eq!(avoid_words(&tie), "avoid GIL threads: 0.980×, 2.0× slower");

    let clear = crate::analysis::choose(&[
        best("gil", 2, (0.98, 0.96, 0.99)),
        best("processes:fork", 2, (1.9, 1.8, 2.0)),
    ])
    .unwrap();
    assert_eq!(pick_words(&clear), "processes:fork, 1.90×");
    assert_eq!(avoid_words(&clear), "avoid GIL threads: 0.980×, 1.9× slower");

    // No GIL model, nothing clearly slower: no avoid clause.
    let close = crate::analysis::choose(&[
        best("threads", 2, (1.9, 1.6, 2.2)),
        best("async:multi", 2, (1.5, 1.2, 1.8)),
    ])
    .unwrap();
    assert_eq!(pick_words(&close), "free threads, 1.90×");
    assert_eq!(avoid_words(&close), "");

    let slower = crate::analysis::choose(&[best("threads", 2, (0.5, 0.45, 0.55))]).unwrap();
    assert_eq!(pick_words(&slower), "sequential: no model beats it");
    assert_eq!(avoid_words(&slower), "avoid free threads: 0.500×, 2.0× slower");
}

fn chart(name: &str, svg: &str) -> crate::plot::Chart {
    crate::plot::Chart {
        group: "s/cpu".into(),
        title: name.into(),
        name: name.into(),
        svg: svg.into(),
    }
}

#[test]
fn the_writer_gives_each_chart_of_a_page_its_own_file() {
    use super::chart_files::ChartFiles;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut files = ChartFiles::new(dir.path());
    // Nothing to write: no folder.
    assert!(
        files.write(&[] as &[crate::plot::Chart], |c| (&c.name, &c.svg)).expect("none").is_empty()
    );
    assert!(!dir.path().join("plots").exists());
    let first = [chart("a/b", "<svg>1</svg>"), chart("a:b", "<svg>2</svg>")];
    let second = [chart("a/b", "<svg>3</svg>")];
    let mut paths: Vec<std::path::PathBuf> = Vec::new();
    for list in [&first[..], &second[..]] {
        for (chart, path) in files.write(list, |c| (&c.name, &c.svg)).expect("written") {
            let on_disk = std::fs::read_to_string(dir.path().join(&path)).expect("file");
            assert_eq!(on_disk, chart.svg, "{}", path.display());
            paths.push(path);
        }
    }
    let names: Vec<String> = paths.iter().map(|p| super::chart_files::href(p)).collect();
    assert_eq!(names, ["plots/a_b.svg", "plots/a_b-2.svg", "plots/a_b-3.svg"]);
}

#[test]
fn the_page_inlines_the_drawn_text_without_reading_the_files_back() {
    use super::chart_files::ChartFiles;
    let cases = vec![
        case("sequential", 1, None, true),
        case("threads", 2, Some((1.9, 1.8, 2.0)), true),
        case("threads", 4, Some((3.5, 3.4, 3.6)), true),
    ];
    let run = crate::results::RunRecord { cases, ..Default::default() };
    let drawn = crate::plot::run_charts(&run, None).expect("charts");
    assert_eq!(drawn.charts.len(), 1);
    let dir = tempfile::tempdir().expect("tempdir");
    let charts =
        ChartFiles::new(dir.path()).write(&drawn.charts, |c| (&c.name, &c.svg)).expect("written");
    // The files are gone before the page is made: it must not need them.
    std::fs::remove_dir_all(dir.path().join("plots")).expect("removed");
    let index = super::write_pages(&run, &charts, &[], None, dir.path()).expect("page");
    let html = std::fs::read_to_string(index).expect("index.html");
    let svg = &drawn.charts[0].svg;
    assert!(html.contains(super::chart_files::svg_body(svg)), "the drawn SVG is not inlined");
    let link = format!("href=\"{}\"", super::chart_files::href(&charts[0].1));
    assert!(html.contains(&link), "no link to the file");
    assert!(!dir.path().join("plots").exists(), "the page wrote a chart");
}

#[test]
fn file_names_are_safe() {
    use super::chart_files::safe_file_name;
    let name = safe_file_name("cpu-vs-io/cpu/task_duration=2ms/tasks=16/payload_bytes=1024");
    assert_eq!(name, "cpu-vs-io_cpu_task_duration-2ms_tasks-16_payload_bytes-1024");
    let odd = safe_file_name("../a:b\\c <d>/é");
    assert!(!odd.starts_with('.'), "{odd}");
    assert!(odd.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)), "{odd}");
    assert_eq!(safe_file_name("///"), "chart");
}

#[test]
fn long_names_stay_distinct_and_short() {
    use super::chart_files::safe_file_name;
    let a = safe_file_name(&format!("{}/a", "x".repeat(200)));
    let b = safe_file_name(&format!("{}/b", "x".repeat(200)));
    assert!(a.len() <= 100 && b.len() <= 100);
    assert_ne!(a, b);
}

#[test]
fn async_figures_of_work_that_sleeps_are_marked_as_tokios() {
    let mut cases = Vec::new();
    for (workload, params) in
        [("io-sleep", [("sleep", "2ms")]), ("cpu", [("task_duration", "2ms")])]
    {
        let mut at = |model: &str, workers: usize, speedup: Option<f64>| {
            let mut c = case(model, workers, speedup.map(|s| (s, s * 0.9, s * 1.1)), true);
            c.workload = workload.into();
            c.group = format!("s/{workload}");
            c.case = format!("s/{model}/{workload}/workers={workers}");
            c.params = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            c.tasks = 16;
            // Every sleep of async:current one at a time: 3.1 ms for a 2 ms sleep.
            c.summary = crate::stats::summarize(&[0.0496; 5]);
            cases.push(c);
        };
        at("sequential", 1, None);
        at("async:current", 1, Some(0.65));
        at("async:multi", 4, Some(2.6));
        at("threads", 4, Some(2.5));
    }
    let run = crate::results::RunRecord { cases, ..Default::default() };
    let md = super::markdown::summary_markdown(&run);
    let row = |start: &str| md.lines().find(|l| l.starts_with(start)).unwrap_or_default();
    assert!(row("| IO sleep").contains("†"), "{md}");
    assert!(!row("| CPU-bound").contains("†"), "{md}");
    let note = md.lines().find(|l| l.starts_with('†')).expect("the mark is explained");
    assert!(note.contains("a 2.00 ms sleep took 3.10 ms here"), "{note}");
}
