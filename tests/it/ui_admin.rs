//! The admin tabs (Directory, Audit, Reports) over a real session and store: a tenant built through
//! domain commands on a frozen clock, driven with actions and typed text, checked on the domain
//! and on the rendered screen.

use crate::common;

use common::keys::{press, settle, typ};
use std::path::Path;
use std::str::FromStr;

use chrono::TimeZone;
use entitle::domain::*;
use entitle::session::Session;
use entitle::store::Store;
use entitle::ui::ctx::Ctx;
use entitle::ui::layers::Layer;
use entitle::ui::run::build_app;
use entitle::ui::{Action, App, Keymap, Tab, Theme, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

struct Ids {
    admin: UserId,
    adele: UserId,
    megan: UserId,
    group: ResourceId,
    package: PackageId,
    assignment: AssignmentId,
}

struct Fixture {
    _dir: tempfile::TempDir,
    app: App<Ctx>,
    ids: Ids,
}

fn run(t: &mut Tenant, command: Command) -> Outcome {
    let at = t.now();
    t.apply(&Entry { at, actor: Actor::System, command }).unwrap_or_else(|e| panic!("setup refused: {e}"))
}

fn id<T: FromStr>(out: &Outcome) -> T {
    out.created.and_then(|c| c.to_string().parse().ok()).expect("the command created an object")
}

fn person(name: &str, email: &str, admin: bool) -> Command {
    Command::CreateUser {
        spec: UserSpec {
            display_name: name.into(),
            email: email.into(),
            user_type: UserType::Member,
            manager: None,
            department: "Marketing".into(),
            job_title: String::new(),
            home_org: None,
            global_admin: admin,
        },
    }
}

/// Contoso on 2026-01-05 09:00: Adele holds the Marketing group twice over, through the
/// "Marketing Campaign" package (10 days) and directly. Megan reads the General catalog.
fn tenant() -> (Tenant, Ids) {
    let now = chrono::Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).single().expect("a valid time");
    let mut t = Tenant::new("Contoso", Clock::frozen_at(now));
    let general = t.install_general_catalog();
    let admin = id(&run(&mut t, person("Alex Admin", "alex@contoso.com", true)));
    let adele = id(&run(&mut t, person("Adele Vance", "adele@contoso.com", false)));
    let megan = id(&run(&mut t, person("Megan Bowen", "megan@contoso.com", false)));
    let group =
        id(&run(&mut t, Command::CreateResource { spec: ResourceSpec::group("Marketing", GroupType::Security) }));
    run(&mut t, Command::AddCatalogResource { catalog: general, resource: group });
    let spec = PackageSpec {
        display_name: "Marketing Campaign".into(),
        description: String::new(),
        hidden: false,
        sensitive: false,
    };
    let package = id(&run(&mut t, Command::CreatePackage { catalog: general, spec }));
    run(&mut t, Command::AddResourceRole { package, resource: group, role: "Member".into() });
    let mut spec = PolicySpec::new("Members for 10 days", RequestScope::AllMembers);
    spec.lifecycle.expiration = Expiration::AfterDays(10);
    let policy = id(&run(&mut t, Command::CreatePolicy { package, spec }));
    run(
        &mut t,
        Command::AdminAssign {
            package,
            policy,
            user: adele,
            start: None,
            end: None,
            justification: "Spring campaign".into(),
        },
    );
    let assignment = t.active_assignment(adele, package).map(|a| a.id).expect("Adele is assigned");
    run(&mut t, Command::AddDirectGrant { user: adele, resource: group, role: "Member".into() });
    run(&mut t, Command::GrantCatalogRole { catalog: general, user: megan, role: CatalogRole::Reader });
    (t, Ids { admin, adele, megan, group, package, assignment })
}

