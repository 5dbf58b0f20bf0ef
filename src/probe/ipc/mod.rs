//! The IPC probes: how two threads, two processes or two async tasks talk, measured by
//! round-trip latency (ping-pong, with percentiles) and streaming throughput, with the CPU each
//! side spends per message and the cost of serialising the message on its own.
//!
//! Kinds: `ipc` (variants are transports, see [`Transport`]) and `mp` (the multiprocessing
//! analogues, see [`mp`]). The measuring side runs in a thread of its own, pinned where the
//! placement asks; the peer is a thread, a helper process (`__ipcpeer`) or a task. Every
//! message is checked on arrival (length, sequence, checksum): a lost or corrupted message
//! fails the case.

mod channel;
mod child;
mod config;
mod endpoint;
pub mod message;
pub mod mp;
mod params;
mod peer;
mod sample;
mod shm;
mod tasks;
mod transport;

pub use config::{Endpoints, IpcConfig, Mode, NAMES, Transport};
pub use message::Payload;
pub use mp::MpParams;
pub use params::IpcParams;
pub use sample::serde_cost;

pub use child::ipcpeer_main;
use sample::{Measured, Reports, drive, figures};

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};

use super::{Metric, Probe, ProbeEnv, ProbeError, ProbeSample};
use crate::measure::placement::{Placement, Topology, pin_current_thread};
use endpoint::Endpoint;
use peer::{PeerProcess, PeerSpec};
use shm::Side;

type SampleResult = Result<ProbeSample, ProbeError>;

/// The `ipc` probe: a driver thread and its peer, set up once, one sample per request.
pub struct Ipc {
    cfg: IpcConfig,
    cmd: Option<Sender<Instant>>,
    out: Receiver<SampleResult>,
    driver: Option<JoinHandle<()>>,
    peer_thread: Option<JoinHandle<()>>,
    /// The helper's pid, to kill it when a sample hangs.
    peer_pid: Option<u32>,
    /// Set when the probe is dropped, for task peers.
    stop: Arc<AtomicBool>,
}

impl std::fmt::Debug for Ipc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ipc").field("cfg", &self.cfg).finish_non_exhaustive()
    }
}

impl Ipc {
    /// Builds the `ipc` probe for `variant` (a transport name).
    pub fn new(variant: &str, params: &IpcParams, env: &ProbeEnv) -> Result<Ipc, ProbeError> {
        Ipc::with_config(params.config(variant)?, env)
    }

    /// Builds it from a resolved configuration.
    pub fn with_config(cfg: IpcConfig, env: &ProbeEnv) -> Result<Ipc, ProbeError> {
        if let Some(why) = cfg.unsupported() {
            return Err(ProbeError::Unsupported(why));
        }
        let (a, b) = Topology::read().pair(cfg.placement).ok_or_else(|| {
            ProbeError::Unsupported(format!("this machine has no {} pair", cfg.placement.name()))
        })?;
        let setup = |e: std::io::Error| ProbeError::Setup(format!("{}: {e}", cfg.transport.name()));
        let payload = Payload::new(cfg.size);
        let latency = cfg.mode == Mode::Latency;
        let stop = Arc::new(AtomicBool::new(false));
        let mut peer_thread = None;
        let mut peer_pid = None;
        // The driver's end and where the peer's reports arrive (tasks build theirs inside).
        let ends: Option<(Box<dyn Endpoint>, Reports)> = match cfg.endpoints {
            Endpoints::Tasks => None,
            Endpoints::Threads => {
                let (mine, mut theirs): (Box<dyn Endpoint>, Box<dyn Endpoint>) =
                    if cfg.transport.is_channel() {
                        let (x, y) = channel::pair(cfg.transport, cfg.size).map_err(setup)?;
                        (Box::new(x), Box::new(y))
                    } else {
                        let (x, y) = transport::fd_pair(cfg.transport, cfg.size).map_err(setup)?;
                        (
                            transport::endpoint_from_fds(cfg.transport, x, Side::Driver)
                                .map_err(setup)?,
                            transport::endpoint_from_fds(cfg.transport, y, Side::Peer)
                                .map_err(setup)?,
                        )
                    };
                let (tx, rx) = crossbeam_channel::unbounded();
                let payload = payload.clone();
                let handle = std::thread::Builder::new()
                    .name("gilbench-ipc-peer".into())
                    .spawn(move || {
                        if let Some(cpu) = b {
                            let _ = pin_current_thread(cpu);
                        }
                        peer::serve(theirs.as_mut(), &payload, latency, false, &mut |r| {
                            tx.send(r.clone()).is_ok()
                        });
                    })
                    .map_err(setup)?;
                peer_thread = Some(handle);
                Some((mine, Reports::Thread(rx)))
            }
            Endpoints::Processes => {
                let (x, y) = transport::fd_pair(cfg.transport, cfg.size).map_err(setup)?;
                let spec = PeerSpec::Echo {
                    transport: cfg.transport.name().to_string(),
                    size: cfg.size as u64,
                    latency,
                    cpu: b,
                };
                let p = PeerProcess::start(&env.worker_exe, &spec, &y).map_err(setup)?;
                drop(y);
                peer_pid = Some(p.child.id());
                let mine =
                    transport::endpoint_from_fds(cfg.transport, x, Side::Driver).map_err(setup)?;
                Some((mine, Reports::Process(p)))
            }
        };
        let (cmd_tx, cmd_rx) = crossbeam_channel::unbounded::<Instant>();
        let (out_tx, out_rx) = crossbeam_channel::unbounded::<SampleResult>();
        let (c, cancel, stop2) = (cfg.clone(), Arc::clone(&env.cancel), Arc::clone(&stop));
        let driver = std::thread::Builder::new()
            .name("gilbench-ipc-driver".into())
            .spawn(move || {
                if let Some(cpu) = a
                    && let Err(e) = pin_current_thread(cpu)
                {
                    let _ = out_tx.send(Err(ProbeError::Setup(format!("pinning: {e}"))));
                    return;
                }
                match ends {
                    Some((mut ep, mut reports)) => {
                        for deadline in cmd_rx {
                            let serde_s = serde_cost(&payload, Duration::from_millis(2));
                            let r = drive(
                                ep.as_mut(),
                                &mut reports,
                                &payload,
                                c.mode,
                                c.duration,
                                deadline,
                                &cancel,
                            )
                            .map(|m| figures(&c, m, serde_s));
                            if out_tx.send(r).is_err() {
                                break;
                            }
                        }
                        drop(ep);
                        if let Reports::Process(p) = reports {
                            p.finish();
                        }
                    }
                    None => tasks::driver_main(&c, &payload, &cmd_rx, &out_tx, &cancel, &stop2),
                }
            })
            .map_err(setup)?;
        Ok(Ipc {
            cfg,
            cmd: Some(cmd_tx),
            out: out_rx,
            driver: Some(driver),
            peer_thread,
            peer_pid,
            stop,
        })
    }

