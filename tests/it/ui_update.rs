//! `update()` and event routing without a terminal (a TestBackend only where the layout matters).

use std::str::FromStr;

use entitle::domain::PackageId;
use entitle::ui::ask::Ask;
use entitle::ui::keymap::KeyBinding;
use entitle::ui::layers::{Layer, LayerResult};
use entitle::ui::widgets::form::{Field, Form, Value};
use entitle::ui::widgets::picker::PickItem;
use entitle::ui::widgets::table::{CellText, Column, FnRows, Table, TableState, rows_fn};
use entitle::ui::{Action, App, Effect, Keymap, Mode, Tab, TabView, Theme, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Constraint, Rect};

fn key(s: &str) -> KeyEvent {
    let b = KeyBinding::from_str(s).unwrap_or_else(|e| panic!("{s}: {e}"));
    KeyEvent::new(b.code, b.mods)
}

fn press<C: entitle::ui::Shell>(app: &mut App<C>, keys: &[&str]) {
    for k in keys {
        app.handle_key(key(k));
    }
}

fn typ<C: entitle::ui::Shell>(app: &mut App<C>, text: &str) {
    for c in text.chars() {
        app.handle_key(KeyEvent::new(ratatui::crossterm::event::KeyCode::Char(c), KeyModifiers::NONE));
    }
}

fn rows(n: usize) -> FnRows<impl Fn(usize) -> Vec<CellText>> {
    rows_fn(n, |i| vec![format!("row {i}").into(), format!("Item-{i:04}").into()])
}

/// A tab with a table of `n` rows that opens a policy form on `new`; it records the results.
struct ListTab {
    n: usize,
    columns: Vec<Column>,
    table: TableState,
    results: Vec<LayerResult>,
    reject_next: Option<String>,
}

impl ListTab {
    fn new(n: usize) -> Self {
        let mut table = TableState::new();
        table.sync(&rows(n));
        ListTab {
            n,
            columns: vec![Column::new("Name", Constraint::Length(12)), Column::new("Id", Constraint::Fill(1))],
            table,
            results: Vec::new(),
            reject_next: None,
        }
    }
}

impl TabView<()> for ListTab {
    fn render(&self, _: &(), area: Rect, buf: &mut Buffer, theme: &Theme) {
        Table::new(&self.columns, &rows(self.n)).render(area, buf, &self.table, theme);
    }
    fn handle(&mut self, _: &mut (), action: Action) -> Effect {
        if self.table.handle(action, &rows(self.n)) {
            return Effect::None;
        }
        match action {
            Action::New => Effect::Open(Layer::form(policy_form())),
            _ => Effect::Unhandled,
        }
    }
    fn text(&mut self, _: &mut (), c: char) -> Effect {
        if self.table.text(c, &rows(self.n)) { Effect::None } else { Effect::Unhandled }
    }
    fn mode(&self) -> Mode {
        self.table.mode()
    }
    fn click(&mut self, _: &mut (), column: u16, row: u16) -> Effect {
        match self.table.click(column, row) {
            Some(_) => Effect::None,
            None => Effect::Unhandled,
        }
    }
    fn scroll(&mut self, _: &mut (), lines: isize) -> Effect {
        self.table.scroll(lines);
        Effect::None
    }
    fn on_result(&mut self, _: &mut (), result: LayerResult) -> Effect {
        self.results.push(result);
        match self.reject_next.take() {
            Some(msg) => Effect::Reject(msg),
            None => Effect::ok("saved"),
        }
    }
}

fn policy_form() -> Form {
    let approvers = vec![
        PickItem::new("u1", "Alice Admin", "alice@contoso"),
        PickItem::new("u2", "Bob Builder", "bob@contoso"),
        PickItem::new("u3", "Carol Chen", "carol@contoso"),
    ];
    Form::new(Ask::Policy { package: PackageId(1), policy: None }, "New policy")
        .step("Basics")
        .field(Field::text("name", "Name").required())
        .field(Field::number("timeout", "Decision timeout", 1, 30).value(14))
        .step("Approval")
        .field(Field::toggle("approval", "Require approval").value(true))
        .field(Field::choice("stage1", "First approver", ["Manager", "Sponsors"]).visible_if(|v| v.bool("approval")))
        .field(Field::lookup("approvers", "Approvers", approvers, true).visible_if(|v| v.bool("approval")))
}

/// The app with a 340-row list in "My access" (the ListTab is reached through `tab_mut`).
fn app_with_list(n: usize) -> App<()> {
    let mut app = App::new((), Keymap::defaults(), Theme::monochrome());
    app.set_view(Tab::MyAccess, Box::new(ListTab::new(n)));
    app
}

