//! The policy editor (form ↔ `PolicySpec`, the engine's words as you type, edit mode), and the
//! Connected organizations and Settings tabs driven through `update`, with snapshots.

use crate::common;

use std::collections::BTreeSet;

use chrono::Duration;
use common::policy_ui::*;
use entitle::domain::*;
use entitle::ui::ask::Ask;
use entitle::ui::ctx::Ctx;
use entitle::ui::layers::Layer;
use entitle::ui::tabs::policy_form::{policy_form, spec_from_values};
use entitle::ui::widgets::form::{FormValues, Value};
use entitle::ui::{Action, App, Tab, update};

#[test]
fn two_stage_policy_round_trips_into_the_expected_spec() {
    let mut w = world();
    let mut form = policy_form(&w.app.ctx, w.pkg, None);
    assert_eq!(form.id, Ask::Policy { package: w.pkg, policy: None });
    let names: Vec<&str> = form.steps().iter().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "Basics",
            "Requests",
            "Approval",
            "Requestor information",
            "Lifecycle",
            "Access reviews",
            "Automatic assignment"
        ]
    );
    type_into(&mut form, "name", "Contractors");
    form.set_value("internal_scope", "all_members");
    focus(&mut form, "approval");
    form.handle(Action::Toggle);
    focus(&mut form, "stages");
    form.handle(Action::Right); // 1 → 2
    form.set_picked("s1_approvers", vec!["manager".into()]);
    form.set_picked("s1_fallback", ids(&[w.carl]));
    type_into(&mut form, "s1_timeout", "7");
    form.set_picked("s2_approvers", ids(&[w.carl]));
    type_into(&mut form, "s2_timeout", "7");
    assert!(!form.is_visible("s3_approvers"), "stage 3 is hidden with two stages");

    let values = form.submit().unwrap_or_else(|| panic!("refused: {:?}", form.error()));
    let spec = spec_from_values(&w.app.ctx, &values).expect("a valid spec");
    let stage = |approvers, fallback| ApprovalStage {
        approvers,
        fallback,
        timeout_days: 7,
        justification_required: true,
        escalation: None,
        quorum: Quorum::Any,
    };
    let expected = PolicySpec {
        display_name: "Contractors".into(),
        description: String::new(),
        scope: RequestScope::AllMembers,
        stages: vec![
            stage(vec![Approver::Manager], vec![Approver::User { user: w.carl }]),
            stage(vec![Approver::User { user: w.carl }], vec![]),
        ],
        justification_required: true,
        questions: vec![],
        enabled: true,
        lifecycle: Lifecycle::default(),
        review: None,
        allow_on_behalf: false,
        automatic: None,
        custom_extension_stage_settings: vec![],
    };
    assert_eq!(spec, expected);
    let out = run_as_admin(&mut w.app, Command::CreatePolicy { package: w.pkg, spec });
    assert!(out.message.contains("Created policy 'Contractors'"), "{}", out.message);
}

#[test]
fn a_timeout_of_31_shows_the_engines_message_and_keeps_the_input() {
    let w = world();
    let mut form = policy_form(&w.app.ctx, w.pkg, None);
    type_into(&mut form, "name", "Long wait");
    form.set_value("internal_scope", "all_members");
    form.set_value("approval", true);
    form.set_picked("s1_approvers", ids(&[w.carl]));
    type_into(&mut form, "s1_timeout", "31");
    let shown = form.field_error("s1_timeout").map(String::from);
    assert_eq!(shown.as_deref(), Some("Stage 1: decision timeout must be 1 to 30 days; you gave 31"));
    assert!(form.submit().is_none(), "the form refuses");
    assert_eq!(form.error(), Some("1 field needs attention"));
    assert_eq!(form.focused_id(), Some("s1_timeout"));
    let raw = form.raw_values();
    assert_eq!(raw.number("s1_timeout"), Some(31), "the input is kept");
    assert_eq!(raw.text("name"), "Long wait");
    // The same words come from the engine through spec_from_values.
    assert_eq!(spec_from_values(&w.app.ctx, &raw).err(), shown);
    // Fixing it clears the error.
    type_into(&mut form, "s1_timeout", "30");
    assert_eq!(form.field_error("s1_timeout"), None);
    assert!(form.submit().is_some());
}

