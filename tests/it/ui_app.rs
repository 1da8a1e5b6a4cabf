//! The whole app on the demo tenant, rendered on ratatui's TestBackend at fixed sizes after scripted
//! keys. The demo's clock is frozen, so the screens are the same every run.

use crate::common;

use common::demo_ui::{demo_app, screen};
use entitle::domain::{Actor, Tenant};
use entitle::session::{Session, resolve_actor};
use entitle::store::Store;
use entitle::ui::app::{App, Tab};
use entitle::ui::ctx::Ctx;
use entitle::ui::{Action, Keymap, update};

#[test]
fn every_tab_of_the_admin_renders_at_120x35_and_80x24() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(dir.path(), None);
    let tabs: Vec<Tab> = app.visible_tabs().to_vec();
    assert!(tabs.contains(&Tab::Settings), "the administrator sees every tab: {tabs:?}");
    for tab in tabs {
        app.switch_tab(tab);
        for (w, h) in [(120, 35), (80, 24)] {
            let s = screen(&mut app, w, h);
            insta::assert_snapshot!(format!("admin_{}_{w}x{h}", format!("{tab:?}").to_lowercase()), s);
        }
    }
}

#[test]
fn a_requester_sees_only_the_requester_tabs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = demo_app(dir.path(), Some("allande@contoso.com"));
    assert_eq!(app.visible_tabs(), &[Tab::Overview, Tab::MyAccess, Tab::Approvals, Tab::Reviews, Tab::Notifications]);
    let dir2 = tempfile::tempdir().expect("tempdir");
    let app = demo_app(dir2.path(), Some("alex@azureblog.net"));
    assert_eq!(app.visible_tabs(), &[Tab::Overview, Tab::MyAccess], "someone outside the directory only has My Access");
    assert!(matches!(app.ctx.actor(), Actor::External { .. }));
}

#[test]
fn the_clock_keys_move_the_tenant_clock_and_say_what_fired() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(dir.path(), None);
    let before = app.ctx.tenant().clock.now;
    update(&mut app, Action::ClockMonth);
    let after = app.ctx.tenant().clock.now;
    assert_eq!((after - before).num_days(), 30);
    let s = screen(&mut app, 200, 50);
    assert!(s.contains("expired"), "the status line says what fired:\n{s}");
    assert!(s.contains("The clock moved") && s.contains("assignments expired"), "a summary pops up:\n{s}");
    // Counts by kind, one line each, not every review by name.
    assert!(s.contains("• 3 reviews opened") && !s.contains("review '"), "counts by kind:\n{s}");
    update(&mut app, Action::Back);
    assert!(app.top_layer().is_none(), "Esc closes the summary");
    // Reopening the files gives the same clock: the move was committed.
    let reopened = Store::<Tenant>::open(dir.path()).expect("reopen").expect("data");
    assert_eq!(reopened.state().clock.now, after);
}

#[test]
fn a_change_made_by_another_process_shows_up_on_the_next_tick() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(dir.path(), Some("allande@contoso.com"));
    // A second session on the same files (another terminal, or the CLI) requests for Allan.
    let store = Store::<Tenant>::open(dir.path()).expect("open").expect("data");
    let allan = resolve_actor(store.state(), Some("allande@contoso.com")).expect("Allan");
    let mut other = Session::new(store, allan);
    let pkg = other.tenant().find_package("Internal_AccessPackage").expect("package").id;
    other
        .run(entitle::domain::Command::SubmitRequest {
            package: pkg,
            policy: None,
            justification: "from the other terminal".into(),
            answers: Default::default(),
            start: None,
        })
        .expect("the request goes through");
    assert!(app.tick(), "the tick notices the other process's commit");
    let s = screen(&mut app, 120, 35);
    assert!(s.contains("until 2027-11-16"), "My Access shows the new assignment:\n{s}");
}

#[test]
fn below_the_smallest_size_a_notice_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(dir.path(), None);
    let s = screen(&mut app, 60, 20);
    assert!(s.contains("80") && s.contains("24"), "{s}");
}

#[test]
fn a_hidden_package_is_not_listed_but_its_link_opens_the_request_form() {
    use entitle::domain::{Command, PackageSpec};
    use entitle::ui::layers::Layer;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(dir.path(), Some("allande@contoso.com"));
    let (pkg, spec) = {
        let t = app.ctx.tenant();
        let p = t.find_package("Internal_AccessPackage").expect("package");
        (
            p.id,
            PackageSpec {
                display_name: p.display_name.clone(),
                description: p.description.clone(),
                hidden: true,
                sensitive: p.sensitive,
            },
        )
    };
    app.ctx.session.run_as(Actor::System, Command::UpdatePackage { package: pkg, spec }).expect("hide it");
    app.refresh_views();
    let s = screen(&mut app, 120, 35);
    assert!(!s.contains("Internal_AccessPackage"), "a hidden package is not listed:\n{s}");
    update(&mut app, Action::New);
    for c in format!("https://myaccess/@contoso/access-packages/{pkg}").chars() {
        app.type_char(c);
    }
    update(&mut app, Action::Open);
    assert!(matches!(app.top_layer(), Some(Layer::Form(_))), "the link opens the request form");
    let s = screen(&mut app, 120, 35);
    assert!(s.contains("Request 'Internal_AccessPackage'"), "{s}");
}

