//! Named baselines, as criterion keeps them: a run saved under
//! `<reports>/baselines/<NAME>/` (its `run.json` and `samples.csv`), so that later runs are
//! compared against it by name, and two saved runs are compared without running anything.

use std::path::{Path, PathBuf};

use super::{ResultsError, RunDir, RunRecord};

/// The folder under the reports folder that holds saved baselines.
pub const BASELINES: &str = "baselines";

/// Whether `name` can name a baseline: 1 to 64 ASCII letters, digits, `-`, `_` or `.`, not
/// starting with `.` (so it is one plain folder name on every platform).
pub fn valid_baseline_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Where the baseline `name` lives under `reports`.
pub fn baseline_dir(reports: &Path, name: &str) -> PathBuf {
    reports.join(BASELINES).join(name)
}

/// Saves `run` as the baseline `name` under `reports`, replacing an earlier one of that name;
/// returns its folder. The caller checks the name with [`valid_baseline_name`].
pub fn save_baseline(reports: &Path, name: &str, run: &RunRecord) -> Result<PathBuf, ResultsError> {
    let dir = RunDir::at(&baseline_dir(reports, name))?;
    dir.write(run)?;
    Ok(dir.path().to_path_buf())
}

/// The baseline `name` under `reports`, when one was saved.
pub fn saved_baseline(reports: &Path, name: &str) -> Option<PathBuf> {
    let dir = baseline_dir(reports, name);
    (valid_baseline_name(name) && dir.join("run.json").is_file()).then_some(dir)
}

/// The names of the baselines saved under `reports`, sorted.
pub fn saved_baselines(reports: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(reports.join(BASELINES))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| saved_baseline(reports, n).is_some())
        .collect();
    names.sort();
    names
}
