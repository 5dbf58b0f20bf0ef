//! The frames parent and worker processes exchange: a u32 little-endian length, then a
//! postcard-encoded message. Also the fork server's control messages, framed the same way.
//!
//! Task inputs and outputs travel inside these frames, so encoding and decoding them is part
//! of what the `processes` models measure (as multiprocessing pickles its arguments).

use std::borrow::Cow;
use std::io::{self, Read, Write};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::gil::GilCounters;
use crate::measure::Usage;
use crate::work::{Task, TaskResult, WorkSpec};

/// The largest frame either side accepts (1.5 GiB); a longer length prefix is an error.
pub const MAX_FRAME: usize = 1536 * 1024 * 1024;

/// Bytes reserved up front when reading a frame; larger frames grow as their bytes arrive,
/// so a corrupt length prefix never allocates more than what was actually sent.
const INITIAL_RESERVE: usize = 1 << 20;

/// Errors of the wire protocol.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// The peer closed the stream between frames.
    #[error("the other side closed the stream")]
    Closed,
    /// Reading or writing the stream failed (a stream cut inside a frame included).
    #[error("{0}")]
    Io(#[from] io::Error),
    /// A length prefix above [`MAX_FRAME`].
    #[error("frame of {0} bytes exceeds the {MAX_FRAME}-byte limit")]
    TooLarge(usize),
    /// A frame that does not decode as the expected message.
    #[error("malformed frame: {0}")]
    Decode(#[from] postcard::Error),
}

/// A message from the parent to a worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ToWorker<'a> {
    /// Build this workload and answer [`FromWorker::Ready`].
    Init {
        /// The workload. It travels as JSON text inside the frame: it is an internally tagged
        /// enum, which postcard cannot decode.
        #[serde(with = "spec_as_json")]
        spec: Cow<'a, WorkSpec>,
        /// When set, the worker runs its tasks under its own modelled interpreter lock with
        /// this switch interval (the `gil:processes` model), and reports the lock's counters
        /// with its usage.
        switch_interval: Option<Duration>,
    },
    /// Run one task and answer [`FromWorker::Result`] or [`FromWorker::Error`].
    Task(Cow<'a, Task>),
    /// Answer [`FromWorker::Usage`] with the worker's cumulative resource usage (and lock
    /// counters) and its peak RSS since the previous usage request, whose mark it then resets.
    Usage,
    /// Exit now.
    Exit,
}

/// A message from a worker to the parent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FromWorker {
    /// The workload is built; the worker waits for tasks.
    Ready {
        /// The worker's process id.
        pid: u32,
    },
    /// A task's result.
    Result(TaskResult),
    /// The worker's cumulative usage (getrusage RUSAGE_SELF), and its interpreter lock's
    /// cumulative counters when it runs under one.
    Usage {
        /// getrusage of the worker process.
        usage: Usage,
        /// The worker's peak RSS since its previous usage answer, bytes (`None` where the
        /// platform cannot reset the mark).
        peak_rss_bytes: Option<u64>,
        /// The counters of the worker's lock; `None` without one.
        gil: Option<GilCounters>,
    },
    /// A request failed; `index` names the task when a task failed.
    Error {
        /// The task that failed, if the failure was a task's.
        index: Option<u64>,
        /// What went wrong.
        message: String,
    },
}

/// A request from the parent to the fork server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ToServer {
    /// Fork a worker. Two file descriptors ride along (SCM_RIGHTS): the read end of the
    /// worker's task pipe, then the write end of its result pipe.
    Fork,
    /// Reap worker `pid` (waiting up to `wait_ms` for it to end) and report how it ended.
    Status {
        /// The worker.
        pid: u32,
        /// How long to wait for it to end.
        wait_ms: u32,
    },
}

/// How a process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExitKind {
    /// It exited with this status.
    Exited(i32),
    /// A signal (this number) killed it.
    Signaled(i32),
    /// It is still running, or its status is not known.
    Unknown,
}

