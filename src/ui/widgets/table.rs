//! A table over any number of rows. It asks its [`Rows`] source only for the rows it shows, so a
//! million rows draw as fast as ten. `/` filters (case-insensitive substring over the row's cells)
//! through an index of the rows built once per data (`search.rs`): typing more narrows the last
//! matches, and no key builds every row again.

use std::cell::Cell;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState, StatefulWidget, Widget, Wrap};

use crate::ui::action::Action;
use crate::ui::keymap::Mode;
use crate::ui::theme::Theme;
use crate::ui::widgets::input::TextInput;

mod search;

pub use search::{ROWS_PER_LOOK, rows_materialized};
use search::{SearchIndex, ascii_set, count_materialized};

/// A column: its title and width constraint (`Constraint::Length(12)`, `Fill(1)`, ...).
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub title: String,
    pub width: Constraint,
}

impl Column {
    pub fn new(title: impl Into<String>, width: Constraint) -> Self {
        Column { title: title.into(), width }
    }
}

/// One cell's text and style (e.g. `theme.state("denied")`), and what a CSV export writes for it
/// when that is not the text (a time in ISO 8601, an empty field for a dash).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CellText {
    pub text: String,
    pub style: Style,
    pub data: Option<crate::tabular::Cell>,
}

impl CellText {
    pub fn styled(text: impl Into<String>, style: Style) -> Self {
        CellText { text: text.into(), style, data: None }
    }

    /// The cell a CSV export writes: its data, else its text.
    pub fn to_cell(self) -> crate::tabular::Cell {
        self.data.unwrap_or(crate::tabular::Cell::Text(self.text))
    }
}

impl From<String> for CellText {
    fn from(text: String) -> Self {
        CellText { text, style: Style::new(), data: None }
    }
}

impl From<&str> for CellText {
    fn from(text: &str) -> Self {
        CellText::from(text.to_string())
    }
}

/// Where a table's rows come from. Only `len` and the rows on screen (and, while filtering, each
/// row once per filter change) are asked for.
pub trait Rows {
    fn len(&self) -> usize;
    fn cells(&self, index: usize) -> Vec<CellText>;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Appends the text of row `index`'s cells to `out`, one line each (what the filter searches).
    fn search_text(&self, index: usize, out: &mut String) {
        push_cells_text(&self.cells(index), out);
    }
}

/// The cells' text, one line each (a filter never spans two cells: it holds no line break).
pub fn push_cells_text(cells: &[CellText], out: &mut String) {
    for c in cells {
        out.push_str(&c.text);
        out.push('\n');
    }
}

/// Rows from a closure: `rows_fn(n, |i| vec![...])`.
pub struct FnRows<F> {
    len: usize,
    f: F,
}

pub fn rows_fn<F: Fn(usize) -> Vec<CellText>>(len: usize, f: F) -> FnRows<F> {
    FnRows { len, f }
}

impl<F: Fn(usize) -> Vec<CellText>> Rows for FnRows<F> {
    fn len(&self) -> usize {
        self.len
    }
    fn cells(&self, index: usize) -> Vec<CellText> {
        (self.f)(index)
    }
}

impl Rows for [Vec<CellText>] {
    fn len(&self) -> usize {
        <[Vec<CellText>]>::len(self)
    }
    fn cells(&self, index: usize) -> Vec<CellText> {
        self.get(index).cloned().unwrap_or_default()
    }
    fn search_text(&self, index: usize, out: &mut String) {
        push_cells_text(self.get(index).map_or(&[], Vec::as_slice), out);
    }
}

impl Rows for Vec<Vec<CellText>> {
    fn len(&self) -> usize {
        self.as_slice().len()
    }
    fn cells(&self, index: usize) -> Vec<CellText> {
        self.as_slice().cells(index)
    }
    fn search_text(&self, index: usize, out: &mut String) {
        self.as_slice().search_text(index, out)
    }
}

/// The longest list indexed for its filter while nobody types (a hundred thousand users' rows
/// take about 10 MB of text): past it, the first `/` indexes.
pub const IDLE_INDEX_AT_MOST: usize = 250_000;

