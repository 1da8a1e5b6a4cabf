//! Crash safety and schema upgrades.

use crate::store_toy as toy;

use std::fs;
use std::io::Write;
use std::path::Path;

use entitle::store::Store;
use toy::{Toy, add, contents, journal_lines, put};

fn append(path: &Path, bytes: &[u8]) {
    let mut file = fs::OpenOptions::new().append(true).open(path).unwrap();
    file.write_all(bytes).unwrap();
}

fn seqs(dir: &Path) -> Vec<u64> {
    journal_lines(dir)
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["seq"].as_u64().unwrap()
        })
        .collect()
}

#[test]
fn a_torn_last_line_is_ignored_then_cut_by_the_next_commit() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let mut store = Store::create(&dir, Toy::default()).unwrap();
    for _ in 0..3 {
        store.commit(add(1)).unwrap();
    }
    let journal = dir.join("journal.jsonl");
    append(&journal, b"{\"seq\":4,\"entry\":{\"at\":17,\"act");
    let torn = contents(&dir);

    // Loading ignores it and changes nothing.
    let mut reopened = Store::<Toy>::open(&dir).unwrap().unwrap();
    assert_eq!((reopened.seq(), reopened.state().counter), (3, 3));
    assert_eq!(contents(&dir), torn);

    // A store that was open before the crash sees nothing new.
    assert!(!store.refresh().unwrap());
    assert_eq!(contents(&dir), torn);

    // The next commit, from either, cuts the torn bytes before appending.
    reopened.commit(add(10)).unwrap();
    assert_eq!(seqs(&dir), vec![1, 2, 3, 4]);
    assert!(fs::read(&journal).unwrap().ends_with(b"}\n"));
    assert!(store.refresh().unwrap());
    assert_eq!(store.state().counter, 13);
    store.commit(add(100)).unwrap();
    assert_eq!(seqs(&dir), vec![1, 2, 3, 4, 5]);
    let last = Store::<Toy>::open(&dir).unwrap().unwrap();
    assert_eq!((last.seq(), last.state().counter), (5, 113));
}

#[test]
fn a_torn_line_that_is_the_whole_journal() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    Store::create(&dir, Toy::default()).unwrap();
    fs::write(dir.join("journal.jsonl"), b"{\"seq\":1,\"ent").unwrap();
    let mut store = Store::<Toy>::open(&dir).unwrap().unwrap();
    assert_eq!(store.seq(), 0);
    store.commit(add(2)).unwrap();
    assert_eq!(seqs(&dir), vec![1]);
}

/// A crash after the new snapshot was renamed into place but before the journal was
/// emptied: the journal's lines are all in the snapshot and must not be applied twice.
#[test]
fn a_journal_left_behind_by_compaction_is_not_applied_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let mut store = Store::create(&dir, Toy::default()).unwrap();
    for i in 0..5 {
        store.commit(add(1)).unwrap();
        store.commit(put(&format!("k{i}"), i)).unwrap();
    }
    let journal = fs::read(dir.join("journal.jsonl")).unwrap();
    store.compact().unwrap();
    fs::write(dir.join("journal.jsonl"), &journal).unwrap();

    let mut reopened = Store::<Toy>::open(&dir).unwrap().unwrap();
    assert_eq!(reopened.seq(), 10);
    assert_eq!(reopened.state().data(), store.state().data());
    assert_eq!(reopened.state().counter, 5);

    // The store that compacted notices the journal changed and gets the same answer.
    store.refresh().unwrap();
    assert_eq!((store.seq(), store.state().counter), (10, 5));

    // Committing goes on after the old lines; the next load skips them again.
    reopened.commit(add(1)).unwrap();
    assert_eq!(*seqs(&dir).last().unwrap(), 11);
    let last = Store::<Toy>::open(&dir).unwrap().unwrap();
    assert_eq!((last.seq(), last.state().counter), (11, 6));
}

