//! The `processes` models: W worker processes fed tasks over pipes, with `spawn` (re-execute
//! gilbench with the hidden worker subcommand) and `fork` (children of a single-threaded fork
//! server) start methods. Task payloads are serialised and carried both ways, as
//! multiprocessing pickles them. `gil:processes` is `processes:fork` with every worker running
//! its tasks under its own modelled interpreter lock; the workers report the locks' counters
//! with their usage, and a batch's counters are the sums of the changes.
//!
//! Dispatch is `Pool.imap` with chunksize 1: one feeder thread per worker pulls the next task
//! from a shared queue, writes it to its worker and waits for the answer. The calling thread
//! supervises: it releases the feeders together, times the batch to the last result, and
//! checks the deadline and the cancel flag at least every 100 ms. On any failure every worker
//! is SIGKILLed (which unblocks the feeders), the executor is marked unusable, and `Drop`
//! reaps what is left. Worker pids are never reaped before `Drop` or before a failure is
//! described, so killing by pid cannot hit a recycled pid.

mod server;
mod supervise;
mod tail;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufReader;
use std::os::fd::OwnedFd;
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;

use self::server::ForkServer;
use self::supervise::{Fault, feed, kill_all, kind_of, stream_fault, supervise};
use self::tail::Tail;
use super::gil::GilCounters;
use super::wire::{self, ExitKind, FromWorker, ToWorker, WireError};
use super::{Batch, ExecEnv, ExecError, Executor, Model};
use crate::measure::Usage;
use crate::work::{Task, WORKER_ROLE_ENV, WorkError, WorkSpec};

/// Time allowed for control exchanges (start-up handshake, usage requests).
const CONTROL_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a dead worker gets to be reaped when its failure is described.
const STATUS_WAIT: Duration = Duration::from_secs(1);
/// How long `Drop` lets workers exit on their own before killing them.
const EXIT_GRACE: Duration = Duration::from_secs(1);
/// Polling interval while waiting for processes to exit.
const POLL: Duration = Duration::from_millis(2);
/// Read buffer on each worker's result pipe.
const READ_BUFFER: usize = 64 * 1024;

/// How worker processes are started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartMethod {
    /// Re-execute the gilbench binary with the hidden worker subcommand.
    Spawn,
    /// Fork from a single-threaded fork server (Python's `forkserver`).
    Fork,
}

/// One worker's answer to a usage request.
struct WorkerUsage {
    usage: Usage,
    peak_rss_bytes: Option<u64>,
    gil: Option<GilCounters>,
}

/// The parent's ends of one worker's pipes.
#[derive(Debug)]
struct Pipes {
    /// Tasks go in here; `None` once closed.
    input: Option<File>,
    /// Answers come out here.
    output: BufReader<File>,
}

impl Pipes {
    fn new(input: OwnedFd, output: OwnedFd) -> Pipes {
        Pipes {
            input: Some(File::from(input)),
            output: BufReader::with_capacity(READ_BUFFER, File::from(output)),
        }
    }

    /// Sends one request and reads the answer.
    fn request(&mut self, msg: &ToWorker<'_>) -> Result<FromWorker, WireError> {
        let input = self.input.as_mut().ok_or(WireError::Closed)?;
        wire::send(input, msg)?;
        wire::recv(&mut self.output)
    }
}

/// One worker process as the supervisor sees it.
#[derive(Debug)]
struct Unit {
    pid: u32,
    /// The child handle of a spawned worker (fork workers are the fork server's children).
    child: Option<Child>,
    /// Whether the worker has been reaped (its pid must not be signalled any more).
    reaped: bool,
    tail: Tail,
}

/// W supervised worker processes.
#[derive(Debug)]
pub struct ProcessExecutor {
    method: StartMethod,
    /// The switch interval of every worker's own interpreter lock (`gil:processes`).
    switch_interval: Option<Duration>,
    pipes: Vec<Pipes>,
    units: Vec<Unit>,
    server: Option<ForkServer>,
    cancel: Arc<AtomicBool>,
    /// Set by any failure: the executor then refuses batches until dropped.
    broken: bool,
}

impl ProcessExecutor {
    /// Starts `workers` worker processes running `spec` and waits until each is ready.
    pub fn new(
        method: StartMethod,
        workers: usize,
        spec: &WorkSpec,
        env: &ExecEnv,
    ) -> Result<ProcessExecutor, ExecError> {
        ProcessExecutor::start(method, workers, spec, env, None)
    }

