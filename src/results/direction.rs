//! Which way is better for each unit a case's figure is recorded in: declared once, here, for
//! every unit `run.json` holds (`CaseRecord::unit`), so that the comparison, the baseline gate
//! and the exports judge a figure the same way.

use serde::{Deserialize, Serialize};

/// Whether a smaller or a bigger figure is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// Times and memory: smaller is better.
    LowerIsBetter,
    /// Rates and capacities: bigger is better.
    HigherIsBetter,
}

/// Time units (a latency or a batch's wall time).
const TIMES: &[&str] = &["s", "ms", "us", "µs", "ns"];
/// Memory units (bytes held).
const BYTES: &[&str] = &["B", "KiB", "MiB", "GiB"];
/// Counts where more is better (`units`: idle units created within a budget).
const CAPACITIES: &[&str] = &["units"];

/// The direction of a figure in `unit`: times (`s`, `ns`, …) and bytes (`B`) lower is better;
/// rates (any unit ending in `/s`: `ops/s`, `msg/s`, `B/s`) and capacities (`units`) higher
/// is better. `None` for a unit not declared here.
pub fn direction(unit: &str) -> Option<Direction> {
    if unit.ends_with("/s") || CAPACITIES.contains(&unit) {
        Some(Direction::HigherIsBetter)
    } else if TIMES.contains(&unit) || BYTES.contains(&unit) {
        Some(Direction::LowerIsBetter)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::{Direction, direction};

    #[test]
    fn every_unit_a_run_holds_has_a_direction() {
        for unit in ["s", "B"] {
            assert_eq!(direction(unit), Some(Direction::LowerIsBetter), "{unit}");
        }
        for unit in ["ops/s", "msg/s", "B/s", "units"] {
            assert_eq!(direction(unit), Some(Direction::HigherIsBetter), "{unit}");
        }
        assert_eq!(direction("furlongs"), None);
    }
}
