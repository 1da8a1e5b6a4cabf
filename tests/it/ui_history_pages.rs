//! A long history on screen a page at a time: My access > Requests as the generated
//! administrator (who assigned by hand: hundreds of finished requests) shows the count of the
//! whole list and its first rows having read only the first page of records from the history,
//! and reads further pages only as the cursor reaches them.

use crate::common;

use common::keys::press;
use std::path::Path;

use entitle::domain::*;
use entitle::scale::{ScaleParams, build};
use entitle::session::{PAGE, Session};
use entitle::store::Store;
use entitle::ui::ctx::Ctx;
use entitle::ui::run::build_app;
use entitle::ui::{App, Keymap, Tab, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const W: u16 = 120;
const H: u16 = 35;

fn frame(app: &mut App<Ctx>) -> String {
    let mut t = Terminal::new(TestBackend::new(W, H)).expect("test backend");
    t.draw(|f| app.draw(f)).expect("draw");
    let buf = t.backend().buffer();
    (0..H).map(|y| (0..W).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n").collect()
}

fn row(id: RequestId) -> String {
    format!("│{id:<8} ")
}

#[test]
fn my_requests_show_the_count_and_the_first_page_and_read_more_pages_moving_down() {
    let (t, _) = build(ScaleParams::for_assignments(300)).expect("the scale tenant builds");
    let admin = t.users.values().find(|u| u.global_admin).map(|u| u.id).expect("an administrator");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::create(dir.path().join("data"), t).expect("store");
    let session = Session::new(store, Actor::user(admin));
    let whole = session.my_requests().expect("the administrator's requests");
    assert!(whole.len() > 3 * PAGE, "more than three pages: {}", whole.len());
    let mut app = build_app(session, Path::new("/data/scale"), Keymap::defaults(), Theme::monochrome());
    app.switch_tab(Tab::MyAccess);
    press(&mut app, &["]"]);
    let s = frame(&mut app);
    let records = |app: &App<Ctx>| app.ctx.session.pages.records_read();

    // The count of the whole list, its first rows, and no more than a page read for them.
    assert!(s.contains(&format!("Requests ({})", whole.len())), "{s}");
    let first = whole.first().expect("a request");
    assert!(s.contains(&row(first.id)), "the newest on top:\n{s}");
    let read = records(&app);
    assert!((1..=PAGE).contains(&read), "read {read} records for the first page");

    // Moving down within the page reads nothing more; past it, the next page.
    let rows_shown = usize::from(H) / 2;
    for _ in 0..rows_shown {
        press(&mut app, &["down"]);
    }
    frame(&mut app);
    assert_eq!(records(&app), read, "still the first page");
    for _ in rows_shown..PAGE + 1 {
        press(&mut app, &["down"]);
    }
    let s = frame(&mut app);
    let below = whole.get(PAGE).expect("a second page");
    assert!(s.contains(&row(below.id)), "the second page's first row:\n{s}");
    let read2 = records(&app);
    assert!(read2 > read && read2 <= read + 2 * PAGE, "read {read2} records for two pages");

    // The end: its own page, not the ones between.
    press(&mut app, &["end"]);
    let s = frame(&mut app);
    let last = whole.last().expect("a request");
    assert!(s.contains(&row(last.id)), "the oldest at the end:\n{s}");
    let read3 = records(&app);
    assert!(read3 < whole.len(), "read {read3} of {} records", whole.len());
}

/// Moving through the notifications reads no history: where a request mentioned in a notice is
/// now comes from memory (an open request) or the index of finished requests (a finished one),
/// never from reading its stream (an administrator's is hundreds of megabytes at scale).
#[test]
fn moving_through_notifications_reads_no_history() {
    use entitle::ui::{Action, update};
    for who in [None, Some("adelev@contoso.com"), Some("alex@azureblog.net")] {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut app = common::demo_ui::demo_app(dir.path(), who);
        if !app.visible_tabs().contains(&Tab::Notifications) {
            continue;
        }
        app.switch_tab(Tab::Notifications);
        let before = app.ctx.session.pages.streams_read_whole();
        for _ in 0..30 {
            common::demo_ui::screen(&mut app, 120, 35);
            update(&mut app, Action::Down);
        }
        assert_eq!(app.ctx.session.pages.streams_read_whole(), before, "{who:?}");
    }
}
