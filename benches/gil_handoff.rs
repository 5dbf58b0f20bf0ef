//! The modelled GIL's own costs: taking and releasing it uncontended, a checkpoint with no
//! drop request pending (the price every CPU slice pays), and a hand-off — the time from one
//! thread releasing the lock to a blocked waiter running with it (a condition-variable wake-up,
//! so a futex wake and usually a context switch).
//!
//! It does not measure the switch interval's effect on CPU-bound threads; the `gil` scenarios
//! do. Run with `cargo bench --bench gil_handoff`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use gilbench::exec::gil::{DEFAULT_SWITCH_INTERVAL, Gil};

fn uncontended(c: &mut Criterion) {
    let gil = Gil::new(DEFAULT_SWITCH_INTERVAL);
    c.bench_function("gil/take_release_uncontended", |b| {
        b.iter(|| {
            gil.take(0);
            gil.release(0);
        })
    });
    gil.take(0);
    c.bench_function("gil/checkpoint_no_request", |b| b.iter(|| gil.checkpoint(0)));
    gil.release(0);
}

fn handoff(c: &mut Criterion) {
    c.bench_function("gil/handoff_release_to_running", |b| {
        b.iter_custom(|iters| {
            let gil = Arc::new(Gil::new(Duration::from_secs(60)));
            // Odd: the main thread holds the lock and lets the waiter queue up; even: the
            // waiter has run with the lock and given it back.
            let round = Arc::new(AtomicU64::new(0));
            let released_at = Arc::new(parking_lot::Mutex::new(Instant::now()));
            gil.take(0);
            let waiter = {
                let (gil, round, released_at) =
                    (Arc::clone(&gil), Arc::clone(&round), Arc::clone(&released_at));
                std::thread::spawn(move || {
                    let mut total = Duration::ZERO;
                    for i in 0..iters {
                        while round.load(Ordering::Acquire) != 2 * i + 1 {
                            std::hint::spin_loop();
                        }
                        gil.take(1);
                        total += released_at.lock().elapsed();
                        gil.release(1);
                        round.store(2 * i + 2, Ordering::Release);
                    }
                    total
                })
            };
            for i in 0..iters {
                round.store(2 * i + 1, Ordering::Release);
                while gil.waiters() == 0 {
                    std::hint::spin_loop();
                }
                *released_at.lock() = Instant::now();
                gil.release(0);
                while round.load(Ordering::Acquire) != 2 * i + 2 {
                    std::hint::spin_loop();
                }
                gil.take(0);
            }
            gil.release(0);
            waiter.join().expect("waiter thread finishes")
        })
    });
}

criterion_group!(benches, uncontended, handoff);
criterion_main!(benches);
