//! One view of a case for whatever shows it (charts, report, compare): its probe kind and its
//! parameters as numbers — from the typed `param_values`, or for runs written before them,
//! from the display strings read by the scenario files' own parsers — so nothing downstream
//! parses a size or a duration again.

use super::CaseRecord;
use crate::sweep::ParamValue;

/// What a probe case's workload starts with: `probe:ipc`.
pub const PROBE_PREFIX: &str = "probe:";

impl CaseRecord {
    /// Whether the case is a probe (its workload is `probe:<kind>`), not a workload through a
    /// model.
    pub fn is_probe(&self) -> bool {
        self.probe_kind().is_some()
    }

    /// The probe's kind (`ipc`, `lock`, …), `None` for a workload case.
    pub fn probe_kind(&self) -> Option<&str> {
        self.workload.strip_prefix(PROBE_PREFIX)
    }

    /// A parameter's display string.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    /// A size parameter in bytes.
    pub fn param_bytes(&self, name: &str) -> Option<u64> {
        match self.param_values.get(name) {
            Some(ParamValue::Count(n)) => Some(*n),
            Some(_) => None,
            None => crate::scenario::parse_size(self.param(name)?),
        }
    }

    /// A number parameter (a count, a fraction, a duration in seconds).
    pub fn param_number(&self, name: &str) -> Option<f64> {
        match self.param_values.get(name) {
            Some(ParamValue::Count(n)) => Some(*n as f64),
            Some(ParamValue::Number(x)) => Some(*x),
            Some(_) => None,
            None => {
                let text = self.param(name)?;
                text.parse::<f64>()
                    .ok()
                    .or_else(|| crate::scenario::parse_duration(text).map(|d| d.as_secs_f64()))
            }
        }
    }
}
