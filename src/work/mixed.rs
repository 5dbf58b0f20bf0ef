//! The `mixed` workload: a share of CPU kernel (part of it, optionally, with the lock released),
//! then a blocking sleep for the rest.

use std::time::Duration;

use super::{
    BoxFuture, Character, Task, TaskResult, Unit, WorkError, Workload, blocking, cpu_kernel,
    cpu_kernel_split, finish,
};

/// `iterations` kernel rounds, then `sleep_us` of sleep (tokio's sleep under async; the
/// kernel runs inline and blocks the async executor while it does).
#[derive(Debug, Clone)]
pub struct MixedWork {
    /// Kernel rounds per task.
    pub iterations: u64,
    /// Of those, the rounds run with the lock released (see [`super::cpu_kernel_split`]).
    pub released_iterations: u64,
    /// Sleep per task, in microseconds.
    pub sleep_us: u64,
}

impl Workload for MixedWork {
    fn character(&self) -> Character {
        Character::Mixed
    }

    fn run_in(&self, task: &Task, unit: &dyn Unit) -> Result<TaskResult, WorkError> {
        let work = cpu_kernel_split(task.index, self.iterations, self.released_iterations, unit);
        // No IO share, no IO call: a zero sleep would still cost a syscall (a timer tick
        // under tokio).
        if self.sleep_us > 0 {
            blocking(unit, || std::thread::sleep(Duration::from_micros(self.sleep_us)));
        }
        Ok(finish(task, work ^ self.sleep_us))
    }

    fn run_async<'a>(&'a self, task: &'a Task) -> BoxFuture<'a, Result<TaskResult, WorkError>> {
        Box::pin(async move {
            let work = cpu_kernel(task.index, self.iterations);
            if self.sleep_us > 0 {
                tokio::time::sleep(Duration::from_micros(self.sleep_us)).await;
            }
            Ok(finish(task, work ^ self.sleep_us))
        })
    }
}
