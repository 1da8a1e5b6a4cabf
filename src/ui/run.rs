//! Starting the terminal app: the context, the keymap (embedded default, user file over it),
//! the theme, and every tab view.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use crate::launch;
use crate::session::Session;
use crate::ui::app::{App, Tab};
use crate::ui::ctx::Ctx;
use crate::ui::keymap::{Keymap, KeymapError};
use crate::ui::layers::Layer;
use crate::ui::tabs;
use crate::ui::terminal::{self, Ended, WaitSignals};
use crate::ui::theme::Theme;
use crate::ui::widgets::status::StatusMessage;

/// The user's keymap file: `<config dir>/entitle/keymap.json`.
pub fn keymap_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "entitle").map(|d| d.config_dir().join("keymap.json"))
}

/// The app over a session, with every tab wired; no terminal needed (tests use it with TestBackend).
pub fn build_app(session: Session, location: &Path, keymap: Keymap, theme: Theme) -> App<Ctx> {
    let ctx = Ctx::new(session, location.to_path_buf(), theme.clone());
    let mut app = App::new(ctx, keymap, theme);
    app.set_view(Tab::Overview, Box::new(tabs::overview::Overview::new()));
    app.set_view(Tab::MyAccess, Box::new(tabs::my_access::MyAccess::new()));
    app.set_view(Tab::Organizations, Box::new(tabs::organizations::Organizations::new()));
    app.set_view(Tab::Settings, Box::new(tabs::settings::SettingsTab::new()));
    // Inbox tabs (tab-inbox).
    app.set_view(Tab::Approvals, Box::new(tabs::approvals::Approvals::new()));
    app.set_view(Tab::Reviews, Box::new(tabs::reviews::Reviews::new()));
    app.set_view(Tab::Notifications, Box::new(tabs::notifications::Notifications::new()));
    // Admin tabs (tab-admin).
    app.set_view(Tab::Directory, Box::new(tabs::directory::Directory::new()));
    app.set_view(Tab::Audit, Box::new(tabs::audit::Audit::new()));
    app.set_view(Tab::Reports, Box::new(tabs::reports::Reports::new()));
    // Catalogs and Access packages (tab-catalogs).
    app.set_view(Tab::Catalogs, Box::new(tabs::catalogs::Catalogs::new()));
    app.set_view(Tab::Packages, Box::new(tabs::packages::Packages::new()));
    let visible = app.ctx.visible_tabs();
    app.set_visible_tabs(visible);
    let landing = app.ctx.landing_tab();
    app.switch_tab(landing);
    app.refresh_views();
    // A stored value the domain cannot evaluate is said at once, with what to do about it.
    if let Some(p) = crate::domain::problems::problems_summary_of(&app.ctx.problems()) {
        app.set_message(StatusMessage::warning(p));
    }
    app
}

/// The status line for a keymap file refused with `count` problems, `first` among them.
fn keymap_refused(first: &KeymapError, count: usize) -> String {
    match count {
        1 => format!("{first}; the default keys are in use"),
        n => format!("{first} (and {} more problems, listed); the default keys are in use", n - 1),
    }
}

/// The terminal app as `entitle` with no command runs it: the data opened, the user signed in
/// (an `--as` that cannot be is an error before the screen changes), and the exit code.
pub fn main(
    data: Option<&Path>,
    lock_timeout: Option<&str>,
    as_user: Option<&str>,
    tenant: Option<&str>,
    export_dir: Option<&Path>,
) -> ExitCode {
    let run = || -> anyhow::Result<Option<i32>> {
        let (dir, wait) = launch::location(data, lock_timeout)?;
        let started = launch::start(dir, wait, as_user, tenant)?;
        if let Some(e) = started.actor_err {
            anyhow::bail!("{e}");
        }
        let ended = run_tui(started.session, &started.dir, started.notice, export_dir)?;
        Ok(match ended {
            Ended::Quit => None,
            Ended::Signal(n) => Some(n),
        })
    };
    launch::exit(run())
}

/// Run the terminal app until the user quits. `notice` is shown first (e.g. "installed the demo");
/// `ctrl-e` writes CSV files to `export_dir` (else the current directory).
/// A commit that waits for another process's lock keeps the screen alive (see
/// [`terminal::lock_waiter`]); the store's own warnings (a torn write, reads without a lock)
/// show in the status bar.
pub fn run_tui(
    mut session: Session,
    location: &Path,
    notice: Option<String>,
    export_dir: Option<&Path>,
) -> anyhow::Result<Ended> {
    let signals = Arc::new(WaitSignals::default());
    session.store.set_lock_waiter(terminal::lock_waiter(signals.clone()));
    let (keymap, errors) = Keymap::load(keymap_path().as_deref());
    let mut app = build_app(session, location, keymap, Theme::from_env());
    if let Some(dir) = export_dir {
        app.ctx.export_dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    }
    if let Some(first) = errors.first() {
        app.set_message(StatusMessage::error(keymap_refused(first, errors.len())));
        let list: Vec<String> = errors.iter().map(|e| format!("• {e}")).collect();
        app.open(Layer::message("Your keymap file was not used", list.join("\n")));
    } else if let Some(n) = notice.filter(|_| app.message().is_none()) {
        app.set_message(StatusMessage::info(n));
    }
    app.show_notice();
    let done = terminal::run_with_tick(&mut app, terminal::TICK, signals);
    // The terminal is restored and the process ends: the system takes the memory back at once
    // (freeing a big tenant object by object takes a second). Every commit is durable already.
    std::mem::forget(app);
    done.map_err(Into::into)
}
