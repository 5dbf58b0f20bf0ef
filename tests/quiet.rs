//! Tests that need the machine to themselves: their own binary, so no other test of the
//! suite runs meanwhile (cargo runs test binaries one after another), since what they check
//! is gilbench's view of every other process on the machine.

use std::path::Path;
use std::time::{Duration, Instant};

use gilbench::results::load_run;

#[path = "it/skip.rs"]
mod skip;

fn exe() -> &'static str {
    env!("CARGO_BIN_EXE_gilbench")
}

/// Polls `found` every 80 ms (this process is one of the "other processes" a run watches: it
/// looks rarely and cheaply) for at most 30 s.
fn wait_for<T>(what: &str, mut found: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = found() {
            return v;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "no {what} within 30 s");
        std::thread::sleep(Duration::from_millis(80));
    }
}

/// The noise flag means something: a CPU hog (a busy process pinned to one CPU) started
/// halfway through a run flags the groups measured while it runs, and those before it stay
/// unflagged.
#[test]
fn a_cpu_hog_started_halfway_flags_the_groups_it_runs_through() {
    if !Path::new("/proc/self/stat").exists() {
        skip::skip("no /proc to read other processes' CPU time from");
        return;
    }
    // What is flagged before the hog must be the machine's own quiet: on a machine that other
    // work already keeps busy there is nothing to tell apart.
    if let Some(load) = gilbench::measure::others_load(Duration::from_secs(1))
        && load > 0.25
    {
        skip::skip(&format!("other processes already keep {load:.2} CPUs busy"));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("hog.toml");
    let sizes: Vec<String> = (1..=20).map(|i| format!("\"{}B\"", 8 * i)).collect();
    std::fs::write(
        &scenario,
        format!(
            "name = \"hog\"\n[[probe]]\nkind = \"ipc\"\nmodels = [\"pipe\"]\n\
             endpoints = \"threads\"\nplacement = \"same-cpu\"\nsize = [{}]\nduration = \"40ms\"\n",
            sizes.join(", ")
        ),
    )
    .unwrap();
    let out = dir.path().join("run");
    let mut run = std::process::Command::new(exe())
        .args(["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "--no-wait"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Halfway: ten groups written.
    let done_before = wait_for("ten groups", || {
        let text = std::fs::read_to_string(out.join("run.json")).ok()?;
        let cases = text.matches("\"case\":").count();
        (cases >= 10).then_some(cases)
    });
    let pinned = Path::new("/usr/bin/taskset").exists();
    let mut hog = if pinned {
        std::process::Command::new("taskset")
            .args(["-c", "0", "sh", "-c", "while :; do :; done"])
            .spawn()
            .unwrap()
    } else {
        std::process::Command::new("sh").args(["-c", "while :; do :; done"]).spawn().unwrap()
    };
    let status = run.wait().unwrap();
    let _ = hog.kill();
    let _ = hog.wait();
    assert!(status.success(), "{status:?}");
    let record = load_run(&out).unwrap();
    let flagged: Vec<&str> =
        gilbench::report::flagged_groups(&record).iter().map(|c| c.group.as_str()).collect();
    let groups: Vec<&str> = record.cases.iter().map(|c| c.group.as_str()).collect();
    // The group running when the hog started may go either way.
    let (before, during) = (&groups[..done_before], &groups[done_before + 1..]);
    let hit = |gs: &[&str]| gs.iter().filter(|g| flagged.contains(g)).count();
    assert!(
        hit(before) * 10 <= before.len(),
        "{} of {} groups before the hog flagged: {flagged:?}; (other CPUs, drift): {:?}",
        hit(before),
        before.len(),
        record.cases.iter().map(|c| (c.busy_others, c.drift)).collect::<Vec<_>>()
    );
    assert!(
        hit(during) * 10 >= during.len() * 8,
        "only {} of {} groups during the hog flagged: {:?}",
        hit(during),
        during.len(),
        record.cases.iter().map(|c| (c.busy_others, c.drift)).collect::<Vec<_>>()
    );
}
