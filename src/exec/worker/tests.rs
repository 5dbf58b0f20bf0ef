//! The worker loop run in-process on pipes: plain and under its own interpreter lock.

use std::borrow::Cow;
use std::fs::File;
use std::os::fd::OwnedFd;
use std::time::Duration;

use super::serve;
use crate::exec::gil::GilCounters;
use crate::exec::wire::{self, FromWorker, ToWorker, WireError};
use crate::work::{Task, WorkSpec, make_input};

/// Sends `messages` to a worker loop on this thread and returns its exit code and answers.
fn converse(messages: &[ToWorker<'_>]) -> (i32, Vec<FromWorker>) {
    let (task_read, mut task_write) = std::io::pipe().expect("task pipe");
    let (mut result_read, result_write) = std::io::pipe().expect("result pipe");
    for msg in messages {
        wire::send(&mut task_write, msg).expect("request fits the pipe");
    }
    drop(task_write);
    let code = serve(File::from(OwnedFd::from(task_read)), File::from(OwnedFd::from(result_write)));
    let mut answers = Vec::new();
    loop {
        match wire::recv::<FromWorker, _>(&mut result_read) {
            Ok(answer) => answers.push(answer),
            Err(WireError::Closed) => break,
            Err(e) => panic!("bad answer frame: {e}"),
        }
    }
    (code, answers)
}

fn cpu_tasks(n: u64) -> Vec<Task> {
    (0..n).map(|index| Task { index, input: make_input(index, 64) }).collect()
}

/// Checksums of `tasks` run by a worker with (or without) a lock, and its lock counters.
fn run_worker(
    switch_interval: Option<Duration>,
    tasks: &[Task],
) -> (Vec<u64>, Option<GilCounters>) {
    let spec = WorkSpec::cpu(5_000);
    let mut messages = vec![ToWorker::Init { spec: Cow::Owned(spec), switch_interval }];
    messages.extend(tasks.iter().map(|t| ToWorker::Task(Cow::Borrowed(t))));
    messages.push(ToWorker::Usage);
    messages.push(ToWorker::Exit);
    let (code, answers) = converse(&messages);
    assert_eq!(code, 0);
    assert_eq!(answers.len(), tasks.len() + 2, "{answers:?}");
    assert!(matches!(answers[0], FromWorker::Ready { .. }), "{:?}", answers[0]);
    let checksums = answers[1..=tasks.len()]
        .iter()
        .map(|a| match a {
            FromWorker::Result(r) => r.checksum,
            other => panic!("expected a result, got {other:?}"),
        })
        .collect();
    match &answers[tasks.len() + 1] {
        FromWorker::Usage { gil, .. } => (checksums, *gil),
        other => panic!("expected usage, got {other:?}"),
    }
}

#[test]
fn a_worker_under_its_own_lock_computes_what_a_free_one_does() {
    let tasks = cpu_tasks(5);
    let (free, none) = run_worker(None, &tasks);
    assert_eq!(none, None, "a worker without a lock reports no lock counters");
    let (locked, counters) = run_worker(Some(Duration::from_millis(5)), &tasks);
    assert_eq!(locked, free);
    let counters = counters.expect("a worker with a lock reports its counters");
    // One thread: the lock changes hands once (to it, at the first task) and nobody asks it
    // to drop the lock.
    assert_eq!(counters.switches, 1, "{counters:?}");
    assert_eq!(counters.drop_requests, 0, "{counters:?}");
}

#[test]
fn a_task_before_init_is_an_error_with_its_index() {
    let task = Task { index: 9, input: vec![1, 2, 3] };
    let (code, answers) = converse(&[ToWorker::Task(Cow::Borrowed(&task)), ToWorker::Exit]);
    assert_eq!(code, 0);
    match answers.as_slice() {
        [FromWorker::Error { index: Some(9), message }] => {
            assert!(message.contains("before the workload"), "{message}");
        }
        other => panic!("expected one error, got {other:?}"),
    }
}
