//! `gilbench run`: resolve scenarios and options, run them, draw the charts, write the report,
//! print its path.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;
use gilbench::measure::placement;
use gilbench::results::{self, CaseStatus, RunDir, RunStatus};
use gilbench::runner::{self, LoadGate, RunConfig};
use gilbench::{report, sweep};

use super::progress::Progress;
use super::sampling::{SamplingArgs, duration_flag};
use super::select::{Selection, default_set};
use super::{BadInput, EXIT_CASE_FAILED, EXIT_INTERRUPTED, EXIT_OK, REPORTS, Verbosity};

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    #[command(flatten)]
    select: Selection,
    #[command(flatten)]
    sampling: SamplingArgs,
    /// Put this run's files directly in DIR (default: a new folder under reports/).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Per-case timeout when the scenario sets none: seconds (`120`) or a duration as in
    /// scenario files (`2m`, `90s`).
    #[arg(long, value_name = "DURATION", default_value = "120")]
    timeout: String,
    /// Seed of the interleaved sampling order (default: from the clock; run.json records it).
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Do not wait for other processes to quiet down before each comparison group.
    #[arg(long)]
    no_wait: bool,
    /// Also save the run as the baseline NAME (reports/baselines/NAME/, replacing an earlier
    /// one), for `compare --baseline NAME NEW`. Letters, digits, `-`, `_`, `.`.
    #[arg(long, value_name = "NAME")]
    save_baseline: Option<String>,
    /// Also write the run's figures to FILE in Bencher Metric Format (JSON; see
    /// reports/README.md).
    #[arg(long, value_name = "FILE")]
    export_bmf: Option<PathBuf>,
    /// Run on these CPUs only (affinity), e.g. `0`, `0-1`, `0,2`: one machine gives 1-, 2-, …
    /// N-core runs to compare.
    #[arg(long, value_name = "LIST")]
    cpus: Option<String>,
}

pub(crate) fn run(args: RunArgs, verbosity: Verbosity) -> Result<u8> {
    // First, before any thread or child exists: everything started later inherits the set.
    if let Some(list) = &args.cpus {
        let cpus = placement::parse_cpu_list(list)
            .ok_or_else(|| BadInput(format!("--cpus {list:?}: expected a list like 0-3,8")))?;
        placement::restrict_current_thread(&cpus)
            .map_err(|e| BadInput(format!("--cpus {list}: {e}")))?;
    }
    if let Some(name) = args.save_baseline.as_ref().filter(|n| !results::valid_baseline_name(n)) {
        return Err(BadInput(format!(
            "--save-baseline {name:?}: expected 1 to 64 letters, digits, `-`, `_` or `.`, not \
             starting with `.`"
        ))
        .into());
    }
    if let Some(file) = &args.export_bmf {
        check_output_file("--export-bmf", file)?;
    }
    let timeout = duration_flag("--timeout", &args.timeout, Duration::from_secs(86_400))?;
    let profile = args.sampling.profile()?;
    let filter = args.select.filter()?;
    let scenarios = args.select.scenarios(default_set)?;
    let machine = results::fingerprint();
    if let Some(re) = &filter {
        let planned: Vec<_> =
            scenarios.iter().flat_map(|s| sweep::plan(s, machine.usable_cpus)).collect();
        let total = planned.len();
        if sweep::select(planned, Some(re)).is_empty() {
            return Err(BadInput(format!(
                "--filter {:?} matches none of the {total} planned cases \
                 (`gilbench list --cases` shows their keys)",
                re.as_str()
            ))
            .into());
        }
    }
    let not_applicable = scenarios
        .iter()
        .flat_map(|s| sweep::not_applicable(s, machine.usable_cpus))
        .filter(|n| filter.as_ref().is_none_or(|re| re.is_match(&n.key)))
        .count();
    let dir = run_dir(args.out.as_deref(), &machine.hostname)?;
    let cancel = interrupt_flag()?;
    let config = RunConfig {
        scenarios,
        profile,
        timeout,
        worker_exe: std::env::current_exe().context("locating the gilbench executable")?,
        cancel,
        command: std::env::args().collect(),
        seed: args.seed.unwrap_or_else(clock_seed),
        load_gate: (!args.no_wait).then(LoadGate::default),
        filter,
    };
    let mut progress = Progress::new(verbosity);
    let record = runner::run(&config, &dir, &mut |e| progress.on_event(e))
        .with_context(|| format!("run in {}", dir.path().display()))?;
    progress.finish();

    let index = report::publish(&record, dir.path(), &[])?;
    let failed = record
        .cases
        .iter()
        .filter(|c| {
            matches!(c.status, CaseStatus::Failed | CaseStatus::Timeout | CaseStatus::Deadlock)
        })
        .count();
    if verbosity > Verbosity::Quiet {
        eprintln!(
            "{} ({})",
            totals(&record.cases, not_applicable),
            match record.status {
                RunStatus::Interrupted => "interrupted",
                _ => "complete",
            }
        );
    }
    if verbosity == Verbosity::Verbose {
        let dispatch: Vec<String> = record
            .overhead
            .empty_task_ns
            .iter()
            .map(|(model, ns)| format!("{model} {ns:.0} ns"))
            .collect();
        eprintln!(
            "harness: clock read {:.0} ns; empty task through one unit: {}",
            record.overhead.clock_read_ns,
            dispatch.join(", ")
        );
    }
    if let Some(file) = &args.export_bmf {
        results::write_atomic(file, &results::bmf_json(&record))?;
    }
    if let Some(name) = &args.save_baseline {
        if record.status == RunStatus::Interrupted {
            eprintln!("the run was interrupted: not saved as the baseline {name}");
        } else {
            let saved = results::save_baseline(Path::new(REPORTS), name, &record)?;
            eprintln!("saved as the baseline {name} in {}", saved.display());
        }
    }
    println!("{}", index.display());
    Ok(if record.status == RunStatus::Interrupted {
        EXIT_INTERRUPTED
    } else if failed > 0 {
        EXIT_CASE_FAILED
    } else {
        EXIT_OK
    })
}

