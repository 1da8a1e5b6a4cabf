//! Keys to [`Action`]s, per [`Mode`]. The default map is `assets/keymap.json`, embedded; a user file
//! in the same shape overrides or extends it key by key (`null` or `"none"` unbinds a key).
//!
//! Key syntax: an optional chain of `ctrl-`, `alt-`, `shift-` and then one character (`j`, `?`, `G`)
//! or a name: `enter`, `esc`, `tab`, `shift-tab`, `backspace`, `delete`, `insert`, `up`, `down`,
//! `left`, `right`, `home`, `end`, `pgup`, `pgdn`, `space`, `f1`..`f24`.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::{Deserialize, Serialize};
use strum::{Display, EnumIter, EnumString, IntoEnumIterator};

use super::action::Action;

/// The default keymap, as shipped.
pub const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.json");

/// Where keys are being read. The top layer decides (see [`crate::ui::layers::Layer::mode`]).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Display, EnumIter, EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Mode {
    /// Bindings of the shell, active whenever no popup layer is open.
    Global,
    /// A tab's lists and tables (falls back to `global`).
    List,
    /// A form (text fields take unbound printable keys).
    Form,
    /// A filterable picker popup (typing filters).
    Picker,
    /// A yes/no question.
    Confirm,
    /// A one-line text prompt, also a table's filter line while it is edited.
    Prompt,
    /// Help and message popups.
    Popup,
}

impl Mode {
    /// Whether `global` bindings apply too, after this mode's own.
    pub fn inherits_global(self) -> bool {
        self == Mode::List
    }

    /// Whether unbound printable keys are typed text in this mode.
    pub fn accepts_text(self) -> bool {
        matches!(self, Mode::Form | Mode::Picker | Mode::Prompt)
    }

    /// Heading on the help screen.
    pub fn title(self) -> &'static str {
        match self {
            Mode::Global => "Everywhere (no popup open)",
            Mode::List => "Lists and tables",
            Mode::Form => "Forms",
            Mode::Picker => "Pickers",
            Mode::Confirm => "Questions",
            Mode::Prompt => "Text prompts and filters",
            Mode::Popup => "Help and messages",
        }
    }
}

/// A normalised key: shift is folded into the character for printable keys and into `BackTab`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyBinding {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl KeyBinding {
    pub fn new(code: KeyCode, mods: KeyModifiers) -> Self {
        let mut mods = mods & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let mut code = code;
        match code {
            KeyCode::Char(c) => {
                if mods.contains(KeyModifiers::SHIFT) && c.is_ascii_lowercase() {
                    code = KeyCode::Char(c.to_ascii_uppercase());
                }
                mods.remove(KeyModifiers::SHIFT);
            }
            KeyCode::Tab if mods.contains(KeyModifiers::SHIFT) => {
                code = KeyCode::BackTab;
                mods.remove(KeyModifiers::SHIFT);
            }
            KeyCode::BackTab => mods.remove(KeyModifiers::SHIFT),
            _ => {}
        }
        KeyBinding { code, mods }
    }

    pub fn from_event(key: &KeyEvent) -> Self {
        KeyBinding::new(key.code, key.modifiers)
    }
}

impl FromStr for KeyBinding {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if s.is_empty() {
            return Err("empty key".into());
        }
        let (mods_part, key_part) = if s == "-" {
            ("", "-")
        } else if let Some(head) = s.strip_suffix("--") {
            (head, "-")
        } else {
            match s.rfind('-') {
                Some(i) if i > 0 => (&s[..i], &s[i + 1..]),
                _ => ("", s),
            }
        };
        let mut mods = KeyModifiers::NONE;
        if !mods_part.is_empty() {
            for m in mods_part.split('-') {
                mods |= match m.to_ascii_lowercase().as_str() {
                    "ctrl" | "control" => KeyModifiers::CONTROL,
                    "alt" | "meta" | "option" => KeyModifiers::ALT,
                    "shift" => KeyModifiers::SHIFT,
                    _ => return Err(format!("unknown modifier \"{m}\" (use ctrl, alt or shift)")),
                };
            }
        }
        let mut chars = key_part.chars();
        let code = match (chars.next(), chars.next()) {
            (None, _) => return Err("missing key name after the modifiers".into()),
            (Some(c), None) => KeyCode::Char(c),
            _ => named_key(&key_part.to_ascii_lowercase()).ok_or_else(|| {
                format!(
                    "unknown key name \"{key_part}\" (use one character or enter, esc, tab, \
                     backspace, delete, insert, up, down, left, right, home, end, pgup, pgdn, \
                     space, f1..f24)"
                )
            })?,
        };
        Ok(KeyBinding::new(code, mods))
    }
}

