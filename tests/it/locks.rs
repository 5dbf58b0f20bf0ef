//! Lock and synchronization probes through the public API and the CLI: every kind keeps its
//! guarded counter exact under contention (threads, tasks, processes), readers overlap under
//! RwLock, reentrancy nests to the tested depth, the semaphore never admits more than its
//! permits, the deadlock is caught within its watchdog and the run finishes, and the process
//! kinds leave no peer process or shared-memory segment behind.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use gilbench::probe::lock::KIND_NAMES;
use gilbench::probe::lock::kinds::{
    CountingSemaphore, ParkingLotRwLock, Reentrant, StdRwLock, ThreadLock,
};
use gilbench::probe::{self, Probe, ProbeConfig, ProbeEnv, ProbeError};
use gilbench::results::{CaseStatus, RunRecord};
use gilbench::{scenario, sweep};

use crate::leftovers::processes;
use crate::support::{exe, shared};

fn env() -> ProbeEnv {
    let e = crate::support::env();
    ProbeEnv { worker_exe: e.worker_exe, cancel: e.cancel }
}

fn build(kind: &str, variant: &str, params: &str) -> Box<dyn Probe> {
    let text = format!("[[probe]]\nkind = \"{kind}\"\nmodels = [\"{variant}\"]\n{params}\n");
    let sc = scenario::parse(&text, Path::new("locks-test.toml")).expect("valid probe table");
    let cases = sweep::expand_probes(&sc, 2);
    assert_eq!(cases.len(), 1);
    let c = &cases[0];
    probe::build(&c.variant, &c.config, &env()).unwrap_or_else(|e| panic!("{variant}: {e}"))
}

fn soon() -> Instant {
    Instant::now() + Duration::from_secs(20)
}

#[test]
fn every_kind_keeps_its_counter_exact_under_contention() {
    let _machine = shared();
    for kind in KIND_NAMES {
        let extra = match *kind {
            "std_rwlock" | "parking_lot_rwlock" => "read_percent = 50",
            "reentrant" => "depth = 4",
            _ => "",
        };
        let params =
            format!("contenders = 3\ncritical_section = \"200ns\"\nduration = \"20ms\"\n{extra}");
        let mut p = build("lock", kind, &params);
        assert_eq!(p.metric().unit, "ops/s");
        for _ in 0..2 {
            // A lost update (or a lost or duplicated buffer item, or an early barrier exit)
            // fails the sample.
            let s = p.sample(soon()).unwrap_or_else(|e| panic!("{kind}: {e}"));
            assert!(s.value > 0.0, "{kind}: no operation");
            assert!(s.counters["cpu_s_per_op"] > 0.0, "{kind}: no CPU counted");
            if !matches!(*kind, "barrier") {
                assert!(s.counters.contains_key("fairness_jain"), "{kind}");
            }
        }
        let mut alone =
            build("lock", kind, "mode = \"uncontended\"\ncontenders = 1\nduration = \"5ms\"");
        assert_eq!(alone.metric().unit, "s");
        assert_eq!(alone.units(), 1);
        let s = alone.sample(soon()).unwrap_or_else(|e| panic!("{kind} alone: {e}"));
        assert!(s.value > 0.0 && s.value < 1e-3, "{kind}: {} s per operation", s.value);
    }
}

#[test]
fn an_uncontended_case_with_several_contenders_is_refused() {
    let text =
        "[[probe]]\nkind = \"lock\"\nmodels = [\"std\"]\nmode = \"uncontended\"\ncontenders = 2\n";
    let e = scenario::parse(text, Path::new("t.toml")).expect_err("refused when read").to_string();
    assert!(e.starts_with("t.toml:5:") && e.contains("contenders = 1"), "{e}");
    // Built directly (not from a file), the probe refuses it too.
    let ok = text.replace("contenders = 2", "contenders = 1");
    let sc = scenario::parse(&ok, Path::new("t.toml")).expect("parses");
    let mut c = sweep::expand_probes(&sc, 2).remove(0);
    let ProbeConfig::Lock(params) = &mut c.config else { panic!("a lock case") };
    params.contenders = 2;
    assert!(matches!(probe::build(&c.variant, &c.config, &env()), Err(ProbeError::Setup(_))));
}

/// Most holders seen inside `lock` at once, with `threads` threads each doing `ops`
/// operations whose section sleeps (so holders overlap even on one free core).
fn most_inside<L: ThreadLock>(lock: &L, read: bool, threads: usize, ops: usize) -> usize {
    let (inside, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let start = std::sync::Barrier::new(threads);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                start.wait();
                for _ in 0..ops {
                    lock.op(read, || {
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_micros(500));
                        inside.fetch_sub(1, Ordering::SeqCst);
                    });
                }
            });
        }
    });
    most.into_inner()
}

#[test]
fn readers_really_overlap_under_rwlock_and_writers_do_not() {
    let _machine = shared();
    let std_rw = StdRwLock::default();
    // Started together, each holding a read lock through a 500 µs sleep: they overlap.
    assert!(most_inside(&std_rw, true, 3, 10) >= 2, "std RwLock readers never overlapped");
    assert_eq!(most_inside(&std_rw, false, 3, 10), 1, "std RwLock writers");
    assert_eq!(std_rw.counter(), 30, "only the writes count");
    let pl = ParkingLotRwLock::default();
    assert!(most_inside(&pl, true, 3, 10) >= 2, "parking_lot RwLock readers never overlapped");
    assert_eq!(most_inside(&pl, false, 3, 10), 1, "parking_lot RwLock writers");
}

#[test]
fn the_semaphore_never_admits_more_than_its_permits() {
    let _machine = shared();
    for permits in [1, 2, 3] {
        let sem = CountingSemaphore::new(permits);
        assert_eq!(most_inside(&sem, false, 5, 8), permits, "{permits} permits");
        assert_eq!(sem.counter(), 40);
    }
}

