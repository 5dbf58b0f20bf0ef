//! Users' own workloads: the [`Registry`] of named workload factories, the process-wide copy
//! of it that [`WorkSpec::Custom`](super::WorkSpec::Custom) is rebuilt from (in the parent and
//! in every worker process), and [`FnWorkload`], the adapter that turns a closure into a
//! [`Workload`].
//!
//! A worker process only knows the workloads its executable registered before it started
//! serving: the user's binary installs its registry in `gilbench::api::main_entry`, and a
//! worker asked for a name it does not know answers an error that names that call.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, RwLock};

use super::{Character, Task, TaskResult, Unit, WorkError, Workload, fold_checksum};

/// The parameters of a custom workload, by name: travel to worker processes with its name and
/// appear as `param=value` in case keys.
pub type Params = BTreeMap<String, String>;

/// Builds a custom workload from its parameters; `Err` says why the parameters do not fit.
pub type Factory = dyn Fn(&Params) -> Result<Box<dyn Workload>, String> + Send + Sync;

/// Named workload factories: what a user's program can run through every execution model.
///
/// ```
/// use gilbench::work::{Character, FnWorkload, Registry};
///
/// let registry = Registry::new().with("echo", |_params| {
///     Ok(FnWorkload::new(Character::Cpu, |task| Ok(task.input.clone())))
/// });
/// assert_eq!(registry.names(), vec!["echo"]);
/// ```
#[derive(Clone, Default)]
pub struct Registry {
    factories: BTreeMap<String, Arc<Factory>>,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry").field("names", &self.names()).finish()
    }
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Registers `factory` under `name` (replacing an earlier one of that name).
    ///
    /// The name becomes the workload's name in case keys and reports: 1 to 64 letters,
    /// digits, `-`, `_` or `.`, and not the name of a built-in workload
    /// (see [`check_name`]; a bad name is refused when a benchmark runs).
    pub fn with<W, F>(mut self, name: &str, factory: F) -> Registry
    where
        W: Workload + 'static,
        F: Fn(&Params) -> Result<W, String> + Send + Sync + 'static,
    {
        let boxed: Arc<Factory> =
            Arc::new(move |p: &Params| factory(p).map(|w| Box::new(w) as Box<dyn Workload>));
        self.factories.insert(name.to_string(), boxed);
        self
    }

    /// The registered names, sorted.
    pub fn names(&self) -> Vec<&str> {
        self.factories.keys().map(String::as_str).collect()
    }

    /// Whether `name` is registered.
    pub fn contains(&self, name: &str) -> bool {
        self.factories.contains_key(name)
    }

    /// Builds the workload registered as `name` with `params`.
    pub fn build(&self, name: &str, params: &Params) -> Result<Box<dyn Workload>, String> {
        match self.factories.get(name) {
            Some(factory) => {
                factory(params).map_err(|e| format!("workload `{name}` with {params:?}: {e}"))
            }
            None => Err(not_registered(name)),
        }
    }

    /// Makes every workload of this registry known to this process (merged with what was
    /// installed before): worker processes and in-process units build custom workloads from
    /// the installed set.
    pub fn install(&self) {
        let mut global = INSTALLED.write().unwrap_or_else(|e| e.into_inner());
        for (name, factory) in &self.factories {
            global.insert(name.clone(), Arc::clone(factory));
        }
    }
}

/// The workloads installed in this process.
static INSTALLED: RwLock<BTreeMap<String, Arc<Factory>>> = RwLock::new(BTreeMap::new());

/// Builds an installed custom workload.
pub(crate) fn build_installed(name: &str, params: &Params) -> Result<Box<dyn Workload>, String> {
    let factory = {
        let global = INSTALLED.read().unwrap_or_else(|e| e.into_inner());
        global.get(name).cloned()
    };
    match factory {
        Some(factory) => {
            factory(params).map_err(|e| format!("workload `{name}` with {params:?}: {e}"))
        }
        None => Err(not_registered(name)),
    }
}

fn not_registered(name: &str) -> String {
    format!(
        "workload `{name}` is not registered in this process: the program must call \
         gilbench::api::main_entry(&registry) first in main, with a registry that holds `{name}`"
    )
}

