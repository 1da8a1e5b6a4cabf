//! The measurements of the scale benchmark (`cargo bench --bench scale`), kept apart from its
//! `main` so that a test can run them at smoke size (`tests/it/scale_bench.rs`).
//!
//! Every figure is measured on a copy of the data directory under the work root, so the cached
//! generated tenant is never changed: a whole-process figure runs the `entitle` binary and reads
//! its peak memory from `wait4`'s rusage; the references (a bare typed parse of the same snapshot
//! bytes, a bare append+fsync of a line of the same size) run in this process, on the same bytes.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use entitle::domain::{Actor, Command, Entry, Tenant};
use entitle::scale::ScaleParams;
use entitle::store::Store;

/// Commits (and bare appends) measured for a median.
pub const COMMITS: usize = 21;

/// Each whole-process figure of the table is the median of this many runs: on the 2-core
/// machine one run of the same command on the same bytes varied by a third from one hour to
/// the next, and medians of three taken a minute apart by a seventh (the year: 1.90 s, then
/// 2.17 s).
pub const PROCESS_RUNS: usize = 5;

/// A whole `entitle` process: wall time and peak resident memory.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Run {
    pub time: Duration,
    /// Processor time, user and system (on a shared machine the wall time also counts the
    /// waits for a core).
    pub cpu: Duration,
    /// The part of it the kernel spent for the process (on this machine mostly giving it
    /// fresh pages: see [`touch_fresh`]).
    pub sys: Duration,
    pub peak_kib: u64,
    /// For the median of several runs: the shortest and the longest wall time.
    pub range: Option<(Duration, Duration)>,
}

/// The run of median wall time among `runs`, with the range of them all.
pub fn median_run(mut runs: Vec<Run>) -> Result<Run> {
    runs.sort_by_key(|r| r.time);
    let (Some(first), Some(last)) = (runs.first(), runs.last()) else { bail!("no run to take the median of") };
    let range = (runs.len() > 1).then_some((first.time, last.time));
    let mid = runs.get(runs.len() / 2).copied().unwrap_or(*first);
    Ok(Run { range, ..mid })
}

/// Every figure of the table, for one data directory.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    pub snapshot_bytes: u64,
    /// The history files (audit log, mailboxes): read only when asked for.
    pub history_bytes: u64,
    /// The snapshot's bytes by top-level part of the state, largest first.
    pub parts: Vec<(String, u64)>,
    pub bare_parse: Duration,
    /// The derived binary cache beside the snapshot (what an open reads instead of the JSON).
    pub cache_bytes: u64,
    /// A bare decode of the same state's cache bytes (in memory, on both cores, indexes and
    /// timers included), in this process, after its parse of the snapshot (at 1M within 5% of
    /// the fresh process's, either way, in this session's two full runs).
    pub bare_decode: Duration,
    /// The same decode in a fresh process (the median of [`PROCESS_RUNS`]): its memory is
    /// touched for the first time, as any command's is. The reference for an open through the
    /// cache (the CLI read's ratio is taken to it).
    pub bare_decode_fresh: Duration,
    pub read: Run,
    pub year: Run,
    /// From the year's command returning to its compaction (written in the background by a
    /// process of its own) being in place.
    pub year_compacted: Duration,
    pub read_after_year: Run,
    /// See [`Processes::fresh_memory`].
    pub fresh_memory: (Duration, Duration, Duration),
    pub commit_median: Duration,
    /// The longest of the commits another process made while one compacts, and how many.
    pub commit_during_compaction: (Duration, usize),
    /// The compacting process's own commit, the one that starts its compaction (and forks),
    /// and that process's resident memory then, and how much of it was in huge pages (KiB).
    pub compacting_commit: (Duration, u64, u64),
    /// The longest of the commits another process made while one opens the store, and how many.
    pub commit_during_open: (Duration, usize),
    pub commit_line_bytes: u64,
    pub bare_append_median: Duration,
}

