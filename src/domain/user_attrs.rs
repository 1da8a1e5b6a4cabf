//! The user attributes an administrator sets and an automatic policy's rule reads: department,
//! job title, company name, country, employee type, manager, and member or guest. One command
//! changes them (audited with the user before and after), each value bounded and checked when it
//! is set; the changed user is then evaluated against the automatic policies.

use serde::{Deserialize, Serialize};

use super::bounds::{self, Field};
use super::command::{Outcome, done};
use super::directory::{User, UserType};
use super::error::{DomainResult, invalid};
use super::ids::UserId;
use super::rights::Actor;
use super::tenant::Tenant;
use super::user_rule::Property;

/// A user's attributes, whole: what `SetUserAttributes` sets.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserAttributes {
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub job_title: String,
    #[serde(default)]
    pub company_name: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub employee_type: String,
    #[serde(default)]
    pub manager: Option<UserId>,
    #[serde(default)]
    pub user_type: UserType,
}

impl From<&User> for UserAttributes {
    fn from(u: &User) -> Self {
        UserAttributes {
            department: u.department.clone(),
            job_title: u.job_title.clone(),
            company_name: u.company_name.clone(),
            country: u.country.clone(),
            employee_type: u.employee_type.clone(),
            manager: u.manager,
            user_type: u.user_type,
        }
    }
}

impl UserAttributes {
    /// The text attributes with the property each is.
    pub fn texts(&self) -> [(Property, &str); 5] {
        [
            (Property::Department, &self.department),
            (Property::JobTitle, &self.job_title),
            (Property::CompanyName, &self.company_name),
            (Property::Country, &self.country),
            (Property::EmployeeType, &self.employee_type),
        ]
    }
}

/// One attribute's value: one line of plain text within the property's length (Graph's limits).
pub fn check_attribute(property: Property, value: &str) -> DomainResult<()> {
    let field = Field::UserAttribute { property };
    bounds::check_line(field, value)?;
    let (n, max) = (value.chars().count(), property.max_chars());
    if n > max {
        return Err(bounds::out_of_range(field, format!("{field} can be at most {max} characters long; you gave {n}")));
    }
    Ok(())
}

impl Tenant {
    /// Each text within its bounds, and a manager who is in the directory and not the user.
    pub(crate) fn check_attributes(&self, user: Option<UserId>, a: &UserAttributes) -> DomainResult<()> {
        for (property, value) in a.texts() {
            self.within(check_attribute(property, value))?;
        }
        if let Some(m) = a.manager {
            self.user(m)?;
            if Some(m) == user {
                return Err(invalid("A user cannot be their own manager"));
            }
        }
        Ok(())
    }

    pub(crate) fn cmd_set_user_attributes(
        &mut self,
        actor: &Actor,
        id: UserId,
        attributes: &UserAttributes,
    ) -> DomainResult<Outcome> {
        self.check_edit_user(actor, id)?;
        self.check_attributes(Some(id), attributes)?;
        let before = self.user(id)?.clone();
        let mut after = before.clone();
        let a = attributes.clone();
        after.department = a.department.trim().to_string();
        after.job_title = a.job_title.trim().to_string();
        after.company_name = a.company_name.trim().to_string();
        after.country = a.country.trim().to_string();
        after.employee_type = a.employee_type.trim().to_string();
        after.manager = a.manager;
        after.user_type = a.user_type;
        let msg = format!("Updated the attributes of {}", after.display_name);
        self.audit_change(actor, "user.attributesUpdated", id, &msg, Some(&before), Some(&after));
        self.users.insert(id, after);
        done(super::auto_assign::with_effects(msg, self.user_changed(id)))
    }
}
