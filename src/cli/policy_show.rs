//! Reading policies: a one-line summary, the list of a package's policies, everything one says.

use anyhow::Result;

use super::Ctx;
use super::format::{self, Table, kv};
use super::policy::scope_short;
use crate::domain::{
    ApprovalStage, NoResponse, PackageId, Policy, PolicyId, PolicySpec, QuestionKind, RequestScope, ReviewSettings,
    Tenant, UserId,
};

/// One line: who, approval, lifecycle, review.
pub(crate) fn summary(t: &Tenant, s: &PolicySpec) -> String {
    if let Some(words) = crate::domain::auto_assign::automatic_summary(s) {
        return words;
    }
    let mut parts = vec![scope_short(t, &s.scope)];
    if s.stages.is_empty() {
        parts.push("no approval".into());
    } else {
        let chain: Vec<String> = s.stages.iter().map(|st| format::approvers(t, &st.approvers)).collect();
        parts.push(format!("approval: {}", chain.join(" → ")));
    }
    parts.push(s.lifecycle.expiration.label());
    if s.lifecycle.allow_extension {
        parts.push(if s.lifecycle.extension_requires_approval {
            "extension with approval".into()
        } else {
            "extension".into()
        });
    }
    if let Some(r) = &s.review {
        parts.push(match r.before_expiry_days {
            Some(d) => format!("review {d} days before expiry"),
            None => format!("{} review", r.frequency),
        });
    }
    if !s.enabled {
        parts.push("new requests off".into());
    }
    parts.join(" · ")
}

pub(crate) fn list(ctx: &Ctx, package: Option<&str>) -> Result<()> {
    let t = ctx.t();
    let pkg = package.map(|p| t.find_package(p).map(|p| p.id)).transpose()?;
    let list: Vec<&Policy> = t.policies_visible(ctx.actor()?, pkg)?;
    let table = || {
        let mut tab = Table::new(&["ID", "PACKAGE", "NAME", "SUMMARY"]);
        for p in &list {
            let pname = t.packages.get(&p.package).map(|k| k.display_name.clone()).unwrap_or_default();
            tab.row(vec![p.id.to_string(), pname, p.spec.display_name.clone(), summary(t, &p.spec)]);
        }
        tab
    };
    ctx.show_table(&list, table, |tab| tab.render_or("No policies\n"))
}

pub(crate) fn show(ctx: &Ctx, key: &str, package: Option<&str>) -> Result<()> {
    let t = ctx.t();
    let p = super::policy::find(t, key, package)?;
    t.may_read(ctx.actor()?, crate::domain::reads::Read::Policy(p.id))?;
    ctx.show(p, || {
        let s = &p.spec;
        let pkg = t.packages.get(&p.package).map(|k| k.display_name.clone()).unwrap_or_default();
        let mut text = format!("Policy '{}' ({}) of '{}' ({})\n", s.display_name, p.id, pkg, p.package);
        let mut rows = vec![
            ("Description", s.description.clone()),
            ("Who can request", scope_long(t, &s.scope)),
            (
                "Automatic",
                s.automatic.as_ref().map_or_else(
                    || "no".into(),
                    |a| format!("{} (grace period {} hours)", a.rule, a.grace_period_hours),
                ),
            ),
            ("New requests", if s.enabled { "enabled".into() } else { "disabled".into() }),
            ("Justification", if s.justification_required { "required".into() } else { "optional".into() }),
            (
                "On behalf",
                if s.allow_on_behalf { "managers may request for their reports".into() } else { String::new() },
            ),
            ("Approval", if s.stages.is_empty() { "none".into() } else { format!("{} stage(s)", s.stages.len()) }),
        ];
        let stages: Vec<String> = s.stages.iter().map(|st| stage_line(t, st)).collect();
        let labels: Vec<String> = (1..=stages.len()).map(|i| format!("  Stage {i}")).collect();
        for (l, v) in labels.iter().zip(&stages) {
            rows.push((l.as_str(), v.clone()));
        }
        for q in &s.questions {
            let kind = match &q.kind {
                QuestionKind::Text => "text".to_string(),
                QuestionKind::Choice { options } => format!("choice: {}", options.join(" | ")),
            };
            let req = if q.required { ", required" } else { "" };
            rows.push(("Question", format!("{} \"{}\" ({kind}{req})", q.id, q.text)));
        }
        for line in t.stage_setting_lines(s) {
            rows.push(("Custom extension", line));
        }
        let lc = &s.lifecycle;
        let mut life = vec![lc.expiration.label()];
        life.push(match (lc.allow_extension, lc.extension_requires_approval) {
            (false, _) => "no extension".into(),
            (true, false) => "extension allowed".into(),
            (true, true) => "extension with approval".into(),
        });
        life.push(if lc.allow_self_removal { "users may remove their own".into() } else { "no self-removal".into() });
        rows.push(("Lifecycle", life.join("; ")));
        rows.push(("Access review", s.review.as_ref().map(|r| review_line(t, r)).unwrap_or_else(|| "none".into())));
        if s.review.is_some() {
            rows.push(("Next review", format::opt_time(p.next_review_at, "-")));
        }
        rows.push(("Created", format::time(p.created_at)));
        rows.push(("Modified", format::time(p.modified_at)));
        text.push_str(&kv(&rows));
        text
    })
}

