//! The sampling flags `run` and `list` share: the profile and what overrides it, and the
//! duration syntax of every duration flag.

use std::time::Duration;

use clap::Args;
use gilbench::runner::Profile;

use super::BadInput;

/// `--profile` and the flags that override its counts and budget.
#[derive(Debug, Args)]
pub(crate) struct SamplingArgs {
    /// Sampling profile: quick (1 warm-up, 5 samples, at least 3 once 400 ms are spent per
    /// case), default (2, 15, 5, 3 s) or full (3, 40, 10, 15 s).
    #[arg(long, default_value = "quick", value_parser = ["quick", "default", "full"])]
    profile: String,
    /// Timed samples per case, overriding the profile's count (1 to 10000).
    #[arg(long, value_name = "N")]
    samples: Option<usize>,
    /// Warm-up samples per case, run and dropped, overriding the profile's count (0 to 1000).
    #[arg(long, value_name = "N")]
    warmup: Option<usize>,
    /// Time a case may spend sampling once its minimum of samples is in, overriding the
    /// profile's budget (`500ms`, `3s`; above 0, at most 1h).
    #[arg(long, value_name = "DURATION")]
    max_time: Option<String>,
}

impl SamplingArgs {
    /// The named profile with the overrides applied; out of range is an error naming the flag.
    pub(crate) fn profile(&self) -> Result<Profile, BadInput> {
        let mut profile = Profile::named(&self.profile).expect("invariant: clap checked the name");
        if let Some(n) = self.samples {
            if !(1..=10_000).contains(&n) {
                return Err(BadInput(format!("--samples {n}: expected 1 to 10000")));
            }
            profile.samples = n;
            profile.min_samples = profile.min_samples.min(n);
        }
        if let Some(n) = self.warmup {
            if n > 1000 {
                return Err(BadInput(format!("--warmup {n}: expected 0 to 1000")));
            }
            profile.warmup = n;
        }
        if let Some(text) = &self.max_time {
            profile.case_budget = parse_duration("--max-time", text, Duration::from_secs(3600))?;
        }
        Ok(profile)
    }
}

/// A duration flag: plain seconds (`120`, `0.5`) or a duration as scenario files write it
/// (`2m`, `500ms`); above zero and at most `max`.
pub(crate) fn parse_duration(flag: &str, text: &str, max: Duration) -> Result<Duration, BadInput> {
    let bad = |why: &str| BadInput(format!("{flag} {text}: {why}"));
    let d = match text.trim().parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs > 0.0 => {
            Duration::try_from_secs_f64(secs).map_err(|_| bad("expected a duration above 0"))?
        }
        Ok(_) => return Err(bad("expected a duration above 0")),
        Err(_) => humantime::parse_duration(text.trim())
            .map_err(|e| bad(&format!("expected seconds or a duration like 2m or 500ms ({e})")))?,
    };
    if d.is_zero() || d > max {
        return Err(bad(&format!(
            "expected a duration above 0 and at most {}",
            humantime::format_duration(max)
        )));
    }
    Ok(d)
}