    /// Starts `workers` forked worker processes running `spec`, each under its own modelled
    /// interpreter lock with `switch_interval` (the `gil:processes` model).
    pub fn with_gil(
        workers: usize,
        spec: &WorkSpec,
        env: &ExecEnv,
        switch_interval: Duration,
    ) -> Result<ProcessExecutor, ExecError> {
        ProcessExecutor::start(StartMethod::Fork, workers, spec, env, Some(switch_interval))
    }

    /// The switch interval of the workers' interpreter locks, for `gil:processes`.
    pub fn switch_interval(&self) -> Option<Duration> {
        self.switch_interval
    }

    fn start(
        method: StartMethod,
        workers: usize,
        spec: &WorkSpec,
        env: &ExecEnv,
        switch_interval: Option<Duration>,
    ) -> Result<ProcessExecutor, ExecError> {
        let model = model_of(method, switch_interval.is_some());
        let hint = entry_hint(spec, &env.worker_exe);
        let setup = |reason: String| ExecError::Setup { model, reason: format!("{reason}{hint}") };
        // Built first, so that `Drop` cleans up whatever a failed start leaves behind.
        let mut exec = ProcessExecutor {
            method,
            switch_interval,
            pipes: Vec::with_capacity(workers),
            units: Vec::with_capacity(workers),
            server: None,
            cancel: Arc::clone(&env.cancel),
            broken: false,
        };
        match method {
            StartMethod::Spawn => {
                for _ in 0..workers {
                    let mut child = Command::new(&env.worker_exe)
                        .arg("__worker")
                        .env(WORKER_ROLE_ENV, "worker")
                        .stdin(Stdio::piped())
                        .stdout(Stdio::piped())
                        .stderr(Stdio::piped())
                        .spawn()
                        .map_err(|e| setup(format!("{}: {e}", env.worker_exe.display())))?;
                    let tail = Tail::collect(child.stderr.take());
                    let pid = child.id();
                    let (Some(input), Some(output)) = (child.stdin.take(), child.stdout.take())
                    else {
                        exec.units.push(Unit { pid, child: Some(child), reaped: false, tail });
                        return Err(setup("worker started without its pipes".into()));
                    };
                    exec.pipes.push(Pipes::new(input.into(), output.into()));
                    exec.units.push(Unit { pid, child: Some(child), reaped: false, tail });
                }
            }
            StartMethod::Fork => {
                let server = exec.server.insert(ForkServer::start(&env.worker_exe).map_err(setup)?);
                for _ in 0..workers {
                    let forked = server.fork().map_err(setup)?;
                    exec.pipes.push(Pipes::new(forked.input, forked.output));
                    exec.units.push(Unit {
                        pid: forked.pid,
                        child: None,
                        reaped: false,
                        tail: Tail::default(),
                    });
                }
            }
        }
        let init = ToWorker::Init { spec: Cow::Borrowed(spec), switch_interval };
        let replies = exec.exchange(&init).map_err(|e| match e {
            ExecError::Interrupted => ExecError::Interrupted,
            other => setup(other.to_string()),
        })?;
        for (unit, reply) in exec.units.iter().zip(replies) {
            match reply {
                FromWorker::Ready { pid } if pid == unit.pid => {}
                other => {
                    exec.broken = true;
                    return Err(setup(format!(
                        "worker pid {} answered {} to its start-up message",
                        unit.pid,
                        kind_of(&other)
                    )));
                }
            }
        }
        Ok(exec)
    }

    fn has_gil(&self) -> bool {
        self.switch_interval.is_some()
    }

    /// Sends `msg` to every worker and collects one answer from each (control traffic,
    /// outside any timed region).
    fn exchange(&mut self, msg: &ToWorker<'_>) -> Result<Vec<FromWorker>, ExecError> {
        let deadline = Instant::now() + CONTROL_TIMEOUT;
        let mut replies: Vec<Option<FromWorker>> = vec![None; self.pipes.len()];
        let mut left = self.pipes.len();
        let outcome = supervise(
            &mut self.pipes,
            &self.units,
            &self.cancel,
            deadline,
            |w, pipes, events, _stop| {
                let event = match pipes.request(msg) {
                    Ok(FromWorker::Error { message, .. }) => Err(Fault::Protocol(w, message)),
                    Ok(reply) => Ok(reply),
                    Err(e) => Err(stream_fault(w, None, e)),
                };
                let _ = events.send((w, event));
            },
            |w, reply| {
                if replies[w].replace(reply).is_none() {
                    left -= 1;
                }
                Ok(left == 0)
            },
        );
        match outcome {
            Ok(_) => Ok(replies.into_iter().flatten().collect()),
            Err(fault) => Err(self.fail(fault)),
        }
    }

