//! `entitle explain request PERSON PACKAGE` and `entitle explain holds PERSON RESOURCE [ROLE]`:
//! the domain's explanations, as text or JSON.

use anyhow::Result;
use clap::Subcommand;

use super::Ctx;
use super::format;
use crate::domain::explain::RequestExplained;
use crate::domain::RequestType;
use crate::domain::explain_holds::{HoldsExplained, Source};

#[derive(Debug, Subcommand)]
pub enum ExplainCmd {
    /// Why PERSON can or cannot see and request PACKAGE: every condition, in order, with its verdict
    Request {
        /// A user (name, email or id), or the email of someone outside the directory
        person: String,
        package: String,
    },
    /// Why PERSON holds RESOURCE (ROLE, or every role they hold of it): each source, and what its end would do
    Holds { person: String, resource: String, role: Option<String> },
}

pub(crate) fn explain(ctx: &Ctx, c: ExplainCmd) -> Result<()> {
    let t = ctx.t();
    let actor = ctx.actor()?;
    match c {
        ExplainCmd::Request { person, package } => {
            let subject = crate::session::resolve_actor(t, Some(&person))?;
            let pkg = t.find_package(&package)?;
            let e = t.explain_request(actor, &subject, pkg.id)?;
            ctx.show(&e, || request_text(&e))
        }
        ExplainCmd::Holds { person, resource, role } => {
            let user = t.find_user(&person)?.id;
            let res = t.find_resource(&resource)?.id;
            let record = |id| ctx.session.request_record(id).ok().flatten();
            let e = t.explain_holds(actor, user, res, role.as_deref(), &record)?;
            ctx.show(&e, || holds_text(&e, role.as_deref()))
        }
    }
}

/// The verdict, then each condition: `yes`, `NO` (the answer marked), or `--` for what only hides it.
pub(crate) fn request_text(e: &RequestExplained) -> String {
    let mut out = format!(
        "Can {} request '{}'? {}\n{}\nListed in their My Access: {}\n\n",
        e.person,
        e.package_name,
        if e.can_request { "Yes" } else { "No" },
        e.answer,
        format::yes_no(e.can_see),
    );
    let mut answered = false;
    for v in &e.conditions {
        let mark = match (v.passed, v.condition.refuses()) {
            (true, _) => "yes",
            (false, true) => "NO ",
            (false, false) => "-- ",
        };
        let first = !v.passed && v.condition.refuses() && !answered;
        answered |= first;
        out.push_str(&format!(
            "  {mark} {}: {}{}\n",
            v.label,
            v.says,
            if first { "  <- the answer" } else { "" }
        ));
    }
    out
}

pub(crate) fn holds_text(e: &HoldsExplained, role: Option<&str>) -> String {
    if e.memberships.is_empty() {
        let what = role.map(|r| format!(" as {r}")).unwrap_or_default();
        return format!("{} does not hold {}{what} (or you may not see why)\n", e.user_name, e.resource_name);
    }
    let mut out = String::new();
    for m in &e.memberships {
        out.push_str(&format!("{} holds {} {}:\n", e.user_name, e.resource_name, m.role));
        for s in &m.sources {
            out.push_str(&format!("  - {}\n", source_text(&s.source)));
            out.push_str(&format!("    if it ended: {}\n", s.if_ended));
        }
    }
    out
}

fn source_text(s: &Source) -> String {
    match s {
        Source::Direct => "a direct membership, made outside access packages".into(),
        Source::Assignment {
            assignment,
            package_name,
            policy_name,
            revision,
            since,
            until,
            request,
            request_type,
            requested_by,
            approved_by,
            ..
        } => {
            let by = requested_by.as_deref().unwrap_or("the system");
            let asked = match request_type {
                Some(RequestType::AdminAdd) => format!(", assigned directly by {by}"),
                Some(_) => format!(", requested by {by}"),
                None => String::new(),
            };
            let approved = match approved_by.as_slice() {
                [] if *request_type == Some(RequestType::AdminAdd) => String::new(),
                [] => ", no approval needed".to_string(),
                names => format!(", approved by {}", names.join(", ")),
            };
            format!(
                "assignment {assignment} of '{package_name}' under policy '{policy_name}' (revision {revision}), since {} until {} ({request}{asked}{approved})",
                format::time(*since),
                format::opt_time(*until, "no end"),
            )
        }
    }
}
