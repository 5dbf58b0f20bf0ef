//! The run plan: combinations that cannot run anywhere are left out before the run and counted
//! apart by `validate`, `list` and the run's closing line, which adds up.

use std::path::Path;
use std::process::Command;

use crate::support::{exe, shared};

#[test]
fn a_run_leaves_out_what_cannot_run_and_its_totals_add_up() {
    let _machine = shared();
    let scenario =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/scenarios/not-applicable.toml");
    let o = Command::new(exe()).args(["validate", scenario.to_str().unwrap()]).output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("3 cases, 1 not applicable"), "{out}");
    let o = Command::new(exe()).args(["list", scenario.to_str().unwrap()]).output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    let row = out.lines().find(|l| l.starts_with("not-applicable ")).unwrap_or_default();
    assert_eq!(row.split_whitespace().take(3).collect::<Vec<_>>(), ["not-applicable", "3", "1"]);

    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(exe())
        .args(["run", scenario.to_str().unwrap(), "--no-wait", "--samples", "3", "--out"])
        .arg(dir.path().join("run"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(!err.contains("Unsupported"), "{err}");
    let closing = err.lines().find(|l| l.contains(" cases: ")).expect("a closing line");
    let numbers: Vec<usize> = closing
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(numbers, [4, 3, 0, 0, 1], "{closing}");
    assert_eq!(numbers[0], numbers[1..].iter().sum::<usize>());
    // Standard error is not a terminal here: a plain progress line per group.
    assert!(err.lines().any(|l| l.starts_with("[0/3 cases, ")), "{err}");
}
