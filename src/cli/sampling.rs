//! The sampling flags `run` and `list` share: the profile and what overrides it, and the
//! duration syntax of every duration flag.

use std::time::Duration;

use clap::Args;
use gilbench::runner::Profile;

use super::BadInput;

/// `--profile` and the flags that override its counts and budget.
#[derive(Debug, Args)]
pub(crate) struct SamplingArgs {
    /// Sampling profile: each group samples until every speedup is known to ±5 % (full:
    /// ±2 %), with quick 1 warm-up, 3 to 10 rounds, 100 ms per case; default 2, 5 to 40,
    /// 1 s; full 3, 10 to 200, 5 s.
    #[arg(long, default_value = "quick", value_parser = ["quick", "default", "full"])]
    profile: String,
    /// Exactly N timed samples per case: no early stop on a known answer, no budget
    /// (1 to 10000).
    #[arg(long, value_name = "N")]
    samples: Option<usize>,
    /// Fewest timed samples per case before the group may stop, overriding the profile's
    /// (1 to 10000).
    #[arg(long, value_name = "N")]
    min_samples: Option<usize>,
    /// Most timed samples per case, overriding the profile's (1 to 10000).
    #[arg(long, value_name = "N")]
    max_samples: Option<usize>,
    /// Stop sampling a group once every speedup (probes: every median) is known to within
    /// this relative half-width: `5%` or `0.05` (above 0, at most 100 %).
    #[arg(long, value_name = "PCT")]
    half_width: Option<String>,
    /// Warm-up samples per case, run and dropped, overriding the profile's count (0 to 1000).
    #[arg(long, value_name = "N")]
    warmup: Option<usize>,
    /// Sampling time per case of a group; a group stops once it has spent this times its
    /// case count and its minimum of samples is in, known or not. Overrides the profile's
    /// budget (`500ms`, `3s`; above 0, at most 1h).
    #[arg(long, value_name = "DURATION")]
    max_time: Option<String>,
}

impl SamplingArgs {
    /// The named profile with the overrides applied; out of range is an error naming the flag.
    pub(crate) fn profile(&self) -> Result<Profile, BadInput> {
        let mut profile = Profile::named(&self.profile).expect("invariant: clap checked the name");
        let count = |flag: &str, n: usize| -> Result<usize, BadInput> {
            if (1..=10_000).contains(&n) {
                Ok(n)
            } else {
                Err(BadInput(format!("{flag} {n}: expected 1 to 10000")))
            }
        };
        if let Some(n) = self.min_samples {
            profile.min_rounds = count("--min-samples", n)?;
            profile.max_rounds = profile.max_rounds.max(profile.min_rounds);
        }
        if let Some(n) = self.max_samples {
            profile.max_rounds = count("--max-samples", n)?;
            profile.min_rounds = profile.min_rounds.min(profile.max_rounds);
        }
        if let Some(n) = self.samples {
            profile.min_rounds = count("--samples", n)?;
            profile.max_rounds = profile.min_rounds;
        }
        if let Some(text) = &self.half_width {
            profile.half_width = parse_fraction("--half-width", text)?;
        }
        if let Some(n) = self.warmup {
            if n > 1000 {
                return Err(BadInput(format!("--warmup {n}: expected 0 to 1000")));
            }
            profile.warmup = n;
        }
        if let Some(text) = &self.max_time {
            profile.case_budget = duration_flag("--max-time", text, Duration::from_secs(3600))?;
        }
        Ok(profile)
    }
}

/// A relative width flag: a percentage (`5%`) or a fraction (`0.05`); above 0, at most 100 %.
fn parse_fraction(flag: &str, text: &str) -> Result<f64, BadInput> {
    let bad = || {
        BadInput(format!(
            "{flag} {text}: expected a width like 5% or 0.05, above 0 and at most 100%"
        ))
    };
    let value = match text.trim().strip_suffix('%') {
        Some(pct) => pct.trim().parse::<f64>().map_err(|_| bad())? / 100.0,
        None => text.trim().parse::<f64>().map_err(|_| bad())?,
    };
    if value.is_finite() && value > 0.0 && value <= 1.0 { Ok(value) } else { Err(bad()) }
}

/// A duration flag: plain seconds (`120`, `0.5`) or a duration as scenario files write it
/// (`2m`, `500ms`); above zero and at most `max`.
pub(crate) fn duration_flag(flag: &str, text: &str, max: Duration) -> Result<Duration, BadInput> {
    let bad = |why: &str| BadInput(format!("{flag} {text}: {why}"));
    let d = match text.trim().parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs > 0.0 => {
            Duration::try_from_secs_f64(secs).map_err(|_| bad("expected a duration above 0"))?
        }
        Ok(_) => return Err(bad("expected a duration above 0")),
        Err(_) => gilbench::scenario::parse_duration(text)
            .ok_or_else(|| bad("expected seconds or a duration like 2m or 500ms"))?,
    };
    if d.is_zero() || d > max {
        return Err(bad(&format!(
            "expected a duration above 0 and at most {}",
            humantime::format_duration(max)
        )));
    }
    Ok(d)
}
