//! The `cargo bench` section: criterion's own estimates (kept beside the run as
//! `criterion.json` by `--criterion`), so one page holds both.

use maud::{Markup, html};

use super::format;
use crate::results::criterion::CriterionEstimate;

/// The section, or nothing without figures.
pub(super) fn section(found: &[CriterionEstimate]) -> Markup {
    if found.is_empty() {
        return html! {};
    }
    html! {
        section #criterion {
            h2 { "cargo bench (criterion)" }
            p { "criterion's estimates of the time per iteration, with its 95 % interval of the median; its own HTML stays under target/criterion." }
            table {
                thead { tr { th { "benchmark" } th.num { "median per iteration" } th.num { "mean" } th.num { "per element" } } }
                tbody {
                    @for e in found {
                        tr {
                            td.key { (e.id) }
                            td.num { (format::duration_interval(e.median_ns * 1e-9, e.median_low_ns * 1e-9, e.median_high_ns * 1e-9)) }
                            td.num { (format::duration(e.mean_ns * 1e-9)) }
                            td.num { (e.elements.filter(|&n| n > 0).map(|n| format::duration(e.median_ns * 1e-9 / n as f64)).unwrap_or_else(|| "–".into())) }
                        }
                    }
                }
            }
        }
    }
}
