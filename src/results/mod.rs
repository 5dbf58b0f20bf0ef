//! The data contract: the serde model of a run (`run.json`), its machine fingerprint, the tidy
//! per-sample CSV, the run directory they are written to — atomically, after every case — and
//! the named baselines saved beside them.

mod baseline;
mod bmf;
pub mod cpython;
pub mod criterion;
mod csv_out;
mod direction;
mod host;
mod model;
mod schema;
mod store;
mod view;

pub use baseline::{
    BASELINES, baseline_dir, save_baseline, saved_baseline, saved_baselines, valid_baseline_name,
};
pub use bmf::{bmf, bmf_json, bmf_measure};
pub use csv_out::samples_csv;
pub use direction::{Direction, direction};
pub use host::{Machine, fingerprint};
pub use model::{
    Calibration, CaseRecord, CaseStatus, GroupSampling, Overhead, RunRecord, RunStatus,
    SCHEMA_VERSION, SamplingRule, SentinelPoint, Speedup, StopReason,
};
pub use schema::{SCHEMA_PATH, run_schema};
pub use store::{RunDir, load_run, write_atomic};
pub use view::{PROBE_PREFIX, number_in};

/// Errors reading or writing results.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    /// A file could not be written (or created, or renamed into place).
    #[error("cannot write {path}: {cause}")]
    Write {
        /// The file.
        path: std::path::PathBuf,
        /// The OS error (in the message; not chained, so it is printed once).
        cause: std::io::Error,
    },
    /// A file could not be read.
    #[error("cannot read {path}: {cause}")]
    Read {
        /// The file.
        path: std::path::PathBuf,
        /// The OS error (in the message; not chained, so it is printed once).
        cause: std::io::Error,
    },
    /// A `run.json` is not valid JSON or not a gilbench run.
    #[error("{path} is not a valid gilbench run: {message}")]
    Invalid {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong, with line and column.
        message: String,
    },
    /// A `run.json` from a newer schema this gilbench cannot read.
    #[error("{path} has schema_version {found}; this gilbench reads up to {supported}")]
    Schema {
        /// The file.
        path: std::path::PathBuf,
        /// The version in the file.
        found: u32,
        /// The newest version this build understands.
        supported: u32,
    },
}
