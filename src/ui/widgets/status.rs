//! The status bar (who, when, where, saved; the last message on the right) and the footer line of
//! key hints. Both take plain values; the shell fills them from the context and the keymap.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::ui::theme::Theme;

/// Whether the data on disk matches what the screen shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SaveState {
    #[default]
    Saved,
    Unsaved,
    /// Read-only or locked by another process.
    ReadOnly,
    Failed(String),
}

/// What the status bar says about the session. Filled by the application context.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusInfo {
    /// Signed-in user's display name.
    pub user: String,
    pub roles: Vec<String>,
    /// The in-app clock, already formatted (e.g. "2025-03-01 09:00"); empty: not shown.
    pub clock: String,
    /// `true` when the in-app clock follows the wall clock, `false` when it is frozen.
    pub clock_live: bool,
    /// Where the data lives (a directory path).
    pub location: String,
    pub saved: SaveState,
    /// How people sign in, e.g. "LAB: anyone may act as anyone"; the part before ':' is shown
    /// when the whole does not fit. Empty: nothing shown.
    pub mode: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    Info,
    Ok,
    Warning,
    Error,
}

/// The last message shown on the right of the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusMessage {
    pub kind: MessageKind,
    pub text: String,
}

impl StatusMessage {
    pub fn new(kind: MessageKind, text: impl Into<String>) -> Self {
        StatusMessage { kind, text: text.into() }
    }
    pub fn info(text: impl Into<String>) -> Self {
        StatusMessage::new(MessageKind::Info, text)
    }
    pub fn ok(text: impl Into<String>) -> Self {
        StatusMessage::new(MessageKind::Ok, text)
    }
    pub fn warning(text: impl Into<String>) -> Self {
        StatusMessage::new(MessageKind::Warning, text)
    }
    pub fn error(text: impl Into<String>) -> Self {
        StatusMessage::new(MessageKind::Error, text)
    }

    pub fn style(&self, theme: &Theme) -> Style {
        match self.kind {
            MessageKind::Info => theme.base,
            MessageKind::Ok => theme.ok,
            MessageKind::Warning => theme.warning,
            MessageKind::Error => theme.error,
        }
    }
}

pub struct StatusBar<'a> {
    pub info: &'a StatusInfo,
    pub message: Option<&'a StatusMessage>,
    pub theme: &'a Theme,
}

impl StatusBar<'_> {
    /// The left part; roles and location are left out when false, and the sign-in mode is cut
    /// to its tag ("LAB") unless `mode_long`.
    fn left(&self, roles: bool, location: bool, mode_long: bool) -> Line<'static> {
        let t = self.theme;
        let i = self.info;
        let mut left = vec![Span::styled(format!(" {} ", i.user), t.title)];
        if roles && !i.roles.is_empty() {
            left.push(Span::styled(format!("({}) ", i.roles.join(", ")), t.muted));
        }
        if !i.clock.is_empty() {
            left.push(Span::styled("│ ", t.border));
            left.push(Span::raw(format!("{} ", i.clock)));
            let tag = if i.clock_live { ("live", t.ok) } else { ("frozen", t.warning) };
            left.push(Span::styled(tag.0, tag.1));
            left.push(Span::raw(" "));
        }
        left.push(Span::styled("│ ", t.border));
        if location && !i.location.is_empty() {
            left.push(Span::styled(format!("{} ", i.location), t.muted));
        }
        left.push(match &i.saved {
            SaveState::Saved => Span::styled("saved", t.ok),
            SaveState::Unsaved => Span::styled("unsaved", t.warning),
            SaveState::ReadOnly => Span::styled("read-only", t.warning),
            SaveState::Failed(e) => Span::styled(format!("save failed: {e}"), t.error),
        });
        if !i.mode.is_empty() {
            let text = if mode_long { i.mode.as_str() } else { i.mode.split(':').next().unwrap_or_default() };
            left.push(Span::styled(" │ ", t.border));
            left.push(Span::styled(text.to_string(), t.warning));
        }
        Line::from(left)
    }
}

