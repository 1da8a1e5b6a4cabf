//! The index must answer exactly as asking every policy of every package does, for everyone,
//! whatever the scopes, catalogs, organizations and people.

use super::*;
use crate::domain::directory::OrgState;
use crate::domain::ids::CatalogId;

/// For every user and several page sizes: the indexed answer is the scan's.
fn same_for_everyone(t: &Tenant, case: &str) {
    let index = t.requestable();
    for u in t.users.keys() {
        let me = crate::domain::rights::Actor::User { user: *u };
        let scanned: Vec<PackageId> = t.available_packages(&me).into_iter().map(|(p, _)| p.id).collect();
        assert_eq!(t.available_by(&index, &me), scanned, "{case}: what user {u} may request");
        for limit in [0, 1, 2, 5, usize::MAX] {
            assert_eq!(
                t.user_packages_indexed(&index, *u, limit),
                t.user_packages_where(*u, |_| true, limit),
                "{case}: user {u}, the first {limit}"
            );
        }
    }
}

fn demo() -> Tenant {
    crate::demo::demo_tenant().expect("the demo tenant loads")
}

#[test]
fn on_the_demo_tenant_the_index_answers_as_every_policy_does() {
    let t = demo();
    // The demo offers packages to members, to guests and to outsiders, by name and by group.
    assert!(t.users.values().any(|u| u.is_guest()));
    assert!(!t.orgs.is_empty());
    same_for_everyone(&t, "the demo");
}

#[test]
fn every_scope_on_every_policy_answers_as_the_policies_do() {
    let base = demo();
    let users: Vec<UserId> = base.users.keys().copied().collect();
    let groups: Vec<ResourceId> = base.resources.keys().copied().collect();
    let orgs: Vec<OrgId> = base.orgs.keys().copied().collect();
    let scopes = |i: usize| -> RequestScope {
        let pick = |n: usize| users.get(n % users.len().max(1)).copied().into_iter().collect();
        match i % 8 {
            0 => RequestScope::AdminOnly,
            1 => RequestScope::SpecificUsers { users: pick(i), groups: Default::default() },
            2 => RequestScope::SpecificUsers {
                users: Default::default(),
                groups: groups.get(i % groups.len().max(1)).copied().into_iter().collect(),
            },
            3 => RequestScope::AllMembers,
            4 => RequestScope::AllDirectoryUsers,
            5 => RequestScope::SpecificOrgs { orgs: orgs.get(i % orgs.len().max(1)).copied().into_iter().collect() },
            6 => RequestScope::AllConfiguredOrgs,
            _ => RequestScope::AllExternal,
        }
    };
    for shift in 0..8 {
        let mut t = base.clone();
        for (i, p) in t.policies.values_mut().enumerate() {
            p.spec.scope = scopes(i.wrapping_add(shift));
            // Some policies take no new requests.
            p.spec.enabled = !(i + shift).is_multiple_of(5);
        }
        same_for_everyone(&t, &format!("scopes shifted by {shift}"));
    }
}

#[test]
fn catalogs_packages_organizations_and_people_change_the_answer_alike() {
    let base = demo();
    let catalogs: Vec<CatalogId> = base.catalogs.keys().copied().collect();
    for c in &catalogs {
        for (enabled, external) in [(false, true), (true, false), (true, true)] {
            let mut t = base.clone();
            if let Some(cat) = t.catalogs.get_mut(c) {
                cat.enabled = enabled;
                cat.external = external;
            }
            same_for_everyone(&t, &format!("catalog {c}: enabled {enabled}, external {external}"));
        }
    }
    let mut t = base.clone();
    // Every other package deleted (some are assigned), every organization only proposed, every
    // third person blocked.
    let now = t.clock.now;
    for p in t.packages.values_mut().step_by(2) {
        p.deleted_at = Some(now);
    }
    // And some of the others hidden (asked for by their link only: not listed).
    for p in t.packages.values_mut().skip(1).step_by(4) {
        p.hidden = true;
    }
    for o in t.orgs.values_mut() {
        o.state = OrgState::Proposed;
    }
    for u in t.users.values_mut().step_by(3) {
        u.enabled = false;
    }
    same_for_everyone(&t, "deleted packages, proposed organizations, blocked people");
}

#[test]
fn a_class_is_worked_out_once_and_kept() {
    let t = demo();
    let index = t.requestable();
    let member = t.users.values().find(|u| !u.is_guest() && u.is_active() && u.enabled).map(|u| t.requester_of(u));
    let Some(member) = member else { panic!("the demo has an active member") };
    let first = t.requestable_by(&index, &member);
    let again = t.requestable_by(&index, &member);
    assert!(Rc::ptr_eq(&first.class, &again.class));
    assert!(!first.class.is_empty(), "the demo offers packages to all members");
}

#[test]
fn people_named_by_a_policy_count_only_where_their_kind_may_request() {
    let mut t = demo();
    let users: std::collections::BTreeSet<UserId> = t.users.keys().copied().collect();
    let groups: std::collections::BTreeSet<ResourceId> = t.resources.keys().copied().collect();
    // Everyone named, guests too, in catalogs of which every other one is closed to outsiders.
    for p in t.policies.values_mut() {
        p.spec.scope = RequestScope::SpecificUsers { users: users.clone(), groups: groups.clone() };
    }
    for (i, c) in t.catalogs.values_mut().enumerate() {
        c.external = i % 2 == 0;
    }
    same_for_everyone(&t, "everyone named");
}

#[test]
fn an_index_made_a_few_packages_at_a_time_answers_as_one_made_at_once() {
    let mut t = demo();
    // Seven hundred more packages, each with the policies of one the demo offers to members.
    let member = t.users.values().find(|u| !u.is_guest() && u.is_active() && u.enabled).map(|u| t.requester_of(u));
    let Some(member) = member else { panic!("the demo has an active member") };
    let index = t.requestable();
    let offered = t.requestable_by(&index, &member).class.first().copied().expect("a package for members");
    let package = t.packages.get(&offered).cloned().expect("the package");
    let policies: Vec<crate::domain::access::Policy> = t.policies_of(offered).cloned().collect();
    let mut next = t.next_id;
    for _ in 0..700 {
        let mut p = package.clone();
        p.id = PackageId(next);
        next += 1;
        for pol in &policies {
            let mut q = pol.clone();
            q.id = crate::domain::ids::PolicyId(next);
            next += 1;
            q.package = p.id;
            t.policies.insert(q.id, q);
        }
        t.packages.insert(p.id, p);
    }
    t.next_id = next;
    t.rebuild_indexes();
    // With its time always up: one look at the clock's worth of packages each time.
    let mut making = RequestableMaking::default();
    let past = std::time::Instant::now();
    let mut goes = 1;
    while !t.requestable_a_while(&mut making, Some(past)) {
        goes += 1;
        assert!(goes < 100, "it ends");
    }
    assert!(goes >= 3, "{goes} goes for {} packages", t.packages.len());
    assert!(t.requestable_a_while(&mut making, Some(past)), "made stays made");
    let sliced = making.made().expect("made");
    let whole = t.requestable();
    for u in t.users.keys() {
        let me = crate::domain::rights::Actor::User { user: *u };
        assert_eq!(t.available_by(&sliced, &me), t.available_by(&whole, &me), "user {u}");
    }
    let me = crate::domain::rights::Actor::User { user: member.user.expect("a member") };
    assert!(t.available_by(&sliced, &me).len() > 700, "the new packages are offered");
}
