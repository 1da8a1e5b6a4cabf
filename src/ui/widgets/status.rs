//! The status bar (who, when, where, saved; the last message on the right) and the footer line of
//! key hints. Both take plain values; the shell fills them from the context and the keymap.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

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
    /// The in-app clock, already formatted (e.g. "2025-03-01 09:00").
    pub clock: String,
    /// `true` when the in-app clock follows the wall clock, `false` when it is frozen.
    pub clock_live: bool,
    /// Where the data lives (a directory path).
    pub location: String,
    pub saved: SaveState,
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

impl Widget for StatusBar<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let i = self.info;
        let mut left = vec![Span::styled(format!(" {} ", i.user), t.title)];
        if !i.roles.is_empty() {
            left.push(Span::styled(format!("({}) ", i.roles.join(", ")), t.muted));
        }
        left.push(Span::styled("│ ", t.border));
        left.push(Span::raw(format!("{} ", i.clock)));
        let tag = if i.clock_live {
            ("live", t.ok)
        } else {
            ("frozen", t.warning)
        };
        left.push(Span::styled(tag.0, tag.1));
        left.push(Span::styled(" │ ", t.border));
        if !i.location.is_empty() {
            left.push(Span::styled(format!("{} ", i.location), t.muted));
        }
        left.push(match &i.saved {
            SaveState::Saved => Span::styled("saved", t.ok),
            SaveState::Unsaved => Span::styled("unsaved", t.warning),
            SaveState::ReadOnly => Span::styled("read-only", t.warning),
            SaveState::Failed(e) => Span::styled(format!("save failed: {e}"), t.error),
        });
        let left = Line::from(left);
        let left_w = left.width() as u16;
        if let Some(m) = self.message {
            // The message gets what the left part leaves, at least half of the line.
            let msg_w = (Span::raw(&m.text).width() as u16 + 1).min(area.width);
            let room = area
                .width
                .saturating_sub(left_w + 1)
                .max(area.width / 2)
                .min(msg_w);
            let msg_area = Rect {
                x: area.x + area.width - room,
                width: room,
                ..area
            };
            let left_area = Rect {
                width: area.width - room,
                ..area
            };
            left.render(left_area, buf);
            super::table::put_text(buf, msg_area, &m.text, m.style(t));
        } else {
            left.render(area, buf);
        }
    }
}

/// The footer: `key label` pairs for the current mode, as many as fit.
pub struct Footer<'a> {
    pub hints: &'a [(String, String)],
    pub theme: &'a Theme,
}

impl Widget for Footer<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let mut spans = Vec::new();
        let mut used = 1u16;
        spans.push(Span::raw(" "));
        for (key, label) in self.hints {
            let w = (Span::raw(key).width() + Span::raw(label).width() + 3) as u16;
            if used + w > area.width {
                break;
            }
            used += w;
            spans.push(Span::styled(key.clone(), self.theme.key));
            spans.push(Span::styled(format!(" {label}  "), self.theme.muted));
        }
        Line::from(spans).render(area, buf);
    }
}
