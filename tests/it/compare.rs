//! `gilbench compare` and `run --cpus` end to end: runs line up by case key, a slowed copy is
//! flagged as a regression with a non-zero exit, and a CPU set restricts the run.

use std::path::{Path, PathBuf};
use std::process::Command;

use gilbench::results::load_run;

use crate::support::{exe, shared};

fn tiny_cpu_scenario(dir: &Path) -> PathBuf {
    let path = dir.join("tiny-cpu.toml");
    std::fs::write(
        &path,
        "name = \"tinycpu\"\nmodels = [\"sequential\", \"threads\"]\nworkers = \"auto\"\ntasks = 8\n\n\
         [[workload]]\nkind = \"cpu\"\niterations = 20000\n",
    )
    .unwrap();
    path
}

#[test]
fn a_cpu_set_restricts_the_run_and_compare_flags_a_slowed_copy() {
    let _machine = shared();
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tiny_cpu_scenario(tmp.path());
    let one = tmp.path().join("one-cpu");
    let o = Command::new(exe())
        .args(["run", scenario.to_str().unwrap(), "--cpus", "0", "--no-wait", "--out"])
        .arg(&one)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let run = load_run(&one).unwrap();
    assert_eq!(run.machine.usable_cpus, 1, "--cpus 0 leaves one usable CPU");
    let workers: Vec<usize> = run.cases.iter().map(|c| c.workers).collect();
    assert_eq!(workers, [1, 1, 2], "the auto grid follows the CPU set (1, 2 = twice the CPUs)");

    // A copy of the run with every sample twice as slow: a regression beyond any threshold.
    let slow = tmp.path().join("slow");
    std::fs::create_dir_all(&slow).unwrap();
    let mut slowed = run.clone();
    for c in &mut slowed.cases {
        for s in &mut c.samples {
            s.wall_s *= 2.0;
            s.value = s.value.map(|v| v * 2.0);
        }
        c.summary =
            gilbench::stats::summarize(&c.samples.iter().map(|s| s.wall_s).collect::<Vec<_>>());
    }
    std::fs::write(slow.join("run.json"), serde_json::to_vec(&slowed).unwrap()).unwrap();

    let out = tmp.path().join("cmp");
    let o = Command::new(exe())
        .args(["compare", one.to_str().unwrap(), slow.to_str().unwrap(), "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    for c in &run.cases {
        assert!(html.contains(&c.case), "the comparison lists {}", c.case);
    }
    assert!(html.contains("Which model wins where"));
    // Every line point of the comparison charts names its run, model and figure on hover.
    let charts: Vec<PathBuf> = std::fs::read_dir(out.join("plots"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("compare-")))
        .collect();
    assert!(!charts.is_empty());
    for chart in &charts {
        let svg = std::fs::read_to_string(chart).unwrap();
        assert!(svg.contains(" workers: ") && svg.contains("</title>"), "{}", chart.display());
    }

    let o = Command::new(exe())
        .args(["compare", "--threshold", "20", "--baseline"])
        .args([one.to_str().unwrap(), slow.to_str().unwrap(), "--out"])
        .arg(tmp.path().join("base"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "a regression exits 1: {stderr}");
    assert!(stderr.contains("regression: tinycpu/"), "{stderr}");

    let o = Command::new(exe())
        .args(["compare", "--baseline", one.to_str().unwrap(), one.to_str().unwrap(), "--out"])
        .arg(tmp.path().join("same"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn bad_compare_input_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("run.json"), b"{\"schema_version\": 99}").unwrap();
    let o = Command::new(exe()).args(["compare"]).arg(tmp.path()).arg(tmp.path()).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("schema_version 99"));
    let cut = tempfile::tempdir().unwrap();
    std::fs::write(cut.path().join("run.json"), b"{\"schema_version\": 1, \"cases\": [").unwrap();
    let o = Command::new(exe()).args(["compare"]).arg(cut.path()).arg(tmp.path()).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "a truncated run.json");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("run.json") && !stderr.contains("panicked"), "{stderr}");
    let o = Command::new(exe()).args(["run", "--cpus", "9999-1"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--cpus"));
}
