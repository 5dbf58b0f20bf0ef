//! Typed reading of raw values: integers, sizes, durations, fractions, names and sweep axes,
//! each checked against its range, with errors that name the key and point at the value.

use std::collections::HashSet;
use std::time::Duration;

use super::ScenarioError;
use super::error::Source;
use super::schema::{Sp, Value};

/// Result of reading one value.
pub(super) type Read<T> = Result<T, ScenarioError>;

pub(super) use crate::probe::{GIB, KIB, MIB};

/// Reads values of one file, turning failures into located errors.
#[derive(Debug, Clone, Copy)]
pub(super) struct Reader<'a> {
    pub(super) src: Source<'a>,
}

impl Reader<'_> {
    /// An error about `key` at the start of `value`.
    pub(super) fn err(&self, value: &Sp, key: &str, message: impl Into<String>) -> ScenarioError {
        self.src.at(value.span().start, Some(key), message)
    }

    /// A string.
    pub(super) fn string<'v>(&self, value: &'v Sp, key: &str) -> Read<&'v str> {
        match value.get_ref() {
            Value::Str(s) => Ok(s),
            other => {
                Err(self.err(value, key, format!("expected a string, found {}", other.describe())))
            }
        }
    }

    /// A name for case keys and file names: 1 to 64 letters, digits, `-`, `_` or `.`.
    pub(super) fn name<'v>(&self, value: &'v Sp, key: &str) -> Read<&'v str> {
        let s = self.string(value, key)?;
        if s.is_empty() || s.len() > 64 || !s.chars().all(name_char) {
            return Err(self.err(
                value,
                key,
                format!(
                    "{s:?} is not a usable name; expected 1 to 64 letters, digits, `-`, `_` or `.`"
                ),
            ));
        }
        Ok(s)
    }

    /// A boolean.
    pub(super) fn boolean(&self, value: &Sp, key: &str) -> Read<bool> {
        match value.get_ref() {
            Value::Bool(b) => Ok(*b),
            other => Err(self.err(
                value,
                key,
                format!("expected true or false, found {}", other.describe()),
            )),
        }
    }

    /// An integer in `min..=max`; `noun` names the unit in messages ("5 workers").
    pub(super) fn integer(
        &self,
        value: &Sp,
        key: &str,
        noun: &str,
        min: u64,
        max: u64,
    ) -> Read<u64> {
        let i = match value.get_ref() {
            Value::Int(i) => *i,
            other => {
                return Err(self.err(
                    value,
                    key,
                    format!("expected a whole number, found {}", other.describe()),
                ));
            }
        };
        match u64::try_from(i) {
            Ok(n) if n < min => {
                Err(self.err(value, key, format!("{n} {noun}; expected at least {min}")))
            }
            Ok(n) if n > max => {
                Err(self.err(value, key, format!("{n} {noun}; expected at most {max} (the limit)")))
            }
            Ok(n) => Ok(n),
            Err(_) => Err(self.err(
                value,
                key,
                format!("{i} {noun} is negative; expected at least {min}"),
            )),
        }
    }

    /// A size in bytes, `min..=max`: an integer or a string such as `"64KiB"`.
    pub(super) fn size(&self, value: &Sp, key: &str, min: u64, max: u64) -> Read<u64> {
        let (n, written) = match value.get_ref() {
            Value::Int(_) => {
                let n = self.integer(value, key, "bytes", 0, u64::MAX)?;
                (n, n.to_string())
            }
            Value::Str(s) => match parse_size(s) {
                Some(n) => (n, s.clone()),
                None => {
                    return Err(self.err(
                        value,
                        key,
                        format!(
                            "{s:?} is not a size; expected bytes as a whole number or a string \
                             like \"512B\", \"64KiB\", \"1MiB\", \"1GiB\""
                        ),
                    ));
                }
            },
            other => {
                return Err(self.err(
                    value,
                    key,
                    format!(
                        "expected a size (a whole number of bytes or a string like \"64KiB\"), \
                         found {}",
                        other.describe()
                    ),
                ));
            }
        };
        if n < min {
            Err(self.err(value, key, format!("{written} bytes; expected at least {min}")))
        } else if n > max {
            Err(self.err(
                value,
                key,
                format!("{written} is more than the limit of {}", show_size(max)),
            ))
        } else {
            Ok(n)
        }
    }

    /// A duration string such as `"2ms"`, positive if `positive`, at most `max`.
    pub(super) fn duration(
        &self,
        value: &Sp,
        key: &str,
        positive: bool,
        max: Duration,
    ) -> Read<Duration> {
        let s = match value.get_ref() {
            Value::Str(s) => s,
            other => {
                return Err(self.err(
                    value,
                    key,
                    format!(
                        "expected a duration string like \"2ms\" or \"1s\", found {}",
                        other.describe()
                    ),
                ));
            }
        };
        let d = humantime::parse_duration(s.trim()).map_err(|e| {
            self.err(
                value,
                key,
                format!("{s:?} is not a duration ({e}); expected e.g. \"500us\", \"2ms\", \"1s\""),
            )
        })?;
        if positive && d.is_zero() {
            Err(self.err(value, key, format!("{s:?} is zero; expected a duration above 0")))
        } else if d > max {
            Err(self.err(
                value,
                key,
                format!("{s:?} is longer than the limit of {}", show_duration(max)),
            ))
        } else {
            Ok(d)
        }
    }

    /// A finite number in `0..=1`.
    pub(super) fn fraction(&self, value: &Sp, key: &str) -> Read<f64> {
        let f = match value.get_ref() {
            Value::Float(f) => *f,
            // Integers are exact in f64 up to 2^53; anything else is out of range anyway.
            Value::Int(i) => *i as f64,
            other => {
                return Err(self.err(
                    value,
                    key,
                    format!("expected a number from 0 to 1, found {}", other.describe()),
                ));
            }
        };
        if f.is_finite() && (0.0..=1.0).contains(&f) {
            // -0.0 would display as "-0" in case keys.
            Ok(f + 0.0)
        } else {
            Err(self.err(value, key, format!("{f} is out of range; expected a number from 0 to 1")))
        }
    }

    /// A sweep axis: one value or a non-empty list of distinct values, each read by `read`
    /// and shown by `show` (the display value used in case keys).
    pub(super) fn axis<T>(
        &self,
        value: &Sp,
        key: &str,
        read: impl Fn(&Sp) -> Read<T>,
        show: impl Fn(&T) -> String,
    ) -> Read<Vec<(T, String)>> {
        let items: Vec<&Sp> = match value.get_ref() {
            Value::List(list) if list.is_empty() => {
                return Err(self.err(value, key, "empty sweep; expected at least one value"));
            }
            Value::List(list) => list.iter().collect(),
            _ => vec![value],
        };
        let mut seen = HashSet::new();
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            if let Value::List(_) = item.get_ref() {
                return Err(self.err(item, key, "nested list; expected single values in the list"));
            }
            let v = read(item)?;
            let shown = show(&v);
            if !seen.insert(shown.clone()) {
                return Err(self.err(item, key, format!("duplicate value {shown} in the sweep")));
            }
            out.push((v, shown));
        }
        Ok(out)
    }
}

