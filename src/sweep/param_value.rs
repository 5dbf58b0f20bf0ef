//! Each case's parameters as typed values beside their display strings: a size as a number
//! of bytes, a duration as a number of seconds, a count as an integer, a switch as a boolean,
//! a word as text, so that `run.json` readers never parse `2ms` or `64KiB`.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{Case, ProbeCase};
use crate::scenario::{CpuSize, ProbeValue, WorkloadParams};

/// One parameter's typed value. In JSON it is the bare value (`0.002`, `65536`, `true`,
/// `"std"`): durations in seconds, sizes in bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum ParamValue {
    /// A switch.
    Flag(bool),
    /// A count or a size in bytes.
    Count(u64),
    /// A duration in seconds, or a fraction.
    Number(f64),
    /// A word (a variant, a mode, a command's name, a user's own parameter).
    Text(String),
}

impl std::fmt::Display for ParamValue {
    /// The bare value: `0.002` (seconds), `65536` (bytes), `true`, `std`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParamValue::Flag(b) => write!(f, "{b}"),
            ParamValue::Count(n) => write!(f, "{n}"),
            ParamValue::Number(x) => write!(f, "{x}"),
            ParamValue::Text(s) => f.write_str(s),
        }
    }
}

fn secs(d: Duration) -> ParamValue {
    ParamValue::Number(d.as_secs_f64())
}

impl From<&ProbeValue> for ParamValue {
    fn from(v: &ProbeValue) -> ParamValue {
        match v {
            ProbeValue::Count(n) | ProbeValue::Size(n) => ParamValue::Count(*n),
            ProbeValue::Duration(d) => secs(*d),
            ProbeValue::Choice(s) => ParamValue::Text(s.clone()),
            ProbeValue::Auto => ParamValue::Text("auto".into()),
        }
    }
}

impl Case {
    /// Every parameter of [`Case::params`] as a typed value.
    pub fn param_values(&self) -> BTreeMap<String, ParamValue> {
        let mut typed: Vec<(&str, ParamValue)> = match &self.workload {
            WorkloadParams::Cpu { size: CpuSize::Duration(d), released_fraction } => vec![
                ("task_duration", secs(*d)),
                ("released_fraction", ParamValue::Number(*released_fraction)),
            ],
            WorkloadParams::Cpu { size: CpuSize::Iterations(n), released_fraction } => vec![
                ("iterations", ParamValue::Count(*n)),
                ("released_fraction", ParamValue::Number(*released_fraction)),
            ],
            WorkloadParams::IoSleep { sleep } => vec![("sleep", secs(*sleep))],
            WorkloadParams::IoFile { bytes, fsync } => {
                vec![("bytes", ParamValue::Count(*bytes)), ("fsync", ParamValue::Flag(*fsync))]
            }
            WorkloadParams::IoNet { delay, response_bytes } => vec![
                ("delay", secs(*delay)),
                ("response_bytes", ParamValue::Count(u64::from(*response_bytes))),
            ],
            WorkloadParams::Mixed { task_duration, cpu_fraction, released_fraction } => vec![
                ("task_duration", secs(*task_duration)),
                ("cpu_fraction", ParamValue::Number(*cpu_fraction)),
                ("released_fraction", ParamValue::Number(*released_fraction)),
            ],
            WorkloadParams::Command { name, .. } => {
                vec![("command", ParamValue::Text(name.clone()))]
            }
            WorkloadParams::Custom { params, .. } => {
                params.iter().map(|(k, v)| (k.as_str(), ParamValue::Text(v.clone()))).collect()
            }
        };
        typed.push(("tasks", ParamValue::Count(self.tasks as u64)));
        typed.push(("payload_bytes", ParamValue::Count(self.payload_bytes as u64)));
        typed.push(("workers", ParamValue::Count(self.workers as u64)));
        if let Some(si) = self.switch_interval {
            typed.push(("switch_interval", secs(si)));
        }
        only_shown(typed, &self.params)
    }
}

impl ProbeCase {
    /// Every parameter of [`ProbeCase::params`] as a typed value.
    pub fn param_values(&self) -> BTreeMap<String, ParamValue> {
        let typed = self.values.values.iter().map(|(k, v)| (k.as_str(), ParamValue::from(v)));
        only_shown(typed.collect(), &self.params)
    }
}

/// The typed values of the parameters the case shows, so that both maps have the same keys.
fn only_shown(
    typed: Vec<(&str, ParamValue)>,
    shown: &BTreeMap<String, String>,
) -> BTreeMap<String, ParamValue> {
    typed
        .into_iter()
        .filter(|(k, _)| shown.contains_key(*k))
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}
