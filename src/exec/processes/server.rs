//! The parent's handle on the fork server: starts it by re-executing gilbench, asks it to fork
//! workers (passing each worker's pipe ends over the control socket with SCM_RIGHTS), asks how
//! a worker ended, and shuts it down (the server then reaps its workers).

use std::io::{IoSlice, Write};
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use rustix::net::{SendAncillaryBuffer, SendAncillaryMessage, SendFlags, sendmsg};

use super::tail::Tail;
use crate::exec::wire::{self, ExitKind, FromServer, ToServer};
use crate::work::WORKER_ROLE_ENV;

/// How long a control request may wait for the server's answer.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(15);
/// How long the server gets to reap its workers and exit once told to.
const EXIT_WAIT: Duration = Duration::from_secs(3);

/// A running fork server.
#[derive(Debug)]
pub(super) struct ForkServer {
    child: Child,
    control: Option<UnixStream>,
    tail: Tail,
}

/// A freshly forked worker: its pid and the parent's ends of its pipes.
#[derive(Debug)]
pub(super) struct Forked {
    pub(super) pid: u32,
    /// Write end of the worker's task pipe.
    pub(super) input: OwnedFd,
    /// Read end of the worker's result pipe.
    pub(super) output: OwnedFd,
}

impl ForkServer {
    /// Starts `exe __forkserver` with a control socket as its stdin.
    pub(super) fn start(exe: &Path) -> Result<ForkServer, String> {
        let (ours, theirs) = UnixStream::pair().map_err(|e| format!("control socket: {e}"))?;
        ours.set_read_timeout(Some(ANSWER_TIMEOUT))
            .map_err(|e| format!("control socket timeout: {e}"))?;
        let mut child = Command::new(exe)
            .arg("__forkserver")
            .env(WORKER_ROLE_ENV, "forkserver")
            .stdin(Stdio::from(OwnedFd::from(theirs)))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("{}: {e}", exe.display()))?;
        let tail = Tail::collect(child.stderr.take());
        Ok(ForkServer { child, control: Some(ours), tail })
    }

    /// What the server and its workers wrote to stderr lately.
    pub(super) fn stderr_tail(&self) -> String {
        self.tail.text()
    }

    /// Asks the server to fork one worker.
    pub(super) fn fork(&mut self) -> Result<Forked, String> {
        let control = self.control.as_ref().ok_or("the fork server was shut down")?;
        let (task_read, task_write) = std::io::pipe().map_err(|e| format!("pipe: {e}"))?;
        let (result_read, result_write) = std::io::pipe().map_err(|e| format!("pipe: {e}"))?;
        let frame = wire::encode(&ToServer::Fork).map_err(|e| e.to_string())?;
        {
            let fds = [task_read.as_fd(), result_write.as_fd()];
            let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(2))];
            let mut ancillary = SendAncillaryBuffer::new(&mut space);
            if !ancillary.push(SendAncillaryMessage::ScmRights(&fds)) {
                return Err("could not attach pipe ends to the fork request".into());
            }
            let sent =
                sendmsg(control, &[IoSlice::new(&frame)], &mut ancillary, SendFlags::empty())
                    .map_err(|e| self.lost(&format!("sending a fork request: {e}")))?;
            if sent < frame.len() {
                (&*control)
                    .write_all(&frame[sent..])
                    .map_err(|e| self.lost(&format!("sending a fork request: {e}")))?;
            }
        }
        // The server (and then the worker) holds its own copies of the child's ends now.
        drop(task_read);
        drop(result_write);
        match self.answer()? {
            FromServer::Forked { pid } => {
                Ok(Forked { pid, input: task_write.into(), output: result_read.into() })
            }
            FromServer::Error(e) => Err(format!("fork server: {e}")),
            other => Err(format!("fork server answered {other:?} to a fork request")),
        }
    }

    /// Asks how worker `pid` ended, letting the server wait up to `wait` for it; reaps it.
    pub(super) fn status(&mut self, pid: u32, wait: Duration) -> ExitKind {
        let wait_ms = u32::try_from(wait.as_millis()).unwrap_or(u32::MAX);
        let Some(control) = self.control.as_ref() else { return ExitKind::Unknown };
        if wire::send(&mut &*control, &ToServer::Status { pid, wait_ms }).is_err() {
            return ExitKind::Unknown;
        }
        match self.answer() {
            Ok(FromServer::Status { pid: answered, exit }) if answered == pid => exit,
            _ => ExitKind::Unknown,
        }
    }

    fn answer(&self) -> Result<FromServer, String> {
        let control = self.control.as_ref().ok_or("the fork server was shut down")?;
        wire::recv::<FromServer, _>(&mut &*control)
            .map_err(|e| self.lost(&format!("reading the fork server's answer: {e}")))
    }

    fn lost(&self, what: &str) -> String {
        let tail = self.tail.text();
        if tail.is_empty() { what.to_string() } else { format!("{what}; stderr: {tail}") }
    }

    /// Closes the control channel (the server then reaps its workers and exits) and reaps
    /// the server, killing it if it does not exit in time. Idempotent.
    pub(super) fn shutdown(&mut self) {
        self.control = None;
        crate::sys::wait_or_kill(&mut self.child, EXIT_WAIT);
    }
}

impl Drop for ForkServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}
