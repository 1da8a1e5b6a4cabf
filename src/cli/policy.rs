//! `policy create/update/delete`: a PolicySpec from flags (or a JSON file), checked by the domain.
//!
//! Per-stage flags belong to the `--stage` typed before them, found by their position on the
//! command line. In `update` without any `--stage`, they apply to every existing stage.

use anyhow::{Context, Result};
use clap::ArgMatches;

use super::args_policy::{FrequencyArg, NoResponseArg, PolicyCmd, PolicyFlags};
use super::{Ctx, parse, usage};
use crate::domain::auto_assign::AutomaticSettings;
use crate::domain::{
    ApprovalStage, Command, Escalation, Expiration, NoResponse, Policy, PolicySpec, Question, QuestionId, QuestionKind,
    RequestScope, ReviewFrequency, ReviewSettings, Tenant, Time,
};

pub(crate) fn policy(ctx: &mut Ctx, c: PolicyCmd) -> Result<()> {
    match c {
        PolicyCmd::List { package } => super::policy_show::list(ctx, package.as_deref()),
        PolicyCmd::Show { policy, package } => super::policy_show::show(ctx, &policy, package.as_deref()),
        PolicyCmd::Create { package, flags, dry_run } => {
            let t = ctx.t();
            let pkg = t.find_package(&package)?;
            let mut spec = match &flags.spec {
                Some(path) => read_spec(path)?,
                None => {
                    if flags.scope.is_none() && flags.automatic.rule.is_none() {
                        return Err(usage(
                            "policy create needs --scope (who can request), --rule (an automatic policy) or --spec FILE",
                        ));
                    }
                    let name = if pkg.policies.is_empty() {
                        "Initial policy".to_string()
                    } else {
                        format!("Policy {}", pkg.policies.len() + 1)
                    };
                    // The scope is applied with the other flags.
                    PolicySpec::new(&name, RequestScope::AdminOnly)
                }
            };
            apply(t, ctx.now(), &mut spec, &flags, ctx.matches, true)?;
            super::extensions::apply_stage_flags(t, pkg.catalog, &mut spec, &flags.custom)?;
            let package = pkg.id;
            if dry_run {
                return super::policy_show::preview(ctx, package, None, &spec);
            }
            ctx.exec(Command::CreatePolicy { package, spec }).map(|_| ())
        }
        PolicyCmd::Update { policy, package, flags, dry_run } => {
            let t = ctx.t();
            let pol = find(t, &policy, package.as_deref())?;
            let mut spec = match &flags.spec {
                Some(path) => read_spec(path)?,
                None => pol.spec.clone(),
            };
            apply(t, ctx.now(), &mut spec, &flags, ctx.matches, false)?;
            super::extensions::apply_stage_flags(t, t.package(pol.package)?.catalog, &mut spec, &flags.custom)?;
            let policy = pol.id;
            if dry_run && spec.automatic.is_none() {
                return super::what_if::policy(ctx, policy, &spec);
            }
            if dry_run {
                return super::policy_show::preview(ctx, pol.package, Some(policy), &spec);
            }
            ctx.exec(Command::UpdatePolicy { policy, spec }).map(|_| ())
        }
        PolicyCmd::Delete { policy, package } => {
            let policy = find(ctx.t(), &policy, package.as_deref())?.id;
            ctx.exec(Command::DeletePolicy { policy }).map(|_| ())
        }
    }
}

/// A policy by id or name, within a package when one is given.
pub(crate) fn find<'t>(t: &'t Tenant, key: &str, package: Option<&str>) -> Result<&'t Policy> {
    let pkg = package.map(|p| t.find_package(p).map(|p| p.id)).transpose()?;
    Ok(t.find_policy(pkg, key)?)
}

fn read_spec(path: &std::path::Path) -> Result<PolicySpec> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{}: could not read it", path.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!("{} line {}, column {}: not a policy spec: {e}", path.display(), e.line(), e.column())
    })
}