    /// Each worker's cumulative usage, its peak RSS since the previous request, and its lock's
    /// counters if it has a lock.
    fn usages(&mut self) -> Result<Vec<WorkerUsage>, ExecError> {
        let replies = self.exchange(&ToWorker::Usage)?;
        let mut out = Vec::with_capacity(self.units.len());
        for (unit, reply) in self.units.iter().zip(replies) {
            match reply {
                FromWorker::Usage { usage, peak_rss_bytes, gil }
                    if gil.is_some() == self.has_gil() =>
                {
                    out.push(WorkerUsage { usage, peak_rss_bytes, gil });
                }
                other => {
                    self.broken = true;
                    return Err(ExecError::Worker(format!(
                        "worker pid {} answered {} to a usage request",
                        unit.pid,
                        kind_of(&other)
                    )));
                }
            }
        }
        Ok(out)
    }

    /// Runs the batch proper: the timed region.
    fn dispatch(
        &mut self,
        tasks: &[Task],
        deadline: Instant,
    ) -> Result<(Duration, u64), ExecError> {
        let (queue_tx, queue) = crossbeam_channel::bounded(tasks.len());
        for pos in 0..tasks.len() {
            queue_tx.send(pos).expect("invariant: the queue holds every task and is open");
        }
        drop(queue_tx);
        let mut checksum = 0u64;
        let mut received = 0usize;
        let outcome = supervise(
            &mut self.pipes,
            &self.units,
            &self.cancel,
            deadline,
            |w, pipes, events, stop| feed(w, pipes, tasks, &queue, events, stop),
            |_, reply| match reply {
                FromWorker::Result(result) => {
                    checksum = checksum.wrapping_add(result.checksum);
                    received += 1;
                    Ok(received == tasks.len())
                }
                other => Err(Fault::Local(format!("unexpected {} in a batch", kind_of(&other)))),
            },
        );
        match outcome {
            Ok(wall) => Ok((wall, checksum)),
            Err(fault) => Err(self.fail(fault)),
        }
    }

    /// Marks the executor unusable, makes sure no worker runs on, and describes `fault`.
    fn fail(&mut self, fault: Fault) -> ExecError {
        self.broken = true;
        let error = match fault {
            Fault::Died(w, task) => ExecError::Worker(self.describe_death(w, task)),
            Fault::Protocol(w, message) => ExecError::Worker(format!(
                "worker pid {} failed: {message}",
                self.units.get(w).map_or(0, |u| u.pid)
            )),
            Fault::TaskFailed(index, message) => ExecError::Work {
                index,
                source: WorkError::Io {
                    op: "in worker process",
                    source: std::io::Error::other(message),
                },
            },
            Fault::Timeout(allowed) => ExecError::Timeout(allowed),
            Fault::Interrupted => ExecError::Interrupted,
            Fault::Local(reason) => ExecError::Worker(reason),
        };
        kill_all(&self.units);
        error
    }

    /// "worker pid 1234 was killed by signal SIGKILL during task 7" (reaps the worker).
    fn describe_death(&mut self, w: usize, task: Option<u64>) -> String {
        let Some(unit) = self.units.get_mut(w) else {
            return format!("worker {w} ended its stream");
        };
        let exit = match (&mut unit.child, &mut self.server) {
            (Some(child), _) => wait_child(child, STATUS_WAIT),
            (None, Some(server)) => server.status(unit.pid, STATUS_WAIT),
            (None, None) => ExitKind::Unknown,
        };
        if exit != ExitKind::Unknown {
            unit.reaped = true;
        }
        let how = match exit {
            ExitKind::Exited(code) => format!("exited with status {code}"),
            ExitKind::Signaled(signal) => format!("was killed by signal {}", signal_name(signal)),
            ExitKind::Unknown => "closed its result pipe".to_string(),
        };
        let during = task.map(|t| format!(" during task {t}")).unwrap_or_default();
        let tail = match &self.server {
            Some(server) => server.stderr_tail(),
            None => unit.tail.text(),
        };
        let tail = if tail.is_empty() { tail } else { format!("; its stderr ends: {tail}") };
        format!("worker pid {} {how}{during}{tail}", unit.pid)
    }
}

