//! `entitle explain request PERSON PACKAGE` and `entitle explain holds PERSON RESOURCE [ROLE]`:
//! the domain's explanations, as text or JSON.

use anyhow::Result;
use clap::Subcommand;

use super::Ctx;

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
            ctx.show(&e, || e.text())
        }
        ExplainCmd::Holds { person, resource, role } => {
            let user = t.find_user(&person)?.id;
            let res = t.find_resource(&resource)?.id;
            let record = |id| ctx.session.request_record(id).ok().flatten();
            let e = t.explain_holds(actor, user, res, role.as_deref(), &record)?;
            ctx.show(&e, || e.text(role.as_deref()))
        }
    }
}
