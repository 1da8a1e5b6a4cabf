//! The help screen, generated from the keymap: every mode, its keys, and what each action does,
//! scoped to the person and the screen it is opened on (see [`HelpScope`]).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use strum::IntoEnumIterator;

use super::Outcome;
use super::popup::{popup_area, popup_frame};
use super::text_view::Scroll;
use crate::ui::action::Action;
use crate::ui::keymap::{Keymap, Mode};
use crate::ui::theme::Theme;

/// One line of help: `None` action for a heading or a blank line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpEntry {
    pub mode: Mode,
    pub keys: String,
    pub action: Option<Action>,
    pub text: String,
}

/// What the help shows on the screen it is opened on, for the person signed in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HelpScope {
    /// The visible tabs' names, in order: `goto_tab_N` reads "Go to NAME", and the ones past the
    /// last tab are left out.
    pub tabs: Vec<String>,
    /// The verbs (new, approve, ...) the current tab offers; the others are left out.
    pub verbs: Vec<Action>,
    /// Actions of the shell this person may not use (moving the clock, acting as someone else).
    pub withheld: Vec<Action>,
    /// What a list key means on this tab when it means something of its own (on the
    /// Overview, the next pane's key chooses the next bar).
    pub meanings: Vec<(Action, String)>,
}

/// The whole reference, every mode and every bound action (the keymap's documentation).
pub fn help_entries(keymap: &Keymap) -> Vec<HelpEntry> {
    entries(keymap, None)
}

/// The help for one screen and person: what works there, tabs by name.
pub fn help_entries_for(keymap: &Keymap, scope: &HelpScope) -> Vec<HelpEntry> {
    entries(keymap, Some(scope))
}

/// The help content, in order: for each mode a heading, then one entry per bound action that
/// works in `scope` (all of them without one).
fn entries(keymap: &Keymap, scope: Option<&HelpScope>) -> Vec<HelpEntry> {
    let mut out = Vec::new();
    for mode in Mode::iter() {
        let bindings: Vec<(Action, Vec<String>, String)> = keymap
            .bindings(mode)
            .into_iter()
            .filter_map(|(action, keys)| describe(action, mode, scope).map(|text| (action, keys, text)))
            .collect();
        if bindings.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(HelpEntry { mode, keys: String::new(), action: None, text: String::new() });
        }
        out.push(HelpEntry { mode, keys: String::new(), action: None, text: mode.title().into() });
        for (action, keys, text) in bindings {
            out.push(HelpEntry { mode, keys: keys.join(", "), action: Some(action), text });
        }
    }
    out
}

/// What `action` does, or `None` when it does nothing here.
fn describe(action: Action, mode: Mode, scope: Option<&HelpScope>) -> Option<String> {
    let Some(scope) = scope else {
        return Some(action.description().into());
    };
    if let Some(i) = action.tab_index() {
        return scope.tabs.get(i).map(|name| format!("Go to {name}"));
    }
    if scope.withheld.contains(&action)
        || (mode == Mode::List && action.is_tab_verb() && !scope.verbs.contains(&action))
    {
        return None;
    }
    if mode == Mode::List
        && let Some((_, meaning)) = scope.meanings.iter().find(|(a, _)| *a == action)
    {
        return Some(capitalized(meaning));
    }
    Some(action.description().into())
}

/// "next bar" as a help line reads: "Next bar".
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[derive(Debug, Default)]
pub struct HelpState {
    entries: Vec<HelpEntry>,
    scroll: Scroll,
}

impl HelpState {
    /// The help for this screen and person, from the keymap.
    pub fn new(keymap: &Keymap, scope: &HelpScope) -> Self {
        HelpState { entries: help_entries_for(keymap, scope), ..Self::default() }
    }

    pub fn scroll(&self) -> usize {
        self.scroll.top()
    }

    pub fn handle(&mut self, action: Action) -> Outcome<()> {
        self.scroll.handle(action, Action::Help)
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let popup = popup_area(area, 90, 90);
        let inner = popup_frame(popup, buf, "Help", theme);
        let entries = &self.entries;
        let key_w = entries.iter().map(|e| e.keys.chars().count()).max().unwrap_or(0).min(24);
        let lines: Vec<Line> = entries
            .iter()
            .map(|e| match e.action {
                None => Line::styled(e.text.clone(), theme.title),
                Some(_) => Line::from(vec![
                    Span::styled(format!("  {:<key_w$}  ", e.keys), theme.key),
                    Span::raw(e.text.clone()),
                ]),
            })
            .collect();
        self.scroll.render(lines, inner, buf);
    }
}
