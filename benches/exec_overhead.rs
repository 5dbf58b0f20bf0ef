//! The cost of pushing an empty task through each execution model: dispatch, hand-off and
//! result return, with the units already running (setup is outside the measurement). One
//! batch of 64 zero-iteration CPU tasks per iteration; throughput is reported per task.
//!
//! It measures the harness, not a workload: compare it with a model's useful work per task to
//! see when dispatch overhead dominates. Run with `cargo bench --bench exec_overhead`.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use gilbench::exec::{self, ExecEnv, Model};
use gilbench::work::{Task, WorkSpec};

const TASKS: u64 = 64;

fn empty_task(c: &mut Criterion) {
    let env = ExecEnv {
        worker_exe: PathBuf::from(env!("CARGO_BIN_EXE_gilbench")),
        cancel: Arc::new(AtomicBool::new(false)),
    };
    let spec = WorkSpec::cpu(0);
    let tasks: Vec<Task> = (0..TASKS).map(|index| Task { index, input: Vec::new() }).collect();
    let mut group = c.benchmark_group("exec_overhead");
    group.throughput(Throughput::Elements(TASKS));
    group.measurement_time(Duration::from_secs(3));
    for model in Model::ALL {
        for workers in [1usize, 2] {
            if !model.takes_workers() && workers > 1 {
                continue;
            }
            let mut executor = match exec::build(model, workers, &spec, &env) {
                Ok(e) => e,
                Err(e) => {
                    eprintln!("skipping {model} with {workers} workers: {e}");
                    continue;
                }
            };
            let id = BenchmarkId::new(model.name(), format!("workers={workers}"));
            group.bench_function(id, |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let deadline = Instant::now() + Duration::from_secs(30);
                        let batch =
                            executor.run_batch(&tasks, deadline).expect("empty batch completes");
                        total += batch.wall;
                    }
                    total
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, empty_task);
criterion_main!(benches);