#[test]
fn a_manager_approver_without_fallback_is_refused_in_the_engines_words() {
    let w = world();
    let mut form = policy_form(&w.app.ctx, w.pkg, None);
    type_into(&mut form, "name", "Manager only");
    form.set_picked("scope_users", ids(&[w.eve]));
    form.set_value("approval", true);
    form.set_picked("s1_approvers", vec!["manager".into()]);
    assert!(form.submit().is_none());
    let engine = {
        let mut spec = PolicySpec::new(
            "Manager only",
            RequestScope::SpecificUsers { users: [w.eve].into(), groups: BTreeSet::new() },
        );
        spec.stages = vec![ApprovalStage::new(vec![Approver::Manager])];
        w.app.ctx.tenant().validate_policy(&spec).err().map(|e| e.to_string())
    };
    let message = "Stage 1: the requestor's manager approves, so a fallback approver is required (for requestors without a manager)";
    assert_eq!(engine.as_deref(), Some(message));
    assert_eq!(form.field_error("s1_fallback"), Some(message));
    assert_eq!(form.focused_id(), Some("s1_fallback"), "the submit goes to the field to fix");
    assert_eq!(spec_from_values(&w.app.ctx, &form.raw_values()).err().as_deref(), Some(message));
    form.set_picked("s1_fallback", ids(&[w.carl]));
    let values = form.submit().expect("valid with a fallback");
    assert!(spec_from_values(&w.app.ctx, &values).is_ok());
}

#[test]
fn a_long_refusal_is_shown_in_full_at_80x24() {
    let mut w = world();
    let mut form = policy_form(&w.app.ctx, w.pkg, None);
    form.set_value("name", "Manager only");
    form.set_picked("scope_users", ids(&[w.eve]));
    form.set_value("approval", true);
    form.set_picked("s1_approvers", vec!["manager".into()]);
    w.app.open(Layer::form(form));
    update(&mut w.app, Action::Submit);
    assert!(matches!(w.app.top_layer(), Some(Layer::Form(_))), "the form stays open");
    let t = draw(&mut w.app, 80, 24);
    insta::assert_snapshot!("policy_manager_refused_80x24", t.backend());
}

/// A policy that uses every setting the editor has.
fn rich_spec(w: &World) -> PolicySpec {
    let carl = Approver::User { user: w.carl };
    PolicySpec {
        display_name: "Partners' managers".into(),
        description: "Everything set".into(),
        scope: RequestScope::SpecificUsers { users: [w.eve, w.mia].into(), groups: [w.sales].into() },
        stages: vec![
            ApprovalStage {
                approvers: vec![Approver::Manager, Approver::InternalSponsors],
                fallback: vec![carl.clone()],
                timeout_days: 5,
                justification_required: false,
                escalation: Some(Escalation {
                    after_days: 3,
                    alternates: vec![Approver::GroupMembers { group: w.sales }],
                }),
                quorum: Quorum::Count(2),
            },
            ApprovalStage::new(vec![carl.clone()]),
            ApprovalStage {
                approvers: vec![Approver::GroupMembers { group: w.sales }],
                fallback: vec![],
                timeout_days: 2,
                justification_required: true,
                escalation: None,
                quorum: Quorum::All,
            },
        ],
        justification_required: false,
        questions: vec![
            Question { id: QuestionId(3), text: "Project code?".into(), kind: QuestionKind::Text, required: true },
            Question {
                id: QuestionId(7),
                text: "On site?".into(),
                kind: QuestionKind::Choice { options: vec!["Yes".into(), "No".into()] },
                required: false,
            },
        ],
        enabled: false,
        lifecycle: Lifecycle {
            expiration: Expiration::OnDate(t0() + Duration::days(90) + Duration::seconds(37)),
            allow_extension: true,
            extension_requires_approval: true,
            allow_self_removal: false,
        },
        review: Some(ReviewSettings {
            frequency: ReviewFrequency::SemiAnnually,
            starts_on: t0() + Duration::days(7),
            duration_days: 10,
            reviewers: vec![Reviewer::Manager, Reviewer::User { user: w.carl }],
            fallback: vec![w.carl],
            no_response: NoResponse::Remove,
            before_expiry_days: Some(5),
        }),
        allow_on_behalf: true,
        automatic: None,
        custom_extension_stage_settings: vec![],
    }
}

