//! What the Catalogs and Access packages tabs share: a main list, and for its selected row an
//! overview and a few sub-lists (resources, policies, assignments...). `[` `]` move the focus
//! between the main list and the sub-lists; the verbs act on the focused one.
//!
//! Lists keep only ids and build a row when it is drawn (or filtered), so a package with a
//! million assignments costs no more than one with ten.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::ui::action::Action;
use crate::ui::app::Effect;
use crate::ui::ctx::{Ctx, outcome_text};
use crate::ui::keymap::Mode;
use crate::ui::theme::Theme;
use crate::ui::widgets::list_pane::ListPane;
use crate::ui::widgets::status::{MessageKind, StatusMessage};
use crate::ui::widgets::table::{CellText, Column, Rows};

/// Builds one row from an id.
pub type RowFn<K> = fn(&Ctx, &K) -> Vec<CellText>;

/// A titled list of ids whose rows are built on demand.
pub struct IdList<K> {
    pub pane: ListPane,
    pub ids: Vec<K>,
    row: RowFn<K>,
}

/// The rows of an [`IdList`] over the context, for the table.
struct IdRows<'a, K> {
    ctx: &'a Ctx,
    ids: &'a [K],
    row: RowFn<K>,
}

impl<K> Rows for IdRows<'_, K> {
    fn len(&self) -> usize {
        self.ids.len()
    }
    fn cells(&self, index: usize) -> Vec<CellText> {
        self.ids.get(index).map(|k| (self.row)(self.ctx, k)).unwrap_or_default()
    }
}

impl<K: Clone + PartialEq> IdList<K> {
    pub fn new(title: &str, columns: Vec<Column>, empty: &str, row: RowFn<K>) -> Self {
        IdList { pane: ListPane::new(title, columns).empty(empty), ids: Vec::new(), row }
    }

    fn rows<'a>(&'a self, ctx: &'a Ctx) -> IdRows<'a, K> {
        IdRows { ctx, ids: &self.ids, row: self.row }
    }

    /// New ids; the selection stays on the same id when it is still there.
    pub fn set(&mut self, ctx: &Ctx, ids: Vec<K>) {
        let keep = self.selected();
        self.ids = ids;
        let rows = IdRows { ctx, ids: &self.ids, row: self.row };
        self.pane.sync(&rows);
        if let Some(k) = keep {
            self.select(&k);
        }
    }

    /// Selects an id if the filter shows it.
    pub fn select(&mut self, id: &K) -> bool {
        match self.ids.iter().position(|k| k == id) {
            Some(i) => self.pane.state.select_source(i),
            None => false,
        }
    }

    pub fn selected(&self) -> Option<K> {
        self.pane.selected().and_then(|i| self.ids.get(i).cloned())
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn handle(&mut self, ctx: &Ctx, action: Action) -> bool {
        let rows = IdRows { ctx, ids: &self.ids, row: self.row };
        self.pane.handle(action, &rows)
    }

    pub fn text(&mut self, ctx: &Ctx, c: char) -> bool {
        let rows = IdRows { ctx, ids: &self.ids, row: self.row };
        self.pane.text(c, &rows)
    }

    pub fn render(&self, ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme, focused: bool) {
        self.pane.render(area, buf, theme, &self.rows(ctx), focused);
    }

    pub fn mode(&self) -> Mode {
        self.pane.mode()
    }
}

/// Where things go in a tab: the pane bar, the main list, the overview and the focused sub-list.
/// Wide screens show the overview and a sub-list side by side under the main list; narrow ones
/// show the overview while the main list has the focus, else the focused sub-list.
pub struct Areas {
    pub bar: Rect,
    pub list: Rect,
    pub overview: Option<Rect>,
    pub sub: Option<Rect>,
    pub notice: Rect,
}

pub fn areas(area: Rect, main_focused: bool, notice_lines: u16) -> Areas {
    let [bar, body, notice] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1), Constraint::Length(notice_lines)]).areas(area);
    if area.width >= 110 {
        let [list, detail] = Layout::vertical([Constraint::Percentage(45), Constraint::Fill(1)]).areas(body);
        let [overview, sub] = Layout::horizontal([Constraint::Percentage(42), Constraint::Fill(1)]).areas(detail);
        Areas { bar, list, overview: Some(overview), sub: Some(sub), notice }
    } else {
        let [list, detail] = Layout::vertical([Constraint::Percentage(50), Constraint::Fill(1)]).areas(body);
        if main_focused {
            Areas { bar, list, overview: Some(detail), sub: None, notice }
        } else {
            Areas { bar, list, overview: None, sub: Some(detail), notice }
        }
    }
}

