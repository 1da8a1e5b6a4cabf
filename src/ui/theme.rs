//! Styles, as a value handed to whatever renders. `NO_COLOR` (present and non-empty) gives a
//! theme without colours that still marks selection, headers and states with bold, reverse and
//! underline.

use ratatui::style::{Color, Modifier, Style};

use crate::ui::tone::Tone;

/// Everything that draws asks the theme for its style.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub color: bool,
    pub base: Style,
    pub tab: Style,
    pub tab_active: Style,
    pub header: Style,
    pub selected: Style,
    pub title: Style,
    pub border: Style,
    pub border_focus: Style,
    pub muted: Style,
    pub key: Style,
    pub ok: Style,
    pub warning: Style,
    pub error: Style,
    pub badge: Style,
    pub input: Style,
    pub cursor: Style,
}

impl Default for Theme {
    fn default() -> Self {
        Theme::colored()
    }
}

impl Theme {
    /// Coloured unless `NO_COLOR` is set to something.
    pub fn from_env() -> Theme {
        Theme::for_no_color(std::env::var_os("NO_COLOR").as_deref())
    }

    /// The theme for a given value of `NO_COLOR` (`None` when unset).
    pub fn for_no_color(value: Option<&std::ffi::OsStr>) -> Theme {
        if value.is_some_and(|v| !v.is_empty()) { Theme::monochrome() } else { Theme::colored() }
    }

    pub fn colored() -> Theme {
        let bold = Modifier::BOLD;
        Theme {
            color: true,
            base: Style::new(),
            tab: Style::new().fg(Color::Gray),
            tab_active: Style::new().fg(Color::Black).bg(Color::Cyan).add_modifier(bold),
            header: Style::new().fg(Color::Cyan).add_modifier(bold),
            // No foreground of the theme is blue: every cell of a highlighted row stays readable.
            selected: Style::new().bg(Color::Blue).fg(Color::White).add_modifier(bold),
            title: Style::new().fg(Color::Cyan).add_modifier(bold),
            border: Style::new().fg(Color::DarkGray),
            border_focus: Style::new().fg(Color::Cyan),
            muted: Style::new().fg(Color::DarkGray),
            key: Style::new().fg(Color::Yellow).add_modifier(bold),
            ok: Style::new().fg(Color::Green),
            warning: Style::new().fg(Color::Yellow),
            error: Style::new().fg(Color::Red).add_modifier(bold),
            badge: Style::new().fg(Color::Black).bg(Color::Yellow),
            input: Style::new().fg(Color::White).bg(Color::Rgb(40, 40, 40)),
            cursor: Style::new().add_modifier(Modifier::REVERSED),
        }
    }

    pub fn monochrome() -> Theme {
        let m = |modifier: Modifier| Style::new().add_modifier(modifier);
        Theme {
            color: false,
            base: Style::new(),
            tab: Style::new(),
            tab_active: m(Modifier::REVERSED | Modifier::BOLD),
            header: m(Modifier::BOLD | Modifier::UNDERLINED),
            selected: m(Modifier::REVERSED),
            title: m(Modifier::BOLD),
            border: Style::new(),
            border_focus: m(Modifier::BOLD),
            muted: m(Modifier::DIM),
            key: m(Modifier::BOLD),
            ok: m(Modifier::BOLD),
            warning: m(Modifier::UNDERLINED),
            error: m(Modifier::BOLD | Modifier::REVERSED),
            badge: m(Modifier::REVERSED),
            input: m(Modifier::UNDERLINED),
            cursor: m(Modifier::REVERSED),
        }
    }

    /// The style of a state's tone: done and good in the ok style, waiting in the warning
    /// style, refused or over in the error style, anything else plain.
    pub fn tone(&self, tone: Tone) -> Style {
        match tone {
            Tone::Good => self.ok,
            Tone::Waiting => self.warning,
            Tone::Bad => self.error,
            Tone::Neutral => self.base,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_by_tone() {
        let t = Theme::colored();
        assert_eq!(t.tone(Tone::Good).fg, Some(Color::Green));
        assert_eq!(t.tone(Tone::Waiting).fg, Some(Color::Yellow));
        assert_eq!(t.tone(Tone::Bad).fg, Some(Color::Red));
        assert_eq!(t.tone(Tone::Neutral), Style::new());
        assert!(Theme::for_no_color(None).color);
        assert!(Theme::for_no_color(Some("".as_ref())).color, "empty NO_COLOR is ignored");
        assert!(!Theme::for_no_color(Some("1".as_ref())).color);
        let m = Theme::monochrome();
        assert_eq!(m.tone(Tone::Bad).fg, None);
        assert!(m.tone(Tone::Bad).add_modifier.contains(Modifier::REVERSED));
    }
}
