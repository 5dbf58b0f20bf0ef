//! In-process models: every model does the same work (checksums), and the classic relations
//! hold with wide margins on a 2-core machine.

use gilbench::exec::Model;
use gilbench::work::{LoopbackServer, WorkSpec};

use crate::support::{best_of, exclusive, interleaved_best, shared, tasks, two_cores_free};

const IN_PROCESS: [Model; 5] = [
    Model::Sequential,
    Model::Threads,
    Model::AsyncCurrent,
    Model::AsyncMulti,
    Model::AsyncBlocking,
];

fn same_checksum_everywhere(spec: &WorkSpec, payload: usize) {
    let batch = tasks(24, payload);
    let (_, reference) = best_of(Model::Sequential, 1, spec, &batch, 1);
    for model in IN_PROCESS {
        for workers in [1, 2, 3, 8] {
            let (_, sum) = best_of(model, workers, spec, &batch, 2);
            assert_eq!(sum, reference, "{model} with {workers} workers did different work");
        }
    }
}

#[test]
fn cpu_checksum_identical_under_every_model_and_worker_count() {
    let _machine = shared();
    same_checksum_everywhere(&WorkSpec::cpu(20_000), 2048);
}

#[test]
fn io_checksums_identical_under_every_model() {
    let _machine = shared();
    same_checksum_everywhere(&WorkSpec::IoSleep { sleep_us: 200 }, 64);
    same_checksum_everywhere(
        &WorkSpec::Mixed { iterations: 5_000, released_iterations: 0, sleep_us: 200 },
        64,
    );
    let dir = tempfile::tempdir().unwrap();
    same_checksum_everywhere(
        &WorkSpec::IoFile { bytes: 8192, fsync: false, dir: dir.path().to_path_buf() },
        16,
    );
    let server = LoopbackServer::start().unwrap();
    same_checksum_everywhere(
        &WorkSpec::IoNet { addr: server.addr(), delay_us: 300, response_bytes: 2000 },
        16,
    );
}

#[test]
fn a_different_workload_gives_a_different_checksum() {
    let _machine = shared();
    let batch = tasks(8, 16);
    let (_, a) = best_of(Model::Threads, 2, &WorkSpec::cpu(1000), &batch, 1);
    let (_, b) = best_of(Model::Threads, 2, &WorkSpec::cpu(1001), &batch, 1);
    assert_ne!(a, b);
}

#[test]
fn two_threads_beat_one_on_cpu_bound_work() {
    let _machine = exclusive();
    if !two_cores_free() {
        return;
    }
    let spec = WorkSpec::cpu(3_000_000);
    let batch = tasks(16, 0);
    let (one, _) = best_of(Model::Threads, 1, &spec, &batch, 3);
    let (two, _) = best_of(Model::Threads, 2, &spec, &batch, 3);
    let speedup = one.as_secs_f64() / two.as_secs_f64();
    assert!(speedup >= 1.3, "2 threads only {speedup:.2}x faster than 1 ({one:?} vs {two:?})");
}

/// Two tokio workers (and two blocking-pool threads) must both do CPU work: the tasks are
/// spawned where every worker can take them. A start that leaves a task in one worker's LIFO
/// slot runs the batch on one thread (about 1.0x).
#[test]
fn two_async_workers_share_cpu_bound_work() {
    let _machine = exclusive();
    if !two_cores_free() {
        return;
    }
    let spec = WorkSpec::cpu(3_000_000);
    let batch = tasks(16, 0);
    let setups = [(Model::Sequential, 1), (Model::AsyncMulti, 2), (Model::AsyncBlocking, 2)];
    let best = interleaved_best(&setups, &spec, &batch, 4);
    for (i, model) in [(1, Model::AsyncMulti), (2, Model::AsyncBlocking)] {
        let speedup = best[0].as_secs_f64() / best[i].as_secs_f64();
        assert!(speedup >= 1.4, "{model} with 2 workers only {speedup:.2}x faster than sequential");
    }
}

