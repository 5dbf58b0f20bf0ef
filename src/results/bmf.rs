//! Bencher Metric Format (BMF) export: every ok case's figure as
//! `{ "<case key>": { "<measure>": { "value", "lower_value", "upper_value" } } }`, for
//! continuous benchmarking services that read BMF (bencher.dev). `value` is the median,
//! `lower_value`/`upper_value` the ends of its interval (as `summary.ci_low`/`ci_high`).
//!
//! The measure is named after what the unit measures, with Bencher's built-in names where one
//! fits: `latency` for times, in nanoseconds (Bencher's unit for it; a workload's figure is
//! its wall time per batch), `throughput` for rates, per second as recorded (`ops/s`,
//! `msg/s`), `memory` for bytes, `capacity` for `units`; any other unit is its own measure.

use serde_json::{Map, Value, json};

use super::{CaseStatus, RunRecord};

/// The measure a unit's figures go under, and the factor from the recorded unit to it.
pub fn bmf_measure(unit: &str) -> (String, f64) {
    match unit {
        "s" => ("latency".into(), 1e9),
        "ms" => ("latency".into(), 1e6),
        "us" | "µs" => ("latency".into(), 1e3),
        "ns" => ("latency".into(), 1.0),
        "B" => ("memory".into(), 1.0),
        "units" => ("capacity".into(), 1.0),
        u if u.ends_with("/s") => ("throughput".into(), 1.0),
        other => (other.to_string(), 1.0),
    }
}

/// The run's ok cases in Bencher Metric Format.
pub fn bmf(run: &RunRecord) -> Value {
    let mut out = Map::new();
    for c in run.cases.iter().filter(|c| c.status == CaseStatus::Ok) {
        let Some(s) = c.summary else { continue };
        let (measure, factor) = bmf_measure(&c.unit);
        let figure = json!({
            "value": s.median * factor,
            "lower_value": s.ci_low * factor,
            "upper_value": s.ci_high * factor,
        });
        out.insert(c.case.clone(), json!({ measure: figure }));
    }
    Value::Object(out)
}

/// [`bmf`] as pretty-printed JSON bytes.
pub fn bmf_json(run: &RunRecord) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(&bmf(run)).expect("invariant: JSON values serialise");
    bytes.push(b'\n');
    bytes
}
