//! A person's requests and decisions a page at a time (`Session::my_requests_listing`,
//! `Session::my_decisions_listing`): the listing counts and orders the rows from the keys of
//! the history alone, and any page of it is the same slice of what reading the whole history
//! gives (`Session::my_requests`, `Session::approval_history`), for every person of the demo
//! tenant and of a small generated one (frozen clocks), also after more requests finish.
//! Segments close at 2 KB here, so that the streams have closed segments, read from their key
//! files (`store::history_keys`), beside the last one, parsed.

use std::path::{Path, PathBuf};

use entitle::domain::finished::FinishedRecord;
use entitle::domain::{Actor, Command, DomainError, Entry, RequestState, Tenant};
use entitle::scale::{self, ScaleParams};
use entitle::session::{PAGE, RunError, Session};
use entitle::store::Store;

fn open(dir: &Path) -> Store<Tenant> {
    Store::<Tenant>::open(dir).expect("opens").expect("holds a tenant")
}

/// Every test of this file closes history segments at 2 KB.
fn small_segments() {
    entitle::store::history::close_segments_at(2 << 10);
}

/// The segments of the finished-request streams of the data directory `dir`, each with whether
/// it has a key file, and whether it is its stream's last.
fn request_segments(dir: &Path) -> Vec<(PathBuf, bool, bool)> {
    let mut out = vec![];
    for stream in std::fs::read_dir(dir.join("history")).expect("the history").flatten() {
        let name = stream.file_name().to_string_lossy().into_owned();
        if !name.starts_with("requests-") {
            continue;
        }
        let mut segs: Vec<PathBuf> = std::fs::read_dir(stream.path())
            .expect("a stream")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect();
        segs.sort();
        let last = segs.len().saturating_sub(1);
        out.extend(
            segs.into_iter().enumerate().map(|(i, p)| (p.clone(), p.with_extension("keys").exists(), i == last)),
        );
    }
    out
}

/// How many closed segments the finished-request streams have, asserting that each has a key file.
fn closed_segments_all_keyed(dir: &Path) -> usize {
    let segs = request_segments(dir);
    for (path, keyed, last) in &segs {
        assert_eq!(*keyed, !*last, "{}: a key file beside each closed segment only", path.display());
    }
    segs.iter().filter(|s| !s.2).count()
}

/// Every page size gives, page after page, the whole list; one page from the middle is its
/// slice; the count is the whole list's.
fn pages_match(s: &Session) -> usize {
    let whole = s.my_requests().expect("reads whole");
    let listing = s.my_requests_listing().expect("lists");
    assert_eq!(listing.len(), whole.len(), "{:?}", s.actor);
    assert_eq!(listing.ids().collect::<Vec<_>>(), whole.iter().map(|r| r.id).collect::<Vec<_>>());
    for size in [1, 3, PAGE] {
        let mut paged = vec![];
        for first in (0..listing.len()).step_by(size) {
            paged.extend(s.requests_page(&listing, first..first + size).expect("a page"));
        }
        assert_eq!(paged, whole, "{:?}, pages of {size}", s.actor);
    }
    let mid = listing.len() / 2;
    assert_eq!(
        s.requests_page(&listing, mid..mid + 5).expect("a page"),
        whole.get(mid..(mid + 5).min(whole.len())).unwrap_or_default()
    );

    // Refused alike (a removed user may read nothing of their own).
    let (decided, listing) = match (s.approval_history(), s.my_decisions_listing()) {
        (Ok(d), Ok(l)) => (d, l),
        (Err(a), Err(b)) => {
            let refused = |e: &RunError| matches!(e, RunError::Refused(DomainError::Forbidden(_)));
            assert!(refused(&a) && refused(&b), "{a:?} {b:?}");
            return whole.len();
        }
        (a, b) => panic!("{:?}: {:?} but {:?}", s.actor, a.map(|v| v.len()), b.map(|l| l.len())),
    };
    assert_eq!(listing.len(), decided.len(), "{:?}", s.actor);
    let mut paged = vec![];
    for first in (0..listing.len()).step_by(2) {
        paged.extend(s.decisions_page(&listing, first..first + 2).expect("a page"));
    }
    assert_eq!(paged, decided, "{:?}", s.actor);
    // A row's page is what a screen reads for it.
    if let Some(last) = s.my_requests_listing().expect("lists").ids().last() {
        let page = s.page_holding(last).expect("reads").expect("a listed row has a page");
        assert!(page.iter().any(|r| r.id == last));
    }
    whole.len() + decided.len()
}

