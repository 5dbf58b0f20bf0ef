//! Reading a case's values into a kind's typed parameters: each declared parameter taken once,
//! by its declaration (never by a name written a second time), as the type it was declared
//! with; a parameter missing, of another type, read twice, undeclared or left unread is an
//! error naming its key.

use std::time::Duration;

use super::{ParamDecl, ParamType, ProbeDecl, ProbeParams, ProbeValue};
use crate::measure::placement::Placement;

/// The typed form of a choice parameter: an enum whose variants are the words scenario files
/// write (declared with the crate's `words!` macro).
pub trait Word: Sized + Copy + 'static {
    /// Every word, in declaration order: what a scenario file accepts.
    const WORDS: &'static [&'static str];

    /// The variant a word names.
    fn from_word(word: &str) -> Option<Self>;
}

/// Declares a [`Word`] enum: each variant with the word scenario files write for it.
macro_rules! words {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $word:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $crate::probe::Word for $name {
            const WORDS: &'static [&'static str] = &[$($word),+];

            fn from_word(word: &str) -> Option<Self> {
                match word {
                    $($word => Some($name::$variant),)+
                    _ => None,
                }
            }
        }
    };
}
pub(crate) use words;

impl Word for Placement {
    const WORDS: &'static [&'static str] = &Placement::NAMES;

    fn from_word(word: &str) -> Option<Placement> {
        Placement::from_name(word)
    }
}

/// Why a case's values do not make a kind's typed parameters. The scenario reader checks every
/// point against the same rules, so each of these names the key at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    /// No kind of this name.
    #[error("no probe kind `{0}`")]
    Kind(String),
    /// The values have no entry for a declared parameter.
    #[error("probe parameter `{key}` has no value")]
    Missing {
        /// The parameter.
        key: String,
    },
    /// A parameter that the kind does not declare: among the values, or asked for by code.
    #[error("`{key}` is not a declared parameter of a `{kind}` probe")]
    Undeclared {
        /// The kind.
        kind: &'static str,
        /// The parameter.
        key: String,
    },
    /// A parameter read a second time.
    #[error("probe parameter `{key}` is read twice")]
    Twice {
        /// The parameter.
        key: String,
    },
    /// A declared parameter the kind's typed parameters leave out.
    #[error("probe parameter `{key}` is declared but never read")]
    Unread {
        /// The parameter.
        key: String,
    },
    /// A value, or a declaration, of another type than the one read.
    #[error("probe parameter `{key}` is read as {expected} but holds {found}")]
    Type {
        /// The parameter.
        key: String,
        /// What was read.
        expected: &'static str,
        /// What it holds.
        found: String,
    },
    /// A count still `"auto"`: planning turns it into one case per count.
    #[error("probe parameter `{key}` is still \"auto\"")]
    Auto {
        /// The parameter.
        key: String,
    },
    /// A rule between parameters that the values break.
    #[error("{message}")]
    Rule {
        /// The parameter to blame.
        key: &'static str,
        /// Why, in words.
        message: String,
    },
}

impl ParamError {
    /// The key at fault (`kind` for an unknown kind).
    pub fn key(&self) -> &str {
        match self {
            ParamError::Kind(_) => "kind",
            ParamError::Missing { key }
            | ParamError::Undeclared { key, .. }
            | ParamError::Twice { key }
            | ParamError::Unread { key }
            | ParamError::Type { key, .. }
            | ParamError::Auto { key } => key,
            ParamError::Rule { key, .. } => key,
        }
    }
}

/// A probe kind's parameters as one typed struct, read once from a case's values.
pub trait KindParams: Sized {
    /// The kind's declaration: its name, variants and parameters (the one place each
    /// parameter's name, type, limits and default are written).
    const DECL: ProbeDecl;

    /// Takes every declared parameter from `v`, each through its declaration.
    fn read(v: &mut Values<'_>) -> Result<Self, ParamError>;

    /// The typed parameters of a case's values: every declared parameter read exactly once,
    /// nothing else among the values.
    fn from_values(values: &ProbeParams) -> Result<Self, ParamError> {
        let decl = Self::DECL;
        let mut v = Values::new(&decl, values);
        let read = Self::read(&mut v)?;
        v.finish()?;
        Ok(read)
    }
}

/// A case's values being read by one kind's declaration.
#[derive(Debug)]
pub struct Values<'a> {
    decl: &'a ProbeDecl,
    values: &'a ProbeParams,
    taken: Vec<&'static str>,
}

