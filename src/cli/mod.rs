//! The command line: the only place that knows clap, anyhow, terminal output and progress
//! bars. Each subcommand turns its arguments into plain library configuration.

mod calibrate;
mod check;
mod compare;
mod list;
mod progress;
mod report;
mod run;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code: every case ok.
pub(crate) const EXIT_OK: u8 = 0;
/// Exit code: some case failed or timed out.
pub(crate) const EXIT_CASE_FAILED: u8 = 1;
/// Exit code: bad input (scenario, arguments, results file).
pub(crate) const EXIT_BAD_INPUT: u8 = 2;
/// Exit code: interrupted by SIGINT/SIGTERM.
pub(crate) const EXIT_INTERRUPTED: u8 = 130;

/// The reports folder (relative to the working directory): runs land in it, and saved
/// baselines under its `baselines/`.
pub(crate) const REPORTS: &str = "reports";

/// Where the scenario schema is documented, for error messages.
pub(crate) const SCENARIO_GUIDE: &str = "scenarios/README.md";

/// Threads, processes or async? gilbench measures it on this machine, and what a GIL-like
/// global lock would cost.
#[derive(Debug, Parser)]
#[command(name = "gilbench", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run scenarios (the shipped default set when none is given) and write the report.
    Run(run::RunArgs),
    /// List the shipped scenarios with their case counts.
    List,
    /// Check scenario files without running them.
    Validate {
        /// Scenario files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Put several runs (machines, settings) side by side; with --baseline, flag regressions.
    Compare(compare::CompareArgs),
    /// Redraw the charts and rewrite index.html of a finished run (a run directory, a run.json
    /// or a saved baseline's name) from its run.json.
    Report {
        /// The run directory (or its run.json).
        run_dir: PathBuf,
        /// Also show criterion's estimates from this folder (usually target/criterion).
        #[arg(long, value_name = "DIR")]
        criterion: Option<PathBuf>,
        /// Also write the run's figures to FILE in Bencher Metric Format (JSON).
        #[arg(long, value_name = "FILE")]
        export_bmf: Option<PathBuf>,
    },
    /// Check the GIL model against real CPython: run gilbench's models and the CPython peer on
    /// the same workload shapes, store the peer's figures as cpython.json, write the report.
    Calibrate(calibrate::CalibrateArgs),
    /// Check that the IPC and context-switch figures of the shipped run do not depend on their
    /// neighbours: each case in its group beside the same case alone, in the same minute, and
    /// `perf bench sched pipe` where `perf` exists. Exit 1 when a case differs by more than the
    /// tolerance.
    Check(check::CheckArgs),
    /// Worker process (started by gilbench itself).
    #[command(hide = true, name = "__worker")]
    Worker,
    /// Fork server (started by gilbench itself).
    #[command(hide = true, name = "__forkserver")]
    ForkServer,
    /// CPU hog of the convoy probe (started by gilbench itself).
    #[command(hide = true, name = "__hog")]
    Hog,
    /// Peer process of the switch probe (started by gilbench itself).
    #[command(hide = true, name = "__switch-peer")]
    SwitchPeer { args: Vec<String> },
    /// Contender process of the lock probe (started by gilbench itself).
    #[command(hide = true, name = "__lockpeer")]
    LockPeer { index: usize, parent: u32 },
    /// Peer of the IPC probes (started by gilbench itself).
    #[command(hide = true, name = "__ipcpeer")]
    IpcPeer,
}

/// A failure that maps to a specific exit code.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct BadInput(pub(crate) String);

pub(crate) fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_BAD_INPUT } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let outcome = match cli.command {
        // Children must not start any thread before they are set up: dispatch first.
        Command::Worker => return ExitCode::from(gilbench::exec::worker::worker_main() as u8),
        Command::ForkServer => {
            return ExitCode::from(gilbench::exec::worker::forkserver_main() as u8);
        }
        Command::Hog => return ExitCode::from(gilbench::probe::convoy::hog_main() as u8),
        Command::SwitchPeer { args } => {
            return ExitCode::from(gilbench::probe::switch::peer_main(&args) as u8);
        }
        Command::LockPeer { index, parent } => {
            return ExitCode::from(gilbench::probe::lock::peer_main(index, parent) as u8);
        }
        Command::IpcPeer => return ExitCode::from(gilbench::probe::ipc::ipcpeer_main() as u8),
        Command::Run(args) => run::run(args),
        Command::List => list::list(),
        Command::Validate { files } => validate::validate(&files),
        Command::Report { run_dir, criterion, export_bmf } => {
            report::report(&run_dir, criterion.as_deref(), export_bmf.as_deref())
        }
        Command::Compare(args) => compare::compare(args),
        Command::Calibrate(args) => calibrate::calibrate(args),
        Command::Check(args) => check::run(args),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("error: {err:#}");
            if err.chain().any(|e| e.is::<gilbench::scenario::ScenarioError>()) {
                eprintln!(
                    "note: every scenario key, its type, default and limits: {SCENARIO_GUIDE}"
                );
            }
            ExitCode::from(exit_code_for(&err))
        }
    }
}

fn exit_code_for(err: &anyhow::Error) -> u8 {
    let bad_input = err.chain().any(|e| {
        e.is::<BadInput>()
            || e.is::<gilbench::scenario::ScenarioError>()
            || matches!(
                e.downcast_ref::<gilbench::results::ResultsError>(),
                Some(
                    gilbench::results::ResultsError::Invalid { .. }
                        | gilbench::results::ResultsError::Schema { .. }
                        | gilbench::results::ResultsError::Read { .. }
                )
            )
    });
    if bad_input { EXIT_BAD_INPUT } else { EXIT_CASE_FAILED }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
