//! The terminal app on the demo tenant, for the UI tests: built as `entitle` builds it, drawn on
//! ratatui's TestBackend.

use std::path::Path;

use entitle::session::{Session, resolve_actor};
use entitle::store::Store;
use entitle::ui::app::App;
use entitle::ui::ctx::Ctx;
use entitle::ui::run::build_app;
use entitle::ui::{Keymap, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The app on a fresh copy of the demo in `dir`, signed in as `who` (None: the administrator),
/// without colour.
pub fn demo_app(dir: &Path, who: Option<&str>) -> App<Ctx> {
    demo_app_themed(dir, who, Theme::monochrome())
}

/// [`demo_app`] with a theme.
pub fn demo_app_themed(dir: &Path, who: Option<&str>, theme: Theme) -> App<Ctx> {
    app_over(dir, entitle::demo::demo_tenant().expect("the demo builds"), who, theme)
}

/// The app over `tenant`, stored in `dir`, signed in as `who` (None: the administrator).
pub fn app_over(dir: &Path, tenant: entitle::domain::Tenant, who: Option<&str>, theme: Theme) -> App<Ctx> {
    let store = Store::create(dir, tenant).expect("a store");
    let actor = resolve_actor(store.state(), who).expect("the user");
    build_app(Session::new(store, actor), Path::new("/data/contoso"), Keymap::defaults(), theme)
}

/// One frame at `w`x`h`, as text.
pub fn screen(app: &mut App<Ctx>, w: u16, h: u16) -> String {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    term.draw(|f| app.draw(f)).expect("draw");
    format!("{}", term.backend())
}
