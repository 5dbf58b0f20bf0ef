//! When a comparison group knows enough: each comparison the report draws from it — a
//! speedup against the sequential baseline (paired t interval), or for a case without a
//! baseline its median (order-statistic interval) — is settled once its interval reaches no
//! further than the profile's half-width from its point, after the minimum of rounds. The
//! group stops when every comparison is settled, at the round limit, or once its budget is
//! spent. Pure functions over the kept samples, so the rule is tested on synthetic series.

use std::time::Duration;

use super::Profile;
use crate::results::{Speedup, StopReason};
use crate::stats::{LEVEL, median_interval, relative_half_width};

/// Least coverage an order-statistic interval must have to judge a median by; below it (four
/// samples or fewer) the median counts as unknown.
pub(super) const MIN_COVERAGE: f64 = 0.9;

/// How far the interval of a median of `xs` reaches, relative to it (infinite while the
/// samples are too few for an interval of [`MIN_COVERAGE`]).
pub(super) fn median_reach(xs: &[f64]) -> f64 {
    let (low, high, coverage) = median_interval(xs, LEVEL);
    if coverage < MIN_COVERAGE {
        return f64::INFINITY;
    }
    relative_half_width(crate::stats::median(xs), low, high)
}

/// How far the speedup of `walls` over `baseline` (paired by round) is from being known:
/// its interval's reach, relative to the speedup (infinite without an interval).
pub(super) fn speedup_reach(baseline: &[f64], walls: &[f64]) -> f64 {
    Speedup::from_rounds(baseline, walls).map_or(f64::INFINITY, |s| s.reach())
}

/// Whether a comparison that reaches `reach` after `rounds` timed rounds is settled.
pub(super) fn settled(profile: &Profile, rounds: usize, reach: f64) -> bool {
    rounds >= profile.min_rounds && reach <= profile.half_width
}

/// Why a group stops after `rounds` timed rounds, `spent` of sampling and with `open`
/// comparisons not yet settled; `None` while it goes on. `budget` is the group's.
pub(super) fn verdict(
    profile: &Profile,
    rounds: usize,
    spent: Duration,
    budget: Duration,
    open: usize,
) -> Option<StopReason> {
    if open == 0 && rounds >= profile.min_rounds {
        Some(StopReason::Converged)
    } else if rounds >= profile.max_rounds {
        Some(StopReason::MaxRounds)
    } else if rounds >= profile.min_rounds && spent >= budget {
        Some(StopReason::Budget)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quick() -> Profile {
        Profile::named("quick").unwrap()
    }

    /// Feeds a baseline and one case round by round, `per_round` of sampling each, until the
    /// rule stops them: (rounds, reason).
    fn drive(
        profile: &Profile,
        per_round: Duration,
        case: impl Fn(usize) -> f64,
    ) -> (usize, StopReason) {
        let budget = profile.case_budget * 2;
        let (mut base, mut walls) = (Vec::new(), Vec::new());
        for round in 1.. {
            base.push(10.0);
            walls.push(case(round));
            let open = usize::from(!settled(profile, round, speedup_reach(&base, &walls)));
            if let Some(why) = verdict(profile, round, per_round * round as u32, budget, open) {
                return (round, why);
            }
        }
        unreachable!()
    }

    #[test]
    fn a_steady_series_stops_at_the_minimum_as_converged() {
        let p = quick();
        // 2× with ±0.5 % jitter: the paired t interval is within ±5 % after three rounds.
        let (rounds, why) =
            drive(&p, Duration::from_millis(1), |r| 5.0 * (1.0 + 0.005 * (r % 2) as f64));
        assert_eq!((rounds, why), (p.min_rounds, StopReason::Converged));
    }

    #[test]
    fn a_noisy_series_runs_to_the_budget_and_says_so() {
        let p = quick();
        // Alternating 1.5× and 3×: never within ±5 %.
        let per_round = Duration::from_millis(50);
        let (rounds, why) =
            drive(&p, per_round, |r| if r % 2 == 0 { 10.0 / 1.5 } else { 10.0 / 3.0 });
        assert_eq!(why, StopReason::Budget);
        // It stopped on the first round at or past the budget, not before.
        let budget = p.case_budget * 2;
        assert!(per_round * rounds as u32 >= budget, "{rounds}");
        assert!(per_round * (rounds as u32 - 1) < budget, "{rounds}");
        assert!(rounds > p.min_rounds && rounds < p.max_rounds, "{rounds}");
    }

    #[test]
    fn a_noisy_series_with_cheap_rounds_stops_at_the_round_limit() {
        let p = quick();
        let (rounds, why) =
            drive(
                &p,
                Duration::from_micros(1),
                |r| if r % 2 == 0 { 10.0 / 1.5 } else { 10.0 / 3.0 },
            );
        assert_eq!((rounds, why), (p.max_rounds, StopReason::MaxRounds));
    }

    #[test]
    fn a_converged_comparison_waits_for_the_minimum_of_rounds() {
        let p = Profile { min_rounds: 6, ..quick() };
        let (rounds, why) = drive(&p, Duration::from_millis(1), |_| 5.0);
        assert_eq!((rounds, why), (6, StopReason::Converged));
    }

    #[test]
    fn a_median_needs_enough_samples_for_its_coverage() {
        // Four equal samples: [min, max] covers only 87.5 %, so the median is not known yet.
        assert_eq!(median_reach(&[1.0; 4]), f64::INFINITY);
        assert_eq!(median_reach(&[1.0; 5]), 0.0);
        // Five samples within ±2 %: known to ±2 %.
        let r = median_reach(&[0.98, 0.99, 1.0, 1.01, 1.02]);
        assert!((r - 0.02).abs() < 1e-9, "{r}");
    }
}
