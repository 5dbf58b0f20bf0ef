//! `gilbench calibrate`: check the GIL model against real CPython. Runs gilbench's own cases
//! for a few workload shapes (as `scenarios/gil.toml` does), runs the CPython peer
//! (`peers/cpython_peer.py`, embedded in the binary) with the same shapes, stores its output as
//! `cpython.json` beside `run.json`, and writes the report with its "Model vs real CPython"
//! section. A missing interpreter is a clean skip: one line, exit 0, gilbench's part done.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use clap::Args;
use gilbench::analysis::cpython::{compare, free_threading};
use gilbench::results::cpython::{CpythonRecord, cpython_file_name, parse_cpython};
use gilbench::results::{CaseStatus, RunStatus, write_atomic};
use gilbench::runner::{self, Profile, RunConfig};
use gilbench::scenario::show_duration;
use gilbench::{report, scenario};

use super::progress::Progress;
use super::{BadInput, EXIT_CASE_FAILED, EXIT_INTERRUPTED, EXIT_OK, Verbosity};

/// The peer script, carried by the binary so an installed gilbench has it.
const PEER_SCRIPT: &str = include_str!("../../peers/cpython_peer.py");

/// Fewest timed batches per case on either side: a median of three flips with one slow batch,
/// and a case that sometimes runs with its two threads on one CPU has such batches.
const PEER_MIN_SAMPLES: usize = 5;

/// Longest the peer may run before it is stopped.
const PEER_LIMIT: Duration = Duration::from_secs(900);

#[derive(Debug, Args)]
pub(crate) struct CalibrateArgs {
    /// Python interpreter that runs the CPython peer (a name on PATH or a path); repeat it to
    /// measure several side by side (e.g. a GIL build and a free-threaded one).
    #[arg(long, default_value = "python3", value_name = "PYTHON", action = clap::ArgAction::Append)]
    python: Vec<String>,
    /// Sampling profile (the peer takes the same warm-up; both sides time at least five
    /// batches per case).
    #[arg(long, default_value = "quick", value_parser = ["quick", "default", "full"])]
    profile: String,
    /// Put this run's files directly in DIR (default: a new folder under reports/).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Worker counts, e.g. 1,2,4 (default: 1, 2, 4, ... up to twice the usable CPUs).
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    workers: Vec<usize>,
    /// Tasks per batch.
    #[arg(long, default_value_t = 16)]
    tasks: usize,
    /// Duration of one task on one core (CPU share plus sleep).
    #[arg(long, default_value = "2ms", value_name = "DURATION")]
    task_duration: String,
    /// CPU shares of the mixed workload.
    #[arg(long, value_delimiter = ',', default_value = "0.25,0.5,0.75", value_name = "LIST")]
    cpu_fractions: Vec<f64>,
    /// Shares of the cpu workload done with the GIL released (the peer hashes with hashlib,
    /// which releases it; gilbench's `released_fraction`); 0 for none.
    #[arg(long, value_delimiter = ',', default_value = "0.5,1", value_name = "LIST")]
    released_fractions: Vec<f64>,
    /// Workload shapes to compare.
    #[arg(long, value_delimiter = ',', default_value = "cpu,io-sleep,mixed",
          value_parser = ["cpu", "io-sleep", "mixed"], value_name = "LIST")]
    workloads: Vec<String>,
    /// Payload carried to each task and back (pickled by the peer's processes).
    #[arg(long, default_value_t = 1024, value_name = "BYTES")]
    payload_bytes: usize,
    /// IO sleeps per point of the peer's convoy shape (0: skip it).
    #[arg(long, default_value_t = 100, value_name = "N")]
    convoy_iterations: usize,
    /// Per-case timeout of gilbench's cases, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 120.0)]
    timeout: f64,
}

/// The comparison's shapes, resolved from the arguments.
#[derive(Debug)]
struct Shapes {
    workers: Vec<usize>,
    task_duration: Duration,
    cpu_fractions: Vec<f64>,
    /// Released fractions above 0 (0 is the plain cpu shape).
    released_fractions: Vec<f64>,
}

