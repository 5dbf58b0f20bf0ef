//! The command-line conventions shared with hyperfine and criterion: shipped scenarios by
//! name, `--filter` over case keys, `list --cases`, `-q`/`-v`, completions, the man page,
//! "did you mean" for a misspelled key, and exit code 2 naming the flag at fault.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use gilbench::results::{CaseStatus, load_run};
use gilbench::sweep::{self, Planned};

use crate::support::{exe, shared};

fn gilbench(args: &[&str]) -> Output {
    Command::new(exe()).args(args).output().expect("gilbench runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn tiny() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/scenarios/tiny.toml")
}

/// The case keys `list --cases` prints for `args`, each with its estimate column present.
fn listed(args: &[&str]) -> Vec<String> {
    let o = gilbench(&[&["list", "--cases"], args].concat());
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    stdout(&o)
        .lines()
        .map(|line| {
            let (key, estimate) = line.split_once('\t').expect("key TAB estimate");
            assert!(!estimate.is_empty(), "{line}");
            key.to_owned()
        })
        .collect()
}

/// What the library plans for a shipped scenario, keys only.
fn planned_keys(name: &str) -> Vec<String> {
    let sc = gilbench::scenario::find_shipped(name).unwrap().load().unwrap();
    let cpus = gilbench::results::fingerprint().usable_cpus;
    sweep::plan(&sc, cpus).iter().map(|c: &Planned| c.key().to_owned()).collect()
}