/// The app signed in as `who` (the admin unless said), on the given tab.
fn app_as(who: Option<fn(&Ids) -> UserId>, tab: Tab) -> Fixture {
    let (t, ids) = tenant();
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::create(dir.path().join("data"), t).expect("store");
    let actor = Actor::user(who.map_or(ids.admin, |f| f(&ids)));
    let session = Session::new(store, actor);
    let mut app = build_app(session, Path::new("/data/contoso"), Keymap::defaults(), Theme::monochrome());
    app.switch_tab(tab);
    assert_eq!(app.current_tab(), tab, "{tab} is visible");
    Fixture { _dir: dir, app, ids }
}

fn admin_on(tab: Tab) -> Fixture {
    app_as(None, tab)
}

fn draw(app: &mut App<Ctx>, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    t.draw(|f| app.draw(f)).expect("draw");
    t
}

fn screen(app: &mut App<Ctx>, w: u16, h: u16) -> String {
    let t = draw(app, w, h);
    let buf = t.backend().buffer();
    (0..h).map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n").collect()
}

fn status(app: &App<Ctx>) -> String {
    app.message().map(|m| m.text.clone()).unwrap_or_default()
}

fn form_error(app: &App<Ctx>) -> Option<String> {
    match app.top_layer() {
        Some(Layer::Form(f)) => f.error().map(String::from),
        _ => None,
    }
}

#[test]
fn directory_shows_direct_and_the_package_as_the_two_reasons() {
    let mut fx = admin_on(Tab::Directory);
    press(&mut fx.app, &["j"]); // Alex, then Adele
    let s = screen(&mut fx.app, 120, 35);
    assert!(s.contains("Adele Vance (u"), "{s}");
    let why = format!("via direct + Marketing Campaign ({})", fx.ids.assignment);
    assert!(s.contains(&why), "the user's details give both reasons:\n{s}");
    insta::assert_snapshot!("directory_120x35", draw(&mut fx.app, 120, 35).backend());
    insta::assert_snapshot!("directory_80x24", draw(&mut fx.app, 80, 24).backend());

    // Enter gives the details the whole tab (the profile is below the fold at 80x24).
    assert!(!screen(&mut fx.app, 80, 24).contains("Department    Marketing"), "not in the details yet");
    press(&mut fx.app, &["enter", "j", "j"]);
    let s = screen(&mut fx.app, 80, 24);
    assert!(s.contains("Department    Marketing") && !s.contains("Name "), "{s}");
    press(&mut fx.app, &["esc"]);
    assert!(screen(&mut fx.app, 80, 24).contains("Users (3)"));

    // The group's side: who holds it and why, its catalog and the package that grants it. The
    // first `]` visits the user's details (longer than their pane at 80x24), the next the groups.
    press(&mut fx.app, &["]"]);
    assert!(screen(&mut fx.app, 80, 24).contains("back to the list"));
    press(&mut fx.app, &["]"]);
    let s = screen(&mut fx.app, 120, 35);
    assert!(s.contains("Marketing (res"), "{s}");
    assert!(s.contains("Adele Vance (Member)") && s.contains(&why), "{s}");
    assert!(s.contains("In catalogs   General"), "{s}");
    assert!(s.contains("Granted by    Marketing Campaign (Member)"), "{s}");
}

#[test]
fn creating_a_user_through_the_form() {
    let mut fx = admin_on(Tab::Directory);
    press(&mut fx.app, &["n"]);
    typ(&mut fx.app, "Lee Gu");
    press(&mut fx.app, &["tab"]);
    typ(&mut fx.app, "lee@contoso.com");
    press(&mut fx.app, &["tab", "tab", "enter"]); // type, then the manager lookup opens a picker
    typ(&mut fx.app, "Adele");
    press(&mut fx.app, &["enter", "tab"]);
    typ(&mut fx.app, "Sales");
    press(&mut fx.app, &["ctrl-s"]);
    assert!(fx.app.top_layer().is_none(), "the form closed: {:?}", form_error(&fx.app));
    assert!(status(&fx.app).contains("Created user Lee Gu"), "{}", status(&fx.app));
    let t = fx.app.ctx.tenant();
    let lee = t.user_by_email("lee@contoso.com").expect("Lee is in the directory");
    assert_eq!(lee.display_name, "Lee Gu");
    assert_eq!(lee.manager, Some(fx.ids.adele));
    assert_eq!(lee.department, "Sales");
    assert!(lee.enabled && !lee.global_admin && !lee.is_guest());
    let lee = lee.id;
    let s = screen(&mut fx.app, 120, 35);
    assert!(s.contains(&format!("Lee Gu ({lee})")), "the new user is selected:\n{s}");
}