impl Shapes {
    fn from_args(args: &CalibrateArgs, usable_cpus: usize) -> Result<Shapes> {
        let bad = |m: String| anyhow::Error::from(BadInput(m));
        let task_duration = scenario::parse_duration(&args.task_duration).ok_or_else(|| {
            bad(format!(
                "--task-duration {}: expected a duration like 2ms or 1s",
                args.task_duration
            ))
        })?;
        if task_duration.is_zero() || task_duration > Duration::from_secs(10) {
            return Err(bad(format!(
                "--task-duration {}: expected 1us to 10s",
                args.task_duration
            )));
        }
        let workers = if args.workers.is_empty() {
            gilbench::sweep::auto_workers(usable_cpus)
        } else {
            args.workers.clone()
        };
        if workers.iter().any(|&w| w == 0 || w > 1024) {
            return Err(bad("--workers: expected counts from 1 to 1024".into()));
        }
        if !(1..=100_000).contains(&args.tasks) {
            return Err(bad(format!("--tasks {}: expected 1 to 100000", args.tasks)));
        }
        if args.cpu_fractions.iter().any(|f| !(0.0..=1.0).contains(f)) {
            return Err(bad("--cpu-fractions: expected fractions from 0 to 1".into()));
        }
        if !(args.timeout.is_finite() && args.timeout > 0.0 && args.timeout <= 86_400.0) {
            return Err(bad(format!(
                "--timeout {}: expected seconds between 0 and 86400",
                args.timeout
            )));
        }
        if args.released_fractions.iter().any(|f| !(0.0..=1.0).contains(f)) {
            return Err(bad("--released-fractions: expected fractions from 0 to 1".into()));
        }
        let mut cpu_fractions = args.cpu_fractions.clone();
        cpu_fractions.dedup_by(|a, b| a == b);
        let mut released_fractions: Vec<f64> =
            args.released_fractions.iter().copied().filter(|f| *f > 0.0).collect();
        released_fractions.sort_by(f64::total_cmp);
        released_fractions.dedup();
        Ok(Shapes { workers, task_duration, cpu_fractions, released_fractions })
    }
}

/// gilbench's side: the models the peer's are compared with, on the same shapes.
fn scenario_text(args: &CalibrateArgs, shapes: &Shapes, switch_interval: Duration) -> String {
    let list = |v: &[String]| v.join(", ");
    let workers: Vec<String> = shapes.workers.iter().map(|w| w.to_string()).collect();
    let d = show_duration(shapes.task_duration);
    let mut text = format!(
        "name = \"calibrate\"\n\
         description = \"The GIL model and its neighbours on the shapes the CPython peer measures\"\n\
         models = [\"sequential\", \"threads\", \"gil\", \"processes:fork\", \"async:current\"]\n\
         workers = [{}]\ntasks = {}\npayload_bytes = {}\nswitch_interval = \"{}\"\n",
        list(&workers),
        args.tasks,
        args.payload_bytes,
        show_duration(switch_interval)
    );
    if args.workloads.iter().any(|w| w == "cpu") {
        text.push_str(&format!("\n[[workload]]\nkind = \"cpu\"\ntask_duration = \"{d}\"\n"));
        if !shapes.released_fractions.is_empty() {
            let r: Vec<String> =
                shapes.released_fractions.iter().map(|f| format!("{f:?}")).collect();
            text.push_str(&format!(
                "\n[[workload]]\nkind = \"cpu\"\ntask_duration = \"{d}\"\nreleased_fraction = [{}]\n",
                list(&r)
            ));
        }
    }
    if args.workloads.iter().any(|w| w == "io-sleep") {
        text.push_str(&format!("\n[[workload]]\nkind = \"io-sleep\"\nsleep = \"{d}\"\n"));
    }
    if args.workloads.iter().any(|w| w == "mixed") && !shapes.cpu_fractions.is_empty() {
        let f: Vec<String> = shapes.cpu_fractions.iter().map(|f| format!("{f:?}")).collect();
        text.push_str(&format!(
            "\n[[workload]]\nkind = \"mixed\"\ntask_duration = \"{d}\"\ncpu_fraction = [{}]\n",
            list(&f)
        ));
    }
    text
}

/// What became of the interpreter.
#[derive(Debug)]
enum Python {
    /// It runs; its switch interval.
    Ready(Duration),
    /// Not installed (or not at that path).
    Missing,
    /// It exists but cannot run the peer.
    Broken(String),
}

