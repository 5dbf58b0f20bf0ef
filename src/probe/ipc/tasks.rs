//! The `tasks` endpoints: both ends are tokio tasks on one current-thread runtime, owned by
//! the driver thread. Transports: tokio `mpsc`, and tokio's own unix stream, socketpair and TCP
//! sockets with the same framing as the thread and process cases. The CPU figure covers both
//! tasks (they share the thread).

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

use super::channel::{BOUND, Recycler};
use super::endpoint::MAX_MESSAGE;
use super::peer::PeerReport;
use super::transport::fd_pair;
use super::{IpcConfig, Measured, Mode, Payload, ProbeError, SampleResult, Transport};
use super::{figures, serde_cost};
use crate::sys as os;

/// Whether transport `t` has an async form here.
pub(super) fn supports(t: Transport) -> bool {
    matches!(
        t,
        Transport::TokioMpsc | Transport::UnixStream | Transport::Socketpair | Transport::Tcp
    )
}

type Reader = BufReader<Box<dyn AsyncRead + Unpin + Send>>;
type Writer = Box<dyn AsyncWrite + Unpin + Send>;

enum AsyncEnd {
    Chan { tx: mpsc::Sender<Vec<u8>>, rx: mpsc::Receiver<Vec<u8>>, spares: Recycler },
    Stream { r: Reader, w: Writer, out: Vec<u8> },
}

fn closed() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "the other side closed")
}

impl AsyncEnd {
    fn stream<R, W>(r: R, w: W) -> AsyncEnd
    where
        R: AsyncRead + Unpin + Send + 'static,
        W: AsyncWrite + Unpin + Send + 'static,
    {
        let r: Box<dyn AsyncRead + Unpin + Send> = Box::new(r);
        AsyncEnd::Stream {
            r: BufReader::with_capacity(64 * 1024, r),
            w: Box::new(w),
            out: Vec::new(),
        }
    }

    async fn send(&mut self, msg: &[u8]) -> io::Result<()> {
        match self {
            AsyncEnd::Chan { tx, spares, .. } => {
                tx.send(spares.fill(msg)).await.map_err(|_| closed())
            }
            AsyncEnd::Stream { w, out, .. } => {
                let len = u32::try_from(msg.len())
                    .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "message too long"))?;
                out.clear();
                out.extend_from_slice(&len.to_le_bytes());
                if msg.len() <= 64 * 1024 {
                    out.extend_from_slice(msg);
                    w.write_all(out).await
                } else {
                    w.write_all(out).await?;
                    w.write_all(msg).await
                }
            }
        }
    }

    async fn recv(&mut self, buf: &mut Vec<u8>) -> io::Result<()> {
        match self {
            AsyncEnd::Chan { rx, spares, .. } => {
                spares.take(buf, rx.recv().await.ok_or_else(closed)?);
                Ok(())
            }
            AsyncEnd::Stream { r, .. } => {
                let len = r.read_u32_le().await? as usize;
                if len > MAX_MESSAGE {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "corrupt length prefix",
                    ));
                }
                buf.resize(len, 0);
                r.read_exact(buf).await.map(|_| ())
            }
        }
    }
}

fn pair(t: Transport, size: usize) -> io::Result<(AsyncEnd, AsyncEnd)> {
    use std::os::unix::net::UnixStream as StdUnix;
    let unix = |fd: std::os::fd::OwnedFd| -> io::Result<AsyncEnd> {
        let s = StdUnix::from(fd);
        s.set_nonblocking(true)?;
        let (r, w) = tokio::net::UnixStream::from_std(s)?.into_split();
        Ok(AsyncEnd::stream(r, w))
    };
    Ok(match t {
        Transport::TokioMpsc => {
            let (a_tx, b_rx) = mpsc::channel(BOUND);
            let (b_tx, a_rx) = mpsc::channel(BOUND);
            let spares = Recycler::new();
            (
                AsyncEnd::Chan { tx: a_tx, rx: a_rx, spares: spares.clone() },
                AsyncEnd::Chan { tx: b_tx, rx: b_rx, spares },
            )
        }
        Transport::UnixStream | Transport::Socketpair => {
            let (mut a, mut b) = fd_pair(t, size)?;
            let missing = || io::Error::other("a descriptor is missing");
            (unix(a.pop().ok_or_else(missing)?)?, unix(b.pop().ok_or_else(missing)?)?)
        }
        Transport::Tcp => {
            let (mut a, mut b) = fd_pair(t, size)?;
            let missing = || io::Error::other("a descriptor is missing");
            let tcp = |fd: std::os::fd::OwnedFd| -> io::Result<AsyncEnd> {
                let s = std::net::TcpStream::from(fd);
                s.set_nonblocking(true)?;
                let (r, w) = tokio::net::TcpStream::from_std(s)?.into_split();
                Ok(AsyncEnd::stream(r, w))
            };
            (tcp(a.pop().ok_or_else(missing)?)?, tcp(b.pop().ok_or_else(missing)?)?)
        }
        other => {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                format!("{} has no async form", other.name()),
            ));
        }
    })
}