/// A reply of the fork server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FromServer {
    /// A worker was forked.
    Forked {
        /// Its process id.
        pid: u32,
    },
    /// How a worker ended.
    Status {
        /// The worker.
        pid: u32,
        /// How it ended.
        exit: ExitKind,
    },
    /// The request failed.
    Error(String),
}

/// `WorkSpec` as a JSON string field (sent once per worker, outside any timed region).
mod spec_as_json {
    use std::borrow::Cow;

    use serde::{Deserialize, Deserializer, Serializer};

    use crate::work::WorkSpec;

    #[expect(clippy::ptr_arg, reason = "serde's `with` hands over the field's own type")]
    pub(super) fn serialize<S: Serializer>(
        spec: &Cow<'_, WorkSpec>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let text = serde_json::to_string(spec.as_ref()).map_err(serde::ser::Error::custom)?;
        s.serialize_str(&text)
    }

    pub(super) fn deserialize<'de, 'a, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Cow<'a, WorkSpec>, D::Error> {
        let text = String::deserialize(d)?;
        serde_json::from_str(&text).map(Cow::Owned).map_err(serde::de::Error::custom)
    }
}

/// Encodes `msg` as one frame (length prefix included).
pub fn encode<T: Serialize>(msg: &T) -> Result<Vec<u8>, WireError> {
    let mut frame = postcard::to_extend(msg, vec![0u8; 4])?;
    let len = frame.len() - 4;
    if len > MAX_FRAME {
        return Err(WireError::TooLarge(len));
    }
    let prefix = u32::try_from(len).map_err(|_| WireError::TooLarge(len))?;
    frame[..4].copy_from_slice(&prefix.to_le_bytes());
    Ok(frame)
}

/// Encodes `msg` as a payload without its length prefix, as [`decode`] reads it (a message
/// carried inside another).
pub fn encode_payload<T: Serialize>(msg: &T) -> Result<Vec<u8>, WireError> {
    let payload = postcard::to_allocvec(msg)?;
    if payload.len() > MAX_FRAME {
        return Err(WireError::TooLarge(payload.len()));
    }
    Ok(payload)
}

/// Decodes one frame's payload (without its length prefix).
pub fn decode<T: DeserializeOwned>(payload: &[u8]) -> Result<T, WireError> {
    Ok(postcard::from_bytes(payload)?)
}

/// Encodes `msg` and writes it as one frame, then flushes.
pub fn send<T: Serialize, W: Write>(out: &mut W, msg: &T) -> Result<(), WireError> {
    let frame = encode(msg)?;
    out.write_all(&frame)?;
    out.flush()?;
    Ok(())
}

/// Reads one frame's payload; [`WireError::Closed`] on a clean end of stream before it.
pub fn read_frame<R: Read>(input: &mut R) -> Result<Vec<u8>, WireError> {
    let mut prefix = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        match input.read(&mut prefix[got..]) {
            Ok(0) if got == 0 => return Err(WireError::Closed),
            Ok(0) => return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into()),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    let len = frame_len(prefix)?;
    let mut payload = Vec::with_capacity(len.min(INITIAL_RESERVE));
    let read = input.take(len as u64).read_to_end(&mut payload)?;
    if read < len {
        return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into());
    }
    Ok(payload)
}

/// Reads and decodes one message.
pub fn recv<T: DeserializeOwned, R: Read>(input: &mut R) -> Result<T, WireError> {
    decode(&read_frame(input)?)
}

/// Takes one complete frame's payload off the front of `buf`, if `buf` holds one.
pub fn take_frame(buf: &mut Vec<u8>) -> Result<Option<Vec<u8>>, WireError> {
    let Some(prefix) = buf.first_chunk::<4>() else { return Ok(None) };
    let len = frame_len(*prefix)?;
    if buf.len() < 4 + len {
        return Ok(None);
    }
    let payload = buf[4..4 + len].to_vec();
    buf.drain(..4 + len);
    Ok(Some(payload))
}

