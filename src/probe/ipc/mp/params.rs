//! The `mp` probe's parameters: declared once (name, type, limits, default) and read once
//! per case into [`MpParams`].

use std::time::Duration;

use super::super::params::DURATION;
use crate::probe::{
    KindParams, MIB, ParamDecl, ParamDefault, ParamError, ParamType, ProbeDecl, Values,
};

const CLIENTS: ParamDecl = ParamDecl {
    name: "clients",
    ty: ParamType::Count { min: 1, max: 64 },
    default: ParamDefault::Count(1),
};
const SIZE: ParamDecl = ParamDecl {
    name: "size",
    ty: ParamType::Size { max: 16 * MIB },
    default: ParamDefault::Size(64),
};

/// An `mp` case's parameters: the multiprocessing analogues.
#[derive(Debug, Clone, PartialEq)]
pub struct MpParams {
    /// Client processes.
    pub clients: u64,
    /// Item size in bytes.
    pub size: u64,
    /// How long one sample runs.
    pub duration: Duration,
}

impl KindParams for MpParams {
    const DECL: ProbeDecl =
        ProbeDecl { kind: "mp", variants: &super::VARIANTS, params: &[CLIENTS, SIZE, DURATION] };

    fn read(v: &mut Values<'_>) -> Result<MpParams, ParamError> {
        Ok(MpParams {
            clients: v.count(&CLIENTS)?,
            size: v.size(&SIZE)?,
            duration: v.duration(&DURATION)?,
        })
    }
}