/// The filter's index of every row, what is not indexed yet indexed now.
fn whole_index<'a>(search: &'a mut Option<SearchIndex>, rows: &dyn Rows) -> &'a SearchIndex {
    let index = search.get_or_insert_default();
    if !index.is_complete(rows) {
        index.extend(rows, None);
    }
    index
}

/// Selection, scrolling and filter of one table. Indices called "source" are row indices of the
/// [`Rows`]; "view" indices count only the rows the filter lets through.
#[derive(Debug, Default)]
pub struct TableState {
    selected: usize,
    total: usize,
    filter: TextInput,
    editing_filter: bool,
    /// Source indices that match `matched_for`, ascending; `None` when no filter is applied.
    matches: Option<Vec<usize>>,
    matched_for: String,
    /// What the filter searches; dropped when the rows change.
    search: Option<SearchIndex>,
    /// The filter's matches are found by the owner of the rows, not here (a list of millions
    /// of rows read from files as they are shown: see [`TableState::search_outside`]).
    outside: bool,
    /// What the owner says of its search while it goes on (shown after the count).
    note: Option<String>,
    /// The rows area and first visible view row of the last frame (for clicks and paging).
    last_rows_area: Cell<Rect>,
    offset: Cell<usize>,
}

impl TableState {
    pub fn new() -> Self {
        Self::default()
    }

    /// Call after the rows changed (new data): re-applies the filter and keeps the selection in
    /// range.
    pub fn sync(&mut self, rows: &dyn Rows) {
        if self.outside {
            self.total = rows.len();
            self.select_view(self.selected);
            return;
        }
        self.total = rows.len();
        self.matched_for.clear();
        self.search = None;
        self.refilter(rows);
    }

    /// Indexes rows for the filter until `until` (at least a few, so that repeated calls finish):
    /// what the app does while nobody types, so that the first `/` after a change of the data
    /// finds the index made instead of visiting every row. Whether rows are left to index.
    /// A list longer than [`IDLE_INDEX_AT_MOST`] is left to its first `/` (its index may never
    /// be asked for, and would hold every row's text meanwhile).
    pub fn index_a_while(&mut self, rows: &dyn Rows, until: std::time::Instant) -> bool {
        if self.outside || rows.len() > IDLE_INDEX_AT_MOST {
            return false;
        }
        let index = self.search.get_or_insert_default();
        !index.is_complete(rows) && !index.extend(rows, Some(until))
    }

    /// Number of rows that pass the filter.
    pub fn view_len(&self) -> usize {
        self.matches.as_ref().map_or(self.total, Vec::len)
    }

    pub fn total(&self) -> usize {
        self.total
    }

    /// Source index of the selected row.
    pub fn selected(&self) -> Option<usize> {
        self.source_of(self.selected)
    }

    pub fn selected_view(&self) -> Option<usize> {
        (self.selected < self.view_len()).then_some(self.selected)
    }

