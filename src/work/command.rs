//! The `command` workload: each task runs an external program from an argument list (no
//! shell), with `{task}` replaced by the task index, feeds it the task's input on stdin and
//! takes its stdout as the task's output. Blocking units wait for it on their thread; async
//! tasks use tokio's process support. A command that cannot start, exits unsuccessfully or
//! outlives its timeout fails the task with the reason (exit status, stderr tail); its output
//! is captured, never shown.

use std::io::{Read, Write};
use std::process::{Child, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crossbeam_channel::RecvTimeoutError;

use super::custom::{WORKER_ROLE_ENV, result_of};
use super::{BoxFuture, Character, Task, TaskResult, Unit, WorkError, Workload, blocking};

/// The placeholder replaced by the task index in every argument.
pub const TASK_PLACEHOLDER: &str = "{task}";

/// How much of a failed command's stderr is kept for the error message.
const STDERR_TAIL: usize = 400;
/// How long the readers of a killed command's streams get to finish.
const READER_GRACE: Duration = Duration::from_millis(200);
/// Longest pause while waiting for a command to exit after it closed its streams.
const MAX_POLL: Duration = Duration::from_millis(2);

/// Runs `argv` once per task.
///
/// ```
/// use std::time::Duration;
/// use gilbench::work::{CommandWork, Task, Workload};
///
/// let echo = CommandWork { argv: vec!["echo".into(), "task {task}".into()], timeout: Duration::from_secs(5) };
/// let out = echo.run(&Task { index: 3, input: Vec::new() })?;
/// assert_eq!(out.output, b"task 3\n");
/// # Ok::<(), gilbench::work::WorkError>(())
/// ```
#[derive(Debug, Clone)]
pub struct CommandWork {
    /// Program and arguments; `{task}` in any of them becomes the task index.
    pub argv: Vec<String>,
    /// How long one run may take before it is killed and the task fails.
    pub timeout: Duration,
}

impl CommandWork {
    /// The argument list of task `index`.
    pub fn argv_for(&self, index: u64) -> Vec<String> {
        let n = index.to_string();
        self.argv.iter().map(|a| a.replace(TASK_PLACEHOLDER, &n)).collect()
    }

    fn fail(&self, argv: &[String], what: String) -> WorkError {
        WorkError::Failed(format!("command `{}` {what}", show_argv(argv)))
    }

    fn run_blocking(&self, task: &Task) -> Result<Vec<u8>, WorkError> {
        let argv = self.argv_for(task.index);
        let Some((program, args)) = argv.split_first() else {
            return Err(WorkError::Failed("command has an empty argument list".into()));
        };
        let mut child = std::process::Command::new(program)
            .args(args)
            .env_remove(WORKER_ROLE_ENV)
            .stdin(if task.input.is_empty() { Stdio::null() } else { Stdio::piped() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| self.fail(&argv, format!("could not start: {e}")))?;
        let deadline = Instant::now() + self.timeout;
        let (tx, rx) = crossbeam_channel::bounded::<(bool, Vec<u8>)>(2);
        let mut readers = 0;
        for (is_out, stream) in [
            (true, child.stdout.take().map(|s| Box::new(s) as Box<dyn Read + Send>)),
            (false, child.stderr.take().map(|s| Box::new(s) as Box<dyn Read + Send>)),
        ] {
            let Some(mut stream) = stream else { continue };
            let tx = tx.clone();
            let spawned =
                std::thread::Builder::new().name("gilbench-cmd-io".into()).spawn(move || {
                    let mut buf = Vec::new();
                    let _ = stream.read_to_end(&mut buf);
                    let _ = tx.send((is_out, buf));
                });
            if let Err(e) = spawned {
                kill(&mut child);
                return Err(self.fail(&argv, format!("could not start a reader thread: {e}")));
            }
            readers += 1;
        }
        drop(tx);
        if let Some(mut stdin) = child.stdin.take() {
            let input = task.input.clone();
            // A command that does not read its input closes the pipe: that is not an error.
            let _ = std::thread::Builder::new()
                .name("gilbench-cmd-in".into())
                .spawn(move || {
                    let _ = stdin.write_all(&input);
                })
                .map_err(|e| {
                    kill(&mut child);
                    self.fail(&argv, format!("could not start a writer thread: {e}"))
                })?;
        }
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        let mut got = 0;
        while got < readers {
            match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok((true, bytes)) => stdout = bytes,
                Ok((false, bytes)) => stderr = bytes,
                Err(RecvTimeoutError::Timeout) => {
                    kill(&mut child);
                    let stderr = drain_stderr(&rx);
                    return Err(self.fail(
                        &argv,
                        format!(
                            "did not finish within {:?}; killed{}",
                            self.timeout,
                            tail(&stderr)
                        ),
                    ));
                }
                Err(RecvTimeoutError::Disconnected) => break,
            }
            got += 1;
        }
        // Both streams are closed: the command has exited or is about to.
        let mut pause = Duration::from_micros(5);
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(MAX_POLL);
                }
                Ok(None) => {
                    kill(&mut child);
                    return Err(self.fail(
                        &argv,
                        format!(
                            "closed its output but did not exit within {:?}; killed{}",
                            self.timeout,
                            tail(&stderr)
                        ),
                    ));
                }
                Err(e) => return Err(self.fail(&argv, format!("could not be waited for: {e}"))),
            }
        };
        self.check(&argv, status, &stderr)?;
        Ok(stdout)
    }

    fn check(&self, argv: &[String], status: ExitStatus, stderr: &[u8]) -> Result<(), WorkError> {
        if status.success() {
            return Ok(());
        }
        Err(self.fail(argv, format!("{}{}", describe(status), tail(stderr))))
    }

    async fn run_tokio(&self, task: &Task) -> Result<Vec<u8>, WorkError> {
        use tokio::io::AsyncWriteExt;

        let argv = self.argv_for(task.index);
        let Some((program, args)) = argv.split_first() else {
            return Err(WorkError::Failed("command has an empty argument list".into()));
        };
        let mut child = tokio::process::Command::new(program)
            .args(args)
            .env_remove(WORKER_ROLE_ENV)
            .stdin(if task.input.is_empty() { Stdio::null() } else { Stdio::piped() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| self.fail(&argv, format!("could not start: {e}")))?;
        let stdin = child.stdin.take();
        let write = async {
            if let Some(mut stdin) = stdin {
                let _ = stdin.write_all(&task.input).await;
            }
        };
        let run = async { tokio::join!(write, child.wait_with_output()).1 };
        // On timeout the future (and with it the child) is dropped: tokio kills and reaps it.
        match tokio::time::timeout(self.timeout, run).await {
            Err(_) => {
                Err(self.fail(&argv, format!("did not finish within {:?}; killed", self.timeout)))
            }
            Ok(Err(e)) => Err(self.fail(&argv, format!("could not be waited for: {e}"))),
            Ok(Ok(out)) => {
                self.check(&argv, out.status, &out.stderr)?;
                Ok(out.stdout)
            }
        }
    }
}

