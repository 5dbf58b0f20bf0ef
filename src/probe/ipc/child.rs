//! The helper process's entry (`gilbench __ipcpeer`): it reads which end it is asked to be
//! from the control socket on standard input, then becomes that end — the far end of an `ipc`
//! case ([`super::peer::serve`]) or a role of the multiprocessing analogues ([`mp`]).

use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;

use super::Transport;
use super::message::Payload;
use super::mp::{self, Role};
use super::peer::{PeerReport, PeerSpec, recv_with_fds, serve};
use super::shm::Side;
use super::transport::endpoint_from_fds;
use crate::exec::wire;
use crate::sys as os;

/// The hidden `__ipcpeer` subcommand: read the spec from the control socket on standard
/// input, then serve until the transport or the control socket closes.
pub fn ipcpeer_main() -> i32 {
    os::die_with_parent();
    let control = match std::io::stdin().as_fd().try_clone_to_owned() {
        Ok(fd) => UnixStream::from(fd),
        Err(_) => return 2,
    };
    let Ok((frame, fds)) = recv_with_fds(&control) else { return 2 };
    let Ok(spec) = wire::decode::<PeerSpec>(&frame) else { return 2 };
    match spec {
        PeerSpec::Echo { transport, size, latency, cpu } => {
            let mut out = &control;
            let mut fail = |message: String| {
                let _ = wire::send(
                    &mut out,
                    &PeerReport { error: Some(message), ..PeerReport::default() },
                );
                3
            };
            let Some(t) = Transport::from_name(&transport) else {
                return fail(format!("unknown transport {transport}"));
            };
            if let Some(cpu) = cpu
                && let Err(e) = crate::measure::placement::pin_current_thread(cpu)
            {
                return fail(format!("cannot pin to CPU {cpu}: {e}"));
            }
            let mut ep = match endpoint_from_fds(t, fds, Side::Peer) {
                Ok(ep) => ep,
                Err(e) => return fail(format!("cannot open the transport: {e}")),
            };
            let payload = Payload::new(size as usize);
            let mut out = &control;
            serve(ep.as_mut(), &payload, latency, true, &mut |r| wire::send(&mut out, r).is_ok());
            0
        }
        PeerSpec::Mp(role) => match wire::decode::<Role>(&role) {
            Ok(role) => mp::peer_main(role, control, fds),
            Err(_) => 2,
        },
    }
}
