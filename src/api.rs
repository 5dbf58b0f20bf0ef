//! The library API for users' own work: register a [`Workload`] (or a closure) under a name,
//! call [`main_entry`] first in `main`, and run it through the chosen execution models and
//! worker counts with [`Bench`] — the same runner, `run.json`, charts and report as
//! `gilbench run`.
//!
//! # The entry point
//!
//! The `processes` models start worker processes by re-executing the running program
//! (`std::env::current_exe()`), as Python's `multiprocessing` re-imports the main module. A
//! re-executed program must hand over to gilbench before it does anything else: that is what
//! [`main_entry`] does, the analogue of `if __name__ == "__main__":` and `freeze_support()`.
//! In the program that runs the benchmark it installs the registry and returns; in a worker
//! process it serves tasks and exits. Without the call, a re-executed program that reaches
//! [`Bench::run`] gets [`ApiError::MissingEntry`] (it exits instead of starting workers of its
//! own), and the parent's case fails with an error that names the missing call.
//!
//! A program that is re-executed but never reaches a benchmark (it blocks, or serves) is
//! given 30 s to answer its start-up message; then the case fails with the same hint.
//!
//! # `cargo bench`
//!
//! With the crate's `criterion` feature (off by default, so the library does not pull
//! criterion into users' builds), `Bench::criterion` registers one criterion benchmark group
//! per model and worker count: `cargo bench` in the user's crate then compares the models
//! with criterion's statistics and HTML. See the `bench` module and `benches/custom_workload.rs`.
//!
//! ```no_run
//! use gilbench::api::{Bench, Character, FnWorkload, Model, Registry, main_entry};
//!
//! fn registry() -> Registry {
//!     Registry::new().with("reverse", |_params| {
//!         Ok(FnWorkload::new(Character::Cpu, |task| {
//!             Ok(task.input.iter().rev().copied().collect())
//!         }))
//!     })
//! }
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     main_entry(&registry()); // first: in a worker process this never returns
//!     let run = Bench::new(&registry(), "reverse")
//!         .models([Model::Sequential, Model::Threads, Model::ProcessesSpawn, Model::AsyncMulti])
//!         .workers([1, 2, 4])
//!         .tasks(64)
//!         .payload_bytes(4096)
//!         .run()?;
//!     println!("{}", run.index.display());
//!     Ok(())
//! }
//! ```

#[cfg(feature = "criterion")]
pub mod bench;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

pub use crate::exec::Model;
pub use crate::results::RunRecord;
pub use crate::runner::Event;
pub use crate::work::{
    BoxFuture, Character, FnWorkload, Params, Registry, Task, TaskResult, Unit, WorkError,
    Workload, blocking, result_of,
};

use crate::results::{CaseStatus, RunDir};
use crate::runner::{self, LoadGate, Profile, RunConfig};
use crate::scenario::{Scenario, Workers, WorkloadAxes, WorkloadParams};
use crate::work::{WORKER_ROLE_ENV, check_name, check_param};

