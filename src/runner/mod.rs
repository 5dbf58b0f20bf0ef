//! The only place the stages meet: calibrate, then for each planned case (a workload through
//! an execution model, or a probe) build its units with setup outside the timed region, take
//! warm-up and timed samples under a deadline, summarise, compare with the sequential
//! baseline, and rewrite the results after every case. Progress is reported through events;
//! the runner prints nothing.

mod estimate;
mod group;
mod probe_case;
mod sampling;
mod stopping;
mod work_case;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use crate::exec::{self, ExecEnv, Model};
use crate::measure::{
    OthersWindow, clock_read_cost_ns, current_rss_bytes, others_load, pin_allocator, read_sentinel,
    trim_heap,
};
use crate::probe::ProbeEnv;
use crate::results::{
    Calibration, CaseStatus, Overhead, ResultsError, RunDir, RunRecord, RunStatus, SCHEMA_VERSION,
    SamplingRule, SentinelPoint, fingerprint,
};
use crate::scenario::{CpuSize, Scenario, WorkloadParams};
use crate::stats::{LEVEL, median};
use crate::sweep::{self, Planned};
use crate::work::{LoopbackServer, Task, WorkSpec, cpu_kernel};

pub use estimate::{batch_time, estimate};
pub use work_case::VISIT_LEAD_IN;

/// How a comparison group is sampled: warm-up samples per case, then interleaved rounds until
/// every comparison the report draws from the group (a speedup against the sequential
/// baseline, or a probe's median) is known to within `half_width`, with at least
/// `min_rounds` and at most `max_rounds`, and no more once the group has spent its budget
/// (`case_budget` per case in it).
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// `quick`, `default` or `full`.
    pub name: String,
    /// Warm-up samples per case, run and dropped.
    pub warmup: usize,
    /// Timed rounds always taken.
    pub min_rounds: usize,
    /// Timed rounds never exceeded.
    pub max_rounds: usize,
    /// Sampling time per case of a group: the group stops once it has spent this times its
    /// case count (and `min_rounds` are in), converged or not.
    pub case_budget: Duration,
    /// Relative half-width (0.05: ±5 %) at which a comparison's interval counts as known.
    pub half_width: f64,
}

impl Profile {
    /// The named profile, if it exists.
    pub fn named(name: &str) -> Option<Profile> {
        let (warmup, min_rounds, max_rounds, budget, half_width) = match name {
            "quick" => (1, 3, 10, 0.1, 0.05),
            "default" => (2, 5, 40, 1.0, 0.05),
            "full" => (3, 10, 200, 5.0, 0.02),
            _ => return None,
        };
        Some(Profile {
            name: name.to_string(),
            warmup,
            min_rounds,
            max_rounds,
            case_budget: Duration::from_secs_f64(budget),
            half_width,
        })
    }

    /// The rule as `run.json` records it.
    pub fn rule(&self) -> SamplingRule {
        SamplingRule {
            warmup: self.warmup,
            min_rounds: self.min_rounds,
            max_rounds: self.max_rounds,
            case_budget_s: self.case_budget.as_secs_f64(),
            half_width: self.half_width,
            level: LEVEL,
            lead_in_s: VISIT_LEAD_IN.as_secs_f64(),
        }
    }
}

/// What to run.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Validated scenarios.
    pub scenarios: Vec<Scenario>,
    /// Sampling profile.
    pub profile: Profile,
    /// Per-case timeout when the scenario sets none.
    pub timeout: Duration,
    /// Executable re-executed for worker processes.
    pub worker_exe: PathBuf,
    /// Set to stop the run (SIGINT/SIGTERM).
    pub cancel: Arc<AtomicBool>,
    /// The command line, recorded in `run.json`.
    pub command: Vec<String>,
    /// Seed of the interleaved sampling order.
    pub seed: u64,
    /// Wait for a quiet machine before each comparison group (`None`: never wait).
    pub load_gate: Option<LoadGate>,
    /// Run only the cases whose key this matches (`None`: every planned case).
    pub filter: Option<regex::Regex>,
}

/// Before each comparison group, wait while other processes keep more than `threshold_cpus`
/// CPUs busy, for at most `max_wait` per group and `run_budget` in all; then go on and record
/// the load seen with every case.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadGate {
    /// CPUs' worth of other work tolerated.
    pub threshold_cpus: f64,
    /// Longest wait before one group.
    pub max_wait: Duration,
    /// Longest wait over the whole run; once spent, the gate only records the load.
    pub run_budget: Duration,
    /// How long each load reading looks.
    pub window: Duration,
}

