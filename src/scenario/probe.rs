//! `[[probe]]` tables: the reading of one table into [`ProbeAxes`], against the kinds and
//! parameters the probes declare ([`crate::probe::PROBES`]: types, limits and defaults). Every
//! parameter accepts one value or a list (a sweep axis); every point of the sweep must build
//! the kind's typed parameters.

use std::collections::BTreeMap;

use toml::Spanned;

use super::schema::{Sp, Value};
use super::values::{Read, Reader, show_duration, show_size};
use super::{ProbeAxes, ProbeParams, ProbeValue};
use crate::probe::{PROBES, ParamDecl, ParamError, ParamType, ProbeConfig};

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
            None => vec![((p.default_value(), String::new()), String::new())],
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
    // Each point builds the kind's typed parameters (an "auto" count is built once planned),
    // which also checks the rules between them.
    for (params, _) in &points {
        match ProbeConfig::from_values(decl.kind, params) {
            Ok(_) | Err(ParamError::Auto { .. }) => {}
            Err(e) => {
                let key = e.key();
                return Err(rd.err(t.get(key).unwrap_or(kind_v), key, e.to_string()));
            }
        }
    }
    Ok(ProbeAxes { kind: decl.kind.to_string(), variants, points })
}
