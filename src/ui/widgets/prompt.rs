//! A one-line text prompt popup ("Reason", "Jump to date").

use std::fmt;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Paragraph, Widget};

use super::Outcome;
use super::input::TextInput;
use super::popup::{centered_fixed, popup_frame};
use super::wrap::{wrapped_height, wrapped_lines};
use crate::ui::action::Action;
use crate::ui::ask::Ask;
use crate::ui::theme::Theme;

/// Checks the text on Enter; `Some(message)` refuses it and shows the message.
pub type TextValidator = Box<dyn Fn(&str) -> Option<String>>;

pub struct PromptState {
    /// Returned with the text so the owner knows what was asked.
    pub id: Ask,
    pub title: String,
    pub label: String,
    pub input: TextInput,
    /// Shown under the input in the error style; set by the validator or by the owner.
    pub error: Option<String>,
    validator: Option<TextValidator>,
}

impl fmt::Debug for PromptState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PromptState")
            .field("id", &self.id)
            .field("input", &self.input)
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl PromptState {
    pub fn new(id: Ask, title: impl Into<String>, label: impl Into<String>) -> Self {
        PromptState {
            id,
            title: title.into(),
            label: label.into(),
            input: TextInput::default(),
            error: None,
            validator: None,
        }
    }

    pub fn value(mut self, text: impl Into<String>) -> Self {
        self.input.set(text);
        self
    }

    pub fn validate(mut self, f: impl Fn(&str) -> Option<String> + 'static) -> Self {
        self.validator = Some(Box::new(f));
        self
    }

    pub fn handle(&mut self, action: Action) -> Outcome<String> {
        match action {
            Action::Back => Outcome::Cancel,
            Action::Open | Action::Submit => {
                let text = self.input.value().trim().to_string();
                self.error = self.validator.as_ref().and_then(|v| v(&text));
                if self.error.is_some() { Outcome::Consumed } else { Outcome::Done(text) }
            }
            other => match self.input.handle(other) {
                Some(changed) => {
                    if changed {
                        self.error = None;
                    }
                    Outcome::Consumed
                }
                None => Outcome::Ignored,
            },
        }
    }

    pub fn text(&mut self, c: char) {
        self.input.insert(c);
        self.error = None;
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let width = area.width.min(64);
        // A long error (a domain rule's message) wraps onto more lines instead of being cut.
        let error_lines = self.error.as_deref().map_or(1, |e| wrapped_height(e, width.saturating_sub(2)));
        // The label too: a prompt's question is read whole.
        let label_lines = wrapped_height(&self.label, width.saturating_sub(2));
        let popup = centered_fixed(area, width, 4 + label_lines + error_lines);
        let inner = popup_frame(popup, buf, &self.title, theme);
        let [label, input, error] =
            Layout::vertical([Constraint::Length(label_lines), Constraint::Length(1), Constraint::Fill(1)])
                .areas(inner);
        Paragraph::new(wrapped_lines(&self.label, label.width, theme.base)).render(label, buf);
        self.input.render(input, buf, theme.input, theme.cursor, true);
        if let Some(e) = &self.error {
            Paragraph::new(wrapped_lines(e, error.width, theme.error)).render(error, buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A question longer than the popup wraps instead of losing its end (finding 10).
    #[test]
    fn a_long_question_is_shown_whole() {
        let label = "Why remove Adele Vance's access to Marketing Campaign? (optional; in the audit log)";
        let p = PromptState::new(crate::ui::ask::Ask::ClockJump, "Remove access", label);
        let area = Rect::new(0, 0, 80, 24);
        let mut buf = Buffer::empty(area);
        p.render(area, &mut buf, &Theme::default());
        let text: String =
            (0..24).map(|y| (0..80).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>() + "\n").collect();
        assert!(text.contains("(optional; in the audit log)"), "{text}");
    }
}
