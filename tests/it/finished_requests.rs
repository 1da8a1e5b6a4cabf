//! Finished requests leave the live state: at the end of the command that finished them they
//! move from `Tenant::requests` to the tail the store writes out, the live state keeps a short
//! entry for each, and the readers find them again from the records the history files hold.

use crate::common;

use common::*;
use entitle::domain::finished::{FinishedRecord, request_stream};
use entitle::domain::*;

fn approval_policy(approver: UserId) -> PolicySpec {
    let mut spec = members_policy("With approval");
    spec.stages = vec![stage(vec![by(approver)])];
    spec
}

/// The finished records the tenant would write to `stream`, as the history files would give them back.
fn written(t: &Tenant, stream: &str) -> Vec<FinishedRecord> {
    let streams = t.pending_history().expect("encodes");
    streams
        .iter()
        .filter(|(s, _)| s == stream)
        .flat_map(|(_, lines)| lines.records::<FinishedRecord>().collect::<Vec<_>>())
        .collect()
}

#[test]
fn a_finished_request_leaves_the_open_requests_for_the_tail_and_the_index() {
    let mut w = World::new();
    let boss = w.user("Boss");
    let lab = w.lab(approval_policy(boss));
    let mia = w.user("Mia");
    let r = w.request(&u(mia), lab.package);
    assert!(w.t.requests.contains_key(&r) && w.t.finished_entry(r).is_none(), "open: live");
    w.deny(boss, r);

    // Out of the open requests and their indexes, into the tail and the index.
    assert!(!w.t.requests.contains_key(&r));
    assert!(w.t.requests_of_user(mia).next().is_none() && w.t.requests_of_package(lab.package).next().is_none());
    assert!(w.t.inbox(boss).next().is_none());
    let entry = w.t.finished_entry(r).copied().expect("an entry");
    assert_eq!((entry.package, entry.target, entry.requestor), (lab.package, Some(mia), Some(mia)));
    assert_eq!((entry.state, Some(entry.completed_at)), (RequestState::Denied, w.req(r).completed_at));
    assert_eq!(w.t.finished_requests.get(&r).map(|f| f.request.state), Some(RequestState::Denied));
    // Commands on it are refused with its state, as before.
    let e = w.refuse(&u(mia), Command::CancelRequest { request: r });
    assert!(matches!(e, DomainError::Rule(_)) && e.to_string().contains("is denied"), "{e}");

    // The store writes it to Mia's shard, the approver's and the package's; then memory drops it.
    let mine = written(&w.t, &request_stream(mia));
    assert_eq!(mine.iter().map(|f| f.request.id).collect::<Vec<_>>(), vec![r]);
    assert_eq!(written(&w.t, &request_stream(boss)).len(), usize::from(request_stream(boss) != request_stream(mia)));
    assert_eq!(written(&w.t, &Tenant::package_request_stream(lab.package)).len(), 1);
    w.t.history_written();
    assert!(w.t.request_in_memory(r).is_none() && w.t.finished_entry(r).is_some());
    assert!(w.t.requests_for(&u(mia), vec![]).is_empty(), "memory alone no longer has it");

    // Given what Mia's shard holds, her requests show it again; the package's, its list.
    let mine_again: Vec<RequestId> = w.t.requests_for(&u(mia), mine.clone()).iter().map(|q| q.id).collect();
    assert_eq!(mine_again, vec![r]);
    assert_eq!(w.t.package_requests(lab.package, mine.clone()).len(), 1);
    // Found by id, with the read rights of an open request.
    assert_eq!(w.t.request_visible(&u(mia), r, mine.clone()).map(|q| q.state), Ok(RequestState::Denied));
    assert_eq!(w.t.request_visible(&u(boss), r, mine.clone()).map(|q| q.id), Ok(r), "who decided it");
    let stranger = w.user("Stranger");
    assert!(matches!(w.t.request_visible(&u(stranger), r, mine.clone()), Err(DomainError::Forbidden(_))));
    assert_eq!(w.t.approval_history(boss, mine).len(), 1);
}

#[test]
fn another_persons_records_in_the_same_shard_are_not_theirs() {
    let mut w = World::new();
    let boss = w.user("Boss");
    let lab = w.lab(approval_policy(boss));
    let mia = w.user("Mia");
    let r = w.request(&u(mia), lab.package);
    w.deny(boss, r);
    let shard = written(&w.t, &request_stream(mia));
    w.t.history_written();
    // Someone else whose shard it is too sees none of Mia's requests.
    let mut other = w.user("Other 0");
    for i in 1..=entitle::domain::finished::REQUEST_SHARDS {
        if request_stream(other) == request_stream(mia) {
            break;
        }
        other = w.user(&format!("Other {i}"));
    }
    assert_eq!(request_stream(other), request_stream(mia));
    assert!(w.t.requests_for(&u(other), shard.clone()).is_empty());
    assert_eq!(w.t.requests_for(&u(mia), shard).len(), 1);
}

#[test]
fn replaying_the_journal_gives_the_same_state_whenever_the_history_is_written() {
    let mut w = World::new();
    let boss = w.user("Boss");
    let lab = w.lab(approval_policy(boss));
    let (mia, bob) = (w.user("Mia"), w.user("Bob"));
    let base = w.t.clone();
    let at = w.now();
    // Mia's request takes the next id; the decision denies it.
    let first = RequestId(base.next_id);
    let entries = [
        Entry { at, actor: u(mia), command: submit(lab.package) },
        Entry { at, actor: u(bob), command: submit(lab.package) },
        Entry { at, actor: u(boss), command: Command::Decide { request: first, approve: false, reason: "no".into() } },
    ];

    // One tenant writes its history after every entry (a store), the other only at the end.
    let (mut live, mut replayed) = (base.clone(), base);
    for e in &entries {
        live.apply(e).expect("applies");
        live.history_written();
    }
    for e in &entries {
        replayed.apply(e).expect("applies");
    }
    assert_eq!(replayed.finished_requests.len(), 1, "the denied request waits in the tail");
    replayed.history_written();
    let json = |t: &Tenant| serde_json::to_string(t).expect("encodes");
    assert_eq!(json(&live), json(&replayed));
    // What a snapshot would hold: Bob's open request, and only an index entry for Mia's.
    let v: serde_json::Value = serde_json::from_str(&json(&live)).expect("json");
    let open: Vec<u64> = v["requests"].as_array().expect("a list").iter().filter_map(|r| r["id"].as_u64()).collect();
    assert_eq!(open, vec![first.0 + 1]);
    assert_eq!(v["finished"][0][0].as_u64(), Some(first.0));
    assert!(v.get("finishedRequests").is_none());
}

fn submit(package: PackageId) -> Command {
    Command::SubmitRequest {
        package,
        policy: None,
        justification: "Need it".into(),
        answers: Default::default(),
        start: None,
    }
}
