//! The `io-sleep` workload: a blocking sleep, the purest latency-bound IO.

use std::time::Duration;

use super::{BoxFuture, Character, Task, TaskResult, Unit, WorkError, Workload, blocking, finish};

/// Sleeps `sleep_us` per task (tokio's sleep under async).
#[derive(Debug, Clone)]
pub struct SleepWork {
    /// Sleep per task, in microseconds.
    pub sleep_us: u64,
}

impl Workload for SleepWork {
    fn character(&self) -> Character {
        Character::Io
    }

    fn run_in(&self, task: &Task, unit: &dyn Unit) -> Result<TaskResult, WorkError> {
        blocking(unit, || std::thread::sleep(Duration::from_micros(self.sleep_us)));
        Ok(finish(task, self.sleep_us))
    }

    fn run_async<'a>(&'a self, task: &'a Task) -> BoxFuture<'a, Result<TaskResult, WorkError>> {
        Box::pin(async move {
            tokio::time::sleep(Duration::from_micros(self.sleep_us)).await;
            Ok(finish(task, self.sleep_us))
        })
    }
}
