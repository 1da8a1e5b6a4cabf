//! The policy editor: a form in the portal's steps (Basics, Requests, Approval, Requestor
//! information, Lifecycle, Access reviews), turned into a domain `PolicySpec`.
//! (Stub: being written; the signatures are the contract with the Packages tab.)

use crate::domain::{PackageId, Policy, PolicySpec};
use crate::ui::ctx::Ctx;
use crate::ui::widgets::form::{Field, Form, FormValues};

/// The form for a new policy on `package` (`existing` = None) or for editing `existing`.
/// The form's id is "policy".
pub fn policy_form(ctx: &Ctx, package: PackageId, existing: Option<&Policy>) -> Form {
    let _ = (ctx, package);
    let name = existing.map(|p| p.spec.display_name.clone()).unwrap_or_default();
    Form::new("policy", "Policy").step("Basics").field(Field::text("name", "Name").required().value(name))
}

/// Read the submitted form back into a spec; an Err names the field and what to fix.
pub fn spec_from_values(ctx: &Ctx, values: &FormValues) -> Result<PolicySpec, String> {
    let _ = ctx;
    Ok(PolicySpec::new(values.text("name"), crate::domain::RequestScope::AllMembers))
}
