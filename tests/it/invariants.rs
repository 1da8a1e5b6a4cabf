//! Invariants under random sequences of operations (proptest): grants always have a valid source,
//! ended requests never hold assignments, nothing active outlives its end, indexes survive a save and
//! load, and replaying the journal gives the same tenant.

use crate::common;

use std::collections::BTreeMap;

use chrono::Duration;
use common::random::{Setup, check, round_trip, setup};
use common::*;
use entitle::domain::*;
use proptest::prelude::*;
// Fixed seeds: a failure can be had again, and CI never fails by the draw (PROPTEST_RNG_SEED
// is ignored here; change the seed to explore).
use proptest::test_runner::RngSeed;

#[derive(Debug, Clone)]
enum Op {
    Request { who: u8, pkg: u8, pol: Option<u8>, start_hours: Option<u8>, answer: Option<u8> },
    Decide { nth: u8, approver: u8, approve: bool, routed: bool },
    Cancel { nth: u8, who: u8, own: bool },
    Advance { minutes: u32 },
    AdminAssign { pkg: u8, pol: u8, user: u8, end_days: Option<u8> },
    AdminRemove { nth: u8 },
    RemoveOwn { nth: u8 },
    Extend { nth: u8 },
    Direct { user: u8, rr: u8, add: bool },
    AddRole { pkg: u8, rr: u8 },
    RemoveRole { pkg: u8, rr: u8, revoke: bool },
    ReviewDecide { nth: u8, decision: u8 },
    EndReview { nth: u8 },
    PolicyDays { pkg: u8, days: u16 },
    DeletePackage { pkg: u8 },
}

fn op() -> impl Strategy<Value = Op> {
    let small = any::<u8>();
    prop_oneof![
        6 => (small, small, proptest::option::of(small), proptest::option::weighted(0.15, 0u8..72), proptest::option::weighted(0.3, 0u8..3))
            .prop_map(|(who, pkg, pol, start_hours, answer)| Op::Request { who, pkg, pol, start_hours, answer }),
        5 => (small, small, any::<bool>(), proptest::bool::weighted(0.85))
            .prop_map(|(nth, approver, approve, routed)| Op::Decide { nth, approver, approve: approve || routed && nth % 3 != 0, routed }),
        1 => (small, small, any::<bool>()).prop_map(|(nth, who, own)| Op::Cancel { nth, who, own }),
        5 => prop_oneof![
            1u32..=600,              // minutes
            60u32..=(72 * 60),       // hours
            (1u32..=60).prop_map(|d| d * 24 * 60),
            (100u32..=400).prop_map(|d| d * 24 * 60),
        ].prop_map(|minutes| Op::Advance { minutes }),
        2 => (small, small, small, proptest::option::of(1u8..100))
            .prop_map(|(pkg, pol, user, end_days)| Op::AdminAssign { pkg, pol, user, end_days }),
        1 => small.prop_map(|nth| Op::AdminRemove { nth }),
        1 => small.prop_map(|nth| Op::RemoveOwn { nth }),
        1 => small.prop_map(|nth| Op::Extend { nth }),
        2 => (small, small, any::<bool>()).prop_map(|(user, rr, add)| Op::Direct { user, rr, add }),
        1 => (small, small).prop_map(|(pkg, rr)| Op::AddRole { pkg, rr }),
        1 => (small, small, any::<bool>()).prop_map(|(pkg, rr, revoke)| Op::RemoveRole { pkg, rr, revoke }),
        2 => (small, small).prop_map(|(nth, decision)| Op::ReviewDecide { nth, decision }),
        1 => small.prop_map(|nth| Op::EndReview { nth }),
        1 => (small, 1u16..200).prop_map(|(pkg, days)| Op::PolicyDays { pkg, days }),
        1 => small.prop_map(|pkg| Op::DeletePackage { pkg }),
    ]
}

fn pick<T: Clone>(list: &[T], i: u8) -> Option<T> {
    (!list.is_empty()).then(|| list[i as usize % list.len()].clone())
}

