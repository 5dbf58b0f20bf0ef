//! Semantic checks on a parsed scenario as a whole: its own keys (name, description, timeout,
//! switch interval), each `[[workload]]` and `[[probe]]` table, then the size of the sweep and
//! its case keys. Turns the raw structs into a [`Scenario`]; runs nothing.

use std::path::Path;

use super::cases::{Checked, check_collisions, check_size};
use super::error::Source;
use super::limits::{MAX_SWITCH_INTERVAL, MAX_TIMEOUT};
use super::schema::RawScenario;
use super::shared::Shared;
use super::values::{Read, Reader, name_char};
use super::workload::workload;
use super::{Scenario, ScenarioError};

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
