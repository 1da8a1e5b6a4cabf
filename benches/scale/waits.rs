//! The commit waits of the scale benchmark: how long a commit of one process waits while another
//! process compacts, and while another opens the store. Each party is a process of its own, as in
//! use (a thread beside a compacting handle would be stalled by that process's `fork`, which no
//! other process is): this program runs again in a role named by `ROLE_VAR` (the benchmark's
//! `main`, or the test named by [`run_roles_as`], calls [`role`] first), and the roles talk to
//! this process in lines on their standard streams.
//!
//! The writer commits every 5 ms (as a user marking their mailbox read) and, when told `mark`,
//! reports the longest commit and how many since the last mark (making one first if none). The
//! compactor, when told `go`, makes the commit that starts a compaction (forked, in the
//! background), reports how long that commit of its own took and its resident memory, and waits
//! for the compaction to be in place. The opener is this process itself.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command as Process, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc::{self, TryRecvError};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use entitle::domain::{Command, Entry, Tenant};
use entitle::store::{Compaction, Store};

/// The environment variable that names a role (`writer`, `compactor`), and the one with its
/// data directory.
pub const ROLE_VAR: &str = "ENTITLE_BENCH_ROLE";
const DIR_VAR: &str = "ENTITLE_BENCH_DIR";
/// What starts every line a role says to this process (a test harness prints lines of its own).
const SAYS: &str = "ROLE ";

/// The arguments this program is run again with for a role (none for the benchmark).
static ROLE_ARGS: OnceLock<Vec<OsString>> = OnceLock::new();

#[allow(dead_code)] // the benchmark runs them as itself; the smoke test names its test
/// Run the roles as this program with `args` (a test binary: the test that calls [`role`]).
pub fn run_roles_as(args: &[&str]) {
    let _ = ROLE_ARGS.set(args.iter().map(OsString::from).collect());
}

/// The arguments a role's process is started with (see [`run_roles_as`]).
pub fn role_args() -> &'static [OsString] {
    ROLE_ARGS.get().map(Vec::as_slice).unwrap_or_default()
}

/// What the commit waits measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Waits {
    /// Another process's longest commit while this one compacts, and how many it made.
    pub during_compaction: (Duration, usize),
    /// The compacting process's own commit, the one that starts the compaction (and forks).
    pub compacting_commit: Duration,
    /// The compacting process's resident memory as it forked, and how much of it was in
    /// transparent huge pages (fewer page table entries for the `fork` to copy).
    pub compacting_rss_kib: u64,
    pub compacting_huge_kib: u64,
    /// Another process's longest commit while this one opens the store, and how many.
    pub during_open: (Duration, usize),
}

/// The commit waits on the data directory `dir` (a work copy: commits are made to it).
pub fn commit_waits(dir: &Path) -> Result<Waits> {
    let mut writer = Role::start("writer", dir)?;
    writer.expect("ready")?;
    let mut compactor = Role::start("compactor", dir)?;
    compactor.expect("ready")?;
    writer.said("mark", "waits")?;
    compactor.tell("go")?;
    let compacted = compactor.expect("compacted")?;
    let during_compaction = waits(&writer.said("mark", "waits")?)?;
    compactor.end()?;
    let (compacting_commit, compacting_rss_kib, compacting_huge_kib) = match compacted.as_slice() {
        [ns, rss, huge] => (Duration::from_nanos(*ns), *rss, *huge),
        _ => bail!("the compactor said {compacted:?}"),
    };
    writer.said("mark", "waits")?;
    let opened = Store::<Tenant>::open(dir)?.ok_or_else(|| anyhow!("no tenant in {}", dir.display()))?;
    let during_open = waits(&writer.said("mark", "waits")?)?;
    drop(opened);
    writer.end()?;
    Ok(Waits { during_compaction, compacting_commit, compacting_rss_kib, compacting_huge_kib, during_open })
}

fn waits(said: &[u64]) -> Result<(Duration, usize)> {
    match said {
        [ns, n] => Ok((Duration::from_nanos(*ns), usize::try_from(*n)?)),
        _ => bail!("the writer said {said:?}"),
    }
}

/// A role running as a process of its own.
struct Role {
    name: &'static str,
    child: Child,
    input: Option<ChildStdin>,
    output: BufReader<ChildStdout>,
}