#[test]
fn creating_a_site_through_the_form() {
    let mut fx = admin_on(Tab::Directory);
    press(&mut fx.app, &["]", "]", "]", "n"]); // the Sites pane: the form starts on "SharePoint site"
    typ(&mut fx.app, "Sales hub");
    press(&mut fx.app, &["tab", "tab", "tab"]);
    typ(&mut fx.app, "https://contoso.sharepoint.com/sites/sales");
    press(&mut fx.app, &["tab"]);
    typ(&mut fx.app, "Reader, Editor");
    press(&mut fx.app, &["tab", "enter"]);
    typ(&mut fx.app, "Megan");
    press(&mut fx.app, &["space", "enter", "ctrl-s"]);
    assert!(fx.app.top_layer().is_none(), "{:?}", form_error(&fx.app));
    let t = fx.app.ctx.tenant();
    let site = t.find_resource("Sales hub").expect("the site exists");
    assert_eq!(site.kind, ResourceKind::Site { url: "https://contoso.sharepoint.com/sites/sales".into() });
    assert_eq!(site.roles, vec!["Reader".to_string(), "Editor".to_string()]);
    assert!(site.owners.contains(&fx.ids.megan));
    let site = site.id;
    let s = screen(&mut fx.app, 120, 35);
    assert!(s.contains("Sites (1)") && s.contains(&format!("Sales hub ({site})")), "{s}");
}

#[test]
fn a_verb_the_engine_refuses_is_not_offered_and_its_key_says_why_at_once() {
    let mut fx = app_as(Some(|ids| ids.megan), Tab::Directory);
    let hints: Vec<String> = fx.app.hints().into_iter().map(|(_, label)| label).collect();
    assert!(!hints.contains(&"new".to_string()), "{hints:?}");
    press(&mut fx.app, &["n"]);
    assert!(fx.app.top_layer().is_none(), "no form opens for a verb the domain refuses");
    let said = fx.app.message().map(|m| m.text.clone()).unwrap_or_default();
    assert!(said.contains("Only a global administrator can create users"), "{said}");
    assert!(screen(&mut fx.app, 120, 35).contains("Only a global administrator"));
}

#[test]
fn a_refused_command_shows_the_engines_message_in_the_form() {
    let mut fx = admin_on(Tab::Directory);
    let taken = fx.app.ctx.tenant().user(fx.ids.megan).map(|u| u.email.clone()).unwrap_or_default();
    press(&mut fx.app, &["n"]);
    typ(&mut fx.app, "Lee Gu");
    press(&mut fx.app, &["tab"]);
    typ(&mut fx.app, &taken);
    press(&mut fx.app, &["ctrl-s"]);
    let err = form_error(&fx.app).expect("the form stays open with the refusal");
    assert!(err.contains("already uses the email"), "{err}");
    assert!(screen(&mut fx.app, 120, 35).contains("already uses the email"));
}