/// The world with the rich policy created and two assignments under it; returns its id.
fn with_rich_policy(w: &mut World) -> PolicyId {
    let spec = rich_spec(w);
    // Assigned while enabled (a disabled policy takes no direct assignment), then disabled.
    let open = PolicySpec { enabled: true, ..spec.clone() };
    let out = run_as_admin(&mut w.app, Command::CreatePolicy { package: w.pkg, spec: open });
    let id: PolicyId = created(&out);
    for user in [w.eve, w.mia] {
        let cmd = Command::AdminAssign {
            package: w.pkg,
            policy: id,
            user,
            start: None,
            end: None,
            justification: String::new(),
        };
        run_as_admin(&mut w.app, cmd);
    }
    run_as_admin(&mut w.app, Command::UpdatePolicy { policy: id, spec });
    id
}

#[test]
fn editing_prefills_every_field_and_an_unchanged_submit_gives_the_same_spec() {
    let mut w = world();
    let id = with_rich_policy(&mut w);
    let policy = w.app.ctx.tenant().policy(id).expect("policy").clone();
    let mut form = policy_form(&w.app.ctx, w.pkg, Some(&policy));
    assert_eq!(
        form.step_note(0),
        Some("Changes apply to new requests only; 2 current assignments keep the terms they were granted under")
    );
    let v = form.raw_values();
    assert_eq!(v.text("name"), "Partners' managers");
    assert_eq!(v.text("description"), "Everything set");
    assert!(!v.bool("enabled"));
    assert_eq!((v.choice("who"), v.choice("internal_scope")), (Some("internal"), Some("specific")));
    assert_eq!(v.multi("scope_users"), ids(&[w.mia, w.eve]));
    assert_eq!(v.multi("scope_groups"), ids(&[w.sales]));
    assert!(v.bool("approval"));
    assert_eq!(v.choice("stages"), Some("3"));
    assert_eq!(v.multi("s1_approvers"), ["manager", "internal_sponsors"]);
    assert_eq!(v.multi("s1_fallback"), ids(&[w.carl]));
    assert_eq!(v.number("s1_timeout"), Some(5));
    assert!(!v.bool("s1_justification"));
    assert!(v.bool("s1_escalate"));
    assert_eq!(v.number("s1_escalate_days"), Some(3));
    assert_eq!(v.multi("s1_alternates"), ids(&[w.sales]));
    assert_eq!(v.multi("s2_approvers"), ids(&[w.carl]));
    assert_eq!(v.number("s3_timeout"), Some(2));
    assert!(!v.bool("justification"));
    assert_eq!(v.choice("questions"), Some("2"));
    assert_eq!((v.text("q1_text"), v.choice("q1_kind"), v.bool("q1_required")), ("Project code?", Some("text"), true));
    assert_eq!((v.text("q2_text"), v.choice("q2_kind"), v.text("q2_options")), ("On site?", Some("choice"), "Yes, No"));
    assert_eq!(v.choice("expire"), Some("date"));
    assert_eq!(v.date("expire_date"), Some((t0() + Duration::days(90)).date_naive()));
    assert!(v.bool("allow_extension") && v.bool("extension_approval") && !v.bool("self_removal"));
    assert!(v.bool("review"));
    assert_eq!(v.choice("review_frequency"), Some("semiAnnually"));
    assert_eq!(v.datetime("review_start"), Some((t0() + Duration::days(7)).naive_utc()));
    assert_eq!(v.number("review_duration"), Some(10));
    assert_eq!(v.multi("review_reviewers"), ["manager".to_string(), w.carl.to_string()]);
    assert_eq!(v.multi("review_fallback"), ids(&[w.carl]));
    assert_eq!(v.choice("review_no_response"), Some("remove"));
    assert!(v.bool("review_before_expiry"));
    assert_eq!(v.number("review_before_days"), Some(5));
    assert!(!form.is_dirty());

    let values = form.submit().unwrap_or_else(|| panic!("refused: {:?}", form.error()));
    // The form says what it edits in its id, typed; its values hold the policy's settings only.
    assert_eq!(form.id, Ask::Policy { package: w.pkg, policy: Some(id) });
    assert_eq!((values.text("policy"), values.text("package")), ("", ""));
    assert_eq!(spec_from_values(&w.app.ctx, &values), Ok(policy.spec.clone()));

    // A third question gets a fresh id above those in use; the others keep theirs.
    form.set_value("questions", "3");
    type_into(&mut form, "q3_text", "Cost center?");
    let values = form.submit().expect("valid");
    let spec = spec_from_values(&w.app.ctx, &values).expect("valid spec");
    let qids: Vec<QuestionId> = spec.questions.iter().map(|q| q.id).collect();
    assert_eq!(qids, [QuestionId(3), QuestionId(7), QuestionId(8)]);
    let out = run_as_admin(&mut w.app, Command::UpdatePolicy { policy: id, spec });
    assert!(out.message.contains("2 existing assignment(s) keep their terms"), "{}", out.message);
}

