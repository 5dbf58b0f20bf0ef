use super::*;
use crate::measure::Sample;
use crate::results::{CaseRecord, RunRecord};
use crate::stats::summarize;

fn case(key: &str, model: &str, walls: &[f64]) -> CaseRecord {
    CaseRecord {
        scenario: "s".into(),
        case: key.into(),
        group: "s/cpu".into(),
        model: model.into(),
        workload: "cpu".into(),
        workers: 2,
        unit: "s".into(),
        summary: summarize(walls),
        samples: walls.iter().map(|&w| Sample { wall_s: w, ..Sample::default() }).collect(),
        ..CaseRecord::default()
    }
}

fn run(host: &str, cases: Vec<CaseRecord>) -> LabelledRun {
    let mut r = RunRecord { cases, ..RunRecord::default() };
    r.machine.hostname = host.into();
    LabelledRun { label: host.into(), source: host.into(), run: r }
}

fn around(x: f64) -> Vec<f64> {
    (0..10).map(|i| x * (1.0 + 0.01 * (i % 3) as f64)).collect()
}

#[test]
fn cases_align_by_key_not_position() {
    let a = run("a", vec![case("k1", "threads", &around(1.0)), case("k2", "gil", &around(2.0))]);
    let b = run("b", vec![case("k2", "gil", &around(2.0)), case("k1", "threads", &around(0.5))]);
    let cmp = align(&[a, b]);
    assert_eq!(cmp.labels, ["a", "b"]);
    let k1 = cmp.cases.iter().find(|c| c.case == "k1").unwrap();
    let r = k1.per_run[1].as_ref().unwrap();
    assert!((r.ratio - 0.5).abs() < 0.01 && r.significant, "{r:?}");
    let k2 = cmp.cases.iter().find(|c| c.case == "k2").unwrap();
    let r = k2.per_run[1].as_ref().unwrap();
    assert!((r.ratio - 1.0).abs() < 0.01 && !r.significant, "{r:?}");
}

#[test]
fn a_case_only_one_run_has_is_left_out() {
    let a = run("a", vec![case("k1", "threads", &around(1.0))]);
    let b = run("b", vec![case("k9", "threads", &around(1.0))]);
    assert!(align(&[a, b]).cases.is_empty());
}

#[test]
fn regressions_need_significance_and_the_threshold() {
    let old = run("old", vec![case("slow", "t", &around(1.0)), case("same", "t", &around(1.0))]);
    let new = run("new", vec![case("slow", "t", &around(1.3)), case("same", "t", &around(1.02))]);
    let found = regressions(&old, &new, 0.10);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].case, "slow");
    assert!((found[0].worse_by - 0.3).abs() < 0.02);
    assert!(regressions(&old, &new, 0.5).is_empty());
    // Faster is never a regression.
    assert!(regressions(&new, &old, 0.1).is_empty());
}

/// The labels `load_runs` gives runs on host `vm`, each described by (usable CPUs, CPU
/// model, start time), written to files and loaded back.
fn labels_of(runs: &[(usize, &str, &str)]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (i, (cpus, brand, start)) in runs.iter().enumerate() {
        let mut r = run("vm", vec![]).run;
        r.schema_version = crate::results::SCHEMA_VERSION;
        r.machine.usable_cpus = *cpus;
        r.machine.cpu_brand = brand.to_string();
        r.started_at = start.to_string();
        let p = dir.path().join(format!("run{i}.json"));
        std::fs::write(&p, serde_json::to_vec(&r).unwrap()).unwrap();
        paths.push(p);
    }
    let refs: Vec<&std::path::Path> = paths.iter().map(|p| p.as_path()).collect();
    load_runs(&refs).unwrap().into_iter().map(|r| r.label).collect()
}

#[test]
fn runs_from_one_host_all_get_distinct_labels() {
    let labels = labels_of(&[
        (0, "", "2026-01-01T00:00:00Z"),
        (0, "", "2026-01-02T00:00:00Z"),
        (0, "", "2026-01-02T00:00:00Z"),
    ]);
    assert_eq!(
        labels,
        [
            "vm · 0× unknown CPU 2026-01-01T00:00:00Z",
            "vm · 0× unknown CPU 2026-01-02T00:00:00Z #2",
            "vm · 0× unknown CPU 2026-01-02T00:00:00Z #3"
        ]
    );
}

#[test]
fn two_machines_with_one_host_name_are_told_apart_by_the_machine() {
    let labels = labels_of(&[
        (2, "AMD EPYC", "2026-01-01T00:00:00Z"),
        (16, "Intel(R) Xeon(R) Processor", "2026-01-02T00:00:00Z"),
        (2, "AMD EPYC", "2026-01-03T00:00:00Z"),
    ]);
    assert_eq!(
        labels,
        [
            "vm · 2× AMD EPYC 2026-01-01T00:00:00Z",
            "vm · 16× Intel Xeon",
            "vm · 2× AMD EPYC 2026-01-03T00:00:00Z"
        ]
    );
}
