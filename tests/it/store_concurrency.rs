//! Several stores on one directory: no lost update, and refresh sees the others' work.

use crate::store_toy as toy;

use std::collections::BTreeMap;
use std::path::Path;
use std::thread;

use entitle::store::{CommitError, Compaction, Store};
use proptest::prelude::*;
// A fixed seed: a failure can be had again, and CI never fails by the draw.
use proptest::test_runner::RngSeed;
use toy::{Cmd, Entry, Toy, ToyError, add, put, take};

fn two(dir: &Path) -> (Store<Toy>, Store<Toy>) {
    let a = Store::create(dir, Toy::default()).unwrap();
    let b = Store::open(dir).unwrap().unwrap();
    (a, b)
}

fn small(max_entries: u64) -> Compaction {
    Compaction { max_entries, max_bytes: u64::MAX }
}

#[test]
fn each_commit_catches_up_with_the_other_store_first() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut a, mut b) = two(tmp.path());
    a.commit(add(1)).unwrap();
    let seen = b
        .commit(|s| {
            assert_eq!(s.counter, 1, "b builds its entry on a's commit");
            add(10)(s)
        })
        .unwrap();
    assert_eq!(seen, 11);
    assert_eq!(a.commit(add(100)).unwrap(), 111);

    a.commit(put("x", 5)).unwrap();
    assert_eq!(b.commit(take("x")).unwrap(), 5);
    match a.commit(take("x")) {
        Err(CommitError::Refused(e)) => assert_eq!(e, ToyError::Missing("x".into())),
        other => panic!("a took x twice: {other:?}"),
    }
    assert!(a.state().items.is_empty(), "a caught up even though refused");

    let c = Store::<Toy>::open(tmp.path()).unwrap().unwrap();
    assert_eq!((c.seq(), c.state().counter), (5, 111));
    assert!(c.state().items.is_empty());
}

#[test]
fn refresh_is_false_until_the_other_commits() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut a, mut b) = two(tmp.path());
    assert!(!b.refresh().unwrap());
    a.commit(put("k", 1)).unwrap();
    assert!(b.refresh().unwrap());
    assert_eq!(b.state().data(), a.state().data());
    assert_eq!(b.state().total, 1);
    assert!(!b.refresh().unwrap());
    assert!(!a.refresh().unwrap(), "its own commits are not news");

    b.commit(add(1)).unwrap();
    a.compact().unwrap();
    b.refresh().unwrap();
    assert_eq!((b.seq(), b.snapshot_seq()), (2, 2));
    assert_eq!(b.state().data(), a.state().data());
    assert!(!b.refresh().unwrap());
}

#[test]
fn refresh_follows_compactions_and_a_regrown_journal() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut a, mut b) = two(tmp.path());
    a.set_compaction(small(20));
    for i in 0..10 {
        a.commit(put(&format!("k{i}"), i)).unwrap();
    }
    assert!(b.refresh().unwrap());
    assert_eq!(b.seq(), 10);
    // a compacts twice and its journal grows well past where b stopped reading.
    for i in 0..50 {
        a.commit(add(i)).unwrap();
    }
    assert!(a.snapshot_seq() > 10 && a.journal_lines() > 10);
    assert!(b.refresh().unwrap());
    assert_eq!(b.seq(), 60);
    assert_eq!(b.state().data(), a.state().data());
    assert_eq!(b.state().total, a.state().total);
}

#[test]
fn two_threads_with_their_own_store_lose_no_increment() {
    let tmp = tempfile::tempdir().unwrap();
    Store::create(tmp.path(), Toy::default()).unwrap();
    let workers: Vec<_> = [None, Some(small(37))]
        .into_iter()
        .map(|compaction| {
            let dir = tmp.path().to_owned();
            thread::spawn(move || {
                let mut store = Store::<Toy>::open(&dir).unwrap().unwrap();
                if let Some(c) = compaction {
                    store.set_compaction(c);
                }
                (0..200).map(|_| store.commit(add(1)).unwrap()).collect::<Vec<i64>>()
            })
        })
        .collect();
    // Meanwhile a reader refreshes and must only ever see whole states.
    let mut reader = Store::<Toy>::open(tmp.path()).unwrap().unwrap();
    let mut last = 0;
    while workers.iter().any(|w| !w.is_finished()) {
        reader.refresh().unwrap();
        assert_eq!(reader.state().counter as u64, reader.seq());
        assert!(reader.seq() >= last);
        last = reader.seq();
    }
    let mut seen: Vec<i64> = workers.into_iter().flat_map(|w| w.join().unwrap()).collect();
    seen.sort();
    assert_eq!(seen, (1..=400).collect::<Vec<i64>>(), "each commit saw all before it");

    let end = Store::<Toy>::open(tmp.path()).unwrap().unwrap();
    assert_eq!((end.seq(), end.state().counter), (400, 400));
    reader.refresh().unwrap();
    assert_eq!(reader.state().counter, 400);
}

