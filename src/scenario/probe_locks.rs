//! The `[[probe]]` declarations of the lock and synchronization probes (`lock`, `deadlock`):
//! their variants and parameters, listed in [`super::probe::PROBES`].

use std::time::Duration;

use super::ProbeParams;
use super::probe::{ParamDecl, ParamType, ProbeDecl};

const MAX_WORK: Duration = Duration::from_millis(10);

/// The `lock` probe: one variant per lock kind.
pub(super) const LOCK: ProbeDecl = ProbeDecl {
    kind: "lock",
    variants: crate::probe::lock::KIND_NAMES,
    params: &[
        ParamDecl {
            name: "mode",
            ty: ParamType::Choice(&["contended", "uncontended"]),
            default: "contended",
        },
        ParamDecl { name: "contenders", ty: ParamType::Units { max: 256 }, default: "2" },
        ParamDecl {
            name: "critical_section",
            ty: ParamType::Duration { positive: false, max: MAX_WORK },
            default: "0s",
        },
        ParamDecl {
            name: "outside_work",
            ty: ParamType::Duration { positive: false, max: MAX_WORK },
            default: "0s",
        },
        ParamDecl { name: "read_percent", ty: ParamType::Count { min: 0, max: 100 }, default: "0" },
        ParamDecl { name: "depth", ty: ParamType::Count { min: 1, max: 64 }, default: "1" },
        ParamDecl { name: "permits", ty: ParamType::Count { min: 1, max: 256 }, default: "1" },
        ParamDecl { name: "capacity", ty: ParamType::Count { min: 1, max: 65_536 }, default: "16" },
        ParamDecl {
            name: "duration",
            ty: ParamType::Duration { positive: true, max: Duration::from_secs(60) },
            default: "50ms",
        },
    ],
};

/// The `deadlock` probe: two threads, two locks, taken in opposite or in a fixed order.
pub(super) const DEADLOCK: ProbeDecl = ProbeDecl {
    kind: "deadlock",
    variants: crate::probe::deadlock::VARIANTS,
    params: &[
        ParamDecl {
            name: "rounds",
            ty: ParamType::Count { min: 1, max: 1_000_000 },
            default: "20",
        },
        ParamDecl {
            name: "hold",
            ty: ParamType::Duration { positive: false, max: Duration::from_secs(1) },
            default: "200us",
        },
        ParamDecl {
            name: "watchdog",
            ty: ParamType::Duration { positive: true, max: Duration::from_secs(60) },
            default: "100ms",
        },
    ],
};

/// A `lock` point is uncontended with exactly one contender.
pub(super) fn check_lock(params: &ProbeParams) -> Result<(), (&'static str, String)> {
    let contenders = params.count("contenders");
    if params.choice("mode") == "uncontended" && contenders != 1 {
        return Err((
            "contenders",
            format!(
                "mode = \"uncontended\" takes the lock from one thread, task or process; \
                 write contenders = 1 (here it is {})",
                if contenders == 0 { "\"auto\"".to_string() } else { contenders.to_string() }
            ),
        ));
    }
    Ok(())
}