/// For every user of the tenant: the pages match. Returns how many rows were compared.
fn every_user_matches(session: &mut Session) -> usize {
    let users: Vec<_> = session.tenant().users.keys().copied().collect();
    let mut rows = 0;
    for u in users {
        session.actor = Actor::user(u);
        rows += pages_match(session);
    }
    rows
}

/// Each approver of the open requests denies it (finishing it), through the store.
fn deny_open_requests(store: &mut Store<Tenant>) -> usize {
    let pending: Vec<_> = store
        .state()
        .requests
        .values()
        .filter(|r| r.state == RequestState::PendingApproval)
        .filter_map(|r| r.approvers.first().map(|a| (r.id, *a)))
        .collect();
    let mut denied = 0;
    for (request, by) in pending {
        let done = store.commit(|t| Entry {
            at: t.now(),
            actor: Actor::user(by),
            command: Command::Decide { request, approve: false, reason: "Not now".into() },
        });
        denied += usize::from(done.is_ok());
    }
    denied
}

#[test]
fn pages_of_the_demo_tenant_are_slices_of_the_whole_read_also_after_more_finish() {
    small_segments();
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("data");
    let (store, _) =
        Session::init(&dir, true, "admin@example.com", entitle::store::LockWait::default()).expect("the demo");
    let mut session = Session::new(store, Actor::System);
    assert!(every_user_matches(&mut session) > 0, "the demo has requests");

    let before = session.store.state().finished.len();
    assert!(deny_open_requests(&mut session.store) > 0, "the demo has requests waiting");
    assert!(session.store.state().finished.len() > before);
    // The same session: its indexes read on from where they stopped.
    every_user_matches(&mut session);
    assert!(closed_segments_all_keyed(&dir) > 0, "the demo's request streams have closed segments");
    every_finished_request_reads_alone(&session);
}

#[test]
fn pages_of_a_generated_tenant_are_slices_of_the_whole_read_also_after_more_finish() {
    small_segments();
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("data");
    scale::generate(&dir, ScaleParams::for_assignments(300)).expect("generates");
    let mut session = Session::new(open(&dir), Actor::System);
    let rows = every_user_matches(&mut session);
    assert!(rows > PAGE, "more rows than a page: {rows}");

    assert!(deny_open_requests(&mut session.store) > 0, "requests wait at a stage");
    every_user_matches(&mut session);
    // A new session reads the indexes from the start: the same.
    let mut fresh = Session::new(open(&dir), Actor::System);
    every_user_matches(&mut fresh);
    assert!(closed_segments_all_keyed(&dir) > 10, "the generated streams have closed segments");
    every_finished_request_reads_alone(&fresh);

    // After a compaction: the same.
    fresh.store.compact().expect("compacts");
    every_user_matches(&mut fresh);
    closed_segments_all_keyed(&dir);
}

/// Each finished request read alone by its place (`request_record`, and `request` as the
/// administrator) is the record its stream holds, read whole.
fn every_finished_request_reads_alone(s: &Session) {
    let t = s.tenant();
    let ids: Vec<_> = t.finished.keys().copied().collect();
    assert!(!ids.is_empty());
    let mut streams: std::collections::BTreeMap<String, Vec<FinishedRecord>> = Default::default();
    for id in ids {
        let stream = t.finished_stream_for(id).expect("an entry names its stream");
        let whole = streams.entry(stream.clone()).or_insert_with(|| s.store.history(&stream).expect("reads whole"));
        let want = whole.iter().find(|f| f.request.id == id).map(|f| f.request.clone());
        assert!(want.is_some(), "{id} is in {stream}");
        assert_eq!(s.request_record(id).expect("reads"), want, "{id}");
    }
}

#[test]
fn a_history_written_without_key_files_pages_the_same_and_gets_them() {
    small_segments();
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("data");
    scale::generate(&dir, ScaleParams::for_assignments(300)).expect("generates");
    // What the previous layout wrote: the same segments, no key files.
    for (path, keyed, _) in request_segments(&dir) {
        if keyed {
            std::fs::remove_file(path.with_extension("keys")).expect("removes");
        }
    }
    assert!(request_segments(&dir).iter().all(|s| !s.1));
    let mut session = Session::new(open(&dir), Actor::System);
    every_user_matches(&mut session);
    // The readers made the key files of the streams they read.
    assert!(request_segments(&dir).iter().any(|s| s.1), "made by the reads");
    // A compaction makes those still missing.
    for (path, keyed, _) in request_segments(&dir) {
        if keyed {
            std::fs::remove_file(path.with_extension("keys")).expect("removes");
        }
    }
    session.store.compact().expect("compacts");
    assert!(closed_segments_all_keyed(&dir) > 10);
    let mut fresh = Session::new(open(&dir), Actor::System);
    every_user_matches(&mut fresh);
}