impl StatusBar<'_> {
    /// The left part that leaves the message its room, and the width the message gets.
    fn fit(&self, width: u16) -> (Line<'static>, u16) {
        // The message asks for at most half of the line; the left part drops roles, then the
        // location, to leave it that room. The message never overlaps the left part: it gets
        // what is left after it (and a gap), and is cut with an ellipsis when it must be.
        let full = self.message.map_or(0, |m| Span::raw(&m.text).width() as u16 + 1);
        let wanted = full.min(width / 2);
        let room = usize::from(width - wanted);
        let left = [true, false]
            .into_iter()
            .flat_map(|m| [(true, true, m), (false, true, m), (false, false, m)])
            .map(|(r, l, m)| self.left(r, l, m))
            .find(|l| l.width() <= room)
            .unwrap_or_else(|| self.left(false, false, false));
        let left_w = (left.width() as u16).min(width);
        (left, full.min(width.saturating_sub(left_w + 2)))
    }

    /// Whether the message shows whole on a line this wide (else it is cut with an ellipsis).
    pub fn message_fits(&self, width: u16) -> bool {
        let full = self.message.map_or(0, |m| Span::raw(&m.text).width() as u16 + 1);
        self.fit(width).1 >= full
    }
}

impl Widget for StatusBar<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (left, w) = self.fit(area.width);
        let left_w = (left.width() as u16).min(area.width);
        left.render(Rect { width: left_w, ..area }, buf);
        if let Some(m) = self.message
            && w > 0
        {
            let msg_area = Rect { x: area.x + area.width - w, width: w, ..area };
            super::table::put_text(buf, msg_area, &m.text, m.style(self.theme));
        }
    }
}

/// A message in full, wrapped over the lines it is given, with a mark saying how it went.
pub struct MessageLines<'a> {
    pub message: &'a StatusMessage,
    pub theme: &'a Theme,
}

impl Widget for MessageLines<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.height == 0 {
            return;
        }
        let m = self.message;
        let mark = match m.kind {
            MessageKind::Error => "✗ ",
            MessageKind::Warning => "! ",
            MessageKind::Ok | MessageKind::Info => "✓ ",
        };
        let style = m.style(self.theme);
        let line = Line::from(vec![Span::styled(mark, style), Span::styled(m.text.clone(), style)]);
        Paragraph::new(line).wrap(Wrap { trim: true }).render(area, buf);
    }
}

/// One footer hint: a key, what it does here, and whether it must stay when room is short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub key: String,
    pub label: String,
    pub keep: bool,
}

/// The footer: `key label` pairs for the current mode, in order. When they do not all fit, the
/// ones marked `keep` stay and the others fill the room left, first ones first.
pub struct Footer<'a> {
    pub hints: &'a [Hint],
    pub theme: &'a Theme,
}

impl Footer<'_> {
    fn width(h: &Hint) -> u16 {
        u16::try_from(Span::raw(&h.key).width() + Span::raw(&h.label).width() + 3).unwrap_or(u16::MAX)
    }
}

impl Widget for Footer<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let kept: u16 = self.hints.iter().filter(|h| h.keep).map(Self::width).fold(0, u16::saturating_add);
        let mut room = area.width.saturating_sub(1).saturating_sub(kept);
        let shown: Vec<&Hint> = self
            .hints
            .iter()
            .filter(|h| {
                if h.keep {
                    return true;
                }
                let w = Self::width(h);
                let fits = w <= room;
                if fits {
                    room -= w;
                }
                fits
            })
            .collect();
        let mut spans = vec![Span::raw(" ")];
        let mut used = 1u16;
        for h in shown {
            let w = Self::width(h);
            if used.saturating_add(w) > area.width {
                break;
            }
            used += w;
            spans.push(Span::styled(h.key.clone(), self.theme.key));
            spans.push(Span::styled(format!(" {}  ", h.label), self.theme.muted));
        }
        Line::from(spans).render(area, buf);
    }
}
