//! The parameters of the `ipc` and `mp` probes: declared once (name, type, limits, default)
//! and read once per case into [`IpcParams`] and [`MpParams`].

use std::time::Duration;

use super::config::{Endpoints, Mode};
use crate::measure::placement::Placement;
use crate::probe::{KindParams, MIB, ParamDecl, ParamError, ParamType, ProbeDecl, Values, Word};

const ENDPOINTS: ParamDecl =
    ParamDecl { name: "endpoints", ty: ParamType::Choice(Endpoints::WORDS), default: "threads" };
const IPC_SIZE: ParamDecl =
    ParamDecl { name: "size", ty: ParamType::Size { max: 64 * MIB }, default: "8" };
const MODE: ParamDecl =
    ParamDecl { name: "mode", ty: ParamType::Choice(Mode::WORDS), default: "latency" };
const PLACEMENT: ParamDecl =
    ParamDecl { name: "placement", ty: ParamType::Choice(Placement::WORDS), default: "free" };
const DURATION: ParamDecl = ParamDecl {
    name: "duration",
    ty: ParamType::Duration { positive: true, max: Duration::from_secs(60) },
    default: "50ms",
};
const CLIENTS: ParamDecl =
    ParamDecl { name: "clients", ty: ParamType::Count { min: 1, max: 64 }, default: "1" };
const MP_SIZE: ParamDecl =
    ParamDecl { name: "size", ty: ParamType::Size { max: 16 * MIB }, default: "64" };

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
        variants: &super::NAMES,
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
    const DECL: ProbeDecl = ProbeDecl {
        kind: "mp",
        variants: &super::mp::VARIANTS,
        params: &[CLIENTS, MP_SIZE, DURATION],
    };

    fn read(v: &mut Values<'_>) -> Result<MpParams, ParamError> {
        Ok(MpParams {
            clients: v.count(&CLIENTS)?,
            size: v.size(&MP_SIZE)?,
            duration: v.duration(&DURATION)?,
        })
    }
}