fn frame_len(prefix: [u8; 4]) -> Result<usize, WireError> {
    let len = u32::from_le_bytes(prefix) as usize;
    if len > MAX_FRAME { Err(WireError::TooLarge(len)) } else { Ok(len) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_through_frames() {
        let task = Task { index: 7, input: vec![1, 2, 3, 255] };
        let spec = WorkSpec::cpu(10);
        let mut stream = Vec::new();
        let plain = ToWorker::Init { spec: Cow::Borrowed(&spec), switch_interval: None };
        let with_gil = ToWorker::Init {
            spec: Cow::Borrowed(&spec),
            switch_interval: Some(Duration::from_micros(5_250)),
        };
        send(&mut stream, &plain).expect("encode");
        send(&mut stream, &with_gil).expect("encode");
        send(&mut stream, &ToWorker::Task(Cow::Borrowed(&task))).expect("encode");
        send(&mut stream, &ToWorker::Exit).expect("encode");
        let mut input = stream.as_slice();
        assert_eq!(recv::<ToWorker<'_>, _>(&mut input).expect("init"), plain);
        assert_eq!(recv::<ToWorker<'_>, _>(&mut input).expect("init with a lock"), with_gil);
        assert_eq!(
            recv::<ToWorker<'_>, _>(&mut input).expect("task"),
            ToWorker::Task(Cow::Owned(task))
        );
        assert_eq!(recv::<ToWorker<'_>, _>(&mut input).expect("exit"), ToWorker::Exit);
        assert!(matches!(recv::<ToWorker<'_>, _>(&mut input), Err(WireError::Closed)));
    }

    #[test]
    fn usage_answers_carry_lock_counters_when_there_is_a_lock() {
        let usage = Usage { user_s: 1.5, sys_s: 0.25, ..Usage::default() };
        let gil = GilCounters { switches: 3, drop_requests: 0, wait_ns: 1_234, held_ns: 5_678 };
        for answer in [
            FromWorker::Usage { usage, peak_rss_bytes: Some(4096), gil: None },
            FromWorker::Usage { usage, peak_rss_bytes: None, gil: Some(gil) },
        ] {
            let frame = encode(&answer).expect("encode");
            let len = u32::from_le_bytes(frame[..4].try_into().expect("prefix")) as usize;
            assert_eq!(len, frame.len() - 4);
            assert_eq!(decode::<FromWorker>(&frame[4..]).expect("decode"), answer);
        }
        // The frame limit holds for the longer start-up message too.
        let mut big = encode(&ToWorker::Init {
            spec: Cow::Owned(WorkSpec::cpu(1)),
            switch_interval: Some(Duration::MAX),
        })
        .expect("encode");
        big[..4].copy_from_slice(&(MAX_FRAME as u32 + 1).to_le_bytes());
        assert!(matches!(take_frame(&mut big), Err(WireError::TooLarge(_))));
    }

    #[test]
    fn oversized_and_truncated_frames_are_errors() {
        let huge = (MAX_FRAME as u32 + 1).to_le_bytes();
        assert!(matches!(read_frame(&mut huge.as_slice()), Err(WireError::TooLarge(_))));
        let mut cut = encode(&FromWorker::Ready { pid: 1 }).expect("encode");
        cut.pop();
        assert!(matches!(read_frame(&mut cut.as_slice()), Err(WireError::Io(_))));
        let mut half = vec![5u8, 0];
        assert!(matches!(read_frame(&mut half.as_slice()), Err(WireError::Io(_))));
        half.clear();
        assert!(matches!(take_frame(&mut half), Ok(None)));
    }

    #[test]
    fn take_frame_splits_a_byte_stream() {
        let mut buf = encode(&ToServer::Fork).expect("encode");
        buf.extend(encode(&ToServer::Status { pid: 9, wait_ms: 5 }).expect("encode"));
        let tail = buf.split_off(buf.len() - 1);
        let first = take_frame(&mut buf).expect("frame").expect("complete");
        assert_eq!(decode::<ToServer>(&first).expect("decode"), ToServer::Fork);
        assert!(take_frame(&mut buf).expect("frame").is_none());
        buf.extend(tail);
        let second = take_frame(&mut buf).expect("frame").expect("complete");
        assert_eq!(
            decode::<ToServer>(&second).expect("decode"),
            ToServer::Status { pid: 9, wait_ms: 5 }
        );
        assert!(buf.is_empty());
    }
}