/// The scale tenant's figures, the demo's, and how the scale tenant was made.
#[derive(Debug, Clone)]
pub struct Table {
    pub params: ScaleParams,
    pub generated: String,
    /// `entitle gen` as a whole process; None when the directory was reused from the cache.
    pub generate: Option<Run>,
    pub scale: Figures,
    pub demo: Figures,
}

/// Generate the scale tenant into `root/cache` with `entitle gen` (unless it is already there),
/// set up the demo tenant, and measure both. `bin` is the `entitle` binary.
///
/// Every whole process runs before this process reads or parses any snapshot: a child's peak
/// memory as `wait4` reports it starts from its parent's at the fork, so the parent must be small.
pub fn table(bin: &Path, root: &Path, params: ScaleParams) -> Result<Table> {
    let data = data_dir(root, params);
    let cache = data.parent().unwrap_or(root).to_path_buf();
    let about = cache.join("generated.txt");
    let mut generate = None;
    if !data.join("tenant.json").exists() || is_older(&about, bin) {
        if cache.exists() {
            fs::remove_dir_all(&cache).with_context(|| format!("clearing {}", cache.display()))?;
        }
        let size = params.assignments.to_string();
        let seed = params.seed.to_string();
        generate = Some(run_to(bin, &data, &["gen", "--scale", &size, "--seed", &seed], &cache, Some(&about))?);
    }
    let generated = fs::read_to_string(&about)?;
    let demo_data = root.join("demo");
    if is_older(&demo_data.join("tenant.json"), bin) {
        if demo_data.exists() {
            fs::remove_dir_all(&demo_data)?;
        }
        run(bin, &demo_data, &["init", "--demo"], root)?;
    }
    let work = root.join("work");
    let scale_runs = processes(bin, &data, &work.join("scale"))?;
    let demo_runs = processes(bin, &demo_data, &work.join("demo"))?;
    let scale = in_process(&data, &work.join("scale"), scale_runs)?;
    let demo = in_process(&demo_data, &work.join("demo"), demo_runs)?;
    Ok(Table { params, generated, generate, scale, demo })
}

/// Where the scale tenant of `params` is cached under the benchmark's root.
pub fn data_dir(root: &Path, params: ScaleParams) -> PathBuf {
    root.join("cache").join(format!("{}-seed{}", params.assignments, params.seed)).join("data")
}

/// Whether `file` is missing or older than `than` (a cache older than the binary is stale: the
/// generator or the file format may have changed).
fn is_older(file: &Path, than: &Path) -> bool {
    let modified = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
    match (modified(file), modified(than)) {
        (Some(f), Some(t)) => f < t,
        _ => true,
    }
}

/// The whole-process figures of one data directory.
#[derive(Debug, Clone, Copy)]
pub struct Processes {
    pub read: Run,
    /// The bare decode in a fresh process, each run right after a read (see [`decode_role`]).
    pub bare_decode_fresh: Duration,
    pub year: Run,
    pub year_compacted: Duration,
    pub read_after_year: Run,
    /// [`touch_fresh`] before each year's copy: the median, the shortest and the longest.
    pub fresh_memory: (Duration, Duration, Duration),
}

