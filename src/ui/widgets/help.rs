//! The help screen, generated from the keymap: every mode, its keys, and what each action does.

use std::cell::Cell;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};
use strum::IntoEnumIterator;

use super::Outcome;
use super::popup::{popup_area, popup_frame};
use crate::ui::action::Action;
use crate::ui::keymap::{Keymap, Mode};
use crate::ui::theme::Theme;

/// One line of help: `None` action for a heading or a blank line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpEntry {
    pub mode: Mode,
    pub keys: String,
    pub action: Option<Action>,
    pub text: String,
}

/// The help content, in order: for each mode a heading, then one entry per bound action.
pub fn help_entries(keymap: &Keymap) -> Vec<HelpEntry> {
    let mut out = Vec::new();
    for mode in Mode::iter() {
        let bindings = keymap.bindings(mode);
        if bindings.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(HelpEntry { mode, keys: String::new(), action: None, text: String::new() });
        }
        out.push(HelpEntry { mode, keys: String::new(), action: None, text: mode.title().into() });
        for (action, keys) in bindings {
            out.push(HelpEntry {
                mode,
                keys: keys.join(", "),
                action: Some(action),
                text: action.description().into(),
            });
        }
    }
    out
}

#[derive(Debug, Default)]
pub struct HelpState {
    scroll: usize,
    max_scroll: Cell<usize>,
    page: Cell<usize>,
}

impl HelpState {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn scroll(&self) -> usize {
        self.scroll
    }

    pub fn handle(&mut self, action: Action) -> Outcome<()> {
        let max = self.max_scroll.get();
        let page = self.page.get().max(1);
        self.scroll = match action {
            Action::Back | Action::Help => return Outcome::Cancel,
            Action::Up => self.scroll.saturating_sub(1),
            Action::Down => (self.scroll + 1).min(max),
            Action::PageUp => self.scroll.saturating_sub(page),
            Action::PageDown => (self.scroll + page).min(max),
            Action::Home => 0,
            Action::End => max,
            _ => return Outcome::Ignored,
        };
        Outcome::Consumed
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, keymap: &Keymap, theme: &Theme) {
        let popup = popup_area(area, 90, 90);
        let inner = popup_frame(popup, buf, "Help", theme);
        let entries = help_entries(keymap);
        let key_w = entries.iter().map(|e| e.keys.chars().count()).max().unwrap_or(0).min(24);
        let lines: Vec<Line> = entries
            .iter()
            .map(|e| match e.action {
                None => Line::styled(e.text.clone(), theme.title),
                Some(_) => Line::from(vec![
                    Span::styled(format!("  {:<key_w$}  ", e.keys), theme.key),
                    Span::raw(e.text.clone()),
                ]),
            })
            .collect();
        let height = usize::from(inner.height);
        let max = lines.len().saturating_sub(height);
        self.max_scroll.set(max);
        self.page.set(height);
        let scroll = self.scroll.min(max);
        Paragraph::new(lines).scroll((scroll as u16, 0)).render(inner, buf);
    }
}
