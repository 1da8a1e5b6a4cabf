//! Whole-shell snapshots on ratatui's TestBackend at fixed sizes, with a fixed status context.

use std::str::FromStr;

use entitle::domain::PackageId;
use entitle::ui::ask::Ask;
use entitle::ui::keymap::KeyBinding;
use entitle::ui::layers::Layer;
use entitle::ui::widgets::form::{Field, Form};
use entitle::ui::widgets::list_pane::ListPane;
use entitle::ui::widgets::status::{SaveState, StatusInfo};
use entitle::ui::widgets::table::{CellText, Column};
use entitle::ui::{Action, App, Effect, Keymap, Mode, Shell, Tab, TabView, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Rect};

/// A context with a fixed user, clock and location.
struct Fixed;

impl Shell for Fixed {
    fn status(&self) -> StatusInfo {
        StatusInfo {
            user: "Alice Admin".into(),
            roles: vec!["Global admin".into(), "Approver".into()],
            clock: "2025-03-01 09:00".into(),
            clock_live: false,
            location: "/data/contoso".into(),
            saved: SaveState::Saved,
            mode: String::new(),
        }
    }
}

fn app() -> App<Fixed> {
    let mut app = App::new(Fixed, Keymap::defaults(), Theme::monochrome());
    app.set_visible_tabs(vec![
        Tab::MyAccess,
        Tab::Approvals,
        Tab::Reviews,
        Tab::Catalogs,
        Tab::Packages,
        Tab::Notifications,
        Tab::Settings,
    ]);
    app
}

fn press(app: &mut App<Fixed>, keys: &[&str]) {
    for k in keys {
        let b = KeyBinding::from_str(k).unwrap_or_else(|e| panic!("{k}: {e}"));
        app.handle_key(KeyEvent::new(b.code, b.mods));
    }
}

fn typ(app: &mut App<Fixed>, text: &str) {
    for c in text.chars() {
        app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
}

fn draw(app: &mut App<Fixed>, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    t.draw(|f| app.draw(f)).expect("draw");
    t
}

fn policy_form() -> Form {
    Form::new(Ask::Policy { package: PackageId(1), policy: None }, "New assignment policy")
        .step("Basics")
        .field(Field::text("name", "Policy name").required().help("Shown to requestors"))
        .field(Field::text("description", "Description"))
        .step("Requests")
        .field(Field::choice("scope", "Who can request", ["Specific users", "All members"]))
        .step("Approval")
        .field(Field::toggle("approval", "Require approval").value(true))
        .field(Field::number("timeout", "Decision timeout (days)", 1, 30).value(14).visible_if(|v| v.bool("approval")))
        .field(
            Field::multi_choice("stage1", "First stage", ["Manager", "Sponsors", "Internal"])
                .visible_if(|v| v.bool("approval")),
        )
        .step("Requestor information")
        .step("Lifecycle")
        .field(Field::date("expires", "Expires on", true))
        .step("Access reviews")
        .field(Field::toggle("reviews", "Require access reviews"))
}

#[test]
fn shell_with_placeholder_tab() {
    for (w, h) in [(80, 24), (120, 35)] {
        let mut app = app();
        press(&mut app, &["2"]);
        let t = draw(&mut app, w, h);
        insta::assert_snapshot!(format!("shell_{w}x{h}"), t.backend());
    }
}

#[test]
fn help_screen() {
    for (w, h) in [(80, 24), (120, 35)] {
        let mut app = app();
        press(&mut app, &["?"]);
        let t = draw(&mut app, w, h);
        insta::assert_snapshot!(format!("help_{w}x{h}"), t.backend());
    }
}

#[test]
fn form_with_a_validation_error() {
    for (w, h) in [(80, 24), (120, 35)] {
        let mut app = app();
        app.open(Layer::form(policy_form()));
        typ(&mut app, "Sales");
        press(&mut app, &["pgdn", "pgdn", "down", "ctrl-u"]);
        typ(&mut app, "45");
        let t = draw(&mut app, w, h);
        insta::assert_snapshot!(format!("form_error_{w}x{h}"), t.backend());
    }
}

/// A tab with one list pane over a few requests, to show the table, its filter and states.
struct Requests {
    pane: ListPane,
}

fn request_rows() -> Vec<Vec<CellText>> {
    let theme = Theme::monochrome();
    use entitle::domain::RequestState;
    use entitle::ui::tone::Toned;
    let data = [
        ("Sales access", "Alice Admin", RequestState::Delivered),
        ("Marketing tools", "Bob Builder", RequestState::PendingApproval),
        ("Finance reports", "Carol Chen", RequestState::Denied),
        ("Sales partners", "Dan Dare", RequestState::Expired),
    ];
    data.iter()
        .map(|(p, u, st)| {
            vec![CellText::from(*p), CellText::from(*u), CellText::styled(st.word(), theme.tone(st.tone()))]
        })
        .collect()
}

impl TabView<Fixed> for Requests {
    fn render(&self, _: &Fixed, area: Rect, buf: &mut Buffer, theme: &Theme) {
        self.pane.render(area, buf, theme, &request_rows(), true);
    }
    fn handle(&mut self, _: &mut Fixed, action: Action) -> Effect {
        if self.pane.handle(action, &request_rows()) { Effect::None } else { Effect::Unhandled }
    }
    fn text(&mut self, _: &mut Fixed, c: char) -> Effect {
        if self.pane.text(c, &request_rows()) { Effect::None } else { Effect::Unhandled }
    }
    fn mode(&self) -> Mode {
        self.pane.mode()
    }
    fn hints(&self) -> Vec<Action> {
        vec![Action::Open, Action::Filter, Action::CancelRequest]
    }
    fn badge(&self, _: &Fixed) -> Option<String> {
        Some("4".into())
    }
}

#[test]
fn list_pane_with_filter() {
    let mut app = app();
    let columns = vec![
        Column::new("Package", Constraint::Length(20)),
        Column::new("Requestor", Constraint::Length(16)),
        Column::new("State", Constraint::Fill(1)),
    ];
    let mut pane = ListPane::new("Requests", columns).empty("No requests.");
    pane.sync(&request_rows());
    app.set_view(Tab::MyAccess, Box::new(Requests { pane }));
    press(&mut app, &["/"]);
    typ(&mut app, "sales");
    press(&mut app, &["enter", "j"]);
    let t = draw(&mut app, 80, 24);
    insta::assert_snapshot!("list_pane_filter_80x24", t.backend());
}

#[test]
fn too_small_notice() {
    let mut app = app();
    let t = draw(&mut app, 60, 20);
    insta::assert_snapshot!("too_small_60x20", t.backend());
}

#[test]
fn no_color_theme_has_no_colours() {
    let mut app = app();
    press(&mut app, &["?"]);
    let t = draw(&mut app, 80, 24);
    let buf = t.backend().buffer();
    for cell in &buf.content {
        assert_eq!(cell.fg, ratatui::style::Color::Reset);
        assert_eq!(cell.bg, ratatui::style::Color::Reset);
    }
}
