//! One `[[workload]]` table checked: its kind's keys, their ranges and sweeps, the keys it
//! overrides from the top level, and the cases its axes expand to.

use std::time::Duration;

use toml::Spanned;

use super::cases::{AUTO_WORKER_COUNTS, AxisAt, Checked};
use super::kinds::{KINDS, kind_keys};
use super::limits::{MAX_FILE_BYTES, MAX_ITERATIONS, MAX_RESPONSE_BYTES, MAX_TASK_TIME};
use super::schema::{RawWorkload, Sp};
use super::shared::Shared;
use super::values::{Read, Reader, show_duration, show_fraction};
use super::{CpuSize, Workers, WorkloadAxes, WorkloadParams};

/// `response_bytes` when not given.
const DEFAULT_RESPONSE_BYTES: u32 = 1024;

/// Checks one `[[workload]]` table against the top level's shared keys.
pub(super) fn workload(
    rd: &Reader<'_>,
    table: &Spanned<RawWorkload>,
    top: &Shared,
) -> Read<Checked> {
    let w = table.get_ref();
    let offset = table.span().start;
    let kind = rd.string(&w.kind, "kind")?;
    if !KINDS.contains(&kind) {
        return Err(rd.err(
            &w.kind,
            "kind",
            format!("unknown workload kind `{kind}`; expected one of {}", KINDS.join(", ")),
        ));
    }
    let allowed = kind_keys(kind);
    for (key, value) in w.kind_keys() {
        if let Some(v) = value
            && !allowed.contains(&key)
        {
            return Err(rd.err(
                v,
                key,
                format!("does not apply to a `{kind}` workload; it takes {}", allowed.join(", ")),
            ));
        }
    }
    let own = Shared::read(rd, &w.models, &w.workers, &w.tasks, &w.payload_bytes)?;
    let missing = |key: &str, hint: &str| rd.src.at(offset, Some(key), format!("missing; {hint}"));

    let mut sizes = Vec::new();
    let mut axis_len = |key: &'static str, v: &Sp, len: usize| {
        sizes.push(AxisAt { key, len, offset: v.span().start });
    };
    let time = |key: &'static str, positive: bool| {
        move |x: &Sp| rd.duration(x, key, positive, MAX_TASK_TIME)
    };
    let show_d = |d: &Duration| show_duration(*d);
    // Only `cpu` and `mixed` take it (checked above); shown in case keys only when given.
    let released: Vec<(f64, Option<String>)> = match &w.released_fraction {
        Some(v) => {
            let list = rd.axis(
                v,
                "released_fraction",
                |x| rd.fraction(x, "released_fraction"),
                |f| show_fraction(*f),
            )?;
            axis_len("released_fraction", v, list.len());
            list.into_iter().map(|(f, s)| (f, Some(s))).collect()
        }
        None => vec![(0.0, None)],
    };

    let variants: Vec<(WorkloadParams, Vec<(String, String)>)> = match kind {
        "cpu" => match (&w.task_duration, &w.iterations) {
            (Some(d), Some(i)) => {
                let (later, key) = if d.span().start > i.span().start {
                    (d, "task_duration")
                } else {
                    (i, "iterations")
                };
                return Err(rd.err(
                    later,
                    key,
                    "set either `task_duration` or `iterations`, not both",
                ));
            }
            (Some(d), None) => {
                let list = rd.axis(d, "task_duration", time("task_duration", true), show_d)?;
                axis_len("task_duration", d, list.len());
                list.into_iter()
                    .map(|(d, s)| {
                        (
                            WorkloadParams::Cpu {
                                size: CpuSize::Duration(d),
                                released_fraction: 0.0,
                            },
                            vec![pair("task_duration", s)],
                        )
                    })
                    .collect()
            }
            (None, Some(i)) => {
                let list = rd.axis(
                    i,
                    "iterations",
                    |x| rd.integer(x, "iterations", "iterations", 1, MAX_ITERATIONS),
                    u64::to_string,
                )?;
                axis_len("iterations", i, list.len());
                list.into_iter()
                    .map(|(n, s)| {
                        (
                            WorkloadParams::Cpu {
                                size: CpuSize::Iterations(n),
                                released_fraction: 0.0,
                            },
                            vec![pair("iterations", s)],
                        )
                    })
                    .collect()
            }
            (None, None) => {
                return Err(missing(
                    "task_duration",
                    "a `cpu` workload needs `task_duration` (e.g. \"2ms\") or `iterations`",
                ));
            }
        },
        "io-sleep" => {
            let v = w.sleep.as_ref().ok_or_else(|| {
                missing("sleep", "an `io-sleep` workload needs `sleep` (e.g. \"2ms\")")
            })?;
            let list = rd.axis(v, "sleep", time("sleep", false), show_d)?;
            axis_len("sleep", v, list.len());
            list.into_iter()
                .map(|(d, s)| (WorkloadParams::IoSleep { sleep: d }, vec![pair("sleep", s)]))
                .collect()
        }
        "io-file" => {
            let v = w.bytes.as_ref().ok_or_else(|| {
                missing("bytes", "an `io-file` workload needs `bytes` (e.g. \"64KiB\")")
            })?;
            let fsync = match &w.fsync {
                Some(f) => rd.boolean(f, "fsync")?,
                None => false,
            };
            let list =
                rd.axis(v, "bytes", |x| rd.size(x, "bytes", 1, MAX_FILE_BYTES), u64::to_string)?;
            axis_len("bytes", v, list.len());
            list.into_iter()
                .map(|(n, s)| {
                    (
                        WorkloadParams::IoFile { bytes: n, fsync },
                        vec![pair("bytes", s), pair("fsync", fsync.to_string())],
                    )
                })
                .collect()
        }
        "io-net" => {
            let v = w.delay.as_ref().ok_or_else(|| {
                missing("delay", "an `io-net` workload needs `delay` (e.g. \"2ms\", or \"0ms\")")
            })?;
            let delays = rd.axis(v, "delay", time("delay", false), show_d)?;
            axis_len("delay", v, delays.len());
            let responses = match &w.response_bytes {
                Some(r) => {
                    let list = rd.axis(
                        r,
                        "response_bytes",
                        |x| {
                            let n = rd.size(x, "response_bytes", 0, MAX_RESPONSE_BYTES)?;
                            Ok(u32::try_from(n).unwrap_or(u32::MAX))
                        },
                        u32::to_string,
                    )?;
                    axis_len("response_bytes", r, list.len());
                    list
                }
                None => vec![(DEFAULT_RESPONSE_BYTES, DEFAULT_RESPONSE_BYTES.to_string())],
            };
            product(&delays, &responses, |(d, ds), (r, rs)| {
                (
                    WorkloadParams::IoNet { delay: *d, response_bytes: *r },
                    vec![pair("delay", ds.clone()), pair("response_bytes", rs.clone())],
                )
            })
        }
        "command" => {
            let params = super::command::command(rd, w, offset)?;
            let shown = vec![pair("command", params.0.clone())];
            let (name, argv, timeout) = params;
            vec![(WorkloadParams::Command { name, argv, timeout }, shown)]
        }
        _ => {
            let d = w.task_duration.as_ref().ok_or_else(|| {
                missing("task_duration", "a `mixed` workload needs `task_duration` (e.g. \"2ms\")")
            })?;
            let f = w.cpu_fraction.as_ref().ok_or_else(|| {
                missing("cpu_fraction", "a `mixed` workload needs `cpu_fraction` (0 to 1)")
            })?;
            let durations = rd.axis(d, "task_duration", time("task_duration", true), show_d)?;
            axis_len("task_duration", d, durations.len());
            let fractions = rd.axis(
                f,
                "cpu_fraction",
                |x| rd.fraction(x, "cpu_fraction"),
                |f| show_fraction(*f),
            )?;
            axis_len("cpu_fraction", f, fractions.len());
            product(&durations, &fractions, |(d, ds), (f, fs)| {
                (
                    WorkloadParams::Mixed {
                        task_duration: *d,
                        cpu_fraction: *f,
                        released_fraction: 0.0,
                    },
                    vec![pair("task_duration", ds.clone()), pair("cpu_fraction", fs.clone())],
                )
            })
        }
    };

    let variants = with_released(variants, &released);

    let (models, models_at) = own.models.or(top.models.clone()).ok_or_else(|| {
        missing("models", "set `models` at the top of the file or in this [[workload]]")
    })?;
    let (workers, workers_at) =
        own.workers.or(top.workers.clone()).unwrap_or((Workers::Auto, offset));
    let (tasks, tasks_at) = own.tasks.or(top.tasks.clone()).ok_or_else(|| {
        missing("tasks", "set `tasks` at the top of the file or in this [[workload]]")
    })?;
    let (payload_bytes, payload_at) =
        own.payload_bytes.or(top.payload_bytes.clone()).unwrap_or((vec![0], offset));

    let worker_counts = match &workers {
        Workers::Auto => AUTO_WORKER_COUNTS,
        Workers::List(list) => list.len(),
    };
    // Workers multiply the cases of every model but sequential, so they come first on ties.
    sizes.insert(0, AxisAt { key: "workers", len: worker_counts, offset: workers_at });
    sizes.push(AxisAt { key: "tasks", len: tasks.len(), offset: tasks_at });
    sizes.push(AxisAt { key: "payload_bytes", len: payload_bytes.len(), offset: payload_at });
    sizes.push(AxisAt { key: "models", len: models.len(), offset: models_at });

    Ok(Checked {
        axes: WorkloadAxes { variants, models, workers, tasks, payload_bytes },
        offset,
        sizes,
    })
}

/// Every variant at every released fraction, the fraction's pair added where it was given.
fn with_released(
    variants: Vec<(WorkloadParams, Vec<(String, String)>)>,
    released: &[(f64, Option<String>)],
) -> Vec<(WorkloadParams, Vec<(String, String)>)> {
    product(&variants, released, |(params, pairs), (f, shown)| {
        let mut params = params.clone();
        if let WorkloadParams::Cpu { released_fraction, .. }
        | WorkloadParams::Mixed { released_fraction, .. } = &mut params
        {
            *released_fraction = *f;
        }
        let mut pairs = pairs.clone();
        if let Some(s) = shown {
            pairs.push(pair("released_fraction", s.clone()));
        }
        (params, pairs)
    })
}

fn pair(key: &str, value: String) -> (String, String) {
    (key.to_owned(), value)
}

/// The cartesian product of two axes, the first one outermost.
fn product<A, B, T>(a: &[A], b: &[B], f: impl Fn(&A, &B) -> T) -> Vec<T> {
    a.iter().flat_map(|x| b.iter().map(|y| f(x, y)).collect::<Vec<_>>()).collect()
}