impl Default for LoadGate {
    fn default() -> LoadGate {
        LoadGate {
            threshold_cpus: 0.5,
            max_wait: Duration::from_secs(5),
            run_budget: Duration::from_secs(60),
            window: Duration::from_millis(100),
        }
    }
}

/// Waits while the machine is busy with other work, for at most the gate's `max_wait` and
/// what is `left` of its run budget (which it reduces); returns the last load reading (CPUs
/// busy with other processes), `None` where the platform cannot read it.
pub fn wait_for_quiet(
    gate: &LoadGate,
    left: &mut Duration,
    cancel: &AtomicBool,
    on_event: &mut dyn FnMut(&Event),
) -> Option<f64> {
    let start = Instant::now();
    let bound = gate.max_wait.min(*left);
    let load = loop {
        let load = others_load(gate.window)?;
        let waited = start.elapsed();
        if load <= gate.threshold_cpus || waited >= bound || cancel.load(Ordering::Relaxed) {
            break load;
        }
        on_event(&Event::Waiting { load_cpus: load, waited_s: waited.as_secs_f64() });
        std::thread::sleep(gate.window * 4);
    };
    *left = left.saturating_sub(start.elapsed());
    Some(load)
}

/// Progress, for whoever renders it.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Measuring clock, dispatch overhead and kernel speed.
    Calibrating,
    /// The run begins `total` cases.
    Started {
        /// Number of cases.
        total: usize,
    },
    /// Other processes keep the machine busy: waiting before the next group.
    Waiting {
        /// CPUs kept busy by other processes.
        load_cpus: f64,
        /// Seconds waited so far.
        waited_s: f64,
    },
    /// A comparison group begins: its cases are set up and sampled interleaved.
    GroupStarted {
        /// Group key.
        key: String,
        /// Number of cases in it.
        cases: usize,
    },
    /// A round of the running group ended: `fraction` is how far the group has come toward its
    /// round limit or time budget, whichever is nearer (it may stop sooner, once settled).
    RoundFinished {
        /// Rounds taken so far.
        round: usize,
        /// Between 0 and 1.
        fraction: f64,
    },
    /// A case ended.
    CaseFinished {
        /// 0-based position.
        index: usize,
        /// Case key.
        key: String,
        /// Outcome.
        status: CaseStatus,
        /// Median wall time, if measured.
        median_s: Option<f64>,
        /// Why it is not ok.
        reason: Option<String>,
    },
}

/// Errors that stop a run (a failing case does not).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Results could not be written.
    #[error(transparent)]
    Results(#[from] ResultsError),
    /// The private scratch directory or the loopback server could not be created.
    #[error("cannot set up the run: {0}")]
    Setup(String),
}

fn now_rfc3339() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

/// Kernel iterations per second on one core: the best of several short timings. The count is
/// hidden from the optimiser, as a task's is: a count it can see compiles into a faster loop
/// than the one tasks run, and every task would then last longer than its stated duration.
pub fn calibrate_cpu() -> f64 {
    let iters = 200_000u64;
    let mut best = f64::INFINITY;
    for round in 0..7 {
        let start = Instant::now();
        std::hint::black_box(cpu_kernel(round, std::hint::black_box(iters)));
        best = best.min(start.elapsed().as_secs_f64());
    }
    iters as f64 / best.max(1e-9)
}

/// Resources shared by every case of a run: the scratch directory, the loopback server and
/// the calibration. Dropping it stops the server and removes the directory.
struct Resources {
    scratch: tempfile::TempDir,
    server: Option<LoopbackServer>,
    iterations_per_s: f64,
}

