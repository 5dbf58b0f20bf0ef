//! The CPython peer and `gilbench calibrate`: the peer's JSON reads into the library's types
//! with every model and sane figures, a missing interpreter is a clean skip, and a calibrate run
//! end to end stores `cpython.json` and reports the comparison (also when redrawn by `report`).
//! Tests that need `python3` say why and pass when it is absent.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use gilbench::results::cpython::{CPYTHON_MODELS, PeerStatus, load_cpython, parse_cpython};
use gilbench::results::load_run;

use crate::support::{exe, shared};

fn peer_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("peers/cpython_peer.py")
}

/// `python3` if it runs, else `None` after saying why the test is skipped.
fn python3(test: &str) -> Option<&'static str> {
    let ok = Command::new("python3")
        .args(["-c", "import sys; assert sys.version_info >= (3, 8)"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        crate::skip::skip(&format!("{test}: no python3 (3.8 or newer) on PATH"));
    }
    ok.then_some("python3")
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

const TINY: [&str; 8] =
    ["--workers", "1,2", "--tasks", "4", "--task-duration", "1ms", "--cpu-fractions", "0.5"];

#[test]
fn peer_output_reads_into_the_library_types() {
    let Some(python) = python3("peer_output_reads_into_the_library_types") else { return };
    let _machine = shared();
    let out = Command::new(python)
        .arg(peer_script())
        .args(TINY)
        .args(["--samples", "2", "--convoy-iterations", "5"])
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "peer failed:\n{}", text(&out));
    let json = String::from_utf8(out.stdout).expect("utf-8 JSON");
    let peer = parse_cpython(&json, Path::new("peer stdout")).expect("the peer's JSON parses");

    assert_eq!(peer.implementation, "CPython");
    assert!(peer.switch_interval_s > 0.0 && peer.switch_interval_s < 1.0);
    assert!(peer.cpu_iterations_per_s > 1e4, "{}", peer.cpu_iterations_per_s);
    // Every model on every workload shape, one case per worker count.
    let mut seen: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
    for c in &peer.cases {
        assert_eq!(c.status, PeerStatus::Ok, "{c:?}");
        assert_eq!(c.samples.len(), 2, "{c:?}");
        assert!(c.samples.iter().all(|s| s.is_finite() && *s > 0.0), "{c:?}");
        let median = c.median.expect("median");
        assert!(median > 0.0 && median < 10.0, "{c:?}");
        assert_eq!(c.params.get("workers"), Some(&c.workers.to_string()), "{c:?}");
        assert_eq!(c.params.get("tasks").map(String::as_str), Some("4"), "{c:?}");
        seen.entry((c.model.as_str(), c.workload.as_str())).or_default().push(c.workers);
    }
    for model in CPYTHON_MODELS {
        for workload in ["cpu", "io-sleep", "mixed"] {
            let want: &[usize] = if model == "cpython:sequential" { &[1] } else { &[1, 2] };
            assert_eq!(
                seen.get(&(model, workload)).map(Vec::as_slice),
                Some(want),
                "{model} {workload}"
            );
        }
    }
    // Parameters in gilbench's display format.
    let mixed = peer.cases.iter().find(|c| c.workload == "mixed").expect("mixed");
    assert_eq!(mixed.params.get("cpu_fraction").map(String::as_str), Some("0.5"));
    assert_eq!(mixed.params.get("task_duration").map(String::as_str), Some("1ms"));
    let sleep = peer.cases.iter().find(|c| c.workload == "io-sleep").expect("io-sleep");
    assert_eq!(sleep.params.get("sleep").map(String::as_str), Some("1ms"));
    // Every model of a workload did the same work: one checksum per workload.
    for workload in ["cpu", "io-sleep", "mixed"] {
        let mut sums: Vec<&str> = peer
            .cases
            .iter()
            .filter(|c| c.workload == workload)
            .map(|c| c.checksum.as_deref().expect("checksum"))
            .collect();
        sums.dedup();
        assert_eq!(sums.len(), 1, "{workload}: checksums differ between models: {sums:?}");
    }
    // CPU work was really done: a CPU task of 1 ms cannot be under 0.3 ms of kernel.
    let cpu = peer.cases.iter().find(|c| c.workload == "cpu").expect("cpu");
    assert!(cpu.iterations as f64 >= peer.cpu_iterations_per_s * 0.0003, "{cpu:?}");
    let seq = peer
        .cases
        .iter()
        .find(|c| c.workload == "cpu" && c.model == "cpython:sequential")
        .expect("sequential cpu");
    assert!(seq.median.expect("median") >= 4.0 * 0.0005, "4 CPU tasks of 1 ms took {seq:?}");
    // The convoy shape: 0, 1 and 2 spinning threads.
    let spinners: Vec<usize> = peer.convoy.iter().map(|c| c.cpu_threads).collect();
    assert_eq!(spinners, [0, 1, 2]);
    assert!(peer.convoy.iter().all(|c| c.n > 0 && c.p99_oversleep_s >= c.median_oversleep_s));
}

