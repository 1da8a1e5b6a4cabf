//! The random runs' shared ground (tests/invariants.rs, tests/fuzz_commands.rs): a fixed cast and
//! configuration to start from, the invariants that must hold after every step, and the check that
//! a tenant survives a save and load with its indexes rebuilt.

use std::collections::BTreeSet;

use entitle::domain::*;
use proptest::prelude::*;

use super::*;

/// The fixed cast and configuration every random run starts from.
pub struct Setup {
    pub w: World,
    /// Directory users who request, approve, review.
    pub users: Vec<UserId>,
    /// Everyone who can act: the users above and three people outside the directory.
    pub actors: Vec<Actor>,
    pub packages: Vec<PackageId>,
    pub resource_roles: Vec<(ResourceId, &'static str)>,
    pub resources: Vec<ResourceId>,
}

pub fn setup() -> Setup {
    let mut w = World::new();
    w.settings(|s| s.external_lifecycle = ExternalLifecycle::BlockThenRemove(3));
    let a1 = w.user("Approver One");
    let a2 = w.user("Approver Two");
    let a3 = w.user("Alternate Three");
    let fabrikam = w.org("Fabrikam", "fabrikam.com", &[a1]);
    let u0 = w.user_managed("User Zero", a1);
    let u1 = w.user_managed("User One", a1);
    let u2 = w.user("User Two");
    let u3 = w.user("User Three");
    let g0 = w.guest("Guest Zero", "g0@fabrikam.com", Some(fabrikam));

    let cat = w.catalog("Random");
    let team = w.team("Team");
    let app = w.app("App");
    let site = w.site("Site");
    for r in [team, app, site] {
        w.add_to_catalog(cat, r);
    }

    // P0: open to members, 30 days, extension, monthly self-review where silence removes.
    let p0 = w.package(cat, "P0");
    w.add_role(p0, team, "Member");
    w.add_role(p0, site, "Visitor");
    let mut spec = days_spec("P0 members", RequestScope::AllMembers, Expiration::AfterDays(30));
    spec.lifecycle.allow_extension = true;
    spec.questions = vec![Question {
        id: QuestionId(1),
        text: "Which office?".into(),
        kind: QuestionKind::Choice { options: vec!["Oslo".into(), "Lyon".into()] },
        required: false,
    }];
    spec.review = Some(ReviewSettings {
        frequency: ReviewFrequency::Monthly,
        starts_on: t0() + days(7),
        duration_days: 5,
        reviewers: vec![Reviewer::SelfReview],
        fallback: vec![],
        no_response: NoResponse::Remove,
        before_expiry_days: None,
    });
    w.policy(p0, spec);

    // P1: two stages (manager with fallback and escalation, then a named approver), 60 days,
    // extension with approval, a review 10 days before expiry.
    let p1 = w.package(cat, "P1");
    w.add_role(p1, team, "Member");
    w.add_role(p1, app, "User");
    let mut spec = days_spec("P1 directory", RequestScope::AllDirectoryUsers, Expiration::AfterDays(60));
    let mut s1 = stage(vec![Approver::Manager]);
    s1.fallback = vec![by(a2)];
    s1.timeout_days = 5;
    s1.escalation = Some(Escalation { after_days: 2, alternates: vec![by(a3)] });
    let mut s2 = stage(vec![by(a2)]);
    s2.timeout_days = 3;
    spec.stages = vec![s1, s2];
    spec.lifecycle.allow_extension = true;
    spec.lifecycle.extension_requires_approval = true;
    spec.review = Some(ReviewSettings {
        frequency: ReviewFrequency::Annually,
        starts_on: t0(),
        duration_days: 4,
        reviewers: vec![Reviewer::Manager],
        fallback: vec![a2],
        no_response: NoResponse::Keep,
        before_expiry_days: Some(10),
    });
    w.policy(p1, spec);

    // P2: partners with sponsor approval (20 days), or anyone outside without approval (36 hours).
    let p2 = w.package(cat, "P2");
    w.add_role(p2, app, "User");
    let mut spec =
        days_spec("P2 partners", RequestScope::SpecificOrgs { orgs: [fabrikam].into() }, Expiration::AfterDays(20));
    let mut st = stage(vec![Approver::InternalSponsors]);
    st.timeout_days = 4;
    spec.stages = vec![st];
    w.policy(p2, spec);
    w.policy(p2, days_spec("P2 anyone outside", RequestScope::AllExternal, Expiration::AfterHours(36)));

    // P3: administrators only, 10 hours; and members on a date.
    let p3 = w.package(cat, "P3");
    w.add_role(p3, site, "Visitor");
    w.add_role(p3, team, "Owner");
    w.policy(p3, days_spec("P3 admin", RequestScope::AdminOnly, Expiration::AfterHours(10)));
    w.policy(p3, days_spec("P3 members", RequestScope::AllMembers, Expiration::OnDate(t0() + days(45))));

    let users = vec![u0, u1, u2, u3, g0, a1, a2, a3];
    let mut actors: Vec<Actor> = users.iter().map(|x| u(*x)).collect();
    actors.push(ext("e0@fabrikam.com", "Ext Zero"));
    actors.push(ext("e1@fabrikam.com", "Ext One"));
    actors.push(ext("e2@unknown.org", "Ext Two"));
    Setup {
        w,
        users,
        actors,
        packages: vec![p0, p1, p2, p3],
        resource_roles: vec![
            (team, "Member"),
            (team, "Owner"),
            (app, "User"),
            (app, "Admin"),
            (site, "Visitor"),
            (site, "Member"),
        ],
        resources: vec![team, app, site],
    }
}

pub fn days_spec(name: &str, scope: RequestScope, expiration: Expiration) -> PolicySpec {
    let mut spec = PolicySpec::new(name, scope);
    spec.lifecycle.expiration = expiration;
    spec
}

/// What the indexes say, in a comparable form.
pub fn index_view(t: &Tenant, users: &BTreeSet<UserId>, resources: &[ResourceId]) -> String {
    let inbox: Vec<(UserId, BTreeSet<RequestId>)> =
        users.iter().map(|u| (*u, t.inbox(*u).map(|r| r.id).collect())).collect();
    let holders: Vec<(ResourceId, BTreeSet<(UserId, entitle::domain::Role)>)> =
        resources.iter().map(|r| (*r, t.holders(*r).cloned().collect())).collect();
    let by_user: Vec<(UserId, BTreeSet<AssignmentId>)> =
        users.iter().map(|u| (*u, t.assignments_of_user(*u).map(|a| a.id).collect())).collect();
    let reqs: Vec<(UserId, BTreeSet<RequestId>)> =
        users.iter().map(|u| (*u, t.requests_of_user(*u).map(|r| r.id).collect())).collect();
    let packages: Vec<(CatalogId, BTreeSet<PackageId>)> =
        t.catalogs.keys().map(|c| (*c, t.packages_of_catalog(*c).map(|p| p.id).collect())).collect();
    // The finished requests My access counts for each user: the index's count, and the count
    // read off the entries themselves (the same when the index is kept right).
    let finished: Vec<(UserId, usize, usize)> = users
        .iter()
        .map(|u| {
            let scanned = t.finished.values().filter(|f| f.target == Some(*u) || f.requestor == Some(*u)).count();
            let readable = t.reader(&Actor::User { user: *u }).is_ok();
            (*u, t.finished_count_for(&Actor::User { user: *u }), if readable { scanned } else { 0 })
        })
        .collect();
    format!(
        "inbox {inbox:?}\nholders {holders:?}\nassignments {by_user:?}\nrequests {reqs:?}\npackages {packages:?}\nfinished {finished:?}\nnext timer {:?}",
        t.next_timer()
    )
}

/// The invariants every step keeps.
pub fn check(t: &Tenant, resources: &[ResourceId]) -> Result<(), TestCaseError> {
    let now = t.clock.now;
    // My access counts each user's finished requests from an index: it counts what the entries hold.
    for u in t.users.keys() {
        let me = Actor::User { user: *u };
        if t.reader(&me).is_ok() {
            let email = t.users.get(u).map(|x| x.email.to_lowercase());
            let outside =
                t.finished_emails.iter().filter(|(id, e)| email.as_ref() == Some(*e) && t.finished.contains_key(id));
            let scanned = t.finished.values().filter(|f| f.target == Some(*u) || f.requestor == Some(*u)).count();
            prop_assert_eq!(t.finished_count_for(&me), scanned + outside.count(), "finished requests of {}", u);
        }
    }
    // Every grant has a source; every assignment source is an active assignment of that user that granted it.
    for (k, sources) in &t.grants {
        prop_assert!(!sources.is_empty(), "grant {k:?} has no source");
        for s in sources {
            if let GrantSource::Assignment { assignment } = s {
                let a = t.assignments.get(assignment);
                prop_assert!(a.is_some(), "grant {k:?} names a missing assignment {assignment}");
                let a = a.unwrap();
                prop_assert!(a.is_active(), "grant {k:?} is kept by ended assignment {assignment} ({})", a.state);
                prop_assert_eq!(a.target, k.user);
                prop_assert!(
                    a.granted.iter().any(|rr| rr.resource == k.resource && rr.role == k.role),
                    "{assignment} did not grant {k:?}"
                );
            }
        }
    }
    // Every active assignment holds what it granted.
    let mut active_pairs = BTreeSet::new();
    for a in t.assignments.values().filter(|a| a.is_active()) {
        prop_assert!(
            active_pairs.insert((a.target, a.package)),
            "two active assignments of {} to {}",
            a.package,
            a.target
        );
        for rr in a.granted.iter() {
            let key = GrantKey { user: a.target, resource: rr.resource, role: rr.role };
            prop_assert!(
                t.grants.get(&key).is_some_and(|s| s.contains(&GrantSource::Assignment { assignment: a.id })),
                "{} lost its source on {key:?}",
                a.id
            );
        }
        // Nothing active outlives its end.
        prop_assert!(a.end.is_none_or(|e| e > now), "{} is active at {now} but ended {:?}", a.id, a.end);
        prop_assert!(a.start <= now);
    }
    // A denied, canceled or expired request never has an assignment; no assignment comes from one.
    for r in t.requests_in_memory() {
        let ended = matches!(r.state, RequestState::Denied | RequestState::Canceled | RequestState::Expired);
        if ended && matches!(r.request_type, RequestType::UserAdd | RequestType::AdminAdd) {
            prop_assert!(r.assignment.is_none(), "{} is {} but has {:?}", r.id, r.state, r.assignment);
        }
        if r.state == RequestState::PendingApproval {
            prop_assert!(!r.approvers.is_empty());
            let st = t.request_terms(r).and_then(|terms| terms.stages.get(r.stage).cloned());
            prop_assert!(st.is_some(), "{} waits at a stage its policy revision does not have", r.id);
            let deadline = r.stage_deadline(st.unwrap().timeout_days);
            prop_assert!(deadline.is_some_and(|d| d > now), "{} waits past its deadline {deadline:?}", r.id);
            prop_assert!(
                r.target_user().is_none_or(|x| !r.approvers.contains(&x)),
                "{} is routed to its requestor",
                r.id
            );
        }
    }
    // Every request and assignment names a revision the tenant keeps; an assignment's terms at hand
    // are its revision's; a policy's current revision holds its current terms.
    for r in t.requests_in_memory() {
        prop_assert!(t.request_terms(r).is_some(), "{} names a missing revision {}", r.id, r.revision);
    }
    for a in t.assignments.values() {
        let terms = t.assignment_terms(a);
        prop_assert!(terms.is_some(), "{} names a missing revision", a.id);
    }
    for p in t.policies.values() {
        prop_assert_eq!(t.revision(p.id, p.revision), Some(&PolicyTerms::of(&p.spec)), "{}'s current revision", p.id);
    }
    for a in t.assignments.values() {
        let r = t.request_in_memory(a.request);
        prop_assert!(
            r.is_some_and(|r| matches!(r.state, RequestState::Delivered)),
            "{} came from {:?}",
            a.id,
            r.map(|r| r.state)
        );
    }
    // Holders and inbox agree with the objects.
    for res in resources {
        let from_grants: BTreeSet<(UserId, entitle::domain::Role)> =
            t.grants.keys().filter(|k| k.resource == *res).map(|k| (k.user, k.role)).collect();
        let idx: BTreeSet<(UserId, entitle::domain::Role)> = t.holders(*res).cloned().collect();
        prop_assert_eq!(from_grants, idx);
    }
    for user in t.users.keys() {
        for r in t.inbox(*user) {
            prop_assert!(
                r.state == RequestState::PendingApproval && r.approvers.contains(user),
                "stale inbox {} for {user}",
                r.id
            );
        }
    }
    // Timers: nothing due is left behind.
    prop_assert!(t.next_timer().is_none_or(|x| x > now), "a timer at or before now was not fired");
    Ok(())
}

/// Saved and loaded, with the indexes rebuilt, the tenant is the same: the same JSON, the same
/// indexes and next timer. Returns the JSON and the indexes' view, for comparing later states.
pub fn round_trip(t: &Tenant, resources: &[ResourceId]) -> Result<(String, String), TestCaseError> {
    let json = serde_json::to_string(t).map_err(|e| TestCaseError::fail(format!("does not serialize: {e}")))?;
    let mut back: Tenant =
        serde_json::from_str(&json).map_err(|e| TestCaseError::fail(format!("does not read back: {e}")))?;
    back.rebuild_indexes();
    let view = users_index_view(t, resources);
    prop_assert_eq!(&view, &users_index_view(&back, resources));
    prop_assert_eq!(&json, &serde_json::to_string(&back).unwrap_or_default());
    prop_assert!(back.assignments == t.assignments, "assignments read back with the terms of their revisions");
    // The store's binary cache reads back the same tenant, indexes and timers included.
    let bytes = entitle::domain::binary::encode(t).map_err(|e| TestCaseError::fail(format!("no cache: {e}")))?;
    let cached = entitle::domain::binary::decode(bytes.iter().map(Vec::as_slice).collect())
        .map_err(|e| TestCaseError::fail(format!("cache: {e}")))?;
    prop_assert_eq!(&json, &serde_json::to_string(&cached).unwrap_or_default());
    prop_assert_eq!(&view, &users_index_view(&cached, resources));
    prop_assert_eq!(back.next_timer(), cached.next_timer());
    // The cache keeps the assignments of each package and of each user: as a rebuild makes them.
    let by_package = |t: &Tenant| -> Vec<(PackageId, Vec<AssignmentId>)> {
        t.packages.keys().map(|p| (*p, t.assignments_of_package(*p).map(|a| a.id).collect())).collect()
    };
    prop_assert_eq!(by_package(&back), by_package(&cached));
    // The check of problems reads the ends kept by revision as a load builds them, and the
    // cache keeps them: it answers as the check that reads every assignment.
    let problems = t.problems_scanning_all();
    prop_assert_eq!(&problems, &back.problems());
    prop_assert_eq!(&problems, &cached.problems());
    Ok((json, view))
}

/// The indexes' view over every user of the tenant.
pub fn users_index_view(t: &Tenant, resources: &[ResourceId]) -> String {
    let users: BTreeSet<UserId> = t.users.keys().copied().collect();
    index_view(t, &users, resources)
}
