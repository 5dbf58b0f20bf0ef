//! One view of a case for whatever shows it (charts, report, compare): its probe kind and its
//! parameters as numbers — from the typed `param_values`, or for runs written before them,
//! from the display strings read by the scenario files' own parsers — so nothing downstream
//! parses a size or a duration again.

use std::time::Duration;

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

    /// A count parameter (`hogs`, `clients`, `contenders`).
    pub fn param_count(&self, name: &str) -> Option<u64> {
        match self.param_values.get(name) {
            Some(ParamValue::Count(n)) => Some(*n),
            Some(_) => None,
            None => self.param(name)?.trim().parse().ok(),
        }
    }

    /// A duration parameter, to the nanosecond; `None` for a negative or non-finite number.
    pub fn param_duration(&self, name: &str) -> Option<Duration> {
        let seconds = self.param_number(name)?;
        (seconds.is_finite() && seconds >= 0.0)
            .then(|| Duration::from_nanos((seconds * 1e9).round() as u64))
    }

    /// A number parameter (a count, a fraction, a duration in seconds).
    pub fn param_number(&self, name: &str) -> Option<f64> {
        match self.param_values.get(name) {
            Some(ParamValue::Count(n)) => Some(*n as f64),
            Some(ParamValue::Number(x)) => Some(*x),
            Some(_) => None,
            None => number_in(&self.params, name),
        }
    }
}

/// A number parameter (a count, a fraction, a duration in seconds) of a display-string map,
/// such as the CPython peer's cases carry.
pub fn number_in(params: &std::collections::BTreeMap<String, String>, name: &str) -> Option<f64> {
    let text = params.get(name)?;
    text.parse::<f64>()
        .ok()
        .or_else(|| crate::scenario::parse_duration(text).map(|d| d.as_secs_f64()))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::results::CaseRecord;
    use crate::sweep::ParamValue;

    fn case(params: &[(&str, &str)], typed: &[(&str, ParamValue)]) -> CaseRecord {
        CaseRecord {
            params: params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            param_values: typed.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
            ..CaseRecord::default()
        }
    }

    #[test]
    fn counts_and_durations_read_the_typed_values_first() {
        let typed = case(
            &[("hogs", "2"), ("switch_interval", "5ms")],
            &[("hogs", ParamValue::Count(2)), ("switch_interval", ParamValue::Number(0.005))],
        );
        assert_eq!(typed.param_count("hogs"), Some(2));
        assert_eq!(typed.param_duration("switch_interval"), Some(Duration::from_millis(5)));
        assert_eq!(typed.param_count("switch_interval"), None, "a duration is not a count");
        assert_eq!(typed.param_count("clients"), None);
    }

    #[test]
    fn runs_without_typed_values_read_the_display_strings() {
        let old = case(&[("hogs", "4"), ("switch_interval", "100us"), ("io", "sleep")], &[]);
        assert_eq!(old.param_count("hogs"), Some(4));
        assert_eq!(old.param_duration("switch_interval"), Some(Duration::from_micros(100)));
        assert_eq!(old.param_number("switch_interval"), Some(1e-4));
        assert_eq!(old.param_count("io"), None);
        assert_eq!(old.param_duration("io"), None);
        assert_eq!(case(&[("d", "-1")], &[]).param_duration("d"), None);
    }
}
