//! Keys for the terminal app in the UI tests, as a person presses them.

use std::str::FromStr;

use entitle::ui::app::App;
use entitle::ui::ctx::Ctx;
use entitle::ui::keymap::KeyBinding;
use ratatui::crossterm::event::KeyEvent;

/// Presses each key, written as the keymap writes keys (`"j"`, `"ctrl-s"`, `"tab"`).
pub fn press(app: &mut App<Ctx>, keys: &[&str]) {
    for k in keys {
        let b = KeyBinding::from_str(k).unwrap_or_else(|e| panic!("{k}: {e}"));
        app.handle_key(KeyEvent::new(b.code, b.mods));
    }
}

/// Types `text` into whatever has the focus, a character at a time.
pub fn typ(app: &mut App<Ctx>, text: &str) {
    for c in text.chars() {
        app.type_char(c);
    }
}
