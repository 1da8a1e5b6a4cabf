//! The policy editor's values and the domain's [`PolicySpec`], both ways: [`values_from_spec`]
//! fills the form (a new policy's defaults, or the policy being edited) and [`build_spec`] reads it
//! back. The rules stay the engine's: [`engine_errors`] runs `Tenant::policy_issues` on the spec
//! built from the current values; each issue names its field in a typed way (`bounds::Field`), so
//! the form shows every problem at once, in the engine's own words, under the field it is about.
//!
//! Both directions decide what counts from the values themselves (the number of stages, the kind of
//! "who can request"...), so they work alike on a submit (visible fields only) and on the raw values
//! of every field that the validators see.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDateTime, TimeZone, Timelike};

use super::lookups::{approver_key, parse_approver, parse_ids, parse_reviewer, reviewer_key};
use crate::domain::bounds::Field as BoundField;
use crate::domain::lint::QUIET_TIMEOUT_DAYS;
use crate::domain::{
    ApprovalStage, Approver, Escalation, Expiration, Lifecycle, NoResponse, PolicySpec, Question, QuestionId,
    QuestionKind, Quorum, RequestScope, ReviewFrequency, ReviewSettings, Tenant, Time, UserId,
};
use crate::ui::widgets::form::{FormValues, Value};

/// Approval stages the form offers (the engine's limit).
pub const MAX_STAGES: usize = 3;
/// Custom question slots in a new policy (an edited one gets as many as it has, if more).
pub const QUESTION_SLOTS: usize = 3;

/// A field of approval stage `n` (1-based), e.g. `s2_timeout`.
pub fn stage_id(n: usize, field: &str) -> String {
    format!("s{n}_{field}")
}

/// A field of question slot `i` (1-based), e.g. `q1_text`.
pub fn question_id(i: usize, field: &str) -> String {
    format!("q{i}_{field}")
}

/// A message and the field that should show it.
pub type FieldError = (String, String);

fn err<T>(field: impl Into<String>, msg: impl Into<String>) -> Result<T, FieldError> {
    Err((field.into(), msg.into()))
}

/// How many approval stages the values ask for (0 without approval).
pub fn stage_count(v: &FormValues) -> usize {
    if !v.bool("approval") {
        return 0;
    }
    v.choice("stages").and_then(|s| s.parse().ok()).unwrap_or(1).clamp(1, MAX_STAGES)
}

