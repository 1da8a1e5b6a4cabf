//! The directory: users, groups, applications, sites, direct memberships, connected organizations.

use anyhow::Result;

use super::Ctx;
use super::args_dir::{
    AppCmd, GroupCmd, GroupKind, MembershipArgs, MembershipCmd, OrgCmd, OrgStateArg, OrgUpdate, ResourceCommon,
    SiteCmd, UserCmd, UserFields, UserKind, UserUpdate,
};
use super::format::{self, Cell, Table, cells, kv};
use super::parse;
use crate::domain::read_views::UserView;
use crate::domain::{
    Command, GroupType, OrgSpec, OrgState, ResourceKind, ResourceSpec, Tenant, User, UserAttributes, UserId, UserSpec,
    UserType,
};

pub(crate) fn user(ctx: &mut Ctx, c: UserCmd) -> Result<()> {
    match c {
        UserCmd::List { guests, members } => {
            let t = ctx.t();
            let mut list = t.users_visible(ctx.actor()?)?;
            list.retain(|u| {
                let guest = u.profile().user_type == UserType::Guest;
                (!guests || guest) && (!members || !guest)
            });
            ctx.show_table(&list, || user_table(t, &list), |tab| tab.render_or("No users\n"))
        }
        UserCmd::Show { user } => user_show(ctx, &user),
        UserCmd::Create(a) => {
            let t = ctx.t();
            let mut spec = UserSpec {
                display_name: a.name,
                email: a.email,
                user_type: if a.guest { UserType::Guest } else { UserType::Member },
                manager: None,
                department: String::new(),
                job_title: String::new(),
                home_org: None,
                global_admin: a.admin,
            };
            apply_fields(t, &mut spec, &a.fields)?;
            let out = ctx.exec(Command::CreateUser { spec })?;
            // The attributes a user is not created with are set next.
            let f = &a.fields;
            if f.company.is_some() || f.country.is_some() || f.employee_type.is_some() {
                let t = ctx.t();
                let created = out.created.and_then(|c| c.user());
                if let Some(u) = created.and_then(|id| t.users.get(&id)) {
                    let mut attributes = UserAttributes::from(u);
                    apply_attributes(t, &mut attributes, f)?;
                    ctx.exec(Command::SetUserAttributes { user: u.id, attributes })?;
                }
            }
            Ok(())
        }
        UserCmd::Update(a) => user_update(ctx, a),
    }
}

fn user_update(ctx: &mut Ctx, a: UserUpdate) -> Result<()> {
    let t = ctx.t();
    let u = t.find_user(&a.user)?;
    let unchanged = UserSpec::from(u);
    let mut spec = UserSpec::from(u);
    spec.display_name = a.name.unwrap_or(spec.display_name);
    spec.email = a.email.unwrap_or(spec.email);
    spec.global_admin = a.admin.unwrap_or(u.global_admin);
    if let Some(o) = &a.fields.org {
        spec.home_org = if o.eq_ignore_ascii_case("none") { None } else { Some(t.find_org(o)?.id) };
    }
    // The attributes automatic policies read change through their own command.
    let mut attributes = UserAttributes::from(u);
    apply_attributes(t, &mut attributes, &a.fields)?;
    attributes.user_type = match a.kind {
        Some(UserKind::Guest) => UserType::Guest,
        Some(UserKind::Member) => UserType::Member,
        None => u.user_type,
    };
    let attributes_changed = attributes != UserAttributes::from(u);
    let enabled = if a.block { false } else { a.unblock || u.enabled };
    let user = u.id;
    let login = if a.no_login { Some(None) } else { a.login.map(Some) };
    let changed = spec != unchanged || enabled != u.enabled;
    if attributes_changed {
        ctx.exec(Command::SetUserAttributes { user, attributes })?;
    }
    // Only a login or attributes: no user update to journal and audit.
    if (login.is_none() && !attributes_changed) || changed {
        ctx.exec(Command::UpdateUser { user, spec, enabled })?;
    }
    if let Some(login) = login {
        ctx.exec(Command::SetLogin { user, login })?;
    }
    Ok(())
}

