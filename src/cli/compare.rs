//! `gilbench compare RUN... [--out DIR]`: several runs in one report;
//! `gilbench compare --baseline OLD NEW [--threshold PCT] [--json]`: the baseline gate — the
//! failures and regressions of NEW against OLD, and exit 1 when there are any. A run is a run
//! directory, a `run.json`, or the name of a baseline saved by `run --save-baseline`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;
use gilbench::{compare, plot, report, results};

use super::{BadInput, EXIT_CASE_FAILED, EXIT_OK, REPORTS};

#[derive(Debug, Args)]
pub(crate) struct CompareArgs {
    /// Run directories, run.json files or saved baseline names; the first is the reference.
    /// With --baseline, only the new run.
    #[arg(required = true, num_args = 1..)]
    runs: Vec<String>,
    /// Write the comparison here (default: a new folder under reports/).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// The baseline run (a run directory, a run.json, or a name saved with
    /// `run --save-baseline`): judge the one run given against it and exit 1 when a case that
    /// was ok in it is not ok now or got significantly worse.
    #[arg(long, value_name = "OLD")]
    baseline: Option<String>,
    /// With --baseline: how much worse (in percent) a significant change must be to count.
    #[arg(long, value_name = "PCT", default_value_t = 5.0)]
    threshold: f64,
    /// Print the result as JSON on stdout (the gate's failures and regressions with
    /// --baseline, every aligned case without) instead of the report's path.
    #[arg(long)]
    json: bool,
}

pub(crate) fn compare(args: CompareArgs) -> Result<u8> {
    if !(args.threshold.is_finite() && (0.0..=1000.0).contains(&args.threshold)) {
        return Err(BadInput(format!(
            "--threshold {}: expected 0 to 1000 percent",
            args.threshold
        ))
        .into());
    }
    let mut paths = Vec::new();
    if let Some(old) = &args.baseline {
        if args.runs.len() != 1 {
            return Err(BadInput(format!(
                "--baseline {old}: compares one new run against it; {} given",
                args.runs.len()
            ))
            .into());
        }
        paths.push(find_run("--baseline", old)?);
    } else if args.runs.len() < 2 {
        return Err(BadInput(
            "compare needs at least two runs (or --baseline OLD and one new run)".into(),
        )
        .into());
    }
    for run in &args.runs {
        paths.push(find_run("RUN", run)?);
    }
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let runs = compare::load_runs(&refs)?;
    let comparison = compare::align(&runs);
    let dir = super::run::run_dir(args.out.as_deref(), "compare")?;
    let threshold = args.threshold / 100.0;
    let gate = args.baseline.is_some().then(|| compare::gate(&runs[0], &runs[1], threshold));
    let charts = plot::compare_charts(&runs).context("drawing the comparison charts")?;
    let index = report::write_compare_report(
        &runs,
        &comparison,
        &charts,
        gate.as_ref().map(|g| (threshold, g)),
        dir.path(),
    )?;
    let significant = comparison
        .cases
        .iter()
        .filter(|a| a.per_run.iter().skip(1).flatten().any(|r| r.significant))
        .count();
    eprintln!(
        "{} cases aligned across {} runs; {significant} differ significantly from {}",
        comparison.cases.len(),
        runs.len(),
        runs[0].label
    );
    if let Some(gate) = &gate {
        for l in &gate.failures {
            let why = l.reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default();
            eprintln!("failure: {} was ok in the baseline and is {} now{why}", l.case, l.status);
        }
        for r in &gate.regressions {
            eprintln!(
                "regression: {} is {:.1} % worse ({} {} -> {}; new/old in [{:.3}, {:.3}])",
                r.case,
                r.worse_by * 100.0,
                r.unit,
                sig(r.old),
                sig(r.new),
                r.ci.0,
                r.ci.1
            );
        }
        if gate.passed() {
            eprintln!("no failure and no regression beyond {:.1} %", args.threshold);
        }
    }
    if args.json {
        let value = match &gate {
            Some(gate) => serde_json::json!({
                "baseline": runs[0].source,
                "new": runs[1].source,
                "threshold_percent": args.threshold,
                "passed": gate.passed(),
                "failures": gate.failures,
                "regressions": gate.regressions,
                "report": index,
            }),
            None => serde_json::json!({
                "runs": runs.iter().map(|r| serde_json::json!({
                    "label": r.label, "source": r.source,
                })).collect::<Vec<_>>(),
                "cases": comparison.cases,
                "report": index,
            }),
        };
        println!("{}", serde_json::to_string_pretty(&value).context("writing the JSON")?);
    } else {
        println!("{}", index.display());
    }
    Ok(match &gate {
        Some(gate) if !gate.passed() => EXIT_CASE_FAILED,
        _ => EXIT_OK,
    })
}

/// A figure with four significant digits.
fn sig(x: f64) -> String {
    format!("{x:.4e}")
}

/// The run `text` names: a run directory or `run.json` when one is there, else a baseline
/// saved under reports/ by that name.
fn find_run(flag: &str, text: &str) -> Result<PathBuf, BadInput> {
    let path = Path::new(text);
    if path.exists() {
        return Ok(path.to_path_buf());
    }
    let reports = Path::new(REPORTS);
    if let Some(dir) = results::saved_baseline(reports, text) {
        return Ok(dir);
    }
    let saved = results::saved_baselines(reports);
    let known = if saved.is_empty() {
        format!("none saved under {}", reports.join(results::BASELINES).display())
    } else {
        format!("saved: {}", saved.join(", "))
    };
    Err(BadInput(format!(
        "{flag} {text}: no run directory, run.json or saved baseline of that name ({known})"
    )))
}