impl Resources {
    fn spec(&mut self, w: &WorkloadParams) -> Result<WorkSpec, RunError> {
        let iters = |d: Duration| ((d.as_secs_f64() * self.iterations_per_s).round() as u64).max(1);
        Ok(match *w {
            WorkloadParams::Cpu { size, released_fraction } => {
                let iterations = match size {
                    CpuSize::Iterations(n) => n,
                    CpuSize::Duration(d) => iters(d),
                };
                WorkSpec::Cpu {
                    iterations,
                    released_iterations: released(iterations, released_fraction),
                }
            }
            WorkloadParams::IoSleep { sleep } => {
                WorkSpec::IoSleep { sleep_us: sleep.as_micros() as u64 }
            }
            WorkloadParams::IoFile { bytes, fsync } => {
                WorkSpec::IoFile { bytes, fsync, dir: self.scratch.path().to_path_buf() }
            }
            WorkloadParams::IoNet { delay, response_bytes } => {
                if self.server.is_none() {
                    let server = LoopbackServer::start()
                        .map_err(|e| RunError::Setup(format!("loopback server: {e}")))?;
                    self.server = Some(server);
                }
                let addr = self.server.as_ref().expect("invariant: started above").addr();
                WorkSpec::IoNet { addr, delay_us: delay.as_micros() as u64, response_bytes }
            }
            WorkloadParams::Mixed { task_duration, cpu_fraction, released_fraction } => {
                let iterations = iters(task_duration.mul_f64(cpu_fraction));
                WorkSpec::Mixed {
                    iterations,
                    released_iterations: released(iterations, released_fraction),
                    sleep_us: task_duration.mul_f64(1.0 - cpu_fraction).as_micros() as u64,
                }
            }
            WorkloadParams::Command { ref argv, timeout, .. } => WorkSpec::Command {
                argv: argv.clone(),
                timeout_ms: u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX).max(1),
            },
            WorkloadParams::Custom { ref name, ref params } => {
                WorkSpec::Custom { name: name.clone(), params: params.clone() }
            }
        })
    }
}

/// The kernel rounds of `iterations` run with the lock released: `fraction` of them, rounded.
fn released(iterations: u64, fraction: f64) -> u64 {
    ((iterations as f64 * fraction).round() as u64).min(iterations)
}

/// Median wall time of one empty task pushed through one unit of `model`, in ns.
fn empty_task_cost_ns(model: Model, env: &ExecEnv) -> Option<f64> {
    let spec = WorkSpec::cpu(0);
    let mut exec = exec::build(model, 1, &spec, env).ok()?;
    let tasks: Vec<Task> = (0..200).map(|i| Task { index: i, input: Vec::new() }).collect();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut per_task = Vec::new();
    for _ in 0..6 {
        let b = exec.run_batch(&tasks, deadline).ok()?;
        per_task.push(b.wall.as_secs_f64() * 1e9 / tasks.len() as f64);
    }
    Some(median(&per_task[1..]))
}

/// Sentinel readings taken at the start of a run (labelled `start`): their spread is the
/// sentinel's own noise.
pub const START_READINGS: usize = 5;

