//! The policy editor: a form in the portal's steps, turned into a domain `PolicySpec`. The Packages
//! tab opens it with [`policy_form`] and reads the submit with [`spec_from_values`]; on an `Err` it
//! rejects, and the form stays open with the engine's message and every input kept.
//!
//! Steps and field ids (stage fields `s<n>_*` for n = 1..3, question fields `q<i>_*`):
//! - **Basics**: `name`, `description`, `enabled` (enable new requests).
//! - **Requests**: `who` (`internal` | `external` | `none`); `internal_scope` (`specific` |
//!   `all_members` | `all_users`) with `scope_users`, `scope_groups`; `external_scope`
//!   (`specific_orgs` | `all_configured` | `all_external`) with `scope_orgs`.
//! - **Approval**: `approval`, `stages` (`1`-`3`); per stage `s<n>_approvers`, `s<n>_fallback`,
//!   `s<n>_timeout`, `s<n>_justification`, `s<n>_escalate`, `s<n>_escalate_days`, `s<n>_alternates`.
//! - **Requestor information**: `justification`, `questions` (`0`-`3`); per question `q<i>_text`,
//!   `q<i>_kind` (`text` | `choice`), `q<i>_options` (comma-separated), `q<i>_required`.
//! - **Lifecycle**: `expire` (`days` | `hours` | `date` | `never`), `expire_days`, `expire_hours`,
//!   `expire_date`, `allow_extension`, `extension_approval`, `self_removal`.
//! - **Access reviews**: `review`, `review_frequency`, `review_start`, `review_duration`,
//!   `review_reviewers`, `review_fallback`, `review_no_response` (`keep` | `remove`),
//!   `review_before_expiry`, `review_before_days`.
//! - **Automatic assignment**: `automatic`, `auto_rule`, `auto_grace` (see `policy_auto`).
//! - **Custom extensions** (when the catalog has some): `ext_<stage>` per stage.
//!
//! The form also carries `q<i>_id` (the ids of existing questions) and `*_exact` instants (what the minute-precise date fields showed, to the second).

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use super::lookups::{approver_items, group_items, org_items, reviewer_items, user_items};
use super::policy_spec::{
    MAX_STAGES, QUESTION_SLOTS, build_spec, engine_errors, engine_fields, question_count, question_id, scope_kind,
    stage_count, stage_id, values_from_spec,
};
use strum::IntoEnumIterator;

use crate::domain::extensions::{ExtensionStage, StageSetting};
use crate::domain::{PackageId, Policy, PolicySpec, RequestScope, ReviewFrequency, Tenant};
use crate::ui::ask::Ask;
use crate::ui::ctx::Ctx;
use crate::ui::widgets::form::{Field, Form, FormValues};

/// The form for a new policy on `package` (`existing` = None) or for editing `existing`; its id
/// (`Ask::Policy`) names both.
pub fn policy_form(ctx: &Ctx, package: PackageId, existing: Option<&Policy>) -> Form {
    let t = ctx.tenant();
    let pkg = t.packages.get(&package).map_or_else(|| package.to_string(), |p| p.display_name.clone());
    let (title, spec) = match existing {
        Some(p) => (format!("Edit policy '{}' of '{pkg}'", p.spec.display_name), p.spec.clone()),
        None => (
            format!("New policy for '{pkg}'"),
            PolicySpec::new("", RequestScope::SpecificUsers { users: BTreeSet::new(), groups: BTreeSet::new() }),
        ),
    };
    let slots = QUESTION_SLOTS.max(spec.questions.len());
    let mut b = Builder {
        form: Form::new(Ask::Policy { package, policy: existing.map(|p| p.id) }, title),
        values: values_from_spec(&spec, ctx.now),
        used: BTreeSet::new(),
        checked: engine_fields(slots),
        tenant: Rc::new(rules_tenant(t)),
        found: Rc::default(),
    };

    b = b.step("Basics");
    if let Some(p) = existing {
        let n = t.assignments_of_package(p.package).filter(|a| a.policy == p.id && a.is_active()).count();
        b.form = b.form.note(match n {
            1 => "Changes apply to new requests only; 1 current assignment keeps the terms it was granted under"
                .to_string(),
            n => format!(
                "Changes apply to new requests only; {n} current assignments keep the terms they were granted under"
            ),
        });
    }
    b = b
        .add(Field::text("name", "Name").help("Shown when several policies fit a requestor"))
        .add(Field::text("description", "Description"))
        .add(Field::toggle("enabled", "Enable new requests").help("Off: no new requests or assignments"));

    b = requests_step(b, t);
    b = approval_step(b, t);
    b = questions_step(b, slots);
    b = lifecycle_step(b);
    b = review_step(b, t);
    b = automatic_step(b);
    b = extensions_step(b, t, package, &spec);
    b.finish()
}