/// Errors of the library API.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// This process was started as a gilbench worker, but `main` did not call [`main_entry`]
    /// before running a benchmark.
    #[error(
        "this process was started as a gilbench {role} process, but its main did not call \
         gilbench::api::main_entry(&registry) first; add that call at the top of main"
    )]
    MissingEntry {
        /// The role it was started in (`worker` or `forkserver`).
        role: String,
    },
    /// The benchmark's settings are not usable.
    #[error("{0}")]
    Invalid(String),
    /// The run could not be set up or its results not written.
    #[error(transparent)]
    Run(#[from] runner::RunError),
    /// The run directory could not be created.
    #[error(transparent)]
    Results(#[from] crate::results::ResultsError),
    /// A chart could not be drawn.
    #[error(transparent)]
    Plot(#[from] crate::plot::PlotError),
    /// The report could not be written.
    #[error(transparent)]
    Report(#[from] crate::report::ReportError),
}

/// Hands a re-executed program over to gilbench when it was started as a worker process or
/// fork server; otherwise installs `registry` and returns.
///
/// Call it first in `main`, before starting any thread (the fork server forks, which is only
/// safe in a single-threaded process) and before reading arguments (workers are started with a
/// hidden `__worker` or `__forkserver` argument). In a worker it runs the worker loop and exits
/// the process; it never returns there.
///
/// ```
/// use gilbench::api::{Registry, main_entry};
///
/// // Not started as a worker: installs the (empty) registry and returns.
/// main_entry(&Registry::new());
/// ```
pub fn main_entry(registry: &Registry) {
    registry.install();
    let code = match worker_role().as_deref() {
        Some("worker") => crate::exec::worker::worker_main(),
        Some("forkserver") => crate::exec::worker::forkserver_main(),
        _ => return,
    };
    std::process::exit(code);
}

/// The role this process was started in by a gilbench parent, if any.
fn worker_role() -> Option<String> {
    std::env::var_os(WORKER_ROLE_ENV).map(|r| r.to_string_lossy().into_owned())
}

/// What a finished [`Bench::run`] produced.
#[derive(Debug, Clone)]
pub struct BenchRun {
    /// The run directory (`run.json`, `samples.csv`, `plots/`, `index.html`).
    pub dir: PathBuf,
    /// The report page.
    pub index: PathBuf,
    /// Everything measured, as written to `run.json`.
    pub record: RunRecord,
}

impl BenchRun {
    /// Cases that did not end ok, with their status and reason.
    pub fn failures(&self) -> Vec<(String, String)> {
        self.record
            .cases
            .iter()
            .filter(|c| c.status != CaseStatus::Ok)
            .map(|c| {
                (c.case.clone(), c.reason.clone().unwrap_or_else(|| format!("{:?}", c.status)))
            })
            .collect()
    }
}

/// A benchmark of one registered workload through several models and worker counts, run by
/// gilbench's runner (calibration, warm-up, interleaved samples, checksum check across
/// models) and written as `run.json`, `samples.csv`, SVG charts and `index.html`.
///
/// ```
/// use gilbench::api::{Bench, Character, FnWorkload, Model, Registry};
///
/// let registry = Registry::new().with("double", |_| {
///     Ok(FnWorkload::new(Character::Cpu, |task| {
///         Ok(task.input.iter().map(|b| b.wrapping_mul(2)).collect())
///     }))
/// });
/// let out = tempfile::tempdir()?;
/// let run = Bench::new(&registry, "double")
///     .models([Model::Sequential, Model::Threads, Model::AsyncCurrent])
///     .workers([2])
///     .tasks(8)
///     .payload_bytes(64)
///     .out(out.path())
///     .run()?;
/// assert!(run.failures().is_empty());
/// assert!(run.index.exists());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Bench {
    registry: Registry,
    workload: String,
    params: Params,
    /// Parameters left out of case keys.
    unkeyed: std::collections::BTreeSet<String>,
    name: Option<String>,
    models: Vec<Model>,
    workers: Workers,
    tasks: Vec<usize>,
    payload_bytes: Vec<usize>,
    profile: String,
    timeout: Duration,
    switch_interval: Option<Duration>,
    out: Option<PathBuf>,
    worker_exe: Option<PathBuf>,
    seed: Option<u64>,
    cancel: Option<Arc<AtomicBool>>,
    wait_for_quiet: bool,
}

impl Bench {
    /// The program worker processes re-execute: the one set, or this program.
    fn resolved_worker_exe(&self) -> Result<std::path::PathBuf, ApiError> {
        match &self.worker_exe {
            Some(exe) => Ok(exe.clone()),
            None => std::env::current_exe().map_err(|e| {
                ApiError::Invalid(format!("cannot locate this program for worker processes: {e}"))
            }),
        }
    }

    /// A benchmark of the workload registered in `registry` as `workload`, with defaults:
    /// every model, worker counts 1, 2, 4, … up to twice the usable CPUs, 64 tasks per sample,
    /// no payload, the `quick` profile, a 120 s timeout per case, a new folder under
    /// `reports/`.
    pub fn new(registry: &Registry, workload: &str) -> Bench {
        Bench {
            registry: registry.clone(),
            workload: workload.to_string(),
            params: Params::new(),
            unkeyed: Default::default(),
            name: None,
            models: Model::ALL.to_vec(),
            workers: Workers::Auto,
            tasks: vec![64],
            payload_bytes: vec![0],
            profile: "quick".into(),
            timeout: Duration::from_secs(120),
            switch_interval: None,
            out: None,
            worker_exe: None,
            seed: None,
            cancel: None,
            wait_for_quiet: false,
        }
    }

    /// Sets a parameter handed to the workload's factory (and shown in case keys).
    pub fn param(mut self, key: &str, value: impl ToString) -> Bench {
        self.params.insert(key.to_string(), value.to_string());
        self.unkeyed.remove(key);
        self
    }

    /// Sets a parameter handed to the workload's factory but left out of case keys and
    /// `run.json`: for what changes from run to run without changing the work (a server's
    /// address, a scratch path), so that runs still line up by key in `gilbench compare`.
    pub fn setting(mut self, key: &str, value: impl ToString) -> Bench {
        self.params.insert(key.to_string(), value.to_string());
        self.unkeyed.insert(key.to_string());
        self
    }

    /// The scenario name in case keys (default: the workload's name).
    pub fn name(mut self, name: &str) -> Bench {
        self.name = Some(name.to_string());
        self
    }

    /// The execution models to compare (include [`Model::Sequential`] for speedups).
    pub fn models(mut self, models: impl IntoIterator<Item = Model>) -> Bench {
        self.models = models.into_iter().collect();
        self
    }

    /// The worker counts (units) of every model but sequential.
    pub fn workers(mut self, counts: impl IntoIterator<Item = usize>) -> Bench {
        self.workers = Workers::List(counts.into_iter().collect());
        self
    }

    /// Tasks per sample.
    pub fn tasks(mut self, n: usize) -> Bench {
        self.tasks = vec![n];
        self
    }

    /// Payload bytes per task, carried both ways (inputs are deterministic bytes).
    pub fn payload_bytes(mut self, n: usize) -> Bench {
        self.payload_bytes = vec![n];
        self
    }

    /// The sampling profile: `quick`, `default` or `full`.
    pub fn profile(mut self, name: &str) -> Bench {
        self.profile = name.to_string();
        self
    }

    /// The timeout of each case.
    pub fn timeout(mut self, timeout: Duration) -> Bench {
        self.timeout = timeout;
        self
    }

    /// The switch interval of the `gil` models' modelled lock (default: CPython's 5 ms).
    pub fn switch_interval(mut self, interval: Duration) -> Bench {
        self.switch_interval = Some(interval);
        self
    }

    /// Writes the run into `dir` (default: a new folder under `reports/`).
    pub fn out(mut self, dir: impl AsRef<Path>) -> Bench {
        self.out = Some(dir.as_ref().to_path_buf());
        self
    }

    /// The program the `processes` models start as workers (default: this program,
    /// `std::env::current_exe()`); it must call [`main_entry`] with the same registry.
    pub fn worker_exe(mut self, exe: impl AsRef<Path>) -> Bench {
        self.worker_exe = Some(exe.as_ref().to_path_buf());
        self
    }

    /// Seed of the interleaved sampling order (default: from the clock).
    pub fn seed(mut self, seed: u64) -> Bench {
        self.seed = Some(seed);
        self
    }

    /// A flag that stops the run when set (wire it to Ctrl-C if you like); what finished is
    /// kept.
    pub fn cancel(mut self, flag: Arc<AtomicBool>) -> Bench {
        self.cancel = Some(flag);
        self
    }

    /// Wait, before each comparison group, while other processes keep the machine busy (as
    /// `gilbench run` does unless `--no-wait`); off by default.
    pub fn wait_for_quiet(mut self, wait: bool) -> Bench {
        self.wait_for_quiet = wait;
        self
    }

    /// The in-memory scenario this benchmark runs, checked.
    pub fn scenario(&self) -> Result<Scenario, ApiError> {
        let invalid = ApiError::Invalid;
        check_name(&self.workload).map_err(invalid)?;
        if !self.registry.contains(&self.workload) {
            return Err(ApiError::Invalid(format!(
                "workload `{}` is not registered; the registry holds {:?}",
                self.workload,
                self.registry.names()
            )));
        }
        for (k, v) in &self.params {
            // Settings stay out of case keys: any value will do.
            let shown = if self.unkeyed.contains(k) { "-" } else { v };
            check_param(k, shown).map_err(invalid)?;
        }
        let name = self.name.clone().unwrap_or_else(|| self.workload.clone());
        check_name(&name).map_err(|e| ApiError::Invalid(format!("benchmark name: {e}")))?;
        if self.models.is_empty() {
            return Err(ApiError::Invalid("no models chosen".into()));
        }
        if let Workers::List(list) = &self.workers
            && (list.is_empty() || list.contains(&0))
        {
            return Err(ApiError::Invalid(format!(
                "worker counts {list:?}: expected at least one count, each above 0"
            )));
        }
        if self.tasks.contains(&0) {
            return Err(ApiError::Invalid("tasks: expected at least 1 task per sample".into()));
        }
        let shown: Vec<(String, String)> = self
            .params
            .iter()
            .filter(|(k, _)| !self.unkeyed.contains(*k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Ok(Scenario {
            name,
            description: format!("the `{}` workload through the library API", self.workload),
            path: PathBuf::from(format!("(library API: {})", self.workload)),
            timeout: Some(self.timeout),
            switch_interval: self.switch_interval,
            workloads: vec![WorkloadAxes {
                variants: vec![(
                    WorkloadParams::Custom {
                        name: self.workload.clone(),
                        params: self.params.clone(),
                    },
                    shown,
                )],
                models: self.models.clone(),
                workers: self.workers.clone(),
                tasks: self.tasks.clone(),
                payload_bytes: self.payload_bytes.clone(),
            }],
            probes: Vec::new(),
        })
    }

    /// Runs every case and writes `run.json`, `samples.csv`, the charts and `index.html`.
    /// A failing case does not stop the run: see [`BenchRun::failures`].
    pub fn run(&self) -> Result<BenchRun, ApiError> {
        self.run_with_events(&mut |_| {})
    }

    /// [`Bench::run`], reporting progress to `on_event`.
    pub fn run_with_events(&self, on_event: &mut dyn FnMut(&Event)) -> Result<BenchRun, ApiError> {
        if let Some(role) = worker_role() {
            return Err(ApiError::MissingEntry { role });
        }
        let scenario = self.scenario()?;
        let profile = Profile::named(&self.profile).ok_or_else(|| {
            ApiError::Invalid(format!(
                "profile {:?}: expected quick, default or full",
                self.profile
            ))
        })?;
        self.registry.install();
        let worker_exe = self.resolved_worker_exe()?;
        let machine = crate::results::fingerprint();
        let dir = match &self.out {
            Some(dir) => RunDir::at(dir)?,
            None => {
                let date =
                    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
                RunDir::new_under(Path::new("reports"), &date[..10], &machine.hostname)?
            }
        };
        let config = RunConfig {
            scenarios: vec![scenario],
            profile,
            timeout: self.timeout,
            worker_exe,
            cancel: self.cancel.clone().unwrap_or_default(),
            command: std::env::args().collect(),
            seed: self.seed.unwrap_or_else(clock_seed),
            load_gate: self.wait_for_quiet.then(LoadGate::default),
            filter: None,
        };
        let record = runner::run(&config, &dir, on_event)?;
        let index = crate::report::publish(&record, dir.path(), &[])?;
        Ok(BenchRun { dir: dir.path().to_path_buf(), index, record })
    }
}

fn clock_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}
