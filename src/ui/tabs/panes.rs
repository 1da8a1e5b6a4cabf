//! What the Catalogs and Access packages tabs share: a main list, and for its selected row an
//! overview and a few sub-lists (resources, policies, assignments...). `[` `]` move the focus
//! between the main list and the sub-lists; the verbs act on the focused one.
//!
//! Their lists are [`crate::ui::tabs::lists::IdList`]s: they keep only ids and build a row when it is drawn (or
//! filtered), so a package with a million assignments costs no more than one with ten.

use std::cell::Cell;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::ui::action::Action;
use crate::ui::app::{Effect, Shell};
use crate::ui::ctx::{Ctx, outcome_text};
use crate::ui::keymap::Mode;
use crate::ui::tabs::lists::AnyList;
use crate::ui::theme::Theme;
use crate::ui::widgets::detail::DetailScroll;
use crate::ui::widgets::status::{MessageKind, StatusBar, StatusMessage};
use crate::ui::widgets::table::CellText;

/// Where things go in a tab: the pane bar, the main list, the overview and the sub-lists shown
/// (by index). Wide screens show the overview beside the sub-lists, all of them stacked when
/// there is room, else the focused one; narrow ones show the overview while the main list has
/// the focus, else the focused sub-list.
pub struct Areas {
    pub bar: Rect,
    pub list: Rect,
    pub overview: Option<Rect>,
    pub subs: Vec<(usize, Rect)>,
    pub notice: Rect,
}

/// Rows a stacked sub-list needs at least (border, header, three rows).
const STACKED_MIN: u16 = 6;

pub fn areas(area: Rect, focus: &Focus, subs: usize, main_rows: usize, notice_lines: u16) -> Areas {
    let [bar, body, notice] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1), Constraint::Length(notice_lines)]).areas(area);
    // The main list takes what its rows need (border, header, a spare line), up to about half.
    let wide = area.width >= 110;
    let most = body.height * if wide { 45 } else { 50 } / 100;
    let need = u16::try_from(main_rows).unwrap_or(u16::MAX).saturating_add(4);
    let list_h = need.clamp(6.min(most), most.max(1));
    let [list, detail] = Layout::vertical([Constraint::Length(list_h), Constraint::Fill(1)]).areas(body);
    let current = focus.sub().unwrap_or(focus.shown);
    let stacked = |r: Rect| -> Vec<(usize, Rect)> {
        if r.height < STACKED_MIN * subs as u16 {
            return vec![(current, r)];
        }
        let rows = Layout::vertical((0..subs).map(|i| Constraint::Fill(if i == current { 2 } else { 1 }))).split(r);
        rows.iter().copied().enumerate().collect()
    };
    let (overview, subs) = if wide {
        let [overview, sub] = Layout::horizontal([Constraint::Percentage(42), Constraint::Fill(1)]).areas(detail);
        (Some(overview), stacked(sub))
    } else if focus.main() {
        (Some(detail), vec![])
    } else {
        (None, vec![(current, detail)])
    };
    focus.drawn.set(subs.iter().fold(0, |m, (i, _)| m | 1 << i));
    Areas { bar, list, overview, subs, notice }
}

/// The pane names, the current one highlighted, in the first of `variants` (longest first) that
/// fits, followed by the keys that switch when there is room.
pub fn pane_bar(area: Rect, buf: &mut Buffer, theme: &Theme, variants: &[Vec<String>], current: usize) {
    let line = |names: &[String], hint: bool| {
        let mut spans = vec![];
        for (i, n) in names.iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw("  "));
            }
            let style = if i == current { theme.tab_active } else { theme.tab };
            spans.push(Span::styled(format!(" {n} "), style));
        }
        if hint {
            spans.push(Span::styled("   [ ] switch", theme.muted));
        }
        Line::from(spans)
    };
    let width = usize::from(area.width);
    let choice = variants
        .iter()
        .flat_map(|v| [line(v, true), line(v, false)])
        .find(|l| l.width() <= width)
        .or_else(|| variants.last().map(|v| line(v, false)));
    if let Some(l) = choice {
        Paragraph::new(l).render(area, buf);
    }
}

/// The `TabView` methods of a tab whose details pane is its [`Focus`]'s (`self.focus.detail`).
#[macro_export]
macro_rules! details_in_focus {
    () => {
        fn detail(&self) -> Option<&$crate::ui::widgets::detail::DetailScroll> {
            Some(&self.focus.detail)
        }
        fn detail_mut(&mut self) -> Option<&mut $crate::ui::widgets::detail::DetailScroll> {
            Some(&mut self.focus.detail)
        }
    };
}

/// Which list has the focus: 0 is the main list, `i` the sub-list `i - 1`.
#[derive(Debug, Clone, Default)]
pub struct Focus {
    pub at: usize,
    /// The sub-list shown beside the overview while the main list has the focus.
    pub shown: usize,
    /// The sub-lists drawn in the last frame (a bit each), for clicks.
    pub drawn: Cell<u8>,
    /// The details of the selected row, focused after the last list.
    pub detail: DetailScroll,
}