#[test]
fn the_engine_words_land_on_the_field_they_are_about() {
    let w = world();
    /// The field, the values that break a rule, and the engine's message.
    type Case<'a> = (&'a str, Vec<(&'a str, Value)>, &'a str);
    let cases: Vec<Case> = vec![
        ("name", vec![("name", "".into())], "A policy needs a name"),
        ("scope_users", vec![], "'Specific users and groups' needs at least one user or group"),
        (
            "approval",
            vec![("who", "none".into()), ("approval", true.into()), ("s1_approvers", ids(&[w.carl]).into())],
            "A policy for administrator direct assignments only has no approval: turn approval off",
        ),
        (
            "expire_days",
            vec![("expire_days", 4000i64.into())],
            "Expiration after N days must be 0 to 3650 days (0 means never); you gave 4000",
        ),
        (
            "q1_options",
            vec![
                ("questions", "1".into()),
                ("q1_text", "Why?".into()),
                ("q1_kind", "choice".into()),
                ("q1_options", "Yes".into()),
            ],
            "Multiple-choice question 'Why?' needs at least two answers",
        ),
        (
            // A range the engine names by its typed field, not by its wording.
            "review_duration",
            vec![
                ("review", true.into()),
                ("review_frequency", "weekly".into()),
                ("review_reviewers", vec!["self".to_string()].into()),
                ("review_duration", 8i64.into()),
            ],
            "The access review's duration must be 1 to 7 days (a weekly review ends before the next one opens); you gave 8",
        ),
        (
            "review_fallback",
            vec![("review", true.into()), ("review_reviewers", vec!["manager".to_string()].into())],
            "Reviews by the manager need a fallback reviewer for users without a manager",
        ),
    ];
    for (field, values, message) in cases {
        let mut form = policy_form(&w.app.ctx, w.pkg, None);
        form.set_value("name", "Checked");
        if field != "scope_users" {
            form.set_picked("scope_users", ids(&[w.eve]));
        }
        for (id, v) in values {
            match v {
                Value::Multi(list) => form.set_picked(id, list),
                v => form.set_value(id, v),
            }
        }
        assert!(form.submit().is_none(), "{field}: refused");
        assert_eq!(form.field_error(field), Some(message), "{field}");
    }
}

#[test]
fn policy_form_steps_snapshots() {
    let mut w = world();
    let id = with_rich_policy(&mut w);
    let policy = w.app.ctx.tenant().policy(id).expect("policy").clone();
    for (wd, ht) in [(120, 35), (80, 24)] {
        let form = policy_form(&w.app.ctx, w.pkg, Some(&policy));
        w.app.open(Layer::form(form));
        for step in 1..=7 {
            let t = draw(&mut w.app, wd, ht);
            insta::assert_snapshot!(format!("policy_step{step}_{wd}x{ht}"), t.backend());
            update(&mut w.app, Action::NextStep);
        }
        update(&mut w.app, Action::Back);
        assert!(w.app.top_layer().is_none(), "an untouched form closes without asking");
    }
}

