//! Scenario files through the CLI: the broken-scenario corpus exits 2 naming file, line and key.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/bad-scenarios");

fn validate(file: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gilbench"))
        .arg("validate")
        .arg(file)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("gilbench runs")
}

/// The `# expect: line=N key=KEY` header of a corpus file (`key=-`: no key).
fn expectation(file: &Path) -> (usize, Option<String>) {
    let text = std::fs::read_to_string(file).expect("corpus file readable");
    let header = text.lines().next().unwrap_or_default();
    let rest = header.strip_prefix("# expect:").unwrap_or_else(|| {
        panic!("{}: first line must be `# expect: line=N key=KEY`", file.display())
    });
    let mut line = None;
    let mut key = None;
    for field in rest.split_whitespace() {
        match field.split_once('=') {
            Some(("line", n)) => line = n.parse().ok(),
            Some(("key", "-")) => key = Some(None),
            Some(("key", k)) => key = Some(Some(k.to_owned())),
            _ => panic!("{}: unexpected field {field:?} in {header:?}", file.display()),
        }
    }
    match (line, key) {
        (Some(line), Some(key)) => (line, key),
        _ => panic!("{}: incomplete header {header:?}", file.display()),
    }
}

fn corpus() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(CORPUS)
        .expect("corpus directory")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn bad_scenarios_exit_2_naming_file_line_and_key() {
    let files = corpus();
    assert!(files.len() >= 14, "corpus has only {} files", files.len());
    let mut failures = Vec::new();
    for file in &files {
        let (line, key) = expectation(file);
        let out = validate(file);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let place = format!("{}:{line}:", file.display());
        let mut wrong = Vec::new();
        if out.status.code() != Some(2) {
            wrong.push(format!("exit {:?}, expected 2", out.status.code()));
        }
        if !stderr.contains(&place) {
            wrong.push(format!("no `{place}`"));
        }
        if let Some(k) = &key
            && !stderr.contains(&format!("`{k}`"))
        {
            wrong.push(format!("key `{k}` not named"));
        }
        if key.is_none() && !stderr.contains(": syntax: ") {
            wrong.push("not reported as a syntax error".into());
        }
        if stderr.contains("panicked") {
            wrong.push("panicked".into());
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{}: {}\n  stderr: {}",
                file.display(),
                wrong.join("; "),
                stderr.trim()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn shipped_scenario_validates() {
    let out = validate(Path::new("scenarios/cpu-vs-io.toml"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("scenarios/cpu-vs-io.toml: ok, scenario `cpu-vs-io`"), "{stdout}");
}

#[test]
fn missing_file_exits_2() {
    let out = validate(Path::new("scenarios/no-such-scenario.toml"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-scenario.toml"));
}