#[test]
fn a_jump_into_the_past_is_refused_by_the_domain_and_the_prompt_stays_open() {
    use entitle::ui::layers::Layer;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(dir.path(), None);
    let before = app.ctx.tenant().clock.now;
    update(&mut app, Action::ClockJump);
    for c in "2026-01-01".chars() {
        app.type_char(c);
    }
    update(&mut app, Action::Open);
    assert!(matches!(app.top_layer(), Some(Layer::Prompt(_))), "the prompt stays open");
    let s = screen(&mut app, 120, 35);
    assert!(s.contains("never goes backwards"), "{s}");
    assert_eq!(app.ctx.tenant().clock.now, before);
}

#[test]
fn a_submitted_request_is_the_one_selected_in_my_requests() {
    use entitle::domain::Command;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(dir.path(), Some("allande@contoso.com"));
    let me = app.ctx.actor().clone();
    // An earlier request, selected in My requests before the new one is submitted.
    let pkg = |name: &str, app: &App<Ctx>| app.ctx.tenant().find_package(name).map(|p| p.id).expect(name);
    let first = pkg("Internal_AccessPackage", &app);
    let earlier = Command::SubmitRequest {
        package: first,
        policy: None,
        justification: "earlier".into(),
        answers: Default::default(),
        start: None,
    };
    app.ctx.run(earlier).expect("the earlier request");
    app.refresh_views();
    update(&mut app, Action::NextPane);
    update(&mut app, Action::PrevPane);
    let other = app
        .ctx
        .tenant()
        .available_packages(&me)
        .into_iter()
        .map(|(p, _)| p.id)
        .find(|p| *p != first)
        .expect("another package to request");
    update(&mut app, Action::New);
    for c in other.to_string().chars() {
        app.type_char(c);
    }
    update(&mut app, Action::Open);
    for c in "for the project".chars() {
        app.type_char(c);
    }
    update(&mut app, Action::Submit);
    let mine = app.ctx.session.my_requests().expect("my requests");
    let newest = mine.first().map(|r| r.id).expect("the new request");
    let count = format!("Requests ({})", mine.len());
    let s = screen(&mut app, 120, 35);
    assert!(s.contains(&count), "{count}, the new one among them:\n{s}");
    let name = app.ctx.tenant().packages.get(&other).map(|p| p.display_name.clone()).expect("the package");
    assert!(s.contains(&format!("{newest} · {name}")), "the new request's details show:\n{s}");
}

/// Below the minimum size the app is hidden behind the "too small" notice: keys must not reach
/// the screens nobody sees (here `2` then `a` would open Adele's approve dialog, and typed text
/// would go into it). Only a resize and the quit keys act.
#[test]
fn keys_do_not_reach_a_screen_hidden_by_the_too_small_notice() {
    use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    let key = |c: char| Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(dir.path(), Some("adelev@contoso.com"));
    let tab = app.current_tab();
    let s = screen(&mut app, 40, 10);
    assert!(s.contains("too small"), "{s}");
    for ev in [key('2'), key('a'), key('x'), key('j'), key('?')] {
        assert!(!app.handle_event(ev), "a key acted on the hidden screen");
    }
    assert_eq!(app.current_tab(), tab, "the tab did not change");
    assert!(app.top_layer().is_none(), "no dialog opened unseen");
    // Back to a usable size, the same keys work again.
    screen(&mut app, 120, 35);
    assert!(app.handle_event(key('2')));
    assert_ne!(app.current_tab(), tab);
    // Too small again: the quit key still quits.
    screen(&mut app, 40, 10);
    assert!(app.handle_event(Event::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL))));
    assert!(app.should_quit());
}

/// `J` reads a time the way the command line does: `+7d` from the tenant's now, or a date.
#[test]
fn the_jump_prompt_reads_times_like_the_command_line() {
    use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    let key = |code: KeyCode| Event::Key(KeyEvent::new(code, KeyModifiers::NONE));
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(dir.path(), None);
    screen(&mut app, 120, 35);
    let before = app.ctx.tenant().clock.now;
    update(&mut app, Action::ClockJump);
    for c in "+7d".chars() {
        app.handle_event(key(KeyCode::Char(c)));
    }
    app.handle_event(key(KeyCode::Enter));
    let after = app.ctx.tenant().clock.now;
    assert_eq!(after - before, chrono::Duration::days(7));
    // A word the parser does not read keeps the prompt open with its message.
    update(&mut app, Action::Back);
    assert!(app.top_layer().is_none(), "the summary closed");
    update(&mut app, Action::ClockJump);
    for c in "next week".chars() {
        app.handle_event(key(KeyCode::Char(c)));
    }
    app.handle_event(key(KeyCode::Enter));
    assert!(app.top_layer().is_some(), "the prompt stays open");
    assert!(screen(&mut app, 120, 35).contains("+DURATION"), "and says what it reads");
}

