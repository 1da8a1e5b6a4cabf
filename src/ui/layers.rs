//! Modal layers over the tabs. The [`crate::ui::app::App`] keeps a stack of them; the top one
//! gets the keys first, and its mode chooses the keymap.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::ui::action::Action;
use crate::ui::ask::Ask;
use crate::ui::keymap::Mode;
use crate::ui::theme::Theme;
use crate::ui::widgets::confirm::ConfirmState;
use crate::ui::widgets::form::{Form, FormValues};
use crate::ui::widgets::help::HelpState;
use crate::ui::widgets::picker::PickerState;
use crate::ui::widgets::popup::popup_frame;
use crate::ui::widgets::prompt::PromptState;
use crate::ui::widgets::text_view::TextView;

/// A popup layer.
#[derive(Debug)]
pub enum Layer {
    Help(HelpState),
    Confirm(ConfirmState),
    Prompt(PromptState),
    Picker(PickerState),
    Form(Box<Form>),
    Message(MessageState),
    /// A long text that scrolls (an explanation, a preview).
    Text(Box<TextView>),
}

/// What a finished layer hands back to whoever opened it (a tab, or the shell context).
#[derive(Debug, Clone, PartialEq)]
pub enum LayerResult {
    /// A confirm was answered yes.
    Confirmed { id: Ask },
    /// A confirm was answered no (or escaped).
    Declined { id: Ask },
    /// A prompt's text (trimmed).
    Prompted { id: Ask, text: String },
    /// A picker's chosen ids (one for a single picker).
    Picked { id: Ask, ids: Vec<String> },
    /// A picker ended on its entry row: the text typed into its filter.
    Entered { id: Ask, text: String },
    /// A form's values; answer `Effect::Reject(msg)` to keep it open with the error shown.
    Submitted { id: Ask, values: FormValues },
    /// A form's values to preview: the form stays open under what the owner opens.
    Previewed { id: Ask, values: FormValues },
}

impl LayerResult {
    pub fn id(&self) -> &Ask {
        match self {
            LayerResult::Confirmed { id }
            | LayerResult::Declined { id }
            | LayerResult::Prompted { id, .. }
            | LayerResult::Picked { id, .. }
            | LayerResult::Entered { id, .. }
            | LayerResult::Submitted { id, .. }
            | LayerResult::Previewed { id, .. } => id,
        }
    }
}

impl Layer {
    pub fn form(form: Form) -> Layer {
        Layer::Form(Box::new(form))
    }

    pub fn text(view: TextView) -> Layer {
        Layer::Text(Box::new(view))
    }

    pub fn message(title: impl Into<String>, text: impl Into<String>) -> Layer {
        Layer::Message(MessageState { title: title.into(), text: text.into() })
    }

    /// The keymap mode while this layer is on top.
    pub fn mode(&self) -> Mode {
        match self {
            Layer::Help(_) | Layer::Message(_) | Layer::Text(_) => Mode::Popup,
            Layer::Confirm(_) => Mode::Confirm,
            Layer::Prompt(_) => Mode::Prompt,
            Layer::Picker(_) => Mode::Picker,
            Layer::Form(_) => Mode::Form,
        }
    }

    /// The actions worth a footer hint while this layer is on top.
    pub fn hints(&self) -> Vec<Action> {
        use Action::*;
        match self {
            Layer::Help(_) | Layer::Text(_) => vec![Back, Down, Up, PageDown],
            Layer::Message(_) => vec![Back],
            Layer::Confirm(_) => vec![Yes, No, Back],
            Layer::Prompt(_) => vec![Open, Back, ClearLine],
            Layer::Picker(p) if p.multi => vec![Toggle, Open, Back],
            Layer::Picker(_) => vec![Open, Down, Up, Back],
            Layer::Form(f) if f.steps().len() > 1 => {
                vec![Submit, NextField, PrevField, NextStep, PrevStep, Toggle, Back]
            }
            Layer::Form(_) => vec![Submit, NextField, PrevField, Toggle, Back],
        }
    }

    /// A footer word that says better than the action's name what a key does in this layer
    /// (Enter in a prompt confirms what was typed; in a picker it chooses the row).
    pub fn hint_label(&self, action: Action) -> Option<String> {
        match (self, action) {
            (Layer::Prompt(_), Action::Open) => Some("confirm".into()),
            (Layer::Picker(_), Action::Open) => Some("choose".into()),
            _ => None,
        }
    }

    /// Whether closing this layer would lose typed input.
    pub fn is_dirty(&self) -> bool {
        matches!(self, Layer::Form(f) if f.is_dirty())
    }

    /// Shows an error from the owner inside the layer (forms and prompts), keeping it open.
    pub fn reject(&mut self, message: String) {
        match self {
            Layer::Form(f) => f.set_error(message),
            Layer::Prompt(p) => p.error = Some(message),
            _ => {}
        }
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        match self {
            Layer::Help(h) => h.render(area, buf, theme),
            Layer::Confirm(c) => c.render(area, buf, theme),
            Layer::Prompt(p) => p.render(area, buf, theme),
            Layer::Picker(p) => p.render(area, buf, theme),
            Layer::Form(f) => f.render(area, buf, theme),
            Layer::Message(m) => m.render(area, buf, theme),
            Layer::Text(v) => v.render(area, buf, theme),
        }
    }
}

/// A long message (e.g. the details of an error) in a popup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageState {
    pub title: String,
    pub text: String,
}

impl MessageState {
    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        // Tall enough for the text (wrapped at the popup's width), within the screen.
        let width = (u32::from(area.width) * 70 / 100).max(20) as u16;
        let inner_w = usize::from(width.saturating_sub(2)).max(1);
        let lines: usize =
            self.text.lines().map(|l| ratatui::text::Span::raw(l).width().div_ceil(inner_w).max(1)).sum();
        let height = (lines as u16 + 2).clamp(5, area.height);
        let popup = Rect {
            x: area.x + (area.width.saturating_sub(width)) / 2,
            y: area.y + (area.height.saturating_sub(height)) / 2,
            width: width.min(area.width),
            height,
        };
        let inner = popup_frame(popup, buf, &self.title, theme);
        Paragraph::new(self.text.as_str()).wrap(Wrap { trim: false }).render(inner, buf);
    }
}
