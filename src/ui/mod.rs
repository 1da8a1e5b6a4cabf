//! The terminal UI: app state and `update`, actions, keymap, theme, layers, one file per tab, and
//! reusable widgets. The way through: crossterm event → keymap (current mode) → [`Action`] →
//! [`update`] → redraw.

pub mod action;
pub mod app;
mod app_render;
mod app_update;
pub mod keymap;
pub mod layers;
pub mod tabs;
pub mod terminal;
pub mod theme;
pub mod widgets;

pub use action::Action;
pub use app::{App, Effect, Shell, Tab, TabView};
pub use app_render::ShellLayout;
pub use app_update::update;
pub use keymap::{Keymap, Mode};
pub use layers::{Layer, LayerResult};
pub use theme::Theme;
