use super::*;

fn task(index: u64, len: usize) -> Task {
    Task { index, input: make_input(index, len) }
}

#[test]
fn cpu_kernel_is_deterministic_and_depends_on_inputs() {
    assert_eq!(cpu_kernel(3, 1000), cpu_kernel(3, 1000));
    assert_ne!(cpu_kernel(3, 1000), cpu_kernel(4, 1000));
    assert_ne!(cpu_kernel(3, 1000), cpu_kernel(3, 1001));
}

#[test]
fn output_payload_has_input_size_and_feeds_checksum() {
    let w = CpuWork { iterations: 10, released_iterations: 0 };
    let a = w.run(&task(1, 100)).unwrap();
    assert_eq!(a.output.len(), 100);
    let mut t = task(1, 100);
    t.input[50] ^= 1;
    assert_ne!(w.run(&t).unwrap().checksum, a.checksum);
}

#[test]
fn net_work_round_trips_through_loopback_server() {
    let server = LoopbackServer::start().unwrap();
    assert!(server.addr().ip().is_loopback());
    let spec = WorkSpec::IoNet { addr: server.addr(), delay_us: 100, response_bytes: 3000 };
    let w = spec.build();
    let a = w.run(&task(7, 8)).unwrap();
    let b = w.run(&task(7, 8)).unwrap();
    assert_eq!(a, b);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let t = task(7, 8);
    let c = rt.block_on(w.run_async(&t)).unwrap();
    assert_eq!(a, c);
}

#[test]
fn file_work_sync_and_async_agree_and_clean_up() {
    let dir = tempfile::tempdir().unwrap();
    let spec = WorkSpec::IoFile { bytes: 10_000, fsync: false, dir: dir.path().to_path_buf() };
    let w = spec.build();
    let t = task(2, 16);
    let a = w.run(&t).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let b = rt.block_on(w.run_async(&t)).unwrap();
    assert_eq!(a, b);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn batch_checksum_ignores_order() {
    let w = CpuWork { iterations: 5, released_iterations: 0 };
    let rs: Vec<_> = (0..5).map(|i| w.run(&task(i, 4)).unwrap()).collect();
    let mut rev = rs.clone();
    rev.reverse();
    assert_eq!(batch_checksum(&rs), batch_checksum(&rev));
}

#[derive(Default)]
struct CountingUnit {
    checkpoints: std::sync::atomic::AtomicU64,
    blocking: std::sync::atomic::AtomicU64,
}

impl Unit for CountingUnit {
    fn checkpoint(&self) {
        self.checkpoints.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    fn enter_blocking(&self) {
        self.blocking.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

#[test]
fn sliced_kernel_matches_and_checks_in_between_slices() {
    let unit = CountingUnit::default();
    let n = SLICE_ITERATIONS * 5 + 3;
    assert_eq!(cpu_kernel_in(9, n, &unit), cpu_kernel(9, n));
    assert_eq!(unit.checkpoints.load(std::sync::atomic::Ordering::Relaxed), 5);
}

#[test]
fn io_workloads_release_the_unit_around_blocking_calls() {
    let unit = CountingUnit::default();
    let t = task(1, 8);
    let plain =
        MixedWork { iterations: 3000, released_iterations: 0, sleep_us: 10 }.run(&t).unwrap();
    let hooked = MixedWork { iterations: 3000, released_iterations: 0, sleep_us: 10 }
        .run_in(&t, &unit)
        .unwrap();
    assert_eq!(plain, hooked);
    assert_eq!(unit.blocking.load(std::sync::atomic::Ordering::Relaxed), 1);
    assert_eq!(unit.checkpoints.load(std::sync::atomic::Ordering::Relaxed), 2);
}

#[test]
fn a_released_share_keeps_the_checksum_and_runs_as_one_blocking_call() {
    let n = SLICE_ITERATIONS * 8 + 5;
    for released in [0, 1, SLICE_ITERATIONS, n / 2, n - 1, n, n + 10] {
        let unit = CountingUnit::default();
        assert_eq!(cpu_kernel_split(4, n, released, &unit), cpu_kernel(4, n), "{released}");
        let calls = unit.blocking.load(std::sync::atomic::Ordering::Relaxed);
        assert_eq!(calls, u64::from(released > 0), "released {released}");
        // Checkpoints only between the slices of the part that holds the lock.
        let held = n - released.min(n);
        let expected = held.div_ceil(SLICE_ITERATIONS).saturating_sub(1);
        assert_eq!(unit.checkpoints.load(std::sync::atomic::Ordering::Relaxed), expected);
    }
    let t = task(3, 16);
    let whole = CpuWork { iterations: n, released_iterations: 0 }.run(&t).unwrap();
    let split = CpuWork { iterations: n, released_iterations: n / 3 }.run(&t).unwrap();
    assert_eq!(whole, split);
    let mixed = MixedWork { iterations: n, released_iterations: n / 3, sleep_us: 10 };
    let unit = CountingUnit::default();
    assert_eq!(mixed.run_in(&t, &unit).unwrap(), mixed.run(&t).unwrap());
    // The released share, then the sleep: two blocking calls.
    assert_eq!(unit.blocking.load(std::sync::atomic::Ordering::Relaxed), 2);
}
