//! The Directory tab's forms and pickers: a new or edited user, a new resource, a direct membership
//! to add, one to remove. [`command`] reads a submitted form back into the domain command; the
//! domain decides.

use crate::ui::ask::{Ask, GrantFor};
use std::collections::{BTreeMap, BTreeSet};

use crate::domain::{
    Command, GrantKey, GrantSource, GroupType, ResourceId, ResourceKind, ResourceSpec, Tenant, User, UserAttributes,
    UserId, UserSpec, UserType,
};
use crate::ui::tabs::lookups::{parse_ids, user_items};
use crate::ui::widgets::form::{Field, Form, FormValues, Value};
use crate::ui::widgets::picker::{PickItem, PickerState};

/// Form ids. The user form carries `user` when it edits; the grant form carries `for_user` or
/// `for_resource`, the side it was opened from.
/// The picker of direct memberships to remove.
pub const REVOKE: Ask = Ask::DirectoryRevoke;

/// Every resource, for lookups: "Marketing" — "Security group · Member, Owner".
pub fn resource_items(t: &Tenant) -> Vec<PickItem> {
    t.resources
        .values()
        .map(|r| {
            PickItem::new(
                r.id.to_string(),
                r.display_name.clone(),
                format!("{} · {}", r.kind.label(), r.roles.join(", ")),
            )
        })
        .collect()
}

/// The form for a new user (`existing` = None) or for editing one, sign-in included.
pub fn user_form(t: &Tenant, existing: Option<&User>) -> Form {
    let title = match existing {
        Some(u) => format!("Edit {}", u.display_name),
        None => "New user".to_string(),
    };
    let types = [("member", "Member"), ("guest", "Guest")];
    let mut orgs: Vec<(String, String)> = vec![(String::new(), "(none)".into())];
    orgs.extend(t.orgs.values().map(|o| (o.id.to_string(), o.display_name.clone())));
    let managers: Vec<PickItem> =
        user_items(t).into_iter().filter(|i| existing.is_none_or(|u| i.id != u.id.to_string())).collect();
    let mut form = Form::new(Ask::DirectoryUser(existing.map(|u| u.id)), title)
        .field(Field::text("name", "Display name").required())
        .field(Field::text("email", "Email (sign-in name)").required().validate(|v, _| match v {
            Value::Text(s) if !s.is_empty() && !s.contains('@') => Some("An email looks like name@domain".into()),
            _ => None,
        }))
        .field(Field::choice("type", "User type", types))
        .field(
            Field::choice("org", "Home organization", orgs)
                .help("The connected organization a guest comes from")
                .visible_if(|v| v.choice("type") == Some("guest")),
        )
        .field(Field::lookup("manager", "Manager", managers, false))
        .field(Field::text("department", "Department"))
        .field(Field::text("job_title", "Job title"))
        .field(Field::toggle("global_admin", "Global administrator"));
    if let Some(u) = existing {
        form = form.field(Field::toggle("enabled", "Sign-in allowed").help("Off blocks sign-in (and requests)"));
        form = form.field(
            Field::text("login", "Login (team mode)")
                .help("The computer login that signs in as this user in team mode"),
        );
        let rule = "An attribute automatic policies' rules may read";
        form = form
            .field(Field::text("company_name", "Company name").help(rule))
            .field(Field::text("country", "Country").help(rule))
            .field(Field::text("employee_type", "Employee type").help("e.g. Employee or Contractor"));
        form.set_value("company_name", u.company_name.clone());
        form.set_value("country", u.country.clone());
        form.set_value("employee_type", u.employee_type.clone());
        form.set_value("login", u.login.clone().unwrap_or_default());
        form.set_value("name", u.display_name.clone());
        form.set_value("email", u.email.clone());
        form.set_value("type", if u.is_guest() { "guest" } else { "member" });
        if let Some(o) = u.home_org {
            form.set_value("org", o.to_string());
        }
        if let Some(m) = u.manager {
            form.set_value("manager", m.to_string());
        }
        form.set_value("department", u.department.clone());
        form.set_value("job_title", u.job_title.clone());
        form.set_value("global_admin", u.global_admin);
        form.set_value("enabled", u.enabled);
    }
    form
}

