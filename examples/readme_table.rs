//! Prints the README's "what it found" table from a finished run, so the table is regenerated
//! from a real run and never edited by hand:
//!
//! ```sh
//! cargo run --release --example readme_table -- reports/<run>
//! ```
//!
//! Each row is a shape of work at one worker count; each cell the speedup over sequential of
//! one model (the first scenario of the run that has it), with its interval.

use std::path::PathBuf;
use std::process::ExitCode;

use gilbench::results::{CaseRecord, CaseStatus, load_run};

/// (row label, workload, cpu_fraction, workers)
const ROWS: [(&str, &str, Option<&str>, usize); 4] = [
    ("CPU-bound, 2 workers", "cpu", None, 2),
    ("`io-sleep`, 4 workers", "io-sleep", None, 4),
    ("half CPU, half sleep, 4 workers", "mixed", Some("0.5"), 4),
    ("90 % CPU, 4 workers", "mixed", Some("0.9"), 4),
];

/// (column header, model)
const COLUMNS: [(&str, &str); 5] = [
    ("threads", "threads"),
    ("GIL threads", "gil"),
    ("processes (fork)", "processes:fork"),
    ("async (tokio, multi-thread)", "async:multi"),
    ("async (`spawn_blocking`)", "async:blocking"),
];

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: readme_table RUN_DIR");
        return ExitCode::from(2);
    };
    let run = match load_run(&dir) {
        Ok(run) => run,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let header: Vec<&str> = COLUMNS.iter().map(|c| c.0).collect();
    println!("| work | {} |", header.join(" | "));
    println!("| --- |{}", " --- |".repeat(COLUMNS.len()));
    for (label, workload, fraction, workers) in ROWS {
        let cells: Vec<String> = COLUMNS
            .iter()
            .map(|(_, model)| {
                let found = run.cases.iter().find(|c| {
                    c.workload == workload
                        && c.model == *model
                        && c.workers == workers
                        && c.status == CaseStatus::Ok
                        && c.params.get("cpu_fraction").map(String::as_str) == fraction
                        && is_two_ms(c)
                });
                match found.and_then(|c| c.speedup) {
                    Some(s) => format!("{:.2}× [{:.2}, {:.2}]", s.median, s.ci_low, s.ci_high),
                    None => "–".into(),
                }
            })
            .collect();
        println!("| {label} | {} |", cells.join(" | "));
    }
    ExitCode::SUCCESS
}

/// The README's rows are 16 tasks of 2 ms each.
fn is_two_ms(c: &CaseRecord) -> bool {
    let two = |key: &str| c.params.get(key).is_some_and(|v| v == "2ms");
    c.tasks == 16 && (two("task_duration") || two("sleep"))
}
