//! The `ipc` probe's parameters: declared once (name, type, limits, default), read once per
//! case into [`IpcParams`], which with a transport makes an [`IpcConfig`].

use std::time::Duration;

use super::config::{Endpoints, IpcConfig, Mode, NAMES, Transport};
use crate::measure::placement::Placement;
use crate::probe::{
    KindParams, MIB, PLACEMENT, ParamDecl, ParamDefault, ParamError, ParamType, ProbeDecl,
    ProbeError, Values, Word,
};

const ENDPOINTS: ParamDecl = ParamDecl {
    name: "endpoints",
    ty: ParamType::Choice(Endpoints::WORDS),
    default: ParamDefault::Word("threads"),
};
const IPC_SIZE: ParamDecl = ParamDecl {
    name: "size",
    ty: ParamType::Size { max: 64 * MIB },
    default: ParamDefault::Size(8),
};
const MODE: ParamDecl = ParamDecl {
    name: "mode",
    ty: ParamType::Choice(Mode::WORDS),
    default: ParamDefault::Word("latency"),
};
/// How long one sample runs (`mp` declares it too).
pub(super) const DURATION: ParamDecl = ParamDecl {
    name: "duration",
    ty: ParamType::Duration { positive: true, max: Duration::from_secs(60) },
    default: ParamDefault::Duration(Duration::from_millis(50)),
};
/// An `ipc` case's parameters: transports between two threads, processes or tasks.
#[derive(Debug, Clone, PartialEq)]
pub struct IpcParams {
    /// Who the two ends are.
    pub endpoints: Endpoints,
    /// Message size in bytes.
    pub size: u64,
    /// Round trips or a stream.
    pub mode: Mode,
    /// Where the ends run.
    pub placement: Placement,
    /// How long one sample streams or ping-pongs.
    pub duration: Duration,
}

impl KindParams for IpcParams {
    const DECL: ProbeDecl = ProbeDecl {
        kind: "ipc",
        variants: &NAMES,
        params: &[ENDPOINTS, IPC_SIZE, MODE, PLACEMENT, DURATION],
    };

    fn read(v: &mut Values<'_>) -> Result<IpcParams, ParamError> {
        Ok(IpcParams {
            endpoints: v.choice(&ENDPOINTS)?,
            size: v.size(&IPC_SIZE)?,
            mode: v.choice(&MODE)?,
            placement: v.choice(&PLACEMENT)?,
            duration: v.duration(&DURATION)?,
        })
    }
}

impl IpcParams {
    /// The case of transport `variant` with these parameters.
    pub fn config(&self, variant: &str) -> Result<IpcConfig, ProbeError> {
        let transport = Transport::from_name(variant)
            .ok_or_else(|| ProbeError::Unsupported(format!("ipc has no transport `{variant}`")))?;
        Ok(IpcConfig {
            transport,
            endpoints: self.endpoints,
            size: self.size as usize,
            mode: self.mode,
            placement: self.placement,
            duration: self.duration.max(Duration::from_millis(1)),
        })
    }
}