/// The environment variable that tells a re-executed program it was started as a gilbench
/// worker process (`worker`) or fork server (`forkserver`); set by the `processes` models on
/// their children and read by `gilbench::api::main_entry`. Commands run by the `command`
/// workload never inherit it.
pub const WORKER_ROLE_ENV: &str = "GILBENCH_WORKER_ROLE";

/// Names the built-in workloads use; a custom workload may not take one.
pub const RESERVED_NAMES: [&str; 7] =
    ["cpu", "io-sleep", "io-file", "io-net", "mixed", "command", "custom"];

/// Checks a custom workload's name: 1 to 64 letters, digits, `-`, `_` or `.`, not reserved.
pub fn check_name(name: &str) -> Result<(), String> {
    let ok_chars = name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if name.is_empty() || name.len() > 64 || !ok_chars {
        return Err(format!(
            "{name:?} is not a usable workload name; expected 1 to 64 letters, digits, `-`, `_` \
             or `.`"
        ));
    }
    if RESERVED_NAMES.contains(&name) {
        return Err(format!("{name:?} is the name of a built-in workload; choose another"));
    }
    Ok(())
}

/// Checks a parameter: its name as a workload name (reserved words allowed), its value free
/// of `/`, `=` and whitespace (case keys are `param=value` joined by `/`).
pub fn check_param(key: &str, value: &str) -> Result<(), String> {
    let key_ok = !key.is_empty()
        && key.len() <= 64
        && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !key_ok {
        return Err(format!(
            "parameter name {key:?}: expected 1 to 64 letters, digits, `-`, `_` or `.`"
        ));
    }
    if value.is_empty()
        || value.len() > 256
        || value.contains(['/', '='])
        || value.contains(char::is_whitespace)
    {
        return Err(format!(
            "parameter {key} = {value:?}: expected 1 to 256 characters without `/`, `=` or spaces"
        ));
    }
    Ok(())
}

/// The result of a task whose output is `output`: the checksum is over the output bytes and
/// the task index, so equal outputs under every model give equal checksums.
pub fn result_of(task: &Task, output: Vec<u8>) -> TaskResult {
    let checksum = fold_checksum(task.index.rotate_left(17) ^ 0x5553_4552, &output);
    TaskResult { index: task.index, checksum, output }
}

/// A closure run as a workload: input bytes in, output bytes out.
///
/// The closure runs one task; the checksum comes from [`result_of`]. Under the `gil` model it
/// holds the modelled lock for the whole task (it offers no checkpoints); implement
/// [`Workload`] directly to call [`Unit::checkpoint`] or [`blocking`](super::blocking).
///
/// ```
/// use gilbench::work::{Character, FnWorkload, Task, Workload};
///
/// let upper = FnWorkload::new(Character::Cpu, |task| Ok(task.input.to_ascii_uppercase()));
/// let out = upper.run(&Task { index: 0, input: b"abc".to_vec() }).unwrap();
/// assert_eq!(out.output, b"ABC");
/// ```
pub struct FnWorkload<F> {
    character: Character,
    f: F,
}

impl<F> fmt::Debug for FnWorkload<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FnWorkload").field("character", &self.character).finish_non_exhaustive()
    }
}

impl<F> FnWorkload<F>
where
    F: Fn(&Task) -> Result<Vec<u8>, WorkError> + Send + Sync,
{
    /// Wraps `f`, stating the work's character.
    pub fn new(character: Character, f: F) -> FnWorkload<F> {
        FnWorkload { character, f }
    }
}

impl<F> Workload for FnWorkload<F>
where
    F: Fn(&Task) -> Result<Vec<u8>, WorkError> + Send + Sync,
{
    fn character(&self) -> Character {
        self.character
    }

    fn run_in(&self, task: &Task, _unit: &dyn Unit) -> Result<TaskResult, WorkError> {
        Ok(result_of(task, (self.f)(task)?))
    }
}

/// A workload that could not be built: every task fails with the reason.
#[derive(Debug)]
pub(crate) struct Unbuilt {
    pub(crate) reason: String,
}

impl Workload for Unbuilt {
    fn character(&self) -> Character {
        Character::Cpu
    }

    fn run_in(&self, _task: &Task, _unit: &dyn Unit) -> Result<TaskResult, WorkError> {
        Err(WorkError::Failed(self.reason.clone()))
    }
}