#[test]
fn eight_threads_beat_sequential_on_sleeping_io() {
    let _machine = exclusive();
    let spec = WorkSpec::IoSleep { sleep_us: 10_000 };
    let batch = tasks(32, 0);
    let (seq, _) = best_of(Model::Sequential, 1, &spec, &batch, 2);
    let (par, _) = best_of(Model::Threads, 8, &spec, &batch, 2);
    let speedup = seq.as_secs_f64() / par.as_secs_f64();
    assert!(speedup >= 4.0, "8 threads only {speedup:.2}x faster on io-sleep");
    let (one_thread_async, _) = best_of(Model::AsyncCurrent, 8, &spec, &batch, 2);
    let speedup = seq.as_secs_f64() / one_thread_async.as_secs_f64();
    assert!(speedup >= 4.0, "8 tasks on one async thread only {speedup:.2}x faster on io-sleep");
}

#[test]
fn timeout_stops_an_in_process_batch() {
    let _machine = shared();
    use std::time::{Duration, Instant};
    let spec = WorkSpec::IoSleep { sleep_us: 50_000 };
    for model in [Model::Threads, Model::AsyncMulti, Model::AsyncBlocking] {
        let mut ex = gilbench::exec::build(model, 2, &spec, &crate::support::env()).unwrap();
        let start = Instant::now();
        let err = ex.run_batch(&tasks(100, 0), Instant::now() + Duration::from_millis(200));
        assert!(matches!(err, Err(gilbench::exec::ExecError::Timeout(_))), "{model}: {err:?}");
        assert!(start.elapsed() < Duration::from_secs(3), "{model} ignored its deadline");
    }
}

#[test]
fn cpu_bound_work_does_not_scale_under_the_gil_but_does_without() {
    let _machine = exclusive();
    // Under outside load a burst can slow every one-thread round alone: judge on a quiet machine.
    if !two_cores_free() {
        return;
    }
    let spec = WorkSpec::cpu(3_000_000);
    let batch = tasks(16, 0);
    let setups = [(Model::Gil, 1), (Model::Gil, 2), (Model::Threads, 1), (Model::Threads, 2)];
    let best = interleaved_best(&setups, &spec, &batch, 5);
    let gil = best[0].as_secs_f64() / best[1].as_secs_f64();
    let free = best[2].as_secs_f64() / best[3].as_secs_f64();
    assert!(gil <= 1.15, "2 GIL threads {gil:.2}x faster than 1: the lock does not serialise");
    if two_cores_free() {
        assert!(free >= 1.3, "2 free threads only {free:.2}x faster than 1");
    }
}

#[test]
fn sleeping_io_scales_under_the_gil() {
    let _machine = exclusive();
    let spec = WorkSpec::IoSleep { sleep_us: 10_000 };
    let batch = tasks(32, 0);
    let (seq, _) = best_of(Model::Sequential, 1, &spec, &batch, 2);
    let (gil, _) = best_of(Model::Gil, 8, &spec, &batch, 2);
    let speedup = seq.as_secs_f64() / gil.as_secs_f64();
    assert!(speedup >= 4.0, "8 GIL threads only {speedup:.2}x faster on io-sleep");
}

/// Interleaving models is only honest if one model's idle units stay still while another's
/// sample runs: after a batch each, the idle thread pools, GIL threads, tokio runtimes and
/// worker processes of every model together use well under a tenth of one CPU.
#[test]
fn idle_units_of_every_model_use_no_cpu_between_batches() {
    if !std::path::Path::new("/proc/self/stat").exists() {
        crate::skip::skip("no /proc to read CPU time from");
        return;
    }
    let _machine = exclusive();
    let (threads0, procs0) = crate::leftovers::tree();
    let spec = WorkSpec::Mixed { iterations: 20_000, released_iterations: 0, sleep_us: 200 };
    let batch = tasks(8, 64);
    let mut executors: Vec<_> = gilbench::exec::Model::ALL
        .into_iter()
        .map(|m| (m, gilbench::exec::build(m, 2, &spec, &crate::support::env()).expect("builds")))
        .collect();
    let far = || std::time::Instant::now() + std::time::Duration::from_secs(30);
    for (m, ex) in &mut executors {
        ex.run_batch(&batch, far()).unwrap_or_else(|e| panic!("{m}: {e}"));
    }
    std::thread::sleep(std::time::Duration::from_millis(50));
    let (threads1, procs1) = crate::leftovers::tree();
    let threads: Vec<u32> =
        threads1.iter().filter(|t| !threads0.iter().any(|o| o.0 == t.0)).map(|t| t.0).collect();
    let procs: Vec<u32> = procs1.into_iter().filter(|p| !procs0.contains(p)).collect();
    let t0 = std::time::Instant::now();
    let cpu0 = crate::leftovers::cpu_of(&threads, &procs);
    std::thread::sleep(std::time::Duration::from_millis(600));
    let used = crate::leftovers::cpu_of(&threads, &procs) - cpu0;
    let wall = t0.elapsed().as_secs_f64();
    assert!(
        used < 0.1 * wall,
        "idle units of {} models ({} threads, {} processes) used {used:.3} s of CPU in {wall:.3} s",
        executors.len(),
        threads.len(),
        procs.len()
    );
    for (m, ex) in &mut executors {
        ex.run_batch(&batch, far()).unwrap_or_else(|e| panic!("{m} after idling: {e}"));
    }
}

