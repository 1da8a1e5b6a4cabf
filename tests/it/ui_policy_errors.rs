//! Finding 5 of issue 8: the policy editor shows every problem of the form at once, each whole
//! under its field (placed by the engine's typed field, not by its wording), as you type; and its
//! own defaults do not trip the lint.

use crate::common;

use common::policy_ui::*;
use entitle::domain::*;
use entitle::ui::Action;
use entitle::ui::layers::Layer;
use entitle::ui::tabs::policy_form::{policy_form, spec_from_values};
use entitle::ui::widgets::form::Form;

const TIMEOUT: &str = "Stage 1: decision timeout must be 1 to 30 days";
const NO_APPROVERS: &str = "Stage 2 has no approvers: add at least one";

/// Two stages, each with a problem: stage 1's timeout left empty, stage 2 without approvers.
fn two_broken_stages(w: &World) -> Form {
    let mut form = policy_form(&w.app.ctx, w.pkg, None);
    type_into(&mut form, "name", "Two stages");
    form.set_value("internal_scope", "all_members");
    focus(&mut form, "approval");
    form.handle(Action::Toggle);
    focus(&mut form, "stages");
    form.handle(Action::Right);
    form.set_picked("s1_approvers", ids(&[w.carl]));
    type_into(&mut form, "s1_timeout", "");
    form
}

#[test]
fn both_stages_problems_show_at_once_before_any_submit() {
    let w = world();
    let form = two_broken_stages(&w);
    assert_eq!(form.field_error("s1_timeout"), Some(TIMEOUT));
    assert_eq!(form.field_error("s2_approvers"), Some(NO_APPROVERS), "stage 2's problem is not held back");
    assert!(form.error().is_none(), "nothing was submitted yet");
    // The submit refuses with both counted, and the engine agrees on the first.
    let mut form = form;
    assert!(form.submit().is_none());
    assert_eq!(form.error(), Some("2 fields need attention"));
    assert_eq!(spec_from_values(&w.app.ctx, &form.raw_values()).err().as_deref(), Some(TIMEOUT));
}

#[test]
fn each_problem_is_shown_whole_under_its_field_at_80x24() {
    let mut w = world();
    let mut form = two_broken_stages(&w);
    focus(&mut form, "s1_timeout");
    w.app.open(Layer::form(form));
    let text = format!("{}", draw(&mut w.app, 80, 24).backend());
    // Each message wraps onto the lines under its field, whole (no "…").
    assert!(text.contains("✗ Stage 1: decision timeout must be") && text.contains("1 to 30 days"), "{text}");
    assert!(text.contains("✗ Stage 2 has no approvers: add at") && text.contains("least one"), "{text}");
    assert!(!text.contains("must be…") && !text.contains("add at…"), "not cut: {text}");
    insta::assert_snapshot!("policy_two_stage_errors_80x24", draw(&mut w.app, 80, 24).backend());
    insta::assert_snapshot!("policy_two_stage_errors_200x50", draw(&mut w.app, 200, 50).backend());
}

#[test]
fn an_error_is_placed_by_its_field_not_by_its_words() {
    let w = world();
    let mut form = policy_form(&w.app.ctx, w.pkg, None);
    type_into(&mut form, "name", "Externals");
    form.set_value("who", "external");
    form.set_value("external_scope", "specific_orgs");
    form.set_value("allow_extension", true);
    form.set_value("extension_approval", true);
    // Both rules are the engine's; each lands on the field it names.
    assert!(form.field_error("scope_orgs").is_some_and(|e| e.contains("at least one organization")));
    assert!(form.field_error("extension_approval").is_some_and(|e| e.contains("no approval stage")));
}

#[test]
fn the_editors_defaults_do_not_trip_the_lint() {
    let mut w = world();
    let mut form = policy_form(&w.app.ctx, w.pkg, None);
    type_into(&mut form, "name", "Defaults");
    form.set_value("internal_scope", "all_members");
    focus(&mut form, "approval");
    form.handle(Action::Toggle);
    form.set_picked("s1_approvers", ids(&[w.carl]));
    let values = form.submit().unwrap_or_else(|| panic!("refused: {:?}", form.error()));
    let spec = spec_from_values(&w.app.ctx, &values).expect("a valid spec");
    let out = run_as_admin(&mut w.app, Command::CreatePolicy { package: w.pkg, spec });
    let id = out.created.expect("a policy");
    let about: Vec<_> = w.app.ctx.tenant().lint().into_iter().filter(|f| f.object == id).collect();
    assert!(about.is_empty(), "the defaults trip the lint: {about:?}");
}