/// A character a name may use in case keys and file names: a letter, a digit, `-`, `_`, `.`.
pub(super) fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// Parses a duration as scenario files write it (`2ms`, `1.5s` is not one: `1s 500ms`).
pub fn parse_duration(s: &str) -> Option<std::time::Duration> {
    humantime::parse_duration(s.trim()).ok()
}

/// Parses `"512"`, `"512B"`, `"64KiB"`, `"1MiB"`, `"1GiB"`, `"1TiB"` (also `KB`/`MB`/`GB`/`TB`
/// as powers of 1000); `None` if it is not a size or does not fit in `u64`.
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    if digits.is_empty() {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    let mult: u64 = match unit.trim() {
        "" | "B" => 1,
        "KiB" => KIB,
        "MiB" => MIB,
        "GiB" => GIB,
        "TiB" => 1 << 40,
        "KB" | "kB" => 1_000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        "TB" => 1_000_000_000_000,
        _ => return None,
    };
    n.checked_mul(mult)
}

/// A byte count for messages: `1GiB`, `256MiB`, or plain bytes.
pub(super) fn show_size(n: u64) -> String {
    for (unit, size) in [("GiB", GIB), ("MiB", MIB), ("KiB", KIB)] {
        if n >= size && n.is_multiple_of(size) {
            return format!("{}{unit}", n / size);
        }
    }
    format!("{n}B")
}

pub use crate::probe::show_duration;

/// A fraction for case keys: shortest round-trip decimal, never an exponent (`0.5`, `1`).
pub(super) fn show_fraction(f: f64) -> String {
    f.to_string()
}