impl Workload for CommandWork {
    fn character(&self) -> Character {
        Character::Io
    }

    fn run_in(&self, task: &Task, unit: &dyn Unit) -> Result<TaskResult, WorkError> {
        let stdout = blocking(unit, || self.run_blocking(task))?;
        Ok(result_of(task, stdout))
    }

    fn run_async<'a>(&'a self, task: &'a Task) -> BoxFuture<'a, Result<TaskResult, WorkError>> {
        Box::pin(async move {
            let stdout = self.run_tokio(task).await?;
            Ok(result_of(task, stdout))
        })
    }
}

/// Kills and reaps a command that has not been reaped yet.
fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// What the stderr reader of a killed command collected, if it finishes soon.
fn drain_stderr(rx: &crossbeam_channel::Receiver<(bool, Vec<u8>)>) -> Vec<u8> {
    let until = Instant::now() + READER_GRACE;
    while let Ok((is_out, bytes)) = rx.recv_timeout(until.saturating_duration_since(Instant::now()))
    {
        if !is_out {
            return bytes;
        }
    }
    Vec::new()
}

/// "exited with status 2", "was killed by signal 9".
fn describe(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with status {code}"),
        (None, Some(signal)) => format!("was killed by signal {signal}"),
        _ => format!("ended with {status}"),
    }
}

/// "; stderr ends: …" with the last bytes of `stderr`, or nothing when it is empty.
fn tail(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let text = text.trim();
    if text.is_empty() {
        return String::new();
    }
    let mut start = text.len().saturating_sub(STDERR_TAIL);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    let cut = if start > 0 { "…" } else { "" };
    format!("; stderr ends: {cut}{}", text[start..].replace('\n', " | "))
}

/// The argument list as one would type it (arguments with spaces quoted).
pub fn show_argv(argv: &[String]) -> String {
    argv.iter()
        .map(|a| {
            if a.is_empty() || a.contains(char::is_whitespace) {
                format!("{a:?}")
            } else {
                a.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests;
