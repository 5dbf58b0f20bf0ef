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
