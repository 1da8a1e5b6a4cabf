//! A yes/no question popup.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::Outcome;
use super::popup::{centered_fixed, popup_frame};
use crate::ui::action::Action;
use crate::ui::ask::Ask;
use crate::ui::theme::Theme;

#[derive(Debug, Clone, PartialEq)]
pub struct ConfirmState {
    /// Returned with the answer so the owner knows what was asked.
    pub id: Ask,
    pub title: String,
    pub message: String,
    pub yes_label: String,
    pub no_label: String,
    /// Which button Enter presses.
    pub yes_focused: bool,
}

impl ConfirmState {
    pub fn new(id: Ask, title: impl Into<String>, message: impl Into<String>) -> Self {
        ConfirmState {
            id,
            title: title.into(),
            message: message.into(),
            yes_label: "Yes".into(),
            no_label: "No".into(),
            yes_focused: true,
        }
    }

    pub fn labels(mut self, yes: impl Into<String>, no: impl Into<String>) -> Self {
        self.yes_label = yes.into();
        self.no_label = no.into();
        self
    }

    /// Enter answers "no" unless the user moves to "yes" (for destructive questions).
    pub fn default_no(mut self) -> Self {
        self.yes_focused = false;
        self
    }

    pub fn handle(&mut self, action: Action) -> Outcome<()> {
        match action {
            Action::Yes => Outcome::Done(()),
            Action::No | Action::Back => Outcome::Cancel,
            Action::Open if self.yes_focused => Outcome::Done(()),
            Action::Open => Outcome::Cancel,
            Action::Left | Action::Right | Action::NextField | Action::PrevField => {
                self.yes_focused = !self.yes_focused;
                Outcome::Consumed
            }
            _ => Outcome::Ignored,
        }
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let msg_width = Span::raw(&self.message).width() as u16;
        let width = msg_width.saturating_add(6).clamp(40, 70).min(area.width);
        let text_lines = msg_width / width.saturating_sub(4).max(1) + 1;
        let popup = centered_fixed(area, width, text_lines + 5);
        let inner = popup_frame(popup, buf, &self.title, theme);
        let [text, _, buttons] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(1), Constraint::Length(1)]).areas(inner);
        Paragraph::new(self.message.as_str()).wrap(Wrap { trim: true }).render(text, buf);
        let button = |label: &str, focused: bool| {
            let style = if focused { theme.selected } else { theme.muted };
            Span::styled(format!("[ {label} ]"), style)
        };
        Line::from(vec![
            button(&self.yes_label, self.yes_focused),
            Span::raw("   "),
            button(&self.no_label, !self.yes_focused),
        ])
        .centered()
        .render(buttons, buf);
    }
}
