//! The byte transports between two threads or two processes: an anonymous pipe pair, a unix
//! stream socket (bound in a private directory, then unlinked), unix datagram sockets, TCP on
//! 127.0.0.1, a socketpair, and the shared-memory rings (in `shm.rs`). Stream transports frame
//! each message with a u32 little-endian length; a zero-length message ends a sample.
//!
//! Each transport is created as descriptors for two sides, so the same code builds the peer's
//! end in a thread or, after descriptor passing, in another process.

use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::fd::OwnedFd;
use std::os::unix::net::{UnixDatagram, UnixListener, UnixStream};

use super::Transport;
use super::endpoint::Endpoint;
use super::endpoint::MAX_MESSAGE;
use super::shm::{AtomicEnd, ShmEnd, ShmRegion, Side, Wait};

/// Largest message a datagram transport carries in one datagram.
pub(crate) const MAX_DATAGRAM: usize = 64 * 1024;

/// Descriptors of both sides of a transport: (driver's, peer's).
pub(crate) type FdPair = (Vec<OwnedFd>, Vec<OwnedFd>);

/// Bytes a stream end reads ahead in one `read` call.
const READ_AHEAD: usize = 64 * 1024;

/// A stream transport end: framed messages over a reading and a writing descriptor.
#[derive(Debug)]
pub(crate) struct StreamEnd {
    rx: File,
    tx: File,
    out: Vec<u8>,
    /// Read-ahead buffer, allocated and zeroed once: `inbox[start..end]` is unread.
    inbox: Box<[u8]>,
    start: usize,
    end: usize,
}

impl StreamEnd {
    /// An end reading from `rx` and writing to `tx` (the same socket may be both).
    pub(crate) fn new(rx: OwnedFd, tx: OwnedFd) -> StreamEnd {
        StreamEnd {
            rx: File::from(rx),
            tx: File::from(tx),
            out: Vec::new(),
            inbox: vec![0; READ_AHEAD].into_boxed_slice(),
            start: 0,
            end: 0,
        }
    }

    /// Unread bytes.
    fn unread(&self) -> usize {
        self.end - self.start
    }

    /// Reads more bytes after the unread ones (moved to the front first when the buffer's
    /// tail is full); an end of stream is an error.
    fn fill(&mut self) -> io::Result<()> {
        if self.end == self.inbox.len() {
            self.inbox.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        let n = loop {
            match self.rx.read(&mut self.inbox[self.end..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the other side closed"));
        }
        self.end += n;
        Ok(())
    }
}

impl Endpoint for StreamEnd {
    fn send(&mut self, msg: &[u8]) -> io::Result<()> {
        let len = u32::try_from(msg.len())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "message too long"))?;
        if msg.len() <= 64 * 1024 {
            self.out.clear();
            self.out.extend_from_slice(&len.to_le_bytes());
            self.out.extend_from_slice(msg);
            self.tx.write_all(&self.out)
        } else {
            self.tx.write_all(&len.to_le_bytes())?;
            self.tx.write_all(msg)
        }
    }

    fn recv(&mut self, buf: &mut Vec<u8>) -> io::Result<()> {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
        while self.unread() < 4 {
            self.fill()?;
        }
        let mut head = [0u8; 4];
        head.copy_from_slice(&self.inbox[self.start..self.start + 4]);
        let len = u32::from_le_bytes(head) as usize;
        if len > MAX_MESSAGE {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "corrupt length prefix"));
        }
        self.start += 4;
        let have = self.unread().min(len);
        buf.clear();
        buf.extend_from_slice(&self.inbox[self.start..self.start + have]);
        self.start += have;
        if have < len {
            // The rest goes straight into the caller's buffer.
            buf.resize(len, 0);
            self.rx.read_exact(&mut buf[have..])?;
        }
        Ok(())
    }
}

/// A connected datagram socket: one message per datagram. Datagram sockets see no end of
/// stream, so a dropped end sends a one-byte datagram: the peer's cue to leave.
#[derive(Debug)]
pub(crate) struct DgramEnd {
    sock: UnixDatagram,
    scratch: Vec<u8>,
}

impl Endpoint for DgramEnd {
    fn send(&mut self, msg: &[u8]) -> io::Result<()> {
        let n = self.sock.send(msg)?;
        if n != msg.len() {
            return Err(io::Error::other("datagram cut short"));
        }
        Ok(())
    }