/// The values of a repeatable option with their positions on the command line.
fn positioned<T: Clone + Send + Sync + 'static>(m: &ArgMatches, id: &str) -> Vec<(usize, T)> {
    let values = m.try_get_many::<T>(id).ok().flatten().map(|v| v.cloned().collect::<Vec<_>>()).unwrap_or_default();
    let indices = m.indices_of(id).map(|i| i.collect::<Vec<_>>()).unwrap_or_default();
    indices.into_iter().zip(values).collect()
}

/// Which item (stage or question) a flag at `at` belongs to: the last one typed before it.
fn owner(starts: &[usize], at: usize) -> Option<usize> {
    starts.iter().rposition(|s| *s < at)
}

fn apply(t: &Tenant, now: Time, spec: &mut PolicySpec, f: &PolicyFlags, m: &ArgMatches, creating: bool) -> Result<()> {
    if let Some(n) = &f.name {
        spec.display_name = n.clone();
    }
    if let Some(d) = &f.description {
        spec.description = d.clone();
    }
    if let Some(s) = &f.scope {
        spec.scope = parse::scope(t, s)?;
    }
    if f.disable {
        spec.enabled = false;
    }
    if f.enable {
        spec.enabled = true;
    }
    apply_stages(t, spec, f, m, creating)?;
    apply_questions(spec, f, m)?;
    let r = &f.requestor;
    if r.no_justification {
        spec.justification_required = false;
    }
    if r.on_behalf || r.no_on_behalf {
        spec.allow_on_behalf = r.on_behalf;
    }
    if r.justification {
        spec.justification_required = true;
    }
    let e = &f.expiry;
    if let Some(d) = e.expire_days {
        spec.lifecycle.expiration = Expiration::AfterDays(d);
    } else if let Some(h) = e.expire_hours {
        spec.lifecycle.expiration = Expiration::AfterHours(h);
    } else if let Some(w) = e.expire_on {
        spec.lifecycle.expiration = Expiration::OnDate(w.resolve(now));
    } else if e.never_expire {
        spec.lifecycle.expiration = Expiration::Never;
    }
    let l = &f.lifecycle;
    let lc = &mut spec.lifecycle;
    lc.allow_extension = flag(l.allow_extension, l.no_extension, lc.allow_extension);
    lc.extension_requires_approval =
        flag(l.extension_approval, l.no_extension_approval, lc.extension_requires_approval);
    lc.allow_self_removal = flag(l.self_removal, l.no_self_removal, lc.allow_self_removal);
    apply_review(t, now, spec, f)?;
    apply_automatic(spec, f);
    Ok(())
}

/// `--rule` makes the policy automatic, with what an automatic policy must be (nobody requests,
/// no approval, no questions, no review, no expiry); `--not-automatic` makes it one people request.
fn apply_automatic(spec: &mut PolicySpec, f: &PolicyFlags) {
    let a = &f.automatic;
    if a.not_automatic {
        spec.automatic = None;
    }
    if let Some(rule) = &a.rule {
        let grace = spec.automatic.as_ref().map_or(0, |x| x.grace_period_hours);
        spec.automatic = Some(AutomaticSettings { rule: rule.clone(), grace_period_hours: grace });
        spec.scope = RequestScope::AdminOnly;
        spec.stages.clear();
        spec.questions.clear();
        spec.review = None;
        spec.lifecycle.expiration = Expiration::Never;
    }
    if let (Some(h), Some(x)) = (a.grace_hours, spec.automatic.as_mut()) {
        x.grace_period_hours = h;
    }
}

fn flag(on: bool, off: bool, current: bool) -> bool {
    if on {
        true
    } else if off {
        false
    } else {
        current
    }
}