/// The field of a stage's custom extension.
fn extension_field(stage: ExtensionStage) -> String {
    format!("ext_{stage}")
}

/// **Custom extensions** (only when the package's catalog has some): per stage, the extension it
/// calls (`ext_<stage>`: an extension id, or `none`).
fn extensions_step(b: Builder, t: &Tenant, package: PackageId, spec: &PolicySpec) -> Builder {
    let Some(cat) = t.packages.get(&package).map(|p| p.catalog) else { return b };
    let exts = t.catalog_extensions(cat);
    if exts.is_empty() {
        return b;
    }
    let mut b = b.step("Custom extensions");
    b.form = b
        .form
        .note("The catalog's custom extensions to call when each stage happens; the event goes to the program's stdin");
    for stage in ExtensionStage::iter() {
        let mut options = vec![("none".to_string(), "None".to_string())];
        for e in &exts {
            let waits = if e.spec.wait_for_callback { " (waits for its answer)" } else { "" };
            options.push((e.id.to_string(), format!("{}{waits}", e.spec.display_name)));
        }
        let chosen = spec
            .custom_extension_stage_settings
            .iter()
            .find(|s| s.stage == stage)
            .map_or_else(|| "none".to_string(), |s| s.custom_extension.to_string());
        b = b.add(Field::choice(extension_field(stage), stage.label(), options).value(chosen));
    }
    b
}

/// The stage settings the form's extension fields chose.
fn stage_settings(values: &FormValues) -> Vec<StageSetting> {
    ExtensionStage::iter()
        .filter_map(|stage| {
            let ext = values.choice(&extension_field(stage))?.parse().ok()?;
            Some(StageSetting { stage, custom_extension: ext })
        })
        .collect()
}

/// Read the submitted form back into a spec; an Err names the field and what to fix.
pub fn spec_from_values(ctx: &Ctx, values: &FormValues) -> Result<PolicySpec, String> {
    let mut spec = build_spec(values).map_err(|(_, msg)| msg)?;
    spec.custom_extension_stage_settings = stage_settings(values);
    ctx.tenant().validate_policy(&spec).map_err(|e| e.to_string())?;
    Ok(spec)
}

/// What `validate_policy` looks at (users, groups, organizations), without the tenant's history,
/// so that the form's validators can own it.
fn rules_tenant(t: &Tenant) -> Tenant {
    let mut slim = Tenant::new(&t.display_name, t.clock.clone());
    slim.settings = t.settings.clone();
    slim.users = t.users.clone();
    slim.resources = t.resources.clone();
    slim.orgs = t.orgs.clone();
    slim
}

/// Adds fields with their starting values and, where the engine has a rule, its check.
struct Builder {
    form: Form,
    values: FormValues,
    used: BTreeSet<String>,
    checked: BTreeSet<String>,
    tenant: Rc<Tenant>,
    /// The engine's problems with the last values checked: every field's validator reads them,
    /// so one change of the values is checked once, not once per field.
    found: Rc<RefCell<Option<Found>>>,
}

/// The values last checked and their problems by field (see [`engine_errors`]).
type Found = (FormValues, Rc<Vec<(Option<String>, String)>>);

/// The engine's problems with `values`, worked out once per change of the values.
fn problems(tenant: &Tenant, found: &RefCell<Option<Found>>, values: &FormValues) -> Rc<Vec<(Option<String>, String)>> {
    if let Some((v, p)) = &*found.borrow()
        && v == values
    {
        return p.clone();
    }
    let p = Rc::new(engine_errors(tenant, values));
    *found.borrow_mut() = Some((values.clone(), p.clone()));
    p
}

impl Builder {
    fn step(mut self, name: &str) -> Self {
        self.form = self.form.step(name);
        self
    }

    fn add(mut self, mut field: Field) -> Self {
        if let Some(v) = self.values.get(&field.id) {
            field = field.value(v.clone());
        }
        if self.checked.contains(&field.id) {
            let (tenant, found, id) = (self.tenant.clone(), self.found.clone(), field.id.clone());
            field = field.validate(move |_, all| {
                let p = problems(&tenant, &found, all);
                p.iter().find(|(f, _)| f.as_deref() == Some(id.as_str())).map(|(_, m)| m.clone())
            });
        }
        self.used.insert(field.id.clone());
        self.form = self.form.field(field);
        self
    }