    /// The process id of the helper process, if the peer is one.
    pub fn peer_pid(&self) -> Option<u32> {
        self.peer_pid
    }
}

impl Probe for Ipc {
    fn metric(&self) -> Metric {
        match self.cfg.mode {
            Mode::Latency => Metric { name: "round-trip latency, mean of the sample", unit: "s" },
            Mode::Throughput => Metric { name: "messages per second, streamed", unit: "msg/s" },
        }
    }

    fn units(&self) -> usize {
        2
    }

    /// A ping-pong whose ends the scheduler places (free placement, two threads or two
    /// processes) is measured sustained, after its own traffic has run long enough for the
    /// scheduler's load tracking (32 ms half-life) to follow it rather than the idle time
    /// before it. Pinned ends and tasks on one runtime thread have no placement to settle.
    fn lead_in(&self) -> Option<Duration> {
        let placed =
            self.cfg.placement == Placement::Free && self.cfg.endpoints != Endpoints::Tasks;
        (placed && self.cfg.mode == Mode::Latency).then_some(super::PLACEMENT_LEAD_IN)
    }

    fn sample(&mut self, deadline: Instant) -> Result<ProbeSample, ProbeError> {
        let cmd = self.cmd.as_ref().ok_or_else(|| ProbeError::Failed("probe stopped".into()))?;
        cmd.send(deadline).map_err(|_| ProbeError::Failed("the driver thread ended".into()))?;
        match self.out.recv_deadline(deadline + Duration::from_secs(1)) {
            Ok(r) => r,
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {
                // A peer that stopped answering: end it so the driver's wait returns.
                self.kill_peer();
                Err(ProbeError::Timeout)
            }
            Err(_) => Err(ProbeError::Failed("the driver thread ended".into())),
        }
    }
}

impl Ipc {
    fn kill_peer(&mut self) {
        if let Some(pid) = self.peer_pid.and_then(|p| i32::try_from(p).ok()) {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
    }
}

impl Drop for Ipc {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.cmd = None;
        if let Some(d) = self.driver.take() {
            let start = Instant::now();
            while !d.is_finished() && start.elapsed() < Duration::from_secs(2) {
                std::thread::sleep(Duration::from_millis(1));
            }
            if !d.is_finished() {
                self.kill_peer();
            }
            let _ = d.join();
        }
        if let Some(p) = self.peer_thread.take() {
            let _ = p.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_transport_has_its_own_name_and_parses_back() {
        for (i, t) in Transport::ALL.into_iter().enumerate() {
            assert_eq!(t as usize, i, "ALL is in declaration order");
            assert_eq!(Transport::from_name(t.name()), Some(t));
        }
        let mut names = NAMES.to_vec();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Transport::ALL.len());
    }
}
