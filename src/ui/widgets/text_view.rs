//! A long text in a popup that scrolls (an explanation, a preview of a clock move), and the
//! scrolling it shares with the help screen.

use std::cell::Cell;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget};

use super::Outcome;
use super::popup::{popup_area, popup_frame};
use crate::ui::action::Action;
use crate::ui::theme::Theme;

/// A scroll position over lines, bounded by what the last frame could show.
#[derive(Debug, Default)]
pub struct Scroll {
    top: usize,
    max: Cell<usize>,
    page: Cell<usize>,
}

impl Scroll {
    pub fn top(&self) -> usize {
        self.top
    }

    /// Up, down, a page, home and end move it; back (or `close`) cancels.
    pub fn handle(&mut self, action: Action, close: Action) -> Outcome<()> {
        let max = self.max.get();
        let page = self.page.get().max(1);
        self.top = match action {
            Action::Back => return Outcome::Cancel,
            a if a == close => return Outcome::Cancel,
            Action::Up => self.top.saturating_sub(1),
            Action::Down => self.top.saturating_add(1).min(max),
            Action::PageUp => self.top.saturating_sub(page),
            Action::PageDown => self.top.saturating_add(page).min(max),
            Action::Home => 0,
            Action::End => max,
            _ => return Outcome::Ignored,
        };
        Outcome::Consumed
    }

    /// Draws `lines` from the scroll position into `area`, and remembers how far it may go.
    pub fn render(&self, lines: Vec<Line<'_>>, area: Rect, buf: &mut Buffer) {
        let height = usize::from(area.height);
        let max = lines.len().saturating_sub(height);
        self.max.set(max);
        self.page.set(height);
        let top = u16::try_from(self.top.min(max)).unwrap_or(u16::MAX);
        Paragraph::new(lines).scroll((top, 0)).render(area, buf);
    }
}

/// A titled text that scrolls.
#[derive(Debug, Default)]
pub struct TextView {
    pub title: String,
    pub lines: Vec<String>,
    pub scroll: Scroll,
}

impl TextView {
    pub fn new(title: impl Into<String>, text: &str) -> Self {
        TextView { title: title.into(), lines: text.lines().map(str::to_string).collect(), scroll: Scroll::default() }
    }

    pub fn from_lines(title: impl Into<String>, lines: Vec<String>) -> Self {
        TextView { title: title.into(), lines, scroll: Scroll::default() }
    }

    pub fn handle(&mut self, action: Action) -> Outcome<()> {
        self.scroll.handle(action, Action::Open)
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let popup = popup_area(area, 90, 90);
        let title = format!("{}  (↑↓ pgup pgdn scroll · esc close)", self.title);
        let inner = popup_frame(popup, buf, &title, theme);
        // Wrapped to the popup, each piece under the line's own indentation.
        let width = usize::from(inner.width).max(1);
        let mut lines = vec![];
        for l in &self.lines {
            let body = l.trim_start_matches(' ');
            let indent = &l[..l.len() - body.len()];
            let pieces = super::wrap::wrap(body, width.saturating_sub(indent.len()).max(1));
            lines.extend(pieces.into_iter().map(|p| Line::raw(format!("{indent}{p}"))));
        }
        self.scroll.render(lines, inner, buf);
    }
}
