//! A filterable picker popup over (id, label, detail) items, single or multi select.

use std::cell::Cell;
use std::collections::BTreeSet;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::Outcome;
use super::input::TextInput;
use super::popup::{popup_area, popup_frame};
use super::table::{contains_ci, put_text};
use crate::ui::action::Action;
use crate::ui::ask::Ask;
use crate::ui::theme::Theme;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickItem {
    pub id: String,
    pub label: String,
    pub detail: String,
}

impl PickItem {
    pub fn new(id: impl Into<String>, label: impl Into<String>, detail: impl Into<String>) -> Self {
        PickItem { id: id.into(), label: label.into(), detail: detail.into() }
    }
}

#[derive(Debug, Clone)]
pub struct PickerState {
    /// Returned with the chosen ids so the owner knows what was picked for.
    pub id: Ask,
    pub title: String,
    pub multi: bool,
    items: Vec<PickItem>,
    filter: TextInput,
    /// Indices into `items` that match the filter.
    matches: Vec<usize>,
    /// Highlighted position in `matches`.
    cursor: usize,
    chosen: BTreeSet<String>,
    /// A last row that takes the filter's text itself ("Sign in from outside as …"), shown
    /// while there is text; choosing it ends the picker with [`PickerState::entered`].
    entry: Option<String>,
    offset: Cell<usize>,
    page: Cell<usize>,
}

impl PickerState {
    pub fn new(id: Ask, title: impl Into<String>, items: Vec<PickItem>) -> Self {
        let matches = (0..items.len()).collect();
        PickerState {
            id,
            title: title.into(),
            multi: false,
            items,
            filter: TextInput::default(),
            matches,
            cursor: 0,
            chosen: BTreeSet::new(),
            entry: None,
            offset: Cell::new(0),
            page: Cell::new(10),
        }
    }

    /// Several items can be chosen with `toggle`; `open` or `submit` ends.
    pub fn multi(mut self, chosen: impl IntoIterator<Item = String>) -> Self {
        self.multi = true;
        self.chosen = chosen.into_iter().collect();
        self
    }

    /// Adds the row that takes the typed text itself, labelled `label` then the text.
    pub fn with_entry(mut self, label: impl Into<String>) -> Self {
        self.entry = Some(label.into());
        self
    }

    /// The typed text, when the picker ended on its entry row (see [`PickerState::with_entry`]).
    pub fn entered(&self) -> Option<String> {
        self.on_entry().then(|| self.filter.value().trim().to_string())
    }

    /// Whether the highlight is on the entry row (its index is one past the items).
    fn on_entry(&self) -> bool {
        self.entry.is_some() && self.matches.get(self.cursor) == Some(&self.items.len())
    }

    /// Puts the highlight on the item with this id (e.g. the current value).
    pub fn highlight(mut self, id: &str) -> Self {
        if let Some(p) = self.matches.iter().position(|&i| self.items.get(i).is_some_and(|it| it.id == id)) {
            self.cursor = p;
        }
        self
    }

    pub fn filter_text(&self) -> &str {
        self.filter.value()
    }

    pub fn visible_items(&self) -> impl Iterator<Item = &PickItem> {
        self.matches.iter().filter_map(|&i| self.items.get(i))
    }

    pub fn chosen(&self) -> &BTreeSet<String> {
        &self.chosen
    }

    fn current(&self) -> Option<&PickItem> {
        self.matches.get(self.cursor).and_then(|&i| self.items.get(i))
    }

    fn refilter(&mut self) {
        let keep = self.current().map(|i| i.id.clone());
        let needle = self.filter.value().to_lowercase();
        self.matches = (0..self.items.len())
            .filter(|&i| {
                let it = &self.items[i];
                contains_ci(&it.label, &needle) || contains_ci(&it.detail, &needle)
            })
            .collect();
        if self.entry.is_some() && !needle.trim().is_empty() {
            self.matches.push(self.items.len());
        }
        self.cursor = keep
            .and_then(|id| self.matches.iter().position(|&i| self.items.get(i).is_some_and(|it| it.id == id)))
            .unwrap_or(0);
    }