    fn recv(&mut self, buf: &mut Vec<u8>) -> io::Result<()> {
        // One byte more than the largest message, so a cut-short datagram shows.
        let n = self.sock.recv(&mut self.scratch)?;
        buf.clear();
        buf.extend_from_slice(&self.scratch[..n]);
        Ok(())
    }
}

impl Drop for DgramEnd {
    fn drop(&mut self) {
        let _ = self.sock.send(&[0]);
    }
}

fn private_dir() -> io::Result<tempfile::TempDir> {
    // tempfile creates the directory with mode 0700: only this user can reach the sockets.
    crate::sys::private_dir("ipc")
}

/// Creates the descriptors of both sides of an OS transport.
pub(crate) fn fd_pair(t: Transport, size: usize) -> io::Result<FdPair> {
    Ok(match t {
        Transport::Pipe => {
            let (down_r, down_w) = io::pipe()?;
            let (up_r, up_w) = io::pipe()?;
            (vec![up_r.into(), down_w.into()], vec![down_r.into(), up_w.into()])
        }
        Transport::Socketpair => {
            let (a, b) = UnixStream::pair()?;
            (vec![a.into()], vec![b.into()])
        }
        Transport::UnixStream => {
            let dir = private_dir()?;
            let path = dir.path().join("s");
            let listener = UnixListener::bind(&path)?;
            let a = UnixStream::connect(&path)?;
            let (b, _) = listener.accept()?;
            std::fs::remove_file(&path)?;
            dir.close()?;
            (vec![a.into()], vec![b.into()])
        }
        Transport::UnixDgram => {
            let dir = private_dir()?;
            let (pa, pb) = (dir.path().join("a"), dir.path().join("b"));
            let a = UnixDatagram::bind(&pa)?;
            let b = UnixDatagram::bind(&pb)?;
            a.connect(&pb)?;
            b.connect(&pa)?;
            std::fs::remove_file(&pa)?;
            std::fs::remove_file(&pb)?;
            dir.close()?;
            (vec![a.into()], vec![b.into()])
        }
        Transport::Tcp => {
            let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
            let a = TcpStream::connect(listener.local_addr()?)?;
            let (b, _) = listener.accept()?;
            a.set_nodelay(true)?;
            b.set_nodelay(true)?;
            (vec![a.into()], vec![b.into()])
        }
        Transport::ShmSpin | Transport::ShmFutex | Transport::Atomic => {
            let region = ShmRegion::create(size)?;
            (vec![region.dup_fd()?], vec![region.dup_fd()?])
        }
        other => {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                format!("{} has no descriptors", other.name()),
            ));
        }
    })
}

/// Builds one side's endpoint from its descriptors (as [`fd_pair`] made them).
pub(crate) fn endpoint_from_fds(
    t: Transport,
    mut fds: Vec<OwnedFd>,
    side: Side,
) -> io::Result<Box<dyn Endpoint>> {
    let missing = || io::Error::new(io::ErrorKind::InvalidInput, "a descriptor is missing");
    Ok(match t {
        Transport::Pipe => {
            if fds.len() != 2 {
                return Err(missing());
            }
            let tx = fds.pop().ok_or_else(missing)?;
            let rx = fds.pop().ok_or_else(missing)?;
            Box::new(StreamEnd::new(rx, tx))
        }
        Transport::Socketpair | Transport::UnixStream | Transport::Tcp => {
            let sock = fds.pop().ok_or_else(missing)?;
            let copy = sock.try_clone()?;
            Box::new(StreamEnd::new(sock, copy))
        }
        Transport::UnixDgram => {
            let sock = fds.pop().ok_or_else(missing)?;
            Box::new(DgramEnd {
                sock: UnixDatagram::from(sock),
                scratch: vec![0; MAX_DATAGRAM + 1],
            })
        }
        Transport::ShmSpin | Transport::ShmFutex => {
            let fd = fds.pop().ok_or_else(missing)?;
            let wait = if t == Transport::ShmSpin { Wait::Spin } else { Wait::Block };
            Box::new(ShmEnd::new(ShmRegion::open(fd)?, side, wait))
        }
        Transport::Atomic => {
            let fd = fds.pop().ok_or_else(missing)?;
            Box::new(AtomicEnd::new(ShmRegion::open(fd)?, side))
        }
        other => {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                format!("{} is not built from descriptors", other.name()),
            ));
        }
    })
}