#[test]
fn editing_a_user_blocks_sign_in_and_the_audit_shows_the_change() {
    let mut fx = admin_on(Tab::Directory);
    press(&mut fx.app, &["j", "e"]);
    // name, email, type, manager, department, job title, global admin, sign-in allowed
    press(&mut fx.app, &["tab", "tab", "tab", "tab", "tab", "tab", "tab", "space", "ctrl-s"]);
    assert!(fx.app.top_layer().is_none(), "{:?}", form_error(&fx.app));
    let adele = &fx.app.ctx.tenant().users[&fx.ids.adele];
    assert!(!adele.enabled, "sign-in is blocked");
    assert_eq!(adele.department, "Marketing", "the other fields are kept");
    let s = screen(&mut fx.app, 120, 35);
    assert!(s.contains("blocked"), "{s}");

    fx.app.switch_tab(Tab::Audit);
    let s = screen(&mut fx.app, 120, 35);
    let change = s.lines().find(|l| l.contains("  enabled ")).unwrap_or_default();
    assert!(s.contains("user.updated") && change.contains("true → false"), "{s}");
    // Enter shows the event full screen, with the JSON before and after.
    update(&mut fx.app, Action::Open);
    let s = screen(&mut fx.app, 120, 35);
    assert!(s.contains("Before") && s.contains("\"enabled\": true"), "{s}");
    update(&mut fx.app, Action::Back);
    assert!(screen(&mut fx.app, 120, 35).contains("Audit log"));
}

#[test]
fn direct_memberships_are_added_and_removed_from_the_directory() {
    let mut fx = admin_on(Tab::Directory);
    press(&mut fx.app, &["j", "j", "A", "enter"]); // Megan; the resource lookup
    typ(&mut fx.app, "Marketing");
    press(&mut fx.app, &["enter", "ctrl-s"]); // role defaults to Member
    assert!(fx.app.top_layer().is_none(), "{:?}", form_error(&fx.app));
    assert!(fx.app.ctx.tenant().holds(fx.ids.megan, fx.ids.group, "Member"));

    // A role the group does not have is caught in the form, before the domain.
    press(&mut fx.app, &["A", "enter"]);
    typ(&mut fx.app, "Marketing");
    press(&mut fx.app, &["enter", "tab", "ctrl-u"]);
    typ(&mut fx.app, "Admin");
    press(&mut fx.app, &["ctrl-s"]);
    assert!(fx.app.top_layer().is_some(), "the form stays open");
    assert!(screen(&mut fx.app, 120, 35).contains("'Marketing' has no role 'Admin' (roles: Member, Owner)"));
    press(&mut fx.app, &["esc", "y"]);

    // Removing Adele's direct membership leaves the one her package gives.
    press(&mut fx.app, &["k", "R", "enter"]);
    let msg = status(&fx.app);
    assert!(msg.contains("Adele Vance still holds it through an access package"), "{msg}");
    let t = fx.app.ctx.tenant();
    assert!(t.holds(fx.ids.adele, fx.ids.group, "Member"));
    assert!(!t.report_drift().iter().any(|(a, _)| a.user == fx.ids.adele), "no longer drift");
}

#[test]
fn the_audit_filter_narrows_to_matching_events() {
    let mut fx = admin_on(Tab::Audit);
    let total = fx.app.ctx.session.audit_log().expect("the log reads").len();
    insta::assert_snapshot!("audit_120x35", draw(&mut fx.app, 120, 35).backend());
    insta::assert_snapshot!("audit_80x24", draw(&mut fx.app, 80, 24).backend());
    let s = screen(&mut fx.app, 120, 35);
    assert!(s.contains("user.created") && s.contains("membership.added"), "{s}");

    update(&mut fx.app, Action::Filter);
    typ(&mut fx.app, "MEMBERSHIP.add");
    // The log is searched while nobody types.
    settle(&mut fx.app);
    update(&mut fx.app, Action::Open);
    let s = screen(&mut fx.app, 120, 35);
    assert!(s.contains(&format!("Audit log (1 of {total})")), "{s}");
    assert!(s.contains("Adele Vance added directly to Marketing as Member"), "{s}");
    assert!(!s.contains("user.created"), "{s}");

    // Any column matches: the actor, here.
    update(&mut fx.app, Action::Back);
    update(&mut fx.app, Action::Filter);
    typ(&mut fx.app, "nobody-at-all");
    settle(&mut fx.app);
    assert!(screen(&mut fx.app, 120, 35).contains("No rows match"));
}

