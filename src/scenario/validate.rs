//! Semantic checks on a parsed scenario as a whole: its own keys (name, description, timeout,
//! switch interval) and those a workload shares with them, each `[[workload]]` and `[[probe]]`
//! table, then the size of the sweep and its case keys. Turns the raw structs into a
//! [`Scenario`]; runs nothing.

use std::path::Path;

use super::cases::{Checked, check_collisions, check_size};
use super::error::Source;
use super::limits::{MAX_PAYLOAD, MAX_SWITCH_INTERVAL, MAX_TASKS, MAX_TIMEOUT, MAX_WORKERS};
use super::schema::{RawScenario, Sp};
use super::values::{Read, Reader, name_char};
use super::workload::workload;
use super::{Scenario, ScenarioError, Workers};
use crate::exec::Model;

pub(super) fn validate(
    raw: RawScenario,
    text: &str,
    path: &Path,
) -> Result<Scenario, ScenarioError> {
    let rd = Reader { src: Source { text, path } };
    let name = match &raw.name {
        Some(v) => rd.name(v, "name")?.to_owned(),
        None => stem_name(path),
    };
    let description = match &raw.description {
        Some(v) => rd.string(v, "description")?.to_owned(),
        None => String::new(),
    };
    let timeout = match &raw.timeout {
        Some(v) => Some(rd.duration(v, "timeout", true, MAX_TIMEOUT)?),
        None => None,
    };
    let switch_interval = match &raw.switch_interval {
        Some(v) => Some(rd.duration(v, "switch_interval", true, MAX_SWITCH_INTERVAL)?),
        None => None,
    };
    let top = Shared::read(&rd, &raw.models, &raw.workers, &raw.tasks, &raw.payload_bytes)?;

    let probes = match &raw.probe {
        Some(tables) => tables
            .get_ref()
            .iter()
            .map(|t| super::probe::probe(&rd, t))
            .collect::<Read<Vec<_>>>()?,
        None => Vec::new(),
    };
    let checked = match &raw.workload {
        Some(tables) if tables.get_ref().is_empty() => {
            return Err(rd.src.at(
                tables.span().start,
                Some("workload"),
                "empty sweep; expected at least one workload",
            ));
        }
        Some(tables) => tables
            .get_ref()
            .iter()
            .map(|w| workload(&rd, w, &top))
            .collect::<Read<Vec<Checked>>>()?,
        None if probes.is_empty() => {
            // Point at the end of the content, where a table would go.
            return Err(rd.src.at(
                text.trim_end().len(),
                Some("workload"),
                "no [[workload]] or [[probe]] table; expected at least one \
                 (kind = \"cpu\", \"io-sleep\", …)",
            ));
        }
        None => Vec::new(),
    };
    check_size(&rd, &checked)?;
    check_collisions(&rd, &checked)?;

    Ok(Scenario {
        name,
        description,
        path: path.to_path_buf(),
        timeout,
        switch_interval,
        workloads: checked.into_iter().map(|c| c.axes).collect(),
        probes,
    })
}

/// The file stem, with characters that would spoil case keys replaced by `-`.
fn stem_name(path: &Path) -> String {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let name: String = stem.chars().map(|c| if name_char(c) { c } else { '-' }).collect();
    if name.is_empty() { "scenario".into() } else { name }
}

/// The keys a workload may override, as read at one level (top or workload).
#[derive(Default)]
pub(super) struct Shared {
    pub(super) models: Option<(Vec<Model>, usize)>,
    pub(super) workers: Option<(Workers, usize)>,
    pub(super) tasks: Option<(Vec<usize>, usize)>,
    pub(super) payload_bytes: Option<(Vec<usize>, usize)>,
}

impl Shared {
    pub(super) fn read(
        rd: &Reader<'_>,
        models: &Option<Sp>,
        workers: &Option<Sp>,
        tasks: &Option<Sp>,
        payload: &Option<Sp>,
    ) -> Read<Shared> {
        let at = |v: &Sp| v.span().start;
        Ok(Shared {
            models: models.as_ref().map(|v| Ok((read_models(rd, v)?, at(v)))).transpose()?,
            workers: workers.as_ref().map(|v| Ok((read_workers(rd, v)?, at(v)))).transpose()?,
            tasks: tasks
                .as_ref()
                .map(|v| {
                    let list = rd.axis(
                        v,
                        "tasks",
                        |x| rd.integer(x, "tasks", "tasks", 1, MAX_TASKS).map(to_usize),
                        usize::to_string,
                    )?;
                    Ok((values(list), at(v)))
                })
                .transpose()?,
            payload_bytes: payload
                .as_ref()
                .map(|v| {
                    let list = rd.axis(
                        v,
                        "payload_bytes",
                        |x| rd.size(x, "payload_bytes", 0, MAX_PAYLOAD).map(to_usize),
                        usize::to_string,
                    )?;
                    Ok((values(list), at(v)))
                })
                .transpose()?,
        })
    }
}

/// Values checked against limits far below `usize::MAX` on every supported target.
pub(super) fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

pub(super) fn values<T>(list: Vec<(T, String)>) -> Vec<T> {
    list.into_iter().map(|(v, _)| v).collect()
}

pub(super) fn read_models(rd: &Reader<'_>, v: &Sp) -> Read<Vec<Model>> {
    let list = rd.axis(
        v,
        "models",
        |x| {
            let s = rd.string(x, "models")?;
            Model::from_name(s).ok_or_else(|| {
                let names: Vec<&str> = Model::ALL.iter().map(|m| m.name()).collect();
                rd.err(
                    x,
                    "models",
                    format!("unknown model `{s}`; expected one of {}", names.join(", ")),
                )
            })
        },
        |m| m.name().to_owned(),
    )?;
    Ok(values(list))
}

pub(super) fn read_workers(rd: &Reader<'_>, v: &Sp) -> Read<Workers> {
    if let super::schema::Value::Str(s) = v.get_ref() {
        return if s == "auto" {
            Ok(Workers::Auto)
        } else {
            Err(rd.err(
                v,
                "workers",
                format!("{s:?} is not a worker count; expected \"auto\", a whole number or a list of them"),
            ))
        };
    }
    let list = rd.axis(
        v,
        "workers",
        |x| rd.integer(x, "workers", "workers", 1, MAX_WORKERS).map(to_usize),
        usize::to_string,
    )?;
    Ok(Workers::List(values(list)))
}
