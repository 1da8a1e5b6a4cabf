//! A titled, bordered table: the usual body of a tab (or one of its panes). It bundles the
//! columns, the [`TableState`] and the empty-state text, so a tab only supplies its [`Rows`].

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Block, Widget};

use super::table::{Column, Rows, Table, TableState};
use crate::ui::action::Action;
use crate::ui::keymap::Mode;
use crate::ui::theme::Theme;

#[derive(Debug)]
pub struct ListPane {
    pub title: String,
    pub columns: Vec<Column>,
    pub state: TableState,
    pub empty: String,
    /// The part of the list shown, when not all of it (see `IdList::scope`).
    pub scope: Option<String>,
    /// How far the rows are read, while they are (after the count: `reading 45%`).
    pub progress: Option<String>,
    last_area: std::cell::Cell<Rect>,
}

impl ListPane {
    pub fn new(title: impl Into<String>, columns: Vec<Column>) -> Self {
        ListPane {
            title: title.into(),
            columns,
            state: TableState::new(),
            empty: "Nothing here yet.".into(),
            scope: None,
            progress: None,
            last_area: std::cell::Cell::new(Rect::default()),
        }
    }

    /// A list whose owner finds the filter's matches (see [`TableState::search_outside`]).
    pub fn search_outside(mut self) -> Self {
        self.state.search_outside();
        self
    }

    /// The text shown when there are no rows at all.
    pub fn empty(mut self, message: impl Into<String>) -> Self {
        self.set_empty(message);
        self
    }

    /// What the pane says when it has no rows.
    pub fn set_empty(&mut self, message: impl Into<String>) {
        self.empty = message.into();
    }

    /// Draws the border (highlighted when `focused`), the title with the row count, and the table.
    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme, rows: &dyn Rows, focused: bool) {
        self.last_area.set(area);
        let mut count = if self.state.view_len() == self.state.total() {
            format!("{}", self.state.total())
        } else {
            format!("{} of {}", self.state.view_len(), self.state.total())
        };
        if let Some(p) = &self.progress {
            count.push_str(" · ");
            count.push_str(p);
        }
        let block = Block::bordered()
            .border_style(if focused { theme.border_focus } else { theme.border })
            .title(Span::styled(format!(" {} ({count}) ", self.title), theme.title));
        let block = match &self.scope {
            Some(part) => block.title_bottom(Span::styled(format!(" {part} · esc: all "), theme.key)),
            None => block,
        };
        let inner = block.inner(area);
        block.render(area, buf);
        Table::new(&self.columns, rows).empty(&self.empty).render(inner, buf, &self.state, theme);
    }

    /// Call when the rows changed.
    pub fn sync(&mut self, rows: &dyn Rows) {
        self.state.sync(rows);
    }

    /// Indexes rows for the filter until `until`; whether rows are left (see `TableState`).
    pub fn index_a_while(&mut self, rows: &dyn Rows, until: std::time::Instant) -> bool {
        self.state.index_a_while(rows, until)
    }

    pub fn handle(&mut self, action: Action, rows: &dyn Rows) -> bool {
        self.state.handle(action, rows)
    }

    pub fn text(&mut self, c: char, rows: &dyn Rows) -> bool {
        self.state.text(c, rows)
    }

    pub fn mode(&self) -> Mode {
        self.state.mode()
    }

    /// Source index of the selected row.
    pub fn selected(&self) -> Option<usize> {
        self.state.selected()
    }

    /// Whether a screen position is inside this pane (last frame), e.g. to focus it on click.
    pub fn contains(&self, column: u16, row: u16) -> bool {
        self.last_area.get().contains((column, row).into())
    }

    /// Selects the row under a click; returns its source index.
    pub fn click(&mut self, column: u16, row: u16) -> Option<usize> {
        self.state.click(column, row)
    }

    pub fn scroll(&mut self, lines: isize) {
        self.state.scroll(lines);
    }
}
