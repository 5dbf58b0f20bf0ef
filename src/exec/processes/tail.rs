//! The last bytes a child process wrote to stderr, kept to explain why it failed.

use std::io::Read;
use std::process::ChildStderr;
use std::sync::{Arc, Mutex, PoisonError};

/// Bytes of stderr kept per child.
const KEEP: usize = 4096;
/// Characters of the tail quoted in an error message.
const QUOTE: usize = 600;

/// The tail of one child's stderr, filled by a small reader thread until the pipe closes.
#[derive(Debug, Clone, Default)]
pub(super) struct Tail(Arc<Mutex<Vec<u8>>>);

impl Tail {
    /// Starts draining `stderr` into a new tail (an empty tail without a pipe).
    pub(super) fn collect(stderr: Option<ChildStderr>) -> Tail {
        let tail = Tail::default();
        if let Some(mut stderr) = stderr {
            let keep = Arc::clone(&tail.0);
            // If the thread cannot start, the pipe is dropped with the closure: the child then
            // writes stderr into a closed pipe and only its error messages are lost.
            let _ = std::thread::Builder::new().name("gilbench-stderr".into()).spawn(move || {
                let mut buf = [0u8; 1024];
                while let Ok(n) = stderr.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    let mut kept = keep.lock().unwrap_or_else(PoisonError::into_inner);
                    kept.extend_from_slice(&buf[..n]);
                    if kept.len() > KEEP {
                        let cut = kept.len() - KEEP;
                        kept.drain(..cut);
                    }
                }
            });
        }
        tail
    }

    /// The end of what was written, trimmed, for an error message ("" if nothing).
    pub(super) fn text(&self) -> String {
        let kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let text = String::from_utf8_lossy(&kept);
        let text = text.trim();
        let chars = text.chars().count();
        if chars <= QUOTE {
            text.to_string()
        } else {
            let tail: String = text.chars().skip(chars - QUOTE).collect();
            format!("…{tail}")
        }
    }
}
