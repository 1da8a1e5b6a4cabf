//! The free texts and dates a command carries, checked against `bounds` before it runs, whatever
//! the tenant holds: justifications, reasons and answers are bounded and carry no escape codes;
//! dates lie between 1970 and the year 9999. What depends on the tenant (a start not in the past,
//! an end within the policy's lifetime) is checked by the command itself.

use super::Time;
use super::bounds::{self, Field, TEXT_CHARS};
use super::command::Command;
use super::error::DomainResult;
use super::rights::Actor;

/// Someone signing in by email: their email and name become a guest's on first delivery.
pub(crate) fn check_actor(actor: &Actor) -> DomainResult<()> {
    if let Actor::External { email, display_name, tenant_id } = actor {
        bounds::check_line(Field::Email, email)?;
        bounds::check_line(Field::Name, display_name)?;
        if let Some(t) = tenant_id {
            bounds::check_line(Field::Attribute, t)?;
        }
    }
    Ok(())
}

/// The texts and dates of a command.
pub(crate) fn check_command(cmd: &Command) -> DomainResult<()> {
    use Command as C;
    let text = |field: Field, s: &str| bounds::check_text(field, s, TEXT_CHARS);
    let date = |field: Field, t: &Option<Time>| t.map_or(Ok(()), |t| bounds::check_date(field, t));
    match cmd {
        C::SubmitRequest { justification, answers, start, .. }
        | C::RequestFor { justification, answers, start, .. } => {
            text(Field::Justification, justification)?;
            for a in answers.values() {
                text(Field::Answer, a)?;
            }
            date(Field::RequestStart, start)
        }
        C::AdminAssign { start, end, justification, .. } => {
            text(Field::Justification, justification)?;
            date(Field::AssignmentStart, start)?;
            date(Field::AssignmentEnd, end)
        }
        C::RequestExtension { justification, .. } | C::DecideReview { justification, .. } => {
            text(Field::Justification, justification)
        }
        C::Decide { reason, .. } | C::AdminRemove { reason, .. } => text(Field::Reason, reason),
        C::AddDirectGrant { role, .. }
        | C::RemoveDirectGrant { role, .. }
        | C::AddResourceRole { role, .. }
        | C::RemoveResourceRole { role, .. } => bounds::check_line(Field::Attribute, role),
        _ => Ok(()),
    }
}