/// For a user's workload, what a failed start most likely means: the user's program, started
/// as a worker, did not hand over to gilbench.
fn entry_hint(spec: &WorkSpec, exe: &std::path::Path) -> String {
    match spec {
        WorkSpec::Custom { .. } => format!(
            " (worker executable {}: a program that runs its own workloads through the \
             processes models must call gilbench::api::main_entry(&registry) first in main)",
            exe.display()
        ),
        _ => String::new(),
    }
}

/// Waits up to `wait` for a spawned worker to end and says how it ended.
fn wait_child(child: &mut Child, wait: Duration) -> ExitKind {
    let deadline = Instant::now() + wait;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                return match (status.code(), status.signal()) {
                    (Some(code), _) => ExitKind::Exited(code),
                    (None, Some(signal)) => ExitKind::Signaled(signal),
                    (None, None) => ExitKind::Unknown,
                };
            }
            Ok(None) if Instant::now() < deadline => std::thread::sleep(POLL),
            _ => return ExitKind::Unknown,
        }
    }
}

fn signal_name(signal: i32) -> String {
    match Signal::try_from(signal) {
        Ok(s) => s.as_str().to_string(),
        Err(_) => format!("{signal}"),
    }
}

fn model_of(method: StartMethod, gil: bool) -> Model {
    match (method, gil) {
        (_, true) => Model::GilProcesses,
        (StartMethod::Spawn, false) => Model::ProcessesSpawn,
        (StartMethod::Fork, false) => Model::ProcessesFork,
    }
}

impl Executor for ProcessExecutor {
    fn model(&self) -> Model {
        model_of(self.method, self.has_gil())
    }

    fn run_batch(&mut self, tasks: &[Task], deadline: Instant) -> Result<Batch, ExecError> {
        if self.broken {
            return Err(ExecError::Worker(
                "the worker processes were stopped by an earlier failure".into(),
            ));
        }
        // Outside the timed region: every worker's usage so far.
        let before = self.usages()?;
        let (wall, checksum) = self.dispatch(tasks, deadline)?;
        let after = self.usages()?;
        let worker_usage = after
            .iter()
            .zip(&before)
            .fold(Usage::default(), |sum, (a, b)| sum.plus(&a.usage.since(&b.usage)));
        // The "after" answers carry each worker's peak since the "before" request.
        let worker_peak_rss_bytes = after.iter().filter_map(|a| a.peak_rss_bytes).max();
        let mut counters = BTreeMap::new();
        if self.has_gil() {
            let gil =
                after.iter().zip(&before).fold(GilCounters::default(), |sum, (a, b)| {
                    match (&a.gil, &b.gil) {
                        (Some(a), Some(b)) => sum.plus(&a.since(b)),
                        _ => sum,
                    }
                });
            for (name, value) in gil.entries() {
                counters.insert(name.into(), value);
            }
        }
        Ok(Batch {
            wall,
            checksum,
            completed: tasks.len() as u64,
            worker_usage,
            worker_peak_rss_bytes,
            counters,
        })
    }

    fn worker_pids(&self) -> Vec<u32> {
        self.units.iter().map(|u| u.pid).collect()
    }
}

impl Drop for ProcessExecutor {
    fn drop(&mut self) {
        // Ask every worker to exit; closing its task pipe asks too (it exits at the end of its
        // input). A broken executor's workers may be stuck, so only the pipes are closed.
        for pipes in &mut self.pipes {
            if let Some(mut input) = pipes.input.take()
                && !self.broken
            {
                let _ = wire::send(&mut input, &ToWorker::Exit);
            }
        }
        let deadline = Instant::now() + EXIT_GRACE;
        for unit in &mut self.units {
            if let Some(child) = unit.child.as_mut() {
                if wait_child(child, deadline.saturating_duration_since(Instant::now()))
                    == ExitKind::Unknown
                {
                    let _ = child.kill();
                    let _ = child.wait();
                }
                unit.reaped = true;
            }
        }
        // Fork workers are the fork server's children: it waits for them, kills stragglers
        // and reaps them all once its control channel closes, then exits and is reaped here.
        if let Some(mut server) = self.server.take() {
            server.shutdown();
        }
    }
}
