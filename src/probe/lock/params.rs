//! The `lock` probe's parameters: declared once (name, type, limits, default), read once per
//! case into [`LockParams`], with the rule between them (an uncontended lock has one
//! contender) that the scenario reader enforces.

use std::time::Duration;

use crate::probe::{
    KindParams, ParamDecl, ParamDefault, ParamError, ParamType, ProbeDecl, Values, Word, words,
};

words! {
    /// Whether the lock is fought over.
    pub enum LockMode {
        /// `contenders` units take it at once: operations per second.
        Contended = "contended",
        /// One unit takes it alone: the cost of one acquire and release.
        Uncontended = "uncontended",
    }
}

/// The most work a contender does inside or outside the lock per operation.
const MAX_WORK: Duration = Duration::from_millis(10);

const MODE: ParamDecl = ParamDecl {
    name: "mode",
    ty: ParamType::Choice(LockMode::WORDS),
    default: ParamDefault::Word("contended"),
};
const CONTENDERS: ParamDecl = ParamDecl {
    name: "contenders",
    ty: ParamType::Units { max: 256 },
    default: ParamDefault::Count(2),
};
const CRITICAL_SECTION: ParamDecl = ParamDecl {
    name: "critical_section",
    ty: ParamType::Duration { positive: false, max: MAX_WORK },
    default: ParamDefault::Duration(Duration::ZERO),
};
const OUTSIDE_WORK: ParamDecl = ParamDecl {
    name: "outside_work",
    ty: ParamType::Duration { positive: false, max: MAX_WORK },
    default: ParamDefault::Duration(Duration::ZERO),
};
const READ_PERCENT: ParamDecl = ParamDecl {
    name: "read_percent",
    ty: ParamType::Count { min: 0, max: 100 },
    default: ParamDefault::Count(0),
};
const DEPTH: ParamDecl = ParamDecl {
    name: "depth",
    ty: ParamType::Count { min: 1, max: 64 },
    default: ParamDefault::Count(1),
};
const PERMITS: ParamDecl = ParamDecl {
    name: "permits",
    ty: ParamType::Count { min: 1, max: 256 },
    default: ParamDefault::Count(1),
};
const CAPACITY: ParamDecl = ParamDecl {
    name: "capacity",
    ty: ParamType::Count { min: 1, max: 65_536 },
    default: ParamDefault::Count(16),
};
const DURATION: ParamDecl = ParamDecl {
    name: "duration",
    ty: ParamType::Duration { positive: true, max: Duration::from_secs(60) },
    default: ParamDefault::Duration(Duration::from_millis(50)),
};

/// A `lock` case's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct LockParams {
    /// Fought over, or taken alone.
    pub mode: LockMode,
    /// Units taking it at once.
    pub contenders: u64,
    /// Work done with the lock held, per operation.
    pub critical_section: Duration,
    /// Work done without it between two operations.
    pub outside_work: Duration,
    /// Share of read operations on the `RwLock` kinds, in percent.
    pub read_percent: u64,
    /// How deep the reentrant lock is taken.
    pub depth: u64,
    /// The semaphores' permits.
    pub permits: u64,
    /// The bounded queue's capacity.
    pub capacity: u64,
    /// How long one sample runs.
    pub duration: Duration,
}

impl KindParams for LockParams {
    const DECL: ProbeDecl = ProbeDecl {
        kind: "lock",
        variants: super::KIND_NAMES,
        params: &[
            MODE,
            CONTENDERS,
            CRITICAL_SECTION,
            OUTSIDE_WORK,
            READ_PERCENT,
            DEPTH,
            PERMITS,
            CAPACITY,
            DURATION,
        ],
    };

    fn read(v: &mut Values<'_>) -> Result<LockParams, ParamError> {
        let mode = v.choice(&MODE)?;
        let contenders = v.units(&CONTENDERS)?;
        if mode == LockMode::Uncontended && contenders != Some(1) {
            return Err(ParamError::Rule {
                key: CONTENDERS.name,
                message: format!(
                    "mode = \"uncontended\" takes the lock from one thread, task or process; \
                     write contenders = 1 (here it is {})",
                    contenders.map_or_else(|| "\"auto\"".to_string(), |n| n.to_string())
                ),
            });
        }
        Ok(LockParams {
            mode,
            contenders: contenders
                .ok_or_else(|| ParamError::Auto { key: CONTENDERS.name.to_string() })?,
            critical_section: v.duration(&CRITICAL_SECTION)?,
            outside_work: v.duration(&OUTSIDE_WORK)?,
            read_percent: v.count(&READ_PERCENT)?,
            depth: v.count(&DEPTH)?,
            permits: v.count(&PERMITS)?,
            capacity: v.count(&CAPACITY)?,
            duration: v.duration(&DURATION)?,
        })
    }
}
