//! Semantic checks on a parsed scenario: ranges, limits, known names, and the size of the
//! sweep. Turns the raw structs into a [`Scenario`]; runs nothing.

use std::path::Path;
use std::time::Duration;

use super::cases::{Checked, check_collisions, check_size};
use super::error::Source;
use super::schema::{RawScenario, Sp};
use super::values::{GIB, MIB, Read, Reader};
use super::workload::workload;
use super::{Scenario, ScenarioError, Workers};
use crate::exec::Model;

/// Most units a case may use.
pub(super) const MAX_WORKERS: u64 = 4096;
/// Most tasks per sample.
pub(super) const MAX_TASKS: u64 = 10_000_000;
/// Largest payload per task, each way.
pub(super) const MAX_PAYLOAD: u64 = GIB;
/// Largest `io-file` file.
pub(super) const MAX_FILE_BYTES: u64 = GIB;
/// Largest `io-net` response.
pub(super) const MAX_RESPONSE_BYTES: u64 = 256 * MIB;
/// Most `cpu` kernel iterations per task.
pub(super) const MAX_ITERATIONS: u64 = 1_000_000_000_000;
/// Longest task, sleep or server delay.
pub(super) const MAX_TASK_TIME: Duration = Duration::from_secs(60);
/// Longest per-case timeout.
pub(super) const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// Longest GIL switch interval.
pub(super) const MAX_SWITCH_INTERVAL: Duration = Duration::from_secs(1);

/// Workload kinds as written in scenario files.
pub(super) const KINDS: [&str; 6] = ["cpu", "io-sleep", "io-file", "io-net", "mixed", "command"];
/// `response_bytes` when not given.
pub(super) const DEFAULT_RESPONSE_BYTES: u32 = 1024;

pub(super) fn validate(
    raw: RawScenario,
    text: &str,
    path: &Path,
) -> Result<Scenario, ScenarioError> {
    let rd = Reader { src: Source { text, path } };
    let name = match &raw.name {
        Some(v) => scenario_name(&rd, v)?,
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

/// A name for case keys and file names: letters, digits, `-`, `_`, `.`.
fn scenario_name(rd: &Reader<'_>, v: &Sp) -> Read<String> {
    let s = rd.string(v, "name")?;
    if s.is_empty() || s.len() > 64 || !s.chars().all(name_char) {
        return Err(rd.err(
            v,
            "name",
            format!(
                "{s:?} is not a usable name; expected 1 to 64 letters, digits, `-`, `_` or `.`"
            ),
        ));
    }
    Ok(s.to_owned())
}

pub(super) fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
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

/// The keys a workload table shares with the top of the file (each overrides it there).
pub(super) const SHARED_KEYS: [&str; 4] = ["models", "workers", "tasks", "payload_bytes"];

/// The keys each kind takes, beyond `kind` and the shared ones.
pub(super) fn kind_keys(kind: &str) -> &'static [&'static str] {
    match kind {
        "cpu" => &["task_duration", "iterations", "released_fraction"],
        "io-sleep" => &["sleep"],
        "io-file" => &["bytes", "fsync"],
        "io-net" => &["delay", "response_bytes"],
        "command" => &["argv", "name", "timeout"],
        _ => &["task_duration", "cpu_fraction", "released_fraction"],
    }
}
