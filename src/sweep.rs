//! Scenario → cases: the cartesian product of a scenario's axes. Pure.

mod param_value;

use std::collections::BTreeMap;
use std::time::Duration;

use crate::exec::Model;
use crate::exec::gil::DEFAULT_SWITCH_INTERVAL;
use crate::probe::ProbeConfig;
use crate::scenario::{ProbeParams, ProbeValue, Scenario, Workers, WorkloadParams, show_duration};

pub use param_value::ParamValue;

/// One thing to measure: a workload with fixed parameters, run by one model on W units.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// Scenario name.
    pub scenario: String,
    /// Stable key: `scenario/model/workload/param=value/.../workers=W`.
    pub key: String,
    /// Comparison group: the key without model and workers. Cases of one group are compared
    /// with each other and with the group's sequential baseline.
    pub group: String,
    /// Execution model.
    pub model: Model,
    /// Units.
    pub workers: usize,
    /// Tasks per sample.
    pub tasks: usize,
    /// Payload bytes per task, both ways.
    pub payload_bytes: usize,
    /// The workload point.
    pub workload: WorkloadParams,
    /// Every parameter for display, `workers` included.
    pub params: BTreeMap<String, String>,
    /// Per-case timeout from the scenario, if any.
    pub timeout: Option<Duration>,
    /// The `gil` model's switch interval (set on `gil` cases only).
    pub switch_interval: Option<Duration>,
}

/// One probe measurement: a probe kind, one of its variants, fixed parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeCase {
    /// Scenario name.
    pub scenario: String,
    /// Stable key: `scenario/variant/probe:kind/param=value/...`.
    pub key: String,
    /// Comparison group: the key without the variant.
    pub group: String,
    /// Probe kind.
    pub kind: String,
    /// Variant (the probe's "model").
    pub variant: String,
    /// Every declared parameter's value by name (what `run.json` shows).
    pub values: ProbeParams,
    /// The same values as the kind's typed parameters, what the probe is built from.
    pub config: ProbeConfig,
    /// Parameters for display.
    pub params: BTreeMap<String, String>,
    /// Per-case timeout from the scenario, if any.
    pub timeout: Option<Duration>,
}

/// Anything the runner measures.
#[derive(Debug, Clone, PartialEq)]
pub enum Planned {
    /// A workload through an execution model.
    Work(Case),
    /// A probe variant.
    Probe(ProbeCase),
}

impl Planned {
    /// The comparison group's key.
    pub fn group(&self) -> &str {
        match self {
            Planned::Work(c) => &c.group,
            Planned::Probe(p) => &p.group,
        }
    }

    /// The stable case key.
    pub fn key(&self) -> &str {
        match self {
            Planned::Work(c) => &c.key,
            Planned::Probe(p) => &p.key,
        }
    }
}

/// Expands a scenario's probes into their cases, grouped by parameter point; `"auto"` counts
/// become 1, 2, 4, … up to twice `usable_cpus`. A case named twice (by two tables) runs once.
pub fn expand_probes(scenario: &Scenario, usable_cpus: usize) -> Vec<ProbeCase> {
    probe_cases(scenario, usable_cpus).into_iter().filter_map(Result::ok).collect()
}

/// [`expand_probes`], with the cases of a point whose values do not make the kind's typed
/// parameters (a scenario assembled in code rather than read from a file, where every point
/// is checked) as combinations that cannot run, naming the key at fault.
fn probe_cases(scenario: &Scenario, usable_cpus: usize) -> Vec<Result<ProbeCase, NotApplicable>> {
    let mut cases = Vec::new();
    let mut keys = std::collections::HashSet::new();
    for axes in &scenario.probes {
        for (probe, shown) in axes.points.iter().flat_map(|p| resolve_auto(p, usable_cpus)) {
            let shown: Vec<(String, String)> =
                shown.iter().filter(|(_, v)| !v.is_empty()).cloned().collect();
            let tail: String = shown.iter().map(|(k, v)| format!("/{k}={v}")).collect();
            let group = format!("{}/probe:{}{}", scenario.name, axes.kind, tail);
            let config = ProbeConfig::from_values(&axes.kind, &probe);
            for variant in &axes.variants {
                let key = format!("{}/{variant}/probe:{}{tail}", scenario.name, axes.kind);
                if !keys.insert(key.clone()) {
                    continue;
                }
                let config = match &config {
                    Ok(c) => c.clone(),
                    Err(e) => {
                        let reason = format!("not a valid `{}` probe: {e}", axes.kind);
                        cases.push(Err(NotApplicable { key, reason }));
                        continue;
                    }
                };
                let mut params: BTreeMap<String, String> = shown.iter().cloned().collect();
                for (name, value) in &probe.values {
                    params.entry(name.clone()).or_insert_with(|| value.to_string());
                }
                cases.push(Ok(ProbeCase {
                    scenario: scenario.name.clone(),
                    key,
                    group: group.clone(),
                    kind: axes.kind.clone(),
                    variant: variant.clone(),
                    values: probe.clone(),
                    config,
                    params,
                    timeout: scenario.timeout,
                }));
            }
        }
    }
    cases
}

