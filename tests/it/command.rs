//! The `command` workload through the executable: `{task}` substitution and stdout checksums
//! agree across models, the commands' output never reaches the terminal, and a failing
//! command, a missing program and a command past its timeout each fail their case with the
//! reason. Also: its keys are checked with file, line and key.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use gilbench::results::{CaseStatus, RunRecord, load_run};
use gilbench::scenario::{ScenarioError, WorkloadParams};
use gilbench::work::{Task, batch_checksum, result_of};

use crate::support::{exe, shared};

/// Runs `scenario` with the executable; returns the exit code, stdout, stderr and the record.
fn run(scenario: &str) -> (Option<i32>, String, String, RunRecord) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("commands.toml");
    std::fs::write(&file, scenario).unwrap();
    let out = dir.path().join("run");
    let o = Command::new(exe())
        .args(["run", file.to_str().unwrap(), "--no-wait", "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    let record = load_run(&out).unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (o.status.code(), text(&o.stdout), text(&o.stderr), record)
}

#[test]
fn task_placeholder_and_stdout_checksum_agree_across_models() {
    let _machine = shared();
    let (code, stdout, stderr, record) = run(r#"
name = "cmd-ok"
models = ["sequential", "threads", "processes:spawn", "processes:fork", "async:current", "async:multi"]
workers = [2]
tasks = 6
[[workload]]
kind = "command"
argv = ["sh", "-c", "echo out-$1-{task}; echo noise-{task} >&2", "sh", "arg{task}"]
timeout = "20s"
"#);
    assert_eq!(code, Some(0), "{stderr}");
    // gilbench prints the report's path and nothing of the commands.
    assert!(stdout.trim().ends_with("index.html") && stdout.lines().count() == 1, "{stdout}");
    assert!(!stdout.contains("out-") && !stderr.contains("noise-"), "{stdout}\n{stderr}");
    let expected: Vec<_> = (0..6u64)
        .map(|i| {
            result_of(&Task { index: i, input: Vec::new() }, format!("out-arg{i}-{i}\n").into())
        })
        .collect();
    let expected = format!("{:016x}", batch_checksum(&expected));
    assert_eq!(record.cases.len(), 6);
    for case in &record.cases {
        assert_eq!(case.status, CaseStatus::Ok, "{}: {:?}", case.case, case.reason);
        assert_eq!(case.workload, "command");
        assert_eq!(case.params.get("command").map(String::as_str), Some("sh"));
        assert_eq!(case.checksum.as_deref(), Some(expected.as_str()), "{}", case.case);
    }
}

#[test]
fn failing_missing_and_hanging_commands_fail_their_cases_with_the_reason() {
    let _machine = shared();
    let start = Instant::now();
    let (code, _, stderr, record) = run(r#"
name = "cmd-faults"
models = ["threads", "processes:spawn", "async:current"]
workers = [1]
tasks = 2
timeout = "30s"
[[workload]]
kind = "command"
name = "fails"
argv = ["sh", "-c", "echo bad-{task} >&2; exit 3"]
[[workload]]
kind = "command"
name = "missing"
argv = ["/nonexistent/gilbench-missing-program", "{task}"]
[[workload]]
kind = "command"
name = "hangs"
argv = ["sleep", "30"]
timeout = "300ms"
"#);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(start.elapsed() < Duration::from_secs(25), "took {:?}", start.elapsed());
    assert_eq!(record.cases.len(), 9);
    for case in &record.cases {
        let reason = case.reason.as_deref().unwrap_or("");
        assert_eq!(case.status, CaseStatus::Failed, "{}: {reason}", case.case);
        let wanted: &[&str] = match case.params.get("command").map(String::as_str) {
            Some("fails") => &["exited with status 3", "stderr ends: bad-"],
            Some("missing") => &["gilbench-missing-program", "could not start"],
            Some("hangs") => &["`sleep 30` did not finish within 300ms; killed"],
            other => panic!("unexpected command {other:?}"),
        };
        for w in wanted {
            assert!(reason.contains(w), "{}: {reason:?} lacks {w:?}", case.case);
        }
    }
}

fn parse(text: &str) -> Result<gilbench::scenario::Scenario, ScenarioError> {
    gilbench::scenario::parse(text, Path::new("cmd.toml"))
}

fn error_at(text: &str) -> (usize, String, String) {
    match parse(text).expect_err("refused") {
        ScenarioError::At { line, key, message, .. } => (line, key.unwrap_or_default(), message),
        other => panic!("{other}"),
    }
}

#[test]
fn command_keys_are_read_and_checked() {
    let head = "models = [\"threads\"]\ntasks = 2\n[[workload]]\nkind = \"command\"\n";
    let sc =
        parse(&format!("{head}argv = [\"/usr/bin/gzip\", \"-c\", \"{{task}}.txt\"]\n")).unwrap();
    match &sc.workloads[0].variants[0].0 {
        WorkloadParams::Command { name, argv, timeout } => {
            assert_eq!(name, "gzip");
            assert_eq!(argv, &["/usr/bin/gzip", "-c", "{task}.txt"]);
            assert_eq!(*timeout, Duration::from_secs(60));
        }
        other => panic!("{other:?}"),
    }
    let cases: [(&str, usize, &str, &str); 7] = [
        ("", 3, "argv", "missing"),
        ("argv = \"echo hi\"\n", 5, "argv", "expected a list of strings"),
        ("argv = []\n", 5, "argv", "empty"),
        ("argv = [\"echo\", 3]\n", 5, "argv", "expected a string"),
        ("argv = [\"echo\"]\ntimeout = \"0s\"\n", 6, "timeout", "zero"),
        ("argv = [\"echo\"]\nsleep = \"1ms\"\n", 6, "sleep", "does not apply"),
        ("argv = [\"echo\"]\nname = \"a/b\"\n", 6, "name", "not a usable name"),
    ];
    for (tail, line, key, words) in cases {
        let (l, k, m) = error_at(&format!("{head}{tail}"));
        assert_eq!((l, k.as_str()), (line, key), "{tail:?}: {m}");
        assert!(m.contains(words), "{tail:?}: {m}");
    }
}

#[test]
fn every_example_in_the_scenario_guide_validates() {
    let guide = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/README.md");
    let text = std::fs::read_to_string(&guide).unwrap();
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```toml") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), l) => {
                block.push_str(l);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    assert!(blocks.len() >= 6, "found {} TOML examples", blocks.len());
    let mut kinds = std::collections::BTreeSet::new();
    for (i, block) in blocks.iter().enumerate() {
        let sc = parse(block).unwrap_or_else(|e| panic!("example {}: {e}\n{block}", i + 1));
        kinds.extend(sc.workloads.iter().map(|w| w.variants[0].0.name().to_string()));
        kinds.extend(sc.probes.iter().map(|p| format!("probe:{}", p.kind)));
    }
    for kind in [
        "cpu",
        "io-sleep",
        "io-file",
        "io-net",
        "mixed",
        "command",
        "probe:convoy",
        "probe:lock",
        "probe:deadlock",
        "probe:switch",
        "probe:spawn",
        "probe:footprint",
        "probe:headroom",
        "probe:ipc",
        "probe:mp",
    ] {
        assert!(kinds.contains(kind), "no example of {kind}");
    }
}

#[test]
fn validate_errors_point_to_the_scenario_guide() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(
        &file,
        "models = [\"threads\"]\ntasks = 2\n[[workload]]\nkind = \"command\"\nargv = \"gzip -c\"\n",
    )
    .unwrap();
    let o = Command::new(exe()).args(["validate", file.to_str().unwrap()]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("bad.toml:5:8: key `argv`: expected a list of strings"), "{stderr}");
    assert!(stderr.contains("scenarios/README.md"), "{stderr}");
}
