use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use super::*;

/// Held by the tests that time the lock or spin on it, so that they do not load each other's
/// CPUs (the machine may have only two).
static CPUS: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn cpus() -> std::sync::MutexGuard<'static, ()> {
    CPUS.lock().unwrap_or_else(|e| e.into_inner())
}

#[test]
fn never_two_threads_inside_cpu_work() {
    let gil = Arc::new(Gil::new(Duration::from_micros(200)));
    let inside = Arc::new(AtomicUsize::new(0));
    let start = Arc::new(Barrier::new(3));
    let handles: Vec<_> = (0..3)
        .map(|me| {
            let (gil, inside, start) = (Arc::clone(&gil), Arc::clone(&inside), Arc::clone(&start));
            std::thread::spawn(move || {
                let unit = GilUnit::new(gil, me);
                start.wait();
                unit.enter();
                for _ in 0..3000 {
                    assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0, "two threads inside");
                    std::hint::black_box(crate::work::cpu_kernel(me as u64, 200));
                    inside.fetch_sub(1, Ordering::SeqCst);
                    unit.checkpoint();
                }
                unit.exit();
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert!(gil.counters().switches >= 3, "{:?}", gil.counters());
}

#[test]
fn a_waiter_gets_the_lock_within_a_few_intervals_of_a_spinning_holder() {
    let _cpus = cpus();
    let interval = Duration::from_millis(2);
    let gil = Arc::new(Gil::new(interval));
    let stop = Arc::new(AtomicBool::new(false));
    let holder = {
        let (gil, stop) = (Arc::clone(&gil), Arc::clone(&stop));
        std::thread::spawn(move || {
            let unit = GilUnit::new(gil, 0);
            unit.enter();
            while !stop.load(Ordering::Relaxed) {
                std::hint::black_box(crate::work::cpu_kernel(1, 100));
                unit.checkpoint();
            }
            unit.exit();
        })
    };
    std::thread::sleep(Duration::from_millis(20));
    let waiter = GilUnit::new(Arc::clone(&gil), 1);
    let start = Instant::now();
    waiter.enter();
    let waited = start.elapsed();
    waiter.exit();
    stop.store(true, Ordering::Relaxed);
    holder.join().unwrap();
    assert!(waited < interval * 50, "waited {waited:?} for a {interval:?} interval");
    assert!(gil.counters().drop_requests >= 1);
}

#[test]
fn a_blocked_holder_does_not_block_others() {
    let gil = Arc::new(Gil::new(Duration::from_secs(10)));
    let sleeper = GilUnit::new(Arc::clone(&gil), 0);
    sleeper.enter();
    let blocking = Arc::new(AtomicBool::new(false));
    let entered = Arc::new(AtomicBool::new(false));
    let t = std::thread::spawn({
        let (gil, blocking, entered) =
            (Arc::clone(&gil), Arc::clone(&blocking), Arc::clone(&entered));
        move || {
            let unit = GilUnit::new(gil, 1);
            unit.enter();
            // Whether the lock came while its holder was still in its blocking call.
            let during = blocking.load(Ordering::SeqCst);
            entered.store(true, Ordering::SeqCst);
            unit.exit();
            during
        }
    });
    // The sleeper blocks with the lock released, and stays blocked until the other thread is
    // in (5 s at most, half the switch interval): a lock kept through the call would let the
    // other in only after it.
    // The flag is set while the sleeper holds the lock, and cleared once it holds it again.
    blocking.store(true, Ordering::SeqCst);
    crate::work::blocking(&sleeper, || {
        let start = Instant::now();
        while !entered.load(Ordering::SeqCst) && start.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(1));
        }
    });
    blocking.store(false, Ordering::SeqCst);
    let during = t.join().unwrap();
    sleeper.exit();
    assert!(during, "the other thread got the lock only after the blocking call ended");
}

#[test]
fn strict_handoff_ping_pong_completes() {
    let _cpus = cpus();
    use std::sync::atomic::AtomicU64;
    let gil = Arc::new(Gil::new(Duration::from_secs(60)));
    // Odd: the main thread holds the lock and lets the waiter queue up; even: the waiter is done.
    let round = Arc::new(AtomicU64::new(0));
    let iters = 2000u64;
    gil.take(0);
    let waiter = {
        let (gil, round) = (Arc::clone(&gil), Arc::clone(&round));
        std::thread::spawn(move || {
            for i in 0..iters {
                while round.load(Ordering::Acquire) != 2 * i + 1 {
                    std::hint::spin_loop();
                }
                gil.take(1);
                gil.release(1);
                round.store(2 * i + 2, Ordering::Release);
            }
        })
    };
    let start = Instant::now();
    for i in 0..iters {
        round.store(2 * i + 1, Ordering::Release);
        while gil.waiters() == 0 {
            assert!(start.elapsed() < Duration::from_secs(20), "stuck at round {i} (waiter)");
            std::hint::spin_loop();
        }
        gil.release(0);
        while round.load(Ordering::Acquire) != 2 * i + 2 {
            assert!(start.elapsed() < Duration::from_secs(20), "stuck at round {i} (hand-off)");
            std::hint::spin_loop();
        }
        gil.take(0);
    }
    gil.release(0);
    waiter.join().unwrap();
    assert_eq!(gil.counters().switches, 2 * iters + 1);
}

/// Kernel rounds that take about `ms` milliseconds on this machine (best of three timings).
fn rounds_for_ms(ms: f64) -> u64 {
    let n = 200_000u64;
    let best = (0..3)
        .map(|i| {
            let t = Instant::now();
            std::hint::black_box(crate::work::cpu_kernel(i, n));
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min);
    ((n as f64 / best.max(1e-9)) * ms / 1e3).round().max(1.0) as u64
}

/// Runs `tasks` tasks of `work` on one thread under `gil`, as the `gil` model's threads do:
/// the lock taken at the start, the eval loop's check after each task, released at the end.
fn run_tasks(gil: &Arc<Gil>, me: usize, work: &dyn crate::work::Workload, tasks: u64) {
    let unit = GilUnit::new(Arc::clone(gil), me);
    unit.enter();
    for index in 0..tasks {
        let task = crate::work::Task { index, input: Vec::new() };
        work.run_in(&task, &unit).expect("cpu work does not fail");
        crate::work::Unit::checkpoint(&unit);
    }
    unit.exit();
}

#[test]
fn time_with_the_lock_released_is_not_counted_as_held() {
    let _cpus = cpus();
    let iterations = rounds_for_ms(30.0);
    let held_at = |fraction: f64| {
        let gil = Arc::new(Gil::new(Duration::from_millis(5)));
        let released_iterations = (iterations as f64 * fraction).round() as u64;
        let work = crate::work::CpuWork { iterations, released_iterations };
        let start = Instant::now();
        run_tasks(&gil, 0, &work, 1);
        let wall = start.elapsed().as_secs_f64();
        (gil.counters().held_ns as f64 * 1e-9, wall)
    };
    let (held0, wall0) = held_at(0.0);
    let (held_half, wall_half) = held_at(0.5);
    let (held1, wall1) = held_at(1.0);
    // Alone, a thread holding the lock for all its work holds it for nearly its whole run.
    assert!(held0 >= 0.8 * wall0, "held {held0} s of {wall0} s");
    // Half of the work released: about half of the run held (wide margins for the noise).
    assert!(
        held_half > 0.2 * wall_half && held_half < 0.8 * wall_half,
        "held {held_half} s of {wall_half} s"
    );
    // All of it released: the lock is held only around the call.
    assert!(held1 < 0.1 * wall1, "held {held1} s of {wall1} s");
}

#[test]
fn drop_requests_fall_as_the_released_fraction_grows() {
    let _cpus = cpus();
    // Two threads, tasks of half a switch interval: held work needs drop requests to change
    // hands, work done with the lock released gives the lock up on its own.
    let interval = Duration::from_millis(2);
    let iterations = rounds_for_ms(1.0);
    let requests_at = |fraction: f64| {
        let gil = Arc::new(Gil::new(interval));
        let released_iterations = (iterations as f64 * fraction).round() as u64;
        let work = Arc::new(crate::work::CpuWork { iterations, released_iterations });
        let start = Arc::new(Barrier::new(2));
        let handles: Vec<_> = (0..2)
            .map(|me| {
                let (gil, work, start) = (Arc::clone(&gil), Arc::clone(&work), Arc::clone(&start));
                std::thread::spawn(move || {
                    start.wait();
                    run_tasks(&gil, me, work.as_ref(), 40);
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        gil.counters().drop_requests
    };
    let none = requests_at(0.0);
    let half = requests_at(0.5);
    let all = requests_at(1.0);
    println!("drop requests at released fraction 0, 0.5, 1: {none}, {half}, {all}");
    assert!(none >= 5, "held CPU work changed hands with only {none} drop requests");
    assert!(half * 2 < none, "released 0.5: {half} drop requests against {none} at 0");
    assert!(all * 2 < none, "released 1: {all} drop requests against {none} at 0");
    assert!(all <= half + 1, "released 1: {all} drop requests against {half} at 0.5");
}