/// Runs every case of `config`, rewriting `dir`'s files after each, and returns the record.
pub fn run(
    config: &RunConfig,
    dir: &RunDir,
    on_event: &mut dyn FnMut(&Event),
) -> Result<RunRecord, RunError> {
    pin_allocator();
    let machine = fingerprint();
    let cases: Vec<Planned> = sweep::select(
        config.scenarios.iter().flat_map(|s| sweep::plan(s, machine.usable_cpus)).collect(),
        config.filter.as_ref(),
    );
    let env = ExecEnv { worker_exe: config.worker_exe.clone(), cancel: Arc::clone(&config.cancel) };
    let probe_env =
        ProbeEnv { worker_exe: config.worker_exe.clone(), cancel: Arc::clone(&config.cancel) };

    on_event(&Event::Calibrating);
    let iterations_per_s = calibrate_cpu();
    let mut models: Vec<Model> = cases
        .iter()
        .filter_map(|c| match c {
            Planned::Work(w) => Some(w.model),
            Planned::Probe(_) => None,
        })
        .collect();
    models.sort();
    models.dedup();
    let mut overhead =
        Overhead { clock_read_ns: clock_read_cost_ns(10_000), ..Overhead::default() };
    for m in models {
        if let Some(ns) = empty_task_cost_ns(m, &env) {
            overhead.empty_task_ns.insert(m.name().to_string(), ns);
        }
    }
    let scratch = crate::sys::private_dir("run")
        .map_err(|e| RunError::Setup(format!("scratch directory: {e}")))?;
    let mut res = Resources { scratch, server: None, iterations_per_s };

    let mut record = RunRecord {
        schema_version: SCHEMA_VERSION,
        gilbench_version: env!("CARGO_PKG_VERSION").to_string(),
        started_at: now_rfc3339(),
        finished_at: None,
        status: RunStatus::Running,
        profile: config.profile.name.clone(),
        command: config.command.clone(),
        scenario_files: config.scenarios.iter().map(|s| s.path.display().to_string()).collect(),
        machine,
        overhead,
        calibration: Calibration { cpu_iterations_per_s: iterations_per_s },
        seed: config.seed,
        sampling: Some(config.profile.rule()),
        groups: Vec::new(),
        sentinel: Vec::new(),
        cases: Vec::new(),
    };
    dir.write(&record)?;
    on_event(&Event::Started { total: cases.len() });

    // Comparison groups, in order of first appearance, each sampled interleaved.
    let mut groups: Vec<(&str, Vec<&Planned>)> = Vec::new();
    for case in &cases {
        let key = case.group();
        match groups.iter_mut().find(|(g, _)| *g == key) {
            Some((_, members)) => members.push(case),
            None => groups.push((key, vec![case])),
        }
    }
    let run_start = Instant::now();
    // Several readings at the start: their spread is the sentinel's own noise, which a
    // group's movement must exceed to be flagged.
    for _ in 0..START_READINGS {
        record.sentinel.push(SentinelPoint {
            at: "start".into(),
            t_s: run_start.elapsed().as_secs_f64(),
            reading: read_sentinel(),
            rss_bytes: current_rss_bytes(),
        });
    }
    let mut shared = group::Shared {
        config,
        env: &env,
        probe_env: &probe_env,
        res: &mut res,
        reference: HashMap::new(),
        run_start,
        build: &exec::build_with,
    };
    let mut index = 0usize;
    let mut gate_left = config.load_gate.as_ref().map_or(Duration::ZERO, |g| g.run_budget);
    let mut last_busy: Option<f64> = None;
    for (group_index, (key, members)) in groups.iter().enumerate() {
        if config.cancel.load(Ordering::Relaxed) {
            record.status = RunStatus::Interrupted;
            break;
        }
        // Outside any timed region: hand back what the previous group's threads freed.
        trim_heap();
        // The previous group's reading of other processes, when it was quiet, stands for the
        // moment before this one; else the gate measures, and waits while the machine is busy.
        let load = match (&config.load_gate, last_busy) {
            (Some(gate), Some(busy)) if busy <= gate.threshold_cpus => Some(busy),
            (Some(gate), _) => wait_for_quiet(gate, &mut gate_left, &config.cancel, on_event),
            (None, _) => None,
        };
        let before = read_sentinel();
        record.sentinel.push(SentinelPoint {
            at: format!("before {key}"),
            t_s: run_start.elapsed().as_secs_f64(),
            reading: before,
            rss_bytes: current_rss_bytes(),
        });
        on_event(&Event::GroupStarted { key: key.to_string(), cases: members.len() });
        let others = OthersWindow::open();
        let (records, sampled) = group::run_group(members, group_index, &mut shared, on_event);
        record.groups.push(sampled);
        let busy_others = others.and_then(|w| w.close());
        last_busy = busy_others;
        let after = read_sentinel();
        let drift = after.drift_from(&before);
        record.sentinel.push(SentinelPoint {
            at: format!("after {key}"),
            t_s: run_start.elapsed().as_secs_f64(),
            reading: after,
            rss_bytes: current_rss_bytes(),
        });
        let mut interrupted = false;
        for mut rec in records {
            rec.load_others = load;
            rec.busy_others = busy_others;
            rec.drift = Some(drift);
            interrupted |= rec.status == CaseStatus::Interrupted;
            on_event(&Event::CaseFinished {
                index,
                key: rec.case.clone(),
                status: rec.status,
                median_s: rec.summary.map(|s| s.median),
                reason: rec.reason.clone(),
            });
            index += 1;
            record.cases.push(rec);
        }
        dir.write(&record)?;
        if interrupted || config.cancel.load(Ordering::Relaxed) {
            record.status = RunStatus::Interrupted;
            break;
        }
    }
    record.sentinel.push(SentinelPoint {
        at: "end".into(),
        t_s: run_start.elapsed().as_secs_f64(),
        reading: read_sentinel(),
        rss_bytes: current_rss_bytes(),
    });
    if record.status == RunStatus::Running {
        record.status = RunStatus::Complete;
    }
    record.finished_at = Some(now_rfc3339());
    dir.write(&record)?;
    Ok(record)
}

#[cfg(test)]
mod mock_tests;
#[cfg(test)]
mod tests;
