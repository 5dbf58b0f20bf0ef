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
    let w = CpuWork { iterations: 10 };
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
    let w = CpuWork { iterations: 5 };
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
    let plain = MixedWork { iterations: 3000, sleep_us: 10 }.run(&t).unwrap();
    let hooked = MixedWork { iterations: 3000, sleep_us: 10 }.run_in(&t, &unit).unwrap();
    assert_eq!(plain, hooked);
    assert_eq!(unit.blocking.load(std::sync::atomic::Ordering::Relaxed), 1);
    assert_eq!(unit.checkpoints.load(std::sync::atomic::Ordering::Relaxed), 2);
}
