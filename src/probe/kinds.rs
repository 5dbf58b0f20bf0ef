//! Every probe kind: its declaration, listed for the scenario reader, and its typed
//! parameters, built once per case from the case's values.

use super::convoy::ConvoyParams;
use super::deadlock::DeadlockParams;
use super::ipc::{IpcParams, MpParams};
use super::lock::LockParams;
use super::spawn::{FootprintParams, HeadroomParams, SpawnParams};
use super::switch::SwitchParams;
use super::{KindParams, ParamError, ProbeDecl, ProbeParams};

/// Every probe kind's declaration, in the order messages list them.
pub const PROBES: &[ProbeDecl] = &[
    ConvoyParams::DECL,
    SwitchParams::DECL,
    SpawnParams::DECL,
    FootprintParams::DECL,
    HeadroomParams::DECL,
    LockParams::DECL,
    DeadlockParams::DECL,
    IpcParams::DECL,
    MpParams::DECL,
];

/// A probe case's typed parameters: one struct per kind.
#[derive(Debug, Clone, PartialEq)]
pub enum ProbeConfig {
    /// `convoy`.
    Convoy(ConvoyParams),
    /// `switch`.
    Switch(SwitchParams),
    /// `spawn`.
    Spawn(SpawnParams),
    /// `footprint`.
    Footprint(FootprintParams),
    /// `headroom`.
    Headroom(HeadroomParams),
    /// `lock`.
    Lock(LockParams),
    /// `deadlock`.
    Deadlock(DeadlockParams),
    /// `ipc`.
    Ipc(IpcParams),
    /// `mp`.
    Mp(MpParams),
}

impl ProbeConfig {
    /// The typed parameters of a case of `kind` with these values (see
    /// [`KindParams::from_values`]).
    pub fn from_values(kind: &str, values: &ProbeParams) -> Result<ProbeConfig, ParamError> {
        fn is<P: KindParams>(kind: &str) -> bool {
            P::DECL.kind == kind
        }
        Ok(match kind {
            k if is::<ConvoyParams>(k) => ProbeConfig::Convoy(KindParams::from_values(values)?),
            k if is::<SwitchParams>(k) => ProbeConfig::Switch(KindParams::from_values(values)?),
            k if is::<SpawnParams>(k) => ProbeConfig::Spawn(KindParams::from_values(values)?),
            k if is::<FootprintParams>(k) => {
                ProbeConfig::Footprint(KindParams::from_values(values)?)
            }
            k if is::<HeadroomParams>(k) => ProbeConfig::Headroom(KindParams::from_values(values)?),
            k if is::<LockParams>(k) => ProbeConfig::Lock(KindParams::from_values(values)?),
            k if is::<DeadlockParams>(k) => ProbeConfig::Deadlock(KindParams::from_values(values)?),
            k if is::<IpcParams>(k) => ProbeConfig::Ipc(KindParams::from_values(values)?),
            k if is::<MpParams>(k) => ProbeConfig::Mp(KindParams::from_values(values)?),
            other => return Err(ParamError::Kind(other.to_string())),
        })
    }

    /// The kind's name.
    pub fn kind(&self) -> &'static str {
        match self {
            ProbeConfig::Convoy(_) => ConvoyParams::DECL.kind,
            ProbeConfig::Switch(_) => SwitchParams::DECL.kind,
            ProbeConfig::Spawn(_) => SpawnParams::DECL.kind,
            ProbeConfig::Footprint(_) => FootprintParams::DECL.kind,
            ProbeConfig::Headroom(_) => HeadroomParams::DECL.kind,
            ProbeConfig::Lock(_) => LockParams::DECL.kind,
            ProbeConfig::Deadlock(_) => DeadlockParams::DECL.kind,
            ProbeConfig::Ipc(_) => IpcParams::DECL.kind,
            ProbeConfig::Mp(_) => MpParams::DECL.kind,
        }
    }
}
