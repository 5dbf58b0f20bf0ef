//! The convoy probe: the response latency of an IO-bound thread while N CPU-bound "hogs" run.
//!
//! Variants:
//! - `gil`: the IO thread and the hogs share one modelled GIL. The IO call releases the lock
//!   and must take it back afterwards, which waits behind a hog until the hog's next
//!   checkpoint after a drop request — up to a switch interval per call (the convoy effect);
//! - `threads`: the same threads with no lock;
//! - `processes`: the hogs are other processes (what multiprocessing buys).
//!
//! The IO call is a sleep of `io_time` (its oversleep is the cost) or a request/response to a
//! loopback server that answers after `io_time`.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{Metric, Probe, ProbeEnv, ProbeError, ProbeSample};
use crate::exec::gil::{Gil, GilUnit};
use crate::probe::{
    KindParams, MIB, ParamDecl, ParamDefault, ParamError, ParamType, ProbeDecl, Values, Word, words,
};
use crate::stats::percentile;
use crate::work::{
    FreeUnit, LoopbackServer, NetWork, SLICE_ITERATIONS, Task, Unit, Workload, cpu_kernel_in,
};

/// Which side of the comparison a convoy case is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    Gil,
    Threads,
    Processes,
}

words! {
    /// What the IO thread's call is.
    pub enum Io {
        /// A sleep of `io_time`: its oversleep is the cost.
        Sleep = "sleep",
        /// A request to a loopback server that answers after `io_time`.
        Net = "net",
    }
}

const SECOND: Duration = Duration::from_secs(1);

const HOGS: ParamDecl = ParamDecl {
    name: "hogs",
    ty: ParamType::Count { min: 0, max: 256 },
    default: ParamDefault::Count(0),
};
const SWITCH_INTERVAL: ParamDecl = ParamDecl {
    name: "switch_interval",
    ty: ParamType::Duration { positive: true, max: SECOND },
    default: ParamDefault::Duration(Duration::from_millis(5)),
};
const IO: ParamDecl = ParamDecl {
    name: "io",
    ty: ParamType::Choice(Io::WORDS),
    default: ParamDefault::Word("sleep"),
};
const IO_TIME: ParamDecl = ParamDecl {
    name: "io_time",
    ty: ParamType::Duration { positive: false, max: SECOND },
    default: ParamDefault::Duration(Duration::from_millis(1)),
};
const RESPONSE_BYTES: ParamDecl = ParamDecl {
    name: "response_bytes",
    ty: ParamType::Size { max: 16 * MIB },
    default: ParamDefault::Size(64),
};
const DURATION: ParamDecl = ParamDecl {
    name: "duration",
    ty: ParamType::Duration { positive: true, max: Duration::from_secs(60) },
    default: ParamDefault::Duration(Duration::from_millis(200)),
};

/// A `convoy` case's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvoyParams {
    /// CPU-bound threads or processes running beside the IO thread.
    pub hogs: u64,
    /// The modelled GIL's switch interval (`gil` variant).
    pub switch_interval: Duration,
    /// What the IO call is.
    pub io: Io,
    /// How long the IO call takes.
    pub io_time: Duration,
    /// The loopback server's answer size (`io = "net"`).
    pub response_bytes: u64,
    /// How long one sample runs.
    pub duration: Duration,
}

impl KindParams for ConvoyParams {
    const DECL: ProbeDecl = ProbeDecl {
        kind: "convoy",
        variants: &["gil", "threads", "processes"],
        params: &[HOGS, SWITCH_INTERVAL, IO, IO_TIME, RESPONSE_BYTES, DURATION],
    };

    fn read(v: &mut Values<'_>) -> Result<ConvoyParams, ParamError> {
        Ok(ConvoyParams {
            hogs: v.count(&HOGS)?,
            switch_interval: v.duration(&SWITCH_INTERVAL)?,
            io: v.choice(&IO)?,
            io_time: v.duration(&IO_TIME)?,
            response_bytes: v.size(&RESPONSE_BYTES)?,
            duration: v.duration(&DURATION)?,
        })
    }
}

