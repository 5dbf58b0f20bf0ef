//! Ending a child process: give it a grace period to leave on its own, then kill and reap it,
//! so that no child outlives the code that started it.

use std::process::{Child, ExitStatus};
use std::time::{Duration, Instant};

/// How often the child is checked while it has time left.
const POLL: Duration = Duration::from_millis(2);

/// Waits up to `grace` for `child` to exit; kills and reaps it if it has not. Returns its exit
/// status when it left on its own, `None` when it had to be killed (or could not be waited
/// for).
pub(crate) fn wait_or_kill(child: &mut Child, grace: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + grace;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(POLL),
            _ => break,
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    #[test]
    fn a_child_that_leaves_gives_its_status_and_one_that_stays_is_killed_and_reaped() {
        let mut quick = Command::new("true").spawn().expect("true runs");
        assert!(wait_or_kill(&mut quick, Duration::from_secs(5)).is_some_and(|s| s.success()));
        let mut slow = Command::new("sleep").arg("30").spawn().expect("sleep runs");
        let start = Instant::now();
        assert_eq!(wait_or_kill(&mut slow, Duration::from_millis(50)), None);
        assert!(start.elapsed() < Duration::from_secs(10), "it waited for the sleep");
        // Reaped: nothing left to wait for.
        assert!(matches!(slow.try_wait(), Ok(Some(_))));
    }
}