fn type_text(app: &mut App<Ctx>, text: &str) {
    for c in text.chars() {
        app.type_char(c);
    }
}

fn org_names(app: &App<Ctx>) -> Vec<String> {
    app.ctx.tenant().orgs.values().map(|o| o.display_name.clone()).collect()
}

#[test]
fn organizations_tab_creates_edits_and_deletes_through_the_ui() {
    let mut w = world();
    assert!(w.app.visible_tabs().contains(&Tab::Organizations));
    w.app.switch_tab(Tab::Organizations);

    // New: an unnamed organization and a domain already in use are refused with the engine's
    // words, and the input stays.
    update(&mut w.app, Action::New);
    update(&mut w.app, Action::Submit);
    let Some(Layer::Form(form)) = w.app.top_layer() else { panic!("the form stays open") };
    assert_eq!(form.error(), Some("A connected organization needs a name"));
    type_text(&mut w.app, "Northwind");
    update(&mut w.app, Action::NextField);
    type_text(&mut w.app, "Logistics");
    update(&mut w.app, Action::NextField);
    type_text(&mut w.app, "northwind.com, Fabrikam.com");
    update(&mut w.app, Action::Submit);
    let Some(Layer::Form(form)) = w.app.top_layer() else { panic!("the form stays open") };
    assert_eq!(form.error(), Some("The domain fabrikam.com already belongs to connected organization 'Fabrikam'"));
    assert_eq!(form.raw_values().text("domains"), "northwind.com, Fabrikam.com");

    // Fix the domains, pick an internal sponsor in the picker, save.
    update(&mut w.app, Action::ClearLine);
    type_text(&mut w.app, "northwind.com");
    for _ in 0..3 {
        update(&mut w.app, Action::NextField);
    }
    update(&mut w.app, Action::Open); // internal sponsors: the picker
    type_text(&mut w.app, "Carl");
    update(&mut w.app, Action::Toggle);
    update(&mut w.app, Action::Open);
    update(&mut w.app, Action::Submit);
    assert!(w.app.top_layer().is_none(), "saved");
    assert_eq!(org_names(&w.app), ["Fabrikam", "Northwind"]);
    let nw = w.app.ctx.tenant().find_org("Northwind").expect("created").clone();
    assert_eq!(nw.domains, ["northwind.com"]);
    assert_eq!(nw.description, "Logistics");
    assert_eq!(nw.internal_sponsors, BTreeSet::from([w.carl]));
    assert_eq!(
        w.app.message().map(|m| m.text.as_str()),
        Some(format!("Added connected organization 'Northwind' ({})", nw.id).as_str())
    );

    // Edit Fabrikam (the first row): propose it and give it an external sponsor.
    update(&mut w.app, Action::Home);
    update(&mut w.app, Action::Edit);
    for _ in 0..4 {
        update(&mut w.app, Action::NextField);
    }
    update(&mut w.app, Action::Toggle); // configured → proposed
    update(&mut w.app, Action::NextField);
    update(&mut w.app, Action::NextField);
    update(&mut w.app, Action::Open);
    type_text(&mut w.app, "Gina");
    update(&mut w.app, Action::Toggle);
    update(&mut w.app, Action::Open);
    update(&mut w.app, Action::Submit);
    assert!(w.app.top_layer().is_none(), "saved: {:?}", w.app.top_layer());
    let fab = w.app.ctx.tenant().org(w.fabrikam).expect("still there").clone();
    assert_eq!(fab.state, OrgState::Proposed);
    assert_eq!(fab.description, "Distribution partner", "untouched fields keep their values");
    assert_eq!(fab.external_sponsors.len(), 1);

    // A policy targets Fabrikam: deleting it is refused with the engine's message.
    let spec = PolicySpec::new("Partners", RequestScope::SpecificOrgs { orgs: [w.fabrikam].into() });
    run_as_admin(&mut w.app, Command::CreatePolicy { package: w.pkg, spec });
    update(&mut w.app, Action::Refresh);
    // Refused at once, with no question asked.
    update(&mut w.app, Action::Delete);
    assert!(w.app.top_layer().is_none(), "nothing opened: {:?}", w.app.top_layer());
    let msg = w.app.message().map(|m| m.text.clone()).unwrap_or_default();
    assert_eq!(msg, "Policy 'Partners' of 'Sales access' targets 'Fabrikam': change that policy first");
    assert_eq!(org_names(&w.app), ["Fabrikam", "Northwind"]);

    for (wd, ht) in [(120, 35), (80, 24)] {
        let t = draw(&mut w.app, wd, ht);
        insta::assert_snapshot!(format!("organizations_{wd}x{ht}"), t.backend());
    }

    // Northwind is targeted by nothing: it goes.
    update(&mut w.app, Action::End);
    update(&mut w.app, Action::Delete);
    update(&mut w.app, Action::Yes);
    assert_eq!(org_names(&w.app), ["Fabrikam"]);
}

