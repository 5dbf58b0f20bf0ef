//! The `io-net` workload and the loopback server it talks to.
//!
//! The server is started by gilbench itself, bound to 127.0.0.1 on a random port, and stands
//! in for the remote sites of the classic web-crawling examples: each request names a task
//! index, a delay and a response size; the server waits the delay (on its own thread, so many
//! requests wait at once, like a real remote) and answers deterministic bytes.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use super::{
    BoxFuture, Character, Task, TaskResult, Unit, WorkError, Workload, blocking, finish,
    fold_checksum, make_input,
};

const REQUEST_LEN: usize = 16;

fn encode_request(index: u64, delay_us: u64, response_bytes: u32) -> [u8; REQUEST_LEN] {
    let mut req = [0u8; REQUEST_LEN];
    req[..8].copy_from_slice(&index.to_le_bytes());
    req[8..12].copy_from_slice(&(delay_us.min(u64::from(u32::MAX)) as u32).to_le_bytes());
    req[12..].copy_from_slice(&response_bytes.to_le_bytes());
    req
}

fn response_for(index: u64, response_bytes: u32) -> Vec<u8> {
    make_input(index ^ 0x4E37, response_bytes as usize)
}

/// A loopback TCP server answering `io-net` requests. Stops and joins its thread on drop.
#[derive(Debug)]
pub struct LoopbackServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl LoopbackServer {
    /// Binds 127.0.0.1 on a random port and starts answering.
    pub fn start() -> std::io::Result<LoopbackServer> {
        let listener = TcpListener::bind(("127.0.0.1", 0))?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let stop_flag = Arc::clone(&stop);
        let accept =
            std::thread::Builder::new().name("gilbench-loopback".into()).spawn(move || {
                for conn in listener.incoming() {
                    if stop_flag.load(Ordering::Acquire) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    // One thread per connection: the server must never be the bottleneck of
                    // a latency-bound client, whatever the client's model.
                    let _ = std::thread::Builder::new()
                        .name("gilbench-loopback-conn".into())
                        .spawn(move || serve(conn));
                }
            })?;
        Ok(LoopbackServer { addr, stop, accept: Some(accept) })
    }

    /// The address clients connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

fn serve(mut conn: TcpStream) {
    let mut req = [0u8; REQUEST_LEN];
    if conn.read_exact(&mut req).is_err() {
        return;
    }
    let index = u64::from_le_bytes(req[..8].try_into().expect("invariant: 8 bytes"));
    let delay_us = u32::from_le_bytes(req[8..12].try_into().expect("invariant: 4 bytes"));
    let size = u32::from_le_bytes(req[12..].try_into().expect("invariant: 4 bytes"));
    if delay_us > 0 {
        std::thread::sleep(Duration::from_micros(u64::from(delay_us)));
    }
    let _ = conn.write_all(&response_for(index, size));
    let _ = conn.shutdown(Shutdown::Write);
}

impl Drop for LoopbackServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        // Wake the blocking accept so the thread sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(handle) = self.accept.take() {
            let _ = handle.join();
        }
    }
}

/// One request/response to the loopback server per task, on a fresh connection.
#[derive(Debug, Clone)]
pub struct NetWork {
    /// Server address.
    pub addr: SocketAddr,
    /// Server-side delay, in microseconds.
    pub delay_us: u64,
    /// Response size.
    pub response_bytes: u32,
}

impl NetWork {
    fn check(&self, task: &Task, body: &[u8]) -> Result<TaskResult, WorkError> {
        if body.len() != self.response_bytes as usize {
            return Err(WorkError::ShortResponse {
                got: body.len(),
                expected: self.response_bytes as usize,
            });
        }
        Ok(finish(task, fold_checksum(self.delay_us, body)))
    }
}

impl Workload for NetWork {
    fn character(&self) -> Character {
        Character::Io
    }

    fn run_in(&self, task: &Task, unit: &dyn Unit) -> Result<TaskResult, WorkError> {
        let body = blocking(unit, || self.exchange(task))?;
        self.check(task, &body)
    }

    fn run_async<'a>(&'a self, task: &'a Task) -> BoxFuture<'a, Result<TaskResult, WorkError>> {
        Box::pin(self.exchange_tokio(task))
    }
}

impl NetWork {
    /// One blocking request/response; returns the response body.
    fn exchange(&self, task: &Task) -> Result<Vec<u8>, WorkError> {
        let mut conn = TcpStream::connect(self.addr).map_err(WorkError::io("connect loopback"))?;
        conn.set_nodelay(true).map_err(WorkError::io("set TCP_NODELAY"))?;
        conn.write_all(&encode_request(task.index, self.delay_us, self.response_bytes))
            .map_err(WorkError::io("send request"))?;
        let mut body = Vec::with_capacity(self.response_bytes as usize);
        conn.read_to_end(&mut body).map_err(WorkError::io("read response"))?;
        Ok(body)
    }

    async fn exchange_tokio(&self, task: &Task) -> Result<TaskResult, WorkError> {
        {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let mut conn = tokio::net::TcpStream::connect(self.addr)
                .await
                .map_err(WorkError::io("connect loopback"))?;
            conn.set_nodelay(true).map_err(WorkError::io("set TCP_NODELAY"))?;
            conn.write_all(&encode_request(task.index, self.delay_us, self.response_bytes))
                .await
                .map_err(WorkError::io("send request"))?;
            let mut body = Vec::with_capacity(self.response_bytes as usize);
            conn.read_to_end(&mut body).await.map_err(WorkError::io("read response"))?;
            self.check(task, &body)
        }
    }
}