/// How many custom questions the values ask for.
pub fn question_count(v: &FormValues) -> usize {
    v.choice("questions").and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// "Who can request", as one word: `specific`, `all_members`, `all_users` (users in your directory),
/// `specific_orgs`, `all_configured`, `all_external` (users not in your directory), or `none`.
pub fn scope_kind(v: &FormValues) -> &str {
    match v.choice("who") {
        Some("none") => "none",
        Some("external") => v.choice("external_scope").unwrap_or("specific_orgs"),
        _ => v.choice("internal_scope").unwrap_or("specific"),
    }
}

/// The values of a spec; stages, questions and review settings it lacks get the portal's defaults.
/// Besides the fields, it holds `q<i>_id` (the id of an existing question) and `*_exact` (an instant
/// to the second, which the minute-precise date fields would otherwise round): the form carries them.
pub fn values_from_spec(spec: &PolicySpec, now: Time) -> FormValues {
    let mut v: BTreeMap<String, Value> = BTreeMap::new();
    let mut put = |k: &str, val: Value| {
        v.insert(k.to_string(), val);
    };
    let choice = |s: &str| Value::Choice(Some(s.to_string()));
    let multi = |it: Vec<String>| Value::Multi(it);
    let num = |n: u32| Value::Number(Some(i64::from(n)));
    put("name", Value::Text(spec.display_name.clone()));
    put("description", Value::Text(spec.description.clone()));
    put("enabled", Value::Bool(spec.enabled));
    for (k, val) in super::policy_auto::values(spec) {
        put(k, val);
    }

    let (who, internal, external) = match &spec.scope {
        RequestScope::AdminOnly => ("none", "specific", "specific_orgs"),
        RequestScope::SpecificUsers { .. } => ("internal", "specific", "specific_orgs"),
        RequestScope::AllMembers => ("internal", "all_members", "specific_orgs"),
        RequestScope::AllDirectoryUsers => ("internal", "all_users", "specific_orgs"),
        RequestScope::SpecificOrgs { .. } => ("external", "specific", "specific_orgs"),
        RequestScope::AllConfiguredOrgs => ("external", "specific", "all_configured"),
        RequestScope::AllExternal => ("external", "specific", "all_external"),
    };
    put("who", choice(who));
    put("internal_scope", choice(internal));
    put("external_scope", choice(external));
    let (users, groups, orgs) = match &spec.scope {
        RequestScope::SpecificUsers { users, groups } => {
            (users.iter().map(|u| u.to_string()).collect(), groups.iter().map(|g| g.to_string()).collect(), vec![])
        }
        RequestScope::SpecificOrgs { orgs } => (vec![], vec![], orgs.iter().map(|o| o.to_string()).collect()),
        _ => (vec![], vec![], vec![]),
    };
    put("scope_users", multi(users));
    put("scope_groups", multi(groups));
    put("scope_orgs", multi(orgs));

    put("approval", Value::Bool(!spec.stages.is_empty()));
    put("stages", choice(&spec.stages.len().clamp(1, MAX_STAGES).to_string()));
    let keys = |list: &[Approver]| multi(list.iter().map(approver_key).collect());
    for n in 1..=MAX_STAGES {
        // A new stage decides within the time the lint accepts, so the editor's defaults are clean.
        let default = ApprovalStage { timeout_days: QUIET_TIMEOUT_DAYS, ..ApprovalStage::new(vec![]) };
        let st = spec.stages.get(n - 1).unwrap_or(&default);
        put(&stage_id(n, "approvers"), keys(&st.approvers));
        put(&stage_id(n, "fallback"), keys(&st.fallback));
        put(&stage_id(n, "timeout"), num(st.timeout_days));
        put(&stage_id(n, "justification"), Value::Bool(st.justification_required));
        put(&stage_id(n, "quorum"), Value::Text(st.quorum.to_string()));
        put(&stage_id(n, "escalate"), Value::Bool(st.escalation.is_some()));
        let days = st.escalation.as_ref().map_or(st.timeout_days.saturating_sub(1).clamp(1, 7), |e| e.after_days);
        put(&stage_id(n, "escalate_days"), num(days));
        put(&stage_id(n, "alternates"), keys(st.escalation.as_ref().map_or(&[][..], |e| e.alternates.as_slice())));
    }

    put("justification", Value::Bool(spec.justification_required));
    put("on_behalf", Value::Bool(spec.allow_on_behalf));
    put("questions", choice(&spec.questions.len().to_string()));
    for (i, q) in spec.questions.iter().enumerate().map(|(i, q)| (i + 1, q)) {
        put(&question_id(i, "id"), Value::Text(q.id.to_string()));
        put(&question_id(i, "text"), Value::Text(q.text.clone()));
        let (kind, options) = match &q.kind {
            QuestionKind::Text => ("text", String::new()),
            QuestionKind::Choice { options } => ("choice", options.join(", ")),
        };
        put(&question_id(i, "kind"), choice(kind));
        put(&question_id(i, "options"), Value::Text(options));
        put(&question_id(i, "required"), Value::Bool(q.required));
    }

    let lc = &spec.lifecycle;
    let (expire, days, hours) = match lc.expiration {
        Expiration::AfterDays(d) => ("days", d, 24),
        Expiration::AfterHours(h) => ("hours", 365, h),
        Expiration::OnDate(_) => ("date", 365, 24),
        Expiration::Never => ("never", 365, 24),
    };
    put("expire", choice(expire));
    put("expire_days", num(days));
    put("expire_hours", num(hours));
    if let Expiration::OnDate(t) = lc.expiration {
        put("expire_date", Value::Date(Some(t.naive_utc())));
        put("expire_date_exact", Value::Date(Some(t.naive_utc())));
    }
    put("allow_extension", Value::Bool(lc.allow_extension));
    put("extension_approval", Value::Bool(lc.extension_requires_approval));
    put("self_removal", Value::Bool(lc.allow_self_removal));

    let r = spec.review.as_ref();
    put("review", Value::Bool(r.is_some()));
    put("review_frequency", choice(&r.map_or(ReviewFrequency::Quarterly, |r| r.frequency).to_string()));
    let start = r.map_or(now, |r| r.starts_on).naive_utc();
    put("review_start", Value::Date(Some(start)));
    put("review_start_exact", Value::Date(Some(start)));
    put("review_duration", num(r.map_or(14, |r| r.duration_days)));
    put("review_reviewers", multi(r.map_or(vec![], |r| r.reviewers.iter().map(reviewer_key).collect())));
    put("review_fallback", multi(r.map_or(vec![], |r| r.fallback.iter().map(|u| u.to_string()).collect())));
    put("review_no_response", choice(&r.map_or(NoResponse::Keep, |r| r.no_response).to_string()));
    let before = r.and_then(|r| r.before_expiry_days);
    put("review_before_expiry", Value::Bool(before.is_some()));
    put("review_before_days", num(before.unwrap_or(14)));
    FormValues(v)
}

/// A whole number of a field, or the message to show under it.
fn number(v: &FormValues, id: &str, missing: impl FnOnce() -> String) -> Result<u32, FieldError> {
    match v.number(id) {
        None => err(id, missing()),
        Some(n) => u32::try_from(n).or_else(|_| err(id, format!("{n} is out of range"))),
    }
}

/// A date field as an instant; when it still shows the instant it was filled with (to the minute),
/// that exact instant, so an untouched field does not move by the seconds it cannot show.
fn instant(v: &FormValues, id: &str, exact: &str) -> Option<Time> {
    let shown = v.datetime(id)?;
    let minute = |d: NaiveDateTime| d.with_second(0).and_then(|d| d.with_nanosecond(0));
    let at = match v.datetime(exact) {
        Some(e) if minute(e) == Some(shown) || e == shown => e,
        _ => shown,
    };
    Some(chrono::Utc.from_utc_datetime(&at))
}

/// The ids picked in a lookup field.
fn id_set<T: std::str::FromStr<Err = String> + Ord>(
    v: &FormValues,
    id: &str,
    label: &str,
) -> Result<BTreeSet<T>, FieldError> {
    parse_ids(v.multi(id), label).map_err(|e| (id.to_string(), e))
}

fn approvers(v: &FormValues, id: &str, label: &str) -> Result<Vec<Approver>, FieldError> {
    v.multi(id).iter().map(|k| parse_approver(k).map_err(|e| (id.to_string(), format!("{label}: {e}")))).collect()
}

/// The spec the values describe, or the first value that cannot be read (see [`read_spec`]).
pub fn build_spec(v: &FormValues) -> Result<PolicySpec, FieldError> {
    let (spec, mut errors) = read_spec(v);
    match errors.drain(..).next() {
        Some(e) => Err(e),
        None => Ok(spec),
    }
}

/// Keeps `r`'s value, or notes its error and goes on with `fallback` (so every field's problem is
/// found in one pass; the engine's checks of a fallback are not shown over the reading error).
fn noted<T>(r: Result<T, FieldError>, errors: &mut Vec<FieldError>, fallback: T) -> T {
    r.unwrap_or_else(|e| {
        errors.push(e);
        fallback
    })
}

/// The spec the values describe, and every value that could not be read (a number left empty,
/// say), each with its field; the rules themselves are checked by the engine ([`engine_errors`]).
pub fn read_spec(v: &FormValues) -> (PolicySpec, Vec<FieldError>) {
    let mut errors: Vec<FieldError> = Vec::new();
    let e = &mut errors;
    let scope = match scope_kind(v) {
        "none" => RequestScope::AdminOnly,
        "all_members" => RequestScope::AllMembers,
        "all_users" => RequestScope::AllDirectoryUsers,
        "specific_orgs" => {
            RequestScope::SpecificOrgs { orgs: noted(id_set(v, "scope_orgs", "Connected organizations"), e, [].into()) }
        }
        "all_configured" => RequestScope::AllConfiguredOrgs,
        "all_external" => RequestScope::AllExternal,
        _ => RequestScope::SpecificUsers {
            users: noted(id_set(v, "scope_users", "Users"), e, [].into()),
            groups: noted(id_set(v, "scope_groups", "Groups"), e, [].into()),
        },
    };

    let mut stages = vec![];
    for n in 1..=stage_count(v) {
        let s = |f: &str| stage_id(n, f);
        let escalation = if v.bool(&s("escalate")) {
            Some(Escalation {
                after_days: noted(
                    number(v, &s("escalate_days"), || format!("Stage {n}: escalate after how many days?")),
                    e,
                    1,
                ),
                alternates: noted(approvers(v, &s("alternates"), "Alternate approvers"), e, vec![]),
            })
        } else {
            None
        };
        stages.push(ApprovalStage {
            approvers: noted(approvers(v, &s("approvers"), "Approvers"), e, vec![]),
            fallback: noted(approvers(v, &s("fallback"), "Fallback approvers"), e, vec![]),
            timeout_days: noted(
                number(v, &s("timeout"), || {
                    format!("Stage {n}: decision timeout must be {}", crate::domain::bounds::STAGE_TIMEOUT_DAYS)
                }),
                e,
                QUIET_TIMEOUT_DAYS,
            ),
            justification_required: v.bool(&s("justification")),
            escalation,
            quorum: noted(v.text(&s("quorum")).parse::<Quorum>().or_else(|m| err(s("quorum"), m)), e, Quorum::Any),
        });
    }

    // Questions keep their ids; new ones get ids above every id the policy has used.
    let known: Vec<u64> = v
        .iter()
        .filter(|(k, _)| k.starts_with('q') && k.ends_with("_id"))
        .filter_map(|(_, val)| val.as_text().parse::<QuestionId>().ok())
        .map(|q| q.0)
        .collect();
    let mut fresh = known.iter().copied().max().unwrap_or(0);
    let mut questions = vec![];
    for i in 1..=question_count(v) {
        let q = |f: &str| question_id(i, f);
        let id = match v.get(&q("id")).and_then(|val| val.as_text().parse::<QuestionId>().ok()) {
            Some(id) => id,
            None => {
                fresh += 1;
                QuestionId(fresh)
            }
        };
        let kind = if v.choice(&q("kind")) == Some("choice") {
            let options =
                v.text(&q("options")).split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
            QuestionKind::Choice { options }
        } else {
            QuestionKind::Text
        };
        questions.push(Question { id, text: v.text(&q("text")).to_string(), kind, required: v.bool(&q("required")) });
    }

    let expiration = match v.choice("expire") {
        Some("hours") => Expiration::AfterHours(noted(
            number(v, "expire_hours", || "Assignments last how many hours?".into()),
            e,
            24,
        )),
        Some("date") => match instant(v, "expire_date", "expire_date_exact") {
            Some(t) => Expiration::OnDate(t),
            None => noted(err("expire_date", "Pick the date assignments end (YYYY-MM-DD)"), e, Expiration::Never),
        },
        Some("never") => Expiration::Never,
        _ => Expiration::AfterDays(noted(
            number(v, "expire_days", || {
                format!("Assignments last {} (0 means never)", crate::domain::bounds::EXPIRATION_DAYS)
            }),
            e,
            0,
        )),
    };
    let allow_extension = v.bool("allow_extension");
    let lifecycle = Lifecycle {
        expiration,
        allow_extension,
        extension_requires_approval: allow_extension && v.bool("extension_approval"),
        allow_self_removal: v.bool("self_removal"),
    };

    let review = if v.bool("review") {
        let frequency = v
            .choice("review_frequency")
            .and_then(|f| f.parse::<ReviewFrequency>().ok())
            .unwrap_or(ReviewFrequency::Quarterly);
        let starts_on = match instant(v, "review_start", "review_start_exact") {
            Some(t) => t,
            None => noted(
                err("review_start", "Pick the date the first review starts (YYYY-MM-DD)"),
                e,
                chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
            ),
        };
        let no_response = match v.choice("review_no_response") {
            Some("remove") => NoResponse::Remove,
            _ => NoResponse::Keep,
        };
        let reviewers = v
            .multi("review_reviewers")
            .iter()
            .map(|k| parse_reviewer(k).map_err(|e| ("review_reviewers".to_string(), format!("Reviewers: {e}"))))
            .collect::<Result<Vec<_>, _>>();
        let reviewers = noted(reviewers, e, vec![]);
        let fallback: Vec<UserId> = noted(
            parse_ids(v.multi("review_fallback"), "Fallback reviewers").map_err(|e| ("review_fallback".to_string(), e)),
            e,
            vec![],
        );
        Some(ReviewSettings {
            frequency,
            starts_on,
            duration_days: noted(
                number(v, "review_duration", || "An access review must last at least 1 day".into()),
                e,
                1,
            ),
            reviewers,
            fallback,
            no_response,
            before_expiry_days: if v.bool("review_before_expiry") {
                Some(noted(
                    number(v, "review_before_days", || "Start the review how many days before expiry?".into()),
                    e,
                    1,
                ))
            } else {
                None
            },
        })
    } else {
        None
    };

    let mut spec = PolicySpec {
        display_name: v.text("name").trim().to_string(),
        description: v.text("description").to_string(),
        scope,
        stages,
        justification_required: v.bool("justification"),
        questions,
        enabled: v.bool("enabled"),
        lifecycle,
        review,
        allow_on_behalf: v.bool("on_behalf"),
        automatic: None,
        custom_extension_stage_settings: vec![],
    };
    super::policy_auto::apply(v, &mut spec, &mut errors);
    (spec, errors)
}

/// Every problem of the values, each with the form field it is about (None when no field shows
/// it; the form shows those when it is submitted): the values that cannot be read, then the
/// engine's issues with the spec they describe, in the engine's words. A field shows one problem.
pub fn engine_errors(tenant: &Tenant, v: &FormValues) -> Vec<(Option<String>, String)> {
    let (spec, read) = read_spec(v);
    let mut out: Vec<(Option<String>, String)> = read.into_iter().map(|(f, m)| (Some(f), m)).collect();
    for issue in tenant.policy_issues(&spec) {
        let field = form_field(issue.field);
        if field.is_none() || !out.iter().any(|(f, _)| *f == field) {
            out.push((field, issue.error.to_string()));
        }
    }
    out
}

/// The form field of a field the engine names (see `domain::bounds::Field`).
fn form_field(field: BoundField) -> Option<String> {
    Some(match field {
        BoundField::Name => "name".into(),
        BoundField::Description => "description".into(),
        BoundField::Stages => "stages".into(),
        BoundField::StageTimeout { stage } => stage_id(stage, "timeout"),
        BoundField::Escalation { stage } => stage_id(stage, "escalate_days"),
        BoundField::Approvers { stage } => stage_id(stage, "approvers"),
        BoundField::Fallback { stage } => stage_id(stage, "fallback"),
        BoundField::Alternates { stage } => stage_id(stage, "alternates"),
        BoundField::Approval => "approval".into(),
        BoundField::ExtensionApproval => "extension_approval".into(),
        BoundField::ScopeUsers => "scope_users".into(),
        BoundField::ScopeGroups => "scope_groups".into(),
        BoundField::ScopeOrgs => "scope_orgs".into(),
        BoundField::ExpirationDays => "expire_days".into(),
        BoundField::ExpirationHours => "expire_hours".into(),
        BoundField::ExpirationDate => "expire_date".into(),
        BoundField::ReviewDuration => "review_duration".into(),
        BoundField::ReviewStart => "review_start".into(),
        BoundField::ReviewBeforeExpiry => "review_before_days".into(),
        BoundField::Reviewers => "review_reviewers".into(),
        BoundField::ReviewFallback => "review_fallback".into(),
        BoundField::Questions => "questions".into(),
        BoundField::QuestionText { question } => question_id(question, "text"),
        BoundField::QuestionOptions { question } => question_id(question, "options"),
        BoundField::Rule => "auto_rule".into(),
        BoundField::GracePeriod => "auto_grace".into(),
        _ => return None,
    })
}

/// Every field id that [`engine_errors`] can name, for `n` question slots.
pub fn engine_fields(slots: usize) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = [
        "name",
        "description",
        "approval",
        "stages",
        "extension_approval",
        "expire_days",
        "expire_hours",
        "expire_date",
        "scope_users",
        "scope_groups",
        "scope_orgs",
        "questions",
        "review_duration",
        "review_reviewers",
        "review_fallback",
        "review_start",
        "review_before_days",
    ]
    .into_iter()
    .chain(super::policy_auto::FIELDS)
    .map(String::from)
    .collect();
    for n in 1..=MAX_STAGES {
        for f in ["approvers", "fallback", "timeout", "escalate_days", "alternates"] {
            out.insert(stage_id(n, f));
        }
    }
    for i in 1..=slots {
        out.insert(question_id(i, "text"));
        out.insert(question_id(i, "options"));
    }
    out
}
