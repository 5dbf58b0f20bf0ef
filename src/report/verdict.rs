//! One verdict per comparison group: which model, at its best worker count, is fastest, and
//! whether its speedup interval clears the runner-up's. It only compares the medians and
//! intervals the results already carry.

use crate::plot::{group_title, model_rank};
use crate::results::{CaseRecord, CaseStatus, RunRecord, Speedup};

use super::format;

/// A model at its best worker count.
#[derive(Debug, Clone, PartialEq)]
pub struct Pick {
    /// Execution model.
    pub model: String,
    /// Worker count of its fastest case.
    pub workers: usize,
    /// Its speedup against sequential (the baseline itself is exactly 1).
    pub speedup: Speedup,
    /// Whether its timing was flagged noisy.
    pub noisy: bool,
}

impl Pick {
    fn is_baseline(&self) -> bool {
        self.model == "sequential"
    }

    fn describe(&self) -> String {
        if self.is_baseline() { self.model.clone() } else { with_workers(self) }
    }
}

fn with_workers(p: &Pick) -> String {
    format!("{} with {}", p.model, format::workers(p.workers))
}

/// What a group's results say.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// `best` is faster than every other model: its interval lies above the runner-up's
    /// (or nothing else was measured).
    Winner {
        /// The fastest model.
        best: Pick,
        /// The next best model, if any.
        runner_up: Option<Pick>,
    },
    /// The two best models' intervals overlap.
    NoClearWinner {
        /// The model with the higher median speedup.
        best: Pick,
        /// The next best model.
        runner_up: Pick,
    },
    /// Cases succeeded but the sequential baseline did not, so there is no speedup.
    NoBaseline,
    /// No case of the group succeeded.
    NoResult,
}

/// The verdict of one comparison group.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// Scenario name.
    pub scenario: String,
    /// Comparison group key.
    pub group: String,
    /// Workload and parameters, as the chart titles them.
    pub title: String,
    /// The finding.
    pub outcome: Outcome,
}

impl Verdict {
    /// Whether the verdict names a clear winner.
    pub fn is_clear(&self) -> bool {
        matches!(self.outcome, Outcome::Winner { runner_up: Some(_), .. })
    }

    /// The verdict as one sentence, e.g. "cpu (task_duration=2ms): processes:fork with
    /// 2 workers is fastest, 1.90× [1.80, 2.00] faster than sequential".
    pub fn sentence(&self) -> String {
        let t = &self.title;
        match &self.outcome {
            Outcome::NoResult => format!("{t}: no case succeeded"),
            Outcome::NoBaseline => {
                format!("{t}: the sequential baseline did not succeed, so there is no speedup")
            }
            Outcome::Winner { best, runner_up: None } => {
                format!("{t}: only {} succeeded", best.model)
            }
            Outcome::Winner { best, runner_up: Some(next) } if best.is_baseline() => format!(
                "{t}: sequential is fastest; the best alternative, {}, reaches {}",
                with_workers(next),
                format::speedup(&next.speedup)
            ),
            Outcome::Winner { best, runner_up: Some(next) } => {
                let mut s = format!(
                    "{t}: {} is fastest, {} faster than sequential",
                    with_workers(best),
                    format::speedup(&best.speedup)
                );
                if !next.is_baseline() {
                    s.push_str(&format!(
                        "; next: {} at {}",
                        with_workers(next),
                        format::factor(next.speedup.median)
                    ));
                }
                s
            }
            Outcome::NoClearWinner { best, runner_up } => format!(
                "{t}: no clear winner: {} ({}) and {} ({}) overlap",
                best.describe(),
                shown(best),
                runner_up.describe(),
                shown(runner_up)
            ),
        }
    }
}

fn shown(p: &Pick) -> String {
    if p.is_baseline() { "1× by definition".into() } else { format::speedup(&p.speedup) }
}

/// The verdicts of every comparison group, in run order.
pub fn verdicts(run: &RunRecord) -> Vec<Verdict> {
    let mut groups: Vec<&str> = Vec::new();
    // Probes measure a primitive cost, not a speedup against sequential: no verdict here.
    for c in run.cases.iter().filter(|c| !c.is_probe()) {
        if !groups.contains(&c.group.as_str()) {
            groups.push(&c.group);
        }
    }
    groups
        .into_iter()
        .map(|g| {
            let cases: Vec<&CaseRecord> = run.cases.iter().filter(|c| c.group == g).collect();
            let first = cases[0];
            Verdict {
                scenario: first.scenario.clone(),
                group: g.to_string(),
                title: group_title(first),
                outcome: judge(&cases),
            }
        })
        .collect()
}

/// Picks each model's fastest case, ranks the models and compares the top two.
pub(crate) fn judge(cases: &[&CaseRecord]) -> Outcome {
    let ok: Vec<&CaseRecord> =
        cases.iter().copied().filter(|c| c.status == CaseStatus::Ok).collect();
    if ok.is_empty() {
        return Outcome::NoResult;
    }
    let mut picks: Vec<Pick> = Vec::new();
    if let Some(base) = ok.iter().find(|c| c.model == "sequential") {
        picks.push(Pick {
            model: base.model.clone(),
            workers: base.workers,
            speedup: Speedup::paired(1.0, 1.0, 1.0),
            noisy: base.summary.is_some_and(|s| s.noisy),
        });
    } else {
        return Outcome::NoBaseline;
    }
    for c in &ok {
        let Some(s) = c.speedup.filter(|s| s.median.is_finite()) else { continue };
        if c.model == "sequential" {
            continue;
        }
        let pick = Pick {
            model: c.model.clone(),
            workers: c.workers,
            speedup: s,
            noisy: c.summary.is_some_and(|s| s.noisy),
        };
        match picks.iter_mut().find(|p| p.model == c.model) {
            Some(p) if p.speedup.median < s.median => *p = pick,
            Some(_) => {}
            None => picks.push(pick),
        }
    }
    // Highest median speedup first; ties in report order.
    picks.sort_by(|a, b| {
        b.speedup
            .median
            .total_cmp(&a.speedup.median)
            .then_with(|| model_rank(&a.model).cmp(&model_rank(&b.model)))
    });
    let mut picks = picks.into_iter();
    let best = picks.next().expect("invariant: the baseline pick exists");
    match picks.next() {
        None => Outcome::Winner { best, runner_up: None },
        Some(next) if best.speedup.ci_low > next.speedup.ci_high => {
            Outcome::Winner { best, runner_up: Some(next) }
        }
        Some(next) => Outcome::NoClearWinner { best, runner_up: next },
    }
}
