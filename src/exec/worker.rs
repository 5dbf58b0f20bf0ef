//! Entry points of the hidden subcommands run in child processes: the task worker and the
//! single-threaded fork server. They must be called before the process starts any thread.
//!
//! A worker speaks the [`wire`](super::wire) protocol: it builds the workload from the
//! `WorkSpec` it is sent, runs one task per request, answers usage requests with its own
//! getrusage, and exits on `Exit` or at the end of its input (so it dies with its parent).
//! Nothing is printed: failures travel back as protocol errors.
//!
//! Under the `gil:processes` model the worker owns a modelled interpreter lock, as every
//! Python worker process has its own GIL: it takes the lock when a task arrives, runs the task
//! through a [`GilUnit`] (slice checkpoints, released around blocking calls), and releases it
//! while it waits for the next message (a Python worker blocks in its queue read without the
//! GIL). Its single thread never meets a rival, so the lock is uncontended.

mod forkserver;

#[cfg(target_os = "linux")]
#[path = "worker/linux.rs"]
mod sys;
#[cfg(not(target_os = "linux"))]
#[path = "worker/other.rs"]
mod sys;

use std::fs::File;
use std::io::{BufReader, Write};
use std::os::fd::{AsFd, FromRawFd, OwnedFd};
use std::sync::Arc;

use nix::sys::signal::{SigHandler, Signal, signal};

use super::gil::{Gil, GilUnit};
use super::wire::{self, FromWorker, ToWorker, WireError};
use crate::measure::{Usage, peak_rss_window};
use crate::work::{FreeUnit, Task, Unit, Workload};

/// Exit code of a worker whose input broke the protocol.
const EXIT_PROTOCOL: i32 = 3;
/// Exit code of a worker that could not write its answer.
const EXIT_WRITE: i32 = 4;
/// Exit code of a child process that could not set up its streams.
const EXIT_SETUP: i32 = 5;

/// Read buffer of a worker's task stream.
const READ_BUFFER: usize = 64 * 1024;

/// Runs a worker process speaking the wire protocol on stdin/stdout; returns the exit code.
///
/// The protocol keeps a private copy of stdout and fd 1 is pointed at stderr, so a stray print
/// in a workload cannot corrupt a frame.
pub fn worker_main() -> i32 {
    ignore_interrupts();
    let input = match std::io::stdin().as_fd().try_clone_to_owned() {
        Ok(fd) => fd,
        Err(_) => return EXIT_SETUP,
    };
    let output = match nix::unistd::dup(std::io::stdout().as_fd()) {
        Ok(fd) => fd,
        Err(_) => return EXIT_SETUP,
    };
    if nix::unistd::dup2_stdout(std::io::stderr().as_fd()).is_err() {
        return EXIT_SETUP;
    }
    serve(File::from(input), File::from(output))
}

/// Runs the fork server on stdin/stdout; returns the exit code.
///
/// Its stdin is a unix stream socket to the parent (the control channel); it exits when the
/// parent closes it, after reaping every worker it forked.
pub fn forkserver_main() -> i32 {
    ignore_interrupts();
    // SAFETY: fd 0 is the control socket the parent passed as stdin; nothing else in this
    // process reads stdin, so taking ownership of the descriptor cannot double-close it.
    let control = unsafe { OwnedFd::from_raw_fd(0) };
    forkserver::serve(control)
}

/// Ctrl-C at a terminal signals the whole foreground process group. Children leave it to the
/// parent, which stops the run (its cancel flag) and then ends them; a worker whose parent is
/// gone still exits at the end of its input. Forked workers inherit the setting.
fn ignore_interrupts() {
    // SAFETY: installs SIG_IGN (no handler code runs), before this process starts any thread.
    let _ = unsafe { signal(Signal::SIGINT, SigHandler::SigIgn) };
}

/// The worker loop on any pair of byte streams; returns the process exit code.
pub(crate) fn serve(input: File, mut output: File) -> i32 {
    let mut input = BufReader::with_capacity(READ_BUFFER, input);
    let mut work: Option<Box<dyn Workload>> = None;
    let mut lock: Option<Lock> = None;
    let mut peak = peak_rss_window();
    loop {
        // Waiting for the next message is a blocking read: the lock is free meanwhile.
        if let Some(lock) = &mut lock {
            lock.release();
        }
        let msg = match wire::recv::<ToWorker<'static>, _>(&mut input) {
            Ok(msg) => msg,
            Err(WireError::Closed) => return 0,
            Err(e) => {
                let _ =
                    answer(&mut output, &FromWorker::Error { index: None, message: e.to_string() });
                return EXIT_PROTOCOL;
            }
        };
        let reply = match msg {
            ToWorker::Init { spec, switch_interval } => match spec.try_build() {
                Ok(built) => {
                    work = Some(built);
                    lock = switch_interval.map(Lock::new);
                    FromWorker::Ready { pid: std::process::id() }
                }
                Err(message) => FromWorker::Error { index: None, message },
            },
            ToWorker::Task(task) => run_task(work.as_deref(), lock.as_mut(), &task),
            ToWorker::Usage => {
                let peak_rss_bytes = peak.read();
                peak = peak_rss_window();
                FromWorker::Usage {
                    usage: Usage::this_process(),
                    peak_rss_bytes,
                    gil: lock.as_ref().map(|l| l.gil.counters()),
                }
            }
            ToWorker::Exit => return 0,
        };
        if answer(&mut output, &reply).is_err() {
            return EXIT_WRITE;
        }
    }
}

/// The worker's own interpreter lock and whether its one thread holds it.
struct Lock {
    gil: Arc<Gil>,
    unit: GilUnit,
    held: bool,
}

impl Lock {
    fn new(switch_interval: std::time::Duration) -> Lock {
        let gil = Arc::new(Gil::new(switch_interval));
        let unit = GilUnit::new(Arc::clone(&gil), 0);
        Lock { gil, unit, held: false }
    }

    /// Takes the lock unless the thread holds it already.
    fn enter(&mut self) -> &GilUnit {
        if !self.held {
            self.unit.enter();
            self.held = true;
        }
        &self.unit
    }

    /// Releases the lock if the thread holds it.
    fn release(&mut self) {
        if self.held {
            self.unit.exit();
            self.held = false;
        }
    }
}

fn run_task(work: Option<&dyn Workload>, lock: Option<&mut Lock>, task: &Task) -> FromWorker {
    let Some(work) = work else {
        return FromWorker::Error {
            index: Some(task.index),
            message: "task received before the workload was initialised".into(),
        };
    };
    let outcome = match lock {
        Some(lock) => {
            // As in the `gil` thread model: run, then the eval loop's check after the task.
            let unit = lock.enter();
            let outcome = work.run_in(task, unit);
            unit.checkpoint();
            outcome
        }
        None => work.run_in(task, &FreeUnit),
    };
    match outcome {
        Ok(result) => FromWorker::Result(result),
        Err(e) => FromWorker::Error { index: Some(task.index), message: e.to_string() },
    }
}

fn answer(output: &mut File, reply: &FromWorker) -> Result<(), WireError> {
    let frame = wire::encode(reply)?;
    output.write_all(&frame)?;
    Ok(())
}

#[cfg(test)]
mod tests;