/// The whole-process figures: a read of `data`, then a year on a fresh copy of it at `work`,
/// the wait for its compaction (in the background) to be in place, and a read after that.
/// Each is the median of [`PROCESS_RUNS`] (the year on a fresh copy each time); the work copy
/// left is the last run's.
pub fn processes(bin: &Path, data: &Path, work: &Path) -> Result<Processes> {
    let logs = work.parent().unwrap_or(work);
    let (mut reads, mut years, mut compacted, mut after) = (vec![], vec![], vec![], vec![]);
    // The reference of the read is taken beside each read: the machine's speed drifts.
    let sections = work.with_extension("sections");
    fs::create_dir_all(logs).with_context(|| format!("making {}", logs.display()))?;
    sections_in_a_process(&data.join("tenant.json"), &sections)?;
    let (mut fresh, mut touched) = (vec![], vec![]);
    for _ in 0..PROCESS_RUNS {
        reads.push(run(bin, data, &["clock", "show"], logs)?);
        fresh.push(decode_in_a_fresh_process(&sections)?);
        // Before the copy, whose page cache takes up the memory the touch let go of (taken
        // right before the year, it would hand the year memory just used).
        touched.push(touch_in_a_fresh_process()?);
        copy_dir(data, work)?;
        years.push(run(bin, work, &["clock", "advance", "365d"], logs)?);
        compacted.push(until_compacted(work)?);
        after.push(run(bin, work, &["clock", "show"], logs)?);
    }
    let _ = fs::remove_file(&sections);
    Ok(Processes {
        read: median_run(reads)?,
        bare_decode_fresh: median(&mut fresh),
        year: median_run(years)?,
        year_compacted: median(&mut compacted),
        read_after_year: median_run(after)?,
        fresh_memory: spread(&mut touched),
    })
}

/// How much fresh memory [`touch_fresh`] touches: about what a year at 1M asks for.
pub const FRESH_BYTES: usize = 800 << 20;

/// The variable that starts this benchmark as a fresh process that touches [`FRESH_BYTES`] (see
/// [`touch_fresh`]) and prints how long that took, in nanoseconds, as the decoder does.
const TOUCH_VAR: &str = "ENTITLE_BENCH_TOUCH";

/// [`touch_fresh`] of [`FRESH_BYTES`] in a fresh process, as a command meets its memory. Not in
/// this one: a process's peak memory is passed on to the processes it starts (Linux counts the
/// peak of the memory a child replaces when it starts its program), so every figure's peak
/// after it would read 800 MiB.
fn touch_in_a_fresh_process() -> Result<Duration> {
    timed_role(TOUCH_VAR, std::ffi::OsStr::new("1"), "touching")
}

/// The time to touch `bytes` of memory this process never had, a page at a time: what the
/// machine charges any process for its first use of a page, which moves with the machine's
/// state (a virtual machine that hands the memory its guest frees back to its host).
pub fn touch_fresh(bytes: usize) -> Duration {
    let t0 = Instant::now();
    let mut v: Vec<u8> = Vec::with_capacity(bytes);
    let spare = v.spare_capacity_mut();
    for page in spare.iter_mut().step_by(4096) {
        page.write(1);
    }
    std::hint::black_box(&mut v);
    let took = t0.elapsed();
    drop(v);
    took
}

/// The median, the shortest and the longest of `times` (zeros for none).
fn spread(times: &mut [Duration]) -> (Duration, Duration, Duration) {
    let m = median(times);
    (m, times.first().copied().unwrap_or_default(), times.last().copied().unwrap_or_default())
}

