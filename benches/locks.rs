//! Uncontended lock costs measured by criterion on the probe's own lock kinds (the code the
//! `lock` probe times): one acquire + release with an empty section per iteration, for each
//! kind shared by threads, and tokio's mutex and semaphore. The `locks` scenario's
//! uncontended cases time the same operations in a loop; the two should agree. Run with
//! `cargo bench --bench locks`.

use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use gilbench::probe::lock::kinds::{
    Atomic, CountingSemaphore, ParkingLotFairMutex, ParkingLotMutex, ParkingLotRwLock, Reentrant,
    Spin, StdMutex, StdRwLock, ThreadLock,
};
use gilbench::probe::lock::tasks::AsyncLock;

fn one<L: ThreadLock>(c: &mut Criterion, name: &str, lock: L) {
    c.bench_function(&format!("lock/uncontended/{name}"), |b| b.iter(|| lock.op(false, || {})));
}

fn uncontended(c: &mut Criterion) {
    one(c, "std", StdMutex::default());
    one(c, "parking_lot", ParkingLotMutex::default());
    one(c, "parking_lot_fair", ParkingLotFairMutex::default());
    one(c, "spin", Spin::default());
    one(c, "std_rwlock_write", StdRwLock::default());
    one(c, "parking_lot_rwlock_write", ParkingLotRwLock::default());
    one(c, "reentrant_depth1", Reentrant::new(1));
    one(c, "atomic", Atomic::default());
    one(c, "semaphore", CountingSemaphore::new(1));
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    for (name, lock) in
        [("tokio_mutex", AsyncLock::mutex()), ("tokio_semaphore", AsyncLock::semaphore(1))]
    {
        c.bench_function(&format!("lock/uncontended/{name}"), |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let t = Instant::now();
                    for _ in 0..iters {
                        lock.op(|| {}).await;
                    }
                    t.elapsed()
                })
            })
        });
    }
}

criterion_group!(benches, uncontended);
criterion_main!(benches);
