//! The read matrix (issue 6 §3): every read the command line offers, as every kind of person,
//! checked at the domain against an expected table (A allowed in full, F filtered, R refused),
//! and, for whatever is shown, that nothing outside the reader's scope appears: no assignment,
//! request or membership the reader has no role over.

use crate::common;

use std::collections::BTreeSet;

use common::personas::*;
use common::*;
use entitle::domain::reads::Read;
use entitle::domain::*;

/// What one read showed: how many items, and the assignments and requests among them.
#[derive(Default)]
struct Shown {
    items: usize,
    assignments: Vec<AssignmentId>,
    requests: Vec<RequestId>,
}

fn asg_ids_in(via: &[entitle::domain::report::Via]) -> Vec<AssignmentId> {
    via.iter().filter_map(|v| v.assignment()).collect()
}

fn shown(items: usize) -> Shown {
    Shown { items, ..Default::default() }
}

/// The reads, by the command line command they serve.
const READS: &[&str] = &[
    "clock show",
    "available",
    "user list",
    "user show Megan",
    "group list",
    "org list",
    "org show Fabrikam",
    "catalog list",
    "catalog show Finance",
    "package list",
    "package show SOX",
    "policy list",
    "policy show SOX",
    "request show Travel",
    "requests --all",
    "assignments",
    "reviews --all",
    "review show SOX",
    "approvals",
    "notifications",
    "report packages Megan",
    "report access Megan",
    "report holders SOX Data",
    "report package SOX",
    "report expiring 400",
    "report requests",
    "report drift",
    "lint",
    "audit",
    "settings show",
];

fn read(fx: &Fx, what: &str, a: &Actor) -> DomainResult<Shown> {
    let t = &fx.w.t;
    let one = |r: Read| t.may_read(a, r).map(|_| shown(1));
    Ok(match what {
        "clock show" => one(Read::Clock)?,
        "available" => {
            t.may_read(a, Read::Available)?;
            shown(t.available_packages(a).len())
        }
        "user list" => shown(t.users_visible(a)?.len()),
        "user show Megan" => {
            let card = t.user_card(a, fx.megan)?;
            let full = usize::from(card.user.full().is_some());
            match card.details {
                None => shown(full),
                Some(d) => Shown {
                    items: 1 + full + d.catalog_roles.len() + d.assignments.len() + d.access.len(),
                    assignments: d
                        .assignments
                        .iter()
                        .map(|x| x.id)
                        .chain(d.access.iter().flat_map(|r| asg_ids_in(&r.via)))
                        .collect(),
                    requests: vec![],
                },
            }
        }
        "group list" => {
            let list = t.resources_visible(a)?;
            shown(
                list.len()
                    + list.iter().filter(|r| r.holders.is_some()).count()
                    + list.iter().map(|r| r.catalogs.len()).sum::<usize>(),
            )
        }
        "org list" => shown(t.orgs_visible(a)?.len()),
        "org show Fabrikam" => shown(t.org_users_visible(a, fx.fabrikam)?.len()),
        "catalog list" => shown(t.catalogs_visible(a)?.len()),
        "catalog show Finance" => one(Read::Catalog(fx.finance))?,
        "package list" => shown(t.packages_visible(a)?.len()),
        "package show SOX" => {
            let c = t.package_card(a, fx.sox)?;
            Shown {
                items: 1 + usize::from(c.catalog_role) + c.policies.len() + c.assignments.len() + c.findings.len(),
                assignments: c.assignments.iter().map(|x| x.id).collect(),
                requests: vec![],
            }
        }
        "policy list" => shown(t.policies_visible(a, None)?.len()),
        "policy show SOX" => one(Read::Policy(fx.sox_policy))?,
        "request show Travel" => {
            t.may_read(a, Read::Request(fx.travel_request))?;
            Shown { items: 1, requests: vec![fx.travel_request], ..Default::default() }
        }
        "requests --all" | "report requests" => {
            let list = if what == "report requests" {
                t.requests_report_visible(a, None, vec![])?
            } else {
                t.all_requests_visible(a, vec![])?
            };
            Shown { items: list.len(), requests: list.iter().map(|q| q.id).collect(), ..Default::default() }
        }
        "assignments" | "report expiring 400" => {
            let list = if what == "assignments" { t.assignments_visible(a)? } else { t.expiring_visible(a, 400)? };
            Shown { items: list.len(), assignments: list.iter().map(|x| x.id).collect(), ..Default::default() }
        }
        "reviews --all" => shown(t.reviews_visible(a)?.len()),
        "review show SOX" => {
            let (_, items) = t.review_visible(a, fx.review)?;
            Shown {
                items: items.len(),
                assignments: items.iter().map(|i| i.assignment).collect(),
                ..Default::default()
            }
        }
        "approvals" | "notifications" => one(Read::Own)?,
        "report packages Megan" => {
            let rows = t.user_packages_visible(a, fx.megan)?;
            Shown {
                items: rows.len(),
                assignments: rows.iter().filter_map(|r| r.assignment).collect(),
                ..Default::default()
            }
        }
        "report access Megan" | "report holders SOX Data" | "report drift" => {
            let rows: Vec<report::AccessRow> = match what {
                "report access Megan" => t.access_visible(a, fx.megan)?,
                "report holders SOX Data" => t.holders_visible(a, fx.sox_data)?,
                _ => t.drift_visible(a)?.into_iter().map(|(r, _)| r).collect(),
            };
            Shown {
                items: rows.len(),
                assignments: rows.iter().flat_map(|r| asg_ids_in(&r.via)).collect(),
                ..Default::default()
            }
        }
        "report package SOX" => {
            let groups = t.package_assignments_visible(a, fx.sox)?;
            let ids: Vec<AssignmentId> = groups.iter().flat_map(|(_, v)| v.iter().map(|x| x.id)).collect();
            Shown { items: ids.len(), assignments: ids, ..Default::default() }
        }
        "lint" => shown(t.lint_visible(a)?.len()),
        "audit" => shown(t.audit_visible(a, vec![])?.len()),
        "settings show" => one(Read::Settings)?,
        other => panic!("no read '{other}'"),
    })
}

