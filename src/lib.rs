//! gilbench measures, on the machine it runs on, whether a piece of work should run on
//! threads, processes or async tasks, and what a GIL-like global lock would cost it.
//!
//! Data flows one way through the modules:
//! `scenario` (TOML → validated scenario) → `sweep` (cases) → `runner` (warm-up, samples,
//! timeouts, events) driving `exec` (how units run) over `work` (what runs) → `measure` (raw
//! samples) → `stats` (summaries) → `results` (`run.json`, `samples.csv`) → `analysis` (GIL
//! penalty, crossover and Amdahl views) → `plot` (SVG) → `report` (HTML). The command-line
//! front end lives in the binary; nothing here prints.
//!
//! To run your own code through every model, start at [`api`]: register a
//! [`Workload`](work::Workload) (or a closure), call [`api::main_entry`] first in `main`, and
//! run it with [`api::Bench`].

pub mod analysis;
pub mod api;
pub mod compare;
pub mod exec;
pub mod measure;
pub mod plot;
pub mod probe;
pub mod report;
pub mod results;
pub mod runner;
pub mod scenario;
pub mod stats;
pub mod sweep;
mod sys;

pub use sys::private_dir;
pub mod work;
