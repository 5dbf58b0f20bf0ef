//! Entry points of the hidden subcommands run in child processes: the task worker and the
//! single-threaded fork server. They must be called before the process starts any thread.
//!
//! A worker speaks the [`wire`](super::wire) protocol: it builds the workload from the
//! `WorkSpec` it is sent, runs one task per request, answers usage requests with its own
//! getrusage, and exits on `Exit` or at the end of its input (so it dies with its parent).
//! Nothing is printed: failures travel back as protocol errors.

mod forkserver;

#[cfg(target_os = "linux")]
#[path = "worker/linux.rs"]
mod sys;
#[cfg(not(target_os = "linux"))]
#[path = "worker/other.rs"]
mod sys;

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufReader, Write};
use std::os::fd::{AsFd, FromRawFd, OwnedFd};

use nix::sys::signal::{SigHandler, Signal, signal};

use super::wire::{self, FromWorker, ToWorker, WireError};
use crate::measure::Usage;
use crate::work::Workload;

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
    loop {
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
            ToWorker::Init(spec) => {
                work = Some(spec.build());
                FromWorker::Ready { pid: std::process::id() }
            }
            ToWorker::Task(task) => run_task(work.as_deref(), task),
            ToWorker::Usage => FromWorker::Usage(Usage::this_process()),
            ToWorker::Exit => return 0,
        };
        if answer(&mut output, &reply).is_err() {
            return EXIT_WRITE;
        }
    }
}

fn run_task(work: Option<&dyn Workload>, task: Cow<'static, crate::work::Task>) -> FromWorker {
    let Some(work) = work else {
        return FromWorker::Error {
            index: Some(task.index),
            message: "task received before the workload was initialised".into(),
        };
    };
    match work.run(&task) {
        Ok(result) => FromWorker::Result(result),
        Err(e) => FromWorker::Error { index: Some(task.index), message: e.to_string() },
    }
}

fn answer(output: &mut File, reply: &FromWorker) -> Result<(), WireError> {
    let frame = wire::encode(reply)?;
    output.write_all(&frame)?;
    Ok(())
}