#[test]
fn settings_tab_edits_through_the_ui_and_shows_lint() {
    let mut w = world();
    w.app.switch_tab(Tab::Settings);
    update(&mut w.app, Action::Edit);
    update(&mut w.app, Action::Right); // block → block then remove
    update(&mut w.app, Action::NextField);
    update(&mut w.app, Action::ClearLine);
    type_text(&mut w.app, "0");
    update(&mut w.app, Action::NextField);
    update(&mut w.app, Action::Open);
    type_text(&mut w.app, "Mia");
    update(&mut w.app, Action::Toggle);
    update(&mut w.app, Action::Open);
    // Limits: zero packages per catalog is refused by the engine, and the form keeps it.
    update(&mut w.app, Action::NextStep);
    update(&mut w.app, Action::ClearLine);
    type_text(&mut w.app, "0");
    update(&mut w.app, Action::Submit);
    let Some(Layer::Form(form)) = w.app.top_layer() else { panic!("the form stays open") };
    assert_eq!(form.error(), Some("The limit of access packages per catalog must be 1 to 1000 packages; you gave 0"));
    assert_eq!(form.raw_values().number("limit_packages"), Some(0));
    update(&mut w.app, Action::ClearLine);
    type_text(&mut w.app, "12");
    update(&mut w.app, Action::Submit);
    assert!(w.app.top_layer().is_none(), "saved");
    let s = w.app.ctx.tenant().settings.clone();
    assert_eq!(s.external_lifecycle, ExternalLifecycle::BlockThenRemove(0));
    assert_eq!(s.catalog_creators, BTreeSet::from([w.mia]));
    assert_eq!(s.limits.packages_per_catalog, 12);
    assert_eq!(s.limits.policies_per_package, 30);
    assert_eq!(w.app.message().map(|m| m.text.as_str()), Some("Settings saved"));

    let codes: Vec<&str> = w.app.ctx.tenant().lint().iter().map(|f| f.code).collect();
    assert_eq!(codes, ["org-without-sponsors"]);
    for (wd, ht) in [(120, 35), (80, 24)] {
        let t = draw(&mut w.app, wd, ht);
        insta::assert_snapshot!(format!("settings_{wd}x{ht}"), t.backend());
    }
}

#[test]
fn values_not_shown_do_not_leak_into_the_spec() {
    let w = world();
    let mut form = policy_form(&w.app.ctx, w.pkg, None);
    form.set_value("name", "Plain");
    form.set_value("internal_scope", "all_users");
    // Settings behind switches that are off.
    form.set_picked("scope_users", ids(&[w.eve]));
    form.set_picked("s1_approvers", vec!["manager".into()]);
    form.set_value("extension_approval", true);
    form.set_value("review_duration", 0i64);
    let values: FormValues = form.submit().expect("valid");
    let spec = spec_from_values(&w.app.ctx, &values).expect("valid spec");
    assert_eq!(spec, PolicySpec::new("Plain", RequestScope::AllDirectoryUsers));
}
