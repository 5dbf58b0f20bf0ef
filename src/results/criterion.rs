//! criterion's own results, read from its output tree (`target/criterion/**/new/`) so the run
//! report can show `cargo bench` figures beside the scenarios'. criterion's files stay as they
//! are; this only reads `benchmark.json` (the id) and `estimates.json` (the estimates, ns).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::ResultsError;

/// One criterion benchmark's estimates of the time per iteration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionEstimate {
    /// criterion's full id, e.g. `exec_overhead/threads/workers=1`.
    pub id: String,
    /// Median time per iteration, ns, with its 95 % interval.
    pub median_ns: f64,
    /// Lower bound.
    pub median_low_ns: f64,
    /// Upper bound.
    pub median_high_ns: f64,
    /// Mean time per iteration, ns.
    pub mean_ns: f64,
    /// Elements per iteration, when the bench declared a throughput.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elements: Option<u64>,
}

#[derive(Deserialize)]
struct Benchmark {
    full_id: String,
    #[serde(default)]
    throughput: Option<Throughput>,
}

#[derive(Deserialize)]
struct Throughput {
    #[serde(rename = "Elements")]
    elements: Option<u64>,
}

#[derive(Deserialize)]
struct Estimate {
    point_estimate: f64,
    confidence_interval: Interval,
}

#[derive(Deserialize)]
struct Interval {
    lower_bound: f64,
    upper_bound: f64,
}

#[derive(Deserialize)]
struct Estimates {
    mean: Estimate,
    median: Estimate,
}

fn json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, ResultsError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| ResultsError::Read { path: path.to_path_buf(), cause: source })?;
    serde_json::from_str(&text)
        .map_err(|e| ResultsError::Invalid { path: path.to_path_buf(), message: e.to_string() })
}

fn new_dirs(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if depth > 6 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_dir() || path.file_name().is_some_and(|n| n == "report") {
            continue;
        }
        if path.file_name().is_some_and(|n| n == "new") {
            out.push(path);
        } else {
            new_dirs(&path, depth + 1, out);
        }
    }
}

/// Every benchmark under criterion's output folder (usually `target/criterion`), by id.
pub fn load_criterion(dir: &Path) -> Result<Vec<CriterionEstimate>, ResultsError> {
    if !dir.is_dir() {
        return Err(ResultsError::Read {
            path: dir.to_path_buf(),
            cause: std::io::Error::new(std::io::ErrorKind::NotFound, "no criterion output here"),
        });
    }
    let mut dirs = Vec::new();
    new_dirs(dir, 0, &mut dirs);
    let mut out = Vec::new();
    for d in dirs {
        let (b, e) = (d.join("benchmark.json"), d.join("estimates.json"));
        if !b.is_file() || !e.is_file() {
            continue;
        }
        let bench: Benchmark = json(&b)?;
        let est: Estimates = json(&e)?;
        out.push(CriterionEstimate {
            id: bench.full_id,
            median_ns: est.median.point_estimate,
            median_low_ns: est.median.confidence_interval.lower_bound,
            median_high_ns: est.median.confidence_interval.upper_bound,
            mean_ns: est.mean.point_estimate,
            elements: bench.throughput.and_then(|t| t.elements),
        });
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// The file name criterion figures are kept under in a run directory.
pub const CRITERION_FILE: &str = "criterion.json";

/// Copies criterion's figures from `criterion_dir` into `run_dir/criterion.json`; returns how
/// many benchmarks it found.
pub fn import_criterion(criterion_dir: &Path, run_dir: &Path) -> Result<usize, ResultsError> {
    let found = load_criterion(criterion_dir)?;
    let bytes = serde_json::to_vec_pretty(&found).expect("invariant: estimates serialise");
    super::write_atomic(&run_dir.join(CRITERION_FILE), &bytes)?;
    Ok(found.len())
}

/// The criterion figures kept in `run_dir`, if any.
pub fn criterion_beside(run_dir: &Path) -> Result<Option<Vec<CriterionEstimate>>, ResultsError> {
    let path = run_dir.join(CRITERION_FILE);
    if !path.is_file() {
        return Ok(None);
    }
    json(&path).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_criterion_output_and_skips_its_report_folder() {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("exec_overhead/threads/workers=1/new");
        std::fs::create_dir_all(&new).unwrap();
        std::fs::write(
            new.join("benchmark.json"),
            r#"{"group_id":"exec_overhead","function_id":"threads","value_str":"workers=1",
               "throughput":{"Elements":64},"full_id":"exec_overhead/threads/workers=1",
               "directory_name":"x","title":"x"}"#,
        )
        .unwrap();
        std::fs::write(
            new.join("estimates.json"),
            r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":9.0,"upper_bound":11.0},"point_estimate":10.0,"standard_error":0.1},
               "median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":8.0,"upper_bound":9.5},"point_estimate":9.0,"standard_error":0.1}}"#,
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("report/new")).unwrap();
        let found = load_criterion(dir.path()).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].id, "exec_overhead/threads/workers=1");
        assert_eq!(found[0].median_ns, 9.0);
        assert_eq!(found[0].elements, Some(64));
        std::fs::write(new.join("estimates.json"), b"{").unwrap();
        assert!(load_criterion(dir.path()).is_err());
        assert!(load_criterion(&dir.path().join("missing")).is_err());
    }
}