impl Focus {
    /// Whether sub-list `i` was on screen in the last frame.
    pub fn was_drawn(&self, i: usize) -> bool {
        i < 8 && self.drawn.get() & (1 << i) != 0
    }
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

/// A tab made of a main list and sub-lists of its selected row (Catalogs, Access packages): keys
/// and typing go to the focused list, the mouse to whichever list it is over, the wheel to the
/// focused one. The lists are [`AnyList`]s, so no tab matches over its panes to reach them.
pub trait SubPanes {
    const SUBS: usize;
    fn main_list(&self) -> &dyn AnyList;
    fn main_list_mut(&mut self) -> &mut dyn AnyList;
    /// Sub-list `i` (the last one for any `i` past it).
    fn sub_list(&self, i: usize) -> &dyn AnyList;
    fn sub_list_mut(&mut self, i: usize) -> &mut dyn AnyList;
    fn focus(&self) -> &Focus;
    fn focus_mut(&mut self) -> &mut Focus;
    /// The main list's selection moved: reload what is shown of the selected row.
    fn selection_moved(&mut self, ctx: &Ctx);

    fn focused_list(&self) -> &dyn AnyList {
        match self.focus().sub() {
            None => self.main_list(),
            Some(i) => self.sub_list(i),
        }
    }

    fn focused_list_mut(&mut self) -> &mut dyn AnyList {
        match self.focus().sub() {
            None => self.main_list_mut(),
            Some(i) => self.sub_list_mut(i),
        }
    }

    /// Indexes the focused list for its filter until `until`; whether rows are left.
    fn index_focused_a_while(&mut self, ctx: &Ctx, until: std::time::Instant) -> bool {
        self.focused_list_mut().index_a_while(ctx, until)
    }

    /// List and filter keys to the focused list; whether it used the action.
    fn handle_focused(&mut self, ctx: &Ctx, action: Action) -> bool {
        let used = self.focused_list_mut().handle_action(ctx, action);
        if used && self.focus().main() {
            self.selection_moved(ctx);
        }
        used
    }

    fn text_focused(&mut self, ctx: &Ctx, c: char) -> Effect {
        if !self.focused_list_mut().type_char(ctx, c) {
            return Effect::Unhandled;
        }
        if self.focus().main() {
            self.selection_moved(ctx);
        }
        Effect::None
    }

    fn mode_focused(&self) -> Mode {
        self.focused_list().pane().mode()
    }

    /// Draws the main list and the sub-lists laid out in `a`, the focused one highlighted.
    fn render_lists(&self, ctx: &Ctx, a: &Areas, buf: &mut Buffer, theme: &Theme) {
        self.main_list().draw(ctx, a.list, buf, theme, self.focus().main());
        for (i, r) in &a.subs {
            self.sub_list(*i).draw(ctx, *r, buf, theme, self.focus().sub() == Some(*i));
        }
    }

    fn click_panes(&mut self, ctx: &Ctx, column: u16, row: u16) -> Effect {
        if self.main_list().pane().contains(column, row) {
            self.focus_mut().at = 0;
            self.main_list_mut().pane_mut().click(column, row);
            self.selection_moved(ctx);
            return Effect::None;
        }
        for i in 0..Self::SUBS {
            if self.focus().was_drawn(i) && self.sub_list(i).pane().contains(column, row) {
                self.sub_list_mut(i).pane_mut().click(column, row);
                self.focus_mut().to_sub(i);
                return Effect::None;
            }
        }
        Effect::Unhandled
    }

    fn scroll_panes(&mut self, ctx: &Ctx, lines: isize) -> Effect {
        self.focused_list_mut().pane_mut().scroll(lines);
        if self.focus().main() {
            self.selection_moved(ctx);
        }
        Effect::None
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

    /// Lines needed at the foot of an area this wide: none when the status line shows the
    /// message whole.
    pub fn lines(&self, ctx: &Ctx, width: u16) -> u16 {
        let Some(m) = &self.0 else { return 0 };
        let info = ctx.status();
        if (StatusBar { info: &info, message: Some(m), theme: &ctx.theme }).message_fits(width) {
            return 0;
        }
        (Span::raw(&m.text).width() as u16 + 2).div_ceil(width.max(1)).clamp(1, 4)
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

/// The pane names with their counts, long ("Resource roles (2)") and short ("Roles 2").
pub fn bar_names(main: (&str, usize), subs: &[(&str, &str, usize)]) -> Vec<Vec<String>> {
    let long =
        std::iter::once(format!("{} ({})", main.0, main.1)).chain(subs.iter().map(|(n, _, c)| format!("{n} ({c})")));
    let short =
        std::iter::once(format!("{} {}", main.0, main.1)).chain(subs.iter().map(|(_, n, c)| format!("{n} {c}")));
    vec![long.collect(), short.collect()]
}