/// Kernel slices a hog runs between two looks at its stop flag.
const HOG_BURST: u64 = 16;

/// The running experiment: hogs started at setup, the IO thread driven per sample.
pub struct Convoy {
    variant: Variant,
    io_time: Duration,
    duration: Duration,
    net: Option<(LoopbackServer, NetWork)>,
    gil: Option<Arc<Gil>>,
    hogs: usize,
    stop: Arc<AtomicBool>,
    hog_slices: Arc<AtomicU64>,
    hog_threads: Vec<JoinHandle<()>>,
    hog_procs: Vec<Child>,
    cancel: Arc<AtomicBool>,
}

impl std::fmt::Debug for Convoy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Convoy")
            .field("variant", &self.variant)
            .field("hogs", &self.hogs)
            .field("io_time", &self.io_time)
            .finish_non_exhaustive()
    }
}

impl Convoy {
    /// Starts the hogs (and the loopback server for `io = "net"`).
    pub fn new(variant: &str, params: &ConvoyParams, env: &ProbeEnv) -> Result<Convoy, ProbeError> {
        let variant = match variant {
            "gil" => Variant::Gil,
            "threads" => Variant::Threads,
            "processes" => Variant::Processes,
            other => {
                return Err(ProbeError::Unsupported(format!("convoy has no variant `{other}`")));
            }
        };
        let hogs = params.hogs as usize;
        let io_time = params.io_time;
        let net = if params.io == Io::Net {
            let server = LoopbackServer::start()
                .map_err(|e| ProbeError::Setup(format!("loopback server: {e}")))?;
            let work = NetWork {
                addr: server.addr(),
                delay_us: io_time.as_micros() as u64,
                response_bytes: params.response_bytes.min(u64::from(u32::MAX)) as u32,
            };
            Some((server, work))
        } else {
            None
        };
        let gil = (variant == Variant::Gil).then(|| Arc::new(Gil::new(params.switch_interval)));
        let mut convoy = Convoy {
            variant,
            io_time,
            duration: params.duration,
            net,
            gil,
            hogs,
            stop: Arc::new(AtomicBool::new(false)),
            hog_slices: Arc::new(AtomicU64::new(0)),
            hog_threads: Vec::new(),
            hog_procs: Vec::new(),
            cancel: Arc::clone(&env.cancel),
        };
        for i in 0..hogs {
            if variant == Variant::Processes {
                let child = Command::new(&env.worker_exe)
                    .arg("__hog")
                    .stdin(Stdio::piped())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .map_err(|e| ProbeError::Setup(format!("starting hog process: {e}")))?;
                convoy.hog_procs.push(child);
            } else {
                let unit = convoy.gil.as_ref().map(|g| GilUnit::new(Arc::clone(g), i));
                let (stop, slices) = (Arc::clone(&convoy.stop), Arc::clone(&convoy.hog_slices));
                let handle = std::thread::Builder::new()
                    .name(format!("gilbench-hog-{i}"))
                    .spawn(move || hog_thread(i as u64, unit, &stop, &slices))
                    .map_err(|e| ProbeError::Setup(format!("starting hog thread: {e}")))?;
                convoy.hog_threads.push(handle);
            }
        }
        Ok(convoy)
    }

    fn io_call(&self, index: u64, unit: &dyn Unit) -> Result<(), ProbeError> {
        match &self.net {
            Some((_, work)) => {
                let task = Task { index, input: Vec::new() };
                work.run_in(&task, unit).map(|_| ()).map_err(|e| ProbeError::Failed(e.to_string()))
            }
            None => {
                crate::work::blocking(unit, || std::thread::sleep(self.io_time));
                Ok(())
            }
        }
    }
}