#[test]
fn the_audit_keeps_the_selected_event_when_new_ones_arrive() {
    let mut fx = admin_on(Tab::Audit);
    press(&mut fx.app, &["j", "j"]);
    let before = screen(&mut fx.app, 120, 35);
    let seq = |s: &str| s.lines().find_map(|l| l.split("Event").nth(1).map(|r| r.trim().to_string()));
    let selected = seq(&before).expect("an event is shown");
    let adele = fx.ids.adele;
    fx.app.ctx.run(Command::AddDirectGrant { user: adele, resource: fx.ids.group, role: "Owner".into() }).expect("ok");
    fx.app.refresh_views();
    let after = screen(&mut fx.app, 120, 35);
    assert_eq!(seq(&after), Some(selected), "{after}");
}

#[test]
fn the_drift_report_lists_the_direct_membership() {
    let mut fx = admin_on(Tab::Reports);
    press(&mut fx.app, &["]", "]", "]", "]", "]"]);
    let s = screen(&mut fx.app, 120, 35);
    assert!(s.contains("Memberships granted outside any access package (1)"), "{s}");
    let row = s.lines().find(|l| l.contains("Adele Vance") && l.contains("Marketing")).expect("a row for Adele");
    assert!(row.contains("Member") && row.contains("yes") && row.contains("direct"), "{row}");
    insta::assert_snapshot!("reports_120x35", draw(&mut fx.app, 120, 35).backend());
    insta::assert_snapshot!("reports_80x24", draw(&mut fx.app, 80, 24).backend());
}

#[test]
fn the_expiring_report_lists_what_ends_within_the_days_asked() {
    let mut fx = admin_on(Tab::Reports);
    press(&mut fx.app, &["]", "]", "]"]);
    let asg = fx.ids.assignment.to_string();
    let s = screen(&mut fx.app, 120, 35);
    assert!(s.contains("ending within 30 days"), "{s}");
    assert!(s.lines().any(|l| l.contains(&asg) && l.contains("Adele Vance") && l.contains("2026-01-15")), "{s}");

    press(&mut fx.app, &["enter", "ctrl-u"]);
    typ(&mut fx.app, "lots");
    press(&mut fx.app, &["enter"]);
    assert!(screen(&mut fx.app, 120, 35).contains("A whole number of days"), "the prompt refuses");
    press(&mut fx.app, &["ctrl-u"]);
    typ(&mut fx.app, "5");
    press(&mut fx.app, &["enter"]);
    let s = screen(&mut fx.app, 120, 35);
    assert!(s.contains("No assignment ends within 5 days."), "{s}");
    assert!(!s.contains(&asg), "{s}");
}

#[test]
fn subject_reports_are_chosen_with_a_picker() {
    let mut fx = admin_on(Tab::Reports);
    assert!(screen(&mut fx.app, 120, 35).contains("Press Enter to pick a user."));
    press(&mut fx.app, &["enter"]);
    typ(&mut fx.app, "adele");
    press(&mut fx.app, &["enter"]);
    let s = screen(&mut fx.app, 120, 35);
    assert!(s.contains("Packages Adele Vance can request or has"), "{s}");
    assert!(s.lines().any(|l| l.contains("Marketing Campaign") && l.contains("delivered")), "{s}");

    press(&mut fx.app, &["]", "]", "enter"]);
    typ(&mut fx.app, "Campaign");
    press(&mut fx.app, &["enter"]);
    let s = screen(&mut fx.app, 80, 24);
    assert!(s.contains("Assignments of Marketing Campaign by state"), "{s}");
    assert!(s.contains(&fx.ids.assignment.to_string()), "{s}");
    let _ = fx.ids.package;
}

