//! The `processes` models: W worker processes fed tasks over pipes, with `spawn` (re-execute
//! gilbench with the hidden worker subcommand) and `fork` (children of a single-threaded fork
//! server) start methods. Task payloads are serialised and carried both ways, as
//! multiprocessing pickles them.

use std::time::Instant;

use super::{Batch, ExecEnv, ExecError, Executor, Model};
use crate::work::{Task, WorkSpec};

/// How worker processes are started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartMethod {
    /// Re-execute the gilbench binary with the hidden worker subcommand.
    Spawn,
    /// Fork from a single-threaded fork server (Python's `forkserver`).
    Fork,
}

/// W supervised worker processes.
#[derive(Debug)]
pub struct ProcessExecutor {
    method: StartMethod,
}

impl ProcessExecutor {
    /// Starts `workers` worker processes running `spec` and waits until each is ready.
    pub fn new(
        method: StartMethod,
        workers: usize,
        spec: &WorkSpec,
        env: &ExecEnv,
    ) -> Result<ProcessExecutor, ExecError> {
        let _ = (workers, spec, env);
        Err(ExecError::Setup { model: model_of(method), reason: "not built yet".into() })
    }
}

fn model_of(method: StartMethod) -> Model {
    match method {
        StartMethod::Spawn => Model::ProcessesSpawn,
        StartMethod::Fork => Model::ProcessesFork,
    }
}

impl Executor for ProcessExecutor {
    fn model(&self) -> Model {
        model_of(self.method)
    }

    fn run_batch(&mut self, tasks: &[Task], deadline: Instant) -> Result<Batch, ExecError> {
        let _ = (tasks, deadline);
        Err(ExecError::Worker("not built yet".into()))
    }
}
