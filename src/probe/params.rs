//! The typed parameters of one probe case, as the validated scenario hands them to the probe:
//! every declared parameter present, with its default when the file does not set it. The
//! scenario reader builds them; the probes read them and never parse a string.

use std::time::Duration;

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

/// The parameters of one probe case, by name (every declared parameter is present, with its
/// default when the file does not set it).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProbeParams {
    /// Values by parameter name.
    pub values: std::collections::BTreeMap<String, ProbeValue>,
}

impl ProbeParams {
    /// Checks, in debug builds (every test), that `name` is a declared parameter of the case:
    /// the scenario reader fills every declared one, so a miss is a misspelled name in code.
    fn declared(&self, name: &str) {
        debug_assert!(
            self.values.is_empty() || self.values.contains_key(name),
            "probe parameter `{name}` is not declared (declared: {:?})",
            self.values.keys().collect::<Vec<_>>()
        );
    }

    /// A count parameter (0 when absent or of another type).
    pub fn count(&self, name: &str) -> u64 {
        self.declared(name);
        match self.values.get(name) {
            Some(ProbeValue::Count(n)) => *n,
            _ => 0,
        }
    }

    /// A duration parameter (zero when absent or of another type).
    pub fn duration(&self, name: &str) -> Duration {
        self.declared(name);
        match self.values.get(name) {
            Some(ProbeValue::Duration(d)) => *d,
            _ => Duration::ZERO,
        }
    }

    /// A size parameter (0 when absent or of another type).
    pub fn size(&self, name: &str) -> u64 {
        self.declared(name);
        match self.values.get(name) {
            Some(ProbeValue::Size(n)) => *n,
            _ => 0,
        }
    }

    /// A choice parameter (empty when absent or of another type).
    pub fn choice(&self, name: &str) -> &str {
        self.declared(name);
        match self.values.get(name) {
            Some(ProbeValue::Choice(s)) => s,
            _ => "",
        }
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