#[test]
fn reentrancy_works_to_the_tested_depth() {
    let _machine = shared();
    for depth in [1, 2, 8, 32] {
        let lock = Reentrant::new(depth);
        // Re-taking a lock the thread holds must not block (a plain mutex would hang here);
        // still one holder at a time across threads.
        assert_eq!(most_inside(&lock, false, 2, 5), 1, "depth {depth}");
        assert_eq!(lock.counter(), 10);
    }
    let mut p = build("lock", "reentrant", "contenders = 2\ndepth = 16\nduration = \"20ms\"");
    p.sample(soon()).expect("nested 16 deep under contention");
}

#[test]
fn the_deadlock_is_detected_within_its_watchdog_and_fixed_order_completes() {
    let _machine = shared();
    let params = "rounds = 5\nhold = \"1ms\"\nwatchdog = \"100ms\"";
    let mut opposite = build("deadlock", "opposite_order", params);
    let start = Instant::now();
    let err = opposite.sample(soon()).expect_err("opposite lock order deadlocks");
    let took = start.elapsed();
    let ProbeError::Deadlock(msg) = err else { panic!("not reported as a deadlock: {err}") };
    assert!(
        msg.contains("thread A holds L1 waiting for L2, thread B holds L2 waiting for L1"),
        "{msg}"
    );
    let ms: f64 = msg
        .rsplit("detected after ")
        .next()
        .and_then(|t| t.trim_end_matches(" ms").parse().ok())
        .unwrap_or_else(|| panic!("no detection time in {msg}"));
    // The watchdog fires 100 ms after the last completed round; the cycle formed up to one
    // `hold` after that.
    assert!((90.0..400.0).contains(&ms), "detected after {ms} ms: {msg}");
    assert!(took < Duration::from_secs(2), "the sample took {took:?}");
    // Both threads were released: a second sample deadlocks again rather than hanging.
    assert!(matches!(opposite.sample(soon()), Err(ProbeError::Deadlock(_))));

    let mut fixed = build("deadlock", "fixed_order", params);
    let s = fixed.sample(soon()).expect("fixed order completes");
    assert_eq!(s.counters["rounds"], 5.0);
}

#[test]
fn the_deadlock_scenario_runs_to_the_end_with_exit_code_1() {
    let _machine = shared();
    let out = tempfile::tempdir().expect("temp dir");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/deadlock.toml");
    let o = Command::new(exe())
        .args(["run", "--no-wait", "--out"])
        .arg(out.path())
        .arg(&scenario)
        .output()
        .expect("gilbench runs");
    assert_eq!(o.status.code(), Some(1), "stderr: {}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(out.path().join("run.json")).expect("run.json");
    let run: RunRecord = serde_json::from_str(&text).expect("valid run.json");
    let status =
        |v: &str| run.cases.iter().find(|c| c.model == v).map(|c| (c.status, c.reason.clone()));
    let (s, reason) = status("opposite_order").expect("opposite_order case");
    assert_eq!(s, CaseStatus::Deadlock);
    assert!(reason.unwrap_or_default().contains("detected after"));
    assert_eq!(status("fixed_order").map(|x| x.0), Some(CaseStatus::Ok));
    assert!(text.contains("\"status\": \"deadlock\""), "serialised as `deadlock`");
    let html = std::fs::read_to_string(out.path().join("index.html")).expect("report");
    assert!(html.contains("Deadlock") && html.contains("fixed_order"));
}

fn dev_shm() -> BTreeSet<String> {
    std::fs::read_dir("/dev/shm")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

fn my_peers() -> Vec<u32> {
    let me = std::process::id().to_string();
    processes()
        .into_iter()
        .filter(|p| p.runs("__lockpeer") && p.args.last() == Some(&me))
        .map(|p| p.pid)
        .collect()
}

fn my_lock_regions() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            std::fs::read_link(e.path())
                .map(|t| t.to_string_lossy().contains("gilbench-lock"))
                .unwrap_or(false)
        })
        .count()
}

fn gone_within(what: &str, secs: u64, mut left: impl FnMut() -> usize) {
    let start = Instant::now();
    loop {
        let n = left();
        if n == 0 {
            return;
        }
        assert!(start.elapsed() < Duration::from_secs(secs), "{n} {what} left");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "process-shared locks need Linux")]
fn process_locks_leave_no_peer_or_segment_behind_even_when_a_peer_is_killed() {
    // Exclusive: other tests may hold segments of their own meanwhile.
    let _machine = crate::support::exclusive();
    let shm_before = dev_shm();
    {
        let mut p = build("lock", "process_mutex", "contenders = 2\nduration = \"20ms\"");
        assert_eq!(p.units(), 2);
        p.sample(soon()).expect("sample");
        assert_eq!(my_peers().len(), 2, "two peers alive while the probe is");
        assert!(my_lock_regions() >= 1);
    }
    gone_within("peer processes", 3, || my_peers().len());
    {
        let mut p = build("lock", "process_semaphore", "contenders = 2\nduration = \"20ms\"");
        p.sample(soon()).expect("sample");
        let victim = my_peers()[0];
        let _ = Command::new("kill").args(["-9", &victim.to_string()]).status();
        std::thread::sleep(Duration::from_millis(50));
        let err = p.sample(soon()).expect_err("a killed peer fails the sample");
        assert!(err.to_string().contains("exited"), "{err}");
    }
    gone_within("peer processes", 3, || my_peers().len());
    gone_within("lock regions", 3, my_lock_regions);
    assert_eq!(dev_shm(), shm_before, "/dev/shm changed");
}
