//! Scenario errors, each naming the file, line, column and key.

use std::path::PathBuf;

/// A scenario file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("cannot read {path}: {cause}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error (in the message; not chained, so it is printed once).
        cause: std::io::Error,
    },
    /// A shipped scenario was asked for by a name none of them has.
    #[error("no shipped scenario is called `{name}`{hint}; the shipped ones are {}", known.join(", "))]
    UnknownShipped {
        /// The name asked for.
        name: String,
        /// `" (did you mean `x`?)"` when a shipped name is close, else empty.
        hint: String,
        /// The shipped names.
        known: Vec<String>,
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

/// The text being parsed and its path: turns byte offsets into [`ScenarioError::At`].
#[derive(Debug, Clone, Copy)]
pub(super) struct Source<'a> {
    /// The whole file.
    pub(super) text: &'a str,
    /// The file's path, for messages.
    pub(super) path: &'a std::path::Path,
}

impl Source<'_> {
    /// An error at byte `offset`, about `key` if it names one.
    pub(super) fn at(
        &self,
        offset: usize,
        key: Option<&str>,
        message: impl Into<String>,
    ) -> ScenarioError {
        let (line, column) = line_column(self.text, offset);
        ScenarioError::At {
            path: self.path.to_path_buf(),
            line,
            column,
            key: key.map(str::to_owned),
            message: message.into(),
        }
    }
}

/// 1-based line and column (in characters) of byte `offset`; offsets past the end or inside
/// a character are clamped.
pub(super) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}