/// The user form as `CreateUser`, or `UpdateUser` of the user it edits.
fn user_command(t: &Tenant, edited: Option<UserId>, values: &FormValues) -> Result<Command, String> {
    let user_type = if values.choice("type") == Some("guest") { UserType::Guest } else { UserType::Member };
    let manager = values.multi("manager").first().map(|s| s.parse::<UserId>()).transpose()?;
    let home_org = match values.choice("org") {
        Some(s) if !s.is_empty() && user_type == UserType::Guest => Some(s.parse()?),
        _ => None,
    };
    let spec = UserSpec {
        display_name: values.text("name").to_string(),
        email: values.text("email").to_string(),
        user_type,
        manager,
        department: values.text("department").to_string(),
        job_title: values.text("job_title").to_string(),
        home_org,
        global_admin: values.bool("global_admin"),
    };
    Ok(match edited {
        Some(user) => {
            let enabled = if values.contains("enabled") {
                values.bool("enabled")
            } else {
                t.users.get(&user).is_none_or(|u| u.enabled)
            };
            Command::UpdateUser { user, spec, enabled }
        }
        None => Command::CreateUser { spec },
    })
}

const KINDS: [(&str, &str); 5] = [
    ("security", "Security group"),
    ("m365", "Microsoft 365 group"),
    ("team", "Team"),
    ("application", "Application"),
    ("site", "SharePoint site"),
];

/// The form for a new resource; `kind` is the kind preselected (by the pane it was opened from).
pub fn resource_form(t: &Tenant, kind: &str) -> Form {
    Form::new(Ask::DirectoryResource, "New resource")
        .field(Field::text("name", "Name").required())
        .field(Field::text("description", "Description"))
        .field(Field::choice("kind", "Kind", KINDS).value(kind))
        .field(
            Field::text("url", "Site URL")
                .help("e.g. https://contoso.sharepoint.com/sites/sales")
                .visible_if(|v| v.choice("kind") == Some("site")),
        )
        .field(
            Field::text("roles", "Roles")
                .help("Comma-separated; empty gives the kind's roles (Member, Owner / User / Visitor, Member, Owner)"),
        )
        .field(Field::lookup("owners", "Owners", user_items(t), true))
}

fn resource_command(values: &FormValues) -> Result<Command, String> {
    let group = |group_type| ResourceKind::Group { group_type };
    let kind = match values.choice("kind") {
        Some("security") => group(GroupType::Security),
        Some("m365") => group(GroupType::Microsoft365),
        Some("team") => group(GroupType::Team),
        Some("application") => ResourceKind::Application,
        Some("site") => ResourceKind::Site { url: values.text("url").to_string() },
        other => return Err(format!("Unknown kind {other:?}")),
    };
    let roles = values.text("roles").split(',').map(str::trim).filter(|r| !r.is_empty()).map(String::from).collect();
    let owners: BTreeSet<UserId> = parse_ids(values.multi("owners"), "Owners")?;
    let spec = ResourceSpec {
        display_name: values.text("name").to_string(),
        description: values.text("description").to_string(),
        kind,
        roles,
        owners,
    };
    Ok(Command::CreateResource { spec })
}

/// A direct membership for `user`: which resource, which role (checked against the resource's roles).
pub fn grant_form_for_user(t: &Tenant, user: &User) -> Form {
    let roles: BTreeMap<String, (String, Vec<String>)> =
        t.resources.values().map(|r| (r.id.to_string(), (r.display_name.clone(), r.roles.clone()))).collect();
    Form::new(Ask::DirectoryGrant(GrantFor::User(user.id)), format!("Direct membership for {}", user.display_name))
        .field(Field::lookup("resource", "Resource", resource_items(t), false).required())
        .field(
            Field::text("role", "Role")
                .required()
                .value("Member")
                .help("Made outside any access package: the drift report lists it")
                .validate(move |v, all| {
                    let role = v.as_text();
                    let (name, have) = roles.get(all.multi("resource").first()?)?;
                    (!have.contains(&role))
                        .then(|| format!("'{name}' has no role '{role}' (roles: {})", have.join(", ")))
                }),
        )
}

/// A direct holder of `res`: which user, which of its roles.
pub fn grant_form_for_resource(t: &Tenant, res: ResourceId) -> Option<Form> {
    let r = t.resources.get(&res)?;
    Some(
        Form::new(Ask::DirectoryGrant(GrantFor::Resource(res)), format!("Add a direct holder of {}", r.display_name))
            .field(Field::lookup("user", "User", user_items(t), false).required())
            .field(Field::choice("role", "Role", r.roles.clone()).help("Made outside any access package")),
    )
}