fn apply_stages(t: &Tenant, spec: &mut PolicySpec, f: &PolicyFlags, m: &ArgMatches, creating: bool) -> Result<()> {
    let a = &f.approval;
    if a.no_approval {
        spec.stages.clear();
    }
    let stages = positioned::<String>(m, "stage");
    let starts: Vec<usize> = stages.iter().map(|(i, _)| *i).collect();
    if !stages.is_empty() {
        spec.stages =
            stages.iter().map(|(_, s)| parse::approvers(t, s).map(ApprovalStage::new)).collect::<Result<_>>()?;
    }
    let existing = spec.stages.len();
    // Which stages a per-stage flag at position `at` changes.
    let targets = |at: usize, name: &str| -> Result<Vec<usize>> {
        match owner(&starts, at) {
            Some(i) => Ok(vec![i]),
            None if starts.is_empty() && !creating && existing > 0 => Ok((0..existing).collect()),
            None if starts.is_empty() && !creating => {
                Err(usage(format!("--{name}: the policy has no approval stages; add one with --stage")))
            }
            None => Err(usage(format!("--{name} applies to the --stage before it: put it after a --stage"))),
        }
    };
    for (at, v) in positioned::<String>(m, "fallback") {
        let list = parse::approvers(t, &v)?;
        for st in stages_at(&mut spec.stages, targets(at, "fallback")?) {
            for x in &list {
                if !st.fallback.contains(x) {
                    st.fallback.push(x.clone());
                }
            }
        }
    }
    for (at, v) in positioned::<u32>(m, "timeout") {
        for st in stages_at(&mut spec.stages, targets(at, "timeout")?) {
            st.timeout_days = v;
        }
    }
    for (at, v) in positioned::<crate::domain::Quorum>(m, "quorum") {
        for st in stages_at(&mut spec.stages, targets(at, "quorum")?) {
            st.quorum = v;
        }
    }
    for (at, v) in positioned::<String>(m, "escalate") {
        let Some((days, who)) = v.split_once(':') else {
            return Err(usage(format!("--escalate '{v}': use DAYS:APPROVERS, e.g. 5:Bob")));
        };
        let after_days =
            days.trim().parse().map_err(|_| usage(format!("--escalate '{v}': '{days}' is not a number of days")))?;
        let alternates = parse::approvers(t, who)?;
        for st in stages_at(&mut spec.stages, targets(at, "escalate")?) {
            st.escalation = Some(Escalation { after_days, alternates: alternates.clone() });
        }
    }
    for (id, value) in [("no_approver_justification", false), ("approver_justification", true)] {
        for (at, _) in positioned::<bool>(m, id) {
            for st in stages_at(&mut spec.stages, targets(at, &id.replace('_', "-"))?) {
                st.justification_required = value;
            }
        }
    }
    Ok(())
}

/// The stages at the given positions.
fn stages_at(stages: &mut [ApprovalStage], which: Vec<usize>) -> impl Iterator<Item = &mut ApprovalStage> {
    stages.iter_mut().enumerate().filter(move |(i, _)| which.contains(i)).map(|(_, s)| s)
}

fn apply_questions(spec: &mut PolicySpec, f: &PolicyFlags, m: &ArgMatches) -> Result<()> {
    if f.requestor.clear_questions {
        spec.questions.clear();
    }
    let mut items: Vec<(usize, QuestionKind, String)> = vec![];
    for (at, text) in positioned::<String>(m, "question") {
        items.push((at, QuestionKind::Text, text));
    }
    for (at, text) in positioned::<String>(m, "choice") {
        let Some((q, options)) = text.rsplit_once('=') else {
            return Err(usage(format!("--choice '{text}': use \"TEXT=a|b|c\"")));
        };
        let options = options.split('|').map(str::trim).filter(|o| !o.is_empty()).map(str::to_string).collect();
        items.push((at, QuestionKind::Choice { options }, q.trim().to_string()));
    }
    items.sort_by_key(|(at, _, _)| *at);
    let starts: Vec<usize> = items.iter().map(|(at, _, _)| *at).collect();
    let mut required = vec![false; items.len()];
    for (at, _) in positioned::<bool>(m, "required") {
        match owner(&starts, at) {
            Some(i) => {
                if let Some(r) = required.get_mut(i) {
                    *r = true;
                }
            }
            None => return Err(usage("--required applies to the --question or --choice before it")),
        }
    }
    let first = spec.questions.iter().map(|q| q.id.0).max().unwrap_or(0) + 1;
    for (n, ((_, kind, text), required)) in (first..).zip(items.into_iter().zip(required)) {
        spec.questions.push(Question { id: QuestionId(n), text, kind, required });
    }
    Ok(())
}

