//! A stand-in tab view: a bordered box with the tab's title and a line of text.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use crate::ui::action::Action;
use crate::ui::app::{Effect, Tab, TabView};
use crate::ui::theme::Theme;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    pub tab: Tab,
    pub text: String,
}

impl Placeholder {
    pub fn new(tab: Tab) -> Self {
        Placeholder { tab, text: format!("{tab}: not wired to the domain yet.") }
    }
}

impl<C> TabView<C> for Placeholder {
    fn render(&self, _ctx: &C, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let block =
            Block::bordered().border_style(theme.border).title(Span::styled(format!(" {} ", self.tab), theme.title));
        Paragraph::new(Line::styled(self.text.as_str(), theme.muted))
            .wrap(Wrap { trim: true })
            .block(block)
            .render(area, buf);
    }

    fn handle(&mut self, _ctx: &mut C, _action: Action) -> Effect {
        Effect::Unhandled
    }
}