    /// The source indices of the rows the filter lets through, in order.
    pub fn view_sources(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.view_len()).filter_map(|v| self.source_of(v))
    }

    /// The row of the rows behind row `view` of the view.
    pub fn source_of(&self, view: usize) -> Option<usize> {
        match &self.matches {
            Some(m) => m.get(view).copied(),
            None => (view < self.total).then_some(view),
        }
    }

    pub fn select_view(&mut self, view: usize) {
        self.selected = view.min(self.view_len().saturating_sub(1));
    }

    /// Selects a source row if the filter shows it. Returns whether it did.
    pub fn select_source(&mut self, source: usize) -> bool {
        let view = match &self.matches {
            Some(m) => m.binary_search(&source).ok(),
            None => (source < self.total).then_some(source),
        };
        if let Some(v) = view {
            self.selected = v;
        }
        view.is_some()
    }

    pub fn filter_text(&self) -> &str {
        self.filter.value()
    }

    pub fn is_editing_filter(&self) -> bool {
        self.editing_filter
    }

    /// `Prompt` while the filter line is being typed, else `List`.
    pub fn mode(&self) -> Mode {
        if self.editing_filter { Mode::Prompt } else { Mode::List }
    }

    /// Rows that fit in the last frame (at least 1).
    pub fn page_height(&self) -> usize {
        usize::from(self.last_rows_area.get().height).max(1)
    }

    /// Sets the filter text directly (e.g. restored state) and applies it.
    pub fn set_filter(&mut self, text: &str, rows: &dyn Rows) {
        self.filter.set(text);
        self.refilter(rows);
    }

    /// Handles list and filter actions. Returns whether the action was used.
    pub fn handle(&mut self, action: Action, rows: &dyn Rows) -> bool {
        if self.editing_filter {
            match action {
                Action::Open => self.editing_filter = false,
                Action::Back => {
                    self.editing_filter = false;
                    self.filter.clear();
                    self.refilter(rows);
                }
                Action::Up | Action::Down | Action::PageUp | Action::PageDown => {
                    self.navigate(action);
                }
                other => match self.filter.handle(other) {
                    Some(true) => self.refilter(rows),
                    Some(false) => {}
                    None => return false,
                },
            }
            return true;
        }
        match action {
            Action::Filter => {
                // The rows are indexed for the filter now (what idle time left to do), once,
                // not on each character typed.
                if !self.outside {
                    whole_index(&mut self.search, rows);
                }
                self.editing_filter = true;
            }
            Action::Back if !self.filter.is_empty() => {
                self.filter.clear();
                self.refilter(rows);
            }
            Action::Up | Action::Down | Action::PageUp | Action::PageDown | Action::Home | Action::End => {
                self.navigate(action)
            }
            _ => return false,
        }
        true
    }

    /// Typed text while the filter is being edited. Returns whether it was used.
    pub fn text(&mut self, c: char, rows: &dyn Rows) -> bool {
        if !self.editing_filter {
            return false;
        }
        self.filter.insert(c);
        self.refilter(rows);
        true
    }

    fn navigate(&mut self, action: Action) {
        let len = self.view_len();
        if len == 0 {
            self.selected = 0;
            return;
        }
        let page = self.page_height();
        let last = len - 1;
        self.selected = match action {
            Action::Up => self.selected.saturating_sub(1),
            Action::Down => (self.selected + 1).min(last),
            Action::PageUp => self.selected.saturating_sub(page),
            Action::PageDown => (self.selected + page).min(last),
            Action::Home => 0,
            Action::End => last,
            _ => self.selected,
        };
    }

    /// Mouse wheel: moves the selection by `lines` (negative is up).
    pub fn scroll(&mut self, lines: isize) {
        let last = self.view_len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(lines).min(last);
    }

    /// A click at a screen position: selects the row under it and returns its source index.
    pub fn click(&mut self, column: u16, row: u16) -> Option<usize> {
        let area = self.last_rows_area.get();
        if !area.contains((column, row).into()) {
            return None;
        }
        let view = self.offset.get() + usize::from(row - area.y);
        let source = self.source_of(view)?;
        self.selected = view;
        Some(source)
    }

    /// The filter's matches are the owner's to find: a change of the filter text only empties
    /// them (see [`TableState::outside_matches`]), and new rows keep them.
    pub fn search_outside(&mut self) {
        self.outside = true;
    }

    /// The matches of the filter, ascending source indices, for the owner of a list searched
    /// outside to add to as it finds them (None when no filter is set, or not searched outside).
    /// Call [`TableState::sync`] after.
    pub fn outside_matches(&mut self) -> Option<&mut Vec<usize>> {
        self.matches.as_mut().filter(|_| self.outside)
    }

    /// What the owner of a list searched outside says of its search (how far it is).
    pub fn set_note(&mut self, note: Option<String>) {
        self.note = note;
    }

    fn refilter(&mut self, rows: &dyn Rows) {
        if self.outside {
            self.total = rows.len();
            let needle = self.filter.value().to_lowercase();
            if needle != self.matched_for {
                self.matches = (!needle.is_empty()).then(Vec::new);
                self.matched_for = needle;
                self.offset.set(0);
                self.selected = 0;
            }
            return;
        }
        self.total = rows.len();
        let keep = self.selected();
        let needle = self.filter.value().to_lowercase();
        if needle.is_empty() {
            self.matches = None;
        } else {
            // Typing more narrows the previous matches instead of scanning everything again.
            let narrowing = !self.matched_for.is_empty() && needle.starts_with(&self.matched_for);
            let index = whole_index(&mut self.search, rows);
            let chars = ascii_set(&needle);
            let hit = |i: &usize| index.matches(*i, &needle, chars);
            let matches = match (&self.matches, narrowing) {
                (Some(prev), true) => prev.iter().copied().filter(hit).collect(),
                _ => (0..self.total).filter(hit).collect(),
            };
            self.matches = Some(matches);
        }
        self.matched_for = needle;
        self.offset.set(0);
        self.selected = 0;
        if let Some(src) = keep {
            self.select_source(src);
        }
        self.select_view(self.selected);
    }
}

