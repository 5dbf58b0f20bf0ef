//! `[[probe]]` tables: which probe kinds exist, the parameters each takes (with their types,
//! limits and defaults), and the reading of one table into [`ProbeAxes`]. Every parameter
//! accepts one value or a list (a sweep axis).

use std::collections::BTreeMap;
use std::time::Duration;

use toml::Spanned;

use super::schema::{Sp, Value};
use super::values::{MIB, Read, Reader, show_duration, show_size};
use super::{ProbeAxes, ProbeParams, ProbeValue};

mod ipc;

/// The type and limits of one probe parameter.
#[derive(Debug, Clone, Copy)]
pub(super) enum ParamType {
    /// A whole number in `min..=max`.
    Count { min: u64, max: u64 },
    /// A number of contending units in `1..=max`, or `"auto"`: 1, 2, 4, … up to twice the
    /// usable CPUs of the machine that runs it (written alone, not in a list).
    Units { max: u64 },
    /// A duration, positive if `positive`, at most `max`.
    Duration { positive: bool, max: Duration },
    /// A size in bytes, at most `max`.
    Size { max: u64 },
    /// One of these words.
    Choice(&'static [&'static str]),
}

/// One parameter of a probe kind.
#[derive(Debug, Clone, Copy)]
pub(super) struct ParamDecl {
    pub(super) name: &'static str,
    pub(super) ty: ParamType,
    /// Written like a scenario value (`"5ms"`, `"0"`, `"sleep"`).
    pub(super) default: &'static str,
}

/// A probe kind: its variants (what `models` may name) and its parameters.
#[derive(Debug, Clone, Copy)]
pub(super) struct ProbeDecl {
    pub(super) kind: &'static str,
    pub(super) variants: &'static [&'static str],
    pub(super) params: &'static [ParamDecl],
}

const SECOND: Duration = Duration::from_secs(1);

/// Every probe kind.
pub(super) const PROBES: &[ProbeDecl] = &[
    CONVOY,
    super::probe_switch::SWITCH,
    super::probe_switch::SPAWN,
    super::probe_switch::FOOTPRINT,
    super::probe_switch::HEADROOM,
    super::probe_locks::LOCK,
    super::probe_locks::DEADLOCK,
    ipc::IPC,
    ipc::MP,
];

const CONVOY: ProbeDecl = ProbeDecl {
    kind: "convoy",
    variants: &["gil", "threads", "processes"],
    params: &[
        ParamDecl { name: "hogs", ty: ParamType::Count { min: 0, max: 256 }, default: "0" },
        ParamDecl {
            name: "switch_interval",
            ty: ParamType::Duration { positive: true, max: SECOND },
            default: "5ms",
        },
        ParamDecl { name: "io", ty: ParamType::Choice(&["sleep", "net"]), default: "sleep" },
        ParamDecl {
            name: "io_time",
            ty: ParamType::Duration { positive: false, max: SECOND },
            default: "1ms",
        },
        ParamDecl { name: "response_bytes", ty: ParamType::Size { max: 16 * MIB }, default: "64" },
        ParamDecl {
            name: "duration",
            ty: ParamType::Duration { positive: true, max: Duration::from_secs(60) },
            default: "200ms",
        },
    ],
};

/// Rules between a kind's parameters, checked at each point of its sweep: the key to blame and
/// why.
fn check_point(kind: &str, params: &ProbeParams) -> Result<(), (&'static str, String)> {
    match kind {
        "lock" => super::probe_locks::check_lock(params),
        _ => Ok(()),
    }
}

/// The probe kinds, for messages.
pub(super) fn kind_names() -> String {
    PROBES.iter().map(|p| p.kind).collect::<Vec<_>>().join(", ")
}

fn read_value(rd: &Reader<'_>, v: &Sp, decl: &ParamDecl) -> Read<(ProbeValue, String)> {
    Ok(match decl.ty {
        ParamType::Count { min, max } => {
            let n = rd.integer(v, decl.name, decl.name, min, max)?;
            (ProbeValue::Count(n), n.to_string())
        }
        ParamType::Units { .. } if matches!(v.get_ref(), Value::Str(s) if s == "auto") => {
            (ProbeValue::Auto, "auto".to_string())
        }
        ParamType::Units { .. } if matches!(v.get_ref(), Value::Str(_)) => {
            let s = rd.string(v, decl.name)?;
            return Err(rd.err(
                v,
                decl.name,
                format!("expected a whole number or \"auto\", found \"{s}\""),
            ));
        }
        ParamType::Units { max } => {
            let n = rd.integer(v, decl.name, decl.name, 1, max)?;
            (ProbeValue::Count(n), n.to_string())
        }
        ParamType::Duration { positive, max } => {
            let d = rd.duration(v, decl.name, positive, max)?;
            (ProbeValue::Duration(d), show_duration(d))
        }
        ParamType::Size { max } => {
            let n = rd.size(v, decl.name, 0, max)?;
            (ProbeValue::Size(n), show_size(n))
        }
        ParamType::Choice(words) => {
            let s = rd.string(v, decl.name)?;
            if !words.contains(&s) {
                return Err(rd.err(
                    v,
                    decl.name,
                    format!("unknown value `{s}`; expected one of {}", words.join(", ")),
                ));
            }
            (ProbeValue::Choice(s.to_string()), s.to_string())
        }
    })
}