/// The help shows what works on this screen for this person: the tabs they have, by name; the
/// verbs this tab offers; no clock keys for someone the domain would not let move the clock.
#[test]
fn the_help_shows_what_works_here_for_this_person() {
    use entitle::ui::widgets::help::help_entries_for;
    let texts = |app: &App<Ctx>| -> Vec<String> {
        help_entries_for(&Keymap::defaults(), &app.help_scope()).into_iter().map(|e| e.text).collect()
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let allan = demo_app(dir.path(), Some("allande@contoso.com"));
    let help = texts(&allan);
    assert!(
        help.iter().any(|t| t == "Go to My access") && help.iter().any(|t| t == "Go to Notifications"),
        "{help:#?}"
    );
    assert!(!help.iter().any(|t| t.starts_with("Go to tab")), "no keys to tabs Allan does not have: {help:#?}");
    assert!(!help.iter().any(|t| t.contains("in-app clock")), "Allan may not move the clock: {help:#?}");
    assert!(help.iter().any(|t| t == "Request access"), "My Access offers a request: {help:#?}");
    assert!(!help.iter().any(|t| t == "Approve"), "but approving is on another tab: {help:#?}");
    let dir = tempfile::tempdir().expect("tempdir");
    let admin = demo_app(dir.path(), None);
    let help = texts(&admin);
    assert!(help.iter().any(|t| t.contains("in-app clock")), "the administrator may: {help:#?}");
    assert!(help.iter().any(|t| t == "Go to Settings"), "{help:#?}");
}

/// `u` signs in as anyone `--as` can: a new external email typed into the picker's filter is
/// offered as a row of its own ("Sign in by email as …"), and choosing it signs in from outside.
#[test]
fn the_user_picker_signs_in_a_new_external_email_like_the_command_line() {
    use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    let key = |code: KeyCode| Event::Key(KeyEvent::new(code, KeyModifiers::NONE));
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(dir.path(), None);
    screen(&mut app, 120, 35);
    update(&mut app, Action::SwitchUser);
    for c in "sam@fabrikam.com".chars() {
        app.handle_event(key(KeyCode::Char(c)));
    }
    let s = screen(&mut app, 120, 35);
    assert!(s.contains("Sign in by email as sam@fabrikam.com"), "{s}");
    app.handle_event(key(KeyCode::End));
    app.handle_event(key(KeyCode::Enter));
    match app.ctx.actor() {
        Actor::External { email, .. } => assert_eq!(email, "sam@fabrikam.com"),
        other => panic!("signed in as {other:?}"),
    }
    assert_eq!(app.visible_tabs(), &[Tab::Overview, Tab::MyAccess], "someone outside the directory has My Access");
    // The same email through the command line's reading of --as.
    let cli = entitle::session::resolve_actor(app.ctx.tenant(), Some("sam@fabrikam.com")).expect("--as reads it");
    assert_eq!(&cli, app.ctx.actor());
}

/// Alex signs in by email and waits for Adele. When she approves (in another process), he
/// becomes a guest in the directory: his running app follows, signs him in as that guest and
/// gives him the tabs a guest has, on its next look at the files.
#[test]
fn the_running_app_follows_the_directory_when_an_outsider_becomes_a_guest() {
    use entitle::domain::{Command, Target};
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(dir.path(), Some("alex@azureblog.net"));
    assert_eq!(app.visible_tabs(), &[Tab::Overview, Tab::MyAccess]);
    let pending = app
        .ctx
        .tenant()
        .requests
        .values()
        .find(|r| {
            r.state.is_open() && matches!(&r.target, Target::External { email, .. } if email == "alex@azureblog.net")
        })
        .map(|r| r.id)
        .expect("the demo has Alex's request waiting");
    // Adele approves in another process.
    let store = Store::open(dir.path()).expect("open").expect("data");
    let adele = resolve_actor(store.state(), Some("adelev@contoso.com")).expect("Adele");
    let mut other = Session::new(store, adele);
    let reason = "Alex works with us".to_string();
    other.run(Command::Decide { request: pending, approve: true, reason }).expect("approved");
    assert!(app.tick(), "the app sees the change");
    assert!(matches!(app.ctx.actor(), Actor::User { .. }), "signed in as the guest now: {:?}", app.ctx.actor());
    assert!(app.visible_tabs().len() > 2, "a guest has more than My Access: {:?}", app.visible_tabs());
    let s = screen(&mut app, 120, 35);
    assert!(s.contains("is in the directory now"), "and is told so:\n{s}");
}
