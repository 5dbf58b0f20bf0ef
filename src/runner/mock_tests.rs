//! The group sampler end to end with a mock executor: each model's batch "takes" a chosen
//! time (the mock sleeps nothing and reports it), so the stopping rule, the pairing of rounds
//! and the speedups are checked against known answers.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::group::{Shared, run_group};
use super::{Profile, Resources, RunConfig};
use crate::exec::{Batch, ExecEnv, ExecError, Executor, Model, UnitOptions};
use crate::measure::Usage;
use crate::probe::ProbeEnv;
use crate::results::{CaseStatus, StopReason};
use crate::work::{Task, WorkSpec};

/// Reports `walls[i % len]` for its i-th whole batch, with the same checksum as every other
/// mock; a part of the batch (a visit's lead-in) takes its share of the next whole batch's
/// wall and leaves the sequence where it was.
struct Mock {
    model: Model,
    walls: Vec<Duration>,
    taken: usize,
    /// Tasks in a whole batch.
    batch: usize,
    /// Tasks run in parts of batches, shared with the test.
    led: Arc<AtomicUsize>,
}

impl Executor for Mock {
    fn model(&self) -> Model {
        self.model
    }

    fn run_batch(&mut self, tasks: &[Task], _deadline: Instant) -> Result<Batch, ExecError> {
        let mut wall = self.walls[self.taken % self.walls.len()];
        if tasks.len() < self.batch {
            self.led.fetch_add(tasks.len(), Ordering::Relaxed);
            wall = wall * tasks.len() as u32 / self.batch as u32;
        } else {
            self.taken += 1;
        }
        Ok(Batch {
            wall,
            checksum: tasks.len() as u64,
            completed: tasks.len() as u64,
            worker_usage: Usage::default(),
            worker_peak_rss_bytes: None,
            counters: BTreeMap::new(),
        })
    }
}

/// Tasks in the scenario's batch.
const TASKS: usize = 8;

const SCENARIO: &str = "name = \"m\"\nmodels = [\"sequential\", \"threads\"]\nworkers = [1, 2]\n\
                        tasks = 8\n\n[[workload]]\nkind = \"io-sleep\"\nsleep = \"1ms\"\n";

/// Tasks each case ran in parts of batches (its visits' lead-ins), by model and workers.
type Led = Arc<Mutex<BTreeMap<(Model, usize), Arc<AtomicUsize>>>>;

/// Runs the scenario's one group with mocks whose walls come from `walls(model, workers)`.
fn run_mocked(
    profile: Profile,
    walls: impl Fn(Model, usize) -> Vec<Duration> + 'static,
) -> (Vec<crate::results::CaseRecord>, crate::results::GroupSampling) {
    run_counting(profile, walls, Led::default())
}

/// [`run_mocked`], counting each case's lead-in tasks into `led`.
fn run_counting(
    profile: Profile,
    walls: impl Fn(Model, usize) -> Vec<Duration> + 'static,
    led: Led,
) -> (Vec<crate::results::CaseRecord>, crate::results::GroupSampling) {
    let scenario = crate::scenario::parse(SCENARIO, std::path::Path::new("m.toml")).unwrap();
    let cases = crate::sweep::plan(&scenario, 2);
    let cancel = Arc::new(AtomicBool::new(false));
    let exe = std::path::PathBuf::from("/nonexistent");
    let config = RunConfig {
        scenarios: vec![scenario],
        profile,
        timeout: Duration::from_secs(10),
        worker_exe: exe.clone(),
        cancel: Arc::clone(&cancel),
        command: Vec::new(),
        seed: 7,
        load_gate: None,
        filter: None,
    };
    let env = ExecEnv { worker_exe: exe.clone(), cancel: Arc::clone(&cancel) };
    let probe_env = ProbeEnv { worker_exe: exe, cancel };
    let mut res =
        Resources { scratch: tempfile::tempdir().unwrap(), server: None, iterations_per_s: 1e6 };
    let build = move |model: Model, workers: usize, _: &WorkSpec, _: &ExecEnv, _: &UnitOptions| {
        let led = Arc::clone(led.lock().unwrap().entry((model, workers)).or_default());
        let mock = Mock { model, walls: walls(model, workers), taken: 0, batch: TASKS, led };
        Ok(Box::new(mock) as Box<dyn Executor>)
    };
    let mut shared = Shared {
        config: &config,
        env: &env,
        probe_env: &probe_env,
        res: &mut res,
        reference: HashMap::new(),
        run_start: Instant::now(),
        build: &build,
    };
    let members: Vec<&crate::sweep::Planned> = cases.iter().collect();
    run_group(&members, 0, &mut shared, &mut |_| {})
}