    fn finish(&self) -> Outcome<Vec<String>> {
        if self.on_entry() {
            return Outcome::Done(Vec::new());
        }
        if self.multi && !self.chosen.is_empty() {
            return Outcome::Done(self.chosen.iter().cloned().collect());
        }
        match self.current() {
            Some(item) => Outcome::Done(vec![item.id.clone()]),
            None if self.multi => Outcome::Done(Vec::new()),
            None => Outcome::Consumed,
        }
    }

    pub fn handle(&mut self, action: Action) -> Outcome<Vec<String>> {
        let last = self.matches.len().saturating_sub(1);
        let page = self.page.get().max(1);
        match action {
            Action::Back => return Outcome::Cancel,
            Action::Open | Action::Submit => return self.finish(),
            Action::Up => self.cursor = self.cursor.saturating_sub(1),
            Action::Down => self.cursor = (self.cursor + 1).min(last),
            Action::PageUp => self.cursor = self.cursor.saturating_sub(page),
            Action::PageDown => self.cursor = (self.cursor + page).min(last),
            Action::Toggle if self.multi => {
                if let Some(id) = self.current().map(|i| i.id.clone())
                    && !self.chosen.remove(&id)
                {
                    self.chosen.insert(id);
                }
            }
            Action::Toggle => self.text(' '),
            other => match self.filter.handle(other) {
                Some(true) => self.refilter(),
                Some(false) => {}
                None => return Outcome::Ignored,
            },
        }
        Outcome::Consumed
    }

    pub fn text(&mut self, c: char) {
        self.filter.insert(c);
        self.refilter();
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let popup = popup_area(area, 70, 70);
        let inner = popup_frame(popup, buf, &self.title, theme);
        let [filter, list] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(inner);
        let found = self.matches.iter().filter(|&&i| i < self.items.len()).count();
        let count = format!(" {} of {}", found, self.items.len());
        Span::styled("› ", theme.key).render(filter, buf);
        let count_w = count.len() as u16;
        let input = Rect { x: filter.x + 2, width: filter.width.saturating_sub(2 + count_w), ..filter };
        self.filter.render(input, buf, theme.base, theme.cursor, true);
        let count_area = Rect { x: input.x + input.width, width: count_w, ..filter };
        Span::styled(count, theme.muted).render(count_area, buf);

        let height = usize::from(list.height);
        self.page.set(height);
        if self.matches.is_empty() {
            Line::styled("Nothing matches.", theme.muted).render(list, buf);
            return;
        }
        let mut offset = self.offset.get().min(self.matches.len().saturating_sub(height));
        if self.cursor < offset {
            offset = self.cursor;
        } else if self.cursor >= offset + height {
            offset = self.cursor + 1 - height;
        }
        self.offset.set(offset);
        let label_w = list.width.saturating_mul(6) / 10;
        let entry_row = self
            .entry
            .as_ref()
            .map(|label| PickItem::new("", format!("{label} {}", self.filter.value().trim()), String::new()));
        for (row, pos) in (offset..self.matches.len().min(offset + height)).enumerate() {
            let Some(item) = self.matches.get(pos).and_then(|&i| self.items.get(i).or(entry_row.as_ref())) else {
                break;
            };
            let y = list.y + row as u16;
            let line = Rect { y, height: 1, ..list };
            let style = if pos == self.cursor { theme.selected } else { theme.base };
            buf.set_style(line, style);
            let mark = match (self.multi, self.chosen.contains(&item.id)) {
                (false, _) => "",
                (true, true) => "[x] ",
                (true, false) => "[ ] ",
            };
            let mark_w = mark.len() as u16;
            put_text(buf, Rect { width: mark_w, ..line }, mark, style);
            let label = Rect { x: line.x + mark_w, width: label_w.saturating_sub(mark_w), ..line };
            put_text(buf, label, &item.label, style);
            let detail = Rect { x: line.x + label_w + 1, width: line.width.saturating_sub(label_w + 1), ..line };
            put_text(buf, detail, &item.detail, style.patch(theme.muted));
        }
    }
}
