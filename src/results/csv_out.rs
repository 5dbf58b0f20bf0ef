//! `samples.csv`: one tidy row per kept sample of every case.

use super::RunRecord;

/// Renders every case's samples as CSV.
pub fn samples_csv(run: &RunRecord) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "scenario",
        "case",
        "model",
        "workload",
        "workers",
        "tasks",
        "sample",
        "wall_s",
        "user_s",
        "sys_s",
        "voluntary_cs",
        "involuntary_cs",
        "peak_rss_bytes",
        "worker_peak_rss_bytes",
    ];
    w.write_record(header).expect("invariant: writing to memory");
    for case in &run.cases {
        for (i, s) in case.samples.iter().enumerate() {
            w.write_record([
                case.scenario.clone(),
                case.case.clone(),
                case.model.clone(),
                case.workload.clone(),
                case.workers.to_string(),
                case.tasks.to_string(),
                i.to_string(),
                format!("{:.9}", s.wall_s),
                format!("{:.6}", s.usage.user_s),
                format!("{:.6}", s.usage.sys_s),
                s.usage.voluntary_cs.to_string(),
                s.usage.involuntary_cs.to_string(),
                s.peak_rss_bytes.map(|b| b.to_string()).unwrap_or_default(),
                s.worker_peak_rss_bytes.map(|b| b.to_string()).unwrap_or_default(),
            ])
            .expect("invariant: writing to memory");
        }
    }
    w.into_inner().expect("invariant: writing to memory")
}