fn named_key(name: &str) -> Option<KeyCode> {
    Some(match name {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "backspace" | "bs" => KeyCode::Backspace,
        "delete" | "del" => KeyCode::Delete,
        "insert" | "ins" => KeyCode::Insert,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "pgup" | "pageup" => KeyCode::PageUp,
        "pgdn" | "pagedown" => KeyCode::PageDown,
        "space" => KeyCode::Char(' '),
        other => {
            let n: u8 = other.strip_prefix('f')?.parse().ok()?;
            if (1..=24).contains(&n) {
                KeyCode::F(n)
            } else {
                return None;
            }
        }
    })
}

impl fmt::Display for KeyBinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("shift-tab"),
            KeyCode::Backspace => f.write_str("backspace"),
            KeyCode::Delete => f.write_str("delete"),
            KeyCode::Insert => f.write_str("insert"),
            KeyCode::Up => f.write_str("up"),
            KeyCode::Down => f.write_str("down"),
            KeyCode::Left => f.write_str("left"),
            KeyCode::Right => f.write_str("right"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::PageUp => f.write_str("pgup"),
            KeyCode::PageDown => f.write_str("pgdn"),
            KeyCode::F(n) => write!(f, "f{n}"),
            _ => f.write_str("?"),
        }
    }
}

/// Why a keymap file was refused. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum KeymapError {
    #[error("cannot read keymap file {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("keymap file {} is not valid JSON: {source}", path.display())]
    Json { path: PathBuf, source: serde_json::Error },
    #[error("keymap file {}: {detail}", path.display())]
    Shape { path: PathBuf, detail: String },
    #[error("keymap file {}: unknown mode \"{mode}\" (modes: {expected})", path.display())]
    UnknownMode { path: PathBuf, mode: String, expected: String },
    #[error("keymap file {}: mode \"{mode}\": bad key \"{key}\": {reason}", path.display())]
    BadKey { path: PathBuf, mode: Mode, key: String, reason: String },
    #[error(
        "keymap file {}: mode \"{mode}\", key \"{key}\": unknown action \"{action}\"",
        path.display()
    )]
    UnknownAction { path: PathBuf, mode: Mode, key: String, action: String },
    #[error(
        "keymap file {}: mode \"{mode}\" would have no way out: bind a key to {}",
        path.display(),
        needs.iter().map(|a| format!("\"{a}\"")).collect::<Vec<_>>().join(" or ")
    )]
    NoWayOut { path: PathBuf, mode: Mode, needs: Vec<Action> },
}

/// The bindings of every mode.
#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    modes: HashMap<Mode, HashMap<KeyBinding, Action>>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap::defaults()
    }
}

impl Keymap {
    /// The embedded default keymap (checked by the tests).
    pub fn defaults() -> Keymap {
        let empty = Keymap { modes: HashMap::new() };
        match empty.with_overrides(DEFAULT_KEYMAP, Path::new("<built-in keymap>")) {
            Ok(k) => k,
            Err(e) => panic!("the embedded default keymap is broken: {e:?}"),
        }
    }

