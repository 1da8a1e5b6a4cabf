//! Finding 4 of issue 8: nothing is offered that is then refused. The footer and the help offer a
//! verb only when the domain's `Tenant::may` lets it act on the selection; a key pressed for a verb
//! that may not act says why at once, and no form, prompt or confirmation opens.

use crate::common;

use common::keys::press;
use std::path::Path;

use common::*;
use entitle::domain::*;
use entitle::session::Session;
use entitle::store::Store;
use entitle::ui::ctx::Ctx;
use entitle::ui::run::build_app;
use entitle::ui::{App, Keymap, Tab, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

struct Fx {
    t: Tenant,
    admin: UserId,
    mia: UserId,
}

/// Mia holds Free, waits for Bob's decision on Gated and held Brief until it expired; the Full
/// catalog holds those packages, the Empty one none.
fn world() -> Fx {
    let mut w = World::new();
    let mia = w.user("Mia Member");
    let bob = w.user("Bob Boss");
    let full = w.catalog("Full");
    w.catalog("Empty");
    let team = w.team("Team");
    w.add_to_catalog(full, team);
    let mut thirty = members_policy("Thirty days");
    thirty.lifecycle.expiration = Expiration::AfterDays(30);
    thirty.lifecycle.allow_extension = true;
    thirty.lifecycle.allow_self_removal = true;
    let package = |w: &mut World, name: &str, spec: PolicySpec| {
        let p = w.package(full, name);
        w.add_role(p, team, "Member");
        w.policy(p, spec);
        p
    };
    let free = package(&mut w, "Free", thirty.clone());
    let mut gated = thirty.clone();
    gated.stages = vec![stage(vec![by(bob)])];
    let gated = package(&mut w, "Gated", gated);
    let mut brief = thirty;
    brief.lifecycle.expiration = Expiration::AfterDays(1);
    let brief = package(&mut w, "Brief", brief);
    w.request(&u(mia), free);
    w.request(&u(mia), gated);
    w.request(&u(mia), brief);
    w.advance(2);
    Fx { admin: w.admin, mia, t: w.t }
}

fn app_as(fx: Fx, who: fn(&Fx) -> UserId, dir: &Path, tab: Tab) -> App<Ctx> {
    let user = who(&fx);
    let store = Store::create(dir, fx.t).unwrap_or_else(|e| panic!("store: {e}"));
    let mut app = build_app(
        Session::new(store, Actor::user(user)),
        Path::new("/data/contoso"),
        Keymap::defaults(),
        Theme::monochrome(),
    );
    app.switch_tab(tab);
    app
}

/// Shows only the rows matching `text` in the focused list (the first is selected).
fn filter(app: &mut App<Ctx>, text: &str) {
    press(app, &["/", "ctrl-u"]);
    for c in text.chars() {
        app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
    press(app, &["enter"]);
}

fn labels(app: &App<Ctx>) -> Vec<String> {
    app.hints().into_iter().map(|(_, l)| l).collect()
}

fn said(app: &App<Ctx>) -> String {
    app.message().map(|m| m.text.clone()).unwrap_or_default()
}

fn screen(app: &mut App<Ctx>, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap_or_else(|e| panic!("{e}"));
    term.draw(|f| app.draw(f)).unwrap_or_else(|e| panic!("{e}"));
    term
}

/// `key` for a verb the footer does not offer: the reason at once, and nothing opens.
#[track_caller]
fn refused_at_once(app: &mut App<Ctx>, key: &str, reason: &str) {
    press(app, &[key]);
    assert!(app.top_layer().is_none(), "{key} opened {:?}", app.top_layer());
    assert!(said(app).contains(reason), "{key}: {}", said(app));
}

#[test]
fn my_access_offers_request_cancel_extend_and_remove_only_where_they_act() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut app = app_as(world(), |f| f.mia, dir.path(), Tab::MyAccess);

    // A package she holds, one she waits for: no request; `r` says why.
    filter(&mut app, "Free");
    assert!(!labels(&app).contains(&"request".to_string()), "{:?}", labels(&app));
    refused_at_once(&mut app, "r", "already has 'Free'");
    for (w, h) in [(80, 24), (200, 50)] {
        insta::assert_snapshot!(format!("offered_request_held_{w}x{h}"), screen(&mut app, w, h).backend());
    }
    filter(&mut app, "Gated");
    assert!(!labels(&app).contains(&"request".to_string()), "{:?}", labels(&app));
    refused_at_once(&mut app, "r", "pending request for 'Gated'");
    // One she no longer holds is offered, and opens the form.
    filter(&mut app, "Brief");
    assert!(labels(&app).contains(&"request".to_string()), "{:?}", labels(&app));
    press(&mut app, &["r"]);
    assert!(app.top_layer().is_some(), "the request form opens");
    press(&mut app, &["esc"]);

    // Requests: a delivered one cannot be canceled, a pending one can.
    press(&mut app, &["]"]);
    filter(&mut app, "Free");
    assert!(!labels(&app).contains(&"cancel request".to_string()), "{:?}", labels(&app));
    refused_at_once(&mut app, "c", "can no longer be canceled");
    for (w, h) in [(80, 24), (200, 50)] {
        insta::assert_snapshot!(format!("offered_cancel_delivered_{w}x{h}"), screen(&mut app, w, h).backend());
    }
    filter(&mut app, "Gated");
    assert!(labels(&app).contains(&"cancel request".to_string()), "{:?}", labels(&app));

    // Access: an expired assignment offers neither extend nor remove.
    press(&mut app, &["]"]);
    filter(&mut app, "Brief");
    let l = labels(&app);
    assert!(!l.contains(&"extend".to_string()) && !l.contains(&"remove".to_string()), "{l:?}");
    refused_at_once(&mut app, "R", "has already ended");
    refused_at_once(&mut app, "E", "has ended");
    // An active one offers both.
    filter(&mut app, "Free");
    let l = labels(&app);
    assert!(l.contains(&"extend".to_string()) && l.contains(&"remove".to_string()), "{l:?}");
}

#[test]
fn catalogs_and_packages_offer_delete_and_remove_only_where_they_act() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut app = app_as(world(), |f| f.admin, dir.path(), Tab::Catalogs);

    filter(&mut app, "Full");
    assert!(!labels(&app).contains(&"delete".to_string()), "{:?}", labels(&app));
    refused_at_once(&mut app, "d", "still holds 3 access package(s)");
    for (w, h) in [(80, 24), (200, 50)] {
        insta::assert_snapshot!(format!("offered_delete_full_catalog_{w}x{h}"), screen(&mut app, w, h).backend());
    }
    filter(&mut app, "Empty");
    assert!(labels(&app).contains(&"delete".to_string()), "{:?}", labels(&app));
    press(&mut app, &["d"]);
    assert!(app.top_layer().is_some(), "deleting the empty catalog asks first");
    press(&mut app, &["esc"]);

    // Access packages > Assignments: an expired assignment is not offered for removal.
    app.switch_tab(Tab::Packages);
    filter(&mut app, "Brief");
    press(&mut app, &["]", "]", "]"]);
    assert!(!labels(&app).contains(&"remove assignment".to_string()), "{:?}", labels(&app));
    refused_at_once(&mut app, "R", "has already ended");
    app.switch_tab(Tab::Packages);
    press(&mut app, &["esc"]);
    filter(&mut app, "Free");
    press(&mut app, &["]", "]", "]"]);
    assert!(labels(&app).contains(&"remove assignment".to_string()), "{:?}", labels(&app));
}

#[test]
fn the_help_leaves_out_the_verbs_that_cannot_act_here() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut app = app_as(world(), |f| f.mia, dir.path(), Tab::MyAccess);
    filter(&mut app, "Free");
    press(&mut app, &["?"]);
    let shot = format!("{}", screen(&mut app, 120, 50).backend());
    assert!(!shot.contains("Request access"), "{shot}");
    press(&mut app, &["esc"]);
    filter(&mut app, "Brief");
    press(&mut app, &["?"]);
    let shot = format!("{}", screen(&mut app, 120, 50).backend());
    assert!(shot.contains("Request access"), "{shot}");
}