/// Case-insensitive `contains`; `needle` is already lower case.
pub fn contains_ci(hay: &str, needle: &str) -> bool {
    if needle.is_ascii() {
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
    } else {
        hay.to_lowercase().contains(needle)
    }
}

/// The drawing side of a table: columns, the row source and the text shown when there are none.
pub struct Table<'a> {
    pub columns: &'a [Column],
    pub rows: &'a dyn Rows,
    pub empty: &'a str,
}

impl<'a> Table<'a> {
    pub fn new(columns: &'a [Column], rows: &'a dyn Rows) -> Self {
        Table { columns, rows, empty: "Nothing here yet." }
    }

    pub fn empty(mut self, message: &'a str) -> Self {
        self.empty = message;
        self
    }

    /// Draws the filter line (when a filter is set or typed), the header and the visible rows.
    /// Records the rows area and scroll offset in `state` for clicks and paging.
    pub fn render(&self, area: Rect, buf: &mut Buffer, state: &TableState, theme: &Theme) {
        let mut area = area;
        if state.editing_filter || !state.filter.is_empty() {
            let line_area = Rect { height: 1, ..area };
            render_filter_line(line_area, buf, state, theme);
            area = shrink_top(area, 1);
        }
        if area.height == 0 {
            state.last_rows_area.set(Rect::default());
            return;
        }
        let view_len = state.view_len();
        let rows_area = shrink_top(area, 1);
        let scrollbar = view_len > usize::from(rows_area.height);
        let content_width = area.width.saturating_sub(u16::from(scrollbar));
        let height = usize::from(rows_area.height);
        let sel = state.selected.min(view_len.saturating_sub(1));
        let mut offset = state.offset.get().min(view_len.saturating_sub(height));
        if sel < offset {
            offset = sel;
        } else if sel >= offset + height {
            offset = sel + 1 - height;
        }
        state.offset.set(offset);
        // The rows on screen, built once: their widths share out the spare room.
        let shown: Vec<(usize, Vec<CellText>)> = (offset..view_len.min(offset + height))
            .map_while(|view| state.source_of(view).map(|source| (view, self.rows.cells(source))))
            .collect();
        count_materialized(shown.len());
        let needs: Vec<u16> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let cells =
                    shown.iter().filter_map(|(_, cells)| cells.get(i)).map(|c| Span::raw(c.text.as_str()).width());
                let need = cells.chain([Span::raw(c.title.as_str()).width()]).max().unwrap_or(0);
                u16::try_from(need).unwrap_or(u16::MAX)
            })
            .collect();
        let row = Rect { width: content_width, height: 1, ..area };
        let cols = column_rects(row, self.columns, &needs);
        for (col, rect) in self.columns.iter().zip(cols.iter()) {
            put_text(buf, *rect, &col.title, theme.header);
        }
        state.last_rows_area.set(Rect { width: content_width, ..rows_area });
        if view_len == 0 {
            let msg = if state.filter.is_empty() {
                self.empty.to_string()
            } else {
                format!("No rows match \"{}\".", state.filter.value())
            };
            // A long message (a refusal's whole reason) wraps instead of being cut.
            if Span::raw(msg.as_str()).width() <= usize::from(rows_area.width) {
                Line::styled(msg, theme.muted).centered().render(Rect { height: 1, ..rows_area }, buf);
            } else {
                Paragraph::new(msg)
                    .style(theme.muted)
                    .alignment(ratatui::layout::Alignment::Center)
                    .wrap(Wrap { trim: true })
                    .render(rows_area, buf);
            }
            return;
        }
        for (line, (view, cells)) in shown.iter().enumerate() {
            let y = rows_area.y + line as u16;
            let base = if *view == sel { theme.selected } else { theme.base };
            buf.set_style(Rect { y, height: 1, width: content_width, ..rows_area }, base);
            for (cell, rect) in cells.iter().zip(cols.iter()) {
                put_text(buf, Rect { y, ..*rect }, &cell.text, base.patch(cell.style));
            }
        }
        if scrollbar {
            let mut sb = ScrollbarState::new(view_len).position(sel);
            Scrollbar::new(ScrollbarOrientation::VerticalRight)
                .begin_symbol(None)
                .end_symbol(None)
                .render(rows_area, buf, &mut sb);
        }
    }
}

