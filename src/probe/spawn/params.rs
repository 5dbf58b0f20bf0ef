//! The parameters of the `spawn`, `footprint` and `headroom` probes: declared once (name,
//! type, limits, default) and read once per case into [`SpawnParams`], [`FootprintParams`]
//! and [`HeadroomParams`].

use std::time::Duration;

use crate::probe::{
    GIB, KindParams, ParamDecl, ParamDefault, ParamError, ParamType, ProbeDecl, Values,
};

const PARENT_RSS: ParamDecl = ParamDecl {
    name: "parent_rss",
    ty: ParamType::Size { max: 8 * GIB },
    default: ParamDefault::Size(0),
};
const DURATION: ParamDecl = ParamDecl {
    name: "duration",
    ty: ParamType::Duration { positive: true, max: Duration::from_secs(10) },
    default: ParamDefault::Duration(Duration::from_millis(20)),
};
const UNITS: ParamDecl = ParamDecl {
    name: "units",
    ty: ParamType::Count { min: 1, max: 10_000 },
    default: ParamDefault::Count(100),
};
const MAX_UNITS: ParamDecl = ParamDecl {
    name: "max_units",
    ty: ParamType::Count { min: 1, max: 100_000 },
    default: ParamDefault::Count(2000),
};
const TIME_LIMIT: ParamDecl = ParamDecl {
    name: "time_limit",
    ty: ParamType::Duration { positive: true, max: Duration::from_secs(30) },
    default: ParamDefault::Duration(Duration::from_secs(1)),
};

/// A `spawn` case's parameters: start + join/wait of one unit, or one task on a warm pool.
#[derive(Debug, Clone, PartialEq)]
pub struct SpawnParams {
    /// Bytes touched in this process first, so `fork` has page tables to copy.
    pub parent_rss: u64,
    /// How long one sample repeats its unit.
    pub duration: Duration,
}

impl KindParams for SpawnParams {
    const DECL: ProbeDecl = ProbeDecl {
        kind: "spawn",
        variants: super::SPAWN_VARIANTS,
        params: &[PARENT_RSS, DURATION],
    };

    fn read(v: &mut Values<'_>) -> Result<SpawnParams, ParamError> {
        Ok(SpawnParams { parent_rss: v.size(&PARENT_RSS)?, duration: v.duration(&DURATION)? })
    }
}

/// A `footprint` case's parameters: memory per idle unit.
#[derive(Debug, Clone, PartialEq)]
pub struct FootprintParams {
    /// Idle units started at once.
    pub units: u64,
}

impl KindParams for FootprintParams {
    const DECL: ProbeDecl =
        ProbeDecl { kind: "footprint", variants: super::UNIT_VARIANTS, params: &[UNITS] };

    fn read(v: &mut Values<'_>) -> Result<FootprintParams, ParamError> {
        Ok(FootprintParams { units: v.count(&UNITS)? })
    }
}

/// A `headroom` case's parameters: how many idle units the machine takes within a count and
/// a time limit.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadroomParams {
    /// The most units started.
    pub max_units: u64,
    /// The longest the starting may take.
    pub time_limit: Duration,
}

impl KindParams for HeadroomParams {
    const DECL: ProbeDecl = ProbeDecl {
        kind: "headroom",
        variants: super::UNIT_VARIANTS,
        params: &[MAX_UNITS, TIME_LIMIT],
    };

    fn read(v: &mut Values<'_>) -> Result<HeadroomParams, ParamError> {
        Ok(HeadroomParams { max_units: v.count(&MAX_UNITS)?, time_limit: v.duration(&TIME_LIMIT)? })
    }
}
