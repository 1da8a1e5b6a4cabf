//! The policy editor's fixture: Contoso on a frozen clock with a package to write policies for,
//! signed in as the administrator (shared by the policy editor's UI tests).

use std::collections::BTreeSet;
use std::path::Path;

use chrono::{TimeZone, Utc};
use entitle::domain::*;
use entitle::session::Session;
use entitle::store::Store;
use entitle::ui::ctx::Ctx;
use entitle::ui::run::build_app;
use entitle::ui::widgets::form::Form;
use entitle::ui::{Action, App, Keymap, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

pub fn t0() -> Time {
    Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).single().expect("a valid instant")
}

pub struct World {
    pub app: App<Ctx>,
    pub _dir: tempfile::TempDir,
    pub pkg: PackageId,
    pub eve: UserId,
    pub mia: UserId,
    pub carl: UserId,
    pub sales: ResourceId,
    pub fabrikam: OrgId,
}

pub fn run(t: &mut Tenant, command: Command) -> Outcome {
    let entry = Entry { at: t.now(), actor: Actor::System, command: command.clone() };
    t.apply(&entry).unwrap_or_else(|e| panic!("{command:?}: {e}"))
}

pub fn created<T: std::str::FromStr<Err = String>>(out: &Outcome) -> T {
    let id = out.created.expect("an id").to_string();
    id.parse().unwrap_or_else(|e| panic!("{e}"))
}

pub fn user(t: &mut Tenant, name: &str, email: &str, manager: Option<UserId>, admin: bool, guest: bool) -> UserId {
    let spec = UserSpec {
        display_name: name.into(),
        email: email.into(),
        user_type: if guest { UserType::Guest } else { UserType::Member },
        manager,
        department: String::new(),
        job_title: String::new(),
        home_org: None,
        global_admin: admin,
    };
    created(&run(t, Command::CreateUser { spec }))
}

/// Contoso on a frozen clock: an admin, a manager and her report, a compliance officer, a guest from
/// Fabrikam (a connected organization without sponsors), a Sales group in a package with one policy
/// and one assignment. The app is signed in as the admin.
pub fn world() -> World {
    let mut t = Tenant::new("Contoso", Clock::frozen_at(t0()));
    let general = t.install_general_catalog();
    let admin = user(&mut t, "Ada Admin", "ada@contoso.com", None, true, false);
    let mia = user(&mut t, "Mia Manager", "mia@contoso.com", None, false, false);
    let eve = user(&mut t, "Eve Employee", "eve@contoso.com", Some(mia), false, false);
    let carl = user(&mut t, "Carl Compliance", "carl@contoso.com", None, false, false);
    user(&mut t, "Gina Guest", "gina@fabrikam.com", None, false, true);
    let sales: ResourceId =
        created(&run(&mut t, Command::CreateResource { spec: ResourceSpec::group("Sales", GroupType::Security) }));
    let org = OrgSpec {
        display_name: "Fabrikam".into(),
        description: "Distribution partner".into(),
        domains: vec!["fabrikam.com".into()],
        tenant_id: None,
        state: OrgState::Configured,
        internal_sponsors: BTreeSet::new(),
        external_sponsors: BTreeSet::new(),
    };
    let fabrikam: OrgId = created(&run(&mut t, Command::CreateOrg { spec: org }));
    run(&mut t, Command::AddCatalogResource { catalog: general, resource: sales });
    let spec =
        PackageSpec { display_name: "Sales access".into(), description: String::new(), hidden: false, sensitive: true };
    let pkg: PackageId = created(&run(&mut t, Command::CreatePackage { catalog: general, spec }));
    run(&mut t, Command::AddResourceRole { package: pkg, resource: sales, role: "Member".into() });
    let policy: PolicyId = created(&run(
        &mut t,
        Command::CreatePolicy { package: pkg, spec: PolicySpec::new("Employees", RequestScope::AllMembers) },
    ));
    run(
        &mut t,
        Command::AdminAssign {
            package: pkg,
            policy,
            user: carl,
            start: None,
            end: None,
            justification: "audit".into(),
        },
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::create(dir.path(), t).expect("store");
    let session = Session::new(store, Actor::user(admin));
    let app = build_app(session, Path::new("/data/contoso"), Keymap::defaults(), Theme::monochrome());
    World { app, _dir: dir, pkg, eve, mia, carl, sales, fabrikam }
}

/// Moves the focus to a field (across steps) the way Tab and Shift-Tab do.
pub fn focus(form: &mut Form, id: &str) {
    for action in [Action::NextField, Action::PrevField] {
        for _ in 0..200 {
            if form.focused_id() == Some(id) {
                return;
            }
            form.handle(action);
        }
    }
    assert_eq!(form.focused_id(), Some(id), "field {id} is not reachable (hidden?)");
}

/// Types into a text-like field, replacing what was there.
pub fn type_into(form: &mut Form, id: &str, text: &str) {
    focus(form, id);
    form.handle(Action::ClearLine);
    for c in text.chars() {
        form.text(c);
    }
}

pub fn ids(list: &[impl ToString]) -> Vec<String> {
    list.iter().map(|x| x.to_string()).collect()
}

pub fn draw(app: &mut App<Ctx>, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    t.draw(|f| app.draw(f)).expect("draw");
    t
}

pub fn run_as_admin(app: &mut App<Ctx>, command: Command) -> Outcome {
    app.ctx.run(command).unwrap_or_else(|e| panic!("{e}"))
}
