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

/// Lets the app do what it does while nobody types (read a long list on, search it for the
/// filter) until it has nothing left, as the terminal loop does between key presses.
pub fn settle(app: &mut App<Ctx>) {
    for _ in 0..100_000 {
        let until = std::time::Instant::now() + std::time::Duration::from_millis(50);
        if !app.idle(until) {
            return;
        }
    }
    panic!("the app still had work after 100,000 idle slices");
}
