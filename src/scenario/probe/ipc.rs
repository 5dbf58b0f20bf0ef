//! The `ipc` and `mp` probe kinds: their variants and parameters.

use std::time::Duration;

use super::{ParamDecl, ParamType, ProbeDecl};
use crate::measure::placement::Placement;
use crate::scenario::values::MIB;

const DURATION: ParamDecl = ParamDecl {
    name: "duration",
    ty: ParamType::Duration { positive: true, max: Duration::from_secs(60) },
    default: "50ms",
};

/// Transports between two threads, processes or tasks.
pub(super) const IPC: ProbeDecl = ProbeDecl {
    kind: "ipc",
    variants: &crate::probe::ipc::NAMES,
    params: &[
        ParamDecl {
            name: "endpoints",
            ty: ParamType::Choice(&["threads", "processes", "tasks"]),
            default: "threads",
        },
        ParamDecl { name: "size", ty: ParamType::Size { max: 64 * MIB }, default: "8" },
        ParamDecl {
            name: "mode",
            ty: ParamType::Choice(&["latency", "throughput"]),
            default: "latency",
        },
        ParamDecl { name: "placement", ty: ParamType::Choice(&Placement::NAMES), default: "free" },
        DURATION,
    ],
};

/// The multiprocessing analogues.
pub(super) const MP: ProbeDecl = ProbeDecl {
    kind: "mp",
    variants: &crate::probe::ipc::mp::VARIANTS,
    params: &[
        ParamDecl { name: "clients", ty: ParamType::Count { min: 1, max: 64 }, default: "1" },
        ParamDecl { name: "size", ty: ParamType::Size { max: 16 * MIB }, default: "64" },
        DURATION,
    ],
};