    /// Carries the values no field shows (question ids, exact instants).
    fn finish(self) -> Form {
        let mut form = self.form;
        for (k, v) in self.values.iter().filter(|(k, _)| !self.used.contains(*k)) {
            form = form.carry(k.clone(), v.clone());
        }
        form
    }
}

fn automatic_step(b: Builder) -> Builder {
    let on = |v: &FormValues| v.bool("automatic");
    let mut b = b.step("Automatic assignment");
    b.form = b.form.note(
        "An automatic policy assigns everyone its rule matches, without requests: who can request, approval, questions, expiry and reviews do not apply (none, off, none, never, off)",
    );
    b.add(Field::toggle("automatic", "Assign automatically by a rule"))
        .add(
            Field::text("auto_rule", "Rule")
                .visible_if(on)
                .help("user.department, jobTitle, companyName, country, employeeType, manager, userType; -eq -ne -startsWith -in [..] -and -or ( )"),
        )
        .add(
            Field::number("auto_grace", "Grace period before removal (hours)", 0, i64::from(u32::MAX))
                .visible_if(on)
                .help("How long someone who stops matching keeps the assignment"),
        )
}

fn requests_step(b: Builder, t: &Tenant) -> Builder {
    let specific = |v: &FormValues| scope_kind(v) == "specific";
    b.step("Requests")
        .add(
            Field::choice(
                "who",
                "Who can request",
                [
                    ("internal", "Users in your directory"),
                    ("external", "Users not in your directory"),
                    ("none", "None (administrator direct assignments only)"),
                ],
            )
            .help("Internal or external users, not both"),
        )
        .add(
            Field::choice(
                "internal_scope",
                "Users in your directory",
                [
                    ("specific", "Specific users and groups"),
                    ("all_members", "All members (excluding guests)"),
                    ("all_users", "All users (including guests)"),
                ],
            )
            .visible_if(|v| v.choice("who").is_none_or(|w| w == "internal")),
        )
        .add(Field::lookup("scope_users", "Users", user_items(t), true).visible_if(specific))
        .add(
            Field::lookup("scope_groups", "Groups (their members)", group_items(t), true)
                .visible_if(specific)
                .help("Their members may request"),
        )
        .add(
            Field::choice(
                "external_scope",
                "Users not in your directory",
                [
                    ("specific_orgs", "Specific connected organizations"),
                    ("all_configured", "All configured connected organizations"),
                    ("all_external", "All users (connected organizations + any new external user)"),
                ],
            )
            .visible_if(|v| v.choice("who") == Some("external")),
        )
        .add(
            Field::lookup("scope_orgs", "Connected organizations", org_items(t), true)
                .visible_if(|v| scope_kind(v) == "specific_orgs"),
        )
}

fn approval_step(mut b: Builder, t: &Tenant) -> Builder {
    b = b.step("Approval").add(Field::toggle("approval", "Require approval")).add(
        Field::choice("stages", "Number of stages", ["1", "2", "3"])
            .visible_if(|v| v.bool("approval"))
            .help("Serial; a denial at any stage denies"),
    );
    let (approvers, others) = (approver_items(t, true), approver_items(t, false));
    for n in 1..=MAX_STAGES {
        let shown = move |v: &FormValues| stage_count(v) >= n;
        let escalates = move |v: &FormValues| stage_count(v) >= n && v.bool(&stage_id(n, "escalate"));
        let s = |f: &str| stage_id(n, f);
        b = b
            .add(
                Field::lookup(s("approvers"), format!("Stage {n} approvers"), approvers.clone(), true)
                    .visible_if(shown),
            )
            .add(
                Field::lookup(s("fallback"), format!("Stage {n} fallback approvers"), others.clone(), true)
                    .visible_if(shown)
                    .help("Used when no approver can be found"),
            )
            .add(
                Field::number(s("timeout"), format!("Stage {n} decision timeout (days)"), 0, i64::from(u32::MAX))
                    .visible_if(shown),
            )
            .add(Field::toggle(s("justification"), format!("Stage {n} approver must justify")).visible_if(shown))
            .add(Field::text(s("quorum"), format!("Stage {n} approvals (any/all/N)")).visible_if(shown))
            .add(Field::toggle(s("escalate"), format!("Stage {n} escalation")).visible_if(shown))
            .add(
                Field::number(s("escalate_days"), format!("Stage {n} escalate after (days)"), 0, i64::from(u32::MAX))
                    .visible_if(escalates),
            )
            .add(
                Field::lookup(s("alternates"), format!("Stage {n} alternate approvers"), others.clone(), true)
                    .visible_if(escalates),
            );
    }
    b
}

