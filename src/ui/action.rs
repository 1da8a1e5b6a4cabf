//! Every thing a key can ask for. The keymap file, the help screen and the footer hints all use the
//! `snake_case` names below, so they cannot drift apart.

use serde::{Deserialize, Serialize};
use strum::{Display, EnumIter, EnumString, IntoEnumIterator};

/// One user intention, produced by the keymap from a key in the current [`crate::ui::keymap::Mode`].
///
/// Typed text is not an action: in text-input modes an unbound printable key reaches the focused
/// input as a character (see [`crate::ui::app::App::handle_key`]).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Display, EnumIter, EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Action {
    // The shell.
    Quit,
    ForceQuit,
    Help,
    NextTab,
    PrevTab,
    #[serde(rename = "goto_tab_1")]
    #[strum(serialize = "goto_tab_1")]
    GotoTab1,
    #[serde(rename = "goto_tab_2")]
    #[strum(serialize = "goto_tab_2")]
    GotoTab2,
    #[serde(rename = "goto_tab_3")]
    #[strum(serialize = "goto_tab_3")]
    GotoTab3,
    #[serde(rename = "goto_tab_4")]
    #[strum(serialize = "goto_tab_4")]
    GotoTab4,
    #[serde(rename = "goto_tab_5")]
    #[strum(serialize = "goto_tab_5")]
    GotoTab5,
    #[serde(rename = "goto_tab_6")]
    #[strum(serialize = "goto_tab_6")]
    GotoTab6,
    #[serde(rename = "goto_tab_7")]
    #[strum(serialize = "goto_tab_7")]
    GotoTab7,
    #[serde(rename = "goto_tab_8")]
    #[strum(serialize = "goto_tab_8")]
    GotoTab8,
    #[serde(rename = "goto_tab_9")]
    #[strum(serialize = "goto_tab_9")]
    GotoTab9,
    #[serde(rename = "goto_tab_10")]
    #[strum(serialize = "goto_tab_10")]
    GotoTab10,
    #[serde(rename = "goto_tab_11")]
    #[strum(serialize = "goto_tab_11")]
    GotoTab11,
    #[serde(rename = "goto_tab_12")]
    #[strum(serialize = "goto_tab_12")]
    GotoTab12,
    NextPane,
    PrevPane,
    Refresh,
    SwitchUser,
    /// Write the list or report on screen to a CSV file.
    Export,
    // Moving around.
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Open,
    Back,
    Filter,
    // Text editing.
    Backspace,
    DeleteChar,
    ClearLine,
    // Forms and popups.
    NextField,
    PrevField,
    NextStep,
    PrevStep,
    Toggle,
    Submit,
    /// What saving the form would change, without saving it (the policy editor).
    Preview,
    Yes,
    No,
    // Domain verbs (each tab decides what they mean for its rows).
    New,
    Edit,
    Delete,
    Request,
    Extend,
    Remove,
    CancelRequest,
    Approve,
    Deny,
    DontKnow,
    Assign,
    MarkRead,
    /// Why (not): why a person can or cannot request a package, or holds a resource.
    Explain,
    /// Config as code: write the configuration to a file, or plan and apply one.
    ExportConfig,
    ApplyConfig,
    // The in-app clock.
    ClockHour,
    ClockDay,
    ClockWeek,
    ClockMonth,
    ClockJump,
    ClockPreview,
}