fn draw(app: &mut App<()>, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    t.draw(|f| app.draw(f)).expect("draw");
    t
}

/// The text of the highlighted (reversed) line below the tab bar.
fn selected_line(buf: &Buffer) -> String {
    let area = buf.area;
    (1..area.height)
        .find(|&y| buf[(0, y)].modifier.contains(ratatui::style::Modifier::REVERSED))
        .map(|y| (0..area.width).map(|x| buf[(x, y)].symbol().to_string()).collect())
        .unwrap_or_default()
}

fn form(app: &App<()>) -> &Form {
    match app.top_layer() {
        Some(Layer::Form(f)) => f,
        other => panic!("expected a form on top, got {other:?}"),
    }
}

#[test]
fn tab_cycling_wraps_both_ways() {
    let mut app = App::new((), Keymap::defaults(), Theme::monochrome());
    assert_eq!(app.current_tab(), Tab::MyAccess);
    update(&mut app, Action::NextTab);
    assert_eq!(app.current_tab(), Tab::Approvals);
    update(&mut app, Action::PrevTab);
    update(&mut app, Action::PrevTab);
    update(&mut app, Action::PrevTab);
    assert_eq!(app.current_tab(), Tab::Settings);
    press(&mut app, &["tab"]);
    assert_eq!(app.current_tab(), Tab::Overview);
    press(&mut app, &["shift-tab"]);
    assert_eq!(app.current_tab(), Tab::Settings);
}

#[test]
fn number_keys_pick_the_nth_visible_tab() {
    let mut app = App::new((), Keymap::defaults(), Theme::monochrome());
    app.set_visible_tabs(vec![Tab::MyAccess, Tab::Approvals, Tab::Notifications, Tab::Settings]);
    press(&mut app, &["3"]);
    assert_eq!(app.current_tab(), Tab::Notifications);
    assert!(matches!(app.handle_key(key("7")), Effect::Unhandled));
    assert_eq!(app.current_tab(), Tab::Notifications);
    press(&mut app, &["tab", "tab"]);
    assert_eq!(app.current_tab(), Tab::MyAccess, "cycling wraps over the visible tabs only");
    // Losing the current tab falls back to the first visible one.
    app.set_visible_tabs(vec![Tab::Reviews, Tab::Audit]);
    assert_eq!(app.current_tab(), Tab::Reviews);
}

#[test]
fn help_layer_eats_keys_and_esc_closes_it() {
    let mut app = app_with_list(10);
    press(&mut app, &["?"]);
    assert!(matches!(app.top_layer(), Some(Layer::Help(_))));
    assert_eq!(app.mode(), Mode::Popup);
    press(&mut app, &["2", "tab", "n", "j"]);
    assert_eq!(app.current_tab(), Tab::MyAccess, "tab keys do not reach the shell under help");
    assert!(matches!(app.top_layer(), Some(Layer::Help(_))), "n did not open a form");
    press(&mut app, &["q"]);
    assert!(app.top_layer().is_none(), "q closes help");
    assert!(!app.should_quit(), "q in help does not quit");
    press(&mut app, &["?", "esc"]);
    assert!(app.top_layer().is_none());
    press(&mut app, &["?", "?"]);
    assert!(app.top_layer().is_none(), "? toggles help");
}

#[test]
fn quit_is_immediate_when_nothing_is_dirty() {
    let mut app = app_with_list(10);
    assert!(matches!(app.handle_key(key("q")), Effect::Quit));
    assert!(app.should_quit());
    let mut app = app_with_list(10);
    press(&mut app, &["n"]);
    assert!(matches!(app.handle_key(key("ctrl-c")), Effect::Quit), "a clean form does not ask");
}

#[test]
fn quit_asks_when_a_form_is_dirty() {
    let mut app = app_with_list(10);
    press(&mut app, &["n"]);
    typ(&mut app, "Sales");
    assert!(form(&app).is_dirty());
    typ(&mut app, "q");
    assert!(!app.should_quit(), "q is text inside a form");
    assert_eq!(form(&app).raw_values().text("name"), "Salesq");
    press(&mut app, &["ctrl-c"]);
    assert!(!app.should_quit());
    assert!(matches!(app.top_layer(), Some(Layer::Confirm(_))));
    press(&mut app, &["n"]);
    assert_eq!(form(&app).raw_values().text("name"), "Salesq", "staying keeps the input");
    press(&mut app, &["ctrl-c", "y"]);
    assert!(app.should_quit());
    // ctrl-c twice also quits.
    let mut app = app_with_list(10);
    press(&mut app, &["n"]);
    typ(&mut app, "x");
    press(&mut app, &["ctrl-c", "ctrl-c"]);
    assert!(app.should_quit());
}