#[test]
fn the_report_menu_and_bar_take_clicks() {
    use ratatui::crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let click = |app: &mut App<Ctx>, column: u16, row: u16| {
        app.handle_mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    let mut fx = admin_on(Tab::Reports);
    let s = screen(&mut fx.app, 120, 35);
    let row = s.lines().position(|l| l.contains("Lint: configuration pitfalls")).expect("the menu entry");
    click(&mut fx.app, 5, row as u16);
    assert!(screen(&mut fx.app, 120, 35).contains("Configuration pitfalls (0)"));
    // Narrow: the one-line bar.
    let s = screen(&mut fx.app, 80, 24);
    let col = s.lines().nth(1).and_then(|l| l.find("Drift")).expect("the bar");
    click(&mut fx.app, col as u16 + 1, 1);
    assert!(screen(&mut fx.app, 80, 24).contains("Memberships granted outside any access package (1)"));
}

#[test]
fn reports_follow_the_domains_read_rights() {
    let mut fx = admin_on(Tab::Reports);
    // Pat reads only an HR catalog: the General catalog's package is not theirs to report on.
    let ctx = &mut fx.app.ctx;
    let out = ctx.run(person("Pat Reader", "pat@contoso.com", false)).expect("admin creates Pat");
    let pat: UserId = id(&out);
    let spec = CatalogSpec { display_name: "HR".into(), description: String::new(), enabled: true, external: false };
    let hr: CatalogId = id(&ctx.run(Command::CreateCatalog { spec }).expect("admin creates HR"));
    ctx.run(Command::GrantCatalogRole { catalog: hr, user: pat, role: CatalogRole::Reader }).expect("granted");
    ctx.session.actor = Actor::user(pat);
    fx.app.refresh_views();
    assert!(fx.app.ctx.visible_tabs().contains(&Tab::Reports), "a catalog reader has the admin tabs");
    press(&mut fx.app, &["]", "]", "enter"]);
    typ(&mut fx.app, "Campaign");
    press(&mut fx.app, &["enter"]);
    let s = screen(&mut fx.app, 200, 50);
    assert!(s.contains("To see the assignments of 'Marketing Campaign' you need a role in its catalog"), "{s}");
    assert!(!s.contains(&fx.ids.assignment.to_string()), "{s}");
    // Tenant-wide reports need only some administrative role, which Pat has; their rows are
    // cut to Pat's catalogs: the direct membership is on no resource of HR, so Pat sees none.
    press(&mut fx.app, &["]", "]", "]"]);
    assert!(screen(&mut fx.app, 120, 35).contains("Memberships granted outside any access package (0)"));
}

#[test]
fn editing_a_user_sets_the_attributes_automatic_policies_read() {
    let mut fx = admin_on(Tab::Directory);
    press(&mut fx.app, &["j", "e"]);
    // name, email, type, manager, department, job title, global admin, sign-in, login, company, country
    press(&mut fx.app, &["tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab"]);
    typ(&mut fx.app, "France");
    press(&mut fx.app, &["ctrl-s"]);
    assert!(fx.app.top_layer().is_none(), "{:?}", form_error(&fx.app));
    let adele = &fx.app.ctx.tenant().users[&fx.ids.adele];
    assert_eq!(adele.country, "France");
    assert_eq!(adele.department, "Marketing", "the other attributes are kept");
    assert!(screen(&mut fx.app, 120, 35).contains("France"), "the detail shows it");
    fx.app.switch_tab(Tab::Audit);
    let s = screen(&mut fx.app, 120, 35);
    assert!(s.contains("user.attributesUpdated"), "{s}");
    fx.app.switch_tab(Tab::Directory);

    // A value over its bound is refused by the domain, and the form stays open with its words.
    press(&mut fx.app, &["e", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab"]);
    typ(&mut fx.app, &"x".repeat(130));
    press(&mut fx.app, &["ctrl-s"]);
    let err = form_error(&fx.app).expect("the form stays open with the refusal");
    assert!(err.contains("Country can be at most 128 characters"), "{err}");
}