fn apply_review(t: &Tenant, now: Time, spec: &mut PolicySpec, f: &PolicyFlags) -> Result<()> {
    let r = &f.review;
    if r.no_review {
        spec.review = None;
        return Ok(());
    }
    let touched = r.review.is_some()
        || r.review_start.is_some()
        || r.review_duration.is_some()
        || !r.reviewer.is_empty()
        || !r.review_fallback.is_empty()
        || r.no_response.is_some()
        || r.review_before_expiry.is_some();
    if !touched {
        return Ok(());
    }
    let fresh = spec.review.is_none();
    let mut settings = match (spec.review.take(), r.review) {
        (Some(s), _) => s,
        (None, Some(_)) => ReviewSettings {
            frequency: ReviewFrequency::Monthly,
            starts_on: now,
            duration_days: 14,
            reviewers: vec![],
            fallback: vec![],
            no_response: NoResponse::Keep,
            before_expiry_days: None,
        },
        (None, None) => return Err(usage("The policy has no access review yet: turn one on with --review FREQUENCY")),
    };
    if let Some(freq) = r.review {
        settings.frequency = match freq {
            FrequencyArg::Weekly => ReviewFrequency::Weekly,
            FrequencyArg::Monthly => ReviewFrequency::Monthly,
            FrequencyArg::Quarterly => ReviewFrequency::Quarterly,
            FrequencyArg::SemiAnnually => ReviewFrequency::SemiAnnually,
            FrequencyArg::Annually => ReviewFrequency::Annually,
        };
    }
    if let Some(w) = r.review_start {
        settings.starts_on = w.resolve(now);
    }
    match r.review_duration {
        Some(d) => settings.duration_days = d,
        // A new review's default of 14 days, shortened to what its recurrence allows (weekly: 7).
        None if fresh => {
            let max = crate::domain::bounds::review_duration_days(settings.frequency).max;
            settings.duration_days = settings.duration_days.min(u32::try_from(max).unwrap_or(u32::MAX));
        }
        None => {}
    }
    if !r.reviewer.is_empty() {
        settings.reviewers.clear();
        for list in &r.reviewer {
            for x in parse::reviewers(t, list)? {
                if !settings.reviewers.contains(&x) {
                    settings.reviewers.push(x);
                }
            }
        }
    }
    if !r.review_fallback.is_empty() {
        settings.fallback.clear();
        for list in &r.review_fallback {
            settings.fallback.extend(parse::users(t, list)?);
        }
    }
    if let Some(n) = r.no_response {
        settings.no_response = match n {
            NoResponseArg::Keep => NoResponse::Keep,
            NoResponseArg::Remove => NoResponse::Remove,
        };
    }
    if let Some(d) = r.review_before_expiry {
        settings.before_expiry_days = (d > 0).then_some(d);
    }
    spec.review = Some(settings);
    Ok(())
}

/// A short label of who can request, for tables.
pub(crate) fn scope_short(t: &Tenant, s: &RequestScope) -> String {
    match s {
        RequestScope::AdminOnly => "admin only".into(),
        RequestScope::SpecificUsers { users, groups } => {
            let mut names: Vec<String> = users.iter().map(|u| t.user_name(*u)).collect();
            names.extend(groups.iter().map(|g| format!("members of {}", t.resource_name(*g))));
            format!("specific: {}", names.join(", "))
        }
        RequestScope::AllMembers => "all members".into(),
        RequestScope::AllDirectoryUsers => "all users incl. guests".into(),
        RequestScope::SpecificOrgs { orgs } => {
            let names: Vec<String> = orgs
                .iter()
                .map(|o| t.orgs.get(o).map(|o| o.display_name.clone()).unwrap_or_else(|| o.to_string()))
                .collect();
            format!("orgs: {}", names.join(", "))
        }
        RequestScope::AllConfiguredOrgs => "all connected orgs".into(),
        RequestScope::AllExternal => "all external users".into(),
    }
}
