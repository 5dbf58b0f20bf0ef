//! How the run's comparison groups were sampled: the stopping rule in one sentence, how many
//! groups converged, and the groups that did not — with their rounds, why they stopped and
//! how wide their widest interval still was.

use maud::{Markup, html};

use super::format;
use crate::results::{GroupSampling, RunRecord, SamplingRule, StopReason};

/// Groups that did not converge listed at most (the rest are in run.json).
const ROWS: usize = 40;

/// Whether a group holds probe cases (else workload cases).
fn probe_group(run: &RunRecord, g: &GroupSampling) -> bool {
    run.cases.iter().find(|c| c.group == g.group).is_some_and(|c| c.is_probe())
}

/// The rule in one sentence.
pub(super) fn rule_sentence(rule: &SamplingRule) -> String {
    format!(
        "Each comparison group was sampled in interleaved rounds until every speedup's \
         nominal {level} paired t interval (for probes, every median's order-statistic \
         interval of at least 90 % coverage) reached no further than ±{hw} from its figure: \
         at least {min} and at most {max} rounds after {warm} warm-up, and no more once the \
         group had spent {budget} per case.{lead}",
        lead = lead_in_sentence(rule),
        level = format::percent(rule.level),
        hw = format::percent(rule.half_width),
        min = rule.min_rounds,
        max = rule.max_rounds,
        warm = rule.warmup,
        budget = format::duration(rule.case_budget_s),
    )
}

/// What a workload case on two or more OS units runs before each sample, as a sentence that
/// follows the rule ("" for runs recorded without a lead-in).
fn lead_in_sentence(rule: &SamplingRule) -> String {
    if rule.lead_in_s <= 0.0 {
        return String::new();
    }
    format!(
        " A workload case on two or more threads or processes took no warm-up samples: each of \
         its samples started with {} of its own work, untimed, so the scheduler placed its \
         units by their own load, not by the cases sampled while they waited.",
        format::duration(rule.lead_in_s)
    )
}

/// "11 of 14 workload groups and 40 of 68 probe groups converged."
pub(super) fn tally(run: &RunRecord) -> String {
    let count = |probe: bool| {
        let of: Vec<&GroupSampling> =
            run.groups.iter().filter(|g| probe_group(run, g) == probe).collect();
        let converged = of.iter().filter(|g| g.stop == StopReason::Converged).count();
        (converged, of.len())
    };
    let (wc, wn) = count(false);
    let (pc, pn) = count(true);
    let rounds: usize = run.groups.iter().map(|g| g.rounds).sum();
    format!(
        "{wc} of {wn} workload groups and {pc} of {pn} probe groups converged ({rounds} rounds \
         in all)."
    )
}

fn widest(g: &GroupSampling) -> String {
    g.widest.map_or("no interval".into(), |w| format!("±{}", format::percent(w)))
}

/// The section; nothing for runs without a recorded rule (older files).
pub(super) fn sampling_section(run: &RunRecord) -> Markup {
    let Some(rule) = &run.sampling else { return html! {} };
    let open: Vec<&GroupSampling> =
        run.groups.iter().filter(|g| g.stop != StopReason::Converged).collect();
    html! {
        details.card #sampling {
            summary { "Sampling: " (tally(run)) }
            p { (rule_sentence(rule)) " " (tally(run)) }
            @if !open.is_empty() {
                details {
                    summary { (open.len()) " groups stopped before every comparison was known to ±"
                        (format::percent(rule.half_width)) }
                    table.sortable {
                        thead { tr { th { "group" } th { "rounds" } th { "stopped" } th { "widest interval" } th { "cases not known" } } }
                        tbody {
                            @for g in open.iter().take(ROWS) {
                                tr {
                                    td { code { (g.group) } }
                                    td.num { (g.rounds) }
                                    td { (g.stop.label()) }
                                    td.num { (widest(g)) }
                                    td.num { (g.unsettled.len()) }
                                }
                            }
                        }
                    }
                    @if open.len() > ROWS {
                        p { "… and " (open.len() - ROWS) " more; every group is in run.json (" code { "groups" } ")." }
                    }
                }
            }
        }
    }
}

/// The markdown lines: the rule, the tally, and the workload groups that did not converge.
pub(super) fn sampling_markdown(run: &RunRecord) -> String {
    let Some(rule) = &run.sampling else { return String::new() };
    let mut out = format!("{} {}\n\n", rule_sentence(rule), tally(run));
    let open: Vec<&GroupSampling> = run
        .groups
        .iter()
        .filter(|g| g.stop != StopReason::Converged && !probe_group(run, g))
        .collect();
    if !open.is_empty() {
        out.push_str("Workload groups not converged:\n\n");
        for g in open {
            out.push_str(&format!(
                "- `{}`: {} rounds, {}, widest {}\n",
                g.group,
                g.rounds,
                g.stop.label(),
                widest(g)
            ));
        }
        out.push('\n');
    }
    out
}
