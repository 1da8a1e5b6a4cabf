//! The store's warnings in the terminal app's status bar.

use std::fs;
use std::path::Path;

use entitle::domain::Tenant;
use entitle::session::{Session, resolve_actor};
use entitle::store::Store;
use entitle::ui::run::build_app;
use entitle::ui::{Action, Keymap, Theme, update};

#[test]
fn a_torn_write_is_shown_in_the_status_bar_then_its_keeping_aside() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    Store::create(dir, entitle::demo::demo_tenant().unwrap()).unwrap();
    fs::write(dir.join("journal.jsonl"), b"{\"seq\":1,\"entry\":{\"at\"").unwrap();

    let store = Store::<Tenant>::open(dir).unwrap().unwrap();
    let actor = resolve_actor(store.state(), None).unwrap();
    let mut app = build_app(Session::new(store, actor), Path::new("/data"), Keymap::defaults(), Theme::monochrome());
    assert!(app.tick(), "the warning is news");
    let text = app.message().map(|m| m.text.clone()).unwrap_or_default();
    assert!(text.contains("unfinished write"), "{text}");

    // A key press runs `update`, then shows the notice the command left (as `handle_event` does).
    update(&mut app, Action::ClockDay);
    assert!(app.show_notice());
    let text = app.message().map(|m| m.text.clone()).unwrap_or_default();
    assert!(text.contains("journal.jsonl.torn-1"), "{text}");
    assert!(dir.join("journal.jsonl.torn-1").exists());
}