/// Turn an operation into a journal entry against the current state (None: nothing to act on).
fn entry(s: &Setup, op: &Op) -> Option<Entry> {
    let t = &s.w.t;
    let now = t.clock.now;
    let e = |actor: Actor, command: Command| Some(Entry { at: now, actor, command });
    let pending: Vec<&Request> = t.requests.values().filter(|r| r.state == RequestState::PendingApproval).collect();
    let open: Vec<&Request> = t.requests.values().filter(|r| r.state.is_open()).collect();
    let active: Vec<&Assignment> = t.assignments.values().filter(|a| a.is_active()).collect();
    let reviews: Vec<&Review> = t.reviews.values().filter(|r| r.state == ReviewState::InProgress).collect();
    match op.clone() {
        Op::Request { who, pkg, pol, start_hours, answer } => {
            let package = pick(&s.packages, pkg)?;
            let policy = pol.and_then(|p| pick(&t.package(package).ok()?.policies, p));
            e(
                pick(&s.actors, who)?,
                Command::SubmitRequest {
                    package,
                    policy,
                    justification: "random need".into(),
                    answers: answer
                        .map(|a| (QuestionId(1), ["Oslo", "lyon", "Paris"][a as usize].to_string()))
                        .into_iter()
                        .collect(),
                    start: start_hours.map(|h| now + Duration::hours(h as i64)),
                },
            )
        }
        Op::Decide { nth, approver, approve, routed } => {
            let r = pick(&pending, nth)?;
            let who = if routed { pick(&r.approvers, approver)? } else { pick(&s.users, approver)? };
            e(u(who), Command::Decide { request: r.id, approve, reason: "decided".into() })
        }
        Op::Cancel { nth, who, own } => {
            let r = pick(&open, nth)?;
            let actor = match (own, r.requestor) {
                (true, Some(x)) => u(x),
                _ => pick(&s.actors, who)?,
            };
            e(actor, Command::CancelRequest { request: r.id })
        }
        Op::Advance { minutes } => {
            Some(Entry { at: now + Duration::minutes(minutes as i64), actor: Actor::System, command: Command::Tick })
        }
        Op::AdminAssign { pkg, pol, user, end_days } => {
            let package = pick(&s.packages, pkg)?;
            let policy = pick(&t.package(package).ok()?.policies, pol)?;
            e(
                Actor::System,
                Command::AdminAssign {
                    package,
                    policy,
                    user: pick(&s.users, user)?,
                    start: None,
                    end: end_days.map(|d| now + days(d as i64)),
                    justification: "random".into(),
                },
            )
        }
        Op::AdminRemove { nth } => {
            e(Actor::System, Command::AdminRemove { assignment: pick(&active, nth)?.id, reason: "random".into() })
        }
        Op::RemoveOwn { nth } => {
            let a = pick(&active, nth)?;
            e(u(a.target), Command::RemoveOwnAssignment { assignment: a.id })
        }
        Op::Extend { nth } => {
            let a = pick(&active, nth)?;
            e(u(a.target), Command::RequestExtension { assignment: a.id, justification: "more".into() })
        }
        Op::Direct { user, rr, add } => {
            let (resource, role) = pick(&s.resource_roles, rr)?;
            let user = pick(&s.users, user)?;
            let role = role.to_string();
            let cmd = if add {
                Command::AddDirectGrant { user, resource, role }
            } else {
                Command::RemoveDirectGrant { user, resource, role }
            };
            e(Actor::System, cmd)
        }
        Op::AddRole { pkg, rr } => {
            let (resource, role) = pick(&s.resource_roles, rr)?;
            e(Actor::System, Command::AddResourceRole { package: pick(&s.packages, pkg)?, resource, role: role.into() })
        }
        Op::RemoveRole { pkg, rr, revoke } => {
            let package = pick(&s.packages, pkg)?;
            let ResourceRole { resource, role } = pick(&t.package(package).ok()?.resource_roles, rr)?;
            e(
                Actor::System,
                Command::RemoveResourceRole { package, resource, role: role.to_string(), revoke_existing: revoke },
            )
        }
        Op::ReviewDecide { nth, decision } => {
            let items: Vec<(ReviewId, &ReviewItem)> =
                reviews.iter().flat_map(|r| r.items.iter().map(move |i| (r.id, i))).collect();
            let (review, item) = pick(&items, nth)?;
            let decision =
                [ReviewDecision::Approve, ReviewDecision::Deny, ReviewDecision::DontKnow][decision as usize % 3];
            e(
                u(pick(&item.reviewers, nth)?),
                Command::DecideReview {
                    review,
                    assignment: item.assignment,
                    decision,
                    justification: "reviewed".into(),
                },
            )
        }
        Op::EndReview { nth } => e(Actor::System, Command::EndReview { review: pick(&reviews, nth)?.id }),
        Op::PolicyDays { pkg, days } => {
            let package = pick(&s.packages, pkg)?;
            let policy = *t.package(package).ok()?.policies.first()?;
            let mut spec = t.policy(policy).ok()?.spec.clone();
            spec.lifecycle.expiration = Expiration::AfterDays(days as u32);
            e(Actor::System, Command::UpdatePolicy { policy, spec })
        }
        Op::DeletePackage { pkg } => {
            // Only P3, so that most runs keep their packages.
            let package = pick(&s.packages, pkg).filter(|p| *p == s.packages[3])?;
            e(Actor::System, Command::DeletePackage { package })
        }
    }
}

