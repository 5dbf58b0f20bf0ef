//! `gilbench check`: are the shipped run's IPC and context-switch figures free of each other?
//! Runs the 8-byte IPC round trips (threads and processes; free, same-cpu, cross-core) and the
//! context-switch mechanisms as the shipped scenarios group them, then every variant alone
//! (one group each), then alone once more — the case's own repeatability — all in the same
//! minute, then `perf bench sched pipe` where `perf` exists, and prints the medians side by
//! side.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;
use gilbench::results::{CaseRecord, CaseStatus, RunDir, RunRecord};
use gilbench::runner::{self, Profile, RunConfig};
use gilbench::scenario::{self, Scenario};

use super::progress::Progress;
use super::run::{clock_seed, interrupt_flag};
use super::{BadInput, EXIT_CASE_FAILED, EXIT_OK, Verbosity};

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Largest difference allowed between a case in its group and alone, in percent. The exit
    /// status is 1 when a case differs by more than this and by more than the same case alone
    /// differs from itself between two runs.
    #[arg(long, value_name = "PERCENT", default_value_t = 15.0)]
    tolerance: f64,
    /// Sampling profile of both runs.
    #[arg(long, default_value = "quick", value_parser = ["quick", "default", "full"])]
    profile: String,
}

/// The shipped scenarios whose probe tables the check takes, and the probe kinds it keeps.
const SOURCES: [(&str, &str); 2] =
    [("scenarios/ipc.toml", "ipc"), ("scenarios/switch.toml", "switch")];

pub(crate) fn run(args: CheckArgs, verbosity: Verbosity) -> Result<u8> {
    if !(args.tolerance.is_finite() && args.tolerance > 0.0 && args.tolerance < 1000.0) {
        return Err(BadInput(format!(
            "--tolerance {}: expected a percentage above 0 and below 1000",
            args.tolerance
        ))
        .into());
    }
    let tables = checked_tables()?;
    let grouped: Vec<Scenario> = tables
        .iter()
        .enumerate()
        .map(|(i, t)| scenario_of(&format!("grouped-{i}"), std::slice::from_ref(t)))
        .collect::<Result<_>>()?;
    // Alone: each variant of each table in a scenario of its own, so it is a group of one.
    let mut alone = Vec::new();
    for (i, t) in tables.iter().enumerate() {
        for (j, variant) in variants(t).iter().enumerate() {
            let mut one = t.clone();
            one.insert("models".into(), toml::Value::Array(vec![variant.clone().into()]));
            alone.push(scenario_of(&format!("alone-{i}-{j}"), &[one])?);
        }
    }
    let cancel = interrupt_flag()?;
    let grouped = measure(grouped, &args.profile, &cancel, "in their groups", verbosity)?;
    let again = measure(alone.clone(), &args.profile, &cancel, "each alone, again", verbosity)?;
    let alone = measure(alone, &args.profile, &cancel, "each alone", verbosity)?;
    let perf = perf_pipe();

    println!(
        "{:<40} {:>10} {:>10} {:>10} {:>12} {:>12}",
        "case (median of the kept samples)",
        "in group",
        "alone",
        "again",
        "group/alone",
        "again/alone"
    );
    let (mut within, mut compared, mut beyond_own) = (0usize, 0usize, 0usize);
    for g in grouped.cases.iter().filter(|c| c.status == CaseStatus::Ok) {
        let Some(a) = alone.cases.iter().find(|a| same_case(a, g)) else { continue };
        let Some(r) = again.cases.iter().find(|r| same_case(r, g)) else { continue };
        let (Some(gm), Some(am), Some(rm)) = (median(g), median(a), median(r)) else { continue };
        let (ratio, repeat) = (gm / am, rm / am);
        let ok = (ratio - 1.0).abs() * 100.0 <= args.tolerance;
        // Beyond what the same case alone does between two runs: the neighbours moved it.
        let moved = !ok && (ratio.ln().abs() > repeat.ln().abs());
        compared += 1;
        within += usize::from(ok);
        beyond_own += usize::from(moved);
        println!(
            "{:<40} {:>10} {:>10} {:>10} {:>11.2}x {:>11.2}x{}",
            label(g),
            show(gm, &g.unit),
            show(am, &a.unit),
            show(rm, &r.unit),
            ratio,
            repeat,
            match (ok, moved) {
                (true, _) => "",
                (false, true) => "  differs",
                (false, false) => "  differs, as alone does",
            }
        );
    }
    match perf {
        Ok(us) => {
            let ours = alone.cases.iter().find(|c| {
                c.probe_kind() == Some("ipc")
                    && c.model == "pipe"
                    && param(c, "endpoints") == "processes"
                    && param(c, "placement") == "free"
            });
            let ours = ours.and_then(median).map(|s| s * 1e6);
            match ours {
                Some(o) => println!(
                    "perf bench sched pipe: {us:.1} us per round trip; gilbench's free process \
                     pipe alone: {o:.1} us ({:.2}x)",
                    o / us
                ),
                None => println!("perf bench sched pipe: {us:.1} us per round trip"),
            }
        }
        Err(why) => println!("perf bench sched pipe: not run ({why})"),
    }
    println!(
        "{within} of {compared} cases within {}% of the same case alone; {beyond_own} differ by \
         more than the case alone differs from itself",
        args.tolerance
    );
    Ok(if beyond_own == 0 { EXIT_OK } else { EXIT_CASE_FAILED })
}

