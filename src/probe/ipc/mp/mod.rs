//! The `mp` probe: multiprocessing's primitives rebuilt so a Python user recognises them, and
//! their operations per second from 1..W client processes.
//!
//! - `queue`: W producer processes `put` items into one bounded [`Queue`]; this process `get`s
//!   and checks every item (per producer, in order). Serialisation is part of each operation.
//! - `value` / `array`: W processes increment a [`SharedArray`] of one element / `size / 8`
//!   elements under one process-shared lock; the total must equal the operations counted.
//! - `pipe`: W processes each send `size`-byte items over their own duplex pipe to this
//!   process, which checks each one and sends it back; an operation is one round trip.
//! - `manager`: W processes make proxy calls (alternately `add(1)` on the counter and setting a
//!   `size`-byte dictionary item) to a [`Manager`] server process; the counter must equal the
//!   adds counted.

pub mod manager;
mod params;
mod pipe;
pub mod queue;
mod sync;
pub mod value;

pub use manager::{Client, Manager, ManagerError};
pub use params::MpParams;
pub use queue::{Item, Queue, QueueError};
pub use value::SharedArray;

use std::collections::BTreeMap;
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::message::Payload;
use super::peer::{PeerProcess, PeerReport, PeerSpec};
use crate::exec::wire;
use crate::measure::Usage;
use crate::probe::{Metric, Probe, ProbeEnv, ProbeError, ProbeSample};
use crate::sys as os;

/// The `mp` variants' names in scenarios and case keys.
pub const VARIANTS: [&str; 5] = ["queue", "value", "array", "pipe", "manager"];

/// Items the benchmark queue holds (multiprocessing's `maxsize`).
pub const QUEUE_MAXSIZE: u32 = 64;

/// What a helper process of the `mp` probe is.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Role {
    /// The manager server; descriptor: its listening socket.
    ManagerServer {
        /// The token clients must present.
        token: Vec<u8>,
    },
    /// A manager client; descriptor: its connected socket.
    ManagerClient {
        /// The token.
        token: Vec<u8>,
        /// Dictionary item size.
        size: u64,
        /// Its number.
        client: u32,
    },
    /// An incrementer of a shared array; descriptor: the array's memory.
    Array,
    /// A pipe client; descriptor: its end of the pipe.
    PipeClient {
        /// Item size.
        size: u64,
        /// Its number.
        client: u32,
    },
    /// A queue producer; descriptors: the queue's shared words, the pipe's writing end.
    Producer {
        /// Item size.
        size: u64,
        /// Its number.
        client: u32,
    },
}

impl Role {
    /// The spec that starts a helper process in this role.
    pub(crate) fn spec(&self) -> std::io::Result<PeerSpec> {
        Ok(PeerSpec::Mp(wire::encode_payload(self).map_err(std::io::Error::other)?))
    }
}

/// The `mp` variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    Queue,
    Value,
    Array,
    Pipe,
    Manager,
}

/// The running probe: W client processes (and the manager server), set up once.
pub struct Mp {
    variant: Variant,
    clients: Vec<PeerProcess>,
    array: Option<SharedArray>,
    queue: Option<Queue>,
    manager: Option<Manager>,
    checker: Option<Client>,
    echoes: Option<pipe::Echoes>,
    payload: Payload,
    duration: Duration,
    cancel: Arc<AtomicBool>,
    /// Operations counted so far (what shared state must show).
    total: u64,
    /// Adds made through the manager so far.
    adds: u64,
    /// Next expected item from each producer.
    next_seq: Vec<u64>,
}

impl std::fmt::Debug for Mp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mp")
            .field("variant", &self.variant)
            .field("clients", &self.clients.len())
            .finish_non_exhaustive()
    }
}

