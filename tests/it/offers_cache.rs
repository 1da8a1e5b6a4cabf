//! What may be requested is kept by what is offered (`Tenant::offers_key`): the requestable
//! index a screen made is kept across requests, decisions and clock moves, and made again after
//! a change of a policy; My Access's list made through it (`available_packages_by`) is the list
//! made by asking every policy of every package (`available_packages`), for every person of the
//! demo tenant and people from outside, also after policies change.

use std::path::Path;

use entitle::domain::{Actor, Command, Entry, RequestScope, Tenant};
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

fn same_lists(t: &Tenant) -> usize {
    let index = t.requestable();
    let mut rows = 0;
    for a in everyone(t) {
        let whole: Vec<_> = t.available_packages(&a).into_iter().map(|(p, pols)| (p.id, pols.len())).collect();
        let by: Vec<_> = t.available_packages_by(&index, &a).into_iter().map(|(p, pols)| (p.id, pols.len())).collect();
        assert_eq!(by, whole, "{a:?}");
        rows += whole.len();
    }
    rows
}

fn commit(s: &mut Session, command: Command) {
    s.store.commit(|t| Entry { at: t.now(), actor: Actor::System, command }).expect("commits");
}

#[test]
fn my_access_through_the_index_is_every_policy_asked_also_after_policies_change() {
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
fn my_access_keeps_its_index_through_a_clock_move_and_shows_a_disabled_policy_gone() {
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
        let t = app.ctx.tenant();
        t.available_packages_by(&app.ctx.requestable(), app.ctx.actor()).iter().any(|(p, _)| p.id == package)
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