fn apply_fields(t: &Tenant, spec: &mut UserSpec, f: &UserFields) -> Result<()> {
    if let Some(m) = &f.manager {
        spec.manager = if m.eq_ignore_ascii_case("none") { None } else { Some(t.find_user(m)?.id) };
    }
    if let Some(o) = &f.org {
        spec.home_org = if o.eq_ignore_ascii_case("none") { None } else { Some(t.find_org(o)?.id) };
    }
    if let Some(d) = &f.department {
        spec.department = d.clone();
    }
    if let Some(j) = &f.job_title {
        spec.job_title = j.clone();
    }
    Ok(())
}

/// The attribute flags given, over a user's attributes.
fn apply_attributes(t: &Tenant, a: &mut UserAttributes, f: &UserFields) -> Result<()> {
    if let Some(m) = &f.manager {
        a.manager = if m.eq_ignore_ascii_case("none") { None } else { Some(t.find_user(m)?.id) };
    }
    for (flag, value) in [
        (&f.department, &mut a.department),
        (&f.job_title, &mut a.job_title),
        (&f.company, &mut a.company_name),
        (&f.country, &mut a.country),
        (&f.employee_type, &mut a.employee_type),
    ] {
        if let Some(v) = flag {
            *value = v.clone();
        }
    }
    Ok(())
}

/// Users as the reader may see them: state and administrator only with the whole record.
fn user_table(t: &Tenant, list: &[UserView]) -> Table {
    let mut tab = Table::new(&["ID", "NAME", "EMAIL", "TYPE", "STATE", "MANAGER", "DEPARTMENT"]);
    for u in list {
        let p = u.profile();
        tab.row(vec![
            p.id.to_string(),
            p.display_name.to_string(),
            p.email.to_string(),
            user_type(u),
            u.full().map(user_state).unwrap_or_default(),
            p.manager.map(|m| t.user_name(m)).unwrap_or_default(),
            p.department.to_string(),
        ]);
    }
    tab
}

fn user_type(u: &UserView) -> String {
    let kind = if u.profile().user_type == UserType::Guest { "guest" } else { "member" };
    if u.full().is_some_and(|u| u.global_admin) { format!("{kind}, admin") } else { kind.into() }
}

fn user_state(u: &User) -> String {
    if !u.is_active() {
        "removed".into()
    } else if !u.enabled {
        "blocked".into()
    } else {
        "enabled".into()
    }
}

fn user_show(ctx: &Ctx, key: &str) -> Result<()> {
    let t = ctx.t();
    let card = t.user_card(ctx.actor()?, t.find_user(key)?.id)?;
    ctx.show(&card, || {
        let u = &card.user;
        let p = u.profile();
        let mut text = format!("{} ({})\n", p.display_name, p.id);
        let full = u.full();
        text.push_str(&kv(&[
            ("Email", p.email.to_string()),
            ("Type", user_type(u)),
            ("State", full.map(user_state).unwrap_or_default()),
            ("Login", full.and_then(|f| f.login.clone()).unwrap_or_default()),
            ("Manager", p.manager.map(|m| t.user_name(m)).unwrap_or_else(|| "-".into())),
            ("Department", p.department.to_string()),
            ("Job title", p.job_title.to_string()),
            ("Company", full.map(|f| f.company_name.clone()).unwrap_or_default()),
            ("Country", full.map(|f| f.country.clone()).unwrap_or_default()),
            ("Employee type", full.map(|f| f.employee_type.clone()).unwrap_or_default()),
            (
                "Organization",
                full.and_then(|f| f.home_org)
                    .and_then(|o| t.orgs.get(&o))
                    .map(|o| o.display_name.clone())
                    .unwrap_or_default(),
            ),
        ]));
        let Some(d) = &card.details else { return text };
        for c in &d.catalog_roles {
            let labels: Vec<&str> = c.roles.iter().map(|r| r.label()).collect();
            text.push_str(&format!("  Catalog '{}': {}\n", c.catalog_name, labels.join(", ")));
        }
        text.push_str("\nAssignments\n");
        text.push_str(&super::lifecycle::assignment_table(t, &d.assignments).render_or("  none\n"));
        text.push_str("\nAccess\n");
        text.push_str(&super::reports::access_table(&d.access, false).render_or("  none\n"));
        text
    })
}