/// The portal's label, with the names for specific users or organizations.
fn scope_long(t: &Tenant, s: &RequestScope) -> String {
    match s {
        RequestScope::SpecificUsers { .. } | RequestScope::SpecificOrgs { .. } => {
            let short = scope_short(t, s);
            let names = short.split_once(": ").map(|(_, n)| n).unwrap_or(&short);
            format!("{}: {names}", s.label())
        }
        _ => s.label().to_string(),
    }
}

fn stage_line(t: &Tenant, st: &ApprovalStage) -> String {
    let mut parts = vec![format::approvers(t, &st.approvers)];
    if !st.fallback.is_empty() {
        parts.push(format!("fallback {}", format::approvers(t, &st.fallback)));
    }
    if !st.quorum.is_any() {
        parts.push(format!("needs {}", st.quorum.phrase()));
    }
    parts.push(format!("timeout {} days", st.timeout_days));
    parts.push(if st.justification_required { "reason required".into() } else { "no reason needed".into() });
    if let Some(e) = &st.escalation {
        parts.push(format!("escalate after {} days to {}", e.after_days, format::approvers(t, &e.alternates)));
    }
    parts.join("; ")
}

fn review_line(t: &Tenant, r: &ReviewSettings) -> String {
    let when = match r.before_expiry_days {
        Some(d) => format!("{d} days before each assignment expires"),
        None => format!("{} from {}", r.frequency, format::time(r.starts_on)),
    };
    let reviewers: Vec<String> = r.reviewers.iter().map(|x| format::reviewer(t, x)).collect();
    let mut parts = vec![when, format!("{} days", r.duration_days), format!("reviewers {}", reviewers.join(", "))];
    if !r.fallback.is_empty() {
        parts.push(format!("fallback {}", format::names(t, r.fallback.iter().copied())));
    }
    parts.push(match r.no_response {
        NoResponse::Keep => "no response: keep".into(),
        NoResponse::Remove => "no response: remove".into(),
    });
    parts.join("; ")
}

/// `--dry-run`: who saving an automatic policy would assign, remove after the grace period and
/// let keep the assignment; nothing is saved.
pub(crate) fn preview(ctx: &Ctx, package: PackageId, policy: Option<PolicyId>, spec: &PolicySpec) -> Result<()> {
    let t = ctx.t();
    let p = t.preview_automatic(ctx.actor()?, package, policy, spec)?;
    ctx.show(&p, || {
        let Some(a) = &spec.automatic else {
            return "Dry run, nothing saved: not an automatic policy, so saving it assigns nobody\n".into();
        };
        let names = |list: &[UserId]| {
            let mut shown: Vec<String> = list.iter().take(20).map(|u| t.user_name(*u)).collect();
            if list.len() > 20 {
                shown.push(format!("and {} more", list.len() - 20));
            }
            if shown.is_empty() { "-".to_string() } else { shown.join(", ") }
        };
        let grace = format!("would lose it after the grace period ({} hours)", a.grace_period_hours);
        let mut text = format!("Dry run, nothing saved. Rule: {}\n", a.rule);
        text.push_str(&kv(&[
            ("Would be assigned", format!("{}: {}", p.gains.len(), names(&p.gains))),
            ("No longer match", format!("{}: {}; {grace}", p.losses.len(), names(&p.losses))),
            ("Match again", format!("{}: {}; would keep it", p.keeps.len(), names(&p.keeps))),
        ]));
        text
    })
}
