//! The default keymap, user overrides, bad user files, and the help generated from the keymap.

use std::str::FromStr;

use entitle::ui::keymap::{KeyBinding, KeymapError};
use entitle::ui::widgets::help::help_entries;
use entitle::ui::{Action, App, Keymap, Mode, Theme};
use ratatui::crossterm::event::KeyEvent;
use strum::IntoEnumIterator;

fn key(s: &str) -> KeyEvent {
    let b = KeyBinding::from_str(s).unwrap_or_else(|e| panic!("{s}: {e}"));
    KeyEvent::new(b.code, b.mods)
}

fn write(dir: &tempfile::TempDir, text: &str) -> std::path::PathBuf {
    let path = dir.path().join("keymap.json");
    std::fs::write(&path, text).expect("write keymap");
    path
}

#[test]
fn every_bound_action_is_in_the_help_with_its_keys() {
    let km = Keymap::defaults();
    let help = help_entries(&km);
    for mode in Mode::iter() {
        for (action, keys) in km.bindings(mode) {
            let entry = help
                .iter()
                .find(|e| e.mode == mode && e.action == Some(action))
                .unwrap_or_else(|| panic!("{action} ({mode}) missing from help"));
            assert_eq!(entry.text, action.description());
            for k in keys {
                assert!(entry.keys.split(", ").any(|x| x == k), "{k} for {action} in {mode}");
            }
        }
    }
}

#[test]
fn every_action_has_a_default_key_somewhere() {
    let km = Keymap::defaults();
    for action in Action::iter() {
        let bound = Mode::iter().any(|m| !km.keys_for(m, action).is_empty());
        assert!(bound, "{action} has no key in the default keymap");
    }
}

#[test]
fn list_mode_inherits_global_but_popups_do_not() {
    let km = Keymap::defaults();
    assert_eq!(km.lookup(Mode::List, key("q")), Some(Action::Quit));
    assert_eq!(km.lookup(Mode::List, key("j")), Some(Action::Down));
    assert_eq!(km.lookup(Mode::Prompt, key("q")), None, "q is text in a prompt");
    assert_eq!(km.lookup(Mode::Form, key("ctrl-c")), Some(Action::ForceQuit));
    assert_eq!(km.keys_for(Mode::List, Action::Down), ["j", "down"]);
    assert_eq!(km.keys_for(Mode::List, Action::Quit), ["q"]);
    assert_eq!(km.hint_key(Mode::Form, Action::Submit).as_deref(), Some("ctrl-s"));
}

#[test]
fn a_user_file_overrides_and_extends() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        &dir,
        r#"{ "global": { "ctrl-q": "quit", "q": null },
             "list": { "n": "down", "N": "new", "x": "none" } }"#,
    );
    let (km, errors) = Keymap::load(Some(&path));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(km.lookup(Mode::List, key("ctrl-q")), Some(Action::Quit));
    assert_eq!(km.lookup(Mode::List, key("q")), None);
    assert_eq!(km.lookup(Mode::List, key("n")), Some(Action::Down));
    assert_eq!(km.lookup(Mode::List, key("shift-n")), Some(Action::New));
    assert_eq!(km.lookup(Mode::List, key("x")), None);
    assert_eq!(km.lookup(Mode::List, key("j")), Some(Action::Down), "the rest is kept");
    assert_eq!(km.keys_for(Mode::List, Action::Quit), ["ctrl-q"]);
    // The help and the footer follow the override.
    let help = help_entries(&km);
    assert!(help.iter().any(|e| e.action == Some(Action::Quit) && e.keys == "ctrl-q"));
    let app = App::new((), km, Theme::monochrome());
    assert!(app.hints().iter().any(|(k, l)| k == "ctrl-q" && l == "quit"));
}

#[test]
fn a_missing_user_file_is_not_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (km, errors) = Keymap::load(Some(&dir.path().join("nope.json")));
    assert!(errors.is_empty());
    assert_eq!(km, Keymap::defaults());
}

fn bad(text: &str) -> (String, std::path::PathBuf, KeymapError) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(&dir, text);
    let (km, mut errors) = Keymap::load(Some(&path));
    assert_eq!(km, Keymap::defaults(), "a bad file falls back to the defaults");
    assert!(!errors.is_empty(), "an error for a bad file");
    let err = errors.remove(0);
    (err.to_string(), path, err)
}

