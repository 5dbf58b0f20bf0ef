//! `gilbench report RUN_DIR`: redraw the charts and rewrite the report from `run.json` alone.

use std::path::Path;

use anyhow::{Context, Result};
use gilbench::{plot, report, results};

use super::EXIT_OK;

pub(crate) fn report(run_dir: &Path) -> Result<u8> {
    let record = results::load_run(run_dir)?;
    let dir = if run_dir.is_dir() { run_dir } else { run_dir.parent().unwrap_or(Path::new(".")) };
    let charts = plot::all_charts(&record, dir)
        .with_context(|| format!("drawing charts in {}", dir.display()))?;
    let index = report::write_report(&record, &charts, dir)?;
    println!("{}", index.display());
    Ok(EXIT_OK)
}
