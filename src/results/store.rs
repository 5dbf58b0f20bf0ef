//! The run directory: `run.json` and `samples.csv`, each replaced atomically (temp file in the
//! same directory, then rename) so a crash or Ctrl-C never leaves a half-written file.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{ResultsError, RunRecord, SCHEMA_VERSION, samples_csv};

/// Where one run's files live.
#[derive(Debug, Clone)]
pub struct RunDir {
    path: PathBuf,
}

impl RunDir {
    /// Uses `dir` as the run directory, creating it if needed.
    pub fn at(dir: &Path) -> Result<RunDir, ResultsError> {
        std::fs::create_dir_all(dir)
            .map_err(|source| ResultsError::Write { path: dir.to_path_buf(), cause: source })?;
        let probe = dir.join(".gilbench-write-test");
        std::fs::write(&probe, b"")
            .map_err(|source| ResultsError::Write { path: dir.to_path_buf(), cause: source })?;
        let _ = std::fs::remove_file(&probe);
        Ok(RunDir { path: dir.to_path_buf() })
    }

    /// A new directory `<root>/<date>-<host>-<id>`.
    pub fn new_under(root: &Path, date: &str, host: &str) -> Result<RunDir, ResultsError> {
        let host: String = host
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
            .collect();
        for n in 1..10_000u32 {
            let candidate = root.join(format!("{date}-{host}-{n:03}"));
            if !candidate.exists() {
                return RunDir::at(&candidate);
            }
        }
        RunDir::at(&root.join(format!("{date}-{host}-{}", std::process::id())))
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `run.json` and `samples.csv`, each atomically.
    pub fn write(&self, run: &RunRecord) -> Result<(), ResultsError> {
        let json = serde_json::to_vec_pretty(run).expect("invariant: the model serialises");
        write_atomic(&self.path.join("run.json"), &json)?;
        write_atomic(&self.path.join("samples.csv"), &samples_csv(run))?;
        Ok(())
    }
}

/// Replaces `path` with `bytes`: write a temp file beside it, fsync, rename over.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ResultsError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let err = |source| ResultsError::Write { path: path.to_path_buf(), cause: source };
    let mut tmp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(dir).map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

/// Loads a `run.json` (or the `run.json` inside a run directory).
pub fn load_run(path: &Path) -> Result<RunRecord, ResultsError> {
    let file = if path.is_dir() { path.join("run.json") } else { path.to_path_buf() };
    let text = std::fs::read_to_string(&file)
        .map_err(|source| ResultsError::Read { path: file.clone(), cause: source })?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| ResultsError::Invalid { path: file.clone(), message: e.to_string() })?;
    let version = value.get("schema_version").and_then(|v| v.as_u64()).ok_or_else(|| {
        ResultsError::Invalid { path: file.clone(), message: "no schema_version".into() }
    })?;
    if version > u64::from(SCHEMA_VERSION) {
        return Err(ResultsError::Schema {
            path: file,
            found: version as u32,
            supported: SCHEMA_VERSION,
        });
    }
    serde_json::from_value(value)
        .map_err(|e| ResultsError::Invalid { path: file, message: e.to_string() })
}