#[test]
fn esc_on_a_dirty_form_asks_before_discarding() {
    let mut app = app_with_list(10);
    press(&mut app, &["n"]);
    typ(&mut app, "Sales");
    press(&mut app, &["esc"]);
    assert!(matches!(app.top_layer(), Some(Layer::Confirm(_))));
    press(&mut app, &["esc"]);
    assert_eq!(form(&app).raw_values().text("name"), "Sales");
    press(&mut app, &["esc", "y"]);
    assert!(app.top_layer().is_none());
    press(&mut app, &["n", "esc"]);
    assert!(app.top_layer().is_none(), "a clean form closes at once");
}

#[test]
fn filter_narrows_rows_and_takes_typed_text() {
    let mut app = app_with_list(340);
    let _t = draw(&mut app, 80, 24);
    press(&mut app, &["/"]);
    assert_eq!(app.mode(), Mode::Prompt);
    typ(&mut app, "item-012");
    assert!(!app.should_quit());
    let t = draw(&mut app, 80, 24);
    let screen = format!("{:?}", t.backend().buffer());
    assert!(screen.contains("filter: item-012  (10 of 340)"), "cursor cell while typing: {screen}");
    assert!(screen.contains("row 120") && screen.contains("row 129"));
    assert!(!screen.contains("row 130"));
    press(&mut app, &["enter"]);
    assert_eq!(app.mode(), Mode::List);
    press(&mut app, &["j"]);
    let t = draw(&mut app, 80, 24);
    let screen = format!("{:?}", t.backend().buffer());
    assert!(screen.contains("filter: item-012 (10 of 340)"), "filter kept: {screen}");
    assert_eq!(selected_line(t.backend().buffer()).trim_end(), "row 121 Item-0121");
    press(&mut app, &["esc"]);
    let t = draw(&mut app, 80, 24);
    assert!(!format!("{:?}", t.backend().buffer()).contains("filter:"), "esc clears");
}

#[test]
fn table_filter_is_case_insensitive_and_keeps_selection() {
    let r = rows(340);
    let mut t = TableState::new();
    t.sync(&r);
    t.select_source(125);
    t.handle(Action::Filter, &r);
    for c in "ITEM-012".chars() {
        t.text(c, &r);
    }
    assert_eq!(t.view_len(), 10);
    assert_eq!(t.selected(), Some(125), "the selected row survives the filter");
    t.handle(Action::Backspace, &r);
    assert_eq!(t.view_len(), 100);
    t.handle(Action::Back, &r);
    assert_eq!(t.view_len(), 340);
    assert_eq!(t.selected(), Some(125));
}

#[test]
fn page_down_moves_by_the_visible_height() {
    let mut app = app_with_list(340);
    let _t = draw(&mut app, 80, 24);
    // 24 rows - tab bar - status - footer - table header = 20 visible rows.
    press(&mut app, &["pgdn"]);
    let t = draw(&mut app, 80, 24);
    let screen = format!("{:?}", t.backend().buffer());
    assert!(screen.contains("row 20"), "{screen}");
    press(&mut app, &["pgdn", "pgup", "pgup"]);
    press(&mut app, &["end"]);
    let t = draw(&mut app, 80, 24);
    assert!(format!("{:?}", t.backend().buffer()).contains("row 339"));
    let mut state = TableState::new();
    state.sync(&rows(340));
    state.handle(Action::PageDown, &rows(340));
    assert_eq!(state.selected(), Some(1), "before any frame a page is one row");
}

#[test]
fn mouse_clicks_tabs_and_rows_and_wheel_scrolls() {
    let mut app = app_with_list(340);
    let _t = draw(&mut app, 120, 35);
    let mouse = |kind, column, row| MouseEvent { kind, column, row, modifiers: KeyModifiers::NONE };
    // Row 5 of the screen: tab bar (0), header (1), rows from 2.
    assert!(app.handle_mouse(mouse(MouseEventKind::Down(MouseButton::Left), 3, 5)));
    assert!(app.handle_mouse(mouse(MouseEventKind::ScrollDown, 3, 10)));
    press(&mut app, &["/"]);
    typ(&mut app, "row 6");
    press(&mut app, &["enter"]);
    let t = draw(&mut app, 120, 35);
    assert!(format!("{:?}", t.backend().buffer()).contains("(11 of 340)"));
    // Click selected row 3, the wheel moved 3 down: row 6 stays selected through the filter.
    assert!(selected_line(t.backend().buffer()).starts_with("row 6 "));
    // Clicking a tab title switches tabs.
    let bar: String = (0..120).map(|x| t.backend().buffer()[(x, 0)].symbol().to_string()).collect();
    let byte = bar.find("Approv").expect("Approvals in the tab bar");
    let x = bar[..byte].chars().count() as u16;
    assert!(app.handle_mouse(mouse(MouseEventKind::Down(MouseButton::Left), x, 0)));
    assert_eq!(app.current_tab(), Tab::Approvals);
}