#[test]
fn scenario_selects_exactly_the_shipped_scenarios_cases() {
    let convoy = listed(&["--scenario", "convoy"]);
    assert_eq!(convoy, planned_keys("convoy"));
    assert!(!convoy.is_empty() && convoy.iter().all(|k| k.starts_with("convoy/")), "{convoy:?}");
    // Repeatable, in the order given; a shipped name also works where a file is expected.
    let both = listed(&["--scenario", "convoy", "--scenario", "deadlock"]);
    assert_eq!(both, [planned_keys("convoy"), planned_keys("deadlock")].concat());
    assert_eq!(listed(&["deadlock"]), planned_keys("deadlock"));
    let o = gilbench(&["validate", "gil-granularity"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("scenario `gil-granularity`"), "{}", stdout(&o));
}

#[test]
fn filter_selects_exactly_the_matching_cases() {
    let keys = listed(&["--scenario", "gil", "--filter", "/threads/.*workers=2$"]);
    let expected: Vec<String> = planned_keys("gil")
        .into_iter()
        .filter(|k| k.contains("/threads/") && k.ends_with("workers=2"))
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(keys, expected);
    // `list` without --cases counts the same cases.
    let o = gilbench(&["list", "gil", "--filter", "/threads/.*workers=2$"]);
    let row = stdout(&o).lines().find(|l| l.starts_with("gil ")).unwrap_or_default().to_owned();
    assert!(row.split_whitespace().nth(1) == Some(&expected.len().to_string()), "{row}");
}

#[test]
fn a_filtered_quiet_run_measures_only_the_selected_cases_and_prints_only_the_path() {
    let _machine = shared();
    let out = tempfile::tempdir().unwrap();
    let o = gilbench(&[
        "run",
        tiny().to_str().unwrap(),
        "--filter",
        "^tiny/(sequential|threads)/io-sleep/",
        "-q",
        "--samples",
        "2",
        "--warmup",
        "0",
        "--no-wait",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let run = load_run(out.path()).unwrap();
    let got: BTreeSet<&str> = run.cases.iter().map(|c| c.case.as_str()).collect();
    let want: BTreeSet<&str> = [
        "tiny/sequential/io-sleep/sleep=1ms/tasks=8/payload_bytes=256/workers=1",
        "tiny/threads/io-sleep/sleep=1ms/tasks=8/payload_bytes=256/workers=1",
        "tiny/threads/io-sleep/sleep=1ms/tasks=8/payload_bytes=256/workers=2",
    ]
    .into();
    assert_eq!(got, want);
    assert!(run.cases.iter().all(|c| c.status == CaseStatus::Ok));
    // Quiet: the report's path and nothing else.
    assert_eq!(stdout(&o).lines().count(), 1, "{}", stdout(&o));
    assert!(stdout(&o).trim_end().ends_with("index.html"));
    assert_eq!(stderr(&o), "", "quiet prints nothing on stderr");
}

#[test]
fn list_cases_estimates_from_the_profile() {
    // 8 sleeps of 1 ms one after another: 8 ms a batch; at most, quick runs 1 + 10 batches
    // (its round limit comes before its 100 ms budget), full 3 + 200.
    let key = "tiny/sequential/io-sleep/sleep=1ms/tasks=8/payload_bytes=256/workers=1";
    let estimate = |profile: &str| {
        let o = gilbench(&["list", "--cases", tiny().to_str().unwrap(), "--profile", profile]);
        let line = stdout(&o).lines().find(|l| l.starts_with(key)).unwrap().to_owned();
        assert!(stderr(&o).contains("estimate:"), "the method is stated: {}", stderr(&o));
        line.split_once('\t').unwrap().1.to_owned()
    };
    assert_eq!(estimate("quick"), "88ms");
    assert_eq!(estimate("full"), "1.6s");
    // A task without a stated time is shown as unknown, not guessed.
    let o = gilbench(&["list", "--cases", tiny().to_str().unwrap(), "--filter", "/cpu/"]);
    assert!(stdout(&o).lines().all(|l| l.ends_with("\t?")), "{}", stdout(&o));
}

#[test]
fn unknown_shipped_names_exit_2_listing_the_shipped_ones() {
    for args in [&["run", "--scenario", "nope"][..], &["list", "--scenario", "nope"][..]] {
        let o = gilbench(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let e = stderr(&o);
        assert!(e.contains("`nope`") && e.contains("cpu-vs-io") && e.contains("convoy"), "{e}");
    }
    let o = gilbench(&["validate", "convoi"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("did you mean `convoy`?"), "{}", stderr(&o));
}

#[test]
fn bad_selection_flags_exit_2_naming_the_flag() {
    let tiny = tiny();
    let tiny = tiny.to_str().unwrap();
    for args in [
        &["run", tiny, "--filter", "("][..],
        &["list", "--cases", "--filter", "[a-"][..],
        &["run", tiny, "--filter", "no-such-case"][..],
        &["list", "--cases", "--samples", "0"][..],
    ] {
        let o = gilbench(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let flag = args.iter().find(|a| a.starts_with("--") && **a != "--cases").unwrap();
        assert!(stderr(&o).contains(flag), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{args:?}");
    }
    let o = gilbench(&["run", "-q", "-v"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--quiet") && stderr(&o).contains("--verbose"), "{}", stderr(&o));
}

#[test]
fn a_misspelled_key_gets_a_suggestion_naming_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("typo.toml");
    std::fs::write(
        &file,
        "models = [\"threads\"]\ntasks = 2\n\n[[workload]]\nkind = \"cpu\"\ntask_duraton = \"1ms\"\n",
    )
    .unwrap();
    let o = gilbench(&["validate", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains(&format!("{}:6:", file.display())), "{e}");
    assert!(e.contains("key `task_duraton`") && e.contains("did you mean `task_duration`?"), "{e}");
    // Only the keys of the workload's own kind are listed.
    assert!(e.contains("iterations") && !e.contains("response_bytes"), "{e}");
}

#[test]
fn completions_and_man_page_are_generated() {
    for shell in ["bash", "zsh", "fish"] {
        let o = gilbench(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}");
        let script = stdout(&o);
        assert!(script.contains("gilbench") && script.contains("filter"), "{shell}");
        assert!(!script.contains("__worker"), "{shell}: internal subcommands are left out");
    }
    let o = gilbench(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
    let o = gilbench(&["man"]);
    assert_eq!(o.status.code(), Some(0));
    let page = stdout(&o);
    assert!(page.starts_with(".ie") || page.contains(".TH gilbench"), "{page}");
    assert!(page.contains("GILBENCH RUN") && page.contains("\\-\\-filter"), "{page}");
    assert!(page.contains("quick") && page.contains("full"), "the profiles are explained");
}

#[test]
fn every_subcommand_has_an_example() {
    for sub in ["run", "list", "validate", "compare", "report", "calibrate", "check"] {
        let o = gilbench(&[sub, "--help"]);
        assert_eq!(o.status.code(), Some(0), "{sub}");
        assert!(stdout(&o).contains(&format!("gilbench {sub}")), "{sub}: {}", stdout(&o));
    }
}
