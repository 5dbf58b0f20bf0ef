//! The `sequential` model: every task, one after another, on the calling thread.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use super::{Batch, ExecEnv, ExecError, Executor, Model};
use crate::work::{Task, WorkSpec, Workload};

/// The baseline every speedup is measured against.
pub struct SequentialExecutor {
    work: Box<dyn Workload>,
    cancel: Arc<AtomicBool>,
}

impl std::fmt::Debug for SequentialExecutor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SequentialExecutor").finish_non_exhaustive()
    }
}

impl SequentialExecutor {
    /// Builds the workload; nothing else to set up.
    pub fn new(spec: &WorkSpec, env: &ExecEnv) -> SequentialExecutor {
        SequentialExecutor { work: spec.build(), cancel: Arc::clone(&env.cancel) }
    }
}

impl Executor for SequentialExecutor {
    fn model(&self) -> Model {
        Model::Sequential
    }

    fn run_batch(&mut self, tasks: &[Task], deadline: Instant) -> Result<Batch, ExecError> {
        let start = Instant::now();
        let mut checksum = 0u64;
        for task in tasks {
            let r = self
                .work
                .run(task)
                .map_err(|source| ExecError::Work { index: task.index, source })?;
            checksum = checksum.wrapping_add(r.checksum);
            // Between tasks is the only place a single thread can notice the deadline.
            let now = Instant::now();
            if now > deadline {
                return Err(ExecError::Timeout(deadline.saturating_duration_since(start)));
            }
            if self.cancel.load(Ordering::Relaxed) {
                return Err(ExecError::Interrupted);
            }
        }
        Ok(Batch {
            wall: start.elapsed(),
            checksum,
            completed: tasks.len() as u64,
            ..Batch::default()
        })
    }
}
