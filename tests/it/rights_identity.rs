//! Who is signing in (issue 6 §4): lab and team modes, logins, "X acting as Y", at the domain and
//! in the terminal app (status bar and the `u` key).

use crate::common;

use common::keys::press;
use std::path::Path;

use common::*;
use entitle::domain::identity::{Mode, SignIn};
use entitle::domain::*;
use entitle::session::Session;
use entitle::store::Store;
use entitle::ui::app::App;
use entitle::ui::ctx::Ctx;
use entitle::ui::layers::Layer;
use entitle::ui::run::build_app;
use entitle::ui::{Action, Keymap, Theme, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn login(w: &mut World, user: UserId, name: &str) {
    w.sys(Command::SetLogin { user, login: Some(name.into()) });
}

/// A team-mode tenant: Ada (admin) signs in as `ada`, Mia (member) as `mia`.
fn team() -> (World, UserId) {
    let mut w = World::new();
    let mia = w.user("Mia");
    let admin = w.admin;
    login(&mut w, admin, "ada");
    login(&mut w, mia, "mia");
    w.run(&u(admin), Command::SetMode { mode: Mode::Team });
    (w, mia)
}

#[test]
fn in_team_mode_the_login_decides_who_acts_and_a_member_cannot_act_as_the_admin() {
    let (w, mia) = team();
    assert_eq!(w.t.sign_in(Some("mia"), None), Ok(SignIn { actor: u(mia), by: None }));
    let e = w.t.sign_in(Some("mia"), Some("ada@contoso.com")).expect_err("a member cannot act as the admin");
    assert!(matches!(e, DomainError::Forbidden(_)) && msg(&e).contains("only a global administrator"), "{e}");
    // Acting as oneself is no impersonation.
    assert_eq!(w.t.sign_in(Some("mia"), Some("Mia")), Ok(SignIn { actor: u(mia), by: None }));
    // The admin may act as anyone, and says so.
    assert_eq!(w.t.sign_in(Some("ada"), Some("Mia")), Ok(SignIn { actor: u(mia), by: Some(w.admin) }));
    let e = w.t.sign_in(Some("nobody"), None).expect_err("an unknown login");
    assert!(msg(&e).contains("--login nobody"), "{e}");
    assert!(w.t.sign_in(None, None).is_err(), "no login at all");
}

#[test]
fn in_lab_mode_anyone_may_act_as_anyone() {
    let mut w = World::new();
    let mia = w.user("Mia");
    assert_eq!(w.t.mode, Mode::Lab);
    assert_eq!(w.t.sign_in(None, Some("Mia")), Ok(SignIn { actor: u(mia), by: None }));
    assert_eq!(w.t.sign_in(Some("whoever"), None), Ok(SignIn { actor: u(w.admin), by: None }));
}

#[test]
fn an_administrator_acting_as_someone_is_audited_with_both() {
    let (mut w, mia) = team();
    w.settings(|s| {
        s.catalog_creators.insert(mia);
    });
    let spec = CatalogSpec { display_name: "Mia's".into(), description: String::new(), enabled: true, external: false };
    let cmd = Command::ActingAs { by: w.admin, command: Box::new(Command::CreateCatalog { spec }) };
    let cat: CatalogId = id_of(&w.run(&u(mia), cmd));
    assert!(w.t.catalog_roles(mia, cat).contains(&CatalogRole::Owner), "the catalog is Mia's");
    let e = w.t.audit.iter().rfind(|e| e.activity == "catalog.created").expect("audited");
    assert_eq!(e.by, Some(AuditActor::User { user: w.admin, display_name: "Ada Admin".into() }));
    assert_eq!(e.actor, AuditActor::User { user: mia, display_name: "Mia".into() });
    // As `audit --json` gives it: both typed, the names as they were.
    let json = serde_json::to_value(&e).expect("json");
    assert_eq!(json["by"], serde_json::json!({"type": "user", "user": w.admin, "displayName": "Ada Admin"}));
    assert_eq!(json["actor"], serde_json::json!({"type": "user", "user": mia, "displayName": "Mia"}));
    assert_eq!(json["object"], serde_json::json!({ "catalog": cat }));
    assert_eq!(e.who(), format!("Ada Admin (u2) acting as Mia ({mia})"));
    // The domain checks the administrator too: a forged journal line does not pass.
    let bob = w.user("Bob");
    let e =
        w.refuse(&u(bob), Command::ActingAs { by: mia, command: Box::new(Command::MarkRead { notification: None }) });
    assert!(matches!(e, DomainError::Forbidden(_)), "{e:?}");
}

#[test]
fn only_an_administrator_switches_the_mode_and_never_into_a_lockout() {
    let mut w = World::new();
    let mia = w.user("Mia");
    let e = w.refuse(&u(mia), Command::SetMode { mode: Mode::Team });
    assert!(matches!(e, DomainError::Forbidden(_)));
    let admin = w.admin;
    let e = w.refuse(&u(admin), Command::SetMode { mode: Mode::Team });
    assert!(msg(&e).contains("needs a global administrator with a login"), "{e}");
    login(&mut w, admin, "ada");
    w.run(&u(admin), Command::SetMode { mode: Mode::Team });
    assert!(w.audit_has("settings.mode", entitle::domain::ObjectRef::Tenant {}));
    // The only administrator with a login keeps it, and stays an administrator.
    let e = w.refuse(&u(admin), Command::SetLogin { user: admin, login: None });
    assert!(msg(&e).contains("no global administrator with a login"), "{e}");
    let mut spec = member_spec("Ada Admin", None);
    spec.email = "ada@contoso.com".into();
    let e = w.refuse(&u(admin), Command::UpdateUser { user: admin, spec, enabled: true });
    assert!(msg(&e).contains("no global administrator with a login"), "{e}");
    // Logins are unique and plain.
    let e = w.refuse(&u(admin), Command::SetLogin { user: mia, login: Some("ADA".into()) });
    assert!(msg(&e).contains("already signs in as"), "{e}");
    w.refuse(&u(admin), Command::SetLogin { user: mia, login: Some("mia smith".into()) });
    w.refuse(&u(mia), Command::SetLogin { user: mia, login: Some("mia".into()) });
}

#[test]
fn old_files_without_mode_logins_or_acting_read_back_in_lab_mode() {
    let w = World::new();
    let mut v = serde_json::to_value(&w.t).expect("serializes");
    let o = v.as_object_mut().expect("an object");
    o.remove("mode");
    let back: Tenant = serde_json::from_value(v).expect("a tenant without a mode reads back");
    assert_eq!(back.mode, Mode::Lab);
    let line = r#"{"at":"2026-01-05T09:00:00Z","actor":{"type":"system"},"command":{"op":"tick"}}"#;
    let entry: Entry = serde_json::from_str(line).expect("an old journal line");
    assert_eq!(entry.command, Command::Tick);
}

fn demo_app(dir: &Path, who: Actor) -> App<Ctx> {
    let tenant = entitle::demo::demo_tenant().expect("the demo builds");
    let store = Store::create(dir, tenant).expect("a store");
    build_app(Session::new(store, who), Path::new("/data/contoso"), Keymap::defaults(), Theme::monochrome())
}

fn status_line(app: &mut App<Ctx>) -> String {
    let mut term = Terminal::new(TestBackend::new(120, 35)).expect("terminal");
    term.draw(|f| app.draw(f)).expect("draw");
    let s = format!("{}", term.backend());
    s.lines().nth(33).unwrap_or_default().to_string()
}

#[test]
fn the_status_bar_shows_the_mode_and_u_follows_the_identity_rule() {
    let dir = tempfile::tempdir().expect("tempdir");
    let admin = entitle::session::resolve_actor(&entitle::demo::demo_tenant().expect("demo"), None).expect("admin");
    let mut app = demo_app(dir.path(), admin.clone());
    assert!(status_line(&mut app).contains("LAB: anyone may act as anyone"), "{}", status_line(&mut app));
    let me = admin.user_id().expect("a user");
    app.ctx.run(Command::SetLogin { user: me, login: Some("mod".into()) }).expect("login set");
    app.ctx.run(Command::SetMode { mode: Mode::Team }).expect("team mode");
    assert!(status_line(&mut app).contains("TEAM"), "{}", status_line(&mut app));
    // A member in team mode: `u` is refused by the domain's rule, and nothing opens.
    let allan = app.ctx.tenant().find_user("Allan Deyoung").expect("Allan").id;
    app.ctx.session.actor = Actor::user(allan);
    update(&mut app, Action::SwitchUser);
    assert!(!matches!(app.top_layer(), Some(Layer::Picker(_))), "no picker opened");
    let said = app.message().map(|m| m.text.clone()).unwrap_or_default();
    assert!(said.contains("only a global administrator may act as someone else"), "{said}");
    assert_eq!(app.ctx.session.actor, Actor::user(allan), "still Allan");
    // The administrator may: the picker opens.
    app.ctx.session.actor = admin;
    update(&mut app, Action::SwitchUser);
    assert!(matches!(app.top_layer(), Some(Layer::Picker(_))), "the administrator picks whom to act as");
}

fn whole_screen(app: &mut App<Ctx>) -> String {
    let mut term = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    term.draw(|f| app.draw(f)).expect("draw");
    format!("{}", term.backend())
}

/// The Directory tab's "who holds what" as a Finance owner: Lee Gu's Internal_AccessPackage
/// (catalog External, where Debra has no role) is not shown; the administrator sees it.
#[test]
fn the_directory_tab_shows_who_holds_what_only_to_a_role_over_it() {
    let tenant = entitle::demo::demo_tenant().expect("demo");
    let debra = Actor::user(tenant.find_user("Debra Berger").expect("Debra").id);
    let admin = entitle::session::resolve_actor(&tenant, None).expect("admin");
    for (who, sees) in [(admin, true), (debra, false)] {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut app = demo_app(dir.path(), who.clone());
        app.switch_tab(entitle::ui::app::Tab::Directory);
        press(&mut app, &["/"]);
        for c in "Lee Gu".chars() {
            app.type_char(c);
        }
        press(&mut app, &["enter"]);
        let s = whole_screen(&mut app);
        assert!(s.contains("Lee Gu (u"), "{who:?} selects Lee Gu:\n{s}");
        assert_eq!(s.contains("Internal_AccessPackage (asg89)"), sees, "{who:?}:\n{s}");
    }
}

/// The Settings tab's form switches the mode (refused until an administrator has a login, which
/// the Directory tab's edit form sets).
#[test]
fn the_settings_and_directory_forms_set_the_mode_and_logins() {
    let dir = tempfile::tempdir().expect("tempdir");
    let admin = entitle::session::resolve_actor(&entitle::demo::demo_tenant().expect("demo"), None).expect("admin");
    let mut app = demo_app(dir.path(), admin.clone());
    let to_team = |app: &mut App<Ctx>| {
        app.switch_tab(entitle::ui::app::Tab::Settings);
        update(app, Action::Edit);
        update(app, Action::NextStep);
        update(app, Action::NextStep);
        update(app, Action::Right);
        update(app, Action::Submit);
    };
    to_team(&mut app);
    let Some(Layer::Form(form)) = app.top_layer() else { panic!("the form stays open") };
    assert!(
        form.error().is_some_and(|e| e.contains("needs a global administrator with a login")),
        "{:?}",
        form.error()
    );
    assert_eq!(app.ctx.tenant().mode, Mode::Lab);
    // The administrator gives themself a login in the Directory tab (a fresh app, no form open).
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(dir.path(), admin.clone());
    app.switch_tab(entitle::ui::app::Tab::Directory);
    press(&mut app, &["/"]);
    for c in "MOD Admin".chars() {
        app.type_char(c);
    }
    press(&mut app, &["enter"]);
    update(&mut app, Action::Edit);
    for _ in 0..8 {
        update(&mut app, Action::NextField);
    }
    for c in "mod".chars() {
        app.type_char(c);
    }
    update(&mut app, Action::Submit);
    let err = match app.top_layer() {
        Some(Layer::Form(f)) => format!("form: {:?} {:?}", f.error(), f.raw_values().text("login")),
        other => format!("{}", other.is_some()),
    };
    let screen = whole_screen(&mut app);
    assert!(app.top_layer().is_none(), "saved: {:?} {err}\n{screen}", app.message());
    let me = admin.user_id().expect("a user");
    assert_eq!(app.ctx.tenant().users[&me].login.as_deref(), Some("mod"));
    to_team(&mut app);
    assert!(app.top_layer().is_none(), "saved: {:?}", app.message());
    assert_eq!(app.ctx.tenant().mode, Mode::Team);
}

/// A blocked sign-in reads nothing in the terminal app either: My Access says why in the domain's
/// words (wrapped, not cut), and the status bar does not show the clock.
#[test]
fn a_blocked_sign_in_sees_why_and_not_even_the_clock() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tenant = entitle::demo::demo_tenant().expect("demo");
    let kai = tenant.find_user("Kai Carter").expect("Kai").id;
    let admin = entitle::session::resolve_actor(&tenant, None).expect("admin");
    let mut app = demo_app(dir.path(), admin);
    let before = status_line(&mut app);
    assert!(before.contains("frozen"), "{before}");
    let spec = entitle::domain::UserSpec::from(app.ctx.tenant().user(kai).expect("Kai"));
    app.ctx.run(Command::UpdateUser { user: kai, spec, enabled: false }).expect("blocked");
    app.ctx.session.actor = Actor::user(kai);
    app.refresh_views();
    let s = whole_screen(&mut app);
    assert!(s.contains("Kai Carter's sign-in is blocked") && s.contains("until an administrator unblocks"), "{s}");
    let status = s.lines().nth(48).unwrap_or_default();
    assert!(!status.contains("frozen") && !status.contains("2026"), "{status}");
}
