//! `gilbench list`: the shipped scenarios and their case counts.

use anyhow::Result;
use gilbench::scenario;
use gilbench::sweep;

use super::EXIT_OK;

pub(crate) fn list() -> Result<u8> {
    let cpus = gilbench::results::fingerprint().usable_cpus;
    println!("{:<20} {:>6}  {:<8} description", "scenario", "cases", "default");
    for shipped in scenario::shipped() {
        let sc = shipped.load()?;
        println!(
            "{:<20} {:>6}  {:<8} {}",
            sc.name,
            sweep::plan(&sc, cpus).len(),
            if shipped.default { "yes" } else { "" },
            sc.description
        );
    }
    Ok(EXIT_OK)
}