/// The default as a parsed value (declarations are constants: a bad one is a bug).
fn default_value(decl: &ParamDecl) -> (ProbeValue, String) {
    let d = decl.default;
    let value = match decl.ty {
        ParamType::Count { .. } | ParamType::Units { .. } => {
            ProbeValue::Count(d.parse().expect("invariant: count defaults are numbers"))
        }
        ParamType::Duration { .. } => ProbeValue::Duration(
            humantime::parse_duration(d).expect("invariant: duration defaults parse"),
        ),
        ParamType::Size { .. } => {
            ProbeValue::Size(d.parse().expect("invariant: size defaults are numbers"))
        }
        ParamType::Choice(_) => ProbeValue::Choice(d.to_string()),
    };
    let shown = match &value {
        ProbeValue::Duration(x) => show_duration(*x),
        ProbeValue::Size(x) => show_size(*x),
        _ => d.to_string(),
    };
    (value, shown)
}

/// Reads one `[[probe]]` table.
pub(super) fn probe(rd: &Reader<'_>, table: &Spanned<BTreeMap<String, Sp>>) -> Read<ProbeAxes> {
    let t = table.get_ref();
    let at_table = |key: &str, message: String| rd.src.at(table.span().start, Some(key), message);
    let kind_v = t.get("kind").ok_or_else(|| {
        at_table("kind", format!("missing; expected kind = one of {}", kind_names()))
    })?;
    let kind = rd.string(kind_v, "kind")?;
    let decl = PROBES.iter().find(|p| p.kind == kind).ok_or_else(|| {
        rd.err(
            kind_v,
            "kind",
            format!("unknown probe kind `{kind}`; expected one of {}", kind_names()),
        )
    })?;
    for (key, v) in t {
        if key != "kind" && key != "models" && !decl.params.iter().any(|p| p.name == key) {
            let known: Vec<&str> = decl.params.iter().map(|p| p.name).collect();
            return Err(rd.err(
                v,
                key,
                format!(
                    "unknown key for a `{kind}` probe{}; expected models or one of {}",
                    super::suggest::did_you_mean(
                        key,
                        known.iter().copied().chain(["kind", "models"])
                    ),
                    known.join(", ")
                ),
            ));
        }
    }
    let variants: Vec<String> = match t.get("models") {
        None => decl.variants.iter().map(|s| s.to_string()).collect(),
        Some(v) => rd
            .axis(
                v,
                "models",
                |item| {
                    let s = rd.string(item, "models")?;
                    if decl.variants.contains(&s) {
                        Ok(s.to_string())
                    } else {
                        Err(rd.err(
                            item,
                            "models",
                            format!(
                                "unknown model `{s}` for a `{kind}` probe; expected one of {}",
                                decl.variants.join(", ")
                            ),
                        ))
                    }
                },
                |s| s.clone(),
            )?
            .into_iter()
            .map(|(s, _)| s)
            .collect(),
    };
    // The cartesian product of every parameter's values, in declaration order.
    let mut points: Vec<(ProbeParams, Vec<(String, String)>)> =
        vec![(ProbeParams::default(), Vec::new())];
    // "auto" becomes up to this many counts when the run is planned.
    let mut auto_weight = 1usize;
    for p in decl.params {
        let values = match t.get(p.name) {
            Some(v) => rd.axis(v, p.name, |item| read_value(rd, item, p), |(_, s)| s.clone())?,
            None => vec![(default_value(p), String::new())],
        };
        if values.len() > 1 && values.iter().any(|((value, _), _)| *value == ProbeValue::Auto) {
            return Err(rd.err(
                t.get(p.name).unwrap_or(kind_v),
                p.name,
                "\"auto\" stands for the whole grid (1, 2, 4, … up to twice the CPUs); write it \
                 alone, not in a list"
                    .to_string(),
            ));
        }
        if values.iter().any(|((value, _), _)| *value == ProbeValue::Auto) {
            auto_weight = auto_weight.saturating_mul(super::cases::AUTO_WORKER_COUNTS);
        }
        let mut next = Vec::with_capacity(points.len() * values.len());
        for (params, shown) in &points {
            for ((value, _), display) in &values {
                let mut params = params.clone();
                params.values.insert(p.name.to_string(), value.clone());
                let mut shown = shown.clone();
                shown.push((p.name.to_string(), display.clone()));
                next.push((params, shown));
            }
        }
        points = next;
        if points.len().saturating_mul(auto_weight) > super::MAX_CASES {
            return Err(rd.err(
                t.get(p.name).unwrap_or(kind_v),
                p.name,
                format!("the probe expands to more than {} cases", super::MAX_CASES),
            ));
        }
    }
    for (params, _) in &points {
        if let Err((key, message)) = check_point(decl.kind, params) {
            return Err(rd.err(t.get(key).unwrap_or(kind_v), key, message));
        }
    }
    Ok(ProbeAxes { kind: decl.kind.to_string(), variants, points })
}
