//! Popup placement, the popup frame, and the "terminal too small" notice.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Widget, Wrap};

use crate::ui::theme::Theme;

/// The smallest usable terminal.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// A centred rectangle taking `percent_x` by `percent_y` of `area`.
pub fn popup_area(area: Rect, percent_x: u16, percent_y: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Percentage(percent_y.min(100))]).flex(Flex::Center).areas(area);
    let [cell] = Layout::horizontal([Constraint::Percentage(percent_x.min(100))]).flex(Flex::Center).areas(row);
    cell
}

/// A centred rectangle of a fixed size, clipped to `area`.
pub fn centered_fixed(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))]).flex(Flex::Center).areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))]).flex(Flex::Center).areas(row);
    cell
}

/// Clears `area`, draws a rounded border with `title`, and returns the inside.
pub fn popup_frame(area: Rect, buf: &mut Buffer, title: &str, theme: &Theme) -> Rect {
    clear_wide_edges(area, buf);
    Clear.render(area, buf);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border_focus)
        .title(Span::styled(format!(" {title} "), theme.title));
    let inner = block.inner(area);
    block.render(area, buf);
    inner
}

/// A wide character (CJK, emoji) half under a popup: the one just left of its edge would be
/// drawn over the popup's border, the one starting at its right edge would be left half drawn.
/// Both become blanks.
fn clear_wide_edges(area: Rect, buf: &mut Buffer) {
    let area = area.intersection(buf.area);
    for y in area.top()..area.bottom() {
        if let Some(x) = area.x.checked_sub(1)
            && let Some(cell) = buf.cell_mut((x, y))
            && Span::raw(cell.symbol()).width() > 1
        {
            cell.set_symbol(" ");
        }
        if let Some(cell) = buf.cell_mut((area.right(), y))
            && cell.symbol().is_empty()
        {
            cell.set_symbol(" ");
        }
    }
}

/// Whether `area` is below the usable minimum.
pub fn too_small(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

/// The notice drawn instead of the app when the terminal is too small.
pub struct TooSmall<'a> {
    pub theme: &'a Theme,
    /// The key that quits, from the keymap (e.g. `Some("ctrl-c")`).
    pub quit_key: Option<&'a str>,
}

impl Widget for TooSmall<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        Clear.render(area, buf);
        let advice = match self.quit_key {
            Some(k) => format!("Enlarge the window, or press {k} to quit."),
            None => "Enlarge the window.".to_string(),
        };
        let lines = vec![
            Line::styled("Terminal too small", self.theme.error).centered(),
            Line::from(format!("current {}x{}", area.width, area.height)).centered(),
            Line::from(format!("required {MIN_WIDTH}x{MIN_HEIGHT}")).centered(),
            Line::styled(advice, self.theme.muted).centered(),
        ];
        let height = lines.len() as u16;
        let inner = centered_fixed(area, area.width, height);
        Paragraph::new(lines).wrap(Wrap { trim: true }).render(inner, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CJK name under a popup's edges leaves its border whole (finding 10).
    #[test]
    fn a_wide_character_under_the_edge_does_not_break_the_border() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 12, 3));
        buf.set_string(0, 1, "財務財務財務", ratatui::style::Style::new());
        popup_frame(Rect::new(1, 0, 8, 3), &mut buf, "T", &Theme::default());
        assert_eq!(buf[(0, 1)].symbol(), " ", "the half-covered character on the left is gone");
        assert_eq!(buf[(1, 1)].symbol(), "│");
        assert_eq!(buf[(8, 1)].symbol(), "│");
        assert_eq!(buf[(9, 1)].symbol(), " ", "no half character on the right");
    }
}