/// Journal lines that all predate the snapshot and stop short of it: skipped on load, and
/// emptied by the next commit, which would otherwise leave a gap.
#[test]
fn a_journal_that_stops_short_of_the_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let mut store = Store::create(&dir, Toy::default()).unwrap();
    for _ in 0..3 {
        store.commit(add(1)).unwrap();
    }
    let short = fs::read(dir.join("journal.jsonl")).unwrap();
    store.commit(add(1)).unwrap();
    store.commit(add(1)).unwrap();
    store.compact().unwrap();
    fs::write(dir.join("journal.jsonl"), &short).unwrap();

    let mut reopened = Store::<Toy>::open(&dir).unwrap().unwrap();
    assert_eq!((reopened.seq(), reopened.state().counter), (5, 5));
    reopened.commit(add(1)).unwrap();
    assert_eq!(seqs(&dir), vec![6]);
    let last = Store::<Toy>::open(&dir).unwrap().unwrap();
    assert_eq!((last.seq(), last.state().counter), (6, 6));
}

#[test]
fn a_leftover_temporary_snapshot_is_ignored_and_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let mut store = Store::create(&dir, Toy::default()).unwrap();
    store.commit(add(4)).unwrap();
    fs::write(dir.join("tenant.json.tmp"), b"{ half a snapsh").unwrap();
    let reopened = Store::<Toy>::open(&dir).unwrap().unwrap();
    assert_eq!(reopened.state().counter, 4);
    store.compact().unwrap();
    assert!(!dir.join("tenant.json.tmp").exists());
    assert_eq!(Store::<Toy>::open(&dir).unwrap().unwrap().state().counter, 4);
}

fn write_v1(dir: &Path, count: i64, seq: u64) -> Vec<u8> {
    fs::create_dir_all(dir).unwrap();
    let text = format!(
        "{{\n  \"kind\": \"toy-tenant\",\n  \"schema_version\": 1,\n  \"seq\": {seq},\n  \
         \"state\": {{\n    \"count\": {count}\n  }}\n}}\n"
    );
    fs::write(dir.join("tenant.json"), &text).unwrap();
    text.into_bytes()
}

#[test]
fn an_older_snapshot_is_migrated_on_load_and_written_by_the_next_commit() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let v1 = write_v1(&dir, 40, 7);
    let line = |seq: u64, n: i64| {
        let entry = add(n)(&Toy::default());
        serde_json::json!({ "seq": seq, "entry": entry }).to_string() + "\n"
    };
    fs::write(dir.join("journal.jsonl"), line(8, 1) + &line(9, 1)).unwrap();
    let before = contents(&dir);

    let mut store = Store::<Toy>::open(&dir).unwrap().unwrap();
    assert_eq!(store.migrated_from(), Some(1));
    assert_eq!((store.seq(), store.state().counter), (9, 42));
    assert_eq!(store.state().loads, 1, "after_load ran after the migration");
    assert_eq!(contents(&dir), before, "loading does not write");

    store.commit(add(1)).unwrap();
    assert_eq!(store.migrated_from(), None);
    assert_eq!(fs::read(dir.join("tenant.json.bak-1")).unwrap(), v1);
    let text = fs::read_to_string(dir.join("tenant.json")).unwrap();
    let (head, body) = text.split_once('\n').unwrap();
    let json: serde_json::Value = serde_json::from_str(head).unwrap();
    let state: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(json["schema_version"], 2);
    assert_eq!(json["seq"], 9);
    assert_eq!(state["counter"], 42);
    // The journal keeps the lines since the snapshot before (seq 7), then the new one.
    assert_eq!(seqs(&dir), vec![8, 9, 10]);

    let reopened = Store::<Toy>::open(&dir).unwrap().unwrap();
    assert_eq!(reopened.migrated_from(), None);
    assert_eq!((reopened.seq(), reopened.state().counter), (10, 43));
}

#[test]
fn an_explicit_compaction_also_writes_the_upgrade() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let v1 = write_v1(&dir, 5, 0);
    let mut store = Store::<Toy>::open(&dir).unwrap().unwrap();
    store.compact().unwrap();
    assert_eq!(fs::read(dir.join("tenant.json.bak-1")).unwrap(), v1);
    let reopened = Store::<Toy>::open(&dir).unwrap().unwrap();
    assert_eq!((reopened.migrated_from(), reopened.state().counter), (None, 5));
}

