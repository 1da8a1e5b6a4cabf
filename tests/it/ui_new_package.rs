//! Making a catalog's first package (issue 8, finding 10): the new-package form defaults to the
//! catalog just made, and Catalogs > Access packages makes one in the selected catalog with `n`.

use crate::common;

use common::demo_ui::{demo_app, screen};
use entitle::domain::{CatalogSpec, Command};
use entitle::ui::{Action, Layer, Tab, update};

fn form_catalog(app: &entitle::ui::App<entitle::ui::ctx::Ctx>) -> Option<String> {
    match app.top_layer() {
        Some(Layer::Form(f)) => f.raw_values().choice("catalog").map(String::from),
        _ => None,
    }
}

#[test]
fn a_new_package_goes_to_the_catalog_just_made() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(dir.path(), None);
    let spec =
        CatalogSpec { display_name: "Marketing".into(), description: String::new(), enabled: true, external: false };
    app.ctx.run(Command::CreateCatalog { spec }).expect("the administrator makes a catalog");
    let made = *app.ctx.tenant().catalogs.keys().next_back().expect("the new catalog");
    app.switch_tab(Tab::Packages);
    update(&mut app, Action::New);
    assert_eq!(form_catalog(&app), Some(made.to_string()), "not the selected package's catalog");
}

#[test]
fn n_on_a_catalogs_packages_makes_one_in_that_catalog() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(dir.path(), None);
    app.switch_tab(Tab::Catalogs);
    update(&mut app, Action::Down);
    let s = screen(&mut app, 120, 35);
    let selected = app.ctx.tenant().catalogs.values().find(|c| c.display_name == "External").map(|c| c.id);
    assert!(s.contains("External"), "{s}");
    // To the catalog's access packages: the footer offers a new one.
    for _ in 0..5 {
        if screen(&mut app, 120, 35).contains("n new package") {
            break;
        }
        update(&mut app, Action::NextPane);
    }
    assert!(screen(&mut app, 120, 35).contains("n new package"));
    update(&mut app, Action::New);
    assert_eq!(form_catalog(&app), selected.map(|c| c.to_string()));
}

/// Moving down the packages reads no history: the Requests list holds the open ones until it
/// has the focus, then the finished ones too (a package's history shard is big at scale).
#[test]
fn a_packages_finished_requests_are_read_when_its_requests_list_is_focused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(dir.path(), None);
    app.switch_tab(Tab::Packages);
    // Project Alpha has delivered requests in the demo.
    let alpha = app.ctx.tenant().find_package("Project Alpha").map(|p| p.display_name.clone()).expect("Alpha");
    for _ in 0..20 {
        if screen(&mut app, 200, 50).contains(&format!("{alpha} ·")) {
            break;
        }
        update(&mut app, Action::Down);
    }
    let s = screen(&mut app, 200, 50);
    assert!(s.contains("Open requests (") && !s.contains("delivered  "), "{s}");
    for _ in 0..4 {
        update(&mut app, Action::NextPane);
    }
    let s = screen(&mut app, 200, 50);
    assert!(s.contains("Requests (") && s.contains("delivered"), "the history once focused:\n{s}");
}
