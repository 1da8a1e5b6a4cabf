//! The Catalogs and Access packages tabs over a real session: keys in, domain state and screen out.

use crate::common;

use common::keys::press;
use std::collections::BTreeSet;
use std::path::Path;
use std::str::FromStr;

use chrono::TimeZone;
use entitle::domain::{
    Actor, AssignmentState, CatalogId, CatalogRole, CatalogSpec, Clock, Command, Entry, GroupType, PackageId,
    PackageSpec, PolicySpec, RequestScope, ResourceId, ResourceKind, ResourceSpec, Tenant, Time, UserId, UserSpec,
};
use entitle::session::Session;
use entitle::store::Store;
use entitle::ui::ctx::Ctx;
use entitle::ui::run::build_app;
use entitle::ui::{App, Keymap, Layer, Tab, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn t0() -> Time {
    chrono::Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).single().expect("a valid time")
}

fn run(t: &mut Tenant, command: Command) -> String {
    let entry = Entry { at: t.clock.now, actor: Actor::System, command };
    let out = t.apply(&entry).unwrap_or_else(|e| panic!("setup: {e}"));
    out.created.map(|c| c.to_string()).unwrap_or_default()
}

fn user(t: &mut Tenant, name: &str, admin: bool) -> UserId {
    let email = format!("{}@contoso.com", name.to_lowercase().replace(' ', "."));
    let spec = UserSpec {
        display_name: name.into(),
        email,
        user_type: Default::default(),
        manager: None,
        department: String::new(),
        job_title: String::new(),
        home_org: None,
        global_admin: admin,
    };
    id(&run(t, Command::CreateUser { spec }))
}

fn id<T: FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse().unwrap_or_else(|e| panic!("id {s}: {e:?}"))
}

struct World {
    admin: UserId,
    adele: UserId,
    rita: UserId,
    lab: ResourceId,
    marketing: CatalogId,
    campaigns: PackageId,
}

/// An administrator, Adele, Rita (reader of Marketing); the Lab group and the Outside group
/// (in no catalog); Marketing with the Brand site and the Campaigns package.
fn world() -> (Tenant, World) {
    let mut t = Tenant::new("Contoso", Clock::frozen_at(t0()));
    t.install_general_catalog();
    let admin = user(&mut t, "Megan Admin", true);
    let adele = user(&mut t, "Adele Vance", false);
    let rita = user(&mut t, "Rita Reader", false);
    let lab = id(&run(&mut t, Command::CreateResource { spec: ResourceSpec::group("Lab Group", GroupType::Security) }));
    run(&mut t, Command::CreateResource { spec: ResourceSpec::group("Outside Group", GroupType::Microsoft365) });
    let site = ResourceSpec {
        display_name: "Brand site".into(),
        description: String::new(),
        kind: ResourceKind::Site { url: "https://contoso.sharepoint.com/brand".into() },
        roles: vec![],
        owners: BTreeSet::from([admin]),
    };
    let brand: ResourceId = id(&run(&mut t, Command::CreateResource { spec: site }));
    let spec = CatalogSpec {
        display_name: "Marketing".into(),
        description: "Campaign material".into(),
        enabled: true,
        external: false,
    };
    let marketing: CatalogId = id(&run(&mut t, Command::CreateCatalog { spec }));
    run(&mut t, Command::AddCatalogResource { catalog: marketing, resource: brand });
    run(&mut t, Command::GrantCatalogRole { catalog: marketing, user: admin, role: CatalogRole::Owner });
    run(&mut t, Command::GrantCatalogRole { catalog: marketing, user: rita, role: CatalogRole::Reader });
    let spec =
        PackageSpec { display_name: "Campaigns".into(), description: String::new(), hidden: false, sensitive: true };
    let campaigns: PackageId = id(&run(&mut t, Command::CreatePackage { catalog: marketing, spec }));
    run(&mut t, Command::AddResourceRole { package: campaigns, resource: brand, role: "Member".into() });
    let mut pol = PolicySpec::new("Everyone", RequestScope::AllMembers);
    pol.lifecycle.expiration = entitle::domain::Expiration::Never;
    run(&mut t, Command::CreatePolicy { package: campaigns, spec: pol });
    (t, World { admin, adele, rita, lab, marketing, campaigns })
}

fn app_as(t: Tenant, who: UserId, dir: &Path) -> App<Ctx> {
    let store = Store::create(dir, t).unwrap_or_else(|e| panic!("store: {e}"));
    let session = Session::new(store, Actor::user(who));
    build_app(session, Path::new("/data/contoso"), Keymap::defaults(), Theme::monochrome())
}

