//! What may be requested is kept by what is offered (`Tenant::offers_key`): the requestable
//! index the app made (for the Directory's details) is kept across requests, decisions and
//! clock moves, and made again after a change of a policy; what it says a person may request
//! is what asking every policy of every package says (`available_packages`), for every person
//! of the demo tenant and people from outside, also after policies change.

use std::path::Path;

use entitle::domain::requestable::Requestable;
use entitle::domain::{Actor, Command, Entry, PackageId, RequestScope, Tenant};
use entitle::session::Session;
use entitle::ui::run::build_app;
use entitle::ui::{Keymap, Tab, Theme};

fn demo(dir: &Path) -> Session {
    let (store, _) =
        Session::init(dir, true, "admin@example.com", entitle::store::LockWait::default()).expect("the demo");
    Session::new(store, Actor::System)
}

/// Every user of the tenant, and someone from each connected organization's domain and from nowhere.
fn everyone(t: &Tenant) -> Vec<Actor> {
    let mut out: Vec<Actor> = t.users.keys().map(|u| Actor::user(*u)).collect();
    for o in t.orgs.values() {
        for d in &o.domains {
            out.push(Actor::external(format!("someone@{d}"), "Someone"));
        }
    }
    out.push(Actor::external("nobody@nowhere.example", "Nobody"));
    out
}

/// The packages `who` may request by the index (listed ones: My Access's), ascending.
fn by_index(t: &Tenant, index: &Requestable, who: &Actor) -> Vec<PackageId> {
    let Some(r) = t.requester(who) else { return vec![] };
    let by = t.requestable_by(index, &r);
    let mut ids: Vec<PackageId> = by.class.iter().chain(by.own.iter()).copied().collect();
    ids.retain(|id| t.packages.get(id).is_some_and(Tenant::listed));
    ids.sort_unstable();
    ids.dedup();
    ids
}

fn same_lists(t: &Tenant) -> usize {
    let index = t.requestable();
    let mut rows = 0;
    for a in everyone(t) {
        let whole: Vec<PackageId> = t.available_packages(&a).into_iter().map(|(p, _)| p.id).collect();
        assert_eq!(by_index(t, &index, &a), whole, "{a:?}");
        rows += whole.len();
    }
    rows
}

fn commit(s: &mut Session, command: Command) {
    s.store.commit(|t| Entry { at: t.now(), actor: Actor::System, command }).expect("commits");
}

#[test]
fn the_index_offers_what_every_policy_asked_offers_also_after_policies_change() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut s = demo(&tmp.path().join("data"));
    assert!(same_lists(s.tenant()) > 10, "the demo offers packages");
    // Every policy's scope made the next kind of scope, in turn, and some disabled.
    let policies: Vec<_> = s.tenant().policies.values().map(|p| (p.id, p.spec.clone())).collect();
    for (i, (policy, mut spec)) in policies.into_iter().enumerate() {
        spec.scope = match i % 4 {
            0 => RequestScope::AllMembers,
            1 => RequestScope::AllDirectoryUsers,
            2 => RequestScope::AllExternal,
            _ => spec.scope,
        };
        spec.enabled = i % 5 != 0;
        let _ = s.store.commit(|t| Entry {
            at: t.now(),
            actor: Actor::System,
            command: Command::UpdatePolicy { policy, spec },
        });
    }
    same_lists(s.tenant());
}

#[test]
fn the_offers_key_stays_through_requests_and_clock_moves_and_moves_with_a_policy() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut s = demo(&tmp.path().join("data"));
    let key = s.tenant().offers_key();
    commit(&mut s, Command::AdvanceClock { seconds: 3 * 86_400 });
    assert_eq!(s.tenant().offers_key(), key, "a clock move offers the same");
    let copy = s.tenant().clone();
    assert_ne!(copy.offers_key(), key, "a copy is another tenant");
    let (policy, mut spec) = s.tenant().policies.values().map(|p| (p.id, p.spec.clone())).next().expect("a policy");
    spec.enabled = !spec.enabled;
    commit(&mut s, Command::UpdatePolicy { policy, spec });
    assert_ne!(s.tenant().offers_key(), key, "a policy changed");
}

#[test]
fn the_app_keeps_its_index_through_a_clock_move_and_makes_it_again_after_a_policy_change() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut s = demo(&tmp.path().join("data"));
    // A person with something to request, and the policies it is offered through.
    let t = s.tenant();
    let (who, package) = t
        .users
        .values()
        .filter(|u| u.enabled && !u.global_admin)
        .find_map(|u| t.available_packages(&Actor::user(u.id)).first().map(|(p, _)| (u.id, p.id)))
        .expect("someone may request something");
    let policies: Vec<_> = t.policies_of(package).map(|p| (p.id, p.spec.clone())).collect();
    s.actor = Actor::user(who);
    let mut app = build_app(s, Path::new("/data"), Keymap::defaults(), Theme::monochrome());
    app.switch_tab(Tab::MyAccess);
    let before = app.ctx.requestable();
    let offered = |app: &entitle::ui::App<entitle::ui::ctx::Ctx>| {
        by_index(app.ctx.tenant(), &app.ctx.requestable(), app.ctx.actor()).contains(&package)
    };
    assert!(offered(&app));

    app.ctx
        .session
        .store
        .commit(|t| Entry { at: t.now(), actor: Actor::System, command: Command::AdvanceClock { seconds: 3_600 } })
        .expect("moves");
    app.refresh_views();
    assert!(std::rc::Rc::ptr_eq(&before, &app.ctx.requestable()), "the index is kept through a clock move");

    for (policy, mut spec) in policies {
        spec.enabled = false;
        app.ctx
            .session
            .store
            .commit(|t| Entry { at: t.now(), actor: Actor::System, command: Command::UpdatePolicy { policy, spec } })
            .expect("disables");
    }
    app.refresh_views();
    assert!(!std::rc::Rc::ptr_eq(&before, &app.ctx.requestable()), "made again after the policies changed");
    assert!(!offered(&app), "no longer offered");
}