/// The open requests of each person outside the directory (read through the domain's index by
/// email) are those a scan of every open request for their email finds, newest first.
fn outsiders_requests_are_those_a_scan_finds(s: &Setup) -> Result<(), TestCaseError> {
    let t = &s.w.t;
    for a in &s.actors {
        let Actor::External { email, .. } = a else { continue };
        if t.user_by_email(email).is_some() || t.reader(a).is_err() {
            continue;
        }
        let got: Vec<RequestId> = t.open_requests_for(a).iter().map(|r| r.id).collect();
        let mut want: Vec<&Request> = t
            .requests
            .values()
            .filter(|r| matches!(&r.target, Target::External { email: e, .. } if e.eq_ignore_ascii_case(email)))
            .collect();
        want.sort_by(|x, y| y.created_at.cmp(&x.created_at).then(y.id.cmp(&x.id)));
        prop_assert_eq!(got, want.iter().map(|r| r.id).collect::<Vec<_>>(), "{}", email);
    }
    Ok(())
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut s = setup();
    let start = s.w.t.clone();
    let mut journal = vec![];
    let resources = s.resources.clone();
    for op in &ops {
        let Some(entry) = entry(&s, op) else { continue };
        let before = serde_json::to_string(&s.w.t).unwrap();
        let result = s.w.t.apply(&entry);
        if result.is_err() {
            prop_assert_eq!(&before, &serde_json::to_string(&s.w.t).unwrap(), "refused {:?} changed the tenant", entry);
        }
        journal.push(entry);
        check(&s.w.t, &resources)?;
        outsiders_requests_are_those_a_scan_finds(&s)?;

        // Save and load: the same indexes, the same next timer.
        round_trip(&s.w.t, &resources).map_err(|e| TestCaseError::fail(format!("after {op:?}: {e}")))?;
    }
    // Replaying the journal, as written to and read from its file, on a fresh copy gives the same tenant.
    let mut replay = start;
    for entry in &journal {
        let line = serde_json::to_string(entry).unwrap();
        let read: Entry = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{line}: {e}"));
        prop_assert_eq!(&read, entry);
        let _ = replay.apply(&read);
    }
    prop_assert_eq!(serde_json::to_value(&s.w.t).unwrap(), serde_json::to_value(&replay).unwrap());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, max_shrink_iters: 2000, rng_seed: RngSeed::Fixed(0x1a7a_7175), ..ProptestConfig::default() })]

    #[test]
    fn random_operations_keep_every_invariant(ops in proptest::collection::vec(op(), 1..40)) {
        run(ops)?;
    }
}

