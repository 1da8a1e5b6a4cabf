//! Config as code in the terminal app, on the demo: `X` on Catalogs writes the configuration to a
//! file and says where; `I` plans a file, shows the plan object by object and applies it only
//! when confirmed; a file with an error shows the error and applies nothing; a member is refused.

use crate::common;

use common::demo_ui::demo_app;
use common::keys::{press, typ};
use entitle::domain::Actor;
use entitle::ui::Tab;
use entitle::ui::app::App;
use entitle::ui::ctx::Ctx;
use entitle::ui::layers::Layer;
use serde_json::Value;

fn message(app: &App<Ctx>) -> String {
    app.message().map(|m| m.text.clone()).unwrap_or_default()
}

fn admin(app: &App<Ctx>) -> Actor {
    app.ctx.actor().clone()
}

/// `key` on Catalogs, then the file's path typed over the one offered.
fn ask_file(app: &mut App<Ctx>, key: &str, path: &std::path::Path) {
    app.switch_tab(Tab::Catalogs);
    press(app, &[key]);
    assert!(matches!(app.top_layer(), Some(Layer::Prompt(_))), "no prompt: {}", message(app));
    press(app, &["ctrl-u"]);
    typ(app, &path.to_string_lossy());
    press(app, &["enter"]);
}

/// The demo's configuration with one edit, written to `path`.
fn write_edited(app: &App<Ctx>, path: &std::path::Path, edit: impl FnOnce(&mut Value)) {
    let file = app.ctx.tenant().export_config(&admin(app), None).expect("exported");
    let mut v: Value = serde_json::from_str(&file.to_text()).expect("JSON");
    edit(&mut v);
    std::fs::write(path, serde_json::to_string_pretty(&v).expect("JSON")).expect("written");
}

fn finance_package(v: &mut Value) -> &mut Value {
    let cats = v["catalogs"].as_array_mut().expect("catalogs");
    &mut cats.iter_mut().find(|c| c["displayName"] == "Finance").expect("Finance")["accessPackages"][0]
}

#[test]
fn an_administrator_exports_the_configuration_to_a_file_and_is_told_where() {
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("contoso.json");
    let mut app = demo_app(dir.path(), None);
    ask_file(&mut app, "X", &path);
    let written = std::fs::read_to_string(&path).expect("the file is written");
    let expected = app.ctx.tenant().export_config(&admin(&app), None).expect("exported").to_text();
    assert_eq!(written, expected, "the app writes what `entitle export config` prints");
    assert!(message(&app).contains(&path.display().to_string()), "{}", message(&app));
}

#[test]
fn applying_a_file_shows_its_plan_and_applies_it_on_confirmation() {
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("hidden.json");
    let mut app = demo_app(dir.path(), None);
    write_edited(&app, &path, |v| finance_package(v)["isHidden"] = true.into());
    let hidden = |app: &App<Ctx>| app.ctx.tenant().find_package("SOX Finance Reporting").expect("the package").hidden;
    ask_file(&mut app, "I", &path);
    assert!(matches!(app.top_layer(), Some(Layer::Confirm(_))), "no confirmation: {}", message(&app));
    // Declining applies nothing and closes the plan.
    press(&mut app, &["n"]);
    assert!(app.top_layer().is_none());
    assert!(!hidden(&app));
    ask_file(&mut app, "I", &path);
    press(&mut app, &["y"]);
    assert!(app.top_layer().is_none(), "the plan stays open");
    assert!(hidden(&app), "not applied: {}", message(&app));
    assert!(message(&app).contains("Applied the configuration: 1 change(s)"), "{}", message(&app));
    // The plan of the same file is now empty.
    ask_file(&mut app, "I", &path);
    assert!(app.top_layer().is_none());
    assert!(message(&app).contains("No changes"), "{}", message(&app));
}

#[test]
fn a_file_with_an_error_shows_the_plan_with_the_error_and_applies_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("ghost.json");
    let mut app = demo_app(dir.path(), None);
    write_edited(&app, &path, |v| {
        let pkg = finance_package(v);
        pkg["isHidden"] = true.into();
        pkg["assignmentPolicies"][0]["requestApprovalSettings"]["stages"][1]["primaryApprovers"][0]["userId"] =
            "ghost@contoso.com".into();
    });
    ask_file(&mut app, "I", &path);
    let Some(Layer::Text(view)) = app.top_layer() else { panic!("no plan shown: {}", message(&app)) };
    let text = view.lines.join("\n");
    assert!(text.contains("! assignment policy") && text.contains("ghost@contoso.com"), "{text}");
    assert!(text.contains("isHidden: false -> true"), "{text}");
    press(&mut app, &["esc"]);
    assert!(!app.ctx.tenant().find_package("SOX Finance Reporting").expect("the package").hidden);
    // A file that is not one: the prompt stays open with the reason.
    std::fs::write(&path, "not json").expect("written");
    ask_file(&mut app, "I", &path);
    assert!(matches!(app.top_layer(), Some(Layer::Prompt(_))), "the prompt closed");
}

#[test]
fn a_member_is_refused_by_the_domain() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path(), Some("Adele Vance"));
    app.switch_tab(Tab::Catalogs);
    press(&mut app, &["X"]);
    assert!(app.top_layer().is_none(), "a prompt opened");
    assert!(message(&app).contains("Only a global administrator"), "{}", message(&app));
}

#[test]
fn a_plan_that_changed_before_the_confirmation_is_not_applied() {
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("hidden.json");
    let mut app = demo_app(dir.path(), None);
    write_edited(&app, &path, |v| finance_package(v)["isHidden"] = true.into());
    ask_file(&mut app, "I", &path);
    assert!(matches!(app.top_layer(), Some(Layer::Confirm(_))));
    // Meanwhile the file asks for something else.
    write_edited(&app, &path, |v| finance_package(v)["description"] = "Other".into());
    press(&mut app, &["y"]);
    assert!(message(&app).contains("changed since the plan was shown"), "{}", message(&app));
    let pkg = app.ctx.tenant().find_package("SOX Finance Reporting").expect("the package").clone();
    assert!(!pkg.hidden && pkg.description != "Other", "something was applied");
}