/// A small xorshift generator: random enough kill points, the same on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Starts this test binary again, running only `test` with `env` set.
fn child(test: &str, env: (&str, &Path)) -> std::process::Child {
    std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", &crate::harness_name(module_path!(), test), "--nocapture", "--test-threads=1"])
        .env(env.0, env.1)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

/// The child half of [`killed_at_random_points_no_acknowledged_commit_is_lost`]: does nothing
/// unless `STORE_CRASH_CHILD` names a store. Commits `put("k<n>", n)` in a loop, compacting
/// often, and prints each `n` once its commit is acknowledged.
#[test]
fn crash_child_commits_in_a_loop() {
    let Some(dir) = std::env::var_os("STORE_CRASH_CHILD") else {
        return;
    };
    let mut store = Store::<Toy>::open(&dir).unwrap().unwrap();
    store.set_compaction(entitle::store::Compaction { max_entries: 7, max_bytes: u64::MAX });
    let mut out = std::io::stdout().lock();
    loop {
        let n = store.seq() + 1;
        store.commit(put(&format!("k{n}"), n as i64)).unwrap();
        writeln!(out, "{n}").unwrap();
        out.flush().unwrap();
    }
}

/// A child process commits in a loop and is killed (SIGKILL) at a random point, 120 times
/// (or `STORE_CRASH_KILLS`);
/// after each kill the store opens and holds every command the child had acknowledged.
#[test]
fn killed_at_random_points_no_acknowledged_commit_is_lost() {
    use std::io::Read;

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    Store::create(&dir, Toy::default()).unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut acknowledged: Vec<u64> = Vec::new();
    // STORE_CRASH_KILLS runs more, by hand.
    let kills = std::env::var("STORE_CRASH_KILLS").ok().and_then(|k| k.parse().ok()).unwrap_or(120);
    for _ in 0..kills {
        let mut c = child("crash_child_commits_in_a_loop", ("STORE_CRASH_CHILD", &dir));
        // The kill falls at a random point after the child's first acknowledged commit, so that
        // every round kills a committing process however slowly the machine starts it.
        let mut stdout = std::io::BufReader::new(c.stdout.take().unwrap());
        let mut out = String::new();
        std::io::BufRead::read_line(&mut stdout, &mut out).unwrap();
        std::thread::sleep(std::time::Duration::from_micros(rng.below(25_000)));
        c.kill().unwrap();
        c.wait().unwrap();
        stdout.read_to_string(&mut out).unwrap();
        // Only whole lines count: a number cut by the kill was not fully printed.
        let whole = out.rsplit_once('\n').map_or("", |(w, _)| w);
        acknowledged.extend(whole.lines().filter_map(|l| l.trim().parse::<u64>().ok()));

        let store = Store::<Toy>::open(&dir).unwrap().unwrap();
        let lost: Vec<u64> = acknowledged
            .iter()
            .copied()
            .filter(|n| store.state().items.get(&format!("k{n}")) != Some(&(*n as i64)))
            .collect();
        assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
        assert!(store.seq() >= acknowledged.last().copied().unwrap_or(0));
    }
    eprintln!("{kills} kills, {} acknowledged commits, none lost", acknowledged.len());
    assert!(acknowledged.len() >= kills, "every round acknowledged a commit: {}", acknowledged.len());
}

/// The child half of [`an_interrupted_init_leaves_the_old_data_or_the_new`]: does nothing
/// unless `STORE_INIT_CHILD` names a directory. Resets it over and over, alternating two states.
#[test]
fn crash_child_resets_in_a_loop() {
    let Some(dir) = std::env::var_os("STORE_INIT_CHILD") else {
        return;
    };
    for n in 0.. {
        let toy = Toy { counter: if n % 2 == 0 { 100 } else { 200 }, ..Toy::default() };
        Store::create_replacing(&dir, toy).unwrap();
    }
}

/// Resets killed at random points: every time, the directory opens and holds one of the two
/// states, never nothing (which would make entitle install the demo over the data).
#[test]
fn an_interrupted_init_leaves_the_old_data_or_the_new() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let mut store = Store::create(&dir, Toy { counter: 100, ..Toy::default() }).unwrap();
    store.commit(add(0)).unwrap();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for kill in 0..60 {
        let mut c = child("crash_child_resets_in_a_loop", ("STORE_INIT_CHILD", &dir));
        std::thread::sleep(std::time::Duration::from_micros(2_000 + rng.below(15_000)));
        c.kill().unwrap();
        c.wait().unwrap();
        let store = Store::<Toy>::open(&dir).unwrap().unwrap_or_else(|| panic!("kill {kill}: no data left"));
        assert!([100, 200].contains(&store.state().counter), "kill {kill}: {}", store.state().counter);
        // Keep the backups from piling up.
        for e in fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.to_string_lossy().contains(".bak-") {
                fs::remove_file(p).unwrap();
            }
        }
    }
}