fn resource_list(ctx: &Ctx, keep: fn(&ResourceKind) -> bool, what: &str) -> Result<()> {
    let t = ctx.t();
    let mut list = t.resources_visible(ctx.actor()?)?;
    list.retain(|r| keep(&r.resource.kind));
    let table = || {
        let mut tab = Table::new(&["ID", "NAME", "TYPE", "ROLES", "OWNERS", "CATALOGS", "HOLDERS"]);
        for card in &list {
            let r = card.resource;
            let kind = match &r.kind {
                ResourceKind::Site { url } => format!("{} {url}", r.kind.label()),
                k => k.label().to_string(),
            };
            tab.row(cells![
                r.id.to_string(),
                r.display_name.clone(),
                kind,
                r.roles.join(", "),
                format::names_cell(t, r.owners.iter().copied()),
                card.catalogs.join(", "),
                card.holders.map_or(Cell::Blank("-"), |n| Cell::Text(n.to_string())),
            ]);
        }
        tab
    };
    ctx.show_table(&list, table, |tab| tab.render_or(&format!("No {what}\n")))
}

fn resource_spec(t: &Tenant, c: ResourceCommon, kind: ResourceKind, roles: &[String]) -> Result<ResourceSpec> {
    let mut owners = std::collections::BTreeSet::new();
    for list in &c.owners {
        owners.extend(parse::users(t, list)?);
    }
    Ok(ResourceSpec {
        display_name: c.name,
        description: c.description,
        kind,
        roles: roles.iter().flat_map(|r| parse::list(r)).map(str::to_string).collect(),
        owners,
    })
}

pub(crate) fn group(ctx: &mut Ctx, c: GroupCmd) -> Result<()> {
    match c {
        GroupCmd::List => resource_list(ctx, |k| matches!(k, ResourceKind::Group { .. }), "groups"),
        GroupCmd::Create { common, group_type } => {
            let group_type = match group_type {
                GroupKind::Security => GroupType::Security,
                GroupKind::M365 => GroupType::Microsoft365,
                GroupKind::Team => GroupType::Team,
            };
            let spec = resource_spec(ctx.t(), common, ResourceKind::Group { group_type }, &[])?;
            ctx.exec(Command::CreateResource { spec }).map(|_| ())
        }
    }
}

pub(crate) fn app(ctx: &mut Ctx, c: AppCmd) -> Result<()> {
    match c {
        AppCmd::List => resource_list(ctx, |k| matches!(k, ResourceKind::Application), "applications"),
        AppCmd::Create { common, roles } => {
            let spec = resource_spec(ctx.t(), common, ResourceKind::Application, &roles)?;
            ctx.exec(Command::CreateResource { spec }).map(|_| ())
        }
    }
}

pub(crate) fn site(ctx: &mut Ctx, c: SiteCmd) -> Result<()> {
    match c {
        SiteCmd::List => resource_list(ctx, |k| matches!(k, ResourceKind::Site { .. }), "sites"),
        SiteCmd::Create { common, url, roles } => {
            let spec = resource_spec(ctx.t(), common, ResourceKind::Site { url }, &roles)?;
            ctx.exec(Command::CreateResource { spec }).map(|_| ())
        }
    }
}

pub(crate) fn membership(ctx: &mut Ctx, c: MembershipCmd) -> Result<()> {
    let (a, add) = match c {
        MembershipCmd::Add(a) => (a, true),
        MembershipCmd::Remove(a) => (a, false),
    };
    let MembershipArgs { user, resource, role } = a;
    let t = ctx.t();
    let user = t.find_user(&user)?.id;
    let r = t.find_resource(&resource)?;
    let role = role.or_else(|| r.roles.first().cloned()).unwrap_or_default();
    let resource = r.id;
    let cmd = if add {
        Command::AddDirectGrant { user, resource, role }
    } else {
        Command::RemoveDirectGrant { user, resource, role }
    };
    ctx.exec(cmd).map(|_| ())
}

