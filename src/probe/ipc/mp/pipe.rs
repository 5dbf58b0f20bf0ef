//! `multiprocessing.Pipe()` between this process and each client: a duplex connection (a unix
//! socketpair) carrying length-prefixed, serialised items. A client sends an item and waits for
//! it to come back, as a worker answering its parent does; this process checks every item (per
//! client, in order) and sends it back, on one thread per connection.

use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use super::super::message::Payload;
use super::queue::Item;
use crate::exec::wire::{self, WireError};

/// This process's ends of the clients' pipes, each answered by its own thread.
pub(super) struct Echoes {
    threads: Vec<JoinHandle<()>>,
    echoed: Arc<AtomicU64>,
    error: Arc<Mutex<Option<String>>>,
}

impl Echoes {
    /// Starts answering on `ends`, checking items against `payload`.
    pub(super) fn start(ends: Vec<UnixStream>, payload: &Payload) -> std::io::Result<Echoes> {
        let echoed = Arc::new(AtomicU64::new(0));
        let error = Arc::new(Mutex::new(None));
        let mut threads = Vec::with_capacity(ends.len());
        for (client, end) in ends.into_iter().enumerate() {
            let (echoed, error, payload) =
                (Arc::clone(&echoed), Arc::clone(&error), payload.clone());
            threads.push(
                std::thread::Builder::new().name(format!("gilbench-pipe-{client}")).spawn(
                    move || {
                        if let Err(why) = answer(end, &payload, &echoed) {
                            let mut slot = error.lock().unwrap_or_else(|e| e.into_inner());
                            slot.get_or_insert(format!("pipe of client {client}: {why}"));
                        }
                    },
                )?,
            );
        }
        Ok(Echoes { threads, echoed, error })
    }

    /// Items sent back so far, all clients together.
    pub(super) fn echoed(&self) -> u64 {
        self.echoed.load(Ordering::Acquire)
    }

    /// The first thing found wrong on any connection.
    pub(super) fn error(&self) -> Option<String> {
        self.error.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Drop for Echoes {
    /// The threads end when their clients close the other ends (the probe stops the clients
    /// first).
    fn drop(&mut self) {
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// Checks and sends back every item until the client closes its end.
fn answer(mut end: UnixStream, payload: &Payload, echoed: &AtomicU64) -> Result<(), String> {
    let mut next = 0u64;
    loop {
        let item: Item = match wire::recv(&mut end) {
            Ok(item) => item,
            Err(WireError::Closed) => return Ok(()),
            Err(e) => return Err(e.to_string()),
        };
        payload.verify(next, &item.body)?;
        next += 1;
        // Counted before it leaves: the client counts an operation only once this is back.
        echoed.fetch_add(1, Ordering::AcqRel);
        if wire::send(&mut end, &item).is_err() {
            return Ok(()); // the client is gone
        }
    }
}

/// A client's side: send item `seq`, wait for it to come back intact.
pub(super) fn round_trip(
    end: &mut UnixStream,
    payload: &Payload,
    item: &mut Item,
    seq: u64,
) -> Result<(), String> {
    payload.fill(seq, &mut item.body);
    wire::send(end, &*item).map_err(|e| e.to_string())?;
    let back: Item = wire::recv(end).map_err(|e| e.to_string())?;
    payload.verify(seq, &back.body)
}
