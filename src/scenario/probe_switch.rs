//! Parameter declarations of the switch, spawn, footprint and headroom probes (the `PROBES`
//! table in `probe.rs` lists them).

use std::time::Duration;

use super::probe::{ParamDecl, ParamType, ProbeDecl};
use super::values::{GIB, MIB};
use crate::measure::placement::Placement;

const PLACEMENTS: &[&str] = &Placement::NAMES;

/// `switch`: ping-pong between two units.
pub(super) const SWITCH: ProbeDecl = ProbeDecl {
    kind: "switch",
    variants: crate::probe::switch::VARIANTS,
    params: &[
        ParamDecl { name: "placement", ty: ParamType::Choice(PLACEMENTS), default: "free" },
        ParamDecl { name: "peer", ty: ParamType::Choice(&["idle", "busy"]), default: "idle" },
        ParamDecl { name: "working_set", ty: ParamType::Size { max: 64 * MIB }, default: "0" },
        ParamDecl {
            name: "round_trips",
            ty: ParamType::Count { min: 1, max: 10_000_000 },
            default: "2000",
        },
    ],
};

/// `spawn`: start + join/wait of one unit, or one task on a warm pool.
pub(super) const SPAWN: ProbeDecl = ProbeDecl {
    kind: "spawn",
    variants: crate::probe::spawn::SPAWN_VARIANTS,
    params: &[
        ParamDecl { name: "parent_rss", ty: ParamType::Size { max: 8 * GIB }, default: "0" },
        ParamDecl {
            name: "duration",
            ty: ParamType::Duration { positive: true, max: Duration::from_secs(10) },
            default: "20ms",
        },
    ],
};

/// `footprint`: memory per idle unit.
pub(super) const FOOTPRINT: ProbeDecl = ProbeDecl {
    kind: "footprint",
    variants: crate::probe::spawn::UNIT_VARIANTS,
    params: &[ParamDecl {
        name: "units",
        ty: ParamType::Count { min: 1, max: 10_000 },
        default: "100",
    }],
};

/// `headroom`: how many idle units the machine takes within a count and a time limit.
pub(super) const HEADROOM: ProbeDecl = ProbeDecl {
    kind: "headroom",
    variants: crate::probe::spawn::UNIT_VARIANTS,
    params: &[
        ParamDecl {
            name: "max_units",
            ty: ParamType::Count { min: 1, max: 100_000 },
            default: "2000",
        },
        ParamDecl {
            name: "time_limit",
            ty: ParamType::Duration { positive: true, max: Duration::from_secs(30) },
            default: "1s",
        },
    ],
};
