//! The `io-file` workload: write a temp file, optionally fsync, read it back.

use std::io::{Read, Write};
use std::path::PathBuf;

use super::{
    BoxFuture, Character, Task, TaskResult, Unit, WorkError, Workload, blocking, finish,
    fold_checksum, make_input,
};

/// Writes `bytes` of deterministic data to a file in `dir`, reads it back, removes it.
#[derive(Debug, Clone)]
pub struct FileWork {
    /// File size per task.
    pub bytes: u64,
    /// Whether to fsync after writing.
    pub fsync: bool,
    /// Private directory for the files.
    pub dir: PathBuf,
}

impl FileWork {
    fn path(&self, task: &Task) -> PathBuf {
        self.dir.join(format!("task-{}-{}.bin", std::process::id(), task.index))
    }
}

impl Workload for FileWork {
    fn character(&self) -> Character {
        Character::Io
    }

    fn run_in(&self, task: &Task, unit: &dyn Unit) -> Result<TaskResult, WorkError> {
        let data = make_input(task.index ^ 0xF11E, self.bytes as usize);
        let back = blocking(unit, || self.write_read(task, &data))?;
        Ok(finish(task, fold_checksum(self.bytes, &back)))
    }

    fn run_async<'a>(&'a self, task: &'a Task) -> BoxFuture<'a, Result<TaskResult, WorkError>> {
        Box::pin(self.run_tokio(task))
    }
}

impl FileWork {
    /// The blocking file round trip; returns the bytes read back.
    fn write_read(&self, task: &Task, data: &[u8]) -> Result<Vec<u8>, WorkError> {
        let path = self.path(task);
        let mut file = std::fs::File::create(&path).map_err(WorkError::io("create temp file"))?;
        file.write_all(data).map_err(WorkError::io("write temp file"))?;
        if self.fsync {
            file.sync_all().map_err(WorkError::io("fsync temp file"))?;
        }
        drop(file);
        let mut back = Vec::with_capacity(data.len());
        std::fs::File::open(&path)
            .and_then(|mut f| f.read_to_end(&mut back))
            .map_err(WorkError::io("read temp file back"))?;
        std::fs::remove_file(&path).map_err(WorkError::io("remove temp file"))?;
        Ok(back)
    }

    async fn run_tokio(&self, task: &Task) -> Result<TaskResult, WorkError> {
        {
            use tokio::io::AsyncWriteExt;
            let data = make_input(task.index ^ 0xF11E, self.bytes as usize);
            let path = self.path(task);
            let mut file =
                tokio::fs::File::create(&path).await.map_err(WorkError::io("create temp file"))?;
            file.write_all(&data).await.map_err(WorkError::io("write temp file"))?;
            // tokio's File finishes a write in the background: flush before reading back.
            file.flush().await.map_err(WorkError::io("flush temp file"))?;
            if self.fsync {
                file.sync_all().await.map_err(WorkError::io("fsync temp file"))?;
            }
            drop(file);
            let back =
                tokio::fs::read(&path).await.map_err(WorkError::io("read temp file back"))?;
            tokio::fs::remove_file(&path).await.map_err(WorkError::io("remove temp file"))?;
            Ok(finish(task, fold_checksum(self.bytes, &back)))
        }
    }
}
