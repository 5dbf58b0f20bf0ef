//! The keys a `[[workload]]` table shares with the top of the file (`models`, `workers`,
//! `tasks`, `payload_bytes`), read the same way at either level; a workload's own value
//! overrides the top's.

use super::Workers;
use super::limits::{MAX_PAYLOAD, MAX_TASKS, MAX_WORKERS};
use super::schema::{Sp, Value};
use super::values::{Read, Reader};
use crate::exec::Model;

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
fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

fn values<T>(list: Vec<(T, String)>) -> Vec<T> {
    list.into_iter().map(|(v, _)| v).collect()
}

fn read_models(rd: &Reader<'_>, v: &Sp) -> Read<Vec<Model>> {
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

fn read_workers(rd: &Reader<'_>, v: &Sp) -> Read<Workers> {
    if let Value::Str(s) = v.get_ref() {
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
