//! The one list of the tabs and the one switch between a tab's lists.
//!
//! An [`IdList`] keeps only the keys of its rows (gathered from the domain's indexes and sorted
//! once per change of the data) and builds a row when it is drawn or indexed for a filter, so a
//! list of a million keys draws as fast as one of ten. [`AnyList`] is what a tab does with any of
//! its lists, whatever their key; [`Switched`] is a tab that shows one of several lists at a time
//! (`[` `]` switch), with the pane bar, keys, typing, clicks and the wheel going to the one shown.

use std::time::Instant;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};

use crate::ui::action::Action;
use crate::ui::app::Effect;
use crate::ui::ctx::Ctx;
use crate::ui::keymap::Mode;
use crate::ui::tabs::common::split_list_detail;
use crate::ui::tabs::panes::{Focus, pane_bar};
use crate::ui::theme::Theme;
use crate::ui::widgets::list_pane::ListPane;
use crate::ui::widgets::table::{CellText, Column, Rows};

/// Builds one row from a key.
pub type RowFn<K> = fn(&Ctx, &K) -> Vec<CellText>;

/// A titled list of keys whose rows are built on demand.
pub struct IdList<K> {
    pub pane: ListPane,
    pub ids: Vec<K>,
    row: RowFn<K>,
    /// The part of the list kept (an Overview bar opened here), and every key while it is on.
    scope: Option<(Scope<K>, Vec<K>)>,
}

/// Which keys of a list to keep, named for its title (e.g. "waiting 1-3 days"): the rule is
/// asked again of every key on each change of the data, so the part follows the clock.
pub struct Scope<K> {
    pub label: String,
    keep: Box<Keep<K>>,
}

/// Whether a key is in a [`Scope`].
type Keep<K> = dyn Fn(&Ctx, &K) -> bool;

impl<K> Scope<K> {
    pub fn new(label: impl Into<String>, keep: impl Fn(&Ctx, &K) -> bool + 'static) -> Self {
        Scope { label: label.into(), keep: Box::new(keep) }
    }
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
        IdList { pane: ListPane::new(title, columns).empty(empty), ids: Vec::new(), row, scope: None }
    }

    fn rows<'a>(&'a self, ctx: &'a Ctx) -> IdRows<'a, K> {
        IdRows { ctx, ids: &self.ids, row: self.row }
    }

    /// The pane, to change, beside the rows it shows.
    fn pane_and_rows<'a>(&'a mut self, ctx: &'a Ctx) -> (&'a mut ListPane, IdRows<'a, K>) {
        (&mut self.pane, IdRows { ctx, ids: &self.ids, row: self.row })
    }

    /// New keys; the selection stays on the same key when it is still there.
    pub fn set(&mut self, ctx: &Ctx, ids: Vec<K>) {
        let keep = self.selected();
        self.ids = match &mut self.scope {
            Some((scope, all)) => {
                let kept = ids.iter().filter(|k| (scope.keep)(ctx, k)).cloned().collect();
                *all = ids;
                kept
            }
            None => ids,
        };
        let (pane, rows) = self.pane_and_rows(ctx);
        pane.sync(&rows);
        if let Some(k) = keep {
            self.select(&k);
        }
    }

    /// Keeps only a part of the list (named in its title) until [`IdList::unscope`] or Esc.
    pub fn scope(&mut self, ctx: &Ctx, scope: Scope<K>) {
        let all = self.unscoped();
        self.pane.scope = Some(scope.label.clone());
        self.scope = Some((scope, Vec::new()));
        self.set(ctx, all);
    }

    /// Shows the whole list again; whether a part was kept.
    pub fn unscope(&mut self, ctx: &Ctx) -> bool {
        if self.scope.is_none() {
            return false;
        }
        let all = self.unscoped();
        self.scope = None;
        self.pane.scope = None;
        self.set(ctx, all);
        true
    }

    /// Forgets the part kept, without building the rows again: for a caller that sets the
    /// keys next (a report read again for a new subject).
    pub fn drop_scope(&mut self) {
        if let Some((_, all)) = self.scope.take() {
            self.ids = all;
            self.pane.scope = None;
        }
    }

    /// Every key, whether or not a part is kept.
    fn unscoped(&mut self) -> Vec<K> {
        match &mut self.scope {
            Some((_, all)) => std::mem::take(all),
            None => std::mem::take(&mut self.ids),
        }
    }

    /// Selects a key if the filter shows it.
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

    /// The list's keys; Esc with no filter typed shows the whole list again.
    pub fn handle(&mut self, ctx: &Ctx, action: Action) -> bool {
        let (pane, rows) = self.pane_and_rows(ctx);
        if pane.handle(action, &rows) {
            return true;
        }
        action == Action::Back && self.unscope(ctx)
    }

    pub fn text(&mut self, ctx: &Ctx, c: char) -> bool {
        let (pane, rows) = self.pane_and_rows(ctx);
        pane.text(c, &rows)
    }

    pub fn render(&self, ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme, focused: bool) {
        self.pane.render(area, buf, theme, &self.rows(ctx), focused);
    }

    pub fn mode(&self) -> Mode {
        self.pane.mode()
    }
}

