//! The page's frame: the status banners under the title, and the Machine and Run cards (the
//! host, the command, the harness's own overhead and the CPU calibration).

use maud::{Markup, html};

use crate::plot::{model_colour_hex, model_rank};
use crate::results::{CaseStatus, Machine, RunRecord, RunStatus};

use super::format;

pub(super) fn status_name(status: RunStatus) -> &'static str {
    match status {
        RunStatus::Running => "running (incomplete)",
        RunStatus::Complete => "complete",
        RunStatus::Interrupted => "interrupted",
    }
}

pub(super) fn case_status_name(status: CaseStatus) -> &'static str {
    match status {
        CaseStatus::Ok => "ok",
        CaseStatus::Failed => "failed",
        CaseStatus::Timeout => "timeout",
        CaseStatus::Unsupported => "unsupported",
        CaseStatus::Interrupted => "interrupted",
        CaseStatus::Deadlock => "deadlock",
    }
}

pub(super) fn banners(run: &RunRecord) -> Markup {
    let failed = run
        .cases
        .iter()
        .filter(|c| {
            matches!(c.status, CaseStatus::Failed | CaseStatus::Timeout | CaseStatus::Deadlock)
        })
        .count();
    let busy = run.machine.load_avg[0] > 0.5 * run.machine.usable_cpus.max(1) as f64;
    html! {
        @match run.status {
            RunStatus::Interrupted => div.banner.warn {
                "This run was interrupted: the report holds the " (run.cases.len())
                " cases that finished before it stopped."
            },
            RunStatus::Running => div.banner.warn {
                "This run had not finished when the report was written."
            },
            RunStatus::Complete => {},
        }
        @if failed > 0 {
            div.banner.bad { (failed) " case(s) failed or timed out; see the tables for the reasons." }
        }
        @if busy {
            div.banner.warn {
                "The machine was busy at the start (1-minute load "
                (format!("{:.2}", run.machine.load_avg[0])) " on " (run.machine.usable_cpus)
                " usable CPUs): timings may be disturbed."
            }
        }
    }
}

fn opt<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref().map(|x| x.to_string()).unwrap_or_else(|| "unknown".into())
}

pub(super) fn machine_card(m: &Machine) -> Markup {
    html! {
        dl {
            dt { "host" } dd { (m.hostname) }
            dt { "CPU" } dd { (m.cpu_brand) }
            dt { "architecture" } dd { (m.arch) }
            @for (k, v) in &m.environment { dt { (k.replace('_', " ")) } dd { (v) } }
            dt { "physical cores" } dd { (opt(&m.physical_cores)) }
            dt { "logical CPUs" } dd { (m.logical_cpus) }
            dt { "usable CPUs" } dd { (m.usable_cpus) " (affinity and quota applied)" }
            dt { "CPU clock" } dd { (m.cpu_mhz.map(|f| format!("{f} MHz")).unwrap_or_else(|| "unknown".into())) }
            dt { "memory" } dd { (format::bytes(m.memory_bytes)) }
            dt { "OS" } dd { (m.os) }
            dt { "kernel" } dd { (m.kernel) }
            dt { "virtualisation" } dd { (m.virtualization.as_deref().unwrap_or("none detected")) }
            dt { "load at start" } dd {
                (format!("{:.2} / {:.2} / {:.2}", m.load_avg[0], m.load_avg[1], m.load_avg[2]))
                " (1 / 5 / 15 min)"
            }
            dt { "rustc" } dd { (m.rustc) }
            dt { "gilbench" } dd { (m.gilbench_version) }
            dt { "git revision" } dd { code { (opt(&m.git_rev)) } }
        }
    }
}

pub(super) fn run_card(run: &RunRecord) -> Markup {
    html! {
        dl {
            dt { "profile" } dd { (run.profile) }
            dt { "status" } dd { (status_name(run.status)) }
            dt { "started" } dd { (run.started_at) }
            dt { "finished" } dd { (run.finished_at.as_deref().unwrap_or("not finished")) }
            dt { "command" } dd { code { (run.command.join(" ")) } }
            dt { "scenario files" } dd {
                @for (i, f) in run.scenario_files.iter().enumerate() {
                    @if i > 0 { ", " } code { (f) }
                }
            }
            dt { "cases" } dd {
                (run.cases.len()) " (" (run.cases.iter().filter(|c| c.status == CaseStatus::Ok).count()) " ok)"
            }
            dt { "clock read" } dd { (format::duration(run.overhead.clock_read_ns * 1e-9)) }
            dt { "empty task" } dd {
                @if run.overhead.empty_task_ns.is_empty() { "not measured" }
                @for (model, ns) in empty_tasks(run) {
                    span.nowrap { (swatch(model)) (model) ": " (format::duration(ns * 1e-9)) }
                    br;
                }
            }
            dt { "CPU calibration" } dd {
                (format::si(run.calibration.cpu_iterations_per_s)) " iterations/s of the CPU kernel on one core"
            }
        }
    }
}

/// Empty-task costs in report order.
fn empty_tasks(run: &RunRecord) -> Vec<(&String, f64)> {
    let mut out: Vec<(&String, f64)> =
        run.overhead.empty_task_ns.iter().map(|(m, ns)| (m, *ns)).collect();
    out.sort_by(|a, b| model_rank(a.0).cmp(&model_rank(b.0)));
    out
}

pub(super) fn swatch(model: &str) -> Markup {
    html! { span.swatch style=(format!("background:{}", model_colour_hex(model))) {} }
}