fn hog_thread(seed: u64, gil: Option<GilUnit>, stop: &AtomicBool, slices: &AtomicU64) {
    if let Some(u) = &gil {
        u.enter();
    }
    let unit: &dyn Unit = gil.as_ref().map_or(&FreeUnit as &dyn Unit, |u| u as &dyn Unit);
    while !stop.load(Ordering::Relaxed) {
        std::hint::black_box(cpu_kernel_in(seed, SLICE_ITERATIONS * HOG_BURST, unit));
        unit.checkpoint();
        slices.fetch_add(HOG_BURST, Ordering::Relaxed);
    }
    if let Some(u) = &gil {
        u.exit();
    }
}

/// The hidden `__hog` subcommand: spin on the CPU kernel until standard input closes.
pub fn hog_main() -> i32 {
    std::thread::spawn(|| {
        let mut sink = Vec::new();
        let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
        std::process::exit(0);
    });
    let mut seed = 0u64;
    loop {
        seed = std::hint::black_box(cpu_kernel_in(seed, SLICE_ITERATIONS * HOG_BURST, &FreeUnit));
    }
}

impl Probe for Convoy {
    fn metric(&self) -> Metric {
        Metric { name: "IO call latency, median of the sample", unit: "s" }
    }

    fn units(&self) -> usize {
        self.hogs + 1
    }

    fn sample(&mut self, deadline: Instant) -> Result<ProbeSample, ProbeError> {
        let unit = self.gil.as_ref().map(|g| GilUnit::new(Arc::clone(g), self.hogs));
        let io_unit: &dyn Unit = unit.as_ref().map_or(&FreeUnit as &dyn Unit, |u| u as &dyn Unit);
        let slices_before = self.hog_slices.load(Ordering::Relaxed);
        let start = Instant::now();
        if let Some(u) = &unit {
            u.enter();
        }
        let mut latencies = Vec::new();
        let mut outcome = Ok(());
        let mut index = 0u64;
        while start.elapsed() < self.duration {
            if Instant::now() > deadline {
                outcome = Err(ProbeError::Timeout);
                break;
            }
            if self.cancel.load(Ordering::Relaxed) {
                outcome = Err(ProbeError::Interrupted);
                break;
            }
            let t0 = Instant::now();
            if let Err(e) = self.io_call(index, io_unit) {
                outcome = Err(e);
                break;
            }
            latencies.push(t0.elapsed().as_secs_f64());
            index += 1;
        }
        if let Some(u) = &unit {
            u.exit();
        }
        outcome?;
        let wall = start.elapsed();
        if latencies.is_empty() {
            return Err(ProbeError::Failed("no IO call completed in the sample".into()));
        }
        let io = self.io_time.as_secs_f64();
        let p50 = percentile(&latencies, 50.0);
        let mut counters = std::collections::BTreeMap::new();
        counters.insert("p50_s".into(), p50);
        counters.insert("p99_s".into(), percentile(&latencies, 99.0));
        counters.insert("max_s".into(), percentile(&latencies, 100.0));
        counters.insert("oversleep_p50_s".into(), (p50 - io).max(0.0));
        counters.insert("ops_per_s".into(), latencies.len() as f64 / wall.as_secs_f64());
        if self.variant != Variant::Processes {
            let slices = self.hog_slices.load(Ordering::Relaxed) - slices_before;
            counters.insert(
                "hog_iterations_per_s".into(),
                (slices * SLICE_ITERATIONS) as f64 / wall.as_secs_f64(),
            );
        }
        Ok(ProbeSample { value: p50, wall, counters, ..ProbeSample::default() })
    }
}

impl Drop for Convoy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for h in self.hog_threads.drain(..) {
            let _ = h.join();
        }
        for mut child in self.hog_procs.drain(..) {
            // Closing stdin asks it to exit; kill covers a hog that does not.
            drop(child.stdin.take());
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