fn ms(x: f64) -> Duration {
    Duration::from_secs_f64(x / 1e3)
}

#[test]
fn a_steady_group_stops_at_the_minimum_with_the_exact_speedups() {
    let profile = Profile::named("quick").unwrap();
    let (records, sampled) = run_mocked(profile.clone(), |model, workers| match model {
        Model::Sequential => vec![ms(40.0)],
        _ => vec![ms(40.0 / workers as f64)],
    });
    assert_eq!(sampled.stop, StopReason::Converged);
    assert_eq!(sampled.rounds, profile.min_rounds);
    assert!(sampled.unsettled.is_empty(), "{:?}", sampled.unsettled);
    for rec in &records {
        assert_eq!(rec.status, CaseStatus::Ok, "{}", rec.case);
        assert_eq!(rec.samples.len(), profile.min_rounds);
        if rec.model == "threads" {
            let s = rec.speedup.expect("a speedup");
            assert!((s.median - rec.workers as f64).abs() < 1e-9, "{}: {s:?}", rec.case);
            assert!((s.ci_low - s.median).abs() < 1e-9 && (s.ci_high - s.median).abs() < 1e-9);
        }
    }
}

#[test]
fn a_noisy_case_keeps_the_group_sampling_and_is_named_unsettled() {
    let profile = Profile::named("quick").unwrap();
    // Two workers alternate between 1.5x and 3x; one worker is steady.
    let (records, sampled) = run_mocked(profile.clone(), |model, workers| match (model, workers) {
        (Model::Sequential, _) | (Model::Threads, 1) => vec![ms(30.0)],
        _ => vec![ms(20.0), ms(10.0)],
    });
    // The mock takes no time, so the budget is never spent: the round limit ends it.
    assert_eq!(sampled.stop, StopReason::MaxRounds);
    assert_eq!(sampled.rounds, profile.max_rounds);
    let noisy = records.iter().find(|r| r.model == "threads" && r.workers == 2).unwrap();
    let steady = records.iter().find(|r| r.model == "threads" && r.workers == 1).unwrap();
    assert_eq!(sampled.unsettled, vec![noisy.case.clone()]);
    assert!(sampled.widest.unwrap() > profile.half_width);
    // The settled case left the rounds at the minimum; the baseline stayed for the noisy one,
    // and its speedup pairs the rounds both took.
    assert_eq!(steady.samples.len(), profile.min_rounds);
    assert_eq!(noisy.samples.len(), profile.max_rounds);
    let base = records.iter().find(|r| r.model == "sequential").unwrap();
    assert_eq!(base.samples.len(), profile.max_rounds);
    let s = noisy.speedup.unwrap();
    // Five rounds at 1.5x and five at 3x: the geometric mean is sqrt(4.5).
    assert!((s.median - 4.5f64.sqrt()).abs() < 1e-9, "{s:?}");
    assert!(s.ci_low < s.median && s.ci_high > s.median);
}

#[test]
fn an_exact_count_takes_that_many_rounds_whatever_it_knows() {
    let profile = Profile { min_rounds: 7, max_rounds: 7, ..Profile::named("quick").unwrap() };
    let (records, sampled) = run_mocked(profile, |_, _| vec![ms(10.0)]);
    assert_eq!((sampled.rounds, sampled.stop), (7, StopReason::Converged));
    assert!(records.iter().all(|r| r.samples.len() == 7));
}

#[test]
fn each_visit_of_a_case_on_two_units_starts_with_its_own_lead_in() {
    let profile = Profile::named("quick").unwrap();
    let led = Led::default();
    let (records, _) = run_counting(profile.clone(), |_, _| vec![ms(10.0)], Arc::clone(&led));
    let led = led.lock().unwrap();
    let tasks = |model, workers| led[&(model, workers)].load(Ordering::Relaxed);
    // One unit: nothing before its samples.
    assert_eq!(tasks(Model::Sequential, 1), 0);
    assert_eq!(tasks(Model::Threads, 1), 0);
    // Two units: parts of 4 of the 8 tasks (5 ms each) until the lead-in has passed, before
    // every sample; no warm-up samples.
    let per_visit = (super::VISIT_LEAD_IN.as_secs_f64() / 5e-3).round() as usize * 4;
    assert_eq!(tasks(Model::Threads, 2), profile.min_rounds * per_visit);
    // None of it is kept: each case has its samples, and a warm-up only where it has no
    // lead-in.
    for rec in &records {
        let warmup = if rec.model == "threads" && rec.workers == 2 { 0 } else { profile.warmup };
        assert_eq!((rec.samples.len(), rec.warmup), (profile.min_rounds, warmup), "{}", rec.case);
    }
}
