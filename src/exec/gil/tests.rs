use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use super::*;

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
    let t = std::thread::spawn({
        let gil = Arc::clone(&gil);
        move || {
            let unit = GilUnit::new(gil, 1);
            let start = Instant::now();
            unit.enter();
            unit.exit();
            start.elapsed()
        }
    });
    // The sleeper blocks with the lock released: the other thread must not wait the
    // (huge) switch interval.
    crate::work::blocking(&sleeper, || std::thread::sleep(Duration::from_millis(300)));
    let other_waited = t.join().unwrap();
    sleeper.exit();
    assert!(other_waited < Duration::from_millis(250), "{other_waited:?}");
}

#[test]
fn strict_handoff_ping_pong_completes() {
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
