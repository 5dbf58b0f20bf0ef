//! `gilbench list`: the shipped (or named) scenarios, their case counts and the combinations
//! left out as not applicable; with `--cases`, the case keys a run would measure and how long
//! each should take.

use std::path::Path;

use anyhow::Result;
use clap::Args;
use gilbench::runner::{self, Profile};
use gilbench::scenario;
use gilbench::sweep::{self, Planned};

use super::sampling::SamplingArgs;
use super::select::{Selection, default_set};
use super::{EXIT_OK, Verbosity};

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    #[command(flatten)]
    select: Selection,
    /// Print every case key `run` would measure with the same arguments (without scenarios:
    /// the default set `run` runs) and its estimated time.
    #[arg(long)]
    cases: bool,
    #[command(flatten)]
    sampling: SamplingArgs,
}

pub(crate) fn list(args: ListArgs, verbosity: Verbosity) -> Result<u8> {
    let profile = args.sampling.profile()?;
    let filter = args.select.filter()?;
    let cpus = gilbench::results::fingerprint().usable_cpus;
    if args.cases {
        let scenarios = args.select.scenarios(default_set)?;
        let planned: Vec<Planned> = scenarios.iter().flat_map(|s| sweep::plan(s, cpus)).collect();
        print_cases(&sweep::select(planned, filter.as_ref()), &profile, cpus, verbosity);
        if verbosity > Verbosity::Quiet {
            let left_out = scenarios
                .iter()
                .flat_map(|s| sweep::not_applicable(s, cpus))
                .filter(|n| filter.as_ref().is_none_or(|re| re.is_match(&n.key)))
                .count();
            eprintln!("{left_out} not applicable (combinations that cannot run anywhere) left out");
        }
        return Ok(EXIT_OK);
    }
    let all_shipped = || scenario::shipped().iter().map(|s| s.load()).collect();
    let scenarios = args.select.scenarios(all_shipped)?;
    println!("{:<20} {:>6} {:>5}  {:<8} description", "scenario", "cases", "n/a", "default");
    for sc in scenarios {
        let default = scenario::shipped().iter().any(|s| s.default && sc.path == Path::new(s.file));
        let not_applicable = sweep::not_applicable(&sc, cpus)
            .into_iter()
            .filter(|n| filter.as_ref().is_none_or(|re| re.is_match(&n.key)))
            .count();
        println!(
            "{:<20} {:>6} {:>5}  {:<8} {}",
            sc.name,
            sweep::select(sweep::plan(&sc, cpus), filter.as_ref()).len(),
            not_applicable,
            if default { "yes" } else { "" },
            sc.description
        );
    }
    Ok(EXIT_OK)
}

/// One line per case (key, estimated time), then the total and how it was estimated.
fn print_cases(cases: &[Planned], profile: &Profile, cpus: usize, verbosity: Verbosity) {
    let mut known = std::time::Duration::ZERO;
    let mut unknown = 0;
    for case in cases {
        let estimate = runner::estimate(case, profile, cpus);
        match estimate {
            Some(d) => known += d,
            None => unknown += 1,
        }
        println!("{}\t{}", case.key(), estimate.map_or("?".into(), show));
    }
    if verbosity == Verbosity::Quiet {
        return;
    }
    eprintln!(
        "{} cases; about {} for the {} whose task time the scenario states{}",
        cases.len(),
        show(known),
        cases.len() - unknown,
        if unknown > 0 {
            format!(
                ", plus {unknown} (probes, io-file, command, cpu by iterations) of unknown time"
            )
        } else {
            String::new()
        }
    );
    eprintln!(
        "estimate: the longest a case takes, (warm-up + rounds) x the batch time (tasks x task \
         time, sleeps overlapped over the workers, CPU work over at most one worker per CPU), \
         to the {}-profile limit of {} rounds or {} per case once {} are in; a group whose \
         speedups are known to ±{} stops sooner; start-up, set-up and waits for a quiet machine \
         not included",
        profile.name,
        profile.max_rounds,
        show(profile.case_budget),
        profile.min_rounds,
        format_args!("{} %", profile.half_width * 100.0),
    );
}

/// A duration rounded for people: `1m 40s`, `2.5s`, `12ms`.
fn show(d: std::time::Duration) -> String {
    let ms = d.as_millis();
    if ms >= 60_000 {
        format!("{}m {}s", ms / 60_000, (ms % 60_000) / 1000)
    } else if ms >= 1000 {
        format!("{:.1}s", d.as_secs_f64())
    } else {
        format!("{ms}ms")
    }
}