#[test]
fn peer_rejects_bad_arguments() {
    let Some(python) = python3("peer_rejects_bad_arguments") else { return };
    for bad in [["--workers", "0"], ["--task-duration", "soon"], ["--cpu-fractions", "2"]] {
        let out = Command::new(python).arg(peer_script()).args(bad).output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{bad:?} accepted:\n{}", text(&out));
        assert!(out.stdout.is_empty(), "{bad:?}: printed a document anyway");
    }
}

#[test]
fn calibrate_without_python_is_a_clean_skip() {
    let _machine = shared();
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(exe())
        .args(["calibrate", "--python", "/nonexistent/python", "--out"])
        .arg(dir.path())
        .args(TINY)
        .args(["--workloads", "cpu"])
        .output()
        .expect("gilbench runs");
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    let line = all
        .lines()
        .find(|l| l.contains("/nonexistent/python"))
        .unwrap_or_else(|| panic!("the skip is not named:\n{all}"));
    assert!(line.contains("not found"), "{line}");
    // gilbench's part is done, without a CPython file or section.
    let run = load_run(dir.path()).expect("run.json");
    assert!(run.cases.iter().any(|c| c.model == "gil"), "no gil case");
    assert!(!dir.path().join("cpython.json").exists());
    let html = std::fs::read_to_string(dir.path().join("index.html")).expect("index.html");
    assert!(!html.contains("Model vs real CPython"));
}

#[test]
fn calibrate_refuses_bad_released_fractions_naming_the_flag() {
    for bad in ["2", "nan", "-0.5"] {
        let out = Command::new(exe())
            .args(["calibrate", "--python", "/nonexistent/python"])
            .arg(format!("--released-fractions={bad}"))
            .output()
            .expect("gilbench runs");
        let all = text(&out);
        assert_eq!(out.status.code(), Some(2), "{bad}: {all}");
        assert!(all.contains("--released-fractions"), "{bad}: {all}");
    }
}

#[test]
fn calibrate_end_to_end_and_report_redraws_the_comparison() {
    let Some(python) = python3("calibrate_end_to_end_and_report_redraws_the_comparison") else {
        return;
    };
    // Alone: the peer's private folder (`gilbench-peer-*`) lives while it runs, and the tests
    // that check that a run leaves nothing behind would see it.
    let _machine = crate::support::exclusive();
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(exe())
        .args(["calibrate", "--python", python, "--out"])
        .arg(dir.path())
        .args(TINY)
        .args(["--convoy-iterations", "5", "--released-fractions", "0.5,1"])
        .output()
        .expect("gilbench runs");
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("CPython threads"), "no comparison printed:\n{all}");
    assert!(all.contains("shape checks:"), "{all}");
    // The closing note lists every point, the GIL-releasing ones included.
    let released = all
        .lines()
        .find(|l| l.contains("released_fraction=1") && l.contains("gil against CPython threads"))
        .unwrap_or_else(|| panic!("no GIL-releasing point listed:\n{all}"));
    assert!(released.contains("1 worker") && released.contains("2 workers"), "{released}");

    let run = load_run(dir.path()).expect("run.json");
    let peer = load_cpython(dir.path()).expect("cpython.json");
    // Both sides' medians come from at least five batches (the quick profile's minimum is 3).
    assert!(peer.cases.iter().all(|c| c.samples.len() >= 5), "the peer took fewer than 5");
    let ok = run.cases.iter().filter(|c| c.status == gilbench::results::CaseStatus::Ok);
    assert!(ok.clone().all(|c| c.samples.len() >= 5), "a gilbench case took fewer than 5");
    let shapes = |it: &mut dyn Iterator<Item = (&String, &BTreeMap<String, String>)>| {
        let mut v: Vec<String> =
            it.map(|(w, p)| gilbench::results::cpython::shape_key(w, p)).collect();
        v.sort();
        v.dedup();
        v
    };
    let ours = shapes(&mut run.cases.iter().map(|c| (&c.workload, &c.params)));
    let theirs = shapes(&mut peer.cases.iter().map(|c| (&c.workload, &c.params)));
    assert_eq!(ours, theirs);
    // The peer hashed with hashlib (which releases the GIL) for the released shapes only.
    assert!(peer.hash_bytes_per_s.is_some_and(|r| r > 1e6), "{:?}", peer.hash_bytes_per_s);
    for c in peer.cases.iter().filter(|c| c.workload == "cpu") {
        let released = c.params.get("released_fraction").map(String::as_str);
        match released {
            None => assert_eq!(c.hash_bytes, 0, "{c:?}"),
            Some("1") => assert!(c.hash_bytes >= 1024 && c.iterations == 0, "{c:?}"),
            Some(_) => assert!(c.hash_bytes >= 1024 && c.iterations > 0, "{c:?}"),
        }
    }
    let cmp = gilbench::analysis::cpython::compare(&run, &peer);
    // cpu, cpu at released fractions 0.5 and 1, io-sleep, mixed.
    assert_eq!(cmp.shapes.len(), 5);
    for shape in &cmp.shapes {
        let gil = &shape.pairs[0];
        assert_eq!(gil.pair.model, "gil");
        assert_eq!(gil.compared().count(), 2, "{}: {gil:?}", shape.key);
    }

    let html = std::fs::read_to_string(dir.path().join("index.html")).expect("index.html");
    assert!(html.contains("Model vs real CPython"), "no section");
    assert!(html.contains("Shape checks"));
    // Real CPython's speedups stand beside the model's in the answer table.
    let answer = html.split("<table class=\"answer\">").nth(1).expect("an answer table");
    let answer = answer.split("</table>").next().unwrap_or_default();
    assert!(answer.contains(">CPython</th>") && answer.contains("processes "), "{answer}");
    let charts: Vec<String> = std::fs::read_dir(dir.path().join("plots"))
        .expect("plots")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("cpython-") && n.ends_with(".svg"))
        .collect();
    assert_eq!(charts.len(), 5, "{charts:?}");
    // Every comparison chart names its points' figures on hover.
    for name in charts.iter().filter(|n| !n.contains("convoy")) {
        let svg = std::fs::read_to_string(dir.path().join("plots").join(name)).expect("svg");
        assert!(svg.contains("workers: ") && svg.contains("</title>"), "{name} has no hovers");
    }

    // `gilbench report` redraws it from the two files alone.
    std::fs::remove_file(dir.path().join("index.html")).expect("remove");
    let out = Command::new(exe()).arg("report").arg(dir.path()).output().expect("report runs");
    assert!(out.status.success(), "{}", text(&out));
    let html = std::fs::read_to_string(dir.path().join("index.html")).expect("index.html");
    assert!(html.contains("Model vs real CPython"), "report lost the section");
    assert!(html.contains("Convoy effect in CPython"));
}