/// CPU work done with the lock released, as a C extension does it: every model, the GIL ones
/// included, does the same work as the held kernel of the same size.
#[test]
fn released_cpu_work_gives_the_held_checksum_under_every_model() {
    let _machine = shared();
    let batch = tasks(12, 256);
    let held = WorkSpec::cpu(20_000);
    let (_, reference) = best_of(Model::Sequential, 1, &held, &batch, 1);
    for released_iterations in [5_000, 20_000] {
        let spec = WorkSpec::Cpu { iterations: 20_000, released_iterations };
        for model in Model::ALL {
            let (_, sum) = best_of(model, 2, &spec, &batch, 1);
            assert_eq!(sum, reference, "{model} released {released_iterations}: other work");
        }
    }
    let mixed = |released_iterations| WorkSpec::Mixed {
        iterations: 8_000,
        released_iterations,
        sleep_us: 100,
    };
    let (_, reference) = best_of(Model::Sequential, 1, &mixed(0), &batch, 1);
    for model in [Model::Gil, Model::GilProcesses, Model::Threads] {
        let (_, sum) = best_of(model, 2, &mixed(4_000), &batch, 1);
        assert_eq!(sum, reference, "{model}: mixed work with a released share differs");
    }
}

/// A C extension's work releases the GIL: two GIL threads whose CPU work all releases the
/// lock scale as free threads do, and with none released they do not.
#[test]
fn gil_threads_scale_when_their_cpu_work_releases_the_lock() {
    let _machine = exclusive();
    if !two_cores_free() {
        return;
    }
    let iterations = crate::support::iterations_for(std::time::Duration::from_millis(2));
    let batch = tasks(16, 0);
    // Free threads beside them in the same interleaved rounds: the machine's own reading.
    let setups = [(Model::Sequential, 1), (Model::Gil, 2), (Model::Threads, 2)];
    let speedups = |released_iterations| {
        let spec = WorkSpec::Cpu { iterations, released_iterations };
        let best = interleaved_best(&setups, &spec, &batch, 5);
        let of = |i: usize| best[0].as_secs_f64() / best[i].as_secs_f64();
        (of(1), of(2))
    };
    let (held, _) = speedups(0);
    // A burst of outside load can spoil a set of rounds: up to two more before judging.
    let (mut released, mut free) = speedups(iterations);
    for _ in 0..2 {
        if released >= 0.8 * free {
            break;
        }
        (released, free) = speedups(iterations);
    }
    println!(
        "2 GIL threads: {held:.2}x with the CPU work held, {released:.2}x released \
         (free threads {free:.2}x)"
    );
    assert!(held <= 1.15, "2 GIL threads {held:.2}x faster with every round holding the lock");
    // Released, the lock costs nothing: GIL threads keep up with free threads measured in the
    // same rounds, whatever else loads the machine.
    assert!(
        released >= 0.8 * free,
        "released: GIL threads {released:.2}x, free threads {free:.2}x"
    );
    if free < 1.7 {
        crate::skip::skip(&format!("the 1.6x check: free threads reached only {free:.2}x"));
        return;
    }
    assert!(released >= 1.6, "2 GIL threads only {released:.2}x with the lock released");
}