/// The oracle for assignments: the assignee, the catalog's roles, the reviewer of an open
/// review of it, administrators.
fn may_know_assignment(fx: &Fx, p: &Persona, id: AssignmentId) -> bool {
    let a = fx.w.asg(id);
    let in_finance = fx.w.t.packages.get(&a.package).is_some_and(|k| k.catalog == fx.finance);
    p.admin || p.user == Some(a.target) || (p.finance && in_finance) || (p.user == Some(fx.rev) && id == fx.megan_sox)
}

/// The oracle for requests: requestor or target, its approvers, the catalog's roles, administrators.
fn may_know_request(fx: &Fx, p: &Persona, id: RequestId) -> bool {
    let q = fx.w.req(id);
    let in_finance = fx.w.t.packages.get(&q.package).is_some_and(|k| k.catalog == fx.finance);
    let own = match (&p.actor, &q.target) {
        (Actor::External { email, .. }, Target::External { email: e, .. }) => email == e,
        _ => p.user.is_some() && (q.requestor == p.user || q.target_user() == p.user),
    };
    p.admin || own || q.approvers.iter().any(|x| Some(*x) == p.user) || (p.finance && in_finance)
}

/// Rows: reads; columns: admin owner reader pkgmgr asgmgr approver reviewer member holder guest
/// blocked outsider removed removed@.
const EXPECTED: &[(&str, &str)] = &[
    ("clock show", "AAAAAAAAAARARA"),
    ("available", "AAAAAAAAAFRFRF"),
    ("user list", "AFFFFFFFFFRRRR"),
    ("user show Megan", "AFFFFFFFFRRRRR"),
    ("group list", "AFFFFFFFFFRRRR"),
    ("org list", "AAAAAFRRRRRRRR"),
    ("org show Fabrikam", "AAAAAARRRRRRRR"),
    ("catalog list", "AFFFFFFFFFRFRF"),
    ("catalog show Finance", "AAAAARRRRRRRRR"),
    ("package list", "AFFFFFFFFFRFRF"),
    ("package show SOX", "AAAAAFFFFRRRRR"),
    ("policy list", "AFFFFFFFFFRFRF"),
    ("policy show SOX", "AAAAAAAAARRRRR"),
    ("request show Travel", "ARRRRARARRRRRR"),
    ("requests --all", "AFFFFFFFFFRFRF"),
    ("assignments", "AFFFFFFFFFRRRR"),
    ("reviews --all", "AAAAAFAFAFRRRR"),
    ("review show SOX", "AAAAARARARRRRR"),
    ("approvals", "AAAAAAAAAARRRR"),
    ("notifications", "AAAAAAAAAARRRR"),
    ("report packages Megan", "AFFFFRRRARRRRR"),
    ("report access Megan", "AAAAARRRARRRRR"),
    ("report holders SOX Data", "AAAAARRRRRRRRR"),
    ("report package SOX", "AAAAARRRRRRRRR"),
    ("report expiring 400", "AFFFFRRRRRRRRR"),
    ("report requests", "AFFFFRRRRRRRRR"),
    ("report drift", "AFFFFRRRRRRRRR"),
    ("lint", "AFFFFRRRRRRRRR"),
    ("audit", "AFFFFRRRRRRRRR"),
    ("settings show", "AAAAARRRRRRRRR"),
];

