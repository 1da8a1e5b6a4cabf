//! A single-line text input. The cursor is a char index, so any UTF-8 text is safe to edit.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Span;

use crate::ui::action::Action;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    value: String,
    /// Cursor position in chars, `0..=len`.
    cursor: usize,
}

impl TextInput {
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        let cursor = value.chars().count();
        TextInput { value, cursor }
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }

    /// Replaces the text and puts the cursor at its end.
    pub fn set(&mut self, value: impl Into<String>) {
        *self = TextInput::new(value);
    }

    fn len(&self) -> usize {
        self.value.chars().count()
    }

    fn byte_at(&self, char_idx: usize) -> usize {
        self.value.char_indices().nth(char_idx).map_or(self.value.len(), |(i, _)| i)
    }

    pub fn insert(&mut self, c: char) {
        if c.is_control() {
            return;
        }
        let at = self.byte_at(self.cursor);
        self.value.insert(at, c);
        self.cursor += 1;
    }

    pub fn insert_str(&mut self, s: &str) {
        for c in s.chars() {
            self.insert(c);
        }
    }

    /// Deletes before the cursor. Returns whether the text changed.
    pub fn backspace(&mut self) -> bool {
        if self.cursor == 0 {
            return false;
        }
        self.cursor -= 1;
        let at = self.byte_at(self.cursor);
        self.value.remove(at);
        true
    }

    /// Deletes under the cursor. Returns whether the text changed.
    pub fn delete(&mut self) -> bool {
        if self.cursor >= self.len() {
            return false;
        }
        let at = self.byte_at(self.cursor);
        self.value.remove(at);
        true
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.len());
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.len();
    }

    pub fn clear(&mut self) -> bool {
        let changed = !self.value.is_empty();
        self.value.clear();
        self.cursor = 0;
        changed
    }

    /// Applies an editing action. Returns `Some(changed_text)` when the action is an editing one,
    /// `None` when the input does not use it.
    pub fn handle(&mut self, action: Action) -> Option<bool> {
        Some(match action {
            Action::Left => {
                self.left();
                false
            }
            Action::Right => {
                self.right();
                false
            }
            Action::Home => {
                self.home();
                false
            }
            Action::End => {
                self.end();
                false
            }
            Action::Backspace => self.backspace(),
            Action::DeleteChar => self.delete(),
            Action::ClearLine => self.clear(),
            _ => return None,
        })
    }

    /// Draws the text on one line of `area`, scrolled so the cursor stays visible. The cursor is
    /// drawn as a reversed cell when `focused` (no terminal cursor is needed).
    pub fn render(&self, area: Rect, buf: &mut Buffer, style: Style, cursor_style: Style, focused: bool) {
        if area.width == 0 || area.height == 0 {
            return;
        }
        let area = Rect { height: 1, ..area };
        buf.set_style(area, style);
        let width = usize::from(area.width);
        let chars: Vec<char> = self.value.chars().collect();
        // Scroll so that the text up to and including the cursor cell fits.
        let mut start = 0;
        let cursor_cell = if focused { 1 } else { 0 };
        while start < self.cursor && text_width(&chars[start..self.cursor]) + cursor_cell > width {
            start += 1;
        }
        let mut x = area.x;
        let right = area.x + area.width;
        for (i, c) in chars.iter().enumerate().skip(start) {
            let w = char_width(*c) as u16;
            if x + w > right {
                break;
            }
            let s = if focused && i == self.cursor { style.patch(cursor_style) } else { style };
            buf.set_string(x, area.y, c.to_string(), s);
            x += w.max(1);
        }
        if focused && self.cursor >= chars.len() && x < right {
            buf.set_string(x, area.y, " ", style.patch(cursor_style));
        }
    }
}

/// Display width of one char in terminal cells.
pub fn char_width(c: char) -> usize {
    let mut tmp = [0u8; 4];
    Span::raw(&*c.encode_utf8(&mut tmp)).width()
}

fn text_width(chars: &[char]) -> usize {
    chars.iter().map(|c| char_width(*c)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unicode_editing() {
        let mut t = TextInput::new("héllo");
        t.left();
        t.left();
        t.insert('ß');
        assert_eq!(t.value(), "hélßlo");
        t.home();
        t.delete();
        t.right();
        t.backspace();
        assert_eq!(t.value(), "lßlo");
        t.end();
        t.insert('日');
        t.backspace();
        t.backspace();
        assert_eq!(t.value(), "lßl");
        assert_eq!(t.handle(Action::ClearLine), Some(true));
        assert_eq!(t.value(), "");
        assert!(!t.backspace());
        assert_eq!(t.handle(Action::Down), None);
    }
}