fn questions_step(mut b: Builder, slots: usize) -> Builder {
    let counts: Vec<String> = (0..=slots).map(|i| i.to_string()).collect();
    b = b
        .step("Requestor information")
        .add(Field::toggle("justification", "Require requestor justification"))
        .add(
            Field::toggle("on_behalf", "Managers may request for reports")
                .help("onBehalfRequestors: a manager asks for a direct report"),
        )
        .add(Field::choice("questions", "Custom questions", counts).help("Every requestor answers them"));
    for i in 1..=slots {
        let shown = move |v: &FormValues| question_count(v) >= i;
        let q = |f: &str| question_id(i, f);
        let kind = q("kind");
        b = b
            .add(Field::text(q("text"), format!("Question {i}")).visible_if(shown))
            .add(
                Field::choice(
                    q("kind"),
                    format!("Question {i} answer"),
                    [("text", "Text"), ("choice", "Multiple choice")],
                )
                .visible_if(shown),
            )
            .add(
                Field::text(q("options"), format!("Question {i} choices"))
                    .help("Comma-separated, e.g. Yes, No")
                    .visible_if(move |v| shown(v) && v.choice(&kind) == Some("choice")),
            )
            .add(Field::toggle(q("required"), format!("Question {i} required")).visible_if(shown));
    }
    b
}

fn lifecycle_step(b: Builder) -> Builder {
    let max = i64::from(u32::MAX);
    b.step("Lifecycle")
        .add(Field::choice(
            "expire",
            "Assignments expire",
            [
                ("days", "After a number of days"),
                ("hours", "After a number of hours"),
                ("date", "On a date"),
                ("never", "Never"),
            ],
        ))
        .add(
            Field::number("expire_days", "Expire after (days)", 0, max)
                .help(format!("{}; 0 means never", crate::domain::bounds::EXPIRATION_DAYS))
                .visible_if(|v| v.choice("expire").is_none_or(|e| e == "days")),
        )
        .add(
            Field::number("expire_hours", "Expire after (hours)", 0, max)
                .visible_if(|v| v.choice("expire") == Some("hours")),
        )
        .add(Field::date("expire_date", "Expire on", true).visible_if(|v| v.choice("expire") == Some("date")))
        .add(Field::toggle("allow_extension", "Users can request an extension"))
        .add(
            Field::toggle("extension_approval", "Extension requires approval")
                .visible_if(|v| v.bool("allow_extension")),
        )
        .add(Field::toggle("self_removal", "Users can remove their own access"))
}

fn review_step(b: Builder, t: &Tenant) -> Builder {
    let on = |v: &FormValues| v.bool("review");
    let frequencies: Vec<(String, String)> = [
        ReviewFrequency::Weekly,
        ReviewFrequency::Monthly,
        ReviewFrequency::Quarterly,
        ReviewFrequency::SemiAnnually,
        ReviewFrequency::Annually,
    ]
    .into_iter()
    .map(|f| {
        let label = match f {
            ReviewFrequency::Weekly => "Weekly",
            ReviewFrequency::Monthly => "Monthly",
            ReviewFrequency::Quarterly => "Quarterly",
            ReviewFrequency::SemiAnnually => "Semi-annually",
            ReviewFrequency::Annually => "Annually",
        };
        (f.to_string(), label.to_string())
    })
    .collect();
    b.step("Access reviews")
        .add(Field::toggle("review", "Require access reviews"))
        .add(Field::choice("review_frequency", "Frequency", frequencies).visible_if(on))
        .add(Field::date("review_start", "Starts on", true).visible_if(on))
        .add(Field::number("review_duration", "Duration (days)", 0, i64::from(u32::MAX)).visible_if(on))
        .add(Field::lookup("review_reviewers", "Reviewers", reviewer_items(t), true).visible_if(on))
        .add(
            Field::lookup("review_fallback", "Fallback reviewers", user_items(t), true)
                .visible_if(on)
                .help("Used when no reviewer can be found"),
        )
        .add(
            Field::choice(
                "review_no_response",
                "If reviewers don't respond",
                [("keep", "Keep access"), ("remove", "Remove access")],
            )
            .visible_if(on),
        )
        .add(
            Field::toggle("review_before_expiry", "Instead, start before expiry")
                .visible_if(on)
                .help("Review each assignment before it ends"),
        )
        .add(
            Field::number("review_before_days", "Days before expiry", 0, i64::from(u32::MAX))
                .visible_if(move |v| on(v) && v.bool("review_before_expiry")),
        )
}
