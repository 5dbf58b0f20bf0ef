//! The raw serde structs of a scenario file (`deny_unknown_fields`), with spans.
//!
//! Every value is kept as a loosely typed [`Value`] with its byte span, so that type errors
//! are reported by `validate` with the key, line and column. Only syntax errors, unknown keys
//! and a malformed `[[workload]]` array come from the `toml` crate itself.

use std::fmt;
use std::path::Path;

use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use toml::Spanned;

use super::ScenarioError;
use super::error::Source;

/// A TOML value as written, before it is given a meaning.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
    /// A boolean.
    Bool(bool),
    /// An array, each element with its span.
    List(Vec<Spanned<Value>>),
    /// An inline or standard table.
    Table,
    /// A date, time or date-time.
    Datetime,
}

impl Value {
    /// What kind of value this is, for "found …" in messages.
    pub(super) fn describe(&self) -> String {
        match self {
            Value::Int(i) => format!("integer {i}"),
            Value::Float(f) => format!("float {f}"),
            Value::Str(s) => format!("string {s:?}"),
            Value::Bool(b) => format!("boolean {b}"),
            Value::List(_) => "a list".into(),
            Value::Table => "a table".into(),
            Value::Datetime => "a date-time".into(),
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a TOML value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        // TOML integers are i64; anything bigger is out of every range we accept anyway.
        Ok(Value::Int(i64::try_from(v).unwrap_or(i64::MAX)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Value>>()? {
            items.push(item);
        }
        Ok(Value::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        // Date-times arrive as a one-entry map with a private key; tables as maps.
        let mut datetime = false;
        while let Some(key) = map.next_key::<String>()? {
            datetime |= key.starts_with("$__toml_private");
            map.next_value::<IgnoredAny>()?;
        }
        Ok(if datetime { Value::Datetime } else { Value::Table })
    }
}

/// A value with its byte span in the file.
pub(super) type Sp = Spanned<Value>;

/// A `[[probe]]` table: its keys depend on its kind, so they are checked in `probe.rs`.
pub(super) type RawProbe = Spanned<std::collections::BTreeMap<String, Sp>>;

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScenario {
    pub(super) name: Option<Sp>,
    pub(super) description: Option<Sp>,
    pub(super) models: Option<Sp>,
    pub(super) workers: Option<Sp>,
    pub(super) tasks: Option<Sp>,
    pub(super) payload_bytes: Option<Sp>,
    pub(super) timeout: Option<Sp>,
    pub(super) switch_interval: Option<Sp>,
    pub(super) probe: Option<Spanned<Vec<RawProbe>>>,
    pub(super) workload: Option<Spanned<Vec<Spanned<RawWorkload>>>>,
}

/// One `[[workload]]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWorkload {
    pub(super) kind: Sp,
    pub(super) models: Option<Sp>,
    pub(super) workers: Option<Sp>,
    pub(super) tasks: Option<Sp>,
    pub(super) payload_bytes: Option<Sp>,
    pub(super) task_duration: Option<Sp>,
    pub(super) iterations: Option<Sp>,
    pub(super) sleep: Option<Sp>,
    pub(super) bytes: Option<Sp>,
    pub(super) fsync: Option<Sp>,
    pub(super) delay: Option<Sp>,
    pub(super) response_bytes: Option<Sp>,
    pub(super) cpu_fraction: Option<Sp>,
    pub(super) released_fraction: Option<Sp>,
    pub(super) argv: Option<Sp>,
    pub(super) name: Option<Sp>,
    pub(super) timeout: Option<Sp>,
}

impl RawWorkload {
    /// The kind-specific keys that are set, with their values, in schema order.
    pub(super) fn kind_keys(&self) -> [(&'static str, Option<&Sp>); 12] {
        [
            ("task_duration", self.task_duration.as_ref()),
            ("iterations", self.iterations.as_ref()),
            ("sleep", self.sleep.as_ref()),
            ("bytes", self.bytes.as_ref()),
            ("fsync", self.fsync.as_ref()),
            ("delay", self.delay.as_ref()),
            ("response_bytes", self.response_bytes.as_ref()),
            ("cpu_fraction", self.cpu_fraction.as_ref()),
            ("released_fraction", self.released_fraction.as_ref()),
            ("argv", self.argv.as_ref()),
            ("name", self.name.as_ref()),
            ("timeout", self.timeout.as_ref()),
        ]
    }
}

/// Parses the TOML into the raw structs; syntax errors and unknown keys are reported here.
pub(super) fn parse(text: &str, path: &Path) -> Result<RawScenario, ScenarioError> {
    toml::from_str::<RawScenario>(text).map_err(|e| from_toml(&e, &Source { text, path }))
}

/// Turns a `toml` error into [`ScenarioError::At`], finding the key it is about.
fn from_toml(err: &toml::de::Error, src: &Source<'_>) -> ScenarioError {
    let mut message = err.message().trim().to_owned();
    if message.starts_with("missing field `kind`") {
        message.push_str("; expected kind = one of cpu, io-sleep, io-file, io-net, mixed, command");
    }
    let span = err.span().unwrap_or(0..0);
    if let Some(key) = message.strip_prefix("unknown field `").and_then(|r| r.split('`').next()) {
        let expected = expected_keys(&message);
        let key = key.to_owned();
        let message = super::unknown_key::message(src.text, span.start, &key, &expected);
        return src.at(span.start, Some(&key), message);
    }
    let key = quoted_key(&message).or_else(|| {
        if message.starts_with("duplicate key") {
            // The span covers the repeated key itself.
            let written =
                src.text.get(span.clone())?.trim().trim_matches(|c| c == '"' || c == '\'');
            Some(written.to_owned()).filter(|k| !k.is_empty())
        } else if ["invalid type:", "invalid value:", "invalid length"]
            .iter()
            .any(|p| message.starts_with(p))
        {
            // A serde type error ("invalid type: …"): the span covers the value.
            key_at(src.text, span.start)
        } else {
            // A syntax error: no key to blame.
            None
        }
    });
    src.at(span.start, key.as_deref(), message)
}

/// The keys serde lists after "expected" in "unknown field `x`, expected one of `a`, `b`".
fn expected_keys(message: &str) -> Vec<String> {
    let Some((_, list)) = message.split_once(", expected") else { return Vec::new() };
    list.split('`').skip(1).step_by(2).map(str::to_owned).collect()
}

/// The key named in messages such as "unknown field `foo`, expected …".
fn quoted_key(message: &str) -> Option<String> {
    const NAMING: [&str; 4] =
        ["unknown field `", "missing field `", "duplicate key `", "duplicate field `"];
    NAMING.iter().find_map(|prefix| {
        let rest = &message[message.find(prefix)? + prefix.len()..];
        let end = rest.find('`')?;
        Some(rest[..end].to_owned())
    })
}

/// The key of a `key = value` line whose value starts at or before byte `offset`.
pub(super) fn key_at(text: &str, offset: usize) -> Option<String> {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    let (key, _) = before.split_once('=')?;
    let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
    let dotted_tail = key.rsplit('.').next().unwrap_or(key).trim();
    let plain = !dotted_tail.is_empty()
        && dotted_tail.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    plain.then(|| dotted_tail.to_owned())
}