/// A flag's output file must be in a folder that exists (checked before anything runs).
pub(crate) fn check_output_file(flag: &str, file: &Path) -> Result<(), BadInput> {
    let parent = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if file.is_dir() || !parent.is_dir() {
        return Err(BadInput(format!(
            "{flag} {}: expected a file in an existing folder",
            file.display()
        )));
    }
    Ok(())
}

/// A seed for the interleaved order when none is given: from the clock (run.json records it).
pub(crate) fn clock_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

/// The run directory: `out` as given, else a new `reports/<date>-<host>-<NNN>/`.
pub(crate) fn run_dir(out: Option<&Path>, host: &str) -> Result<RunDir, BadInput> {
    match out {
        Some(dir) => RunDir::at(dir),
        None => {
            let date = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
            RunDir::new_under(Path::new(REPORTS), &date[..10], host)
        }
    }
    .map_err(|e| BadInput(e.to_string()))
}

/// A flag set by SIGINT or SIGTERM: the runner stops at the next chance and keeps what finished.
pub(crate) fn interrupt_flag() -> Result<Arc<AtomicBool>> {
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&cancel);
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .context("installing the SIGINT/SIGTERM handler")?;
    Ok(cancel)
}

/// The closing tally, adding up: `576 cases: 559 ok, 0 failed, 0 timed out, 17 not
/// applicable`, then any other outcome that occurred (deadlocked, unsupported here,
/// interrupted).
fn totals(cases: &[gilbench::results::CaseRecord], not_applicable: usize) -> String {
    let count = |status: CaseStatus| cases.iter().filter(|c| c.status == status).count();
    let mut out = format!(
        "{} cases: {} ok, {} failed, {} timed out, {not_applicable} not applicable",
        cases.len() + not_applicable,
        count(CaseStatus::Ok),
        count(CaseStatus::Failed),
        count(CaseStatus::Timeout),
    );
    for (status, name) in [
        (CaseStatus::Deadlock, "deadlocked"),
        (CaseStatus::Unsupported, "unsupported here"),
        (CaseStatus::Interrupted, "interrupted"),
    ] {
        let n = count(status);
        if n > 0 {
            out.push_str(&format!(", {n} {name}"));
        }
    }
    out
}
