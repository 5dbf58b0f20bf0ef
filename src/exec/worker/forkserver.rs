//! The fork server: a single-threaded process (no threads, no runtime) that forks task workers
//! on request, so forked workers never inherit the state of a multi-threaded parent. Python's
//! `forkserver` start method, measured as such.
//!
//! Control channel: a unix stream socket on fd 0, framed like the worker protocol. A `Fork`
//! request carries the worker's two pipe ends (SCM_RIGHTS); the server forks, the child runs
//! the worker loop on those pipes and `_exit`s, and the server answers with the child's pid.
//! The server never reaps a worker on its own, so a worker's pid stays valid for the parent to
//! kill until the parent asks for its `Status` (which reaps it). At the end of the control
//! stream (the parent closed it or died) the server gives its workers a moment to exit, kills
//! the rest, reaps them all, and exits.

use std::collections::VecDeque;
use std::io::{self, IoSliceMut, Write};
use std::mem::MaybeUninit;
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::signal::{Signal, kill};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork};
use rustix::net::{RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags, recvmsg};

use super::super::wire::{self, ExitKind, FromServer, ToServer};
use super::sys;

/// How long workers get to exit on their own once the control stream has ended.
const EXIT_GRACE: Duration = Duration::from_secs(1);
/// Polling interval while waiting for a worker to end.
const POLL: Duration = Duration::from_millis(2);
/// Upper bound on a parent's `Status` wait.
const MAX_STATUS_WAIT: Duration = Duration::from_secs(10);

/// What one control request turned this process into.
enum Step {
    /// Still the server: send this answer.
    Answer(FromServer),
    /// The forked child: run the worker loop on these pipe ends (task input, result output).
    Worker(OwnedFd, OwnedFd),
}

/// Runs the server on `control` until the parent goes away; returns the exit code.
pub(super) fn serve(control: OwnedFd) -> i32 {
    let control = UnixStream::from(control);
    let mut inbox = Vec::new();
    let mut fds: VecDeque<OwnedFd> = VecDeque::new();
    let mut workers: Vec<Pid> = Vec::new();
    let code = loop {
        let frame = match wire::take_frame(&mut inbox) {
            Ok(frame) => frame,
            Err(e) => {
                let _ = wire::send(&mut &control, &FromServer::Error(e.to_string()));
                break 1;
            }
        };
        let Some(frame) = frame else {
            match receive(&control, &mut inbox, &mut fds) {
                Ok(0) => break 0,
                Ok(_) => continue,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => break 1,
            }
        };
        let step = match wire::decode::<ToServer>(&frame) {
            Ok(ToServer::Fork) => fork_worker(&mut fds, &mut workers),
            Ok(ToServer::Status { pid, wait_ms }) => {
                let wait = Duration::from_millis(u64::from(wait_ms)).min(MAX_STATUS_WAIT);
                Step::Answer(status(pid, wait, &mut workers))
            }
            Err(e) => Step::Answer(FromServer::Error(e.to_string())),
        };
        match step {
            Step::Answer(reply) => {
                if wire::send(&mut &control, &reply).is_err() {
                    break 1;
                }
            }
            Step::Worker(input, output) => {
                // The child keeps only its own pipe ends (and stderr): the control socket and
                // any pipe ends queued for later workers are closed here.
                drop(control);
                drop(fds);
                drop(workers);
                let code = super::serve(input.into(), output.into());
                let _ = io::stderr().flush();
                // SAFETY: _exit ends the forked child without returning into the server's
                // loop and without running the server's exit handlers a second time.
                unsafe { libc::_exit(code) };
            }
        }
    };
    reap_all(&workers);
    code
}

/// Reads what the control socket has: bytes onto `inbox`, passed descriptors onto `fds`.
fn receive(
    control: &UnixStream,
    inbox: &mut Vec<u8>,
    fds: &mut VecDeque<OwnedFd>,
) -> io::Result<usize> {
    let mut buf = [0u8; 4096];
    let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(8))];
    let mut ancillary = RecvAncillaryBuffer::new(&mut space);
    let msg =
        recvmsg(control, &mut [IoSliceMut::new(&mut buf)], &mut ancillary, RecvFlags::empty())?;
    for message in ancillary.drain() {
        if let RecvAncillaryMessage::ScmRights(passed) = message {
            fds.extend(passed);
        }
    }
    inbox.extend_from_slice(&buf[..msg.bytes]);
    Ok(msg.bytes)
}

fn fork_worker(fds: &mut VecDeque<OwnedFd>, workers: &mut Vec<Pid>) -> Step {
    let (Some(input), Some(output)) = (fds.pop_front(), fds.pop_front()) else {
        return Step::Answer(FromServer::Error(
            "fork request arrived without its two pipe ends".into(),
        ));
    };
    let server = std::process::id();
    // SAFETY: the fork server is single-threaded (it starts no thread and no runtime, and is
    // dispatched before the CLI starts any), so the child may allocate and call anything.
    match unsafe { fork() } {
        Ok(ForkResult::Child) => {
            sys::die_with_parent(server);
            Step::Worker(input, output)
        }
        Ok(ForkResult::Parent { child }) => {
            workers.push(child);
            // `input` and `output` are dropped here: only the child holds them now.
            match u32::try_from(child.as_raw()) {
                Ok(pid) => Step::Answer(FromServer::Forked { pid }),
                Err(_) => Step::Answer(FromServer::Error(format!("fork returned pid {child}"))),
            }
        }
        Err(e) => Step::Answer(FromServer::Error(format!("fork failed: {e}"))),
    }
}

/// Waits up to `wait` for worker `pid` to end, reaps it, and says how it ended.
fn status(pid: u32, wait: Duration, workers: &mut Vec<Pid>) -> FromServer {
    let Ok(raw) = i32::try_from(pid) else {
        return FromServer::Status { pid, exit: ExitKind::Unknown };
    };
    let target = Pid::from_raw(raw);
    if !workers.contains(&target) {
        return FromServer::Status { pid, exit: ExitKind::Unknown };
    }
    let deadline = Instant::now() + wait;
    let exit = loop {
        match try_reap(target) {
            Some(exit) => {
                workers.retain(|w| *w != target);
                break exit;
            }
            None if Instant::now() < deadline => std::thread::sleep(POLL),
            None => break ExitKind::Unknown,
        }
    };
    FromServer::Status { pid, exit }
}

/// Reaps `pid` if it has ended: `Some` with how it ended (Unknown if it is not our child).
fn try_reap(pid: Pid) -> Option<ExitKind> {
    loop {
        return match waitpid(pid, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::Exited(_, code)) => Some(ExitKind::Exited(code)),
            Ok(WaitStatus::Signaled(_, signal, _)) => Some(ExitKind::Signaled(signal as i32)),
            Ok(_) => None,
            Err(Errno::EINTR) => continue,
            Err(_) => Some(ExitKind::Unknown),
        };
    }
}

/// Gives every worker [`EXIT_GRACE`] to end, SIGKILLs the rest and reaps them all.
fn reap_all(workers: &[Pid]) {
    let deadline = Instant::now() + EXIT_GRACE;
    let mut left: Vec<Pid> = workers.to_vec();
    while !left.is_empty() && Instant::now() < deadline {
        left.retain(|pid| try_reap(*pid).is_none());
        if !left.is_empty() {
            std::thread::sleep(POLL);
        }
    }
    for pid in left {
        let _ = kill(pid, Signal::SIGKILL);
        while let Err(Errno::EINTR) = waitpid(pid, None) {}
    }
}