/// The latency tables of the shipped IPC and switch scenarios, at 8 bytes, tasks left out
/// (two tasks share one thread: nothing of theirs can run during another case).
fn checked_tables() -> Result<Vec<toml::Table>> {
    let mut out = Vec::new();
    for (file, kind) in SOURCES {
        let shipped = scenario::shipped()
            .iter()
            .find(|s| s.file == file)
            .with_context(|| format!("{file} is not shipped"))?;
        let doc: toml::Table = toml::from_str(shipped.text).with_context(|| file.to_string())?;
        let probes = doc.get("probe").and_then(|p| p.as_array()).cloned().unwrap_or_default();
        for table in probes.into_iter().filter_map(|p| p.as_table().cloned()) {
            let text = |key: &str| table.get(key).and_then(|v| v.as_str()).map(str::to_string);
            if text("kind").as_deref() != Some(kind)
                || text("mode").as_deref() == Some("throughput")
            {
                continue;
            }
            let mut t = table.clone();
            if kind == "ipc" {
                // A table of tasks alone: two tasks share one thread, nothing runs between.
                let only_tasks = has(&t, "endpoints", "tasks") && !is_list(&t, "endpoints");
                if !has(&t, "size", "8B") || only_tasks {
                    continue;
                }
                t.insert("size".into(), "8B".into());
                if is_list(&t, "endpoints") {
                    let kept: Vec<toml::Value> = list(&t, "endpoints")
                        .into_iter()
                        .filter(|e| e != "tasks")
                        .map(toml::Value::from)
                        .collect();
                    t.insert("endpoints".into(), toml::Value::Array(kept));
                }
            } else if t.contains_key("peer") || t.contains_key("working_set") {
                continue;
            }
            out.push(t);
        }
    }
    Ok(out)
}

fn is_list(t: &toml::Table, key: &str) -> bool {
    t.get(key).is_some_and(toml::Value::is_array)
}

fn list(t: &toml::Table, key: &str) -> Vec<String> {
    match t.get(key) {
        Some(toml::Value::Array(a)) => {
            a.iter().filter_map(|v| v.as_str().map(String::from)).collect()
        }
        Some(toml::Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn has(t: &toml::Table, key: &str, value: &str) -> bool {
    list(t, key).iter().any(|v| v == value)
}

/// The variants a table names; all of its kind when it names none.
fn variants(t: &toml::Table) -> Vec<String> {
    let named = list(t, "models");
    if !named.is_empty() {
        return named;
    }
    match t.get("kind").and_then(|k| k.as_str()) {
        Some("ipc") => gilbench::probe::ipc::NAMES.iter().map(|s| s.to_string()).collect(),
        Some("switch") => gilbench::probe::switch::VARIANTS.iter().map(|s| s.to_string()).collect(),
        _ => Vec::new(),
    }
}

/// A scenario of these probe tables, validated like a file.
fn scenario_of(name: &str, tables: &[toml::Table]) -> Result<Scenario> {
    let mut doc = toml::Table::new();
    doc.insert("name".into(), name.into());
    doc.insert(
        "probe".into(),
        toml::Value::Array(tables.iter().cloned().map(toml::Value::Table).collect()),
    );
    let text = toml::to_string(&doc).context("writing a check scenario")?;
    Ok(scenario::parse(&text, Path::new(&format!("{name}.toml")))?)
}

/// Runs `scenarios` in a private folder, with a progress bar.
fn measure(
    scenarios: Vec<Scenario>,
    profile: &str,
    cancel: &Arc<AtomicBool>,
    what: &str,
    verbosity: Verbosity,
) -> Result<RunRecord> {
    if verbosity > Verbosity::Quiet {
        eprintln!("measuring {what}");
    }
    let dir = gilbench::private_dir("check")?;
    let config = RunConfig {
        scenarios,
        profile: Profile::named(profile).expect("invariant: clap checked the name"),
        timeout: Duration::from_secs(120),
        worker_exe: std::env::current_exe().context("locating the gilbench executable")?,
        cancel: Arc::clone(cancel),
        command: std::env::args().collect(),
        seed: clock_seed(),
        load_gate: None,
        filter: None,
    };
    let mut progress = Progress::new(verbosity);
    let record = runner::run(&config, &RunDir::at(dir.path())?, &mut |e| progress.on_event(e))?;
    progress.finish();
    Ok(record)
}

/// The same probe, variant and parameters.
fn same_case(a: &CaseRecord, b: &CaseRecord) -> bool {
    a.workload == b.workload && a.model == b.model && a.params == b.params
}

fn param<'a>(c: &'a CaseRecord, key: &str) -> &'a str {
    c.params.get(key).map_or("", String::as_str)
}

fn median(c: &CaseRecord) -> Option<f64> {
    c.summary.as_ref().map(|s| s.median)
}

fn label(c: &CaseRecord) -> String {
    let kind = c.probe_kind().unwrap_or(&c.workload);
    let placement = match param(c, "placement") {
        "" => "free",
        p => p,
    };
    match kind {
        "ipc" => format!("ipc {} {} {placement}", c.model, param(c, "endpoints")),
        _ => format!("{kind} {} {placement}", c.model),
    }
}

fn show(v: f64, unit: &str) -> String {
    if unit == "s" { format!("{:.2} us", v * 1e6) } else { format!("{v:.3} {unit}") }
}

/// `perf bench sched pipe`'s round trip between two processes the scheduler places, in µs.
fn perf_pipe() -> Result<f64, String> {
    let out = Command::new("perf")
        .args(["bench", "sched", "pipe", "-l", "100000"])
        .output()
        .map_err(|e| format!("perf: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find(|l| l.contains("usecs/op"))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("perf said: {}", String::from_utf8_lossy(&out.stderr).trim()))
}
