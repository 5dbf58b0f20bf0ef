//! Scenario errors, each naming the file, line, column and key.

use std::path::PathBuf;

/// A scenario file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// Syntax, type or value error at a place in the file.
    #[error("{path}:{line}:{column}: {key}: {message}", key = key.as_deref().map(|k| format!("key `{k}`")).unwrap_or_else(|| "syntax".into()))]
    At {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The key at fault, if the error is about one.
        key: Option<String>,
        /// What is wrong.
        message: String,
    },
}