impl Mp {
    /// Starts the clients (and server) of `variant`.
    pub fn new(variant: &str, params: &MpParams, env: &ProbeEnv) -> Result<Mp, ProbeError> {
        let variant = match variant {
            "queue" => Variant::Queue,
            "value" => Variant::Value,
            "array" => Variant::Array,
            "pipe" => Variant::Pipe,
            "manager" => Variant::Manager,
            other => return Err(ProbeError::Unsupported(format!("mp has no variant `{other}`"))),
        };
        if !os::HAS_FUTEX && !matches!(variant, Variant::Manager | Variant::Pipe) {
            return Err(ProbeError::Unsupported("needs memfd and futex (Linux)".into()));
        }
        let w = params.clients.max(1) as u32;
        let size = (params.size as usize).max(super::message::MIN_SIZE);
        let setup = |e: std::io::Error| ProbeError::Setup(e.to_string());
        let mut mp = Mp {
            variant,
            clients: Vec::new(),
            array: None,
            queue: None,
            manager: None,
            checker: None,
            echoes: None,
            payload: Payload::new(size),
            duration: params.duration.max(Duration::from_millis(1)),
            cancel: Arc::clone(&env.cancel),
            total: 0,
            adds: 0,
            next_seq: vec![0; w as usize],
        };
        let exe = &env.worker_exe;
        match variant {
            Variant::Value | Variant::Array => {
                let elements = if variant == Variant::Value { 1 } else { size / 8 };
                let array = SharedArray::create(elements).map_err(setup)?;
                for _ in 0..w {
                    let fd = array.fd().map_err(setup)?;
                    mp.clients.push(
                        PeerProcess::start(exe, &Role::Array.spec().map_err(setup)?, &[fd])
                            .map_err(setup)?,
                    );
                }
                mp.array = Some(array);
            }
            Variant::Queue => {
                let q = Queue::new(QUEUE_MAXSIZE).map_err(setup)?;
                for client in 0..w {
                    let (shared, tx) = q.producer_fds().map_err(setup)?;
                    let spec =
                        Role::Producer { size: size as u64, client }.spec().map_err(setup)?;
                    mp.clients.push(PeerProcess::start(exe, &spec, &[shared, tx]).map_err(setup)?);
                }
                mp.queue = Some(q);
            }
            Variant::Pipe => {
                let mut ends = Vec::with_capacity(w as usize);
                for client in 0..w {
                    let (mine, theirs) = UnixStream::pair().map_err(setup)?;
                    let spec =
                        Role::PipeClient { size: size as u64, client }.spec().map_err(setup)?;
                    mp.clients.push(
                        PeerProcess::start(exe, &spec, &[OwnedFd::from(theirs)]).map_err(setup)?,
                    );
                    ends.push(mine);
                }
                mp.echoes = Some(pipe::Echoes::start(ends, &mp.payload).map_err(setup)?);
            }
            Variant::Manager => {
                let mut m = Manager::start(exe).map_err(setup)?;
                let connect = |m: &Manager| {
                    // The server may still be starting: its socket is bound, so connect waits
                    // in the backlog until it accepts.
                    m.connect_raw()
                };
                for client in 0..w {
                    let sock = connect(&m).map_err(setup)?;
                    let spec = Role::ManagerClient {
                        token: m.token().to_vec(),
                        size: size as u64,
                        client,
                    }
                    .spec()
                    .map_err(setup)?;
                    mp.clients.push(
                        PeerProcess::start(exe, &spec, &[OwnedFd::from(sock)]).map_err(setup)?,
                    );
                }
                let checker = Client::handshake(connect(&m).map_err(setup)?, m.token())
                    .map_err(|e| ProbeError::Setup(e.to_string()))?;
                m.seal();
                mp.checker = Some(checker);
                mp.manager = Some(m);
            }
        }
        Ok(mp)
    }