/// What a tab does with any of its lists, whatever the type of its keys.
pub trait AnyList {
    fn pane(&self) -> &ListPane;
    fn pane_mut(&mut self) -> &mut ListPane;
    /// List and filter keys; whether the list used the action.
    fn handle_action(&mut self, ctx: &Ctx, action: Action) -> bool;
    /// Typing into the filter; whether the list used it.
    fn type_char(&mut self, ctx: &Ctx, c: char) -> bool;
    fn draw(&self, ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme, focused: bool);
    /// Rows before the filter.
    fn rows_len(&self) -> usize;
    /// Sets the filter's text and applies it.
    fn set_filter(&mut self, ctx: &Ctx, text: &str);
    /// The list with its rows, for a CSV file of the rows the filter lets through (`ctrl-e`).
    fn export(&self, ctx: &Ctx, visit: &mut crate::ui::export::Visit<'_>);
    /// Indexes rows for the filter until `until`, while nobody types; whether rows are left.
    fn index_a_while(&mut self, ctx: &Ctx, until: Instant) -> bool;
}

impl<K: Clone + PartialEq> AnyList for IdList<K> {
    fn pane(&self) -> &ListPane {
        &self.pane
    }
    fn pane_mut(&mut self) -> &mut ListPane {
        &mut self.pane
    }
    fn handle_action(&mut self, ctx: &Ctx, action: Action) -> bool {
        self.handle(ctx, action)
    }
    fn type_char(&mut self, ctx: &Ctx, c: char) -> bool {
        self.text(ctx, c)
    }
    fn draw(&self, ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme, focused: bool) {
        self.render(ctx, area, buf, theme, focused);
    }
    fn rows_len(&self) -> usize {
        self.len()
    }
    fn set_filter(&mut self, ctx: &Ctx, text: &str) {
        let (pane, rows) = self.pane_and_rows(ctx);
        pane.state.set_filter(text, &rows);
    }
    fn index_a_while(&mut self, ctx: &Ctx, until: Instant) -> bool {
        let (pane, rows) = self.pane_and_rows(ctx);
        pane.index_a_while(&rows, until)
    }
    fn export(&self, ctx: &Ctx, visit: &mut crate::ui::export::Visit<'_>) {
        visit(&self.pane, &self.rows(ctx));
    }
}

/// A tab that shows one of several lists at a time beside the details of its selected row
/// (My access, Approvals, Reviews), or a single list (Notifications, Organizations, Settings):
/// the list shown is `focus().at`. Everything but the tab's own verbs and details is here.
pub trait Switched {
    /// The pane bar's name of each list ("Requests"), in order; one name shows no bar.
    const NAMES: &'static [&'static str];
    fn list(&self, i: usize) -> Option<&dyn AnyList>;
    fn list_mut(&mut self, i: usize) -> Option<&mut dyn AnyList>;
    fn focus(&self) -> &Focus;
    fn focus_mut(&mut self) -> &mut Focus;

