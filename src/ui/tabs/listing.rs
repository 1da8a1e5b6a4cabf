//! A list pane with the ids behind its rows: what the admin tabs (Directory, Reports) select,
//! filter and act on. Rows are rebuilt by the tab's `refresh`; the selection follows the id.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::ui::action::Action;
use crate::ui::keymap::Mode;
use crate::ui::theme::Theme;
use crate::ui::widgets::list_pane::ListPane;
use crate::ui::widgets::table::{CellText, Column};

pub struct Listing<Id> {
    pub pane: ListPane,
    ids: Vec<Id>,
    rows: Vec<Vec<CellText>>,
}

impl<Id: Copy + PartialEq> Listing<Id> {
    pub fn new(title: impl Into<String>, columns: Vec<Column>, empty: impl Into<String>) -> Self {
        Listing { pane: ListPane::new(title, columns).empty(empty), ids: Vec::new(), rows: Vec::new() }
    }

    /// Replaces the rows, keeping the selected id selected when it is still there.
    pub fn set(&mut self, items: Vec<(Id, Vec<CellText>)>) {
        let keep = self.selected();
        (self.ids, self.rows) = items.into_iter().unzip();
        self.pane.sync(&self.rows);
        if let Some(id) = keep {
            self.select(id);
        }
    }

    pub fn selected(&self) -> Option<Id> {
        self.pane.selected().and_then(|i| self.ids.get(i).copied())
    }

    /// The cells of the selected row.
    pub fn selected_cells(&self) -> Option<&[CellText]> {
        self.pane.selected().and_then(|i| self.rows.get(i)).map(Vec::as_slice)
    }

    /// Selects the row of `id` if the filter shows it.
    pub fn select(&mut self, id: Id) -> bool {
        match self.ids.iter().position(|i| *i == id) {
            Some(i) => self.pane.state.select_source(i),
            None => false,
        }
    }

    /// Number of rows (before the filter).
    pub fn row_count(&self) -> usize {
        self.rows.len()
    }

    pub fn handle(&mut self, action: Action) -> bool {
        self.pane.handle(action, &self.rows)
    }

    pub fn text(&mut self, c: char) -> bool {
        self.pane.text(c, &self.rows)
    }

    pub fn mode(&self) -> Mode {
        self.pane.mode()
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        self.pane.render(area, buf, theme, &self.rows, true);
    }

    /// A click inside the pane selects the row under it. Returns whether it was inside.
    pub fn click(&mut self, column: u16, row: u16) -> bool {
        if !self.pane.contains(column, row) {
            return false;
        }
        self.pane.click(column, row);
        true
    }
}
