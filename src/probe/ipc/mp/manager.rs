//! `Manager`: a server process that owns the state (a counter and a dictionary) and answers
//! proxy calls over a unix stream socket in a private (0700) directory, as multiprocessing's
//! `SyncManager` does. A client first presents the random token (multiprocessing's authkey);
//! a client without it is told so and cut off. The socket file and its directory are removed
//! as soon as every client is connected, and in any case when the handle is dropped.

use std::collections::HashMap;
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use super::super::peer::PeerProcess;
use super::Role;
use crate::exec::wire;

/// Bytes of the token.
pub const TOKEN_LEN: usize = 32;

/// A proxy call.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Request {
    /// The first message of a connection: the token.
    Hello(Vec<u8>),
    /// Add to the counter; answers its new value.
    Add(i64),
    /// Read the counter.
    Get,
    /// Set a dictionary item.
    Set(String, #[serde(with = "serde_bytes")] Vec<u8>),
    /// Read a dictionary item.
    Item(String),
}

/// The server's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// The token matched.
    Welcome,
    /// The token did not match; the connection closes.
    Rejected,
    /// The counter's value.
    Value(i64),
    /// A dictionary item, if present.
    Item(Option<Vec<u8>>),
    /// Done.
    Ok,
}

/// Errors of a manager client.
#[derive(Debug, thiserror::Error)]
pub enum ManagerError {
    /// The server refused the token.
    #[error("the manager rejected the authentication token")]
    Rejected,
    /// The connection failed.
    #[error("manager connection: {0}")]
    Io(#[from] io::Error),
    /// The server answered something unexpected.
    #[error("manager protocol: {0}")]
    Protocol(String),
}

/// A connection to the manager.
#[derive(Debug)]
pub struct Client {
    sock: UnixStream,
}

impl Client {
    /// Connects to the manager at `path` with `token`.
    pub fn connect(path: &Path, token: &[u8]) -> Result<Client, ManagerError> {
        Client::handshake(UnixStream::connect(path)?, token)
    }

    /// Authenticates on an already connected socket.
    pub fn handshake(sock: UnixStream, token: &[u8]) -> Result<Client, ManagerError> {
        let mut c = Client { sock };
        match c.call(&Request::Hello(token.to_vec()))? {
            Response::Welcome => Ok(c),
            Response::Rejected => Err(ManagerError::Rejected),
            other => Err(ManagerError::Protocol(format!("answered {other:?} to hello"))),
        }
    }

    /// One proxy call.
    pub fn call(&mut self, req: &Request) -> Result<Response, ManagerError> {
        let proto = |e: wire::WireError| match e {
            wire::WireError::Io(e) => ManagerError::Io(e),
            other => ManagerError::Protocol(other.to_string()),
        };
        wire::send(&mut self.sock, req).map_err(proto)?;
        wire::recv(&mut self.sock).map_err(proto)
    }

    /// Adds `n` to the counter; its new value.
    pub fn add(&mut self, n: i64) -> Result<i64, ManagerError> {
        match self.call(&Request::Add(n))? {
            Response::Value(v) => Ok(v),
            other => Err(ManagerError::Protocol(format!("answered {other:?} to add"))),
        }
    }

    /// The counter.
    pub fn get(&mut self) -> Result<i64, ManagerError> {
        match self.call(&Request::Get)? {
            Response::Value(v) => Ok(v),
            other => Err(ManagerError::Protocol(format!("answered {other:?} to get"))),
        }
    }
}

/// A running manager server process.
#[derive(Debug)]
pub struct Manager {
    process: Option<PeerProcess>,
    dir: Option<tempfile::TempDir>,
    path: PathBuf,
    token: Vec<u8>,
}

impl Manager {
    /// Starts the server (`exe __ipcpeer`) listening in a new private directory.
    pub fn start(exe: &Path) -> io::Result<Manager> {
        let dir = crate::sys::private_dir("mgr")?;
        let path = dir.path().join("manager.sock");
        let listener = UnixListener::bind(&path)?;
        let mut token = vec![0u8; TOKEN_LEN];
        rustix::rand::getrandom(&mut token, rustix::rand::GetRandomFlags::empty())?;
        let spec = Role::ManagerServer { token: token.clone() }.spec()?;
        let process = PeerProcess::start(exe, &spec, &[OwnedFd::from(listener)])?;
        Ok(Manager { process: Some(process), dir: Some(dir), path, token })
    }

    /// Where clients connect (until [`Manager::seal`]).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The token clients must present.
    pub fn token(&self) -> &[u8] {
        &self.token
    }

    /// A connected, not yet authenticated socket (for a client in another process).
    pub fn connect_raw(&self) -> io::Result<UnixStream> {
        UnixStream::connect(&self.path)
    }

    /// Removes the socket file and its directory: no new client can connect.
    pub fn seal(&mut self) {
        if let Some(dir) = self.dir.take() {
            let _ = std::fs::remove_file(&self.path);
            let _ = dir.close();
        }
    }
}

impl Drop for Manager {
    fn drop(&mut self) {
        self.seal();
        if let Some(p) = self.process.take() {
            p.finish();
        }
    }
}

#[derive(Debug, Default)]
struct State {
    counter: i64,
    dict: HashMap<String, Vec<u8>>,
}

/// Constant-time comparison, so the token cannot be guessed byte by byte.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn serve_client(mut sock: UnixStream, token: &[u8], state: &Mutex<State>) {
    match wire::recv::<Request, _>(&mut sock) {
        Ok(Request::Hello(t)) if same(&t, token) => {
            if wire::send(&mut sock, &Response::Welcome).is_err() {
                return;
            }
        }
        _ => {
            let _ = wire::send(&mut sock, &Response::Rejected);
            return;
        }
    }
    while let Ok(req) = wire::recv::<Request, _>(&mut sock) {
        let answer = {
            let Ok(mut s) = state.lock() else { return };
            match req {
                Request::Hello(_) => Response::Ok,
                Request::Add(n) => {
                    s.counter += n;
                    Response::Value(s.counter)
                }
                Request::Get => Response::Value(s.counter),
                Request::Set(k, v) => {
                    s.dict.insert(k, v);
                    Response::Ok
                }
                Request::Item(k) => Response::Item(s.dict.get(&k).cloned()),
            }
        };
        if wire::send(&mut sock, &answer).is_err() {
            return;
        }
    }
}

/// The server process: accept clients (one thread each) until the control socket closes.
pub(crate) fn server_main(token: &[u8], control: UnixStream, mut fds: Vec<OwnedFd>) -> i32 {
    let Some(fd) = fds.pop() else { return 2 };
    let listener = UnixListener::from(fd);
    std::thread::spawn(move || {
        let mut sink = [0u8; 64];
        let _ = io::Read::read(&mut &control, &mut sink);
        std::process::exit(0);
    });
    let state = Arc::new(Mutex::new(State::default()));
    let token: Arc<[u8]> = token.into();
    for sock in listener.incoming() {
        let Ok(sock) = sock else { continue };
        let (state, token) = (Arc::clone(&state), Arc::clone(&token));
        std::thread::spawn(move || serve_client(sock, &token, &state));
    }
    0
}
