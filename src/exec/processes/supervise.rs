//! The supervised exchange every batch and control request of the processes models runs
//! through: one feeder thread per worker, released together, answers handed to the calling
//! thread, which watches the deadline and the cancel flag; on any fault every worker is
//! SIGKILLed before the feeders are joined.

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use super::{Pipes, Unit};
use crate::exec::wire::{FromWorker, ToWorker, WireError};
use crate::work::Task;

/// How often the supervising thread looks at the deadline and the cancel flag.
const TICK: Duration = Duration::from_millis(100);

/// What went wrong inside a supervised exchange, before it is described to the caller.
#[derive(Debug)]
pub(super) enum Fault {
    /// Worker `0` ended its stream (died), while running the task if one is named.
    Died(usize, Option<u64>),
    /// Worker `0` sent something the protocol does not allow.
    Protocol(usize, String),
    /// A task's workload failed inside the worker.
    TaskFailed(u64, String),
    /// The deadline passed; the time the batch was allowed.
    Timeout(Duration),
    /// The cancel flag was set.
    Interrupted,
    /// The parent could not run the exchange (a feeder thread did not start).
    Local(String),
}

/// A feeder's report to the supervisor.
pub(super) type Event = (usize, Result<FromWorker, Fault>);

/// Runs `job` for every worker in its own scoped thread, releases them together once all are
/// started, and hands each answer to `handle` on the calling thread until it returns
/// `Ok(true)`. Returns the time from the release to that point. On a fault every worker is
/// SIGKILLed before the feeder threads are joined, so none of them can block the return.
pub(super) fn supervise<J, H>(
    pipes: &mut [Pipes],
    units: &[Unit],
    cancel: &AtomicBool,
    deadline: Instant,
    job: J,
    mut handle: H,
) -> Result<Duration, Fault>
where
    J: Fn(usize, &mut Pipes, &Sender<Event>, &AtomicBool) + Sync,
    H: FnMut(usize, FromWorker) -> Result<bool, Fault>,
{
    if pipes.is_empty() {
        return Ok(Duration::ZERO);
    }
    let stop = AtomicBool::new(false);
    let (events_tx, events) = crossbeam_channel::unbounded::<Event>();
    let (ready_tx, ready) = crossbeam_channel::unbounded::<()>();
    let (go_tx, go) = crossbeam_channel::bounded::<()>(0);
    std::thread::scope(|scope| {
        let mut started = 0usize;
        let mut outcome: Result<Duration, Fault> = Ok(Duration::ZERO);
        for (w, p) in pipes.iter_mut().enumerate() {
            let (events_tx, ready_tx, go, stop, job) =
                (events_tx.clone(), ready_tx.clone(), go.clone(), &stop, &job);
            let spawned = std::thread::Builder::new()
                .name(format!("gilbench-feed-{w}"))
                .spawn_scoped(scope, move || {
                    let _ = ready_tx.send(());
                    // The release: every feeder wakes when the sender is dropped.
                    let _ = go.recv();
                    if !stop.load(Ordering::Relaxed) {
                        job(w, p, &events_tx, stop);
                    }
                });
            match spawned {
                Ok(_) => started += 1,
                Err(e) => {
                    outcome = Err(Fault::Local(format!("could not start a feeder thread: {e}")));
                    break;
                }
            }
        }
        drop(events_tx);
        drop(ready_tx);
        if outcome.is_ok() {
            for _ in 0..started {
                if ready.recv().is_err() {
                    outcome = Err(Fault::Local("a feeder thread ended before the start".into()));
                    break;
                }
            }
        }
        if outcome.is_err() {
            stop.store(true, Ordering::Relaxed);
            drop(go_tx);
            return outcome;
        }
        let start = Instant::now();
        drop(go_tx);
        let outcome =
            watch(&events, cancel, start, deadline, &mut handle).map(|()| start.elapsed());
        if outcome.is_err() {
            stop.store(true, Ordering::Relaxed);
            kill_all(units);
        }
        outcome
    })
}

/// The supervising loop: answers to `handle`, with the deadline and cancel flag checked at
/// least every [`TICK`].
fn watch<H>(
    events: &Receiver<Event>,
    cancel: &AtomicBool,
    start: Instant,
    deadline: Instant,
    handle: &mut H,
) -> Result<(), Fault>
where
    H: FnMut(usize, FromWorker) -> Result<bool, Fault>,
{
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err(Fault::Interrupted);
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(Fault::Timeout(deadline.saturating_duration_since(start)));
        }
        match events.recv_timeout((deadline - now).min(TICK)) {
            Ok((w, Ok(reply))) => {
                if handle(w, reply)? {
                    return Ok(());
                }
            }
            Ok((_, Err(fault))) => return Err(fault),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                return Err(Fault::Local("every feeder stopped before the batch ended".into()));
            }
        }
    }
}

/// One feeder: hands tasks from the shared queue to its worker, one at a time.
pub(super) fn feed(
    w: usize,
    pipes: &mut Pipes,
    tasks: &[Task],
    queue: &Receiver<usize>,
    events: &Sender<Event>,
    stop: &AtomicBool,
) {
    while !stop.load(Ordering::Relaxed) {
        let Ok(pos) = queue.try_recv() else { return };
        let task = &tasks[pos];
        let event = match pipes.request(&ToWorker::Task(Cow::Borrowed(task))) {
            Ok(FromWorker::Result(result)) if result.index == task.index => {
                Ok(FromWorker::Result(result))
            }
            Ok(FromWorker::Error { message, .. }) => Err(Fault::TaskFailed(task.index, message)),
            Ok(other) => Err(Fault::Protocol(
                w,
                format!("answered {} to task {}", kind_of(&other), task.index),
            )),
            Err(e) => Err(stream_fault(w, Some(task.index), e)),
        };
        let failed = event.is_err();
        if events.send((w, event)).is_err() || failed {
            return;
        }
    }
}

/// A broken stream is a dead worker; a malformed frame is a protocol fault.
pub(super) fn stream_fault(w: usize, task: Option<u64>, e: WireError) -> Fault {
    match e {
        WireError::Closed | WireError::Io(_) => Fault::Died(w, task),
        other => Fault::Protocol(w, other.to_string()),
    }
}

/// SIGKILLs every worker that has not been reaped.
pub(super) fn kill_all(units: &[Unit]) {
    for unit in units.iter().filter(|u| !u.reaped) {
        if let Ok(pid) = i32::try_from(unit.pid) {
            let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
        }
    }
}

/// The name of an answer's kind, for error messages (never its payload).
pub(super) fn kind_of(reply: &FromWorker) -> &'static str {
    match reply {
        FromWorker::Ready { .. } => "ready",
        FromWorker::Result(_) => "a result",
        FromWorker::Usage { gil: None, .. } => "a usage snapshot",
        FromWorker::Usage { gil: Some(_), .. } => "a usage snapshot with lock counters",
        FromWorker::Error { .. } => "an error",
    }
}
