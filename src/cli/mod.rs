//! The command line: the only place that knows clap, anyhow, terminal output and progress
//! bars. Each subcommand turns its arguments into plain library configuration.

mod calibrate;
mod check;
mod compare;
mod docs;
mod list;
mod progress;
mod report;
mod run;
mod sampling;
mod select;
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

/// How much a command prints besides its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Verbosity {
    /// `-q`: no progress or summary; the result (the report's path) and errors only.
    Quiet,
    /// Progress bar on a terminal, failed cases, a summary line.
    Normal,
    /// `-v`: also every finished case and the harness's own overhead.
    Verbose,
}

const AFTER_HELP: &str = "\
Profiles (run, list, calibrate, check): each group samples in rounds until every speedup
(probes: every median) is known to the half-width, within the rounds and the budget per case
  quick    1 warm-up, 3 to 10 rounds, ±5 %, 100 ms per case (the default)
  default  2 warm-up, 5 to 40 rounds, ±5 %, 1 s per case
  full     3 warm-up, 10 to 200 rounds, ±2 %, 5 s per case

Examples:
  gilbench run                                    the shipped default set, quick profile
  gilbench run --scenario gil --filter 'workers=2'
  gilbench list --cases --scenario convoy         case keys and estimated times
  gilbench validate my-scenario.toml
  gilbench completions bash > ~/.local/share/bash-completion/completions/gilbench

Exit codes: 0 ok, 1 a case failed or timed out (or a regression), 2 bad input, 130 interrupted.";

/// Threads, processes or async? gilbench measures it on this machine, and what a GIL-like
/// global lock would cost.
#[derive(Debug, Parser)]
#[command(name = "gilbench", version, about, long_about = None, after_help = AFTER_HELP)]
pub(crate) struct Cli {
    /// Print no progress and no summary: only the result (the report's path) and errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Print more: every finished case with its median, and the harness's own overhead.
    #[arg(short, long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run scenarios (the shipped default set when none is given) and write the report.
    #[command(after_help = "Examples:
  gilbench run                                   the shipped default set (quick profile)
  gilbench run --scenario gil --scenario convoy  two shipped scenarios by name
  gilbench run my.toml --filter 'threads|gil'    only the cases whose key matches
  gilbench run --profile default --cpus 0-1      more samples, on two CPUs")]
    Run(run::RunArgs),
    /// List the shipped scenarios with their case counts; with --cases, the case keys a run
    /// would measure and their estimated times.
    #[command(after_help = "Examples:
  gilbench list                                  every shipped scenario
  gilbench list --cases                          the default set's case keys and times
  gilbench list --cases --scenario gil --filter '/gil/' --profile full")]
    List(list::ListArgs),
    /// Check scenario files (or shipped scenarios by name) without running them.
    #[command(after_help = "Examples:
  gilbench validate my-scenario.toml
  gilbench validate gil-granularity              a shipped scenario by name")]
    Validate {
        /// Scenario files or shipped scenario names.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Put several runs (machines, settings) side by side; with --baseline, flag regressions.
    #[command(after_help = "Examples:
  gilbench compare reports/2026-12-05-a-001 reports/2026-12-05-b-001
  gilbench compare --baseline old-run new-run --threshold 5   exit 1 on a regression")]
    Compare(compare::CompareArgs),
    /// Redraw the charts and rewrite index.html of a finished run (a run directory, a run.json
    /// or a saved baseline's name) from its run.json.
    #[command(after_help = "Example:
  gilbench report reports/2026-12-05-myhost-001 --criterion target/criterion")]
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
    #[command(after_help = "Example:
  gilbench calibrate --python python3 --profile quick")]
    Calibrate(calibrate::CalibrateArgs),
    /// Check that the IPC and context-switch figures of the shipped run do not depend on their
    /// neighbours: each case in its group beside the same case alone, in the same minute, and
    /// `perf bench sched pipe` where `perf` exists. Exit 1 when a case differs by more than the
    /// tolerance.
    #[command(after_help = "Example:
  gilbench check --tolerance 15")]
    Check(check::CheckArgs),
    /// Print a shell completion script.
    #[command(after_help = "Examples:
  gilbench completions bash > ~/.local/share/bash-completion/completions/gilbench
  gilbench completions zsh > ~/.zfunc/_gilbench
  gilbench completions fish > ~/.config/fish/completions/gilbench.fish")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    #[command(after_help = "Example:
  gilbench man > gilbench.1 && man ./gilbench.1")]
    Man,
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
    let verbosity = match (cli.quiet, cli.verbose) {
        (true, _) => Verbosity::Quiet,
        (_, true) => Verbosity::Verbose,
        _ => Verbosity::Normal,
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
        Command::Run(args) => run::run(args, verbosity),
        Command::List(args) => list::list(args, verbosity),
        Command::Validate { files } => validate::validate(&files),
        Command::Report { run_dir, criterion, export_bmf } => {
            report::report(&run_dir, criterion.as_deref(), export_bmf.as_deref())
        }
        Command::Compare(args) => compare::compare(args),
        Command::Calibrate(args) => calibrate::calibrate(args, verbosity),
        Command::Check(args) => check::run(args, verbosity),
        Command::Completions { shell } => docs::completions(shell),
        Command::Man => docs::man(),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("error: {err:#}");
            let at_key = |e: &(dyn std::error::Error + 'static)| {
                matches!(
                    e.downcast_ref::<gilbench::scenario::ScenarioError>(),
                    Some(gilbench::scenario::ScenarioError::At { .. })
                )
            };
            if err.chain().any(at_key) {
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

    /// The profiles `--help` describes are the ones the runner uses.
    #[test]
    fn help_states_each_profiles_counts() {
        for name in ["quick", "default", "full"] {
            let p = gilbench::runner::Profile::named(name).unwrap();
            let line = super::AFTER_HELP
                .lines()
                .find(|l| l.trim_start().starts_with(name))
                .unwrap_or_else(|| panic!("no line for {name}"));
            let budget = if p.case_budget.as_secs() >= 1 {
                format!("{} s", p.case_budget.as_secs())
            } else {
                format!("{} ms", p.case_budget.as_millis())
            };
            let counts = format!(
                "{} warm-up, {} to {} rounds, ±{} %, {budget} per case",
                p.warmup,
                p.min_rounds,
                p.max_rounds,
                p.half_width * 100.0,
            );
            assert!(line.contains(&counts), "{line:?} should say {counts:?}");
        }
    }
}