impl Action {
    /// One line for the help screen.
    pub fn description(self) -> &'static str {
        use Action::*;
        match self {
            Quit => "Quit (asks if a form has unsaved changes)",
            ForceQuit => "Quit now (asks only if a form has unsaved changes)",
            Help => "Show or hide this help",
            NextTab => "Next tab",
            PrevTab => "Previous tab",
            GotoTab1 => "Go to tab 1",
            GotoTab2 => "Go to tab 2",
            GotoTab3 => "Go to tab 3",
            GotoTab4 => "Go to tab 4",
            GotoTab5 => "Go to tab 5",
            GotoTab6 => "Go to tab 6",
            GotoTab7 => "Go to tab 7",
            GotoTab8 => "Go to tab 8",
            GotoTab9 => "Go to tab 9",
            GotoTab10 => "Go to tab 10",
            GotoTab11 => "Go to tab 11",
            GotoTab12 => "Go to tab 12",
            NextPane => "Next list or pane inside the tab",
            PrevPane => "Previous list or pane inside the tab",
            Refresh => "Reload the data from disk",
            SwitchUser => "Act as another user",
            Export => "Write the list on screen (as filtered) to a CSV file",
            Up => "Move up",
            Down => "Move down",
            Left => "Move left (cursor, choice)",
            Right => "Move right (cursor, choice)",
            PageUp => "Up one page",
            PageDown => "Down one page",
            Home => "Go to the first row (or start of text)",
            End => "Go to the last row (or end of text)",
            Open => "Open or confirm the selection",
            Back => "Back, close or cancel",
            Filter => "Filter the list (case-insensitive text)",
            Backspace => "Delete the character before the cursor",
            DeleteChar => "Delete the character under the cursor",
            ClearLine => "Clear the text",
            NextField => "Next field",
            PrevField => "Previous field",
            NextStep => "Next step of the form",
            PrevStep => "Previous step of the form",
            Toggle => "Toggle or select the item",
            Submit => "Save or submit the form",
            Preview => "Preview what saving would change, without saving (the policy editor)",
            Yes => "Yes",
            No => "No",
            New => "Create a new item",
            Edit => "Edit the selected item",
            Delete => "Delete the selected item",
            Request => "Request access",
            Extend => "Request an extension of the assignment",
            Remove => "Remove the access or assignment",
            CancelRequest => "Cancel the pending request",
            Approve => "Approve",
            Deny => "Deny",
            DontKnow => "Don't know (review decision)",
            Assign => "Assign directly",
            MarkRead => "Mark as read",
            Explain => "Explain why: why a request is or is not possible, or why access is held",
            ExportConfig => "Export the configuration to a JSON file (Catalogs, administrators)",
            ApplyConfig => "Plan and apply a configuration file (Catalogs, administrators)",
            ClockHour => "Advance the in-app clock by 1 hour",
            ClockDay => "Advance the in-app clock by 1 day",
            ClockWeek => "Advance the in-app clock by 7 days",
            ClockMonth => "Advance the in-app clock by 30 days",
            ClockJump => "Set the in-app clock to a date",
            ClockPreview => "Preview a clock move: everything it would fire, nothing changed",
        }
    }

    /// The short word shown in the footer hints: the action name with spaces.
    pub fn label(self) -> String {
        match self {
            Action::DontKnow => "don't know".to_string(),
            a => a.to_string().replace('_', " "),
        }
    }

    /// For `goto_tab_N`, the zero-based position among the visible tabs.
    pub fn tab_index(self) -> Option<usize> {
        use Action::*;
        let n = match self {
            GotoTab1 => 0,
            GotoTab2 => 1,
            GotoTab3 => 2,
            GotoTab4 => 3,
            GotoTab5 => 4,
            GotoTab6 => 5,
            GotoTab7 => 6,
            GotoTab8 => 7,
            GotoTab9 => 8,
            GotoTab10 => 9,
            GotoTab11 => 10,
            GotoTab12 => 11,
            _ => return None,
        };
        Some(n)
    }

    /// The `goto_tab_N` action for the tab at zero-based `index`, if there is one.
    pub fn goto_tab(index: usize) -> Option<Action> {
        Action::iter().find(|a| a.tab_index() == Some(index))
    }

    /// A verb a tab offers on its selection (new, approve, ...), as opposed to moving around.
    pub fn is_tab_verb(self) -> bool {
        use Action::*;
        matches!(
            self,
            New | Edit
                | Delete
                | Request
                | Extend
                | Remove
                | CancelRequest
                | Approve
                | Deny
                | DontKnow
                | Assign
                | MarkRead
                | Explain
                | Toggle
        )
    }

    /// Every action, in declaration order (the order of the help screen).
    pub fn all() -> impl Iterator<Item = Action> {
        Action::iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_and_display_names_agree() {
        for a in Action::iter() {
            let json = serde_json::to_string(&a).unwrap_or_default();
            assert_eq!(json, format!("\"{a}\""), "{a:?}");
            assert_eq!(a.to_string().parse::<Action>().ok(), Some(a));
        }
        assert_eq!(Action::GotoTab3.to_string(), "goto_tab_3");
        assert_eq!(Action::DontKnow.to_string(), "dont_know");
    }
}