#[test]
fn every_read_as_every_persona_matches_the_table_and_shows_nothing_outside_scope() {
    let fx = fixture();
    assert_eq!(EXPECTED.len(), READS.len(), "the table covers every read");
    let mut mismatches = vec![];
    let mut checked = 0;
    for (what, row) in EXPECTED {
        assert!(READS.contains(what), "{what} is a read");
        let full = read(&fx, what, &fx.people[0].actor).expect("an administrator reads everything");
        let cells: Vec<char> = row.chars().collect();
        assert_eq!(cells.len(), fx.people.len(), "{what}: one cell per persona");
        for (p, want) in fx.people.iter().zip(cells) {
            checked += 1;
            let got = match read(&fx, what, &p.actor) {
                Err(DomainError::Forbidden(_)) => 'R',
                Err(e) => panic!("{what} as {}: refused with a {e:?}, not a rights refusal", p.name),
                Ok(s) => {
                    for id in &s.assignments {
                        assert!(may_know_assignment(&fx, p, *id), "{what} as {}: leaks assignment {id}", p.name);
                    }
                    for id in &s.requests {
                        assert!(may_know_request(&fx, p, *id), "{what} as {}: leaks request {id}", p.name);
                    }
                    assert!(s.items <= full.items, "{what} as {}: shows more than an administrator", p.name);
                    if s.items == full.items { 'A' } else { 'F' }
                }
            };
            if got != want {
                mismatches.push(format!("{what} as {}: expected {want}, got {got}", p.name));
            }
        }
    }
    assert!(mismatches.is_empty(), "{} of {checked} cells differ:\n{}", mismatches.len(), mismatches.join("\n"));
    assert_eq!(checked, 30 * 14);
}

#[test]
fn who_holds_sox_is_never_shown_without_a_role_over_it() {
    let fx = fixture();
    let t = &fx.w.t;
    // (The reviewer sees Megan's assignment while reviewing it: it is routed to them.)
    let holders: BTreeSet<&str> = ["approver", "member", "guest", "outsider"].into();
    for p in fx.people.iter().filter(|p| holders.contains(p.name)) {
        let card = t.package_card(&p.actor, fx.sox).ok();
        assert!(card.is_none_or(|c| c.assignments.is_empty() && !c.catalog_role), "{} sees SOX's holders", p.name);
        assert!(t.holders_visible(&p.actor, fx.sox_data).is_err(), "{} lists SOX Data's holders", p.name);
        let megan = t.user_card(&p.actor, fx.megan).ok();
        assert!(megan.is_none_or(|c| c.details.is_none()), "{} sees Megan's access", p.name);
    }
}

#[test]
fn a_blocked_guest_reads_nothing_not_even_their_mailbox() {
    let fx = fixture();
    let bob = fx.people.iter().find(|p| p.name == "blocked").expect("Bob");
    for what in READS {
        match read(&fx, what, &bob.actor) {
            Err(DomainError::Forbidden(m)) => assert!(m.contains("blocked"), "{what}: {m}"),
            other => panic!("{what}: a blocked guest got {:?}", other.map(|s| s.items)),
        }
    }
}

#[test]
fn a_reviewer_sees_only_the_items_routed_to_them_and_the_person_under_review_only_their_own() {
    let mut fx = fixture();
    let other = fx.w.user("Zoe Other");
    let zoe_req = fx.w.request(&u(other), fx.sox);
    // A second review item for Zoe opens with the next monthly review.
    fx.w.tick_to(t0() + days(40));
    let t = &fx.w.t;
    let review = t.reviews.values().filter(|v| v.package == fx.sox).max_by_key(|v| v.start).expect("a review");
    assert_eq!(review.items.len(), 2, "Megan and Zoe are under review");
    let (_, megan_sees) = t.review_visible(&u(fx.megan), review.id).expect("Megan sees her own item");
    assert_eq!(megan_sees.iter().map(|i| i.user).collect::<Vec<_>>(), vec![fx.megan]);
    let (_, rev_sees) = t.review_visible(&u(fx.rev), review.id).expect("Rev reviews");
    assert_eq!(rev_sees.len(), 2);
    let zoe_asg = fx.w.asg_of(zoe_req).id;
    assert!(t.can_see_assignment(&u(fx.rev), fx.w.asg(zoe_asg)), "the reviewer sees what they review");
    assert!(!t.can_see_assignment(&u(fx.megan), fx.w.asg(zoe_asg)), "Megan does not see Zoe's");
}