/// Waits until the snapshot in `dir` holds every entry of its journal (the compaction after a
/// heavy entry is written in the background, after the command returned): how long that took.
pub fn until_compacted(dir: &Path) -> Result<Duration> {
    let seq_of =
        |line: &[u8]| -> Option<u64> { serde_json::from_slice::<serde_json::Value>(line).ok()?.get("seq")?.as_u64() };
    let journal = fs::read(dir.join("journal.jsonl")).unwrap_or_default();
    let last = journal.split(|b| *b == b'\n').rfind(|l| !l.is_empty()).and_then(seq_of).unwrap_or(0);
    let t0 = Instant::now();
    loop {
        let snapshot = File::open(dir.join("tenant.json")).and_then(|f| {
            use std::io::BufRead;
            let mut line = Vec::new();
            std::io::BufReader::new(f).read_until(b'\n', &mut line).map(|_| line)
        })?;
        // No compaction at all when the year was light (the demo's): no process left on `dir`.
        if seq_of(snapshot.trim_ascii_end()).is_some_and(|seq| seq >= last) || !entitle_running_on(dir) {
            return Ok(t0.elapsed());
        }
        if t0.elapsed() > Duration::from_secs(600) {
            bail!("the compaction after the year never came in {}", dir.display());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The figures taken in this process: the snapshot's size and parts and its bare parse (of
/// `data`), commits and bare appends (on the work copy, after its year).
pub fn in_process(data: &Path, work: &Path, runs: Processes) -> Result<Figures> {
    let Processes { read, bare_decode_fresh, year, year_compacted, read_after_year, fresh_memory } = runs;
    let snapshot = data.join("tenant.json");
    let bytes = fs::read(&snapshot).with_context(|| format!("reading {}", snapshot.display()))?;
    let snapshot_bytes = u64::try_from(bytes.len())?;
    let parts = parts(&bytes);
    let history_bytes = dir_bytes(&data.join("history"))?;
    let bare_parse = bare_parse(&bytes)?;
    let bare_decode = bare_decode(&bytes)?;
    drop(bytes);
    let cache_bytes = fs::metadata(data.join("tenant.cache")).map(|m| m.len()).unwrap_or(0);
    let (commit_median, commit_line_bytes) = commits(work)?;
    let waits = super::waits::commit_waits(work)?;
    let bare_append_median = bare_appends(work, commit_line_bytes)?;
    Ok(Figures {
        snapshot_bytes,
        history_bytes,
        parts,
        bare_parse,
        cache_bytes,
        bare_decode,
        bare_decode_fresh,
        read,
        year,
        year_compacted,
        read_after_year,
        fresh_memory,
        commit_median,
        commit_during_compaction: waits.during_compaction,
        compacting_commit: (waits.compacting_commit, waits.compacting_rss_kib, waits.compacting_huge_kib),
        commit_during_open: waits.during_open,
        commit_line_bytes,
        bare_append_median,
    })
}

/// The bytes of the files under `dir`, all the way down (0 if it is not there).
pub fn dir_bytes(dir: &Path) -> Result<u64> {
    let Ok(entries) = fs::read_dir(dir) else { return Ok(0) };
    let mut total = 0u64;
    for entry in entries {
        let entry = entry?;
        let meta = entry.metadata()?;
        total = total.saturating_add(if meta.is_dir() { dir_bytes(&entry.path())? } else { meta.len() });
    }
    Ok(total)
}

/// The bytes of each part of the state in a snapshot: the state's keys are the only lines
/// indented by exactly two spaces (a JSON string holds no raw newline).
pub fn parts(bytes: &[u8]) -> Vec<(String, u64)> {
    let marker = b"\n  \"";
    let mut starts: Vec<(String, usize)> = vec![];
    let mut i = 0;
    while let Some(at) = bytes.get(i..).and_then(|rest| rest.windows(marker.len()).position(|w| w == marker)) {
        let key_start = i + at + marker.len();
        let key_len = bytes.get(key_start..).and_then(|r| r.iter().position(|b| *b == b'"')).unwrap_or(0);
        let key = String::from_utf8_lossy(bytes.get(key_start..key_start + key_len).unwrap_or_default());
        starts.push((key.into_owned(), i + at));
        i = key_start + key_len;
    }
    let ends: Vec<usize> = starts.iter().skip(1).map(|(_, s)| *s).chain([bytes.len()]).collect();
    let mut out: Vec<(String, u64)> =
        starts.into_iter().zip(ends).map(|((k, s), e)| (k, u64::try_from(e.saturating_sub(s)).unwrap_or(0))).collect();
    out.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    out
}

/// The snapshot's state (after its header line) parsed into the `Tenant` type, nothing else
/// (no header check, no indexes, no journal, no history).
pub fn bare_parse(bytes: &[u8]) -> Result<Duration> {
    let state = bytes.iter().position(|b| *b == b'\n').and_then(|i| bytes.get(i + 1..)).unwrap_or_default();
    let t0 = Instant::now();
    let parsed: Tenant = serde_json::from_slice(state).context("bare parse of the snapshot")?;
    let took = t0.elapsed();
    drop(parsed);
    Ok(took)
}

/// The state's cache sections (as `tenant.cache` holds them) decoded into the `Tenant` type
/// with its indexes, nothing else; the sections are made from the snapshot first, untimed.
pub fn bare_decode(bytes: &[u8]) -> Result<Duration> {
    let state = bytes.iter().position(|b| *b == b'\n').and_then(|i| bytes.get(i + 1..)).unwrap_or_default();
    let parsed: Tenant = entitle::domain::decode::decode(state).context("parse of the snapshot")?;
    let sections = entitle::domain::binary::encode(&parsed).context("the cache's sections")?;
    drop(parsed);
    let t0 = Instant::now();
    let decoded = entitle::domain::binary::decode(sections.iter().map(Vec::as_slice).collect())
        .map_err(|e| anyhow!("bare decode of the cache: {e}"))?;
    let took = t0.elapsed();
    drop(decoded);
    Ok(took)
}

/// The variable that starts this benchmark as a fresh process that decodes the cache sections
/// in the file it names and prints how long that took, in nanoseconds (or, with
/// [`SECTIONS_FROM_VAR`], writes that file first and ends).
const DECODE_VAR: &str = "ENTITLE_BENCH_DECODE";

/// The snapshot a process started with [`DECODE_VAR`] makes the sections from: parsed, then
/// encoded as `tenant.cache` holds them.
const SECTIONS_FROM_VAR: &str = "ENTITLE_BENCH_SECTIONS_FROM";

/// How the decoding process starts the line that says how long it took.
const DECODED: &str = "decoded in ";

/// Writes the cache sections of the snapshot `from` to `file`, in a process of its own (this
/// one stays small: see [`table`]).
fn sections_in_a_process(from: &Path, file: &Path) -> Result<()> {
    let me = std::env::current_exe().context("the benchmark's own path")?;
    let out = Process::new(me)
        .args(super::waits::role_args())
        .env(DECODE_VAR, file)
        .env(SECTIONS_FROM_VAR, from)
        .output()
        .context("starting the process that makes the sections")?;
    if !out.status.success() || !file.exists() {
        bail!("the sections were not made: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

fn decode_in_a_fresh_process(file: &Path) -> Result<Duration> {
    timed_role(DECODE_VAR, file.as_os_str(), "decoding")
}

/// This benchmark started again as a process of its own in the role `var` names (given
/// `value`), which says how long its work took: that time.
fn timed_role(var: &str, value: &std::ffi::OsStr, what: &str) -> Result<Duration> {
    let me = std::env::current_exe().context("the benchmark's own path")?;
    let out = Process::new(me)
        .args(super::waits::role_args())
        .env(var, value)
        .output()
        .with_context(|| format!("starting the {what} process"))?;
    if !out.status.success() {
        bail!("the {what} process failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let said = String::from_utf8_lossy(&out.stdout);
    let nanos = said
        .lines()
        .find_map(|l| l.strip_prefix(DECODED)?.strip_suffix(" ns")?.parse::<u64>().ok())
        .ok_or_else(|| anyhow!("the {what} process did not say how long it took: {said}"))?;
    Ok(Duration::from_nanos(nanos))
}

/// Runs as the fresh decoding process (see [`DECODE_VAR`]) or the touching one ([`TOUCH_VAR`])
/// if started as one: then returns true (the caller ends). The allocator is set up as the
/// `entitle` binary sets it up.
pub fn decode_role() -> Result<bool> {
    if std::env::var_os(TOUCH_VAR).is_some() {
        println!("{DECODED}{} ns", touch_fresh(FRESH_BYTES).as_nanos());
        return Ok(true);
    }
    let Some(file) = std::env::var_os(DECODE_VAR) else { return Ok(false) };
    if let Some(from) = std::env::var_os(SECTIONS_FROM_VAR) {
        let bytes = fs::read(&from).with_context(|| format!("reading {}", PathBuf::from(&from).display()))?;
        let state = bytes.iter().position(|b| *b == b'\n').and_then(|i| bytes.get(i + 1..)).unwrap_or_default();
        let parsed: Tenant = entitle::domain::decode::decode(state).context("parse of the snapshot")?;
        let mut all = Vec::new();
        for s in entitle::domain::binary::encode(&parsed).context("the cache's sections")? {
            all.extend_from_slice(&u64::try_from(s.len())?.to_le_bytes());
            all.extend_from_slice(&s);
        }
        fs::write(&file, &all).with_context(|| format!("writing {}", PathBuf::from(&file).display()))?;
        return Ok(true);
    }
    let all = fs::read(&file).with_context(|| format!("reading {}", PathBuf::from(&file).display()))?;
    let mut sections: Vec<&[u8]> = vec![];
    let mut rest = all.as_slice();
    while let Some((len, tail)) = rest.split_first_chunk::<8>() {
        let len = usize::try_from(u64::from_le_bytes(*len))?;
        let (section, tail) = tail.split_at_checked(len).ok_or_else(|| anyhow!("a section cut short"))?;
        sections.push(section);
        rest = tail;
    }
    let t0 = Instant::now();
    let decoded = entitle::domain::binary::decode(sections).map_err(|e| anyhow!("bare decode of the cache: {e}"))?;
    let took = t0.elapsed();
    std::mem::forget(decoded);
    println!("{DECODED}{} ns", took.as_nanos());
    Ok(true)
}

/// Whether an `entitle` process runs on `dir` (a compaction forked by a command that has
/// returned keeps the command's arguments), as `/proc` shows.
fn entitle_running_on(dir: &Path) -> bool {
    let Ok(entries) = fs::read_dir("/proc") else { return false };
    let wanted = dir.as_os_str().as_encoded_bytes();
    entries.flatten().any(|e| {
        let Ok(cmdline) = fs::read(e.path().join("cmdline")) else { return false };
        let mut args = cmdline.split(|b| *b == 0);
        let is_entitle = args.next().is_some_and(|a| a.ends_with(b"entitle"));
        is_entitle && args.any(|a| a == wanted)
    })
}

/// Run `entitle --data DIR ARGS...` as a whole process, its errors to `logs/`.
pub fn run(bin: &Path, data: &Path, args: &[&str], logs: &Path) -> Result<Run> {
    run_to(bin, data, args, logs, None)
}

/// [`run`], keeping its standard output in `out`.
pub fn run_to(bin: &Path, data: &Path, args: &[&str], logs: &Path, out: Option<&Path>) -> Result<Run> {
    fs::create_dir_all(logs)?;
    let log = logs.join("entitle.stderr");
    let stdout = match out {
        Some(path) => Stdio::from(File::create(path)?),
        None => Stdio::null(),
    };
    let mut cmd = Process::new(bin);
    cmd.arg("--data").arg(data).args(args).stdin(Stdio::null()).stdout(stdout).stderr(File::create(&log)?);
    let t0 = Instant::now();
    let child = cmd.spawn().with_context(|| format!("starting {}", bin.display()))?;
    let pid = libc::pid_t::try_from(child.id())?;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data that wait4 fills in; all-zero is a valid value of it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not yet waited for (std's `Child` is dropped unwaited,
    // which does nothing); both pointers are to live locals.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let time = t0.elapsed();
    if waited != pid {
        bail!("waiting for entitle {args:?}: {}", std::io::Error::last_os_error());
    }
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        let err = fs::read_to_string(&log).unwrap_or_default();
        bail!("entitle {} failed (status {status}): {err}", args.join(" "));
    }
    let tv = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
            .saturating_add(Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0)))
    };
    let cpu = tv(usage.ru_utime).saturating_add(tv(usage.ru_stime));
    let sys = tv(usage.ru_stime);
    Ok(Run { time, cpu, sys, peak_kib: u64::try_from(usage.ru_maxrss).unwrap_or(0), range: None })
}

/// `COMMITS` commits through the store API (each with its fsync), as a user marking their
/// mailbox read: the median time and the mean journal line length.
fn commits(dir: &Path) -> Result<(Duration, u64)> {
    let mut store = Store::<Tenant>::open(dir)?.ok_or_else(|| anyhow!("no tenant in {}", dir.display()))?;
    let user = committer(store.state())?;
    let before = journal_len(dir)?;
    let mut times = Vec::with_capacity(COMMITS);
    for _ in 0..COMMITS {
        let t0 = Instant::now();
        store
            .commit(|t| Entry { at: t.now(), actor: user.clone(), command: Command::MarkRead { notification: None } })
            .map_err(|e| anyhow!("commit: {e}"))?;
        times.push(t0.elapsed());
    }
    let written = journal_len(dir)?.saturating_sub(before);
    Ok((median(&mut times), written / u64::try_from(COMMITS)?))
}

/// A plain user to make the measured commits as (marking their mailbox read).
pub fn committer(t: &Tenant) -> Result<Actor> {
    t.users
        .values()
        .rev()
        .find(|u| u.enabled && !u.global_admin && u.deleted_at.is_none())
        .map(|u| Actor::user(u.id))
        .ok_or_else(|| anyhow!("no user to commit as"))
}

fn journal_len(dir: &Path) -> Result<u64> {
    match fs::metadata(dir.join("journal.jsonl")) {
        Ok(m) => Ok(m.len()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(e.into()),
    }
}

/// `COMMITS` appends of a line of `len` bytes, each followed by `sync_data` (as the journal
/// does), in the same directory: the median.
fn bare_appends(dir: &Path, len: u64) -> Result<Duration> {
    let path = dir.join("bare-append.jsonl");
    let mut file = OpenOptions::new().create(true).append(true).open(&path)?;
    let mut line = vec![b'x'; usize::try_from(len.max(1))?];
    if let Some(last) = line.last_mut() {
        *last = b'\n';
    }
    let mut times = Vec::with_capacity(COMMITS);
    for _ in 0..COMMITS {
        let t0 = Instant::now();
        file.write_all(&line)?;
        file.sync_data()?;
        times.push(t0.elapsed());
    }
    drop(file);
    fs::remove_file(&path)?;
    Ok(median(&mut times))
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort_unstable();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

/// A fresh copy of a data directory (the work copy the changing figures run on), history
/// included: the snapshot, the cache and the journal copied; in each history stream, its open
/// segment (the newest) copied and its closed segments and key files hard-linked to the
/// cache's, since nothing writes a closed segment again (a compaction of the history removes
/// them, which takes only the work copy's link). Copying the 2.6 GB of closed segments on each
/// run would leave the year's fresh memory to a machine whose free memory the copy's page
/// cache had just taken (a year after such a copy took 7 to 9 s here, 5.6 to 7.2 s of it system
/// time, against 2.1 to 2.3 s without it).
fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    if to.exists() {
        fs::remove_dir_all(to)?;
    }
    fs::create_dir_all(to)?;
    let mut open_segment: Option<std::ffi::OsString> = None;
    let mut entries = vec![];
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if entry.file_type()?.is_file()
            && name.to_string_lossy().ends_with(".jsonl")
            && open_segment.as_ref().is_none_or(|o| name > *o)
        {
            open_segment = Some(name.clone());
        }
        entries.push(entry);
    }
    let top = from.join("history").exists();
    for entry in entries {
        let (path, name) = (entry.path(), entry.file_name());
        let dest: PathBuf = to.join(&name);
        if entry.file_type()?.is_dir() {
            copy_dir(&path, &dest)?;
        } else if top || open_segment.as_ref() == Some(&name) {
            fs::copy(&path, dest)?;
        } else if fs::hard_link(&path, &dest).is_err() {
            fs::copy(&path, &dest)?;
        }
    }
    Ok(())
}