#[test]
fn form_validation_keeps_input_and_shows_the_message() {
    let mut app = app_with_list(10);
    press(&mut app, &["n"]);
    press(&mut app, &["tab", "ctrl-u"]);
    typ(&mut app, "45");
    assert_eq!(form(&app).field_error("timeout"), Some("Decision timeout must be 1-30"));
    press(&mut app, &["ctrl-s"]);
    let f = form(&app);
    assert_eq!(f.error(), Some("2 fields need attention"));
    assert_eq!(f.focused_id(), Some("name"), "the first bad field gets the focus");
    assert_eq!(f.field_error("name"), Some("Name is required"));
    assert_eq!(f.raw_values().text("name"), "");
    assert!(matches!(f.raw_values().get("timeout"), Some(Value::Number(None))));
    typ(&mut app, "Sales");
    press(&mut app, &["tab", "backspace", "backspace"]);
    typ(&mut app, "7");
    assert_eq!(form(&app).field_error("timeout"), None);
    press(&mut app, &["ctrl-s"]);
    assert!(app.top_layer().is_none(), "submitted and closed");
    assert_eq!(app.message().map(|m| m.text.as_str()), Some("saved"));
}

#[test]
fn owner_rejection_keeps_the_form_open() {
    let mut tab = ListTab::new(5);
    tab.reject_next = Some("A policy named Sales already exists".into());
    let mut app = App::new((), Keymap::defaults(), Theme::monochrome());
    app.set_view(Tab::MyAccess, Box::new(tab));
    press(&mut app, &["n"]);
    typ(&mut app, "Sales");
    press(&mut app, &["ctrl-s"]);
    let f = form(&app);
    assert_eq!(f.error(), Some("A policy named Sales already exists"));
    assert_eq!(f.raw_values().text("name"), "Sales");
    press(&mut app, &["ctrl-s"]);
    assert!(app.top_layer().is_none());
}

#[test]
fn hidden_fields_are_skipped_and_not_submitted() {
    let mut f = policy_form();
    f.handle(Action::NextStep);
    assert_eq!(f.focused_id(), Some("approval"));
    assert!(f.is_visible("stage1"));
    f.handle(Action::Toggle);
    assert!(!f.is_visible("stage1") && !f.is_visible("approvers"));
    f.handle(Action::NextField);
    assert_eq!(f.focused_id(), Some("approval"), "nothing visible after it");
    f.handle(Action::PrevStep);
    f.text('X');
    let values = f.submit().expect("valid");
    assert!(!values.bool("approval"));
    assert!(!values.contains("stage1") && !values.contains("approvers"));
    assert_eq!(values.text("name"), "X");
    assert_eq!(values.number("timeout"), Some(14));
    f.handle(Action::NextStep);
    f.handle(Action::Toggle);
    f.handle(Action::NextField);
    assert_eq!(f.focused_id(), Some("stage1"));
    f.handle(Action::Right);
    assert_eq!(f.submit().expect("valid").choice("stage1"), Some("Sponsors"));
}

#[test]
fn lookup_field_opens_a_picker_and_takes_its_answer() {
    let mut app = app_with_list(10);
    press(&mut app, &["n"]);
    typ(&mut app, "Sales");
    press(&mut app, &["pgdn", "down", "down", "enter"]);
    assert!(matches!(app.top_layer(), Some(Layer::Picker(_))));
    assert_eq!(app.mode(), Mode::Picker);
    typ(&mut app, "bob");
    press(&mut app, &["space", "enter"]);
    let f = form(&app);
    assert_eq!(f.raw_values().multi("approvers"), ["u2".to_string()]);
    press(&mut app, &["ctrl-s"]);
    assert!(app.top_layer().is_none());
}

