//! A person's requests and decisions a page at a time (`Session::my_requests_listing`,
//! `Session::my_decisions_listing`): the listing counts and orders the rows from the keys of
//! the history alone, and any page of it is the same slice of what reading the whole history
//! gives (`Session::my_requests`, `Session::approval_history`), for every person of the demo
//! tenant and of a small generated one (frozen clocks), also after more requests finish.

use std::path::Path;

use entitle::domain::{Actor, Command, DomainError, Entry, RequestState, Tenant};
use entitle::scale::{self, ScaleParams};
use entitle::session::{PAGE, RunError, Session};
use entitle::store::Store;

fn open(dir: &Path) -> Store<Tenant> {
    Store::<Tenant>::open(dir).expect("opens").expect("holds a tenant")
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
}

#[test]
fn pages_of_a_generated_tenant_are_slices_of_the_whole_read_also_after_more_finish() {
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
}
