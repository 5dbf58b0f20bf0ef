//! The baseline gate end to end (`compare --baseline OLD NEW`), on copies of one real small
//! run with a workload case and probe cases whose figures are a time, a rate and bytes: a case
//! that failed, a slower workload or probe figure exit 1; less memory exits 0; `--json`
//! prints what the gate found; baselines saved by name are compared by name.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use gilbench::results::{CaseRecord, CaseStatus, RunRecord, load_run};

use crate::support::{exe, shared};

fn scenario() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/scenarios/gate.toml")
}

/// Runs `gilbench` with `args` in `cwd`.
fn gilbench(cwd: &Path, args: &[&str]) -> Output {
    Command::new(exe()).current_dir(cwd).args(args).output().expect("gilbench runs")
}

/// One real run of the gate scenario into `cwd/out`, with extra flags.
fn real_run(cwd: &Path, extra: &[&str]) -> RunRecord {
    let _machine = shared();
    let scenario = scenario();
    let mut args = vec!["run", scenario.to_str().unwrap(), "--no-wait", "--samples", "6"];
    args.extend_from_slice(&["--warmup", "1", "--out", "out"]);
    args.extend_from_slice(extra);
    let o = gilbench(cwd, &args);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let run = load_run(&cwd.join("out")).expect("run.json loads");
    assert!(run.cases.iter().all(|c| c.status == CaseStatus::Ok), "every case ok");
    run
}

/// The case whose key contains `part`.
fn case<'a>(run: &'a mut RunRecord, part: &str) -> &'a mut CaseRecord {
    run.cases.iter_mut().find(|c| c.case.contains(part)).unwrap_or_else(|| panic!("{part}"))
}

/// Multiplies the case's figure in every sample by `factor` (a workload's wall time is its
/// figure) and recomputes its summary.
fn scale(c: &mut CaseRecord, factor: f64) {
    let workload = !c.workload.starts_with("probe:");
    for s in &mut c.samples {
        s.value = s.value.map(|v| v * factor);
        if workload {
            s.wall_s *= factor;
        }
    }
    let values: Vec<f64> = c.samples.iter().filter_map(|s| s.value).collect();
    assert_eq!(values.len(), c.samples.len(), "{}: every sample carries its figure", c.case);
    c.summary = gilbench::stats::summarize(&values);
}

/// Sets the case's figures to its median (or `floor`, if larger) give or take 2 %: a gate
/// judging a 3x change on samples that a loaded machine spread over more than 3x may rightly
/// find nothing significant, and a real footprint can be 0 B per unit, which no ratio can be
/// taken of.
fn steady(c: &mut CaseRecord, floor: f64) {
    let figure = c.summary.map_or(0.0, |s| s.median).max(floor);
    let workload = !c.workload.starts_with("probe:");
    for (i, s) in c.samples.iter_mut().enumerate() {
        let v = figure * (1.0 + 0.01 * (i % 3) as f64);
        s.value = Some(v);
        if workload {
            s.wall_s = v;
        }
    }
    scale(c, 1.0);
}

/// Writes `run` as `dir/run.json` and returns `dir`.
fn write(run: &RunRecord, dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("run.json"), serde_json::to_vec(run).unwrap()).unwrap();
    dir.to_path_buf()
}

/// `compare --baseline old new --json` in `cwd`: exit code, the JSON, stderr.
fn gate(cwd: &Path, old: &str, new: &str) -> (Option<i32>, serde_json::Value, String) {
    let out = cwd.join(format!("cmp-{}", new.replace('/', "_")));
    let o = gilbench(
        cwd,
        &["compare", "--json", "--baseline", old, new, "--out", out.to_str().unwrap()],
    );
    let stderr = String::from_utf8_lossy(&o.stderr).to_string();
    let json = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is JSON ({e}): {stderr}"));
    (o.status.code(), json, stderr)
}

fn keys(json: &serde_json::Value, list: &str) -> Vec<String> {
    json[list]
        .as_array()
        .unwrap_or_else(|| panic!("{list} is a list: {json}"))
        .iter()
        .map(|r| r["case"].as_str().expect("a case key").to_string())
        .collect()
}

#[test]
fn probe_samples_carry_their_own_figure() {
    let tmp = tempfile::tempdir().unwrap();
    let mut run = real_run(tmp.path(), &[]);
    let lock = case(&mut run, "mode=uncontended");
    assert_eq!(lock.unit, "s");
    for s in &lock.samples {
        let v = s.value.expect("a probe sample carries its figure");
        // One acquire + release is far shorter than the 10 ms sampling window.
        assert!(v < s.wall_s / 100.0, "figure {v} vs window {}", s.wall_s);
    }
    let footprint = case(&mut run, "probe:footprint");
    assert_eq!(footprint.unit, "B");
    assert!(footprint.samples.iter().all(|s| s.value.is_some()));
}

