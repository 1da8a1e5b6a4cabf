//! The detail pane beside or under a list: labelled lines wrapped under their label, scrolled
//! when they are longer than the pane, with what is hidden said on the border ("↓ 12 more") and
//! a scrollbar. `]` on the list focuses it when it has more to show, then
//! j/k, PgUp/PgDn, Home/End and the wheel scroll it; `[` or Esc give the focus back to the list.

use std::cell::Cell;
use std::hash::{DefaultHasher, Hash, Hasher};

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Margin, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState, StatefulWidget, Widget};

use crate::ui::action::Action;
use crate::ui::theme::Theme;
use crate::ui::widgets::wrap::wrap_line;

/// The width of a detail line's label column ("Policy        ").
pub const LABEL: usize = 14;

/// Where a detail pane is scrolled to, and whether it has the focus. Drawing records what it
/// found (rows, area, what was shown) so the keys and the wheel act on the pane as last drawn.
#[derive(Debug, Clone, Default)]
pub struct DetailScroll {
    focused: bool,
    offset: Cell<usize>,
    /// Rows of the last frame's content and of the pane's inside.
    rows: Cell<usize>,
    height: Cell<usize>,
    area: Cell<Rect>,
    /// Which content was drawn last: another one starts at the top again.
    shown: Cell<u64>,
}

impl DetailScroll {
    pub fn focused(&self) -> bool {
        self.focused
    }

    /// Whether the last frame left rows out: only then is the pane worth focusing.
    pub fn overflows(&self) -> bool {
        self.rows.get() > self.height.get()
    }

    pub fn focus(&mut self, on: bool) {
        self.focused = on;
    }

    /// Whether a screen position is inside the pane as last drawn.
    pub fn contains(&self, column: u16, row: u16) -> bool {
        self.area.get().contains((column, row).into())
    }

    pub fn scroll(&mut self, lines: isize) {
        let now = self.offset.get();
        let next =
            if lines < 0 { now.saturating_sub(lines.unsigned_abs()) } else { now.saturating_add(lines as usize) };
        self.offset.set(next.min(self.last_offset()));
    }

    fn last_offset(&self) -> usize {
        self.rows.get().saturating_sub(self.height.get())
    }

    /// The keys a focused pane uses: whether it used `action`. `[` and Esc leave the pane; `]`
    /// leaves it too, and is then the tab's to use (the next list).
    pub fn handle(&mut self, action: Action) -> bool {
        let page = self.height.get().saturating_sub(1).max(1) as isize;
        match action {
            Action::Up => self.scroll(-1),
            Action::Down => self.scroll(1),
            Action::PageUp => self.scroll(-page),
            Action::PageDown => self.scroll(page),
            Action::Home => self.offset.set(0),
            Action::End => self.offset.set(usize::MAX),
            Action::Back | Action::PrevPane => self.focused = false,
            Action::NextPane => {
                self.focused = false;
                return false;
            }
            _ => return false,
        }
        true
    }

    /// Draws `lines` in a bordered pane titled `title`: each wrapped to the pane (a line that
    /// starts with a label wraps beside it), from the scroll offset, with what is above and
    /// below said on the border.
    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme, title: &str, lines: &[Line<'_>]) {
        let inner = area.inner(Margin::new(1, 1));
        let width = usize::from(inner.width);
        let key = fingerprint(lines);
        if key != self.shown.get() {
            self.shown.set(key);
            self.offset.set(0);
        }
        let rows: Vec<Line<'static>> = lines.iter().flat_map(|l| wrap_line(l, width, label_width(l, theme))).collect();
        let height = usize::from(inner.height);
        self.rows.set(rows.len());
        self.height.set(height);
        self.area.set(area);
        let offset = self.offset.get().min(self.last_offset());
        self.offset.set(offset);
        let below = rows.len().saturating_sub(offset + height);
        let border = if self.focused { theme.border_focus } else { theme.border };
        let mut block = Block::bordered().border_style(border).title(Span::styled(format!(" {title} "), theme.title));
        if offset > 0 {
            block = block.title(Line::styled(format!(" ↑ {offset} above "), theme.muted).alignment(Alignment::Right));
        }
        if below > 0 {
            let hint =
                if self.focused { format!(" ↓ {below} more ") } else { format!(" ↓ {below} more · ] to scroll ") };
            block = block.title_bottom(Line::styled(hint, theme.muted).alignment(Alignment::Right));
        }
        let shown: Vec<Line<'static>> = rows.into_iter().skip(offset).take(height).collect();
        Paragraph::new(shown).block(block).render(area, buf);
        if self.overflows() {
            let mut state = ScrollbarState::new(self.last_offset() + 1).position(offset);
            Scrollbar::new(ScrollbarOrientation::VerticalRight)
                .begin_symbol(None)
                .end_symbol(None)
                .thumb_style(border)
                .track_style(theme.border)
                .render(area.inner(Margin::new(0, 1)), buf, &mut state);
        }
    }
}