/// The columns' places in `row`, one blank between them: a fixed column gets its length (less
/// what its rows on screen leave unused); the others share the rest by their weights (`Fill(n)`), none getting more than it needs while
/// another is cut, and what is left over after every one has what it needs is shared by
/// weight, so a column that is empty on screen lends its room to one that is cut.
fn column_rects(row: Rect, columns: &[Column], needs: &[u16]) -> Vec<Rect> {
    let n = columns.len();
    let gaps = u16::try_from(n.saturating_sub(1)).unwrap_or(u16::MAX);
    let fixed = |c: &Column| match c.width {
        Constraint::Length(l) => Some(l),
        _ => None,
    };
    let weight = |c: &Column| match c.width {
        Constraint::Fill(w) => u32::from(w.max(1)),
        _ => 1,
    };
    // A fixed column never grows, and lends what its rows on screen do not use.
    let fixed_widths: Vec<u16> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| fixed(c).map_or(0, |l| l.min(needs.get(i).copied().unwrap_or(l))))
        .collect();
    let taken: u16 = fixed_widths.iter().copied().fold(0, u16::saturating_add);
    let mut room = u32::from(row.width.saturating_sub(gaps).saturating_sub(taken));
    let mut widths: Vec<u32> = fixed_widths.iter().map(|w| u32::from(*w)).collect();
    let mut open: Vec<usize> = (0..n).filter(|i| columns.get(*i).is_some_and(|c| fixed(c).is_none())).collect();
    let need = |i: usize| u32::from(needs.get(i).copied().unwrap_or(0));
    let weights = |open: &[usize]| open.iter().filter_map(|i| columns.get(*i)).map(weight).sum::<u32>().max(1);
    // Water-filling: those that need less than their share get what they need, until none does.
    loop {
        let total = weights(&open);
        let fits: Vec<usize> = open
            .iter()
            .copied()
            .filter(|i| columns.get(*i).is_some_and(|c| need(*i) * total <= room * weight(c)))
            .collect();
        if fits.is_empty() || open.is_empty() {
            break;
        }
        open.retain(|i| !fits.contains(i));
        for i in fits {
            widths[i] = need(i);
            room = room.saturating_sub(need(i));
        }
    }
    // The cut ones share what is left by weight; when none is cut, every flexible column does.
    let sharing: Vec<usize> = if open.is_empty() {
        (0..n).filter(|i| columns.get(*i).is_some_and(|c| fixed(c).is_none())).collect()
    } else {
        open
    };
    let total = weights(&sharing);
    let mut left = room;
    for (k, i) in sharing.iter().enumerate() {
        let w = columns.get(*i).map(weight).unwrap_or(1);
        let part = if k + 1 == sharing.len() { left } else { room * w / total };
        widths[*i] = widths[*i].saturating_add(part.min(left));
        left = left.saturating_sub(part);
    }
    let mut x = row.x;
    let right = row.right();
    widths
        .into_iter()
        .map(|w| {
            let width = u16::try_from(w).unwrap_or(u16::MAX).min(right.saturating_sub(x));
            let r = Rect { x, width, ..row };
            x = x.saturating_add(width).saturating_add(1).min(right);
            r
        })
        .collect()
}

fn shrink_top(area: Rect, by: u16) -> Rect {
    let by = by.min(area.height);
    Rect { y: area.y + by, height: area.height - by, ..area }
}

