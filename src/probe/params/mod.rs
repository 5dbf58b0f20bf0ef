//! Probe parameters: how a kind declares them (name, type, limits, default), the values of one
//! case by name as the validated scenario hands them over (every declared parameter present,
//! with its default when the file does not set it), and their reading, once per case, into the
//! kind's typed struct (`read.rs`). The scenario reader checks a file against the
//! declarations; the probes read plain typed fields and never parse a string.

mod read;

#[cfg(test)]
mod tests;

use std::time::Duration;

use crate::measure::placement::Placement;

pub(crate) use read::words;
pub use read::{KindParams, ParamError, Values, Word};

/// One KiB.
pub const KIB: u64 = 1 << 10;
/// One MiB.
pub const MIB: u64 = 1 << 20;
/// One GiB.
pub const GIB: u64 = 1 << 30;

/// Where the two ends of a ping-pong run (the `ipc` and `switch` probes): left to the
/// scheduler by default.
pub(crate) const PLACEMENT: ParamDecl = ParamDecl {
    name: "placement",
    ty: ParamType::Choice(Placement::WORDS),
    default: ParamDefault::Word("free"),
};

/// The type and limits of one probe parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    /// A whole number in `min..=max`.
    Count {
        /// The least value.
        min: u64,
        /// The greatest value.
        max: u64,
    },
    /// A number of contending units in `1..=max`, or `"auto"`: 1, 2, 4, … up to twice the
    /// usable CPUs of the machine that runs it (written alone, not in a list).
    Units {
        /// The greatest count.
        max: u64,
    },
    /// A duration, positive if `positive`, at most `max`.
    Duration {
        /// Whether zero is refused.
        positive: bool,
        /// The longest value.
        max: Duration,
    },
    /// A size in bytes, at most `max`.
    Size {
        /// The largest value.
        max: u64,
    },
    /// One of these words (a [`Word`] enum's).
    Choice(&'static [&'static str]),
}

/// The value a parameter takes when a scenario file does not set it, typed like the
/// parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamDefault {
    /// For a count or a number of units.
    Count(u64),
    /// For a duration.
    Duration(Duration),
    /// For a size, in bytes.
    Size(u64),
    /// For a choice: one of its words.
    Word(&'static str),
}

/// One parameter of a probe kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamDecl {
    /// Its key in scenario files, case keys and `run.json`.
    pub name: &'static str,
    /// Its type and limits.
    pub ty: ParamType,
    /// Its value when a file does not set it.
    pub default: ParamDefault,
}

impl ParamDecl {
    /// The default as a typed value.
    pub fn default_value(&self) -> ProbeValue {
        match self.default {
            ParamDefault::Count(n) => ProbeValue::Count(n),
            ParamDefault::Duration(d) => ProbeValue::Duration(d),
            ParamDefault::Size(n) => ProbeValue::Size(n),
            ParamDefault::Word(w) => ProbeValue::Choice(w.to_string()),
        }
    }
}

/// A probe kind: its name, its variants (what `models` may name) and its parameters, in the
/// order case keys list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProbeDecl {
    /// The `kind` scenario files write.
    pub kind: &'static str,
    /// Its variants.
    pub variants: &'static [&'static str],
    /// Its parameters.
    pub params: &'static [ParamDecl],
}

/// One typed value of a probe parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum ProbeValue {
    /// A whole number.
    Count(u64),
    /// A duration.
    Duration(Duration),
    /// A size in bytes.
    Size(u64),
    /// One word of a fixed set.
    Choice(String),
    /// `"auto"` for a count of units: planning turns it into 1, 2, 4, … up to twice the
    /// usable CPUs (see `sweep::auto_workers`).
    Auto,
}

/// The values of one probe case by parameter name (every declared parameter is present, with
/// its default when the file does not set it): what `run.json` shows of the case, and what the
/// kind's typed parameters are read from ([`KindParams::from_values`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProbeParams {
    /// Values by parameter name.
    pub values: std::collections::BTreeMap<String, ProbeValue>,
}

impl ProbeParams {
    /// The declared defaults of a kind.
    pub fn defaults(decl: &ProbeDecl) -> ProbeParams {
        let values = decl.params.iter().map(|p| (p.name.to_string(), p.default_value())).collect();
        ProbeParams { values }
    }
}

impl std::fmt::Display for ProbeValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProbeValue::Count(n) => write!(f, "{n}"),
            ProbeValue::Duration(d) => f.write_str(&show_duration(*d)),
            ProbeValue::Size(n) => write!(f, "{n}"),
            ProbeValue::Choice(s) => f.write_str(s),
            ProbeValue::Auto => f.write_str("auto"),
        }
    }
}

/// A duration as humantime writes it, without spaces (`2ms`, `1s500ms`): the display form of a
/// duration in parameters and case keys.
pub fn show_duration(d: Duration) -> String {
    humantime::format_duration(d).to_string().replace(' ', "")
}
