//! Detail panes longer than their room: they say what is hidden, `]` focuses them, the keys and
//! the wheel scroll them, and a long value wraps under its value column (issue 8, finding 1).

use crate::common;

use std::path::Path;

use common::demo_ui::{demo_app, screen};
use crossterm::event::{KeyModifiers, MouseEvent, MouseEventKind};
use entitle::session::{Session, resolve_actor};
use entitle::store::Store;
use entitle::ui::app::{App, Tab};
use entitle::ui::ctx::Ctx;
use entitle::ui::run::build_app;
use entitle::ui::{Action, Keymap, Theme, update};

const ADELE: Option<&str> = Some("adelev@contoso.com");

fn press(app: &mut App<Ctx>, actions: &[Action]) {
    for a in actions {
        update(app, *a);
    }
}

/// The demo with a catalog description of about 3,000 characters, as the administrator.
fn long_catalog_app(dir: &Path) -> App<Ctx> {
    let mut tenant = entitle::demo::demo_tenant().expect("the demo builds");
    let words = "Access to the finance systems of Contoso is reviewed every quarter by the controller. ";
    let catalog = tenant.catalogs.values_mut().next().expect("a catalog");
    catalog.description = format!("{}the end of the description.", words.repeat(35));
    let store = Store::create(dir, tenant).expect("a store");
    let actor = resolve_actor(store.state(), None).expect("the administrator");
    build_app(Session::new(store, actor), Path::new("/data/contoso"), Keymap::defaults(), Theme::monochrome())
}

/// Adele's inbox at 80x24 lost Policy, Approvers and Submitted under a list taller than its one
/// row: the list now takes what its rows need and the details the rest.
#[test]
fn the_inbox_detail_at_80x24_shows_all_of_the_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(dir.path(), ADELE);
    app.switch_tab(Tab::Approvals);
    let s = screen(&mut app, 80, 24);
    for label in ["Policy        ", "Approvers     ", "Submitted     "] {
        assert!(s.contains(label), "{label:?} missing:\n{s}");
    }
    assert!(!s.contains("to scroll"), "{s}");
}

#[test]
fn a_long_catalog_description_scrolls_and_wraps_under_its_label() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = long_catalog_app(dir.path());
    app.switch_tab(Tab::Catalogs);
    for (w, h) in [(80, 24), (200, 50)] {
        let s = screen(&mut app, w, h);
        assert!(s.contains("more · ] to scroll"), "{w}x{h}:\n{s}");
        assert!(!s.contains("My role       Global"), "{w}x{h}:\n{s}");
    }
    // `]` from the catalogs list focuses their details, before the sub-lists.
    press(&mut app, &[Action::NextPane, Action::End]);
    for (w, h) in [(80, 24), (200, 50)] {
        let s = screen(&mut app, w, h);
        assert!(s.contains("My role       Global") && s.contains("above"), "the last line: {w}x{h}:\n{s}");
        insta::assert_snapshot!(format!("detail_long_catalog_{w}x{h}"), s);
    }
    // `]` again goes on to the catalog's first sub-list.
    press(&mut app, &[Action::NextPane]);
    let s = screen(&mut app, 80, 24);
    assert!(!s.contains("back to the list"), "{s}");
}

#[test]
fn the_wheel_over_the_details_scrolls_them_and_esc_gives_the_keys_back_to_the_list() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = long_catalog_app(dir.path());
    app.switch_tab(Tab::Catalogs);
    let before = screen(&mut app, 80, 24);
    let down = |row| MouseEvent { kind: MouseEventKind::ScrollDown, column: 10, row, modifiers: KeyModifiers::NONE };
    // The details are the lower part of the tab at 80 columns.
    assert!(app.handle_mouse(down(18)));
    let after = screen(&mut app, 80, 24);
    assert_ne!(before, after, "the wheel scrolled the details");
    assert!(after.contains("above") && after.contains("General          yes"), "the list stayed:\n{after}");
    press(&mut app, &[Action::NextPane, Action::Back, Action::Down]);
    let s = screen(&mut app, 80, 24);
    assert!(!s.contains("back to the list"), "Esc left the pane:\n{s}");
    assert!(s.contains("External") && !s.contains("the finance systems"), "Down moved the list:\n{s}");
}

#[test]
fn a_pane_that_fits_is_not_focused_and_the_key_goes_to_the_next_list() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(dir.path(), ADELE);
    app.switch_tab(Tab::Approvals);
    let s = screen(&mut app, 200, 50);
    assert!(!s.contains("to scroll"), "all of it fits at 200x50:\n{s}");
    press(&mut app, &[Action::NextPane]);
    let s = screen(&mut app, 200, 50);
    assert!(!s.contains("back to the list") && s.contains("My decision"), "History is shown:\n{s}");
}

/// An assignment that ended speaks in the past tense: "Ended", "Granted" (finding 10).
#[test]
fn an_ended_assignment_says_granted_and_ended() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(dir.path(), Some("cameronw@contoso.com"));
    app.switch_tab(Tab::MyAccess);
    press(&mut app, &[Action::NextPane, Action::NextPane]);
    let s = screen(&mut app, 200, 50);
    assert!(s.contains("removed") && s.contains("Granted       ") && s.contains("Ended         "), "{s}");
    assert!(!s.contains("Grants        ") && !s.contains("Ends          "), "{s}");
}

/// A date field's placeholder starts where typed text starts (it sat one column off).
#[test]
fn a_placeholder_starts_where_the_typed_value_starts() {
    use entitle::ui::widgets::form::{Field, Form};
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    let column_of = |form: &Form, needle: &str| {
        let area = Rect::new(0, 0, 80, 24);
        let mut buf = Buffer::empty(area);
        form.render(area, &mut buf, &Theme::monochrome());
        (0..24).find_map(|y| {
            let row: String = (0..80).map(|x| buf[(x, y)].symbol().to_string()).collect();
            row.find(needle).map(|i| row[..i].chars().count())
        })
    };
    let mut form = Form::new(entitle::ui::ask::Ask::ClockJump, "Dates").field(Field::date("start", "Start", true));
    let empty = column_of(&form, "YYYY-MM-DD").expect("the placeholder");
    for c in "2027".chars() {
        form.text(c);
    }
    assert_eq!(column_of(&form, "2027"), Some(empty));
}
