//! getrusage(2), available on every Unix.

use nix::sys::resource::{UsageWho, getrusage};

use super::Usage;

fn read(who: UsageWho) -> Usage {
    match getrusage(who) {
        Ok(u) => {
            let tv = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 * 1e-6;
            Usage {
                user_s: tv(u.user_time()),
                sys_s: tv(u.system_time()),
                voluntary_cs: u.voluntary_context_switches().max(0) as u64,
                involuntary_cs: u.involuntary_context_switches().max(0) as u64,
            }
        }
        Err(_) => Usage::default(),
    }
}

pub(super) fn usage_self() -> Usage {
    read(UsageWho::RUSAGE_SELF)
}

pub(super) fn usage_children() -> Usage {
    read(UsageWho::RUSAGE_CHILDREN)
}
