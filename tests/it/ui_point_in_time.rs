//! The Reports tab's date field on the demo: `e` on "Who holds a resource" (and on "What a user
//! holds", and on "Assignments of a package") asks for an instant; a past date shows the holders of then, saying so in the title;
//! a date after the in-app clock is refused in the prompt; empty goes back to now.

use crate::common;

use common::demo_ui::{demo_app, screen};
use common::keys::{press, typ};
use entitle::ui::Tab;
use entitle::ui::layers::Layer;

/// The demo's Partner Communications: Sam Taylor's assignment ended on 2026-09-14 (and he, a
/// guest, has left the directory since).
const RESOURCE: &str = "Partner Communications";

#[test]
fn a_past_date_shows_the_holders_of_then() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path(), None);
    app.switch_tab(Tab::Reports);
    press(&mut app, &["]", "enter"]);
    typ(&mut app, RESOURCE);
    press(&mut app, &["enter"]);
    let s = screen(&mut app, 120, 35);
    assert!(s.contains(&format!("Who holds {RESOURCE} and why")), "{s}");
    assert!(s.contains("Kai Carter") && !s.contains("Sam Taylor"), "{s}");

    // A date after the in-app clock: the tenant's rule, in the prompt.
    press(&mut app, &["e"]);
    assert!(matches!(app.top_layer(), Some(Layer::Prompt(_))), "no date prompt");
    typ(&mut app, "2027-01-01");
    press(&mut app, &["enter"]);
    let s = screen(&mut app, 120, 35);
    assert!(s.contains("after the in-app clock"), "{s}");
    press(&mut app, &["ctrl-u"]);
    typ(&mut app, "2026-08-01");
    press(&mut app, &["enter"]);
    assert!(app.top_layer().is_none(), "the prompt closed");
    let s = screen(&mut app, 120, 35);
    assert!(s.contains(&format!("Who held {RESOURCE} and why, as of 2026-08-01 00:00")), "{s}");
    assert!(s.contains("Kai Carter") && s.contains("Sam Taylor"), "{s}");
    assert!(s.contains("as of 2026-08-01"), "the menu says it: {s}");
    // The details say when the holding began and ended.
    press(&mut app, &["j"]);
    let s = screen(&mut app, 120, 35);
    assert!(s.contains("Until") && s.contains("2026-09-14 09:00"), "{s}");

    // Empty: now again.
    press(&mut app, &["e", "ctrl-u", "enter"]);
    let s = screen(&mut app, 120, 35);
    assert!(s.contains(&format!("Who holds {RESOURCE} and why")) && !s.contains("Sam Taylor"), "{s}");
}

#[test]
fn the_access_report_of_a_user_takes_a_date_too() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path(), None);
    app.switch_tab(Tab::Reports);
    // The last report: "What a user holds and why".
    press(&mut app, &["["]);
    press(&mut app, &["enter"]);
    typ(&mut app, "Pradeep Gupta");
    press(&mut app, &["enter"]);
    let s = screen(&mut app, 120, 35);
    assert!(s.contains("What Pradeep Gupta holds and why") && !s.contains("SOX Reporting Users"), "{s}");
    press(&mut app, &["e"]);
    typ(&mut app, "2026-08-01 12:00");
    press(&mut app, &["enter"]);
    let s = screen(&mut app, 120, 35);
    assert!(s.contains("What Pradeep Gupta held and why, as of 2026-08-01 12:00"), "{s}");
    assert!(s.contains("SOX Reporting Users") && s.contains("Finance Distribution"), "{s}");
    // The narrow bar shows the current report, the last one.
    let narrow = screen(&mut app, 80, 24);
    assert!(narrow.lines().nth(1).is_some_and(|l| l.contains(" Access ") && l.contains("[ ]")), "{narrow}");
}

/// The line of the screen that names `who`.
fn line_of<'a>(s: &'a str, who: &str) -> &'a str {
    s.lines().find(|l| l.contains(who)).unwrap_or_default()
}

#[test]
fn a_packages_assignments_take_a_date_and_show_their_state_of_then() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path(), None);
    app.switch_tab(Tab::Reports);
    // The third report: "Assignments of a package by state".
    press(&mut app, &["]", "]", "enter"]);
    typ(&mut app, "Partner Access");
    press(&mut app, &["enter"]);
    let s = screen(&mut app, 120, 35);
    assert!(s.contains("Assignments of Partner Access by state"), "{s}");
    assert!(!line_of(&s, "Sam Taylor").contains("delivered"), "ended by now: {s}");
    press(&mut app, &["e"]);
    typ(&mut app, "2026-08-01");
    press(&mut app, &["enter"]);
    let s = screen(&mut app, 120, 35);
    assert!(s.contains("Assignments of Partner Access by state, as of 2026-08-01 00:00"), "{s}");
    assert!(line_of(&s, "Sam Taylor").contains("delivered"), "in force then: {s}");
}
