//! The library API end to end, the way a user's program uses it: this test binary is the
//! user's program (`harness = false`), its `main` calls `gilbench::api::main_entry` first, and
//! the `processes` models re-execute it as their workers. A custom workload runs through every
//! model, and the results and checksums are checked against the workload run in-process. A
//! copy started through a wrapper that skips the entry call shows the error a program without
//! it gets: a failed case that names the call, in bounded time, never a hang.
//!
//! Ends with a libtest-style `test result:` line.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use gilbench::api::{Bench, Character, FnWorkload, Model, Registry, Task, main_entry};
use gilbench::work::{batch_checksum, make_input};

/// Set by the wrapper script: behave like a program that forgot the entry call.
const SKIP_ENTRY: &str = "GILBENCH_TEST_SKIP_ENTRY";

fn scramble(task: &Task, rounds: u32) -> Vec<u8> {
    let mut out = task.input.clone();
    for r in 0..rounds {
        for (i, b) in out.iter_mut().enumerate() {
            *b = b.rotate_left(3) ^ (i as u8).wrapping_add(r as u8) ^ task.index as u8;
        }
    }
    out.extend_from_slice(&task.index.to_le_bytes());
    out
}

fn registry() -> Registry {
    Registry::new().with("scramble", |params| {
        let rounds: u32 = params
            .get("rounds")
            .ok_or("needs rounds")?
            .parse()
            .map_err(|e| format!("rounds: {e}"))?;
        Ok(FnWorkload::new(Character::Cpu, move |task| Ok(scramble(task, rounds))))
    })
}

const TASKS: u64 = 12;
const PAYLOAD: usize = 256;

fn bench(out: &Path) -> Bench {
    Bench::new(&registry(), "scramble")
        .param("rounds", 7)
        .workers([2])
        .tasks(TASKS as usize)
        .payload_bytes(PAYLOAD)
        .seed(7)
        .out(out)
}

/// Every model runs the workload and agrees with the in-process result.
fn every_model_runs_the_custom_workload() -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let run = bench(dir.path()).models(Model::ALL).run().map_err(|e| e.to_string())?;
    if !run.failures().is_empty() {
        return Err(format!("failed cases: {:?}", run.failures()));
    }
    let models: BTreeSet<&str> = run.record.cases.iter().map(|c| c.model.as_str()).collect();
    let all: BTreeSet<&str> = Model::ALL.iter().map(|m| m.name()).collect();
    if models != all {
        return Err(format!("models run {models:?}, expected {all:?}"));
    }
    // The expected batch checksum, from the same workload run here.
    let work = registry()
        .build("scramble", &[("rounds".to_string(), "7".to_string())].into())
        .map_err(|e| e.to_string())?;
    let results: Vec<_> = (0..TASKS)
        .map(|i| work.run(&Task { index: i, input: make_input(i, PAYLOAD) }))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    for r in &results {
        let expected = scramble(&Task { index: r.index, input: make_input(r.index, PAYLOAD) }, 7);
        if r.output != expected {
            return Err(format!("task {} output differs from the function's", r.index));
        }
    }
    let expected = format!("{:016x}", batch_checksum(&results));
    for case in &run.record.cases {
        if case.checksum.as_deref() != Some(expected.as_str()) {
            return Err(format!(
                "{}: checksum {:?}, expected {expected}",
                case.case, case.checksum
            ));
        }
        if case.workload != "scramble" || case.params.get("rounds").map(String::as_str) != Some("7")
        {
            return Err(format!(
                "{}: workload {} params {:?}",
                case.case, case.workload, case.params
            ));
        }
    }
    for file in ["run.json", "samples.csv", "index.html"] {
        if !dir.path().join(file).is_file() {
            return Err(format!("{file} was not written"));
        }
    }
    Ok(())
}

/// A program that does not call `main_entry` fails its processes cases with the reason.
fn missing_entry_call_fails_fast() -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let script = dir.path().join("no-entry.sh");
    std::fs::write(&script, format!("#!/bin/sh\n{SKIP_ENTRY}=1 exec '{}' \"$@\"\n", me.display()))
        .map_err(|e| e.to_string())?;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| e.to_string())?;
    let start = Instant::now();
    let run = bench(&dir.path().join("run"))
        .models([Model::ProcessesSpawn, Model::ProcessesFork])
        .worker_exe(&script)
        .timeout(Duration::from_secs(60))
        .run()
        .map_err(|e| e.to_string())?;
    let took = start.elapsed();
    if took > Duration::from_secs(40) {
        return Err(format!("took {took:?}: the missing entry call was not noticed quickly"));
    }
    if run.record.cases.len() != 2 {
        return Err(format!("{} cases, expected 2", run.record.cases.len()));
    }
    for case in &run.record.cases {
        let reason = case.reason.as_deref().unwrap_or("");
        if case.status != gilbench::results::CaseStatus::Failed
            || !reason.contains("gilbench::api::main_entry(&registry) first in main")
        {
            return Err(format!("{}: {:?} {reason:?}", case.case, case.status));
        }
    }
    Ok(())
}

/// What a program without the entry call does when re-executed as a worker: it reaches its
/// benchmark, which refuses to run inside a worker.
fn program_without_entry() -> ! {
    let dir = std::env::temp_dir();
    match bench(&dir).models([Model::ProcessesSpawn]).run() {
        Ok(_) => std::process::exit(0),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}

/// One check: `Err` says what went wrong.
type Check = fn() -> Result<(), String>;

fn main() {
    if std::env::var_os(SKIP_ENTRY).is_some() {
        program_without_entry();
    }
    main_entry(&registry());
    let checks: [(&str, Check); 2] = [
        ("every_model_runs_the_custom_workload", every_model_runs_the_custom_workload),
        ("missing_entry_call_fails_fast", missing_entry_call_fails_fast),
    ];
    let filter: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let (mut passed, mut failed) = (0, 0);
    for (name, check) in checks {
        if !filter.is_empty() && !filter.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        match check() {
            Ok(()) => {
                passed += 1;
                println!("test {name} ... ok");
            }
            Err(e) => {
                failed += 1;
                println!("test {name} ... FAILED\n  {e}");
            }
        }
    }
    let verdict = if failed == 0 { "ok" } else { "FAILED" };
    println!("\ntest result: {verdict}. {passed} passed; {failed} failed; 0 ignored");
    std::process::exit(if failed == 0 { 0 } else { 101 });
}