/// One probe point with every `"auto"` count replaced by each count of the grid.
fn resolve_auto(
    point: &(ProbeParams, Vec<(String, String)>),
    usable_cpus: usize,
) -> Vec<(ProbeParams, Vec<(String, String)>)> {
    let mut out = vec![point.clone()];
    for (name, value) in &point.0.values {
        if *value != ProbeValue::Auto {
            continue;
        }
        out = out
            .into_iter()
            .flat_map(|(params, shown)| {
                auto_workers(usable_cpus).into_iter().map(move |n| {
                    let mut params = params.clone();
                    params.values.insert(name.clone(), ProbeValue::Count(n as u64));
                    let shown = shown
                        .iter()
                        .map(|(k, v)| {
                            if k == name {
                                (k.clone(), n.to_string())
                            } else {
                                (k.clone(), v.clone())
                            }
                        })
                        .collect();
                    (params, shown)
                })
            })
            .collect();
    }
    out
}

/// A combination the scenario's axes name that cannot run anywhere (see
/// [`crate::probe::not_applicable`]): left out of the plan, counted apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotApplicable {
    /// The case key it would have had.
    pub key: String,
    /// Why it cannot run.
    pub reason: String,
}

/// Everything a scenario plans: its workload cases, then its probe cases, without the
/// combinations that cannot run anywhere ([`not_applicable`] lists those).
pub fn plan(scenario: &Scenario, usable_cpus: usize) -> Vec<Planned> {
    plan_split(scenario, usable_cpus).0
}

/// The combinations of a scenario's axes that [`plan`] leaves out, in plan order.
pub fn not_applicable(scenario: &Scenario, usable_cpus: usize) -> Vec<NotApplicable> {
    plan_split(scenario, usable_cpus).1
}

fn plan_split(scenario: &Scenario, usable_cpus: usize) -> (Vec<Planned>, Vec<NotApplicable>) {
    let mut all: Vec<Planned> =
        expand(scenario, usable_cpus).into_iter().map(Planned::Work).collect();
    let mut pruned = Vec::new();
    for p in probe_cases(scenario, usable_cpus) {
        let p = match p {
            Ok(p) => p,
            Err(n) => {
                pruned.push(n);
                continue;
            }
        };
        match crate::probe::not_applicable(&p.variant, &p.config) {
            Some(reason) => pruned.push(NotApplicable { key: p.key, reason }),
            None => all.push(Planned::Probe(p)),
        }
    }
    (all, pruned)
}

/// The planned cases whose key `filter` matches (all of them without a filter), in plan order.
pub fn select(cases: Vec<Planned>, filter: Option<&regex::Regex>) -> Vec<Planned> {
    match filter {
        Some(re) => cases.into_iter().filter(|c| re.is_match(c.key())).collect(),
        None => cases,
    }
}

/// The worker grid for `Workers::Auto`: 1, 2, 4, … up to twice `usable_cpus`.
pub fn auto_workers(usable_cpus: usize) -> Vec<usize> {
    let top = (usable_cpus.max(1)) * 2;
    let mut grid = vec![];
    let mut w = 1;
    while w <= top {
        grid.push(w);
        w *= 2;
    }
    grid
}

/// Expands a scenario into its cases, sequential baseline first in each group.
pub fn expand(scenario: &Scenario, usable_cpus: usize) -> Vec<Case> {
    let mut cases = Vec::new();
    for axes in &scenario.workloads {
        let workers = match &axes.workers {
            Workers::Auto => auto_workers(usable_cpus),
            Workers::List(list) => list.clone(),
        };
        for (params, shown) in &axes.variants {
            for &tasks in &axes.tasks {
                for &payload in &axes.payload_bytes {
                    let mut fixed: Vec<(String, String)> = shown.clone();
                    fixed.push(("tasks".into(), tasks.to_string()));
                    fixed.push(("payload_bytes".into(), payload.to_string()));
                    let tail: Vec<String> = fixed.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    let group = format!("{}/{}/{}", scenario.name, params.name(), tail.join("/"));
                    let mut models = axes.models.clone();
                    models.sort_by_key(|m| Model::ALL.iter().position(|x| x == m));
                    models.dedup();
                    for model in models {
                        let counts: Vec<usize> =
                            if model.takes_workers() { workers.clone() } else { vec![1] };
                        for w in counts {
                            let mut map: BTreeMap<String, String> = fixed.iter().cloned().collect();
                            map.insert("workers".into(), w.to_string());
                            let switch_interval = matches!(model, Model::Gil | Model::GilProcesses)
                                .then(|| {
                                    scenario.switch_interval.unwrap_or(DEFAULT_SWITCH_INTERVAL)
                                });
                            if let Some(si) = switch_interval {
                                map.insert("switch_interval".into(), show_duration(si));
                            }
                            cases.push(Case {
                                scenario: scenario.name.clone(),
                                key: format!(
                                    "{}/{}/{}/{}/workers={w}",
                                    scenario.name,
                                    model.name(),
                                    params.name(),
                                    tail.join("/")
                                ),
                                group: group.clone(),
                                model,
                                workers: w,
                                tasks,
                                payload_bytes: payload,
                                workload: params.clone(),
                                params: map,
                                timeout: scenario.timeout,
                                switch_interval,
                            });
                        }
                    }
                }
            }
        }
    }
    cases
}

#[cfg(test)]
mod tests;