fn render_filter_line(area: Rect, buf: &mut Buffer, state: &TableState, theme: &Theme) {
    let label = "filter: ";
    let count = match &state.note {
        Some(note) => format!(" ({} of {} · {note})", state.view_len(), state.total),
        None => format!(" ({} of {})", state.view_len(), state.total),
    };
    Span::styled(label, theme.key).render(area, buf);
    let label_w = label.len() as u16;
    let count_w = count.len() as u16;
    // The count follows the text (and the cursor cell while typing).
    let text_w = Span::raw(state.filter.value()).width() as u16;
    let input_w =
        area.width.saturating_sub(label_w + count_w).min(text_w.saturating_add(u16::from(state.editing_filter)));
    let input_area = Rect { x: area.x + label_w, width: input_w, ..area };
    state.filter.render(input_area, buf, theme.base, theme.cursor, state.editing_filter);
    let count_area = Rect { x: input_area.x + input_w, width: area.width.saturating_sub(label_w + input_w), ..area };
    Span::styled(count, theme.muted).render(count_area, buf);
}

/// Writes `text` clipped to `rect` (one line), ending in `…` when it does not fit.
pub fn put_text(buf: &mut Buffer, rect: Rect, text: &str, style: Style) {
    if rect.width == 0 || rect.height == 0 {
        return;
    }
    let width = usize::from(rect.width);
    if Span::raw(text).width() <= width {
        buf.set_stringn(rect.x, rect.y, text, width, style);
    } else {
        let (x, _) = buf.set_stringn(rect.x, rect.y, text, width - 1, style);
        buf.set_string(x, rect.y, "…", style);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_column_lends_its_room_to_a_cut_one() {
        let cols = vec![
            Column::new("Access package", Constraint::Fill(3)),
            Column::new("Grants", Constraint::Fill(4)),
            Column::new("Mine", Constraint::Fill(3)),
            Column::new("State", Constraint::Length(7)),
        ];
        // Grants needs 50 columns, Mine only its title: Grants takes what Mine does not use.
        let r = column_rects(Rect::new(0, 0, 80, 1), &cols, &[20, 50, 4, 5]);
        assert_eq!(r.iter().map(|r| r.width).collect::<Vec<_>>(), vec![20, 48, 4, 5], "{r:?}");
        // Room for all: everyone has what it needs, the rest is shared, to the row's end.
        let r = column_rects(Rect::new(0, 0, 200, 1), &cols, &[20, 50, 4, 5]);
        assert!(r.iter().zip([20, 50, 4, 5]).all(|(r, n)| r.width >= n), "{r:?}");
        assert_eq!(r.last().map(|r| r.right()), Some(200));
        // Too narrow for all: the cut ones share by weight, nothing past the row.
        let r = column_rects(Rect::new(0, 0, 30, 1), &cols, &[40, 50, 40, 5]);
        assert!(r.iter().all(|x| x.right() <= 30), "{r:?}");
    }
    #[test]
    fn rows_indexed_while_idle_serve_the_first_filter_and_new_rows_are_indexed_afresh() {
        let old = rows_fn(600, |i| vec![CellText::from(format!("old {i}"))]);
        let new = rows_fn(600, |i| vec![CellText::from(format!("new {i}"))]);
        let mut st = TableState::new();
        st.sync(&old);
        let past = std::time::Instant::now();
        assert!(st.index_a_while(&old, past), "rows are left after one piece");
        // The data changes half way: what was indexed of the old rows is dropped.
        st.sync(&new);
        let mut pieces = 0;
        while st.index_a_while(&new, past) {
            pieces += 1;
        }
        assert_eq!(pieces, 2, "600 rows in pieces of {ROWS_PER_LOOK}");
        let before = rows_materialized();
        assert!(st.handle(Action::Filter, &new));
        assert_eq!(rows_materialized() - before, 0, "the first / finds the index made");
        for c in "new 59".chars() {
            st.text(c, &new);
        }
        assert_eq!(st.view_len(), 11, "new 59 and new 590 to 599");
        assert_eq!(rows_materialized() - before, 0, "typing builds no row");
        assert!(!st.index_a_while(&new, past), "nothing left to index");
    }

    #[test]
    fn a_list_past_the_idle_bound_is_left_to_its_first_filter() {
        let rows = rows_fn(IDLE_INDEX_AT_MOST + 1, |i| vec![CellText::from(i.to_string())]);
        let mut st = TableState::new();
        st.sync(&rows);
        let before = rows_materialized();
        let later = std::time::Instant::now().checked_add(std::time::Duration::from_secs(60));
        assert!(!st.index_a_while(&rows, later.unwrap_or_else(std::time::Instant::now)));
        assert_eq!(rows_materialized(), before, "no row indexed");
    }
}