#[test]
fn million_rows_render_only_what_is_visible() {
    use std::cell::Cell;
    let asked = Cell::new(0usize);
    let big = rows_fn(1_000_000, |i| {
        asked.set(asked.get() + 1);
        vec![CellText::from(format!("row {i}"))]
    });
    let cols = [Column::new("Name", Constraint::Fill(1))];
    let mut state = TableState::new();
    state.sync(&big);
    let mut buf = Buffer::empty(Rect::new(0, 0, 120, 35));
    Table::new(&cols, &big).render(buf.area, &mut buf, &state, &Theme::colored());
    state.handle(Action::End, &big);
    Table::new(&cols, &big).render(buf.area, &mut buf, &state, &Theme::colored());
    assert_eq!(asked.get(), 2 * 34, "one call per visible row per frame");
    assert_eq!(state.selected(), Some(999_999));
}

/// A context that owns the clock and the user, like the real one will.
#[derive(Default)]
struct Ctx {
    days: i64,
    jumped_to: Option<String>,
    user: String,
}

impl entitle::ui::Shell for Ctx {
    fn global(&mut self, action: Action) -> Effect {
        use entitle::ui::widgets::form::parse_date;
        use entitle::ui::widgets::picker::PickerState;
        use entitle::ui::widgets::prompt::PromptState;
        match action {
            Action::ClockDay => {
                self.days += 1;
                Effect::Refresh
            }
            Action::ClockJump => Effect::Open(Layer::Prompt(
                PromptState::new(Ask::ClockJump, "Jump", "Date (YYYY-MM-DD [HH:MM])")
                    .validate(|t| parse_date(t, true).is_none().then(|| "use YYYY-MM-DD [HH:MM]".into())),
            )),
            Action::SwitchUser => Effect::Open(Layer::Picker(PickerState::new(
                Ask::SwitchUser,
                "Act as",
                vec![PickItem::new("alice", "Alice Admin", "admin"), PickItem::new("bob", "Bob", "member")],
            ))),
            _ => Effect::Unhandled,
        }
    }
    fn on_result(&mut self, result: LayerResult) -> Effect {
        match result {
            LayerResult::Prompted { id: Ask::ClockJump, text } => {
                self.jumped_to = Some(text);
                Effect::ok("clock moved")
            }
            LayerResult::Picked { ids, .. } => {
                self.user = ids.concat();
                let tabs = if self.user == "bob" { vec![Tab::MyAccess, Tab::Notifications] } else { Tab::all() };
                Effect::Batch(vec![Effect::VisibleTabs(tabs), Effect::Refresh])
            }
            _ => Effect::None,
        }
    }
}

#[test]
fn global_actions_reach_the_context_and_its_layers_answer_it() {
    let mut app = App::new(Ctx::default(), Keymap::defaults(), Theme::monochrome());
    press(&mut app, &[">", ">"]);
    assert_eq!(app.ctx.days, 2);
    press(&mut app, &["J"]);
    assert_eq!(app.mode(), Mode::Prompt);
    typ(&mut app, "2025-13-01");
    press(&mut app, &["enter"]);
    match app.top_layer() {
        Some(Layer::Prompt(p)) => assert_eq!(p.error.as_deref(), Some("use YYYY-MM-DD [HH:MM]")),
        other => panic!("prompt should stay open: {other:?}"),
    }
    press(&mut app, &["ctrl-u"]);
    typ(&mut app, "2025-06-01 10:30");
    press(&mut app, &["enter"]);
    assert!(app.top_layer().is_none());
    assert_eq!(app.ctx.jumped_to.as_deref(), Some("2025-06-01 10:30"));
    assert_eq!(app.message().map(|m| m.text.as_str()), Some("clock moved"));
    press(&mut app, &["4", "u"]);
    typ(&mut app, "bo");
    press(&mut app, &["enter"]);
    assert_eq!(app.ctx.user, "bob");
    assert_eq!(app.visible_tabs(), [Tab::MyAccess, Tab::Notifications]);
    assert_eq!(app.current_tab(), Tab::MyAccess, "Catalogs is gone for bob");
}

/// A message answers the key that made it: the next key clears it, whatever that key does (a
/// move, a reload, another tab), so an old answer never sits beside a newer screen.
#[test]
fn the_next_key_clears_the_last_message() {
    use entitle::ui::widgets::status::StatusMessage;
    let mut app = app_with_list(5);
    app.set_message(StatusMessage::info("Reloaded"));
    assert!(app.message().is_some());
    update(&mut app, Action::Down);
    assert!(app.message().is_none(), "a move clears it");
    app.set_message(StatusMessage::info("Saved"));
    update(&mut app, Action::Refresh);
    assert!(app.message().is_none(), "a reload with nothing to say clears it too");
}
