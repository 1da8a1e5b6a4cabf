//! My Access on the demo tenant: a manager requests a package for a direct report through the
//! request form's "For" field; the package a person may not have (separation of duties) is not
//! offered, the domain's reason shown instead.

use crate::common;

use common::keys::{press, typ};

use common::demo_ui::{app_over, demo_app, screen};
use entitle::domain::{Actor, Command, Entry, Intent, RequestType};
use entitle::ui::app::{App, Tab};
use entitle::ui::ctx::Ctx;
use entitle::ui::layers::Layer;
use entitle::ui::{Action, update};

/// The request form of a package, opened by its link.
fn open_form(app: &mut App<Ctx>, package: &str) {
    let id = app.ctx.tenant().find_package(package).map(|p| p.id).expect("the package");
    update(app, Action::New);
    typ(app, &id.to_string());
    update(app, Action::Open);
    assert!(matches!(app.top_layer(), Some(Layer::Form(_))), "the request form opens");
}

#[test]
fn a_manager_requests_for_a_report_from_my_access() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(dir.path(), Some("Lee Gu"));
    app.switch_tab(Tab::MyAccess);
    open_form(&mut app, "Project Alpha");
    // Henrietta's Alpha access was removed by a review: Lee may ask for her; the reports who hold
    // it are not offered.
    let s = screen(&mut app, 120, 35);
    assert!(s.contains("‹ Myself ›  (1 of 2)"), "{s}");
    press(&mut app, &["right"]);
    let s = screen(&mut app, 120, 35);
    assert!(s.contains("‹ Henrietta Mueller (your report) ›  (2 of 2)"), "{s}");
    press(&mut app, &["tab"]);
    typ(&mut app, "Phoenix and Alpha overlap for a sprint");
    press(&mut app, &["ctrl-s"]);
    assert!(app.top_layer().is_none(), "the form closed:\n{}", screen(&mut app, 120, 35));
    let t = app.ctx.tenant();
    let lee = t.find_user("Lee Gu").map(|u| u.id).expect("Lee");
    let henrietta = t.find_user("Henrietta Mueller").map(|u| u.id).expect("Henrietta");
    let pkg = t.find_package("Project Alpha").map(|p| p.id).expect("Alpha");
    let req = t
        .requests_in_memory()
        .filter(|r| r.package == pkg && r.request_type == RequestType::UserAdd && r.state.is_open())
        .find(|r| r.target_user() == Some(henrietta))
        .expect("the request for Henrietta");
    assert_eq!(req.requestor, Some(lee));
    assert_eq!(req.on_behalf(), Some(lee));
}

#[test]
fn a_package_incompatible_with_what_one_holds_is_not_offered() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Emily holds Sales Representative, which SOX Finance Reporting is incompatible with.
    let mut app = demo_app(dir.path(), Some("Emily Braun"));
    app.switch_tab(Tab::MyAccess);
    let pkg = app.ctx.tenant().find_package("SOX Finance Reporting").map(|p| p.id).expect("SOX");
    let why = app.ctx.refusal(&Intent::Request { package: pkg }).expect("refused");
    assert!(why.contains("Separation of duties"), "{why}");
    update(&mut app, Action::New);
    typ(&mut app, &pkg.to_string());
    update(&mut app, Action::Open);
    assert!(!matches!(app.top_layer(), Some(Layer::Form(_))), "no form opens for a refused package");
    let s = screen(&mut app, 120, 35);
    assert!(s.contains("Separation of duties"), "the reason shows:\n{s}");
}

#[test]
fn the_package_details_and_edit_form_show_what_it_is_incompatible_with() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(dir.path(), None);
    app.switch_tab(Tab::Packages);
    press(&mut app, &["/"]);
    typ(&mut app, "SOX Finance");
    press(&mut app, &["enter"]);
    let s = screen(&mut app, 120, 35);
    assert!(s.contains("Incompatible with") && s.contains("Sales Representative"), "{s}");
    press(&mut app, &["e"]);
    assert!(matches!(app.top_layer(), Some(Layer::Form(_))), "the edit form opens");
    let s = screen(&mut app, 120, 35);
    assert!(s.contains("Incompatible packages    Sales Representative"), "{s}");
    assert!(s.contains("Incompatible groups"), "{s}");
    // Saved unchanged, the incompatibility stays.
    press(&mut app, &["ctrl-s"]);
    assert!(app.top_layer().is_none(), "saved:\n{}", screen(&mut app, 120, 35));
    let t = app.ctx.tenant();
    let sox = t.find_package("SOX Finance Reporting").expect("SOX");
    let sales = t.find_package("Sales Representative").map(|p| p.id).expect("Sales");
    assert!(sox.incompatible_packages.contains(&sales));
}

#[test]
fn a_manager_who_holds_the_package_still_requests_it_for_a_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut tenant = entitle::demo::demo_tenant().expect("the demo");
    let lee = tenant.find_user("Lee Gu").map(|u| u.id).expect("Lee");
    let admin = tenant.users.values().find(|u| u.global_admin).map(|u| u.id).expect("an administrator");
    let package = tenant.find_package("Project Alpha").map(|p| p.id).expect("Alpha");
    let policy = tenant.policies_of(package).find(|p| p.spec.allow_on_behalf).map(|p| p.id).expect("on behalf");
    let command =
        Command::AdminAssign { package, policy, user: lee, start: None, end: None, justification: "Lead".into() };
    tenant.apply(&Entry { at: tenant.now(), actor: Actor::user(admin), command }).expect("Lee holds Alpha");
    let mut app = app_over(dir.path(), tenant, Some("Lee Gu"), entitle::ui::Theme::monochrome());
    app.switch_tab(Tab::MyAccess);
    // Not for himself: he holds it. The form opens all the same, for his reports only.
    assert!(app.ctx.refusal(&Intent::Request { package }).is_some(), "Lee holds it already");
    open_form(&mut app, "Project Alpha");
    let s = screen(&mut app, 120, 35);
    assert!(s.contains("‹ Henrietta Mueller (your report) ›  (1 of 1)"), "{s}");
    assert!(!s.contains("Myself"), "{s}");
}