    fn drain_queue(&mut self, deadline: Instant) -> Result<u64, ProbeError> {
        let Some(q) = &self.queue else { return Ok(0) };
        let mut ends = 0usize;
        let mut items = 0u64;
        while ends < self.clients.len() {
            if self.cancel.load(Ordering::Relaxed) {
                return Err(ProbeError::Interrupted);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let item = match q.get(Some(left)) {
                Ok(item) => item,
                Err(QueueError::Empty) => return Err(ProbeError::Timeout),
                Err(e) => return Err(ProbeError::Failed(e.to_string())),
            };
            let Some(next) = self.next_seq.get_mut(item.from as usize) else {
                return Err(ProbeError::Failed(format!(
                    "item from unknown producer {}",
                    item.from
                )));
            };
            if item.body.is_empty() {
                ends += 1;
                continue;
            }
            self.payload.verify(*next, &item.body).map_err(ProbeError::Failed)?;
            *next += 1;
            items += 1;
        }
        Ok(items)
    }
}

impl Probe for Mp {
    fn metric(&self) -> Metric {
        Metric { name: "operations per second, all clients together", unit: "ops/s" }
    }

    fn units(&self) -> usize {
        let served = matches!(self.variant, Variant::Queue | Variant::Pipe | Variant::Manager);
        self.clients.len() + usize::from(served)
    }

