//! Shared helpers: the worker executable, an environment for executors, task batches.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use gilbench::exec::{self, ExecEnv, Model};
use gilbench::work::{Task, WorkSpec, make_input};

pub(crate) fn exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_gilbench"))
}

pub(crate) fn env() -> ExecEnv {
    ExecEnv { worker_exe: exe(), cancel: Arc::new(AtomicBool::new(false)) }
}

pub(crate) fn tasks(n: u64, payload: usize) -> Vec<Task> {
    (0..n).map(|i| Task { index: i, input: make_input(i, payload) }).collect()
}

/// Best wall time of `rounds` batches of `tasks` through `model` with `workers` units, and
/// the batch checksum (asserted equal across rounds).
pub(crate) fn best_of(
    model: Model,
    workers: usize,
    spec: &WorkSpec,
    tasks: &[Task],
    rounds: usize,
) -> (Duration, u64) {
    let mut ex = exec::build(model, workers, spec, &env()).expect("executor starts");
    let mut best = Duration::MAX;
    let mut sum = None;
    for _ in 0..rounds {
        let b = ex.run_batch(tasks, Instant::now() + Duration::from_secs(60)).expect("batch runs");
        assert_eq!(b.completed, tasks.len() as u64);
        assert_eq!(
            *sum.get_or_insert(b.checksum),
            b.checksum,
            "{model} {workers} {spec:?}: checksum unstable across batches"
        );
        best = best.min(b.wall);
    }
    (best, sum.expect("invariant: at least one round"))
}

static MACHINE: std::sync::RwLock<()> = std::sync::RwLock::new(());

/// Held by tests that compare timings: no other test of this binary runs meanwhile.
pub(crate) fn exclusive() -> std::sync::RwLockWriteGuard<'static, ()> {
    MACHINE.write().unwrap_or_else(|e| e.into_inner())
}

/// Held by tests that load the CPU but compare no timings.
pub(crate) fn shared() -> std::sync::RwLockReadGuard<'static, ()> {
    MACHINE.read().unwrap_or_else(|e| e.into_inner())
}

/// Kernel rounds that take about `target` in this build of the kernel (worker processes run
/// the same build).
pub(crate) fn iterations_for(target: Duration) -> u64 {
    let probe = 200_000u64;
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        std::hint::black_box(gilbench::work::cpu_kernel(1, probe));
        best = best.min(t.elapsed());
    }
    let per = best.as_secs_f64() / probe as f64;
    ((target.as_secs_f64() / per) as u64).max(1_000)
}

/// Whether two threads of this process get about two cores' worth of kernel rounds right now
/// (best of 3): the control for speed-up tests on a machine shared with other work. Tests
/// that compare 1 against 2 units skip, saying so, when the machine cannot show it.
pub(crate) fn two_cores_free() -> bool {
    let iterations = iterations_for(Duration::from_millis(10));
    let chunk = |n: u64| {
        for i in 0..n {
            std::hint::black_box(gilbench::work::cpu_kernel(i, iterations));
        }
    };
    let (mut one, mut two) = (Duration::MAX, Duration::MAX);
    for _ in 0..3 {
        let t = Instant::now();
        chunk(8);
        one = one.min(t.elapsed());
        let t = Instant::now();
        std::thread::scope(|s| {
            s.spawn(|| chunk(4));
            chunk(4);
        });
        two = two.min(t.elapsed());
    }
    let free = one.as_secs_f64() / two.as_secs_f64() >= 1.6;
    if !free {
        crate::skip::skip("two threads of this process do not get two cores right now");
    }
    free
}

/// Best wall time of each `(model, workers)` over `rounds` rounds, the executors sampled
/// interleaved (one batch of each per round) so a slow moment of the machine hits all alike.
pub(crate) fn interleaved_best(
    setups: &[(Model, usize)],
    spec: &WorkSpec,
    tasks: &[Task],
    rounds: usize,
) -> Vec<Duration> {
    let mut execs: Vec<_> = setups
        .iter()
        .map(|&(m, w)| exec::build(m, w, spec, &env()).expect("executor starts"))
        .collect();
    let mut best = vec![Duration::MAX; setups.len()];
    for _ in 0..rounds {
        for (i, ex) in execs.iter_mut().enumerate() {
            let b = ex.run_batch(tasks, Instant::now() + Duration::from_secs(60)).expect("batch");
            best[i] = best[i].min(b.wall);
        }
    }
    best
}

/// Starts `gilbench run SCENARIO --no-wait --out OUT` with its output captured.
pub(crate) fn start_run(scenario: &std::path::Path, out: &std::path::Path) -> std::process::Child {
    std::process::Command::new(exe())
        .arg("run")
        .arg(scenario)
        .args(["--no-wait", "--out"])
        .arg(out)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("gilbench starts")
}

/// Sends `signal` to a run started by [`start_run`] and checks that it stopped as an
/// interrupted run: exit code 130, and a valid `run.json` in `out` that says so.
pub(crate) fn interrupt_run(
    child: std::process::Child,
    signal: nix::sys::signal::Signal,
    out: &std::path::Path,
) -> gilbench::results::RunRecord {
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), signal)
        .expect("the run takes signals");
    let o = child.wait_with_output().expect("the run ends");
    assert_eq!(o.status.code(), Some(130), "{signal}: {}", String::from_utf8_lossy(&o.stderr));
    let run = gilbench::results::load_run(out).expect("run.json stays valid");
    assert_eq!(run.status, gilbench::results::RunStatus::Interrupted);
    run
}

/// Polls `found` every 20 ms until it gives a value, for at most 30 s; fails naming `what`.
pub(crate) fn wait_for<T>(what: &str, mut found: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = found() {
            return v;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "no {what} within 30 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}