fn typ(app: &mut App<Ctx>, text: &str) {
    for c in text.chars() {
        app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
}

fn screen(app: &mut App<Ctx>, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap_or_else(|e| panic!("{e}"));
    term.draw(|f| app.draw(f)).unwrap_or_else(|e| panic!("{e}"));
    term
}

fn text(app: &mut App<Ctx>, w: u16, h: u16) -> String {
    let term = screen(app, w, h);
    let buf = term.backend().buffer();
    (0..h).map(|y| (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>()).collect::<Vec<_>>().join("\n")
}

fn message(app: &App<Ctx>) -> String {
    app.message().map(|m| m.text.clone()).unwrap_or_default()
}

#[test]
fn admin_builds_a_catalog_and_a_package_assigns_and_removes() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (t, w) = world();
    let mut app = app_as(t, w.admin, dir.path());

    // A catalog, through its form.
    app.switch_tab(Tab::Catalogs);
    press(&mut app, &["n"]);
    typ(&mut app, "Research");
    press(&mut app, &["tab"]);
    typ(&mut app, "Lab work");
    press(&mut app, &["ctrl-s"]);
    let cat = app.ctx.tenant().find_catalog("Research").map(|c| c.id).unwrap_or_else(|e| panic!("{e}"));
    let c = &app.ctx.tenant().catalogs[&cat];
    assert!(c.enabled && !c.external);
    assert_eq!(app.ctx.tenant().catalog_roles(w.admin, cat), vec![CatalogRole::Owner]);
    assert!(message(&app).contains("Created catalog 'Research'"), "{}", message(&app));

    // A resource, from the picker of what is not yet in it.
    press(&mut app, &["]", "n"]);
    typ(&mut app, "Lab");
    press(&mut app, &["enter"]);
    assert!(app.ctx.tenant().catalogs[&cat].resources.contains(&w.lab), "{}", message(&app));

    // Editing it: toggling "enabled for external users" is an edit.
    press(&mut app, &["esc", "e", "tab", "tab", "tab", "space", "ctrl-s"]);
    assert!(app.ctx.tenant().catalogs[&cat].external, "{}", message(&app));

    // A package in it.
    app.switch_tab(Tab::Packages);
    press(&mut app, &["n"]);
    // The catalog choice (General, Marketing, Research) starts at the catalog just made.
    press(&mut app, &["tab"]);
    typ(&mut app, "Lab access");
    press(&mut app, &["ctrl-s"]);
    let pkg = app.ctx.tenant().find_package("Lab access").map(|p| p.id).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(app.ctx.tenant().packages[&pkg].catalog, cat, "{}", message(&app));
    let shot = text(&mut app, 120, 35);
    assert!(shot.contains("Lab access"), "{shot}");
    assert!(shot.contains("has no enabled policy"), "the lint finding shows in the overview:\n{shot}");

    // Its resource role: the catalog's resource, then the role.
    press(&mut app, &["]", "n"]);
    typ(&mut app, "Lab");
    press(&mut app, &["enter", "enter"]);
    let p = &app.ctx.tenant().packages[&pkg];
    assert_eq!(p.resource_roles.len(), 1, "{}", message(&app));
    assert_eq!((p.resource_roles[0].resource, p.resource_roles[0].role.as_str()), (w.lab, "Member"));

    // A policy through the policy editor: a name, then who may request (all members).
    press(&mut app, &["]", "n"]);
    typ(&mut app, "Staff");
    press(&mut app, &["ctrl-n", "tab", "right", "ctrl-s"]);
    if let Some(Layer::Form(f)) = app.top_layer() {
        panic!("the policy form is still open: {:?} {:?}", f.error(), f.focused_id());
    }
    let pol = app.ctx.tenant().find_policy(Some(pkg), "Staff").map(|p| p.id).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(app.ctx.tenant().packages[&pkg].policies, vec![pol]);

    // A direct assignment: an end past the policy's terms is refused and the form keeps its input.
    press(&mut app, &["A", "enter"]);
    typ(&mut app, "Adele");
    press(&mut app, &["enter", "tab", "tab", "tab"]);
    typ(&mut app, "2030-01-01");
    press(&mut app, &["ctrl-s"]);
    match app.top_layer() {
        Some(Layer::Form(f)) => {
            assert_eq!(f.error(), Some("Policy 'Staff' expires after 365 days: the end can be at most 2027-01-05"))
        }
        other => panic!("the assign form should stay open: {other:?}"),
    }
    press(&mut app, &["ctrl-u", "tab"]);
    typ(&mut app, "New lab member");
    press(&mut app, &["ctrl-s"]);
    let a = app.ctx.tenant().active_assignment(w.adele, pkg).map(|a| a.id);
    let a = a.unwrap_or_else(|| panic!("no assignment: {}", message(&app)));
    assert!(app.ctx.tenant().holds(w.adele, w.lab, "Member"));

    press(&mut app, &["]"]);
    for (wd, ht) in [(120, 35), (80, 24)] {
        insta::assert_snapshot!(format!("packages_assignments_{wd}x{ht}"), screen(&mut app, wd, ht).backend());
    }
    app.switch_tab(Tab::Catalogs);
    for (wd, ht) in [(120, 35), (80, 24)] {
        insta::assert_snapshot!(format!("catalogs_{wd}x{ht}"), screen(&mut app, wd, ht).backend());
    }

    // Removing the assignment asks for a reason.
    app.switch_tab(Tab::Packages);
    press(&mut app, &["R"]);
    typ(&mut app, "Left the lab");
    press(&mut app, &["enter"]);
    let asg = app.ctx.tenant().assignments.get(&a).expect("the assignment");
    assert_eq!(asg.state, AssignmentState::Removed, "{}", message(&app));
    assert!(!app.ctx.tenant().holds(w.adele, w.lab, "Member"));
    assert!(app.top_layer().is_none());
}

#[test]
fn a_resource_role_from_outside_the_catalog_shows_the_rule() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (t, w) = world();
    let mut app = app_as(t, w.admin, dir.path());
    app.switch_tab(Tab::Packages);
    // Campaigns is the only package; the picker lists the Outside group after the catalog's own.
    press(&mut app, &["]", "n"]);
    typ(&mut app, "Outside");
    press(&mut app, &["enter", "enter"]);
    let rule = "Resource 'Outside Group' is not in catalog 'Marketing': add it to the catalog first";
    assert_eq!(message(&app), rule);
    assert_eq!(app.ctx.tenant().packages[&w.campaigns].resource_roles.len(), 1);
    // The status line is too narrow for it at 80 columns: the tab shows it whole.
    let shot = text(&mut app, 80, 24);
    assert!(shot.replace('\n', " ").split_whitespace().collect::<Vec<_>>().join(" ").contains("add it to the catalog"));
    insta::assert_snapshot!("packages_outside_rule_80x24", screen(&mut app, 80, 24).backend());
}

