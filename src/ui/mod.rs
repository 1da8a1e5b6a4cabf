//! The terminal UI: app state and `update`, actions, keymap, theme, layers, one file per tab, and
//! reusable widgets. The way through: crossterm event → keymap (current [`Mode`]) → [`Action`] →
//! [`update`] → [`Effect`]s → redraw.
//!
//! # Wiring a tab
//! ```ignore
//! struct Ctx { tenant: Tenant, session: Session, /* ... */ }
//! impl Shell for Ctx {
//!     fn status(&self) -> StatusInfo { /* user, roles, clock, live/frozen, location, saved */ }
//!     fn global(&mut self, a: Action) -> Effect { /* clock_*, switch_user, refresh */ }
//!     fn on_result(&mut self, r: LayerResult) -> Effect { /* answers to prompts it opened */ }
//!     fn tick(&mut self) -> bool { /* reload from disk; true if changed */ }
//! }
//!
//! struct Packages { pane: ListPane, rows: Vec<Vec<CellText>> }
//! impl TabView<Ctx> for Packages {
//!     fn render(&self, _: &Ctx, area: Rect, buf: &mut Buffer, t: &Theme) {
//!         self.pane.render(area, buf, t, &self.rows, true)
//!     }
//!     fn handle(&mut self, ctx: &mut Ctx, a: Action) -> Effect {
//!         if self.pane.handle(a, &self.rows) { return Effect::None; }
//!         match a {
//!             Action::New => Effect::Open(Layer::form(package_form())),
//!             Action::Delete => Effect::Open(Layer::Confirm(ConfirmState::new(Ask::DeletePackage(pkg), "Delete", "Delete it?"))),
//!             _ => Effect::Unhandled, // falls through to Shell::global
//!         }
//!     }
//!     fn text(&mut self, _: &mut Ctx, c: char) -> Effect {
//!         if self.pane.text(c, &self.rows) { Effect::None } else { Effect::Unhandled }
//!     }
//!     fn mode(&self) -> Mode { self.pane.mode() }            // Prompt while the filter is typed
//!     fn hints(&self) -> Vec<Action> { vec![Action::Open, Action::New, Action::Delete, Action::Filter] }
//!     // The domain's answer for a verb on the selection: a refused verb is left out of the footer
//!     // and the help, and its key shows this instead of opening anything.
//!     fn refusal(&self, ctx: &Ctx, a: Action) -> Option<String> {
//!         (a == Action::Delete).then(|| ctx.refusal(&Intent::DeletePackage { package: pkg })).flatten()
//!     }
//!     fn on_result(&mut self, ctx: &mut Ctx, r: LayerResult) -> Effect {
//!         // LayerResult::Submitted { id, values }: `id` is the typed `Ask` the form was opened
//!         // with; run the domain command; on a refusal return Effect::Reject(err.to_string()) and
//!         // the form stays open with the message.
//!         Effect::Batch(vec![Effect::ok("Saved"), Effect::Refresh])
//!     }
//!     fn refresh(&mut self, ctx: &Ctx) { self.rows = /* read models */; self.pane.sync(&self.rows); }
//! }
//!
//! let (keymap, errors) = Keymap::load(Some(&config_dir.join("keymap.json")));
//! let mut app = App::new(ctx, keymap, Theme::from_env());
//! if let Some(e) = errors.first() { app.set_message(StatusMessage::error(e.to_string())) }
//! app.set_view(Tab::Packages, Box::new(Packages { .. }));
//! app.set_visible_tabs(tabs_for(&user));
//! terminal::run(&mut app)?;
//! ```

pub mod action;
pub mod app;
mod app_export;
mod app_render;
mod app_update;
pub mod ask;
pub mod ctx;
pub mod export;
pub mod keymap;
pub mod layers;
pub mod run;
pub mod tabs;
pub mod terminal;
pub mod theme;
pub mod tone;
pub mod why;
pub mod widgets;

pub use action::Action;
pub use app::{App, Effect, Shell, Tab, TabView};
pub use app_render::ShellLayout;
pub use app_update::update;
pub use keymap::{Keymap, Mode};
pub use layers::{Layer, LayerResult};
pub use theme::Theme;