    fn sample(&mut self, deadline: Instant) -> Result<ProbeSample, ProbeError> {
        let go = self.duration.as_nanos() as u64;
        let cpu0 = os::thread_cpu_s();
        let start = Instant::now();
        for c in &mut self.clients {
            wire::send(&mut c.control, &go)
                .map_err(|e| ProbeError::Failed(format!("a client is gone: {e}")))?;
        }
        let drained = self.drain_queue(deadline)?;
        let mut ops = 0u64;
        let mut usage = Usage::default();
        let mut cpu = 0.0;
        for c in &mut self.clients {
            let wait = deadline.saturating_duration_since(Instant::now());
            let r: PeerReport = c.report(wait).map_err(ProbeError::Failed)?;
            if let Some(why) = r.error {
                return Err(ProbeError::Failed(why));
            }
            ops += r.count;
            self.adds += r.count.div_ceil(2);
            cpu += r.cpu_s;
            usage = usage.plus(&r.usage);
        }
        let wall = start.elapsed();
        let driver_cpu = os::thread_cpu_s() - cpu0;
        self.total += ops;
        match self.variant {
            Variant::Queue => {
                if drained != ops {
                    return Err(ProbeError::Failed(format!(
                        "{ops} items put, {drained} got intact"
                    )));
                }
            }
            Variant::Value | Variant::Array => {
                let snapshot = self.array.as_ref().map(SharedArray::snapshot).unwrap_or_default();
                if let Some(bad) = snapshot.iter().find(|&&v| v != self.total) {
                    return Err(ProbeError::Failed(format!(
                        "shared counter shows {bad}, {} increments were made (lost updates)",
                        self.total
                    )));
                }
            }
            Variant::Pipe => {
                let echoes = self.echoes.as_ref();
                if let Some(why) = echoes.and_then(pipe::Echoes::error) {
                    return Err(ProbeError::Failed(why));
                }
                let echoed = echoes.map_or(0, pipe::Echoes::echoed);
                if echoed != self.total {
                    return Err(ProbeError::Failed(format!(
                        "{} round trips counted by the clients, {echoed} items sent back",
                        self.total
                    )));
                }
            }
            Variant::Manager => {
                let adds = self.checker.as_mut().map(Client::get).transpose();
                let adds = adds.map_err(|e| ProbeError::Failed(e.to_string()))?.unwrap_or(0);
                // Clients alternate add(1) and a dictionary set, starting with add.
                if u64::try_from(adds).ok() != Some(self.adds) {
                    return Err(ProbeError::Failed(format!(
                        "manager counter {adds} after {} adds",
                        self.adds
                    )));
                }
            }
        }
        let n = ops.max(1) as f64;
        let mut counters = BTreeMap::new();
        counters.insert("ops".into(), ops as f64);
        counters.insert(
            "ops_per_client_per_s".into(),
            ops as f64 / wall.as_secs_f64() / self.clients.len().max(1) as f64,
        );
        counters.insert("client_cpu_s_per_op".into(), cpu / n);
        counters.insert("driver_cpu_s_per_op".into(), driver_cpu / n);
        counters.insert("s_per_op".into(), wall.as_secs_f64() * self.clients.len() as f64 / n);
        if self.variant != Variant::Value && self.variant != Variant::Array {
            counters.insert(
                "serde_s_per_op".into(),
                super::serde_cost(&self.payload, Duration::from_millis(1)),
            );
        }
        Ok(ProbeSample {
            value: ops as f64 / wall.as_secs_f64().max(1e-12),
            wall,
            counters,
            worker_usage: usage,
        })
    }
}

impl Drop for Mp {
    fn drop(&mut self) {
        for c in self.clients.drain(..) {
            c.finish();
        }
        self.checker = None;
        self.manager = None;
    }
}

/// Runs `op` for the asked duration each time the control socket says go, then `end`, and
/// reports; returns when the control socket closes.
fn client_loop(
    mut control: UnixStream,
    op: &mut dyn FnMut(u64) -> Result<(), String>,
    end: &mut dyn FnMut() -> Result<(), String>,
) -> i32 {
    loop {
        let Ok(go) = wire::recv::<u64, _>(&mut control) else { return 0 };
        let usage0 = Usage::this_process();
        let stop = Instant::now() + Duration::from_nanos(go);
        let mut n = 0u64;
        let mut error = None;
        loop {
            if n.is_multiple_of(16) && n > 0 && Instant::now() >= stop {
                break;
            }
            if let Err(e) = op(n) {
                error = Some(e);
                break;
            }
            n += 1;
        }
        if error.is_none()
            && let Err(e) = end()
        {
            error = Some(e);
        }
        let usage = Usage::this_process().since(&usage0);
        let report = PeerReport { count: n, cpu_s: usage.cpu_s(), usage, error };
        if wire::send(&mut control, &report).is_err() {
            return 0;
        }
    }
}

/// A helper process of the `mp` probe.
pub(crate) fn peer_main(role: Role, control: UnixStream, mut fds: Vec<OwnedFd>) -> i32 {
    match role {
        Role::ManagerServer { token } => manager::server_main(&token, control, fds),
        Role::Array => {
            let Some(array) = fds.pop().and_then(|fd| SharedArray::open(fd).ok()) else {
                return 2;
            };
            client_loop(
                control,
                &mut |_| {
                    array.increment();
                    Ok(())
                },
                &mut || Ok(()),
            )
        }
        Role::Producer { size, client } => {
            let (Some(tx), Some(shared)) = (fds.pop(), fds.pop()) else { return 2 };
            let Ok(q) = Queue::producer(shared, tx, QUEUE_MAXSIZE) else { return 2 };
            let payload = Payload::new(size as usize);
            let mut seq = 0u64;
            let mut item = Item { from: client, body: Vec::new() };
            client_loop(
                control,
                &mut |_| {
                    payload.fill(seq, &mut item.body);
                    q.put(&item, None).map_err(|e| e.to_string())?;
                    seq += 1;
                    Ok(())
                },
                &mut || {
                    q.put(&Item { from: client, body: Vec::new() }, None).map_err(|e| e.to_string())
                },
            )
        }
        Role::PipeClient { size, client } => {
            let Some(fd) = fds.pop() else { return 2 };
            let mut end = UnixStream::from(fd);
            let payload = Payload::new(size as usize);
            let mut item = Item { from: client, body: Vec::new() };
            let mut seq = 0u64;
            client_loop(
                control,
                &mut |_| {
                    pipe::round_trip(&mut end, &payload, &mut item, seq)?;
                    seq += 1;
                    Ok(())
                },
                &mut || Ok(()),
            )
        }
        Role::ManagerClient { token, size, client } => {
            let Some(fd) = fds.pop() else { return 2 };
            let Ok(mut c) = Client::handshake(UnixStream::from(fd), &token) else { return 3 };
            let key = format!("client-{client}");
            let body = Payload::new(size as usize).make(0);
            client_loop(
                control,
                &mut |i| {
                    let r = if i % 2 == 0 {
                        c.add(1).map(|_| ())
                    } else {
                        c.call(&manager::Request::Set(key.clone(), body.clone())).map(|_| ())
                    };
                    r.map_err(|e| e.to_string())
                },
                &mut || Ok(()),
            )
        }
    }
}
