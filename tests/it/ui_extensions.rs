//! Custom extensions in the terminal app, on the demo tenant: the Catalogs tab's Extensions pane
//! registers one and refuses to remove one a policy calls (the domain's refusal shown); the
//! policy editor attaches one at a stage; a request waiting for an extension says so.

use crate::common;

use common::demo_ui::{demo_app, screen};
use common::keys::{press, typ};
use entitle::domain::extensions::{ExtensionSpec, ExtensionStage, StageSetting};
use entitle::domain::{Actor, Command, Entry};
use entitle::ui::{Layer, Tab};

fn message(app: &entitle::ui::App<entitle::ui::ctx::Ctx>) -> String {
    app.message().map(|m| m.text.clone()).unwrap_or_default()
}

#[test]
fn the_extensions_pane_registers_one_and_refuses_to_remove_one_in_use() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut app = demo_app(dir.path(), None);
    app.switch_tab(Tab::Catalogs);
    // General, External, Finance, Partner Access, Projects, Roles.
    press(&mut app, &["j", "j", "j", "j", "]", "]", "]", "]"]);
    let shot = screen(&mut app, 120, 35);
    assert!(shot.contains("Custom extensions (1)") && shot.contains("tee -a /tmp/entitle"), "{shot}");
    assert!(shot.contains("1 pol") && !shot.contains("remove extension"), "in use: no removal offered\n{shot}");
    // The demo's extension is called by Project Alpha's policy: removing it is refused.
    press(&mut app, &["d"]);
    if let Some(Layer::Confirm(_)) = app.top_layer() {
        press(&mut app, &["y"]);
    }
    assert!(message(&app).contains("remove it from their stages first"), "{}", message(&app));
    let projects = app.ctx.tenant().find_catalog("Projects").map(|c| c.id).expect("Projects");
    assert_eq!(app.ctx.tenant().catalog_extensions(projects).len(), 1);

    // A new one, through its form.
    press(&mut app, &["n"]);
    typ(&mut app, "Notify HR");
    press(&mut app, &["tab", "tab"]);
    typ(&mut app, "logger -t entitle 'access changed'");
    press(&mut app, &["ctrl-s"]);
    if let Some(Layer::Form(f)) = app.top_layer() {
        panic!("the form is still open: {:?}", f.error());
    }
    let t = app.ctx.tenant();
    let ext = t.find_extension(projects, "Notify HR").expect("registered");
    assert_eq!(ext.spec.program, "logger");
    assert_eq!(ext.spec.arguments, vec!["-t", "entitle", "access changed"]);
    assert_eq!(ext.spec.timeout_seconds, 30, "the default timeout");
}

#[test]
fn the_policy_editor_attaches_an_extension_at_a_stage() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let app = demo_app(dir.path(), None);
    let t = app.ctx.tenant();
    let pkg = t.find_package("Project Alpha").expect("Project Alpha");
    let (pkg_id, pol) = (pkg.id, pkg.policies[0]);
    let ext = t.find_extension(pkg.catalog, "Log events to a file").map(|e| e.id).expect("the demo's");
    // The editor on the policy, as the Policies pane's edit opens it: a step of its own.
    let policy = app.ctx.tenant().policies.get(&pol).cloned();
    let mut form = entitle::ui::tabs::policy_form::policy_form(&app.ctx, pkg_id, policy.as_ref());
    assert_eq!(form.steps().last().map(String::as_str), Some("Custom extensions"));
    assert_eq!(form.raw_values().choice("ext_assignmentRequestGranted"), Some(ext.to_string().as_str()));
    form.set_value("ext_assignmentOneDayBeforeExpiration", ext.to_string());
    form.set_value("ext_assignmentRequestCreated", "none");
    let values = form.submit().unwrap_or_else(|| panic!("refused: {:?}", form.error()));
    let spec = entitle::ui::tabs::policy_form::spec_from_values(&app.ctx, &values).expect("a spec");
    let stages: Vec<ExtensionStage> = spec.custom_extension_stage_settings.iter().map(|s| s.stage).collect();
    assert!(stages.contains(&ExtensionStage::AssignmentOneDayBeforeExpiration), "{stages:?}");
    assert!(!stages.contains(&ExtensionStage::AssignmentRequestCreated), "{stages:?}");
}

#[test]
fn a_request_waiting_for_an_extension_says_so() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut t = entitle::demo::demo_tenant().expect("the demo");
    let pkg = t.find_package("Project Alpha").expect("Project Alpha");
    let (catalog, package, pol) = (pkg.catalog, pkg.id, pkg.policies[0]);
    let at = t.clock.now;
    let run = |t: &mut entitle::domain::Tenant, command: Command| {
        t.apply(&Entry { at, actor: Actor::System, command }).expect("applies")
    };
    let mut gate = ExtensionSpec::new("SoD gate", "true", vec![]);
    gate.wait_for_callback = true;
    let out = run(&mut t, Command::AddExtension { catalog, spec: gate });
    let ext = out.created.and_then(|c| c.extension()).expect("an id");
    let mut spec = t.policies[&pol].spec.clone();
    spec.custom_extension_stage_settings =
        vec![StageSetting { stage: ExtensionStage::AssignmentRequestCreated, custom_extension: ext }];
    run(&mut t, Command::UpdatePolicy { policy: pol, spec });
    let patti = t.find_user("Patti").map(|u| u.id).expect("Patti");
    let req = t
        .apply(&Entry {
            at,
            actor: Actor::user(patti),
            command: Command::SubmitRequest {
                package,
                policy: None,
                justification: "Board review".into(),
                answers: Default::default(),
                start: None,
            },
        })
        .expect("submitted");
    assert!(req.message.contains("waiting for extension"), "{}", req.message);
    let mut app = common::demo_ui::app_over(dir.path(), t, Some("Patti"), entitle::ui::Theme::monochrome());
    app.switch_tab(Tab::MyAccess);
    press(&mut app, &["]"]);
    let shot = screen(&mut app, 120, 35);
    assert!(shot.contains("waiting for extension"), "{shot}");
}
