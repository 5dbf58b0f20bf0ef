//! The `gilbench` executable end to end: results files, report, exit codes, supervision of
//! worker processes, interrupts.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use gilbench::results::{CaseStatus, RunStatus, StopReason, load_run};

use crate::leftovers::{Snapshot, descendants, processes};
use crate::support::{exclusive, exe, interrupt_run, shared, start_run, wait_for};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/scenarios").join(name)
}

fn gilbench(args: &[&str]) -> Output {
    Command::new(exe()).args(args).output().expect("gilbench runs")
}

fn workers_of(root: u32) -> Vec<u32> {
    let all = processes();
    descendants(root)
        .into_iter()
        .filter(|pid| all.iter().any(|p| p.pid == *pid && p.runs("__worker")))
        .collect()
}

#[test]
fn run_writes_valid_results_charts_and_report() {
    let _machine = shared();
    let out = tempfile::tempdir().unwrap();
    let o = gilbench(&[
        "run",
        data("tiny.toml").to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "stderr: {stderr}");
    assert!(!stderr.contains("harness:"), "the overhead line is for -v: {stderr}");
    let stdout = String::from_utf8_lossy(&o.stdout);
    let index = PathBuf::from(stdout.lines().last().expect("a path is printed").trim());
    assert!(index.ends_with("index.html") && index.is_file(), "{stdout}");

    let run = load_run(out.path()).expect("run.json loads");
    assert_eq!(run.status, RunStatus::Complete);
    assert!(run.finished_at.is_some());
    // 2 workloads x (sequential + 5 models x 2 worker counts)
    assert_eq!(run.cases.len(), 2 * (1 + 5 * 2));
    for case in &run.cases {
        assert_eq!(case.status, CaseStatus::Ok, "{}: {:?}", case.case, case.reason);
        let s = case.summary.expect("ok cases carry a summary");
        assert!(s.ci_low <= s.median && s.median <= s.ci_high, "{}", case.case);
        assert!(!case.samples.is_empty());
        if case.model != "sequential" {
            assert!(case.speedup.is_some(), "{} has no speedup", case.case);
        }
        let same_group = run.cases.iter().filter(|c| c.group == case.group);
        for other in same_group {
            assert_eq!(other.checksum, case.checksum, "{} vs {}", other.case, case.case);
        }
    }
    let keys: std::collections::HashSet<_> = run.cases.iter().map(|c| &c.case).collect();
    assert_eq!(keys.len(), run.cases.len(), "case keys are unique");

    let csv = std::fs::read_to_string(out.path().join("samples.csv")).unwrap();
    let rows = csv.lines().count() - 1;
    assert_eq!(rows, run.cases.iter().map(|c| c.samples.len()).sum::<usize>());
    assert!(stray_workers_of_run().is_empty());
}

/// Helper processes of the binary under test that no test process owns: other tests may
/// have workers alive right now, so only orphans (re-parented away from this test process
/// and its children) count.
fn stray_workers_of_run() -> Vec<u32> {
    let mine = descendants(std::process::id());
    processes()
        .into_iter()
        .filter(|p| p.is_helper("__") && !mine.contains(&p.pid))
        .map(|p| p.pid)
        .collect()
}

#[test]
fn a_killed_worker_fails_its_case_and_the_run_goes_on() {
    // Exclusive: the process table, /dev/shm and the temp folder are compared before and after.
    let _machine = exclusive();
    let before = Snapshot::take();
    let out = tempfile::tempdir().unwrap();
    let child = start_run(&data("kill.toml"), out.path());
    // Workers come and go while the harness overhead is measured; run.json appears after
    // that, before the first case: kill a worker seen after it.
    wait_for("run.json", || out.path().join("run.json").exists().then_some(()));
    let victim = wait_for("worker process", || workers_of(child.id()).first().copied());
    std::thread::sleep(Duration::from_millis(300));
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(victim as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "stderr: {stderr}");
    let run = load_run(out.path()).expect("run.json stays valid");
    assert_eq!(run.status, RunStatus::Complete);
    let failed: Vec<_> = run.cases.iter().filter(|c| c.status == CaseStatus::Failed).collect();
    assert_eq!(failed.len(), 1, "{:#?}", run.cases);
    let reason = failed[0].reason.as_deref().unwrap_or("");
    assert!(reason.contains(&victim.to_string()) && reason.contains("SIGKILL"), "{reason}");
    assert!(run.cases.iter().filter(|c| c.status == CaseStatus::Ok).count() >= 2);
    before.assert_nothing_left("a worker was killed");
}

#[test]
fn sigint_keeps_what_finished_and_exits_130() {
    let _machine = exclusive();
    let before = Snapshot::take();
    let out = tempfile::tempdir().unwrap();
    let child = start_run(&data("kill.toml"), out.path());
    wait_for("worker process", || workers_of(child.id()).first().copied());
    std::thread::sleep(Duration::from_millis(300));
    interrupt_run(child, nix::sys::signal::Signal::SIGINT, out.path());
    before.assert_nothing_left("SIGINT");
}

/// `--samples`, `--warmup` and `--max-time` override the profile; `--timeout` takes the
/// scenario files' duration syntax.
#[test]
fn sampling_flags_override_the_profile() {
    let _machine = shared();
    let out = tempfile::tempdir().unwrap();
    let o = gilbench(&[
        "run",
        data("tiny.toml").to_str().unwrap(),
        "--samples",
        "2",
        "--warmup",
        "0",
        "--max-time",
        "10s",
        "--timeout",
        "1m",
        "--no-wait",
        "-v",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    // -v adds the harness's own overhead, and a line per finished case.
    assert!(stderr.contains("harness: clock read"), "{stderr}");
    assert!(stderr.contains("Ok: tiny/sequential/cpu/"), "{stderr}");
    let run = load_run(out.path()).unwrap();
    let ok: Vec<_> = run.cases.iter().filter(|c| c.status == CaseStatus::Ok).collect();
    assert!(!ok.is_empty());
    for c in ok {
        assert_eq!((c.samples.len(), c.warmup), (2, 0), "{}", c.case);
    }
    // `--samples` is a fixed count: every group took exactly two rounds, whatever it knew.
    let rule = run.sampling.as_ref().expect("the rule is recorded");
    assert_eq!((rule.min_rounds, rule.max_rounds, rule.warmup), (2, 2, 0));
    let groups: std::collections::BTreeSet<&str> =
        run.cases.iter().map(|c| c.group.as_str()).collect();
    assert_eq!(run.groups.len(), groups.len());
    for g in &run.groups {
        assert_eq!(g.rounds, 2, "{}", g.group);
        assert!(
            matches!(g.stop, StopReason::MaxRounds | StopReason::Converged),
            "{}: {:?}",
            g.group,
            g.stop
        );
    }
}

#[test]
fn bad_arguments_exit_2_with_a_message() {
    // An error says its cause once.
    for args in [&["report", "/no-such-dir"][..], &["run", "/no-such-scenario.toml"][..]] {
        let o = gilbench(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(stderr.matches("No such file or directory").count(), 1, "{args:?}: {stderr}");
    }
    let tiny = data("tiny.toml");
    let tiny = tiny.to_str().unwrap();
    for (flag, value) in [
        ("--samples", "0"),
        ("--samples", "100000"),
        ("--warmup", "5000"),
        ("--max-time", "0s"),
        ("--max-time", "2h"),
        ("--max-time", "soon"),
        ("--timeout", "0"),
        ("--timeout", "-5s"),
        ("--min-samples", "0"),
        ("--max-samples", "0"),
        ("--half-width", "0"),
        ("--half-width", "0%"),
        ("--half-width", "150%"),
        ("--half-width", "-5%"),
        ("--half-width", "wide"),
    ] {
        let o = gilbench(&["run", tiny, &format!("{flag}={value}")]);
        assert_eq!(o.status.code(), Some(2), "{flag} {value}");
        assert!(String::from_utf8_lossy(&o.stderr).contains(flag), "{flag} {value}");
    }
    let o = gilbench(&["check", "--tolerance", "0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--tolerance"));
    let o = gilbench(&["run", "--profile", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    let o = gilbench(&["run", "/nonexistent/scenario.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent/scenario.toml"));
    let o = gilbench(&["run", "--timeout", "0", data("tiny.toml").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--timeout"));
}

#[test]
fn report_regenerates_from_run_json_and_rejects_garbage() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("run.json"), b"{\"schema_version\": 1, \"cases\": [").unwrap();
    let o = gilbench(&["report", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("run.json"));
}

/// Each case's peak memory is its own: a case that touches 64 MiB reads at least that, and
/// the case after it, which touches almost nothing, reads far less (a lifetime maximum would
/// carry the 64 MiB over). Worker processes' peaks are recorded apart from gilbench's own.
#[test]
fn per_case_peak_memory_is_the_cases_own() {
    let _machine = shared();
    if !gilbench::measure::reset_peak_rss() {
        crate::skip::skip("this platform has no resettable peak RSS");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("memory.toml");
    std::fs::write(
        &scenario,
        "name = \"memory\"\nmodels = [\"sequential\", \"processes:fork\"]\nworkers = [1]\n\
         tasks = 2\n\n[[workload]]\nkind = \"io-file\"\nbytes = \"64MiB\"\n\n\
         [[workload]]\nkind = \"cpu\"\ntask_duration = \"1ms\"\n",
    )
    .unwrap();
    let out = dir.path().join("run");
    let o =
        gilbench(&["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "--no-wait"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&o.stderr));
    let run = load_run(&out).expect("run.json loads");
    let case = |workload: &str, model: &str| {
        run.cases
            .iter()
            .find(|c| c.workload == workload && c.model == model)
            .unwrap_or_else(|| panic!("no {workload} case of {model}"))
    };
    const MIB: u64 = 1 << 20;
    let big = case("io-file", "sequential").peak_rss_bytes.expect("a peak");
    let small = case("cpu", "sequential").peak_rss_bytes.expect("a peak");
    assert!(big >= 64 * MIB, "the 64 MiB case read {} MiB", big / MIB);
    assert!(small < 32 * MIB, "the next case read {} MiB", small / MIB);
    let worker_big = case("io-file", "processes:fork").worker_peak_rss_bytes.expect("a peak");
    let worker_small = case("cpu", "processes:fork").worker_peak_rss_bytes.expect("a peak");
    assert!(worker_big >= 64 * MIB, "the 64 MiB worker read {} MiB", worker_big / MIB);
    assert!(worker_small < 32 * MIB, "the next worker read {} MiB", worker_small / MIB);
    let parent_of_workers = case("io-file", "processes:fork").peak_rss_bytes.expect("a peak");
    assert!(parent_of_workers < 32 * MIB, "the parent of 64 MiB workers read {parent_of_workers}");
}
