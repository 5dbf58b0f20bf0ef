//! Unit tests of the `command` workload: placeholders, output, and each way a command fails.

use std::time::{Duration, Instant};

use super::CommandWork;
use crate::work::{Task, WorkError, Workload};

fn work(argv: &[&str], timeout_ms: u64) -> CommandWork {
    CommandWork {
        argv: argv.iter().map(|s| s.to_string()).collect(),
        timeout: Duration::from_millis(timeout_ms),
    }
}

fn task(index: u64) -> Task {
    Task { index, input: Vec::new() }
}

fn message(e: WorkError) -> String {
    e.to_string()
}

#[test]
fn task_placeholder_is_replaced_in_every_argument() {
    let w = work(&["echo", "{task}", "in-{task}-{task}", "x"], 5_000);
    assert_eq!(w.argv_for(7), ["echo", "7", "in-7-7", "x"]);
    let out = w.run(&task(42)).expect("echo runs");
    assert_eq!(out.output, b"42 in-42-42 x\n");
}

#[test]
fn blocking_and_async_runs_agree() {
    let w = work(&["echo", "task {task}"], 5_000);
    let blocking = w.run(&task(3)).expect("runs");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
    let t = task(3);
    let asynchronous = rt.block_on(w.run_async(&t)).expect("runs");
    assert_eq!(blocking, asynchronous);
}

#[test]
fn input_goes_to_stdin() {
    let w = work(&["cat"], 5_000);
    let out = w.run(&Task { index: 1, input: b"payload".to_vec() }).expect("cat runs");
    assert_eq!(out.output, b"payload");
}

#[test]
fn failing_command_reports_status_and_stderr() {
    let w = work(&["sh", "-c", "echo broken {task} >&2; exit 3"], 5_000);
    let m = message(w.run(&task(5)).expect_err("fails"));
    assert!(m.contains("exited with status 3"), "{m}");
    assert!(m.contains("stderr ends: broken 5"), "{m}");
}

#[test]
fn missing_program_is_reported() {
    let w = work(&["/nonexistent/gilbench-no-such-program"], 5_000);
    let m = message(w.run(&task(0)).expect_err("fails"));
    assert!(m.contains("could not start"), "{m}");
    assert!(m.contains("gilbench-no-such-program"), "{m}");
}

#[test]
fn command_past_its_timeout_is_killed() {
    let w = work(&["sleep", "10"], 150);
    let start = Instant::now();
    let m = message(w.run(&task(0)).expect_err("times out"));
    assert!(start.elapsed() < Duration::from_secs(5), "{:?}", start.elapsed());
    assert!(m.contains("did not finish within 150ms; killed"), "{m}");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
    let t = task(0);
    let start = Instant::now();
    let m = message(rt.block_on(w.run_async(&t)).expect_err("times out"));
    assert!(start.elapsed() < Duration::from_secs(5), "{:?}", start.elapsed());
    assert!(m.contains("did not finish within 150ms; killed"), "{m}");
}
