//! Explain and the clock preview in the terminal app, on the demo: `w` on My Access explains a
//! package to the person signed in (the same text as `entitle explain request`), `w` on a person
//! in the Directory offers their memberships and the packages, and `P` previews a clock move in a
//! popup that scrolls, with nothing changed.

use crate::common;

use common::demo_ui::{demo_app, screen};
use common::keys::{press, typ};
use entitle::domain::Actor;
use entitle::ui::Tab;
use entitle::ui::layers::Layer;

/// The text of the popup on top, if it is a scrolling text.
fn popup(app: &entitle::ui::App<entitle::ui::ctx::Ctx>) -> Option<String> {
    match app.top_layer() {
        Some(Layer::Text(v)) => Some(v.lines.join("\n")),
        _ => None,
    }
}

#[test]
fn my_access_explains_a_package_the_person_cannot_request() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path(), Some("Adele Vance"));
    app.switch_tab(Tab::MyAccess);
    // The Requests list has no package to explain: a prompt asks for one.
    press(&mut app, &["]", "w"]);
    assert!(matches!(app.top_layer(), Some(Layer::Prompt(_))), "no prompt");
    typ(&mut app, "Legacy VPN");
    press(&mut app, &["enter"]);
    let text = popup(&app).expect("an explanation");
    let t = app.ctx.tenant();
    let me = t.find_user("Adele Vance").unwrap().id;
    let pkg = t.find_package("Legacy VPN").unwrap().id;
    let domain = t.explain_request(&Actor::user(me), &Actor::user(me), pkg).unwrap();
    assert_eq!(text, domain.text().trim_end(), "the app's wording is the domain's");
    assert!(text.contains("? No") && text.contains("<- the answer"), "{text}");
    insta::assert_snapshot!("explain_request_120x35", screen(&mut app, 120, 35));
    press(&mut app, &["esc"]);
    assert!(app.top_layer().is_none());
}

#[test]
fn the_directory_explains_why_a_person_holds_a_resource() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path(), None);
    app.switch_tab(Tab::Directory);
    press(&mut app, &["/"]);
    typ(&mut app, "Grady");
    press(&mut app, &["enter", "w"]);
    assert!(matches!(app.top_layer(), Some(Layer::Picker(_))), "no picker");
    typ(&mut app, "holds project alpha member");
    press(&mut app, &["enter"]);
    let text = popup(&app).expect("an explanation");
    assert!(text.contains("Grady Archie holds Project Alpha Member"), "{text}");
    assert!(text.contains("approved by Lidia Holloway") && text.contains("would be lost"), "{text}");
}

#[test]
fn the_clock_preview_lists_what_would_fire_and_moves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path(), None);
    let before = app.ctx.tenant().clock.now;
    let seq = app.ctx.tenant().audit_seq;
    press(&mut app, &["P"]);
    typ(&mut app, "+90d");
    press(&mut app, &["enter"]);
    let text = popup(&app).expect("a preview");
    assert!(text.contains("Counts:") && text.contains("assignment.expired"), "{text}");
    assert_eq!(app.ctx.tenant().clock.now, before, "the preview moved the clock");
    assert_eq!(app.ctx.tenant().audit_seq, seq, "the preview wrote to the audit log");
    insta::assert_snapshot!("clock_preview_120x35", screen(&mut app, 120, 35));
    // It scrolls.
    press(&mut app, &["pgdn"]);
    let Some(Layer::Text(v)) = app.top_layer() else { panic!("closed") };
    assert!(v.scroll.top() > 0);
}

#[test]
fn a_member_may_not_preview_the_clock() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path(), Some("Adele Vance"));
    press(&mut app, &["P"]);
    assert!(app.top_layer().is_none(), "a prompt opened for someone who may not move the clock");
}

/// F2 in the policy editor previews what saving the edit would change; nothing is saved and the
/// form stays open under the preview.
#[test]
fn the_policy_editor_previews_an_edit_before_it_is_saved() {
    use common::policy_ui::{type_into, world};
    use entitle::ui::ask::Ask;
    use entitle::ui::{Action, update};
    let mut w = world();
    w.app.switch_tab(Tab::Packages);
    for _ in 0..3 {
        update(&mut w.app, Action::NextPane);
        update(&mut w.app, Action::Edit);
        if matches!(w.app.top_layer(), Some(Layer::Form(f)) if matches!(f.id, Ask::Policy { policy: Some(_), .. })) {
            break;
        }
        if w.app.top_layer().is_some() {
            update(&mut w.app, Action::Back);
        }
    }
    let Some(Layer::Form(form)) = w.app.top_layer_mut() else { panic!("no policy editor") };
    type_into(form, "name", "Employees, renamed");
    form.set_value("enabled", false);
    press(&mut w.app, &["f2"]);
    let text = popup(&w.app).expect("a preview");
    assert!(text.starts_with("Dry run, nothing saved."), "{text}");
    assert!(text.contains("Could no longer request it") && text.contains("Eve Employee"), "{text}");
    assert!(text.contains("Assignments keep their terms  1:"), "{text}");
    let policy = w.app.ctx.tenant().policies.values().next().unwrap();
    assert!(policy.spec.enabled && policy.spec.display_name == "Employees", "the preview saved the edit");
    press(&mut w.app, &["esc"]);
    assert!(matches!(w.app.top_layer(), Some(Layer::Form(_))), "the form closed with the preview");
}

/// The clock popup (`J`) previews the move when what is typed ends with `?`, and moves it otherwise.
#[test]
fn the_clock_popup_previews_a_move_ending_with_a_question_mark() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path(), None);
    let before = app.ctx.tenant().clock.now;
    press(&mut app, &["J"]);
    typ(&mut app, "+7d?");
    press(&mut app, &["enter"]);
    let text = popup(&app).expect("a preview");
    assert!(text.starts_with("Nothing changed yet. Clock now"), "{text}");
    assert_eq!(app.ctx.tenant().clock.now, before);
    press(&mut app, &["esc", "J"]);
    typ(&mut app, "+7d");
    press(&mut app, &["enter"]);
    assert_eq!(app.ctx.tenant().clock.now, before + chrono::Duration::days(7));
}
