//! The policy editor's automatic assignment step: the rule's errors under its field as you type,
//! and the preview of who gains and loses the package before the policy is saved.

use crate::common;

use common::policy_ui::*;
use entitle::domain::*;
use entitle::ui::ask::Ask;
use entitle::ui::layers::Layer;
use entitle::ui::{Action, Tab, update};

/// The Packages tab's policy editor for a new policy of the world's package.
fn new_policy_in_packages_tab(w: &mut World) {
    w.app.switch_tab(Tab::Packages);
    for _ in 0..2 {
        update(&mut w.app, Action::NextPane);
        if w.app.top_layer().is_none() {
            update(&mut w.app, Action::New);
        }
        if matches!(w.app.top_layer(), Some(Layer::Form(f)) if matches!(f.id, Ask::Policy { .. })) {
            return;
        }
        if w.app.top_layer().is_some() {
            update(&mut w.app, Action::Back);
        }
    }
    panic!("no policy editor opened");
}

fn the_form(w: &mut World) -> &mut entitle::ui::widgets::form::Form {
    match w.app.top_layer_mut() {
        Some(Layer::Form(f)) => f,
        _ => panic!("the policy editor is not open"),
    }
}

#[test]
fn an_automatic_policy_shows_who_gains_and_loses_before_it_is_saved() {
    let mut w = world();
    let eve = w.eve;
    let mut attributes = UserAttributes::from(w.app.ctx.tenant().user(eve).expect("Eve"));
    attributes.department = "Sales".into();
    run_as_admin(&mut w.app, Command::SetUserAttributes { user: eve, attributes });
    new_policy_in_packages_tab(&mut w);
    let form = the_form(&mut w);
    type_into(form, "name", "Sales by department");
    form.set_value("automatic", true);
    type_into(form, "auto_rule", r#"user.department -eq "Sales""#);
    type_into(form, "auto_grace", "48");
    // A rule that does not parse is shown under its field as you type, with the position.
    type_into(form, "auto_rule", r#"user.department -eq Sales"#);
    assert!(
        form.field_error("auto_rule").is_some_and(|e| e.contains("character 21")),
        "{:?}",
        form.field_error("auto_rule")
    );
    type_into(form, "auto_rule", r#"user.department -eq "Sales""#);
    assert_eq!(form.field_error("auto_rule"), None);

    // The first submit shows the preview and saves nothing; the second saves.
    update(&mut w.app, Action::Submit);
    let shown = the_form(&mut w).error().unwrap_or_default().to_string();
    assert!(shown.contains("1 gain it (Eve Employee)") && shown.contains("48-hour"), "{shown}");
    let t = w.app.ctx.tenant();
    assert!(t.policies_of(w.pkg).all(|p| p.spec.automatic.is_none()), "nothing saved yet");
    update(&mut w.app, Action::Submit);
    assert!(w.app.top_layer().is_none(), "saved and closed");
    let t = w.app.ctx.tenant();
    let pol = t.policies_of(w.pkg).find(|p| p.spec.automatic.is_some()).expect("the automatic policy");
    assert_eq!(pol.spec.scope, RequestScope::AdminOnly);
    assert_eq!(pol.spec.automatic.as_ref().map(|a| a.grace_period_hours), Some(48));
    assert!(t.active_assignment(eve, w.pkg).is_some(), "Eve was assigned");
}