impl<'a> Values<'a> {
    /// Starts reading `values` as a case of `decl`.
    pub fn new(decl: &'a ProbeDecl, values: &'a ProbeParams) -> Values<'a> {
        Values { decl, values, taken: Vec::new() }
    }

    /// The value of `p`, which must be one of the kind's declarations, not taken before.
    fn take(&mut self, p: &ParamDecl) -> Result<&'a ProbeValue, ParamError> {
        let key = || p.name.to_string();
        if !self.decl.params.contains(p) {
            return Err(ParamError::Undeclared { kind: self.decl.kind, key: key() });
        }
        if self.taken.contains(&p.name) {
            return Err(ParamError::Twice { key: key() });
        }
        self.taken.push(p.name);
        self.values.values.get(p.name).ok_or_else(|| ParamError::Missing { key: key() })
    }

    /// A count (a `Count` parameter, or a `Units` one that planning has resolved).
    pub fn count(&mut self, p: &ParamDecl) -> Result<u64, ParamError> {
        match self.units(p)? {
            Some(n) => Ok(n),
            None => Err(ParamError::Auto { key: p.name.to_string() }),
        }
    }

    /// A count of units; `None` while it is `"auto"`.
    pub fn units(&mut self, p: &ParamDecl) -> Result<Option<u64>, ParamError> {
        let declared = matches!(p.ty, ParamType::Count { .. } | ParamType::Units { .. });
        match self.take(p)? {
            ProbeValue::Count(n) if declared => Ok(Some(*n)),
            ProbeValue::Auto if matches!(p.ty, ParamType::Units { .. }) => Ok(None),
            other => Err(mismatch(p, "a count", other)),
        }
    }

    /// A duration.
    pub fn duration(&mut self, p: &ParamDecl) -> Result<Duration, ParamError> {
        match self.take(p)? {
            ProbeValue::Duration(d) if matches!(p.ty, ParamType::Duration { .. }) => Ok(*d),
            other => Err(mismatch(p, "a duration", other)),
        }
    }

    /// A size in bytes.
    pub fn size(&mut self, p: &ParamDecl) -> Result<u64, ParamError> {
        match self.take(p)? {
            ProbeValue::Size(n) if matches!(p.ty, ParamType::Size { .. }) => Ok(*n),
            other => Err(mismatch(p, "a size", other)),
        }
    }

    /// A choice, as the [`Word`] enum whose words `p` declares.
    pub fn choice<W: Word>(&mut self, p: &ParamDecl) -> Result<W, ParamError> {
        let declared = p.ty == ParamType::Choice(W::WORDS);
        match self.take(p)? {
            ProbeValue::Choice(s) if declared => W::from_word(s)
                .ok_or_else(|| mismatch(p, "one of its words", &ProbeValue::Choice(s.clone()))),
            other => Err(mismatch(p, "a choice of its declared words", other)),
        }
    }

    /// Ends the reading: every declared parameter was taken, and the values hold no other.
    pub fn finish(self) -> Result<(), ParamError> {
        if let Some(p) = self.decl.params.iter().find(|p| !self.taken.contains(&p.name)) {
            return Err(ParamError::Unread { key: p.name.to_string() });
        }
        match self.values.values.keys().find(|k| !self.taken.contains(&k.as_str())) {
            Some(k) => Err(ParamError::Undeclared { kind: self.decl.kind, key: k.clone() }),
            None => Ok(()),
        }
    }
}

/// `p` read as `expected`, while its declaration or its value says otherwise.
fn mismatch(p: &ParamDecl, expected: &'static str, found: &ProbeValue) -> ParamError {
    let found = match found {
        ProbeValue::Count(n) => format!("the count {n}"),
        ProbeValue::Duration(d) => format!("the duration {}", super::show_duration(*d)),
        ProbeValue::Size(n) => format!("the size {n}"),
        ProbeValue::Choice(s) => format!("the word `{s}`"),
        ProbeValue::Auto => "\"auto\"".to_string(),
    };
    let found = format!("{found} (declared as {:?})", p.ty);
    ParamError::Type { key: p.name.to_string(), expected, found }
}
