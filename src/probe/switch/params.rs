//! The `switch` probe's parameters: declared once (name, type, limits, default) and read once
//! per case into [`SwitchParams`].

use crate::measure::placement::Placement;
use crate::probe::{
    KindParams, MIB, PLACEMENT, ParamDecl, ParamDefault, ParamError, ParamType, ProbeDecl, Values,
    Word, words,
};

words! {
    /// What the CPUs of the two ends do between messages.
    pub enum Peer {
        /// Nothing: an end may wake from an idle state.
        Idle = "idle",
        /// Idle-class spinners keep them awake, so idle-state exit is not counted.
        Busy = "busy",
    }
}

const PEER: ParamDecl = ParamDecl {
    name: "peer",
    ty: ParamType::Choice(Peer::WORDS),
    default: ParamDefault::Word("idle"),
};
const WORKING_SET: ParamDecl = ParamDecl {
    name: "working_set",
    ty: ParamType::Size { max: 64 * MIB },
    default: ParamDefault::Size(0),
};
const ROUND_TRIPS: ParamDecl = ParamDecl {
    name: "round_trips",
    ty: ParamType::Count { min: 1, max: 10_000_000 },
    default: ParamDefault::Count(2000),
};

/// A `switch` case's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct SwitchParams {
    /// Where the two ends run.
    pub placement: Placement,
    /// Whether their CPUs are kept awake.
    pub peer: Peer,
    /// Bytes each end touches after every message.
    pub working_set: u64,
    /// Round trips per sample.
    pub round_trips: u64,
}

impl KindParams for SwitchParams {
    const DECL: ProbeDecl = ProbeDecl {
        kind: "switch",
        variants: super::VARIANTS,
        params: &[PLACEMENT, PEER, WORKING_SET, ROUND_TRIPS],
    };

    fn read(v: &mut Values<'_>) -> Result<SwitchParams, ParamError> {
        Ok(SwitchParams {
            placement: v.choice(&PLACEMENT)?,
            peer: v.choice(&PEER)?,
            working_set: v.size(&WORKING_SET)?,
            round_trips: v.count(&ROUND_TRIPS)?,
        })
    }
}
