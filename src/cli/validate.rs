//! `gilbench validate FILE...`: parse and check scenario files (or shipped scenarios by name),
//! print their case counts and how many combinations of their axes cannot run anywhere (left
//! out of the plan).

use std::path::PathBuf;

use anyhow::Result;
use gilbench::{scenario, sweep};

use super::EXIT_OK;

pub(crate) fn validate(files: &[PathBuf]) -> Result<u8> {
    let cpus = gilbench::results::fingerprint().usable_cpus;
    for file in files {
        let sc = scenario::load_file_or_shipped(file)?;
        println!(
            "{}: ok, scenario `{}`, {} cases, {} not applicable",
            file.display(),
            sc.name,
            sweep::plan(&sc, cpus).len(),
            sweep::not_applicable(&sc, cpus).len()
        );
    }
    Ok(EXIT_OK)
}
