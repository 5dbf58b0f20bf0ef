//! The `cargo bench` helper (feature `criterion`): registers one criterion benchmark group per
//! model and worker count of a [`Bench`], so `cargo bench` in a user's crate compares the
//! models with criterion's statistics and HTML. Each group's units are started once, outside
//! the measurement; every measured iteration is one batch of the bench's tasks, timed by the
//! executor from release to the last result.
//!
//! ```no_run
//! // benches/models.rs, with `harness = false` and gilbench's `criterion` feature on.
//! use criterion::Criterion;
//! use gilbench::api::{Bench, Character, FnWorkload, Model, Registry, main_entry};
//!
//! fn registry() -> Registry {
//!     Registry::new().with("sum", |_| {
//!         Ok(FnWorkload::new(Character::Cpu, |t| Ok(vec![t.input.iter().fold(0u8, |a, b| a ^ b)])))
//!     })
//! }
//!
//! fn main() {
//!     main_entry(&registry());
//!     let mut c = Criterion::default().configure_from_args();
//!     Bench::new(&registry(), "sum")
//!         .models([Model::Threads, Model::ProcessesSpawn])
//!         .workers([1, 2])
//!         .criterion(&mut c)
//!         .expect("benchmarks ran");
//!     c.final_summary();
//! }
//! ```

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};

use super::{ApiError, Bench, worker_role};
use crate::exec::{self, ExecEnv, UnitOptions};
use crate::scenario::Workers;
use crate::work::{Task, WorkSpec, make_input};

impl Bench {
    /// Registers and runs one criterion group per model and worker count, named
    /// `WORKLOAD/MODEL/workers=W`, each with one benchmark `batch` (one batch of the bench's
    /// tasks per iteration, throughput in tasks). Profile, output folder and seed do not
    /// apply: criterion samples and reports. Returns the first failure (the remaining groups
    /// are skipped).
    pub fn criterion(&self, c: &mut Criterion) -> Result<(), ApiError> {
        if let Some(role) = worker_role() {
            return Err(ApiError::MissingEntry { role });
        }
        self.scenario()?;
        self.registry.install();
        let worker_exe = self.resolved_worker_exe()?;
        let env = ExecEnv {
            worker_exe,
            cancel: self.cancel.clone().unwrap_or_else(|| Arc::new(AtomicBool::new(false))),
        };
        let spec = WorkSpec::Custom { name: self.workload.clone(), params: self.params.clone() };
        let counts = match &self.workers {
            Workers::List(list) => list.clone(),
            Workers::Auto => crate::sweep::auto_workers(
                std::thread::available_parallelism().map_or(1, |n| n.get()),
            ),
        };
        let options = UnitOptions {
            switch_interval: self.switch_interval.unwrap_or(UnitOptions::default().switch_interval),
        };
        let tasks_n = self.tasks.first().copied().unwrap_or(1);
        let payload = self.payload_bytes.first().copied().unwrap_or(0);
        let tasks: Vec<Task> =
            (0..tasks_n as u64).map(|i| Task { index: i, input: make_input(i, payload) }).collect();
        for &model in &self.models {
            let grid = if model.takes_workers() { counts.clone() } else { vec![1] };
            for w in grid {
                let mut executor = exec::build_with(model, w, &spec, &env, &options)
                    .map_err(|e| ApiError::Invalid(format!("{model} with {w} workers: {e}")))?;
                let mut failure: Option<String> = None;
                let mut group =
                    c.benchmark_group(format!("{}/{}/workers={w}", self.workload, model.name()));
                group.throughput(Throughput::Elements(tasks.len() as u64));
                group.bench_function("batch", |b| {
                    b.iter_custom(|iters| {
                        let mut total = Duration::ZERO;
                        for _ in 0..iters {
                            if failure.is_some() {
                                break;
                            }
                            match executor.run_batch(&tasks, Instant::now() + self.timeout) {
                                Ok(batch) => total += batch.wall,
                                Err(e) => failure = Some(e.to_string()),
                            }
                        }
                        total
                    });
                });
                group.finish();
                if let Some(reason) = failure {
                    return Err(ApiError::Invalid(format!("{model} with {w} workers: {reason}")));
                }
            }
        }
        Ok(())
    }
}
