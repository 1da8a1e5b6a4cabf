//! Makes the calls of custom extensions the domain queued: after the commit that queued them,
//! never while the store's lock is held. Each call takes the call (`ClaimCallout`), runs the
//! program without a shell, the event on its stdin, kills it (and what it started) at its
//! timeout, keeps the start of its output, and records the outcome (`RecordCallout`).

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command as Process, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::domain::extension_calls::{CalloutResult, CalloutStatus, excerpt, parse_answer};
use crate::domain::extensions::ExtensionRefusal;
use crate::domain::{Actor, Command, DomainError};

use super::{RunError, Session, wall};

/// How much of each output stream is kept (the domain keeps fewer characters still).
const KEEP_BYTES: usize = 16 * 1024;
/// How often a running call is looked at.
const POLL: Duration = Duration::from_millis(10);
/// How long the output readers are waited for once the program ended (a grandchild that left
/// the process group may hold the pipes open: it is not waited for longer).
const DRAIN_WAIT: Duration = Duration::from_millis(500);

/// What running one program gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ran {
    pub status: CalloutStatus,
    pub exit_code: Option<i32>,
    pub duration: Duration,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// Reads a stream to its end, keeping its first `KEEP_BYTES` (the rest is read and dropped, so
/// that a chatty program never blocks on a full pipe).
fn keep_start(mut from: impl Read + Send + 'static) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            match from.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    let room = KEEP_BYTES.saturating_sub(kept.len());
                    kept.extend_from_slice(buf.get(..n.min(room)).unwrap_or_default());
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        let _ = tx.send(kept);
    });
    rx
}

#[cfg(unix)]
fn own_group(p: &mut Process) {
    use std::os::unix::process::CommandExt;
    p.process_group(0);
}

#[cfg(not(unix))]
fn own_group(_: &mut Process) {}

/// Kill the program and everything it started in its process group.
fn kill_all(child: &mut Child) {
    #[cfg(unix)]
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: kill(2) on the process group this runner made for the child; no memory is touched.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    let _ = child.kill();
}

/// Run `program` with `arguments` (no shell), `input` on its stdin, for at most `timeout`, with
/// `ENTITLE_DATA` set to `data` (an `entitle` it runs works on the same data).
/// The child is always reaped; a program that does not read its stdin does not block this.
pub fn run_program(program: &str, arguments: &[String], input: &[u8], timeout: Duration, data: &Path) -> Ran {
    let started = Instant::now();
    let mut p = Process::new(program);
    p.args(arguments).env("ENTITLE_DATA", data).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    own_group(&mut p);
    let mut child = match p.spawn() {
        Ok(c) => c,
        Err(e) => {
            return Ran {
                status: CalloutStatus::NotStarted,
                exit_code: None,
                duration: started.elapsed(),
                stdout: vec![],
                stderr: format!("could not start '{program}': {e}").into_bytes(),
            };
        }
    };
    if let Some(mut stdin) = child.stdin.take() {
        let input = input.to_vec();
        // A program that never reads its stdin leaves this writer blocked until it ends; the
        // write then fails and the thread ends.
        thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
    }
    let out = child.stdout.take().map(keep_start);
    let err = child.stderr.take().map(keep_start);
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) if started.elapsed() >= timeout => {
                timed_out = true;
                kill_all(&mut child);
                break child.wait().ok();
            }
            Ok(None) => thread::sleep(POLL),
            Err(_) => {
                kill_all(&mut child);
                break child.wait().ok();
            }
        }
    };
    let duration = started.elapsed();
    // What the program left running in its group ends with it: nothing holds the pipes open.
    kill_all(&mut child);
    let collect =
        |rx: Option<mpsc::Receiver<Vec<u8>>>| rx.and_then(|rx| rx.recv_timeout(DRAIN_WAIT).ok()).unwrap_or_default();
    let (stdout, stderr) = (collect(out), collect(err));
    let exit_code = status.and_then(|s| s.code());
    let status = match (timed_out, exit_code) {
        (true, _) => CalloutStatus::TimedOut,
        (false, Some(0)) => CalloutStatus::Succeeded,
        _ => CalloutStatus::Failed,
    };
    Ran { status, exit_code: if timed_out { None } else { exit_code }, duration, stdout, stderr }
}

/// The outcome of one call as the domain records it.
pub fn result_of(ran: &Ran, waits: bool, call: crate::domain::CalloutId) -> CalloutResult {
    let stdout = excerpt(&ran.stdout);
    let answer = if waits && ran.status == CalloutStatus::Succeeded { parse_answer(&stdout, call) } else { None };
    CalloutResult {
        status: ran.status,
        exit_code: ran.exit_code,
        duration_ms: u64::try_from(ran.duration.as_millis()).unwrap_or(u64::MAX),
        stdout,
        stderr: excerpt(&ran.stderr),
        answer,
    }
}

/// A refusal that means another runner has (or had) the call: skipped, not an error.
fn taken_elsewhere(e: &RunError) -> bool {
    matches!(
        e,
        RunError::Refused(DomainError::Extension {
            refusal: ExtensionRefusal::CallGone | ExtensionRefusal::CallRunning,
            ..
        })
    )
}

impl Session {
    /// Whether calls wait to be made.
    pub fn callouts_pending(&self) -> bool {
        self.tenant().pending_callouts().next().is_some()
    }