impl Role {
    fn start(name: &'static str, dir: &Path) -> Result<Role> {
        let exe = std::env::current_exe()?;
        let mut child = Process::new(exe)
            .args(role_args())
            .env(ROLE_VAR, name)
            .env(DIR_VAR, dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting the {name}"))?;
        let input = child.stdin.take();
        let output = BufReader::new(child.stdout.take().ok_or_else(|| anyhow!("no output from the {name}"))?);
        Ok(Role { name, child, input, output })
    }

    fn tell(&mut self, what: &str) -> Result<()> {
        let input = self.input.as_mut().ok_or_else(|| anyhow!("the {} was told to end", self.name))?;
        writeln!(input, "{what}")?;
        input.flush()?;
        Ok(())
    }

    /// The numbers of the next line the role says that starts with `word`.
    fn expect(&mut self, word: &str) -> Result<Vec<u64>> {
        let mut line = String::new();
        loop {
            line.clear();
            if self.output.read_line(&mut line)? == 0 {
                bail!("the {} ended before saying '{word}'", self.name);
            }
            let Some(said) = line.trim_end().strip_prefix(SAYS) else { continue };
            let mut words = said.split(' ');
            if words.next() == Some(word) {
                return words.map(|w| w.parse::<u64>().with_context(|| format!("'{said}'"))).collect();
            }
        }
    }

    fn said(&mut self, tell: &str, word: &str) -> Result<Vec<u64>> {
        self.tell(tell)?;
        self.expect(word)
    }

    /// Closes its input (the writer stops) and waits for it to end.
    fn end(mut self) -> Result<()> {
        drop(self.input.take());
        let status = self.child.wait()?;
        if !status.success() {
            bail!("the {} ended with {status}", self.name);
        }
        Ok(())
    }
}

/// Runs the role this process was started in, if any: then returns true (the caller ends).
pub fn role() -> Result<bool> {
    let Some(name) = std::env::var_os(ROLE_VAR) else { return Ok(false) };
    let dir = PathBuf::from(std::env::var_os(DIR_VAR).ok_or_else(|| anyhow!("no {DIR_VAR}"))?);
    let mut store = Store::<Tenant>::open(&dir)?.ok_or_else(|| anyhow!("no tenant in {}", dir.display()))?;
    let lines = told();
    match name.to_str() {
        Some("writer") => writer(&mut store, &lines)?,
        Some("compactor") => compactor(&mut store, &lines)?,
        _ => bail!("no role {name:?}"),
    }
    Ok(true)
}

/// What this process is told, line by line, from a thread of its own; the channel closes at the
/// end of the input.
fn told() -> mpsc::Receiver<String> {
    let (send, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if send.send(line).is_err() {
                break;
            }
        }
    });
    lines
}

fn say(what: std::fmt::Arguments<'_>) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{SAYS}{what}")?;
    out.flush()?;
    Ok(())
}

/// One commit as the benchmark's committer: how long it took.
fn commit(store: &mut Store<Tenant>) -> Result<Duration> {
    let user = super::measure::committer(store.state())?;
    let t0 = Instant::now();
    store
        .commit(|t| Entry { at: t.now(), actor: user.clone(), command: Command::MarkRead { notification: None } })
        .map_err(|e| anyhow!("commit: {e}"))?;
    Ok(t0.elapsed())
}

fn writer(store: &mut Store<Tenant>, lines: &mpsc::Receiver<String>) -> Result<()> {
    // This handle's own compactions (one every 2,000 commits) are not what is measured.
    store.set_compaction(Compaction { max_entries: u64::MAX, max_bytes: u64::MAX });
    say(format_args!("ready"))?;
    let (mut longest, mut n) = (Duration::ZERO, 0u64);
    loop {
        match lines.try_recv() {
            Ok(_) => {
                if n == 0 {
                    longest = commit(store)?;
                    n = 1;
                }
                say(format_args!("waits {} {n}", longest.as_nanos()))?;
                (longest, n) = (Duration::ZERO, 0);
            }
            Err(TryRecvError::Disconnected) => return Ok(()),
            Err(TryRecvError::Empty) => {
                longest = longest.max(commit(store)?);
                n = n.saturating_add(1);
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }
}

fn compactor(store: &mut Store<Tenant>, lines: &mpsc::Receiver<String>) -> Result<()> {
    say(format_args!("ready"))?;
    lines.recv().map_err(|_| anyhow!("the compactor was never told to go"))?;
    // Due (one entry past the limit), not overdue (which would compact under the lock). The
    // work copy has entries since its snapshot: the year's command and others.
    let since = store.seq().saturating_sub(store.snapshot_seq()).max(1);
    store.set_compaction(Compaction { max_entries: since, max_bytes: u64::MAX / 8 });
    let (rss, huge) = (kib_of("/proc/self/status", "VmRSS:"), kib_of("/proc/self/smaps_rollup", "AnonHugePages:"));
    let own = commit(store)?;
    store.wait_for_compaction()?;
    say(format_args!("compacted {} {rss} {huge}", own.as_nanos()))?;
    Ok(())
}

/// A figure of this process's memory from a `/proc` file: the line starting with `field`, in
/// KiB (0 where it cannot be read).
fn kib_of(file: &str, field: &str) -> u64 {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let line = text.lines().find_map(|l| l.strip_prefix(field)).unwrap_or_default();
    line.trim().trim_end_matches("kB").trim().parse().unwrap_or(0)
}