fn probe_python(python: &str) -> Python {
    let out = Command::new(python)
        .args([
            "-c",
            "import sys, platform; assert sys.version_info >= (3, 8); \
             print(sys.getswitchinterval()); print(platform.python_implementation())",
        ])
        .stdin(Stdio::null())
        .output();
    match out {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Python::Missing,
        Err(e) => Python::Broken(format!("cannot run `{python}`: {e}")),
        Ok(o) if !o.status.success() => Python::Broken(format!(
            "`{python}` is not a usable Python 3.8 or newer ({}): {}",
            o.status,
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Ok(o) => {
            let text = String::from_utf8_lossy(&o.stdout);
            let mut lines = text.lines().map(str::trim);
            let interval = lines.next().unwrap_or_default();
            match (interval.parse::<f64>(), lines.next().unwrap_or_default()) {
                (_, implementation) if implementation != "CPython" => Python::Broken(format!(
                    "`{python}` is {implementation}, not CPython: the peer measures CPython's GIL"
                )),
                (Ok(s), _) if s.is_finite() && s > 0.0 && s < 1.0 => {
                    Python::Ready(Duration::from_secs_f64(s))
                }
                _ => Python::Broken(format!(
                    "`{python}` reported an odd switch interval: {interval}"
                )),
            }
        }
    }
}

/// Runs the peer and returns its stdout (JSON).
fn run_peer(
    python: &str,
    args: &CalibrateArgs,
    shapes: &Shapes,
    profile: &Profile,
    cancel: &AtomicBool,
) -> Result<String> {
    let scratch = gilbench::private_dir("peer")
        .context("creating a private directory for the CPython peer")?;
    let script = scratch.path().join("cpython_peer.py");
    std::fs::write(&script, PEER_SCRIPT).context("writing the CPython peer script")?;
    let join = |v: Vec<String>| v.join(",");
    let mut cmd = Command::new(python);
    cmd.arg(&script)
        .arg("--workers")
        .arg(join(shapes.workers.iter().map(|w| w.to_string()).collect()))
        .arg("--tasks")
        .arg(args.tasks.to_string())
        .arg("--task-duration")
        .arg(show_duration(shapes.task_duration))
        .arg("--cpu-fractions")
        .arg(join(shapes.cpu_fractions.iter().map(|f| f.to_string()).collect()))
        .arg(format!(
            "--released-fractions={}",
            join(shapes.released_fractions.iter().map(|f| f.to_string()).collect())
        ))
        .arg("--workloads")
        .arg(args.workloads.join(","))
        .arg("--payload-bytes")
        .arg(args.payload_bytes.to_string())
        .arg("--samples")
        // The peer samples a fixed count: the profile's minimum (at least PEER_MIN_SAMPLES).
        .arg(profile.min_rounds.to_string())
        .arg("--warmup")
        .arg(profile.warmup.to_string())
        .arg("--lead-in")
        .arg(show_duration(runner::VISIT_LEAD_IN))
        .arg("--convoy-iterations")
        .arg(args.convoy_iterations.to_string())
        .current_dir(scratch.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().with_context(|| format!("starting `{python}`"))?;
    let mut stdout = child.stdout.take().expect("invariant: piped");
    let mut stderr = child.stderr.take().expect("invariant: piped");
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        stdout.read_to_string(&mut s).map(|_| s)
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + PEER_LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().context("waiting for the CPython peer")? {
            break status;
        }
        if cancel.load(Ordering::Relaxed) || Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(anyhow!(if cancel.load(Ordering::Relaxed) {
                "the CPython peer was interrupted".to_string()
            } else {
                format!("the CPython peer ran past {} s and was stopped", PEER_LIMIT.as_secs())
            }));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = out.join().map_err(|_| anyhow!("reading the peer's output panicked"))??;
    let stderr = err.join().unwrap_or_default();
    if !status.success() {
        // One line: a traceback's last line names the exception.
        let last = stderr.lines().map(str::trim).rfind(|l| !l.is_empty()).unwrap_or("no message");
        return Err(anyhow!("the CPython peer failed ({status}): {last}"));
    }
    Ok(stdout)
}

pub(crate) fn calibrate(args: CalibrateArgs, verbosity: Verbosity) -> Result<u8> {
    let mut profile = Profile::named(&args.profile).expect("invariant: clap checked the name");
    // Both sides' medians come from at least as many batches: the peer times a fixed count,
    // gilbench's cases at least as many rounds.
    profile.min_rounds = profile.min_rounds.max(PEER_MIN_SAMPLES);
    profile.max_rounds = profile.max_rounds.max(profile.min_rounds);
    let machine = gilbench::results::fingerprint();
    let shapes = Shapes::from_args(&args, machine.usable_cpus)?;
    let pythons: Vec<(&str, Python)> =
        args.python.iter().map(|p| (p.as_str(), probe_python(p))).collect();
    // gilbench's GIL takes the first usable interpreter's switch interval.
    let switch_interval = pythons
        .iter()
        .find_map(|(_, p)| match p {
            Python::Ready(si) => Some(*si),
            _ => None,
        })
        .unwrap_or(gilbench::exec::gil::DEFAULT_SWITCH_INTERVAL);
    let text = scenario_text(&args, &shapes, switch_interval);
    let sc =
        scenario::parse(&text, Path::new("<calibrate>")).map_err(|e| BadInput(e.to_string()))?;

    let dir = super::run::run_dir(args.out.as_deref(), &machine.hostname)?;
    let cancel = super::run::interrupt_flag()?;
    let config = RunConfig {
        scenarios: vec![sc],
        profile: profile.clone(),
        timeout: Duration::from_secs_f64(args.timeout),
        worker_exe: std::env::current_exe().context("locating the gilbench executable")?,
        cancel: Arc::clone(&cancel),
        command: std::env::args().collect(),
        seed: super::run::clock_seed(),
        load_gate: Some(gilbench::runner::LoadGate::default()),
        filter: None,
    };
    let mut progress = Progress::new(verbosity);
    let record = runner::run(&config, &dir, &mut |e| progress.on_event(e))
        .with_context(|| format!("run in {}", dir.path().display()))?;
    progress.finish();
    let failed = record
        .cases
        .iter()
        .filter(|c| matches!(c.status, CaseStatus::Failed | CaseStatus::Timeout))
        .count();
    let interrupted = record.status == RunStatus::Interrupted;

    // The peer with each interpreter, unless it is missing or the run was interrupted.
    let mut peer_failed = false;
    let mut peers: Vec<CpythonRecord> = Vec::new();
    for (name, python) in &pythons {
        if interrupted || cancel.load(Ordering::Relaxed) {
            break;
        }
        match python {
            Python::Missing => eprintln!(
                "python interpreter `{name}` not found: skipped the comparison with it \
                 (gilbench's cases are in {})",
                dir.path().display()
            ),
            Python::Broken(why) => {
                eprintln!("error: {why}; skipped the comparison with it");
                peer_failed = true;
            }
            Python::Ready(_) => {
                eprintln!("running the CPython peer with `{name}` ...");
                match run_peer(name, &args, &shapes, &profile, &cancel) {
                    Ok(json) => {
                        let path = dir.path().join(cpython_file_name(peers.len()));
                        match parse_cpython(&json, &path) {
                            Ok(peer) => {
                                write_atomic(&path, json.as_bytes())?;
                                peers.push(peer);
                            }
                            Err(e) => {
                                eprintln!("error: `{name}`: {e}");
                                peer_failed = true;
                            }
                        }
                    }
                    Err(e) => {
                        eprintln!("error: `{name}`: {e:#}");
                        peer_failed |= !cancel.load(Ordering::Relaxed);
                    }
                }
            }
        }
    }

    let index = report::publish(&record, dir.path(), &peers)?;
    for p in &peers {
        let cmp = compare(&record, p);
        eprintln!(
            "{} (switch interval {}) against gilbench's models:",
            p.label(),
            show_duration(Duration::from_secs_f64(p.switch_interval_s))
        );
        for s in cmp.summaries() {
            eprintln!("  {}", report::summary_sentence(&s));
        }
        eprintln!("every point, gilbench's speedup / CPython's:");
        for line in report::point_lines(&cmp) {
            eprintln!("  {line}");
        }
        let checks: Vec<_> = cmp.checks().collect();
        let holding = checks.iter().filter(|c| c.holds == Some(true)).count();
        eprintln!("shape checks: {holding} of {} hold", checks.len());
        for c in checks.iter().filter(|c| c.holds != Some(true)) {
            eprintln!("  {}", report::check_sentence(c));
        }
    }
    if !peers.is_empty() {
        for s in report::free_threading_sentences(&free_threading(&peers)) {
            eprintln!("{s}");
        }
    }
    println!("{}", index.display());
    Ok(if interrupted || cancel.load(Ordering::Relaxed) {
        EXIT_INTERRUPTED
    } else if failed > 0 || peer_failed {
        EXIT_CASE_FAILED
    } else {
        EXIT_OK
    })
}