#[test]
fn a_catalog_reader_sees_but_cannot_edit() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (t, w) = world();
    let mut app = app_as(t, w.rita, dir.path());
    assert!(app.visible_tabs().contains(&Tab::Catalogs));
    app.switch_tab(Tab::Catalogs);
    let shot = text(&mut app, 120, 35);
    assert!(shot.contains("Marketing") && !shot.contains("General"), "only the catalogs she reads:\n{shot}");
    assert!(shot.contains("Catalog reader"), "{shot}");
    let hints: Vec<String> = app.hints().into_iter().map(|(_, l)| l).collect();
    assert!(!hints.iter().any(|h| h == "edit" || h == "delete" || h == "new catalog"), "{hints:?}");

    // Pressed anyway, every edit is refused by the domain.
    press(&mut app, &["e"]);
    assert!(app.top_layer().is_none());
    assert_eq!(message(&app), "Only an owner of catalog 'Marketing' can edit it; ask a catalog owner");
    press(&mut app, &["d"]);
    assert!(app.top_layer().is_none(), "refused before asking");
    assert_eq!(message(&app), "Only an owner of catalog 'Marketing' can delete it; ask a catalog owner");
    assert!(app.ctx.tenant().catalogs.contains_key(&w.marketing));
    press(&mut app, &["n"]);
    assert!(message(&app).starts_with("Creating a catalog needs the catalog creator role"), "{}", message(&app));
    press(&mut app, &["]", "n"]);
    assert_eq!(message(&app), "Only an owner of catalog 'Marketing' can add resources to it; ask a catalog owner");
    press(&mut app, &["]", "]", "n"]);
    assert_eq!(message(&app), "Only an owner of catalog 'Marketing' can manage its roles; ask a catalog owner");
    insta::assert_snapshot!("catalogs_reader_refused_80x24", screen(&mut app, 80, 24).backend());

    // The packages of the catalog too.
    app.switch_tab(Tab::Packages);
    press(&mut app, &["e"]);
    assert!(message(&app).starts_with("To edit access packages you need the catalog owner"), "{}", message(&app));
    press(&mut app, &["d"]);
    assert!(message(&app).starts_with("To delete access packages you need"), "{}", message(&app));
    press(&mut app, &["space"]);
    assert!(message(&app).starts_with("To edit access packages you need"), "hide is an edit: {}", message(&app));
    assert!(!app.ctx.tenant().packages[&w.campaigns].hidden);
    assert!(!app.ctx.tenant().packages[&w.campaigns].is_deleted());
    press(&mut app, &["A"]);
    assert!(message(&app).starts_with("To assign access packages directly you need"), "{}", message(&app));
}