/// The grant form as `AddDirectGrant`: one side the form was opened for, the other looked up.
fn grant_command(side: GrantFor, values: &FormValues) -> Result<Command, String> {
    let picked = |looked_up: &str, what: &str| {
        values.multi(looked_up).first().cloned().ok_or_else(|| format!("Choose a {what}"))
    };
    let (user, resource) = match side {
        GrantFor::User(u) => (u, picked("resource", "resource")?.parse()?),
        GrantFor::Resource(r) => (picked("user", "user")?.parse()?, r),
    };
    let role = values.get("role").map(Value::as_text).unwrap_or_default();
    Ok(Command::AddDirectGrant { user, resource, role })
}

/// The login an edited user's form changes, as its own command (unique logins are the domain's rule).
pub fn login_change(t: &Tenant, id: &Ask, values: &FormValues) -> Option<Command> {
    let Ask::DirectoryUser(Some(user)) = *id else { return None };
    if !values.contains("login") {
        return None;
    }
    let login = Some(values.text("login").trim().to_string()).filter(|l| !l.is_empty());
    (t.users.get(&user)?.login != login).then_some(Command::SetLogin { user, login })
}

/// The attributes an edited user's form changes (those automatic policies' rules read), as their
/// own command: the domain checks each and applies the automatic policies to the user.
pub fn attributes_change(t: &Tenant, id: &Ask, values: &FormValues) -> Option<Result<Command, String>> {
    let Ask::DirectoryUser(Some(user)) = *id else { return None };
    let current = UserAttributes::from(t.users.get(&user)?);
    let manager = match values.multi("manager").first().map(|s| s.parse::<UserId>()).transpose() {
        Ok(m) => m,
        Err(e) => return Some(Err(e)),
    };
    let text = |key: &str, now: &str| if values.contains(key) { values.text(key).to_string() } else { now.to_string() };
    let attributes = UserAttributes {
        department: text("department", &current.department),
        job_title: text("job_title", &current.job_title),
        company_name: text("company_name", &current.company_name),
        country: text("country", &current.country),
        employee_type: text("employee_type", &current.employee_type),
        manager,
        user_type: if values.choice("type") == Some("guest") { UserType::Guest } else { UserType::Member },
    };
    (attributes != current).then_some(Ok(Command::SetUserAttributes { user, attributes }))
}

/// The command a submitted Directory form asks for; None for a form that is not the Directory's.
pub fn command(t: &Tenant, id: &Ask, values: &FormValues) -> Option<Result<Command, String>> {
    Some(match *id {
        Ask::DirectoryUser(edited) => user_command(t, edited, values),
        Ask::DirectoryResource => resource_command(values),
        Ask::DirectoryGrant(side) => grant_command(side, values),
        _ => return None,
    })
}

/// The direct memberships of a user, or the direct holders of a resource, to remove one: the
/// picker, and the memberships it offers by item id (the answer is looked up there, not parsed).
pub fn revoke_picker(
    t: &Tenant,
    user: Option<UserId>,
    res: Option<ResourceId>,
) -> (PickerState, std::collections::HashMap<String, GrantKey>) {
    let grants: Vec<(&GrantKey, &crate::domain::tenant::Sources)> = match (user, res) {
        (Some(u), _) => t.grants_of_user(u).collect(),
        (None, Some(r)) => t
            .holders(r)
            .filter_map(|(u, role)| t.grants.get_key_value(&GrantKey { user: *u, resource: r, role: *role }))
            .collect(),
        (None, None) => Vec::new(),
    };
    let mut offered = std::collections::HashMap::new();
    let items: Vec<PickItem> = grants
        .into_iter()
        .filter(|(k, s)| s.contains(&GrantSource::Direct) && res.is_none_or(|r| k.resource == r))
        .enumerate()
        .map(|(i, (k, s))| {
            let also = if s.len() > 1 { " · also through an access package" } else { "" };
            let id = format!("m{i}");
            offered.insert(id.clone(), k.clone());
            PickItem::new(
                id,
                format!("{} · {} ({})", t.user_name(k.user), t.resource_name(k.resource), k.role),
                format!("direct{also}"),
            )
        })
        .collect();
    (PickerState::new(REVOKE, "Remove a direct membership", items), offered)
}