/// The label column of a detail line: its first piece when that is a label (muted, and as wide
/// as the label column), else none.
fn label_width(line: &Line<'_>, theme: &Theme) -> usize {
    match line.spans.as_slice() {
        [first, _, ..] if first.style == theme.muted && first.width() == LABEL => LABEL,
        _ => 0,
    }
}

/// Which content this is, to start another one at its top (its first lines say what it is).
fn fingerprint(lines: &[Line<'_>]) -> u64 {
    let mut h = DefaultHasher::new();
    for l in lines.iter().take(2) {
        for s in &l.spans {
            s.content.hash(&mut h);
        }
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draw(d: &DetailScroll, lines: &[Line<'_>], w: u16, h: u16) -> Vec<String> {
        let area = Rect::new(0, 0, w, h);
        let mut buf = Buffer::empty(area);
        d.render(area, &mut buf, &Theme::default(), "Request", lines);
        (0..h).map(|y| (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect()).collect()
    }

    fn many(n: usize) -> Vec<Line<'static>> {
        (1..=n).map(|i| Line::raw(format!("line {i}"))).collect()
    }

    #[test]
    fn a_long_pane_says_how_much_is_below_and_scrolls_to_its_end() {
        let mut d = DetailScroll::default();
        let screen = draw(&d, &many(20), 30, 7);
        assert!(screen[6].contains("↓ 15 more"), "{screen:?}");
        assert!(d.overflows());
        d.focus(true);
        assert!(d.handle(Action::End));
        let screen = draw(&d, &many(20), 30, 7);
        assert!(screen[5].contains("line 20"), "{screen:?}");
        assert!(screen[0].contains("↑ 15 above"), "{screen:?}");
        assert!(!screen[6].contains("more"), "{screen:?}");
        assert!(d.handle(Action::PageUp));
        let screen = draw(&d, &many(20), 30, 7);
        assert!(screen[1].contains("line 12"), "a page is the pane less one row: {screen:?}");
    }

    #[test]
    fn other_content_starts_at_its_top_and_a_short_one_does_not_scroll() {
        let mut d = DetailScroll::default();
        draw(&d, &many(20), 30, 7);
        d.scroll(10);
        let other: Vec<Line<'static>> = (1..=20).map(|i| Line::raw(format!("row {i}"))).collect();
        let screen = draw(&d, &other, 30, 7);
        assert!(screen[1].contains("row 1"), "{screen:?}");
        draw(&d, &many(3), 30, 7);
        assert!(!d.overflows());
        d.scroll(5);
        assert!(draw(&d, &many(3), 30, 7)[1].contains("line 1"));
    }

    #[test]
    fn the_keys_leave_the_pane_and_next_pane_goes_on_to_the_tab() {
        let mut d = DetailScroll::default();
        d.focus(true);
        assert!(d.handle(Action::Back));
        assert!(!d.focused());
        d.focus(true);
        assert!(!d.handle(Action::NextPane), "the tab moves to its next list");
        assert!(!d.focused());
        d.focus(true);
        assert!(!d.handle(Action::Approve), "verbs still act on the selected row");
        assert!(d.focused());
    }

    #[test]
    fn a_labelled_value_wraps_under_its_value_column() {
        let theme = Theme::default();
        let d = DetailScroll::default();
        let value = "a description long enough to need a second row in a narrow pane";
        let line = Line::from(vec![Span::styled(format!("{:<LABEL$}", "Description"), theme.muted), Span::raw(value)]);
        let screen = draw(&d, &[line], 40, 8);
        assert!(screen[1].starts_with("│Description   a description"), "{screen:?}");
        assert!(screen[2].starts_with("│              "), "continuation under the value: {screen:?}");
    }
}