fn confirm_text(app: &App<Ctx>) -> String {
    match app.top_layer() {
        Some(Layer::Confirm(c)) => c.message.clone(),
        other => panic!("expected a confirm, got {other:?}"),
    }
}

#[test]
fn deletes_and_removals_say_what_the_domain_did() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (mut t, w) = world();
    let pol = t.packages[&w.campaigns].policies[0];
    run(
        &mut t,
        Command::AdminAssign {
            package: w.campaigns,
            policy: pol,
            user: w.adele,
            start: None,
            end: None,
            justification: String::new(),
        },
    );
    let brand = t.packages[&w.campaigns].resource_roles[0].resource;
    let mut app = app_as(t, w.admin, dir.path());

    // A catalog that still holds a package: the domain refuses, with its rule.
    app.switch_tab(Tab::Catalogs);
    press(&mut app, &["j", "d", "y"]);
    assert_eq!(message(&app), "Catalog 'Marketing' still holds 1 access package(s): delete or move them first");
    assert!(app.ctx.tenant().catalogs.contains_key(&w.marketing));

    // Removing a resource role, revoking it from the current assignees too.
    app.switch_tab(Tab::Packages);
    assert!(app.ctx.tenant().holds(w.adele, brand, "Member"));
    press(&mut app, &["]", "d", "right", "enter"]);
    assert!(app.ctx.tenant().packages[&w.campaigns].resource_roles.is_empty(), "{}", message(&app));
    assert!(!app.ctx.tenant().holds(w.adele, brand, "Member"));
    assert!(message(&app).contains("revoked from 1 current assignee(s)"), "{}", message(&app));

    // Editing a policy: the domain says existing assignments keep their terms.
    press(&mut app, &["]", "e", "ctrl-s"]);
    assert_eq!(
        message(&app),
        "Updated policy 'Everyone'; applies to new requests only — 1 existing assignment(s) keep their terms"
    );

    // Deleting the package: asked with its consequences, then done; the assignment runs on.
    press(&mut app, &["esc", "d"]);
    assert!(confirm_text(&app).contains("1 existing assignment(s) run to their end"), "{}", confirm_text(&app));
    press(&mut app, &["y"]);
    assert!(app.ctx.tenant().packages[&w.campaigns].is_deleted(), "{}", message(&app));
    assert!(app.ctx.tenant().active_assignment(w.adele, w.campaigns).is_some());
    assert!(text(&mut app, 120, 35).contains("deleted"));
    press(&mut app, &["space"]);
    assert_eq!(message(&app), "Access package 'Campaigns' was deleted");
}

#[test]
fn a_catalog_owner_adds_only_resources_they_own() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (mut t, w) = world();
    let owen = user(&mut t, "Owen Owner", false);
    run(&mut t, Command::GrantCatalogRole { catalog: w.marketing, user: owen, role: CatalogRole::Owner });
    let mut app = app_as(t, owen, dir.path());
    app.switch_tab(Tab::Catalogs);
    let hints: Vec<String> = app.hints().into_iter().map(|(_, l)| l).collect();
    assert!(hints.contains(&"edit".to_string()), "an owner may edit: {hints:?}");
    press(&mut app, &["]", "n"]);
    typ(&mut app, "Lab");
    press(&mut app, &["enter"]);
    assert_eq!(
        message(&app),
        "You are not an owner of 'Lab Group': a catalog owner can add only resources they own; ask the resource's owner or an administrator"
    );
    assert!(!app.ctx.tenant().catalogs[&w.marketing].resources.contains(&w.lab));
}