    /// Defaults plus the user's file. A missing file is no error. A bad file is reported with
    /// every problem it has, and ignored as a whole: the defaults are returned with the errors.
    pub fn load(user_file: Option<&Path>) -> (Keymap, Vec<KeymapError>) {
        let defaults = Keymap::defaults();
        let Some(path) = user_file else {
            return (defaults, Vec::new());
        };
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (defaults, Vec::new()),
            Err(source) => {
                let err = KeymapError::Read { path: path.to_path_buf(), source };
                return (defaults, vec![err]);
            }
        };
        match defaults.with_overrides(&text, path) {
            Ok(k) => (k, Vec::new()),
            Err(errors) => (defaults, errors),
        }
    }

    /// A copy of this keymap with the bindings of `json` laid over it, or every problem of the
    /// file (bad keys, unknown actions and modes, and a mode left without a way out). `path`
    /// names the source in errors.
    pub fn with_overrides(&self, json: &str, path: &Path) -> Result<Keymap, Vec<KeymapError>> {
        let p = || path.to_path_buf();
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|source| vec![KeymapError::Json { path: p(), source }])?;
        let serde_json::Value::Object(modes) = value else {
            let detail = "the top level must be an object of modes".into();
            return Err(vec![KeymapError::Shape { path: p(), detail }]);
        };
        let mut out = self.clone();
        let mut errors = Vec::new();
        for (mode_name, bindings) in modes {
            let Ok(mode) = Mode::from_str(&mode_name) else {
                errors.push(KeymapError::UnknownMode {
                    path: p(),
                    mode: mode_name.clone(),
                    expected: Mode::iter().map(|m| m.to_string()).collect::<Vec<_>>().join(", "),
                });
                continue;
            };
            let serde_json::Value::Object(bindings) = bindings else {
                let detail = format!("mode \"{mode}\" must be an object of \"key\": \"action\"");
                errors.push(KeymapError::Shape { path: p(), detail });
                continue;
            };
            let map = out.modes.entry(mode).or_default();
            for (key, action) in bindings {
                let binding = match KeyBinding::from_str(&key) {
                    Ok(b) => b,
                    Err(reason) => {
                        errors.push(KeymapError::BadKey { path: p(), mode, key, reason });
                        continue;
                    }
                };
                let action = match action {
                    serde_json::Value::Null => None,
                    serde_json::Value::String(s) if s == "none" => None,
                    serde_json::Value::String(s) => match Action::from_str(&s) {
                        Ok(a) => Some(a),
                        Err(_) => {
                            errors.push(KeymapError::UnknownAction { path: p(), mode, key, action: s });
                            continue;
                        }
                    },
                    other => {
                        let action = other.to_string();
                        errors.push(KeymapError::UnknownAction { path: p(), mode, key, action });
                        continue;
                    }
                };
                match action {
                    Some(a) => map.insert(binding, a),
                    None => map.remove(&binding),
                };
            }
        }
        errors.extend(out.without_way_out(path));
        if errors.is_empty() { Ok(out) } else { Err(errors) }
    }

    /// The modes this keymap leaves without a way out: no key quits the app from the tabs, or a
    /// popup has no key that closes it (nor one that quits).
    fn without_way_out(&self, path: &Path) -> Vec<KeymapError> {
        Mode::iter()
            .filter_map(|mode| {
                let ways: &[Action] = match mode {
                    Mode::Global | Mode::List => &[Action::Quit, Action::ForceQuit],
                    Mode::Confirm => &[Action::Back, Action::No, Action::ForceQuit],
                    _ => &[Action::Back, Action::ForceQuit],
                };
                let open = ways.iter().any(|a| !self.keys_for(mode, *a).is_empty());
                (!open).then(|| KeymapError::NoWayOut { path: path.to_path_buf(), mode, needs: ways.to_vec() })
            })
            .collect()
    }

    /// The action bound to `key` in `mode` (then in `global` for modes that inherit it).
    pub fn lookup(&self, mode: Mode, key: KeyEvent) -> Option<Action> {
        self.lookup_binding(mode, KeyBinding::from_event(&key))
    }

    pub fn lookup_binding(&self, mode: Mode, key: KeyBinding) -> Option<Action> {
        let own = self.modes.get(&mode).and_then(|m| m.get(&key)).copied();
        own.or_else(|| {
            if mode.inherits_global() { self.modes.get(&Mode::Global).and_then(|m| m.get(&key)).copied() } else { None }
        })
    }

    /// Every key that triggers `action` in `mode`, shortest first (for hints and help).
    pub fn keys_for(&self, mode: Mode, action: Action) -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        let mut collect = |m: Mode| {
            if let Some(map) = self.modes.get(&m) {
                for (k, a) in map {
                    // A key shadowed by the mode's own binding does not reach global.
                    if *a == action && self.lookup_binding(mode, *k) == Some(action) {
                        keys.push(k.to_string());
                    }
                }
            }
        };
        collect(mode);
        if mode.inherits_global() {
            collect(Mode::Global);
        }
        keys.sort_by(|a, b| (a.chars().count(), a).cmp(&(b.chars().count(), b)));
        keys.dedup();
        keys
    }

    /// The first key of `keys_for`, if any.
    pub fn hint_key(&self, mode: Mode, action: Action) -> Option<String> {
        self.keys_for(mode, action).into_iter().next()
    }

    /// The actions bound in `mode` itself (not inherited), in [`Action`] order, with their keys.
    pub fn bindings(&self, mode: Mode) -> Vec<(Action, Vec<String>)> {
        let Some(map) = self.modes.get(&mode) else {
            return Vec::new();
        };
        Action::iter()
            .filter(|a| map.values().any(|b| b == a))
            .map(|a| {
                let mut keys: Vec<String> = map.iter().filter(|(_, b)| **b == a).map(|(k, _)| k.to_string()).collect();
                keys.sort_by(|x, y| (x.chars().count(), x).cmp(&(y.chars().count(), y)));
                (a, keys)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kb(s: &str) -> KeyBinding {
        KeyBinding::from_str(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn key_syntax_round_trips() {
        for s in ["ctrl-c", "shift-tab", "pgdn", "?", "j", "G", "-", "ctrl--", "f5", "space", "enter"] {
            assert_eq!(kb(s).to_string(), s);
        }
        assert_eq!(kb("Ctrl-C"), KeyBinding::new(KeyCode::Char('C'), KeyModifiers::CONTROL));
        assert_eq!(kb("shift-g"), kb("G"));
        assert_eq!(kb("backtab"), kb("shift-tab"));
        assert!(KeyBinding::from_str("hyper-x").is_err());
        assert!(KeyBinding::from_str("ctrl-").is_err());
        assert!(KeyBinding::from_str("pgdown2").is_err());
    }

    #[test]
    fn shifted_event_matches_plain_char_binding() {
        let ev = KeyEvent::new(KeyCode::Char('?'), KeyModifiers::SHIFT);
        assert_eq!(Keymap::defaults().lookup(Mode::List, ev), Some(Action::Help));
        let ev = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(Keymap::defaults().lookup(Mode::List, ev), Some(Action::PrevTab));
    }
}