async fn peer_task(
    mut ep: AsyncEnd,
    payload: Payload,
    latency: bool,
    reports: mpsc::UnboundedSender<PeerReport>,
) {
    let mut buf = Vec::with_capacity(payload.size());
    loop {
        if ep.recv(&mut buf).await.is_err() {
            return;
        }
        let mut seq = 0u64;
        let mut error = None;
        while !buf.is_empty() {
            if let Err(e) = payload.verify(seq, &buf) {
                error = Some(e);
                break;
            }
            if latency && let Err(e) = ep.send(&buf).await {
                error = Some(format!("peer could not answer: {e}"));
                break;
            }
            seq += 1;
            if let Err(e) = ep.recv(&mut buf).await {
                error = Some(format!("peer lost the transport: {e}"));
                break;
            }
        }
        let failed = error.is_some();
        if reports.send(PeerReport { count: seq, error, ..PeerReport::default() }).is_err()
            || failed
        {
            return;
        }
    }
}

async fn drive(
    ep: &mut AsyncEnd,
    reports: &mut mpsc::UnboundedReceiver<PeerReport>,
    payload: &Payload,
    cfg: &IpcConfig,
    cancel: &AtomicBool,
) -> Result<Measured, ProbeError> {
    let mut msg = payload.make(0);
    let mut reply = Vec::with_capacity(payload.size());
    let mut m = Measured::default();
    let start = Instant::now();
    let stop_at = start + cfg.duration;
    let io = |e: io::Error| ProbeError::Failed(format!("transport failed: {e}"));
    let mut seq = 0u64;
    while seq == 0 || Instant::now() < stop_at {
        if seq.is_multiple_of(64) && cancel.load(Ordering::Relaxed) {
            return Err(ProbeError::Interrupted);
        }
        Payload::stamp(seq, &mut msg);
        match cfg.mode {
            Mode::Latency => {
                let t0 = Instant::now();
                ep.send(&msg).await.map_err(io)?;
                ep.recv(&mut reply).await.map_err(io)?;
                m.rtts_ns.push(t0.elapsed().as_nanos() as u64);
                payload.verify(seq, &reply).map_err(ProbeError::Failed)?;
            }
            Mode::Throughput => ep.send(&msg).await.map_err(io)?,
        }
        seq += 1;
    }
    ep.send(&[]).await.map_err(io)?;
    let report =
        reports.recv().await.ok_or_else(|| ProbeError::Failed("the peer task ended".into()))?;
    m.wall = start.elapsed();
    if let Some(why) = report.error {
        return Err(ProbeError::Failed(why));
    }
    if report.count != seq {
        return Err(ProbeError::Failed(format!(
            "{seq} messages sent, {} arrived intact",
            report.count
        )));
    }
    m.count = seq;
    Ok(m)
}

/// The driver thread of a `tasks` case: builds the runtime and both ends, then one sample per
/// deadline received.
pub(super) fn driver_main(
    cfg: &IpcConfig,
    payload: &Payload,
    cmds: &Receiver<Instant>,
    out: &Sender<SampleResult>,
    cancel: &AtomicBool,
    stop: &AtomicBool,
) {
    let setup = |e: io::Error| ProbeError::Setup(format!("{}: {e}", cfg.transport.name()));
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            let _ = out.send(Err(setup(e)));
            return;
        }
    };
    let ends = {
        let _guard = rt.enter();
        pair(cfg.transport, cfg.size)
    };
    let (mut mine, theirs) = match ends {
        Ok(p) => p,
        Err(e) => {
            let _ = out.send(Err(setup(e)));
            return;
        }
    };
    let (rep_tx, mut rep_rx) = mpsc::unbounded_channel();
    let peer = rt.spawn(peer_task(theirs, payload.clone(), cfg.mode == Mode::Latency, rep_tx));
    for deadline in cmds {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let serde_s = serde_cost(payload, Duration::from_millis(2));
        let cpu0 = os::thread_cpu_s();
        let limit = tokio::time::Instant::from_std(deadline);
        let r = rt.block_on(async {
            tokio::time::timeout_at(limit, drive(&mut mine, &mut rep_rx, payload, cfg, cancel))
                .await
                .unwrap_or(Err(ProbeError::Timeout))
        });
        let cpu = os::thread_cpu_s() - cpu0;
        let r = r.map(|mut m| {
            m.both_cpu_s = Some(cpu);
            figures(cfg, m, serde_s)
        });
        if out.send(r).is_err() {
            break;
        }
    }
    drop(mine);
    peer.abort();
}
