//! No cell of any screen may be drawn in the colour of its own background (it would be invisible),
//! whoever is signed in, on every tab and sub-pane, with the cursor on several rows, at 80x24 and
//! 200x50, in colour and with NO_COLOR.

use crate::common;

use common::demo_ui::demo_app_themed;
use entitle::ui::app::App;
use entitle::ui::ctx::Ctx;
use entitle::ui::{Action, Theme, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

/// The cells whose text would not show: foreground and background the same colour.
fn invisible_cells(app: &mut App<Ctx>, w: u16, h: u16) -> Vec<String> {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    term.draw(|f| app.draw(f)).expect("draw");
    let buf = term.backend().buffer();
    let mut bad = Vec::new();
    for y in 0..h {
        for x in 0..w {
            let cell = &buf[(x, y)];
            if cell.fg == cell.bg && cell.fg != Color::Reset && !cell.symbol().trim().is_empty() {
                bad.push(format!("({x},{y}) {:?} on {:?}: {:?}", cell.fg, cell.bg, cell.symbol()));
            }
        }
    }
    bad
}

#[test]
fn no_text_is_drawn_in_the_colour_of_its_background() {
    for who in [None, Some("adelev@contoso.com"), Some("allande@contoso.com"), Some("alex@azureblog.net")] {
        for theme in [Theme::colored(), Theme::monochrome()] {
            let dir = tempfile::tempdir().expect("tempdir");
            let mut app = demo_app_themed(dir.path(), who, theme);
            for tab in app.visible_tabs().to_vec() {
                app.switch_tab(tab);
                // Every sub-pane of the tab, the cursor on its first rows.
                for _pane in 0..4 {
                    for _row in 0..3 {
                        for (w, h) in [(80, 24), (200, 50)] {
                            let bad = invisible_cells(&mut app, w, h);
                            assert!(bad.is_empty(), "{who:?} on {tab:?} at {w}x{h}: {bad:#?}");
                        }
                        update(&mut app, Action::Down);
                    }
                    update(&mut app, Action::NextPane);
                }
            }
        }
    }
}

/// States read as words on every screen: no request, assignment, review or request-type enum
/// name (`pendingApproval`, `userAdd`, `dontKnow`) reaches a table or a details pane, whoever is
/// signed in, on every tab and sub-pane, the cursor on several rows. The audit log keeps the
/// service's activity names (`request.adminAdd`), as the record they are.
#[test]
fn states_read_as_words_on_every_screen() {
    const NAMES: [&str; 9] = [
        "pendingApproval",
        "deliveryFailed",
        "userAdd",
        "userExtend",
        "userRemove",
        "adminAdd",
        "adminRemove",
        "dontKnow",
        "inProgress",
    ];
    for who in [None, Some("adelev@contoso.com"), Some("allande@contoso.com"), Some("alex@azureblog.net")] {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut app = demo_app_themed(dir.path(), who, Theme::monochrome());
        for tab in app.visible_tabs().to_vec().into_iter().filter(|t| *t != entitle::ui::app::Tab::Audit) {
            app.switch_tab(tab);
            for _pane in 0..4 {
                for _row in 0..4 {
                    let s = common::demo_ui::screen(&mut app, 200, 50);
                    for name in NAMES {
                        assert!(!s.contains(name), "{who:?} on {tab:?} shows {name}:\n{s}");
                    }
                    update(&mut app, Action::Down);
                }
                update(&mut app, Action::NextPane);
            }
        }
    }
}
