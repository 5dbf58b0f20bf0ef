//! `samples.csv`: one tidy row per kept sample of every case, with the case's own figure (its
//! `value` in its `unit`), its comparison group, and one `param_<name>` column per parameter
//! any case of the run has: the typed value (durations in seconds, sizes in bytes) where the
//! run recorded one, else the display string; empty where a case has no such parameter.

use std::collections::BTreeSet;

use super::RunRecord;

/// Renders every case's samples as CSV.
pub fn samples_csv(run: &RunRecord) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let params: BTreeSet<&str> =
        run.cases.iter().flat_map(|c| c.params.keys().map(String::as_str)).collect();
    let mut header: Vec<String> = [
        "scenario",
        "case",
        "group",
        "model",
        "workload",
        "workers",
        "tasks",
        "sample",
        "unit",
        "value",
        "wall_s",
        "user_s",
        "sys_s",
        "voluntary_cs",
        "involuntary_cs",
        "peak_rss_bytes",
        "worker_peak_rss_bytes",
    ]
    .map(String::from)
    .to_vec();
    header.extend(params.iter().map(|p| format!("param_{p}")));
    w.write_record(&header).expect("invariant: writing to memory");
    for case in &run.cases {
        for (i, s) in case.samples.iter().enumerate() {
            let mut row = vec![
                case.scenario.clone(),
                case.case.clone(),
                case.group.clone(),
                case.model.clone(),
                case.workload.clone(),
                case.workers.to_string(),
                case.tasks.to_string(),
                i.to_string(),
                case.unit.clone(),
                // Shortest text that reads back as the same number: a lock's 10.8 ns stays
                // 0.0000000108…, not 0.000000.
                s.value.map(|v| v.to_string()).unwrap_or_default(),
                format!("{:.9}", s.wall_s),
                format!("{:.6}", s.usage.user_s),
                format!("{:.6}", s.usage.sys_s),
                s.usage.voluntary_cs.to_string(),
                s.usage.involuntary_cs.to_string(),
                s.peak_rss_bytes.map(|b| b.to_string()).unwrap_or_default(),
                s.worker_peak_rss_bytes.map(|b| b.to_string()).unwrap_or_default(),
            ];
            row.extend(params.iter().map(|p| match case.param_values.get(*p) {
                Some(typed) => typed.to_string(),
                None => case.params.get(*p).cloned().unwrap_or_default(),
            }));
            w.write_record(&row).expect("invariant: writing to memory");
        }
    }
    w.into_inner().expect("invariant: writing to memory")
}