/// Replaying a journal on a tenant that was saved and reloaded part-way gives the same result as
/// applying it to the live tenant (the store reloads snapshots and replays the rest).
#[test]
fn replay_after_a_reload_part_way_matches_the_live_tenant() {
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 100,
        rng_seed: RngSeed::Fixed(0x002e_91a7),
        ..ProptestConfig::default()
    });
    runner
        .run(&(proptest::collection::vec(op(), 2..40), any::<prop::sample::Index>()), |(ops, cut)| {
            let mut s = setup();
            let mut journal = vec![];
            for op in &ops {
                if let Some(entry) = entry(&s, op) {
                    let _ = s.w.t.apply(&entry);
                    journal.push(entry);
                }
            }
            if journal.is_empty() {
                return Ok(());
            }
            let cut = cut.index(journal.len());
            let mut fresh = setup().w.t;
            for e in &journal[..cut] {
                let _ = fresh.apply(e);
            }
            let mut loaded: Tenant = serde_json::from_str(&serde_json::to_string(&fresh).unwrap()).unwrap();
            loaded.rebuild_indexes();
            for e in &journal[cut..] {
                let _ = loaded.apply(e);
            }
            prop_assert_eq!(serde_json::to_value(&s.w.t).unwrap(), serde_json::to_value(&loaded).unwrap());
            Ok(())
        })
        .unwrap();
}

/// The random runs are not vacuous: across a fixed sample they reach every kind of outcome the
/// invariants talk about.
#[test]
fn the_random_operations_reach_every_outcome() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = proptest::collection::vec(op(), 20..40);
    let mut seen: BTreeMap<&'static str, usize> = BTreeMap::new();
    for _ in 0..150 {
        let ops = strategy.new_tree(&mut runner).unwrap().current();
        let mut s = setup();
        for op in &ops {
            if let Some(entry) = entry(&s, op) {
                let _ = s.w.t.apply(&entry);
            }
        }
        let t = &s.w.t;
        let mut count = |k: &'static str, n: usize| *seen.entry(k).or_default() += n;
        for r in t.requests_in_memory() {
            count(
                match (r.request_type, r.state) {
                    (RequestType::UserAdd, RequestState::Delivered) => "delivered",
                    (RequestType::UserAdd, RequestState::Denied) => "denied",
                    (RequestType::UserAdd, RequestState::Expired) => "timed out",
                    (RequestType::UserAdd, RequestState::Canceled) => "canceled",
                    (RequestType::UserExtend, RequestState::Delivered) => "extended",
                    (RequestType::SystemRemove, _) => "removed by review",
                    (RequestType::AdminRemove, _) => "removed by admin",
                    (RequestType::UserRemove, _) => "removed by user",
                    _ => "other",
                },
                1,
            );
            count("escalated", r.escalated as usize);
            count("scheduled start", (r.history.iter().any(|h| h.text.starts_with("Scheduled"))) as usize);
        }
        count("expired assignments", t.assignments.values().filter(|a| a.state == AssignmentState::Expired).count());
        count("reviews", t.reviews.len());
        count("guests created", t.users.values().filter(|u| u.created_by_em).count());
        count("guests removed", t.users.values().filter(|u| u.deleted_at.is_some()).count());
        count("direct and package", t.grants.values().filter(|s| s.len() > 1).count());
    }
    for k in [
        "delivered",
        "denied",
        "timed out",
        "canceled",
        "extended",
        "removed by review",
        "removed by admin",
        "removed by user",
        "escalated",
        "scheduled start",
        "expired assignments",
        "reviews",
        "guests created",
        "guests removed",
        "direct and package",
    ] {
        assert!(seen.get(k).copied().unwrap_or(0) > 0, "no run reached '{k}': {seen:?}");
    }
}
