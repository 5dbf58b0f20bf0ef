//! `summary.md`: short enough to paste into an issue or a comment. The machine in one line,
//! the answer table, the convoy, break-even and released-GIL sentences, the sampling tally, then one compact
//! table per scenario (a row per comparison group, a column per model or variant, each cell
//! the model's best speedup or the variant's median). Every case and sample stays in
//! `run.json` and `samples.csv`.

use crate::analysis::SEQUENTIAL;
use crate::plot::{group_title, model_rank};
use crate::results::{CaseRecord, CaseStatus, RunRecord};

use super::format;
use super::gil::break_even_sentences;

/// The markdown summary of `run`.
pub fn summary_markdown(run: &RunRecord) -> String {
    let m = &run.machine;
    let mut out = String::new();
    out.push_str(&format!("# gilbench run, {}\n\n", cell(&run.started_at)));
    out.push_str(&format!(
        "{} · {} · {} of {} CPUs usable · {} · gilbench {} · profile {}\n\n",
        cell(&m.hostname),
        cell(&m.cpu_brand),
        m.usable_cpus,
        m.logical_cpus,
        cell(&m.os),
        cell(&run.gilbench_version),
        cell(&run.profile)
    ));
    out.push_str(&super::answer::answer_markdown(run));
    let mut sentences: Vec<String> = Vec::new();
    sentences.extend(super::convoy::convoy_headline(run));
    sentences.extend(break_even_sentences(run));
    sentences.extend(super::released::released_sentences(run));
    for s in &sentences {
        out.push_str(&format!("- {}\n", line(s)));
    }
    if !sentences.is_empty() {
        out.push('\n');
    }
    let note = format::intervals_note(run);
    if !note.is_empty() {
        out.push_str(&format!("{note}\n\n"));
    }
    out.push_str(&super::sampling::sampling_markdown(run));
    out.push_str(
        "## Each scenario\n\nWorkloads: each model's best speedup over sequential [interval] \
         and its worker count. Probes: each variant's median. Every case is in `run.json`, every \
         sample in `samples.csv`.\n\n",
    );
    for scenario in scenarios(run) {
        out.push_str(&scenario_table(run, scenario));
    }
    out
}

fn scenarios(run: &RunRecord) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for c in &run.cases {
        if !out.contains(&c.scenario.as_str()) {
            out.push(&c.scenario);
        }
    }
    out
}

/// One scenario's table: a row per group, a column per model (sequential left out: it is 1×).
fn scenario_table(run: &RunRecord, scenario: &str) -> String {
    let cases: Vec<&CaseRecord> = run.cases.iter().filter(|c| c.scenario == scenario).collect();
    let mut groups: Vec<&str> = Vec::new();
    let mut models: Vec<&str> = Vec::new();
    for c in &cases {
        if !groups.contains(&c.group.as_str()) {
            groups.push(&c.group);
        }
        if c.model != SEQUENTIAL && !models.contains(&c.model.as_str()) {
            models.push(&c.model);
        }
    }
    models.sort_by_key(|m| model_rank(m));
    let mut out = format!("### {}\n\n| group |", cell(scenario));
    for m in &models {
        out.push_str(&format!(" {} |", cell(m)));
    }
    out.push_str("\n|---|");
    out.push_str(&"---:|".repeat(models.len()));
    out.push('\n');
    for g in groups {
        let members: Vec<&CaseRecord> = cases.iter().copied().filter(|c| c.group == g).collect();
        out.push_str(&format!("| {} |", cell(&group_title(members[0]))));
        for m in &models {
            let of: Vec<&CaseRecord> = members.iter().copied().filter(|c| c.model == *m).collect();
            out.push_str(&format!(" {} |", model_cell(&of)));
        }
        out.push('\n');
    }
    out.push('\n');
    out
}

/// A model's cell in its group: the best speedup with its interval and worker count; a
/// probe's median; or why there is none.
fn model_cell(cases: &[&CaseRecord]) -> String {
    if cases.is_empty() {
        return String::new();
    }
    let ok: Vec<&CaseRecord> =
        cases.iter().copied().filter(|c| c.status == CaseStatus::Ok).collect();
    if ok.is_empty() {
        return format!("{:?}", cases[0].status).to_lowercase();
    }
    let best = ok
        .iter()
        .filter_map(|c| c.speedup.filter(|s| s.median.is_finite()).map(|s| (c, s)))
        .max_by(|a, b| a.1.median.total_cmp(&b.1.median));
    if let Some((c, s)) = best {
        let workers =
            if ok.len() > 1 || c.workers > 1 { format!(" {}w", c.workers) } else { String::new() };
        return format!("{}{workers}", format::speedup(&s));
    }
    match ok[0].summary {
        Some(s) if ok[0].unit == "s" => format::duration(s.median),
        Some(s) => format!("{} {}", format::si(s.median), cell(&ok[0].unit)),
        None => "–".into(),
    }
}

/// Text safe as one list item: line breaks folded.
fn line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// Text safe inside a table cell: pipes escaped, line breaks folded.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}
