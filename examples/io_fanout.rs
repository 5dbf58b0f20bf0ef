//! An IO-bound workload through every execution model: each task sends a request to a
//! loopback TCP server that answers after `delay_ms` — a fan-out of requests, the case where
//! threads and async tasks scale far past the core count. Run it with
//! `cargo run --release --example io_fanout [-- OUT_DIR]`.
//!
//! The server runs in the benchmarking process; worker processes get its address as a
//! parameter. `main_entry` comes first: the `processes` models re-execute this program.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use anyhow::{Context, Result};
use gilbench::api::{
    Bench, BoxFuture, Character, Model, Registry, Task, TaskResult, Unit, WorkError, Workload,
    blocking, main_entry, result_of,
};

/// Bytes of every answer.
const ANSWER: usize = 512;

/// One request per task to the loopback server.
struct Fanout {
    addr: SocketAddr,
    delay_ms: u64,
}

fn io(op: &'static str) -> impl FnOnce(std::io::Error) -> WorkError {
    move |source| WorkError::Io { op, source }
}

impl Workload for Fanout {
    fn character(&self) -> Character {
        Character::Io
    }

    fn run_in(&self, task: &Task, unit: &dyn Unit) -> Result<TaskResult, WorkError> {
        // The wait releases the `gil` model's lock, as a blocking call in Python would.
        let answer = blocking(unit, || -> Result<Vec<u8>, WorkError> {
            let mut stream = TcpStream::connect(self.addr).map_err(io("connect"))?;
            writeln!(stream, "{} {}", task.index, self.delay_ms).map_err(io("send"))?;
            let mut answer = vec![0u8; ANSWER];
            stream.read_exact(&mut answer).map_err(io("receive"))?;
            Ok(answer)
        })?;
        Ok(result_of(task, answer))
    }

    fn run_async<'a>(&'a self, task: &'a Task) -> BoxFuture<'a, Result<TaskResult, WorkError>> {
        Box::pin(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let mut stream =
                tokio::net::TcpStream::connect(self.addr).await.map_err(io("connect"))?;
            let request = format!("{} {}\n", task.index, self.delay_ms);
            stream.write_all(request.as_bytes()).await.map_err(io("send"))?;
            let mut answer = vec![0u8; ANSWER];
            stream.read_exact(&mut answer).await.map_err(io("receive"))?;
            Ok(result_of(task, answer))
        })
    }
}

fn registry() -> Registry {
    Registry::new().with("fanout", |params| {
        let addr = params.get("addr").ok_or("needs addr")?;
        let addr = addr.parse().map_err(|e| format!("addr={addr}: {e}"))?;
        let delay_ms = params
            .get("delay_ms")
            .map_or(Ok(5), |v| v.parse())
            .map_err(|e| format!("delay_ms: {e}"))?;
        Ok(Fanout { addr, delay_ms })
    })
}

/// A loopback server: one thread per connection, answers `ANSWER` bytes derived from the
/// request after the requested delay.
fn serve() -> Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").context("binding the loopback server")?;
    let addr = listener.local_addr()?;
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut line = String::new();
                let mut reader = BufReader::new(&stream);
                if reader.read_line(&mut line).is_err() {
                    return;
                }
                let mut parts = line.split_whitespace().map(|p| p.parse::<u64>().unwrap_or(0));
                let (index, delay) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
                std::thread::sleep(Duration::from_millis(delay));
                let answer: Vec<u8> = (0..ANSWER as u64).map(|i| (i ^ index) as u8).collect();
                let _ = (&stream).write_all(&answer);
            });
        }
    });
    Ok(addr)
}

fn main() -> Result<()> {
    main_entry(&registry());
    let out = std::env::args().nth(1).unwrap_or_else(|| "reports/example-io-fanout".into());
    let addr = serve()?;
    let run = Bench::new(&registry(), "fanout")
        .setting("addr", addr) // changes every run: kept out of the case keys
        .param("delay_ms", 5)
        .models([
            Model::Sequential,
            Model::Threads,
            Model::Gil,
            Model::ProcessesSpawn,
            Model::AsyncCurrent,
            Model::AsyncMulti,
        ])
        .workers([1, 4, 16, 64])
        .tasks(128)
        .out(&out)
        .run()
        .context("running the fan-out benchmark")?;
    for (case, reason) in run.failures() {
        eprintln!("{case}: {reason}");
    }
    println!("{}", run.index.display());
    Ok(())
}