#[test]
fn the_gate_fails_on_lost_or_slower_cases_and_passes_less_memory() {
    let tmp = tempfile::tempdir().unwrap();
    let mut run = real_run(tmp.path(), &[]);
    steady(case(&mut run, "probe:footprint"), 4096.0);
    for part in ["threads/cpu", "mode=uncontended", "critical_section=100ns"] {
        steady(case(&mut run, part), 0.0);
    }
    let base = write(&run, &tmp.path().join("base"));
    let base = base.to_str().unwrap();

    let (code, json, err) = gate(tmp.path(), base, base);
    assert_eq!(code, Some(0), "a run against itself passes: {err}");
    assert_eq!(json["passed"], true);

    // A case that was ok and now failed; another now missing.
    let mut lost = run.clone();
    let failed = case(&mut lost, "threads/cpu");
    failed.status = CaseStatus::Failed;
    failed.reason = Some("a worker died".into());
    failed.summary = None;
    failed.samples.clear();
    let gone = lost.cases.iter().position(|c| c.case.contains("probe:footprint")).unwrap();
    let gone = lost.cases.remove(gone).case;
    let dir = write(&lost, &tmp.path().join("lost"));
    let (code, json, err) = gate(tmp.path(), base, dir.to_str().unwrap());
    assert_eq!(code, Some(1), "a newly failed case fails the gate: {err}");
    assert_eq!(json["passed"], false);
    let failures = json["failures"].as_array().expect("failures");
    assert_eq!(failures.len(), 2, "{json}");
    assert!(failures.iter().any(|f| f["status"] == "failed"
        && f["reason"] == "a worker died"
        && f["case"].as_str().unwrap().contains("threads/cpu")));
    assert!(failures.iter().any(|f| f["status"] == "missing" && f["case"] == gone.as_str()));
    assert!(err.contains("failure: gate/threads/cpu") && err.contains("is failed now"), "{err}");

    // Memory per unit cut to a third: better, not "200 % worse".
    let mut less = run.clone();
    scale(case(&mut less, "probe:footprint"), 1.0 / 3.0);
    let dir = write(&less, &tmp.path().join("less-memory"));
    let (code, json, err) = gate(tmp.path(), base, dir.to_str().unwrap());
    assert_eq!(code, Some(0), "less memory passes: {err}");
    assert!(keys(&json, "regressions").is_empty(), "{json}");
    // ... and tripled memory fails.
    let mut more = run.clone();
    scale(case(&mut more, "probe:footprint"), 3.0);
    let dir = write(&more, &tmp.path().join("more-memory"));
    let (code, json, _) = gate(tmp.path(), base, dir.to_str().unwrap());
    assert_eq!(code, Some(1));
    assert_eq!(keys(&json, "regressions"), [case(&mut more, "probe:footprint").case.clone()]);

    // A workload case 3x slower.
    let mut slow = run.clone();
    scale(case(&mut slow, "threads/cpu"), 3.0);
    let dir = write(&slow, &tmp.path().join("slow-workload"));
    let (code, json, err) = gate(tmp.path(), base, dir.to_str().unwrap());
    assert_eq!(code, Some(1), "a 3x slower workload fails the gate: {err}");
    let found = keys(&json, "regressions");
    assert!(found.len() == 1 && found[0].contains("threads/cpu"), "{json}");
    let r = &json["regressions"][0];
    assert!((r["ratio"].as_f64().unwrap() - 3.0).abs() < 0.01, "{r}");
    assert!((r["worse_by"].as_f64().unwrap() - 2.0).abs() < 0.01, "{r}");
    assert_eq!(r["unit"], "s");
    assert_eq!(r["direction"], "lower-is-better");
    assert!(r["ci"][0].as_f64().unwrap() > 1.05 && r["old"].as_f64().unwrap() > 0.0, "{r}");

    // Probe cases 3x slower: the uncontended lock's time per operation tripled and the
    // contended lock's rate cut to a third, their sampling windows unchanged.
    let mut slow = run.clone();
    scale(case(&mut slow, "mode=uncontended"), 3.0);
    scale(case(&mut slow, "critical_section=100ns"), 1.0 / 3.0);
    let dir = write(&slow, &tmp.path().join("slow-probes"));
    let (code, json, err) = gate(tmp.path(), base, dir.to_str().unwrap());
    assert_eq!(code, Some(1), "3x slower probes fail the gate: {err}");
    let found = keys(&json, "regressions");
    assert_eq!(found.len(), 2, "{json}");
    assert!(found.iter().any(|k| k.contains("mode=uncontended")), "{found:?}");
    assert!(found.iter().any(|k| k.contains("critical_section=100ns")), "{found:?}");
    assert!(json["failures"].as_array().unwrap().is_empty());
    assert!(Path::new(json["report"].as_str().unwrap()).is_file(), "{json}");
}

#[test]
fn baselines_saved_by_name_are_compared_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let run = real_run(tmp.path(), &["--save-baseline", "main"]);
    let saved = tmp.path().join("reports/baselines/main");
    assert_eq!(load_run(&saved).unwrap(), run, "the saved baseline is the run");
    assert!(saved.join("samples.csv").is_file());
    // A second saved run (as `run --save-baseline slow` would leave it), 3x slower.
    let mut slow = run.clone();
    steady(case(&mut slow, "threads/cpu"), 0.0);
    write(&slow, &tmp.path().join("reports/baselines/steady"));
    scale(case(&mut slow, "threads/cpu"), 3.0);
    write(&slow, &tmp.path().join("reports/baselines/slow"));

    let (code, json, err) = gate(tmp.path(), "main", "main");
    assert_eq!(code, Some(0), "{err}");
    assert!(json["baseline"].as_str().unwrap().ends_with("baselines/main"), "{json}");
    let (code, json, err) = gate(tmp.path(), "steady", "slow");
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(keys(&json, "regressions").len(), 1, "{json}");

    let o = gilbench(tmp.path(), &["compare", "--baseline", "nosuch", "main"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--baseline nosuch") && err.contains("saved: main, slow, steady"),
        "{err}"
    );
    let o = gilbench(tmp.path(), &["run", scenario().to_str().unwrap(), "--save-baseline", "../x"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("--save-baseline") && !err.contains("panicked"), "{err}");
}
