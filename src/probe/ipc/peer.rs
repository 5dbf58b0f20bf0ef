//! The other end of an IPC case: the echo/sink loop a peer runs (in a thread or in a process),
//! and the helper process itself — gilbench re-executed with the hidden `__ipcpeer`
//! subcommand, its control socket on standard input. The control socket carries one spec
//! frame with the transport's descriptors attached (SCM_RIGHTS), then the peer's reports.
//! Nothing goes through a shell or a file name; the peer dies with the thread that started it.
//! The helper's entry point, which picks its role, is [`super::child`].

use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use rustix::net::{
    RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags, SendAncillaryBuffer,
    SendAncillaryMessage, SendFlags, recvmsg, sendmsg,
};
use serde::{Deserialize, Serialize};

use super::endpoint::Endpoint;
use super::message::Payload;
use crate::exec::wire;
use crate::measure::Usage;
use crate::sys as os;

/// What a peer process is asked to be.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) enum PeerSpec {
    /// The far end of an `ipc` case.
    Echo {
        /// Transport name.
        transport: String,
        /// Message size, bytes.
        size: u64,
        /// Echo every message (latency) or only count them (throughput).
        latency: bool,
        /// CPU to pin to.
        cpu: Option<usize>,
    },
    /// A role in the multiprocessing analogues, as `mp` encodes it (`mp::Role::spec`): this
    /// file carries it without knowing its kinds.
    Mp(Vec<u8>),
}

/// What a peer says after each sample.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct PeerReport {
    /// Messages (or operations) it handled, all verified.
    pub(crate) count: u64,
    /// CPU seconds it used meanwhile.
    pub(crate) cpu_s: f64,
    /// Its process's usage meanwhile (processes only; threads show in the caller's).
    pub(crate) usage: Usage,
    /// What went wrong, if anything did.
    pub(crate) error: Option<String>,
}

/// The echo/sink loop: one round per sample, ended by an empty message, then a report.
/// Returns when the transport closes, a report cannot be sent, or a message was bad.
pub(crate) fn serve(
    ep: &mut dyn Endpoint,
    payload: &Payload,
    latency: bool,
    process: bool,
    report: &mut dyn FnMut(&PeerReport) -> bool,
) {
    let mut buf = Vec::with_capacity(payload.size());
    loop {
        ep.set_idle(true);
        // A closed transport, or a one-byte goodbye between samples: leave.
        if ep.recv(&mut buf).is_err() || buf.len() == 1 {
            return;
        }
        ep.set_idle(false);
        let (cpu0, usage0) = (os::thread_cpu_s(), process.then(Usage::this_process));
        let mut seq = 0u64;
        let mut error = None;
        while !buf.is_empty() {
            if let Err(e) = payload.verify(seq, &buf) {
                error = Some(e);
                break;
            }
            if latency && let Err(e) = ep.send(&buf) {
                error = Some(format!("peer could not answer: {e}"));
                break;
            }
            seq += 1;
            if let Err(e) = ep.recv(&mut buf) {
                error = Some(format!("peer lost the transport: {e}"));
                break;
            }
        }
        let usage = usage0.map(|u| Usage::this_process().since(&u)).unwrap_or_default();
        let cpu_s = if process { usage.cpu_s() } else { os::thread_cpu_s() - cpu0 };
        let failed = error.is_some();
        if !report(&PeerReport { count: seq, cpu_s, usage, error }) || failed {
            return;
        }
    }
}

/// Sends `frame` on `sock` with `fds` attached.
pub(crate) fn send_with_fds(sock: &UnixStream, frame: &[u8], fds: &[OwnedFd]) -> io::Result<()> {
    let borrowed: Vec<_> = fds.iter().map(|f| f.as_fd()).collect();
    let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(4))];
    let mut ancillary = SendAncillaryBuffer::new(&mut space);
    if !borrowed.is_empty() && !ancillary.push(SendAncillaryMessage::ScmRights(&borrowed)) {
        return Err(io::Error::other("too many descriptors for one message"));
    }
    let sent = sendmsg(sock, &[IoSlice::new(frame)], &mut ancillary, SendFlags::empty())?;
    if sent < frame.len() {
        (&*sock).write_all(&frame[sent..])?;
    }
    Ok(())
}

/// Receives one frame's payload and the descriptors that came with it.
pub(crate) fn recv_with_fds(sock: &UnixStream) -> io::Result<(Vec<u8>, Vec<OwnedFd>)> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(4))];
    let mut ancillary = RecvAncillaryBuffer::new(&mut space);
    let msg = recvmsg(sock, &mut [IoSliceMut::new(&mut buf)], &mut ancillary, RecvFlags::empty())?;
    let mut fds = Vec::new();
    for m in ancillary.drain() {
        if let RecvAncillaryMessage::ScmRights(passed) = m {
            fds.extend(passed);
        }
    }
    buf.truncate(msg.bytes);
    if buf.len() < 4 {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "no spec arrived"));
    }
    let mut head = [0u8; 4];
    head.copy_from_slice(&buf[..4]);
    let len = u32::from_le_bytes(head) as usize;
    if len > 1024 * 1024 {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "spec frame too long"));
    }
    let mut payload = buf.split_off(4);
    if payload.len() < len {
        let have = payload.len();
        payload.resize(len, 0);
        (&*sock).read_exact(&mut payload[have..])?;
    }
    payload.truncate(len);
    Ok((payload, fds))
}

/// A running helper process and its control socket.
#[derive(Debug)]
pub(crate) struct PeerProcess {
    pub(crate) child: Child,
    pub(crate) control: UnixStream,
}

impl PeerProcess {
    /// Starts `exe __ipcpeer` and hands it `spec` with `fds`.
    pub(crate) fn start(exe: &Path, spec: &PeerSpec, fds: &[OwnedFd]) -> io::Result<PeerProcess> {
        let (mine, theirs) = UnixStream::pair()?;
        let child = Command::new(exe)
            .arg("__ipcpeer")
            .stdin(Stdio::from(OwnedFd::from(theirs)))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let mut peer = PeerProcess { child, control: mine };
        let frame = wire::encode(spec).map_err(io::Error::other)?;
        if let Err(e) = send_with_fds(&peer.control, &frame, fds) {
            peer.kill();
            return Err(e);
        }
        Ok(peer)
    }

    /// Reads the next report, waiting at most `wait`.
    pub(crate) fn report(&mut self, wait: std::time::Duration) -> Result<PeerReport, String> {
        self.control
            .set_read_timeout(Some(wait.max(std::time::Duration::from_millis(1))))
            .map_err(|e| e.to_string())?;
        wire::recv(&mut self.control).map_err(|e| format!("no report from the peer: {e}"))
    }

    /// Kills and reaps it.
    pub(crate) fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Asks it to leave (closing its control socket), then makes sure it did.
    pub(crate) fn finish(mut self) {
        let _ = self.control.shutdown(std::net::Shutdown::Both);
        os::wait_or_kill(&mut self.child, std::time::Duration::from_millis(500));
    }
}
