//! While nobody types, the terminal app makes ahead what the next tab chosen needs first: the
//! index of who may request what (the Directory's detail and My access), made again after a
//! change of what is offered.

use crate::common;

use common::demo_ui::demo_app;
use entitle::domain::*;
use entitle::ui::Tab;

#[test]
fn the_requestable_index_is_made_while_nobody_types_and_again_after_the_offers_change() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut app = demo_app(dir.path(), None);
    // A tab that does not need it; the data changed in a way that may change the offers.
    app.switch_tab(Tab::Catalogs);
    let user = app.ctx.tenant().users.values().next_back().cloned().expect("a user");
    let block = Command::UpdateUser { user: user.id, spec: UserSpec::from(&user), enabled: false };
    app.ctx.run(block).expect("the administrator blocks a user");
    app.refresh_views();
    assert!(!app.ctx.requestable_is_made(), "not made for the offers as they are now");
    let past = std::time::Instant::now();
    let mut slices = 0;
    while app.idle(past) {
        slices += 1;
        assert!(slices < 1000, "idle work ends");
    }
    assert!(app.ctx.requestable_is_made(), "made while nobody typed");
    assert!(!app.idle(past), "nothing left to do");
    // A change that leaves the offers (a clock move) keeps it; one that may change them does not.
    app.ctx.run(Command::AdvanceClock { seconds: 3600 }).expect("the clock moves");
    assert!(app.ctx.requestable_is_made());
    let unblock = Command::UpdateUser { user: user.id, spec: UserSpec::from(&user), enabled: true };
    app.ctx.run(unblock).expect("unblocked");
    assert!(!app.ctx.requestable_is_made());
    while app.idle(past) {}
    assert!(app.ctx.requestable_is_made(), "made again");
}
