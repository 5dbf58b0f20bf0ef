//! The run.json layout pinned: a small real run (`tests/data/golden-run.json`) must load and
//! write back byte for byte. A change to the results model that renames, drops or adds a field
//! fails here, so it is made on purpose: rerun with `GILBENCH_BLESS=1` to rewrite the file,
//! and say in CHANGELOG.md what changed (bump `SCHEMA_VERSION` for an incompatible change).

use std::path::{Path, PathBuf};

use gilbench::results::{RunRecord, SCHEMA_VERSION};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

/// `written` must equal the file at `path`; with `GILBENCH_BLESS` set, it becomes the file.
/// Returns whether it was compared (not blessed).
fn pinned(path: &Path, written: &str, what: &str) -> bool {
    if std::env::var_os("GILBENCH_BLESS").is_some() {
        std::fs::write(path, written).unwrap();
        return false;
    }
    let pinned =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if written != pinned {
        let line = written.lines().zip(pinned.lines()).position(|(a, b)| a != b);
        panic!(
            "{what} changed (first difference at line {:?}); rerun with GILBENCH_BLESS=1 if that \
             is intended",
            line.map(|l| l + 1)
        );
    }
    true
}

fn golden_run() -> RunRecord {
    let text = std::fs::read_to_string(data("golden-run.json")).unwrap();
    serde_json::from_str(&text).expect("the golden run loads")
}

#[test]
fn the_golden_run_json_loads_and_writes_back_unchanged() {
    let run = golden_run();
    assert_eq!(run.schema_version, SCHEMA_VERSION);
    let written = String::from_utf8(serde_json::to_vec_pretty(&run).unwrap()).unwrap();
    if !pinned(&data("golden-run.json"), &written, "run.json's layout") {
        return;
    }
    // What the layout promises beyond loading: every case has its samples and typed
    // parameters, the group its sampling record.
    assert!(!run.cases.is_empty() && run.cases.iter().all(|c| !c.samples.is_empty()));
    assert!(run.cases.iter().all(|c| c.param_values.len() == c.params.len()));
    assert_eq!(run.groups.len(), 1);
    assert!(run.sampling.is_some());
}

/// The report's words pinned on the same run: `summary.md` of the golden run must come out
/// byte for byte as `tests/data/golden-summary.md`. A change to what the report says (or to a
/// figure's format) fails here; rerun with `GILBENCH_BLESS=1` when it is meant.
#[test]
fn the_golden_runs_summary_is_unchanged() {
    let summary = gilbench::report::summary_markdown(&golden_run());
    if !pinned(&data("golden-summary.md"), &summary, "summary.md of the golden run") {
        return;
    }
    // It says something about the run: the answer and the case's own scenario.
    assert!(summary.contains("## The answer") || summary.contains("## Each scenario"), "{summary}");
}
