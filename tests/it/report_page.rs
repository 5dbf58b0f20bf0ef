//! The page around the figures: hover titles on the scaling charts, the GIL section only
//! where the run has GIL cases, the two-cluster note in the Noise card.

use gilbench::plot::scaling_charts;
use gilbench::report::{publish, summary_markdown};
use gilbench::results::CaseStatus;

use crate::report::{fixture, gil_fixture};

#[test]
fn every_drawn_point_has_a_hover_title_with_its_median_and_interval() {
    let run = fixture();
    let charts = scaling_charts(&run).expect("charts");
    assert!(!charts.is_empty());
    for chart in &charts {
        let svg = &chart.svg;
        let points = run
            .cases
            .iter()
            .filter(|c| c.group == chart.group && c.status == CaseStatus::Ok && c.speedup.is_some())
            .collect::<Vec<_>>();
        assert_eq!(svg.matches("<title>").count(), points.len(), "{}", chart.title);
        for c in points {
            let s = c.speedup.expect("speedup");
            let hover = format!(
                "{}, {} workers: {:.3}× [{:.3}, {:.3}]",
                c.model, c.workers, s.median, s.ci_low, s.ci_high
            );
            assert!(svg.contains(&hover), "no hover {hover}");
        }
    }
}

#[test]
fn a_run_without_gil_cases_has_no_gil_section() {
    let run = fixture();
    let dir = tempfile::tempdir().expect("tempdir");
    let html = std::fs::read_to_string(publish(&run, dir.path(), &[]).expect("report"))
        .expect("index.html");
    assert!(!html.contains("Where a GIL hurts"));
    assert!(!summary_markdown(&run).contains("GIL"));
}

#[test]
fn cases_whose_samples_fall_in_two_clusters_are_named() {
    let mut run = gil_fixture();
    // 16 workers on 16 CPUs: 4 samples ran every task at once, 11 ran two on one CPU.
    let split = &mut run.cases[3];
    split.samples = (0..15)
        .map(|i| gilbench::measure::Sample {
            wall_s: if i % 4 == 0 { 0.0024 } else { 0.0046 },
            ..Default::default()
        })
        .collect();
    let key = split.case.clone();
    let dir = tempfile::tempdir().expect("tempdir");
    let index = publish(&run, dir.path(), &[]).expect("report");
    let html = std::fs::read_to_string(index).expect("index.html");
    assert!(html.contains("1 cases took their samples in two clusters"), "no cluster note");
    let row = html.rsplit(&key).next().expect("the case is named");
    assert!(row.contains("2.40 ms × 4") && row.contains("4.60 ms × 11"), "{}", &row[..300]);
    // The even samples of the fixture form no clusters.
    let html = std::fs::read_to_string(publish(&gil_fixture(), dir.path(), &[]).expect("report"))
        .expect("index.html");
    assert!(!html.contains("two clusters"));
}

#[test]
fn the_summary_stays_short_enough_to_paste_for_a_run_four_times_the_default_set() {
    // 100 groups × (sequential + 6 models × 3 worker counts): 1,900 cases.
    let template = fixture().cases[1].clone();
    let mut cases = Vec::new();
    for g in 0..100 {
        let group = format!(
            "big/mixed/task_duration=2ms/cpu_fraction=0.{g:02}/tasks=16/payload_bytes=1024"
        );
        for (model, workers) in std::iter::once(("sequential", 1)).chain(
            ["threads", "gil", "processes:fork", "gil:processes", "async:multi", "async:blocking"]
                .into_iter()
                .flat_map(|m| [1, 2, 4].map(|w| (m, w))),
        ) {
            let mut c = template.clone();
            c.scenario = "big".into();
            c.group = group.clone();
            c.workload = "mixed".into();
            c.model = model.into();
            c.workers = workers;
            c.case = format!("big/{model}/mixed/cpu_fraction=0.{g:02}/workers={workers}");
            c.params.insert("cpu_fraction".into(), format!("0.{g:02}"));
            c.params.insert("task_duration".into(), "2ms".into());
            c.status = CaseStatus::Ok;
            if model == "sequential" {
                c.speedup = None;
            }
            cases.push(c);
        }
    }
    let run = gilbench::results::RunRecord { cases, ..fixture() };
    let md = summary_markdown(&run);
    assert!(md.len() < 60_000, "summary.md is {} characters", md.len());
    assert!(md.contains("## The answer") && md.contains("### big"));
}

#[test]
fn each_chart_is_written_once_and_inlined_as_written() {
    let run = gil_fixture();
    let dir = tempfile::tempdir().expect("tempdir");
    let html = std::fs::read_to_string(publish(&run, dir.path(), &[]).expect("report"))
        .expect("index.html");
    let drawn = gilbench::plot::run_charts(&run, None).expect("charts");
    let count = drawn.charts.len() + drawn.gil.len();
    assert!(count >= 3, "scaling charts and two penalty maps: {count}");
    let mut files: Vec<String> = std::fs::read_dir(dir.path().join("plots"))
        .expect("plots")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .collect();
    files.sort();
    // One file per drawn chart, each linked from exactly one figure.
    assert_eq!(files.len(), count, "{files:?}");
    assert_eq!(html.matches("<svg").count(), count);
    for name in &files {
        let link = format!("href=\"plots/{name}\"");
        assert_eq!(html.matches(&link).count(), 1, "{name}");
        // The page inlines the very text of the file.
        let svg = std::fs::read_to_string(dir.path().join("plots").join(name)).expect("svg");
        let body = &svg[svg.find("<svg").expect("an svg element")..];
        assert!(html.contains(body), "{name} is not inlined as written");
    }
}
