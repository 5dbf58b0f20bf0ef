//! What an `ipc` case is: its transport, its two ends, its mode and message size (made from
//! the case's typed parameters, `IpcParams::config`), and which combinations cannot run here.

use std::time::Duration;

use super::{message, tasks, transport};
use crate::measure::placement::Placement;
use crate::probe::words;
use crate::sys as os;

/// A way two ends exchange messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// Two anonymous pipes, one per direction.
    Pipe,
    /// A unix stream socket bound in a private directory (unlinked once connected).
    UnixStream,
    /// Two unix datagram sockets, one message per datagram.
    UnixDgram,
    /// TCP on 127.0.0.1 with Nagle off.
    Tcp,
    /// A duplex `socketpair` (what multiprocessing's `Pipe()` uses).
    Socketpair,
    /// Shared-memory rings, busy-waiting.
    ShmSpin,
    /// Shared-memory rings, blocking on a futex.
    ShmFutex,
    /// One shared cache line bounced by stores and spinning loads: the floor.
    Atomic,
    /// crossbeam unbounded channel.
    Crossbeam,
    /// crossbeam bounded channel.
    CrossbeamBounded,
    /// std `mpsc::channel`.
    StdMpsc,
    /// std `mpsc::sync_channel`.
    StdSync,
    /// tokio `mpsc` (bounded).
    TokioMpsc,
}

/// The transports' names in scenarios and case keys, in declaration (and report) order.
pub const NAMES: [&str; 13] = [
    "pipe",
    "unix-stream",
    "unix-dgram",
    "tcp",
    "socketpair",
    "shm-spin",
    "shm-futex",
    "atomic",
    "crossbeam",
    "crossbeam-bounded",
    "std-mpsc",
    "std-sync",
    "tokio-mpsc",
];

impl Transport {
    /// Every transport, in declaration (and report) order.
    pub const ALL: [Transport; 13] = [
        Transport::Pipe,
        Transport::UnixStream,
        Transport::UnixDgram,
        Transport::Tcp,
        Transport::Socketpair,
        Transport::ShmSpin,
        Transport::ShmFutex,
        Transport::Atomic,
        Transport::Crossbeam,
        Transport::CrossbeamBounded,
        Transport::StdMpsc,
        Transport::StdSync,
        Transport::TokioMpsc,
    ];

    /// Its name in scenarios and case keys.
    pub fn name(self) -> &'static str {
        NAMES[self as usize]
    }

    /// Parses a name.
    pub fn from_name(name: &str) -> Option<Transport> {
        Transport::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Whether it lives in shared memory.
    pub fn is_shared_memory(self) -> bool {
        matches!(self, Transport::ShmSpin | Transport::ShmFutex | Transport::Atomic)
    }

    /// Whether it is an in-process channel.
    pub fn is_channel(self) -> bool {
        matches!(
            self,
            Transport::Crossbeam
                | Transport::CrossbeamBounded
                | Transport::StdMpsc
                | Transport::StdSync
                | Transport::TokioMpsc
        )
    }
}

words! {
    /// Who the two ends are.
    pub enum Endpoints {
        /// Two threads of this process.
        Threads = "threads",
        /// This process and a helper process.
        Processes = "processes",
        /// Two tokio tasks on one current-thread runtime.
        Tasks = "tasks",
    }
}

words! {
    /// Round trips or a stream.
    pub enum Mode {
        /// Ping-pong: the peer echoes each message; the figure is the round-trip time.
        Latency = "latency",
        /// The driver streams messages; the peer checks and counts them.
        Throughput = "throughput",
    }
}

/// Everything one `ipc` case needs.
#[derive(Debug, Clone)]
pub struct IpcConfig {
    /// The transport.
    pub transport: Transport,
    /// Who the ends are.
    pub endpoints: Endpoints,
    /// Message size in bytes.
    pub size: usize,
    /// What is measured.
    pub mode: Mode,
    /// Where the ends run.
    pub placement: Placement,
    /// How long one sample streams or ping-pongs.
    pub duration: Duration,
}

impl IpcConfig {
    /// Why this combination cannot run here, if it cannot.
    pub fn unsupported(&self) -> Option<String> {
        let t = self.transport;
        let name = t.name();
        if self.size < message::MIN_SIZE {
            return Some(format!(
                "messages carry an 8-byte sequence number; {} B is too small",
                self.size
            ));
        }
        if t == Transport::Atomic && (self.size != 8 || self.mode == Mode::Throughput) {
            return Some("the atomic floor bounces one 8-byte word, latency only".into());
        }
        if t == Transport::UnixDgram && self.size > transport::MAX_DATAGRAM {
            return Some(format!(
                "unix-dgram carries at most {} KiB per datagram",
                transport::MAX_DATAGRAM / 1024
            ));
        }
        if t.is_shared_memory() && !os::HAS_FUTEX {
            return Some(format!("{name} needs memfd and futex (Linux)"));
        }
        match self.endpoints {
            Endpoints::Processes if t.is_channel() => {
                Some(format!("{name} is an in-process channel; it cannot join two processes"))
            }
            Endpoints::Tasks if !tasks::supports(t) => {
                Some(format!("{name} has no async form between tokio tasks"))
            }
            Endpoints::Tasks if !matches!(self.placement, Placement::Free | Placement::SameCpu) => {
                Some("both tasks run on one runtime thread: only free or same-cpu apply".into())
            }
            _ => None,
        }
    }
}
