//! Probes through the public API: the convoy effect under the modelled GIL, its absence
//! without the lock, and cleanup of the hog processes.

use std::path::Path;
use std::time::{Duration, Instant};

use gilbench::probe::{self, ProbeEnv};
use gilbench::scenario;
use gilbench::sweep;

use crate::leftovers::processes;
use crate::support::{exclusive, shared};

fn env() -> ProbeEnv {
    let e = crate::support::env();
    ProbeEnv { worker_exe: e.worker_exe, cancel: e.cancel }
}

/// Median IO latency (s) of the convoy probe, best of `rounds` samples.
fn convoy(variant: &str, hogs: u64, io: &str) -> (f64, f64) {
    let text = format!(
        "[[probe]]\nkind = \"convoy\"\nmodels = [\"{variant}\"]\nhogs = {hogs}\n\
         switch_interval = \"5ms\"\nio = \"{io}\"\nio_time = \"1ms\"\nduration = \"150ms\"\n"
    );
    let sc = scenario::parse(&text, Path::new("convoy-test.toml")).expect("valid probe table");
    let cases = sweep::expand_probes(&sc, 2);
    assert_eq!(cases.len(), 1);
    let case = &cases[0];
    let mut p = probe::build(&case.variant, &case.config, &env()).expect("probe starts");
    assert_eq!(p.units(), hogs as usize + 1);
    let mut best = f64::INFINITY;
    let mut ops = 0.0;
    for _ in 0..3 {
        let s = p.sample(Instant::now() + Duration::from_secs(10)).expect("sample");
        best = best.min(s.value);
        ops = s.counters["ops_per_s"];
    }
    (best, ops)
}

#[test]
fn an_io_thread_waits_behind_a_cpu_hog_under_the_gil_but_not_without_it() {
    let _machine = exclusive();
    let (alone, _) = convoy("gil", 0, "sleep");
    let (behind_hog, slow_rate) = convoy("gil", 1, "sleep");
    let (free, fast_rate) = convoy("threads", 1, "sleep");
    // A 1 ms sleep, then the lock back from a hog that drops it only after a 5 ms interval.
    assert!(behind_hog >= 0.0035, "gil with a hog: {behind_hog:.4} s (alone {alone:.4} s)");
    assert!(free < 0.0025, "free threads with a hog: {free:.4} s");
    assert!(alone < 0.0025, "gil with no hog: {alone:.4} s");
    assert!(fast_rate > 1.5 * slow_rate, "IO rate {fast_rate:.0}/s free vs {slow_rate:.0}/s");
}

#[test]
fn hog_processes_leave_nothing_behind() {
    let _machine = shared();
    let (latency, _) = convoy("processes", 2, "net");
    assert!(latency > 0.0);
    let start = Instant::now();
    loop {
        let hogs = processes().iter().filter(|p| p.is_helper("__hog")).count();
        if hogs == 0 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(3), "{hogs} hog processes left");
        std::thread::sleep(Duration::from_millis(50));
    }
}