#[test]
fn a_bad_key_is_named_with_the_file() {
    let (msg, path, err) = bad(r#"{ "list": { "j": "down", "ctrl-bogus": "up" } }"#);
    assert!(matches!(err, KeymapError::BadKey { .. }));
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains("\"ctrl-bogus\""), "{msg}");
    assert!(msg.contains("unknown key name \"bogus\""), "{msg}");
    let (msg, _, _) = bad(r#"{ "list": { "hyper-j": "down" } }"#);
    assert!(msg.contains("\"hyper-j\"") && msg.contains("unknown modifier \"hyper\""), "{msg}");
}

#[test]
fn an_unknown_action_or_mode_or_bad_json_is_named() {
    let (msg, _, err) = bad(r#"{ "list": { "j": "dance" } }"#);
    assert!(matches!(err, KeymapError::UnknownAction { .. }));
    assert!(msg.contains("key \"j\"") && msg.contains("unknown action \"dance\""), "{msg}");
    let (msg, _, _) = bad(r#"{ "lists": { "j": "down" } }"#);
    assert!(msg.contains("unknown mode \"lists\"") && msg.contains("global, list"), "{msg}");
    let (msg, path, _) = bad(r#"{ "list": { "j": "down" "#);
    assert!(msg.contains("not valid JSON") && msg.contains(&path.display().to_string()), "{msg}");
    let (msg, _, _) = bad(r#"["j"]"#);
    assert!(msg.contains("top level must be an object"), "{msg}");
}

#[test]
fn the_embedded_keymap_parses_and_round_trips_its_keys() {
    let km = Keymap::defaults();
    for mode in Mode::iter() {
        for (_, keys) in km.bindings(mode) {
            for k in keys {
                let b = KeyBinding::from_str(&k).expect("shown keys parse back");
                assert_eq!(b.to_string(), k);
            }
        }
    }
}

#[test]
fn every_problem_of_a_bad_file_is_reported_not_only_the_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path =
        write(&dir, r#"{ "list": { "ctrl-bogus": "up", "j": "dance" }, "lists": {}, "popup": { "hyper-q": "back" } }"#);
    let (km, errors) = Keymap::load(Some(&path));
    assert_eq!(km, Keymap::defaults());
    let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(errors.len(), 4, "{text:#?}");
    assert!(text.iter().any(|m| m.contains("\"ctrl-bogus\"")), "{text:#?}");
    assert!(text.iter().any(|m| m.contains("unknown action \"dance\"")), "{text:#?}");
    assert!(text.iter().any(|m| m.contains("unknown mode \"lists\"")), "{text:#?}");
    assert!(text.iter().any(|m| m.contains("\"hyper-q\"")), "{text:#?}");
}

/// A file that unbinds every quit key would leave a user with no way out of the app: refused,
/// naming the mode and the actions to bind. The same for a popup left with no key that closes it,
/// and for a list binding that shadows the global quit keys.
#[test]
fn a_keymap_with_no_way_out_is_refused() {
    let (msg, _, err) = bad(r#"{ "global": { "q": null, "ctrl-c": null } }"#);
    assert!(matches!(err, KeymapError::NoWayOut { mode: Mode::Global, .. }), "{msg}");
    assert!(msg.contains("\"quit\" or \"force_quit\""), "{msg}");
    let (msg, _, err) = bad(r#"{ "list": { "q": "down", "ctrl-c": "up" } }"#);
    assert!(matches!(err, KeymapError::NoWayOut { mode: Mode::List, .. }), "{msg}");
    let (msg, _, err) = bad(r#"{ "popup": { "esc": null, "q": null, "enter": null, "ctrl-c": null } }"#);
    assert!(matches!(err, KeymapError::NoWayOut { mode: Mode::Popup, .. }), "{msg}");
    assert!(msg.contains("\"back\" or \"force_quit\""), "{msg}");
    let (msg, _, err) = bad(r#"{ "confirm": { "esc": null, "n": null, "ctrl-c": null } }"#);
    assert!(matches!(err, KeymapError::NoWayOut { mode: Mode::Confirm, .. }), "{msg}");
    // Moving quit to another key is fine.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(&dir, r#"{ "global": { "q": null, "ctrl-c": null, "ctrl-x": "quit" } }"#);
    let (km, errors) = Keymap::load(Some(&path));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(km.keys_for(Mode::List, Action::Quit), ["ctrl-x"]);
}
