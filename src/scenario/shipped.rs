//! The scenarios shipped in `scenarios/`, compiled in so an installed binary has them too.

use std::path::Path;

use super::{Scenario, ScenarioError, parse};

/// A scenario file that ships with gilbench.
#[derive(Debug, Clone, Copy)]
pub struct Shipped {
    /// Path relative to the source tree, used in errors and `run.json`.
    pub file: &'static str,
    /// The TOML text.
    pub text: &'static str,
    /// Whether `gilbench run` without arguments runs it.
    pub default: bool,
}

impl Shipped {
    /// Parses and validates it.
    pub fn load(&self) -> Result<Scenario, ScenarioError> {
        parse(self.text, Path::new(self.file))
    }

    /// The name it is asked for by (`gil` for `scenarios/gil.toml`): its file stem.
    pub fn name(&self) -> &'static str {
        let base = self.file.rsplit('/').next().unwrap_or(self.file);
        base.strip_suffix(".toml").unwrap_or(base)
    }
}

const SHIPPED: &[Shipped] = &[
    Shipped {
        file: "scenarios/cpu-vs-io.toml",
        text: include_str!("../../scenarios/cpu-vs-io.toml"),
        default: true,
    },
    Shipped {
        file: "scenarios/gil.toml",
        text: include_str!("../../scenarios/gil.toml"),
        default: true,
    },
    Shipped {
        file: "scenarios/gil-granularity.toml",
        text: include_str!("../../scenarios/gil-granularity.toml"),
        default: false,
    },
    Shipped {
        file: "scenarios/convoy.toml",
        text: include_str!("../../scenarios/convoy.toml"),
        default: true,
    },
    Shipped {
        file: "scenarios/switch.toml",
        text: include_str!("../../scenarios/switch.toml"),
        default: true,
    },
    Shipped {
        file: "scenarios/spawn.toml",
        text: include_str!("../../scenarios/spawn.toml"),
        default: true,
    },
    Shipped {
        file: "scenarios/locks.toml",
        text: include_str!("../../scenarios/locks.toml"),
        default: true,
    },
    Shipped {
        file: "scenarios/deadlock.toml",
        text: include_str!("../../scenarios/deadlock.toml"),
        default: false,
    },
    Shipped {
        file: "scenarios/ipc.toml",
        text: include_str!("../../scenarios/ipc.toml"),
        default: true,
    },
];

/// Every shipped scenario.
pub fn shipped() -> &'static [Shipped] {
    SHIPPED
}

/// The shipped scenario called `name` (its file stem, as `gilbench list` shows it); an
/// unknown name is an error that lists the shipped ones.
pub fn find_shipped(name: &str) -> Result<&'static Shipped, ScenarioError> {
    SHIPPED.iter().find(|s| s.name() == name).ok_or_else(|| ScenarioError::UnknownShipped {
        name: name.to_owned(),
        hint: super::suggest::did_you_mean(name, SHIPPED.iter().map(|s| s.name())),
        known: SHIPPED.iter().map(|s| s.name().to_owned()).collect(),
    })
}

/// A scenario named on the command line: a file when `arg` is one, else the shipped scenario
/// of that name; an argument that is neither is reported as an unreadable file when it looks
/// like a path (a `/` or `.toml` in it) and as an unknown shipped name otherwise.
pub fn load_file_or_shipped(arg: &Path) -> Result<Scenario, ScenarioError> {
    let text = arg.to_string_lossy();
    if arg.exists() || text.contains('/') || text.ends_with(".toml") {
        return super::load(arg);
    }
    find_shipped(&text)?.load()
}
