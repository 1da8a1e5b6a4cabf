//! What-if: a previewed clock jump lists exactly what the real jump then does, and leaves the
//! tenant as it was; a previewed policy edit names exactly who the save lets request or not.

use std::collections::BTreeSet;

use entitle::domain::what_if::Happening;
use entitle::domain::*;

fn demo() -> Tenant {
    entitle::demo::demo_tenant().unwrap()
}

fn apply(t: &mut Tenant, command: Command) -> Outcome {
    let at = t.clock.now;
    t.apply(&Entry { at, actor: Actor::System, command }).unwrap()
}

#[test]
fn a_previewed_jump_is_what_the_real_jump_does_and_changes_nothing() {
    let mut t = demo();
    let before = serde_json::to_string(&t).unwrap();
    let (audit_seq, notice_seq) = (t.audit_seq, t.notice_seq);
    let jump = Command::AdvanceClock { seconds: 90 * 86_400 };
    let (p, _) = t.preview(None, &Actor::System, jump.clone()).unwrap();
    assert_eq!(serde_json::to_string(&t).unwrap(), before, "the preview changed the tenant");

    let out = apply(&mut t, jump);
    assert!(p.message.starts_with(&out.message) || p.message == out.message, "{} / {}", p.message, out.message);
    let events: Vec<Happening> = t
        .audit
        .iter()
        .filter(|e| e.seq > audit_seq)
        .map(|e| Happening::Event {
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            activity: e.activity,
            object: e.object,
            summary: e.summary,
        })
        .collect();
    let previewed: Vec<Happening> =
        p.happenings.iter().filter(|h| matches!(h, Happening::Event { .. })).cloned().collect();
    assert!(events.len() > 20, "the demo's 90 days fire plenty: {}", events.len());
    assert_eq!(previewed, events);

    let mut notices: Vec<(u64, String, String)> = t
        .notifications
        .to_vec()
        .into_iter()
        .filter(|n| n.seq > notice_seq)
        .map(|n| (n.seq, n.kind, n.subject))
        .collect();
    notices.sort();
    let previewed: Vec<(u64, String, String)> = p
        .happenings
        .iter()
        .filter_map(|h| match h {
            Happening::Notice { seq, kind, subject, .. } => Some((*seq, kind.clone(), subject.clone())),
            Happening::Event { .. } | Happening::Call { .. } => None,
        })
        .collect();
    let mut sorted = previewed.clone();
    sorted.sort();
    assert_eq!(sorted, notices);
    // Listed in time order, and counted by kind.
    assert!(p.happenings.windows(2).all(|w| w[0].at() <= w[1].at()));
    assert_eq!(p.counts.values().sum::<usize>(), p.happenings.len());
}

#[test]
fn a_refused_jump_is_refused_by_its_preview_too() {
    let t = demo();
    let member = t.users.values().find(|u| !u.global_admin && u.is_active()).unwrap().id;
    let refused = t.preview(None, &Actor::user(member), Command::AdvanceClock { seconds: 86_400 });
    assert!(matches!(refused, Err(DomainError::Forbidden(_))), "{refused:?}");
}

/// The directory users who see the package in My Access.
fn offered(t: &Tenant, pkg: PackageId) -> BTreeSet<UserId> {
    t.users
        .values()
        .filter(|u| t.available_packages(&Actor::user(u.id)).iter().any(|(p, _)| p.id == pkg))
        .map(|u| u.id)
        .collect()
}

#[track_caller]
fn previewed_is_saved(t: &mut Tenant, policy: PolicyId, f: impl FnOnce(&mut PolicySpec)) -> (usize, usize) {
    let pol = t.policy(policy).unwrap().clone();
    let mut spec = pol.spec.clone();
    f(&mut spec);
    let p = t.preview_policy_update(&Actor::System, policy, &spec, usize::MAX).unwrap();
    let held: Vec<(AssignmentId, u32)> = t
        .assignments_of_package(pol.package)
        .filter(|a| a.policy == policy && a.is_active())
        .map(|a| (a.id, a.revision))
        .collect();
    assert_eq!(p.assignments_keep_terms.count, held.len());
    let before = offered(t, pol.package);
    apply(t, Command::UpdatePolicy { policy, spec });
    let after = offered(t, pol.package);
    let gain: BTreeSet<UserId> = after.difference(&before).copied().collect();
    let lose: BTreeSet<UserId> = before.difference(&after).copied().collect();
    assert_eq!(p.gain.first.iter().copied().collect::<BTreeSet<_>>(), gain);
    assert_eq!(p.lose.first.iter().copied().collect::<BTreeSet<_>>(), lose);
    assert_eq!((p.gain.count, p.lose.count), (gain.len(), lose.len()));
    // The assignments kept the terms they were granted under.
    for (a, rev) in held {
        assert_eq!(t.assignment(a).unwrap().revision, rev);
    }
    assert_eq!(t.policy(policy).unwrap().revision, p.new_revision);
    (gain.len(), lose.len())
}

#[test]
fn a_previewed_policy_edit_names_exactly_who_the_save_changes() {
    let mut t = demo();
    let eng = t.find_policy(None, "Engineering staff").unwrap().id;
    // Widened to every member: many gain, nobody loses.
    let (gain, lose) = previewed_is_saved(&mut t, eng, |s| s.scope = RequestScope::AllMembers);
    assert!(gain > 5 && lose == 0, "{gain} {lose}");
    // Narrowed to one person: all but one lose.
    let one = t.find_user("Lee Gu").unwrap().id;
    let (gain, lose) = previewed_is_saved(&mut t, eng, |s| {
        s.scope = RequestScope::SpecificUsers { users: [one].into_iter().collect(), groups: Default::default() }
    });
    assert!(gain == 0 && lose > 5, "{gain} {lose}");
    // New requests off: the last one loses it.
    assert_eq!(previewed_is_saved(&mut t, eng, |s| s.enabled = false), (0, 1));
}

#[test]
fn a_policy_preview_lists_the_first_n_and_counts_all() {
    let t = demo();
    let eng = t.find_policy(None, "Engineering staff").unwrap().clone();
    let mut spec = eng.spec.clone();
    spec.scope = RequestScope::AllMembers;
    let p = t.preview_policy_update(&Actor::System, eng.id, &spec, 3).unwrap();
    assert_eq!(p.gain.first.len(), 3);
    assert!(p.gain.count > 3);
}
