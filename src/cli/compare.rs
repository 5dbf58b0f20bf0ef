//! `gilbench compare RUN... [--out DIR] [--baseline --threshold PCT]`: several runs in one
//! report; with `--baseline`, the regressions of the second run against the first and a
//! non-zero exit when there are any.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;
use gilbench::{compare, plot, report};

use super::{BadInput, EXIT_CASE_FAILED, EXIT_OK};

#[derive(Debug, Args)]
pub(crate) struct CompareArgs {
    /// Run directories or run.json files; the first is the reference.
    #[arg(required = true, num_args = 2..)]
    runs: Vec<PathBuf>,
    /// Write the comparison here (default: a new folder under reports/).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Treat the two runs as OLD NEW and exit 1 when NEW regressed.
    #[arg(long)]
    baseline: bool,
    /// With --baseline: how much worse (in percent) a significant change must be to count.
    #[arg(long, value_name = "PCT", default_value_t = 5.0)]
    threshold: f64,
}

pub(crate) fn compare(args: CompareArgs) -> Result<u8> {
    if args.baseline && args.runs.len() != 2 {
        return Err(BadInput(format!(
            "--baseline compares exactly two runs (OLD NEW); {} given",
            args.runs.len()
        ))
        .into());
    }
    if !(args.threshold.is_finite() && (0.0..=1000.0).contains(&args.threshold)) {
        return Err(BadInput(format!(
            "--threshold {}: expected 0 to 1000 percent",
            args.threshold
        ))
        .into());
    }
    let paths: Vec<&Path> = args.runs.iter().map(PathBuf::as_path).collect();
    let runs = compare::load_runs(&paths)?;
    let comparison = compare::align(&runs);
    let dir = super::run::run_dir(args.out.as_deref(), "compare")?;
    let threshold = args.threshold / 100.0;
    let found = args.baseline.then(|| compare::regressions(&runs[0], &runs[1], threshold));
    let charts = plot::compare_charts(&runs, dir.path())
        .with_context(|| format!("drawing charts in {}", dir.path().display()))?;
    let index = report::write_compare_report(
        &runs,
        &comparison,
        &charts,
        found.as_deref().map(|f| (threshold, f)),
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
    let code = match &found {
        Some(found) if !found.is_empty() => {
            for r in found {
                eprintln!(
                    "regression: {} is {:.1} % worse (new/old in [{:.3}, {:.3}])",
                    r.case,
                    r.worse_by * 100.0,
                    r.ci.0,
                    r.ci.1
                );
            }
            EXIT_CASE_FAILED
        }
        Some(_) => {
            eprintln!("no regression beyond {:.1} %", args.threshold);
            EXIT_OK
        }
        None => EXIT_OK,
    };
    println!("{}", index.display());
    Ok(code)
}