    /// Make every queued call, oldest first, each after its own commits (the lock is held only
    /// while committing). Returns what each did, in words; calls another runner has are skipped.
    pub fn run_callouts(&mut self) -> Result<Vec<String>, RunError> {
        let mut said = vec![];
        let mut seen = std::collections::BTreeSet::new();
        loop {
            let next = self.tenant().pending_callouts().find(|c| !seen.contains(&c.id)).cloned();
            let Some(call) = next else { break };
            seen.insert(call.id);
            match self.run_as(Actor::System, Command::ClaimCallout { call: call.id, wall: wall() }) {
                Ok(_) => {}
                Err(e) if taken_elsewhere(&e) => continue,
                Err(e) => return Err(e),
            }
            let timeout = Duration::from_secs(u64::from(call.timeout_seconds));
            let dir = self.store.dir().to_path_buf();
            let ran = run_program(&call.program, &call.arguments, call.event.as_bytes(), timeout, &dir);
            let result = result_of(&ran, call.waits(), call.id);
            match self.run_as(Actor::System, Command::RecordCallout { call: call.id, result }) {
                Ok(out) => said.push(out.message),
                Err(e) if taken_elsewhere(&e) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(said)
    }
}

/// Calls made in the background, for the terminal app: a call is taken and its program started
/// on a thread of its own ([`CalloutJobs::start`]); the outcome is recorded on a later tick
/// ([`CalloutJobs::finish`]), so that a slow program never freezes the screen.
pub struct CalloutJobs {
    tx: mpsc::Sender<(crate::domain::CalloutId, bool, Ran)>,
    rx: mpsc::Receiver<(crate::domain::CalloutId, bool, Ran)>,
    running: std::collections::BTreeSet<crate::domain::CalloutId>,
}

impl Default for CalloutJobs {
    fn default() -> Self {
        let (tx, rx) = mpsc::channel();
        CalloutJobs { tx, rx, running: Default::default() }
    }
}

impl CalloutJobs {
    /// Take and start every queued call not running yet. `true` if anything was committed.
    pub fn start(&mut self, s: &mut Session) -> Result<bool, RunError> {
        if !s.store.is_writable() {
            return Ok(false);
        }
        let mut started = false;
        let queued: Vec<_> = s.tenant().pending_callouts().filter(|c| !self.running.contains(&c.id)).cloned().collect();
        for call in queued {
            match s.run_as(Actor::System, Command::ClaimCallout { call: call.id, wall: wall() }) {
                Ok(_) => {}
                Err(e) if taken_elsewhere(&e) => continue,
                Err(e) => return Err(e),
            }
            started = true;
            self.running.insert(call.id);
            let tx = self.tx.clone();
            let dir = s.store.dir().to_path_buf();
            thread::spawn(move || {
                let timeout = Duration::from_secs(u64::from(call.timeout_seconds));
                let ran = run_program(&call.program, &call.arguments, call.event.as_bytes(), timeout, &dir);
                let _ = tx.send((call.id, call.waits(), ran));
            });
        }
        Ok(started)
    }

    /// Record the outcomes of the calls that ended. `true` if any was recorded.
    pub fn finish(&mut self, s: &mut Session) -> Result<bool, RunError> {
        let mut recorded = false;
        while let Ok((id, waits, ran)) = self.rx.try_recv() {
            let result = result_of(&ran, waits, id);
            match s.run_as(Actor::System, Command::RecordCallout { call: id, result }) {
                Ok(_) => recorded = true,
                Err(e) if taken_elsewhere(&e) => {}
                Err(e) => {
                    // Left running: taken again after its claim lapses.
                    self.running.remove(&id);
                    return Err(e);
                }
            }
            self.running.remove(&id);
        }
        Ok(recorded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(program: &str, args: &[&str], input: &[u8], secs: u64) -> Ran {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        run_program(program, &args, input, Duration::from_secs(secs), Path::new("."))
    }

    #[test]
    fn a_program_that_never_reads_a_large_input_is_stopped_at_its_timeout() {
        // Far more than a pipe holds: the writer blocks, the runner does not.
        let ran = run("sleep", &["30"], &vec![b'x'; 4 << 20], 1);
        assert_eq!((ran.status, ran.exit_code), (CalloutStatus::TimedOut, None));
    }

    #[test]
    fn a_chatty_program_is_read_to_its_end_and_only_its_start_kept() {
        let ran = run("head", &["-c", "1000000", "/dev/zero"], b"", 20);
        assert_eq!(ran.status, CalloutStatus::Succeeded);
        assert_eq!(ran.stdout.len(), KEEP_BYTES);
    }

    #[test]
    fn what_a_program_leaves_running_does_not_hold_the_runner() {
        // The background sleep keeps the pipes open; it is ended with its group.
        let ran = run("sh", &["-c", "sleep 30 & echo done"], b"", 20);
        assert_eq!((ran.status, ran.stdout.as_slice()), (CalloutStatus::Succeeded, b"done\n".as_slice()));
    }

    #[test]
    fn the_event_arrives_on_stdin_and_a_missing_program_is_not_started() {
        let ran = run("cat", &[], b"{\"id\":\"call1\"}\n", 20);
        assert_eq!(ran.stdout, b"{\"id\":\"call1\"}\n");
        let ran = run("/nonexistent/entitle-hook", &[], b"", 1);
        assert_eq!(ran.status, CalloutStatus::NotStarted);
        assert!(String::from_utf8_lossy(&ran.stderr).contains("could not start"));
    }
}