/// A script at `dir/name` that answers calibrate's interpreter check as `python3` would, with
/// `implementation` in place of CPython's name, then fails when asked to run the peer.
fn fake_python(dir: &Path, name: &str, implementation: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    let script = format!(
        "#!/bin/sh\nif [ \"$1\" = -c ]; then\n  python3 -c 'import sys; print(sys.getswitchinterval())' \
         && echo {implementation}\n  exit $?\nfi\necho 'Fatal Python error: the peer crashed' >&2\nexit 3\n"
    );
    std::fs::write(&path, script).expect("write the script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

#[test]
fn calibrate_puts_interpreters_side_by_side_and_names_each_bad_one() {
    let Some(python) = python3("calibrate_puts_interpreters_side_by_side_and_names_each_bad_one")
    else {
        return;
    };
    let _machine = crate::support::exclusive();
    let dir = tempfile::tempdir().expect("temp dir");
    let fakes = tempfile::tempdir().expect("temp dir");
    let crashing = fake_python(fakes.path(), "crashing-python", "CPython");
    let pypy = fake_python(fakes.path(), "pypy3", "PyPy");
    let out = Command::new(exe())
        .args(["calibrate", "--python", python, "--python", "/nonexistent/python", "--python"])
        .arg(&crashing)
        .arg("--python")
        .arg(&pypy)
        .args(["--python", python, "--out"])
        .arg(dir.path())
        .args(TINY)
        .args(["--workloads", "cpu", "--released-fractions", "0", "--convoy-iterations", "0"])
        .output()
        .expect("gilbench runs");
    let all = text(&out);
    // A crashing interpreter is a failure (exit 1); the others are still measured.
    assert_eq!(out.status.code(), Some(1), "{all}");
    let about = |what: &str| all.lines().filter(|l| l.contains(what)).count();
    assert!(about("/nonexistent/python") == 1 && all.contains("not found"), "{all}");
    // One line names the interpreter and what it said.
    let crash = all.lines().find(|l| l.contains("crashing-python") && l.contains("failed"));
    assert!(crash.is_some_and(|l| l.contains("the peer crashed")), "{all}");
    assert_eq!(about("is PyPy, not CPython"), 1, "{all}");
    // The two good ones, in order, each in its own file.
    assert!(
        dir.path().join("cpython.json").is_file() && dir.path().join("cpython-2.json").is_file()
    );
    assert!(!dir.path().join("cpython-3.json").exists());
    let peers = gilbench::results::cpython::cpythons_beside(dir.path()).expect("read back");
    assert_eq!(peers.len(), 2);
    assert!(peers.iter().all(|p| !p.free_threaded()), "python3 is a GIL build here");
    let check = |html: &str| {
        assert!(html.contains("Interpreters side by side"), "no side-by-side part");
        assert!(html.contains("No free-threaded build"), "free-threaded builds not mentioned");
        let head = html.split("Interpreters side by side").nth(1).unwrap_or_default();
        assert_eq!(head.matches(" threads</th>").count(), 3, "gilbench threads + 2 interpreters");
    };
    check(&std::fs::read_to_string(dir.path().join("index.html")).expect("index.html"));
    // `gilbench report` finds both again.
    std::fs::remove_file(dir.path().join("index.html")).expect("remove");
    let out = Command::new(exe()).arg("report").arg(dir.path()).output().expect("report runs");
    assert!(out.status.success(), "{}", text(&out));
    check(&std::fs::read_to_string(dir.path().join("index.html")).expect("index.html"));
}
