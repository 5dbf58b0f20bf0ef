//! `gilbench report RUN_DIR [--export-bmf FILE]`: redraw the charts and rewrite the report
//! from `run.json` (and the CPython peer's `cpython.json`, when the directory has one); RUN_DIR
//! may also name a saved baseline. With `--export-bmf`, also the figures in Bencher Metric
//! Format.

use std::path::Path;

use anyhow::{Context, Result};
use gilbench::{report, results};

use super::{EXIT_OK, REPORTS};

pub(crate) fn report(run_dir: &Path, criterion: Option<&Path>, bmf: Option<&Path>) -> Result<u8> {
    let saved = (!run_dir.exists())
        .then(|| run_dir.to_str().and_then(|n| results::saved_baseline(Path::new(REPORTS), n)))
        .flatten();
    let run_dir = saved.as_deref().unwrap_or(run_dir);
    if let Some(file) = bmf {
        super::run::check_output_file("--export-bmf", file)?;
    }
    let record = results::load_run(run_dir)?;
    if let Some(file) = bmf {
        results::write_atomic(file, &results::bmf_json(&record))?;
    }
    let dir = if run_dir.is_dir() { run_dir } else { run_dir.parent().unwrap_or(Path::new(".")) };
    if let Some(from) = criterion {
        let n = results::criterion::import_criterion(from, dir)?;
        eprintln!("{n} criterion benchmarks from {}", from.display());
    }
    let cpython = results::cpython::cpythons_beside(dir)?;
    let index = report::publish(&record, dir, &cpython)
        .with_context(|| format!("writing the report in {}", dir.display()))?;
    println!("{}", index.display());
    Ok(EXIT_OK)
}