pub(crate) fn org(ctx: &mut Ctx, c: OrgCmd) -> Result<()> {
    match c {
        OrgCmd::List => {
            let t = ctx.t();
            let list = t.orgs_visible(ctx.actor()?)?;
            let table = || {
                let mut tab = Table::new(&["ID", "NAME", "DOMAINS", "STATE", "SPONSORS", "EXTERNAL SPONSORS"]);
                for o in &list {
                    tab.row(cells![
                        o.id.to_string(),
                        o.display_name.clone(),
                        o.domains.join(", "),
                        org_state(o.state),
                        format::names_cell(t, o.internal_sponsors.iter().copied()),
                        format::names_cell(t, o.external_sponsors.iter().copied()),
                    ]);
                }
                tab
            };
            ctx.show_table(&list, table, |tab| tab.render_or("No connected organizations\n"))
        }
        OrgCmd::Show { org } => org_show(ctx, &org),
        OrgCmd::Create { name, domains, tenant_id, description, proposed, sponsors, external_sponsors } => {
            let t = ctx.t();
            let spec = OrgSpec {
                display_name: name,
                description,
                domains: domains.iter().flat_map(|d| parse::list(d)).map(str::to_string).collect(),
                tenant_id,
                state: if proposed { OrgState::Proposed } else { OrgState::Configured },
                internal_sponsors: users_of(t, &sponsors)?,
                external_sponsors: users_of(t, &external_sponsors)?,
            };
            ctx.exec(Command::CreateOrg { spec }).map(|_| ())
        }
        OrgCmd::Update(a) => org_update(ctx, a),
        OrgCmd::Delete { org } => {
            let org = ctx.t().find_org(&org)?.id;
            ctx.exec(Command::DeleteOrg { org }).map(|_| ())
        }
    }
}

fn users_of(t: &Tenant, lists: &[String]) -> Result<std::collections::BTreeSet<UserId>> {
    let mut out = std::collections::BTreeSet::new();
    for l in lists {
        out.extend(parse::users(t, l)?);
    }
    Ok(out)
}

fn org_state(s: OrgState) -> &'static str {
    match s {
        OrgState::Configured => "configured",
        OrgState::Proposed => "proposed",
    }
}

fn org_show(ctx: &Ctx, key: &str) -> Result<()> {
    let t = ctx.t();
    let o = t.find_org(key)?;
    let members = t.org_users_visible(ctx.actor()?, o.id)?;
    let value = serde_json::json!({"org": o, "users": members});
    ctx.show(&value, || {
        let mut text = format!("{} ({})\n", o.display_name, o.id);
        text.push_str(&kv(&[
            ("Description", o.description.clone()),
            ("Domains", o.domains.join(", ")),
            ("Tenant id", o.tenant_id.clone().unwrap_or_default()),
            ("State", org_state(o.state).into()),
            ("Internal sponsors", format::names(t, o.internal_sponsors.iter().copied())),
            ("External sponsors", format::names(t, o.external_sponsors.iter().copied())),
            ("Created", format::time(o.created_at)),
        ]));
        let mut tab = Table::new(&["ID", "NAME", "EMAIL", "STATE"]);
        for u in &members {
            let p = u.profile();
            tab.row(vec![
                p.id.to_string(),
                p.display_name.to_string(),
                p.email.to_string(),
                u.full().map(user_state).unwrap_or_default(),
            ]);
        }
        text.push_str("\nUsers\n");
        text.push_str(&tab.render_or("  none\n"));
        text
    })
}

fn org_update(ctx: &mut Ctx, a: OrgUpdate) -> Result<()> {
    let t = ctx.t();
    let o = t.find_org(&a.org)?;
    let mut spec = OrgSpec {
        display_name: a.name.unwrap_or_else(|| o.display_name.clone()),
        description: a.description.unwrap_or_else(|| o.description.clone()),
        domains: o.domains.clone(),
        tenant_id: a.tenant_id.or_else(|| o.tenant_id.clone()),
        state: match a.state {
            Some(OrgStateArg::Configured) => OrgState::Configured,
            Some(OrgStateArg::Proposed) => OrgState::Proposed,
            None => o.state,
        },
        internal_sponsors: o.internal_sponsors.clone(),
        external_sponsors: o.external_sponsors.clone(),
    };
    for d in a.add_domains.iter().flat_map(|d| parse::list(d)) {
        if !spec.domains.iter().any(|x| x.eq_ignore_ascii_case(d)) {
            spec.domains.push(d.to_string());
        }
    }
    for d in a.remove_domains.iter().flat_map(|d| parse::list(d)) {
        spec.domains.retain(|x| !x.eq_ignore_ascii_case(d));
    }
    spec.internal_sponsors.extend(users_of(t, &a.add_sponsors)?);
    for u in users_of(t, &a.remove_sponsors)? {
        spec.internal_sponsors.remove(&u);
    }
    spec.external_sponsors.extend(users_of(t, &a.add_external_sponsors)?);
    for u in users_of(t, &a.remove_external_sponsors)? {
        spec.external_sponsors.remove(&u);
    }
    let org = o.id;
    ctx.exec(Command::UpdateOrg { org, spec }).map(|_| ())
}