/// Two real processes: this test binary runs itself twice as a worker.
#[test]
fn two_processes_lose_no_increment() {
    const CHILD: &str = "ENTITLE_STORE_TEST_CHILD_DIR";
    if let Some(dir) = std::env::var_os(CHILD) {
        let mut store = Store::<Toy>::open(&dir).unwrap().unwrap();
        store.set_compaction(small(50));
        for _ in 0..200 {
            store.commit(add(1)).unwrap();
        }
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    Store::create(tmp.path(), Toy::default()).unwrap();
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..2)
        .map(|_| {
            std::process::Command::new(&exe)
                .args([
                    "--exact",
                    &crate::harness_name(module_path!(), "two_processes_lose_no_increment"),
                    "--test-threads=1",
                ])
                .env(CHILD, tmp.path())
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let end = Store::<Toy>::open(tmp.path()).unwrap().unwrap();
    assert_eq!((end.seq(), end.state().counter), (400, 400));
}

/// Refresh with nothing new must not even take the lock (let alone read): it returns at
/// once while another handle holds the lock exclusively.
#[test]
fn refresh_with_nothing_new_does_not_wait_for_the_lock() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut a, mut b) = two(tmp.path());
    a.commit(add(1)).unwrap();
    b.refresh().unwrap();
    let lock = std::fs::File::open(tmp.path().join("entitle.lock")).unwrap();
    lock.lock().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let waiter = thread::spawn(move || {
        let changed = b.refresh().unwrap();
        tx.send(changed).unwrap();
    });
    let answer = rx.recv_timeout(std::time::Duration::from_secs(5));
    lock.unlock().unwrap();
    waiter.join().unwrap();
    assert_eq!(answer, Ok(false));
}

#[derive(Debug, Clone)]
enum Op {
    Commit(usize, Cmd),
    Refresh(usize),
    Compact(usize),
    Reopen(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let key = prop::sample::select(vec!["a", "b", "c"]).prop_map(str::to_owned);
    let cmd = prop_oneof![
        (-5i64..5).prop_map(Cmd::Add),
        (key.clone(), 0i64..9).prop_map(|(key, value)| Cmd::Put { key, value }),
        key.prop_map(|key| Cmd::Take { key }),
    ];
    let who = 0usize..2;
    prop_oneof![
        6 => (who.clone(), cmd).prop_map(|(w, c)| Op::Commit(w, c)),
        2 => who.clone().prop_map(Op::Refresh),
        1 => who.clone().prop_map(Op::Compact),
        1 => who.prop_map(Op::Reopen),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, rng_seed: RngSeed::Fixed(0x0051_07e5), ..ProptestConfig::default() })]

    /// Two stores doing random work on one directory agree with a plain in-memory model.
    #[test]
    fn two_stores_agree_with_a_model(ops in prop::collection::vec(op(), 1..40)) {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = two(tmp.path());
        let mut stores = [a, b];
        for s in &mut stores {
            s.set_compaction(small(5));
        }
        let mut model = Toy::default();
        let mut seq = 0;
        for op in ops {
            match op {
                Op::Commit(w, cmd) => {
                    let entry = Entry { at: seq, actor: format!("p{w}"), cmd };
                    let expected = persist_apply(&mut model, &entry);
                    let got = stores[w].commit(|_| entry);
                    match (got, expected) {
                        (Ok(out), Ok(want)) => { prop_assert_eq!(out, want); seq += 1; }
                        (Err(CommitError::Refused(e)), Err(want)) => prop_assert_eq!(e, want),
                        (got, want) => prop_assert!(false, "{:?} vs {:?}", got, want),
                    }
                    prop_assert_eq!(stores[w].seq(), seq);
                    prop_assert_eq!(stores[w].state().data(), model.data());
                }
                Op::Refresh(w) => {
                    stores[w].refresh().unwrap();
                    prop_assert_eq!(stores[w].state().data(), model.data());
                }
                Op::Compact(w) => stores[w].compact().unwrap(),
                Op::Reopen(w) => {
                    stores[w] = Store::open(tmp.path()).unwrap().unwrap();
                    stores[w].set_compaction(small(5));
                    prop_assert_eq!(stores[w].state().data(), model.data());
                }
            }
        }
        for s in &mut stores {
            s.refresh().unwrap();
            prop_assert_eq!(s.seq(), seq);
            prop_assert_eq!(s.state().data(), model.data());
            prop_assert_eq!(s.state().total, model.items.values().sum::<i64>());
        }
        let items: BTreeMap<String, i64> = model.items.clone();
        prop_assert_eq!(Store::<Toy>::open(tmp.path()).unwrap().unwrap().state().items.clone(), items);
    }
}

fn persist_apply(model: &mut Toy, entry: &Entry) -> Result<i64, ToyError> {
    entitle::store::Persist::apply(model, entry)
}