    /// The number shown beside list `i`'s name: its rows, unless the tab knows of more.
    fn count(&self, i: usize) -> usize {
        self.list(i).map_or(0, |l| l.rows_len())
    }

    /// The count as written beside list `i`'s name ("…" where the tab has not read it yet).
    fn count_text(&self, i: usize) -> String {
        self.count(i).to_string()
    }

    /// The index of the list shown.
    fn shown(&self) -> usize {
        self.focus().at.min(Self::NAMES.len().saturating_sub(1))
    }

    /// The list shown.
    fn current(&self) -> Option<&dyn AnyList> {
        self.list(self.shown())
    }

    /// Indexes the list shown for its filter until `until`; whether rows are left.
    fn index_shown_a_while(&mut self, ctx: &Ctx, until: Instant) -> bool {
        let shown = self.shown();
        self.list_mut(shown).is_some_and(|l| l.index_a_while(ctx, until))
    }

    /// The list shown, for a CSV file (`ctrl-e`).
    fn export_shown(&self, ctx: &Ctx, visit: &mut crate::ui::export::Visit<'_>) -> bool {
        self.current().map(|l| l.export(ctx, visit)).is_some()
    }

    /// Shows list `i`.
    fn show(&mut self, i: usize) {
        if i < Self::NAMES.len() {
            self.focus_mut().at = i;
        }
    }

    /// Draws the pane bar (when there are several lists) and the list shown; returns the area
    /// left for the details of its selected row.
    fn render_lists(&self, ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme) -> Rect {
        let body = if Self::NAMES.len() > 1 {
            let [bar, body] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
            let names: Vec<String> =
                Self::NAMES.iter().enumerate().map(|(i, n)| format!("{n} ({})", self.count_text(i))).collect();
            pane_bar(bar, buf, theme, &[names], self.shown());
            body
        } else {
            area
        };
        let (list, detail) = split_list_detail(body, self.current().map_or(0, |l| l.rows_len()));
        if let Some(l) = self.current() {
            l.draw(ctx, list, buf, theme, true);
        }
        detail
    }

    /// The list's keys (move, filter) and the switch between lists; `None` when neither used it.
    fn handle_lists(&mut self, ctx: &Ctx, action: Action) -> Option<Effect> {
        let i = self.shown();
        if self.list_mut(i).is_some_and(|l| l.handle_action(ctx, action)) {
            return Some(Effect::None);
        }
        let n = Self::NAMES.len();
        match action {
            Action::NextPane | Action::PrevPane if n > 1 => {
                let next = if action == Action::NextPane { (i + 1) % n } else { (i + n - 1) % n };
                self.show(next);
                Some(Effect::None)
            }
            _ => None,
        }
    }

    fn text_lists(&mut self, ctx: &Ctx, c: char) -> Effect {
        let i = self.shown();
        if self.list_mut(i).is_some_and(|l| l.type_char(ctx, c)) { Effect::None } else { Effect::Unhandled }
    }

    fn mode_lists(&self) -> Mode {
        self.current().map_or(Mode::List, |l| l.pane().mode())
    }

    /// A click on the list shown selects the row under it.
    fn click_lists(&mut self, column: u16, row: u16) -> Effect {
        let i = self.shown();
        match self.list_mut(i).map(|l| l.pane_mut()) {
            Some(p) if p.contains(column, row) => {
                p.click(column, row);
                Effect::None
            }
            _ => Effect::Unhandled,
        }
    }

    fn scroll_lists(&mut self, lines: isize) -> Effect {
        let i = self.shown();
        if let Some(l) = self.list_mut(i) {
            l.pane_mut().scroll(lines);
        }
        Effect::None
    }
}
