//! Unit tests of the lock probe's pieces: the exactness check catches a lock that does not
//! exclude, Jain's index, the calibrated work, the semaphore and the bounded buffer.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::kinds::{Spin, ThreadLock, plain_bump};
use super::sync::{BoundedQueue, Semaphore};
use super::work::Work;
use super::{Plan, jain_index, threads};

/// A "lock" that takes nothing: the counter's load and store race.
#[derive(Debug, Default)]
struct NoLock(AtomicU64);

impl ThreadLock for NoLock {
    fn op(&self, _read: bool, section: impl FnOnce()) {
        let v = self.0.load(Ordering::Relaxed);
        section();
        self.0.store(v + 1, Ordering::Relaxed);
    }
    fn counter(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

fn plan(contenders: usize, section: Duration) -> Plan {
    Plan {
        contenders,
        duration: Duration::from_millis(30),
        section: Work::lasting(section),
        outside: Work::default(),
        read_percent: 0,
        seed: 1,
    }
}

#[test]
fn the_counter_check_catches_a_lock_that_does_not_exclude() {
    let p = plan(2, Duration::from_micros(1));
    let never = AtomicBool::new(false);
    let far = Instant::now() + Duration::from_secs(30);
    let broken = NoLock::default();
    let t = threads::contend(&broken, &p, far, &never).expect("sample");
    assert!(broken.counter() < t.writes, "no update lost in {} unguarded ops", t.writes);
    let spin = Spin::default();
    let t = threads::contend(&spin, &p, far, &never).expect("sample");
    assert_eq!(spin.counter(), t.writes);
}

#[test]
fn jain_index_is_one_when_equal_and_one_over_n_when_one_takes_all() {
    assert!((jain_index(&[5, 5, 5, 5]) - 1.0).abs() < 1e-12);
    assert!((jain_index(&[8, 0, 0, 0]) - 0.25).abs() < 1e-12);
    assert!((jain_index(&[0, 0]) - 1.0).abs() < 1e-12);
}

#[test]
fn work_scales_with_the_duration_asked() {
    assert_eq!(Work::lasting(Duration::ZERO).steps, 0);
    let short = Work::lasting(Duration::from_micros(1)).steps;
    let long = Work::lasting(Duration::from_micros(100)).steps;
    assert!(short >= 1 && long >= 50 * short, "{short} vs {long}");
}

#[test]
fn plain_bump_adds_one() {
    let c = AtomicU64::new(41);
    plain_bump(&c);
    assert_eq!(c.load(Ordering::Relaxed), 42);
}

#[test]
fn the_semaphore_admits_at_most_its_permits() {
    let sem = Semaphore::new(2);
    let (inside, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..20 {
                    sem.acquire();
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_micros(300));
                    inside.fetch_sub(1, Ordering::SeqCst);
                    sem.release();
                }
            });
        }
    });
    assert_eq!(most.into_inner(), 2);
}

#[test]
fn the_bounded_buffer_passes_every_item_once_and_drains_on_close() {
    let q = BoundedQueue::new(2);
    let got = std::thread::scope(|s| {
        let consumer = s.spawn(|| {
            let mut sum = 0u64;
            while let Some(x) = q.get() {
                sum += x;
            }
            sum
        });
        for i in 1..=1000 {
            assert!(q.put(i));
        }
        q.close();
        consumer.join().expect("consumer")
    });
    assert_eq!(got, 1000 * 1001 / 2);
    assert!(!q.put(1), "a closed buffer refuses items");
}

#[test]
fn every_barrier_contender_runs_even_when_the_start_and_the_stop_come_together() {
    // The coordinator raises `go` and then `stop` at once for a fixed-rounds sample; a
    // contender that saw `go` unset and then `stop` set used to skip its rounds and leave the
    // others waiting at the barrier for ever.
    let p = plan(4, Duration::ZERO);
    let cancel = AtomicBool::new(false);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for _ in 0..3000 {
            let deadline = Instant::now() + Duration::from_secs(5);
            let (t, in_step) = threads::barrier(2, &p, deadline, &cancel).expect("sample");
            assert!(in_step);
            assert_eq!(t.ops, vec![2; 4], "every contender did its rounds");
        }
        let _ = tx.send(());
    });
    rx.recv_timeout(Duration::from_secs(120)).expect("3000 barrier samples finish (none hangs)");
}
