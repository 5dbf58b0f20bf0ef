//! Which scenarios and cases `run` and `list` work on: scenario files, shipped scenarios by
//! name (`--scenario`), and `--filter` over the case keys.

use std::path::PathBuf;

use clap::Args;
use gilbench::scenario::{self, Scenario, ScenarioError};
use regex::Regex;

use super::BadInput;

/// Scenario files, shipped names and the case filter.
#[derive(Debug, Args)]
pub(crate) struct Selection {
    /// Scenario files (a shipped scenario's name works too).
    files: Vec<PathBuf>,
    /// A shipped scenario by name, e.g. `gil` (repeatable; `gilbench list` shows the names).
    /// Works without the source tree, as after `cargo install`.
    #[arg(long = "scenario", value_name = "NAME")]
    names: Vec<String>,
    /// Only the cases whose key matches this regular expression (keys look like
    /// `gil/threads/cpu/task_duration=2ms/tasks=16/payload_bytes=0/workers=2`; `list --cases`
    /// shows them).
    #[arg(long, value_name = "REGEX")]
    filter: Option<String>,
}

impl Selection {
    /// Whether any scenario was named (by file or by name).
    pub(crate) fn is_empty(&self) -> bool {
        self.files.is_empty() && self.names.is_empty()
    }

    /// The scenarios named, files first, each validated; none named: `fallback`'s.
    pub(crate) fn scenarios(
        &self,
        fallback: impl FnOnce() -> Result<Vec<Scenario>, ScenarioError>,
    ) -> Result<Vec<Scenario>, ScenarioError> {
        if self.is_empty() {
            return fallback();
        }
        let files = self.files.iter().map(|f| scenario::load_file_or_shipped(f));
        let names = self.names.iter().map(|n| scenario::find_shipped(n)?.load());
        files.chain(names).collect()
    }

    /// The `--filter` expression, compiled; a bad one is an error naming the flag.
    pub(crate) fn filter(&self) -> Result<Option<Regex>, BadInput> {
        self.filter
            .as_deref()
            .map(|text| {
                Regex::new(text).map_err(|e| {
                    BadInput(format!("--filter {text:?}: not a regular expression: {e}"))
                })
            })
            .transpose()
    }
}

/// The shipped scenarios `run` runs when none is named.
pub(crate) fn default_set() -> Result<Vec<Scenario>, ScenarioError> {
    scenario::shipped().iter().filter(|s| s.default).map(|s| s.load()).collect()
}