/// Which list has the focus: 0 is the main list, `i` the sub-list `i - 1`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Focus {
    pub at: usize,
    /// The sub-list shown beside the overview while the main list has the focus.
    pub shown: usize,
}

impl Focus {
    pub fn main(&self) -> bool {
        self.at == 0
    }
    /// The focused sub-list, if one is.
    pub fn sub(&self) -> Option<usize> {
        self.at.checked_sub(1)
    }
    /// Moves over the main list and `subs` sub-lists, round.
    pub fn cycle(&mut self, subs: usize, forward: bool) {
        let n = subs + 1;
        self.at = if forward { (self.at + 1) % n } else { (self.at + n - 1) % n };
        if let Some(s) = self.sub() {
            self.shown = s;
        }
    }
    pub fn to_sub(&mut self, s: usize) {
        self.at = s + 1;
        self.shown = s;
    }
}

/// The last outcome, shown in full at the foot of the tab when the status line is too narrow
/// for it (a refusal says what rule refused and what to do; it should be read whole).
#[derive(Debug, Clone, Default)]
pub struct Notice(pub Option<StatusMessage>);

impl Notice {
    pub fn clear(&mut self) {
        self.0 = None;
    }

    /// The domain's refusal: on the status line, and kept here.
    pub fn refuse(&mut self, text: impl Into<String>) -> Effect {
        let m = StatusMessage::error(text);
        self.0 = Some(m.clone());
        Effect::Message(m)
    }

    /// Runs a command: its message (and a refresh), or its refusal.
    pub fn run(&mut self, ctx: &mut Ctx, command: crate::domain::Command) -> Effect {
        match ctx.run(command) {
            Ok(out) => self.done(&out),
            Err(e) => self.refuse(e),
        }
    }

    /// A command went through: its message, and a refresh.
    pub fn done(&mut self, out: &crate::domain::Outcome) -> Effect {
        let m = StatusMessage::ok(outcome_text(out));
        self.0 = Some(m.clone());
        Effect::Batch(vec![Effect::Message(m), Effect::Refresh])
    }

    /// Lines needed at the foot of an area this wide (0 when the status line shows it whole).
    pub fn lines(&self, width: u16) -> u16 {
        let Some(m) = &self.0 else { return 0 };
        let w = Span::raw(&m.text).width() as u16;
        // The status bar gives a message at most half the width.
        if w < width / 2 {
            return 0;
        }
        (w + 2).div_ceil(width.max(1)).clamp(1, 4)
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let Some(m) = &self.0 else { return };
        if area.height == 0 {
            return;
        }
        let mark = if m.kind == MessageKind::Error { "✗ " } else { "✓ " };
        let line = Line::from(vec![Span::styled(mark, m.style(theme)), Span::styled(m.text.clone(), m.style(theme))]);
        Paragraph::new(line).wrap(Wrap { trim: true }).render(area, buf);
    }
}

/// "yes" in the ok style, "no" muted.
pub fn yes_no(theme: &Theme, on: bool) -> CellText {
    if on { CellText::styled("yes", theme.ok) } else { CellText::styled("no", theme.muted) }
}

/// The sub-list names with their counts, for the pane bar.
pub fn bar_names(main: String, subs: &[(&str, usize)]) -> Vec<String> {
    std::iter::once(main).chain(subs.iter().map(|(n, c)| format!("{n} ({c})"))).collect()
}
