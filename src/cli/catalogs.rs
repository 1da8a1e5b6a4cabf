//! Catalogs and access packages.

use anyhow::{Result, anyhow};

use super::Ctx;
use super::args::{CatalogCmd, CatalogRoleArg, IncompatibleCmd, PackageCmd};
use super::format::{self, Cell, Table, cells, kv};
use crate::domain::reads::Read;
use crate::domain::{
    Actor, Catalog, CatalogRole, CatalogSpec, Command, Incompatible, Package, PackageSpec, ResourceId, Tenant,
};

fn role(r: CatalogRoleArg) -> CatalogRole {
    match r {
        CatalogRoleArg::Owner => CatalogRole::Owner,
        CatalogRoleArg::Reader => CatalogRole::Reader,
        CatalogRoleArg::AccessPackageManager => CatalogRole::AccessPackageManager,
        CatalogRoleArg::AccessPackageAssignmentManager => CatalogRole::AccessPackageAssignmentManager,
    }
}

pub(crate) fn catalog(ctx: &mut Ctx, c: CatalogCmd) -> Result<()> {
    let t = ctx.t();
    let cmd = match c {
        CatalogCmd::List => return catalog_list(ctx),
        CatalogCmd::Show { catalog } => return catalog_show(ctx, &catalog),
        CatalogCmd::Create { name, description, disabled, external } => Command::CreateCatalog {
            spec: CatalogSpec { display_name: name, description, enabled: !disabled, external },
        },
        CatalogCmd::Update { catalog, name, description, enabled, external } => {
            let c = t.find_catalog(&catalog)?;
            let spec = CatalogSpec {
                display_name: name.unwrap_or_else(|| c.display_name.clone()),
                description: description.unwrap_or_else(|| c.description.clone()),
                enabled: enabled.unwrap_or(c.enabled),
                external: external.unwrap_or(c.external),
            };
            Command::UpdateCatalog { catalog: c.id, spec }
        }
        CatalogCmd::AddResource { catalog, resource } => Command::AddCatalogResource {
            catalog: t.find_catalog(&catalog)?.id,
            resource: t.find_resource(&resource)?.id,
        },
        CatalogCmd::RemoveResource { catalog, resource } => Command::RemoveCatalogResource {
            catalog: t.find_catalog(&catalog)?.id,
            resource: t.find_resource(&resource)?.id,
        },
        CatalogCmd::GrantRole { catalog, user, role: r } => Command::GrantCatalogRole {
            catalog: t.find_catalog(&catalog)?.id,
            user: t.find_user(&user)?.id,
            role: role(r),
        },
        CatalogCmd::RevokeRole { catalog, user, role: r } => Command::RevokeCatalogRole {
            catalog: t.find_catalog(&catalog)?.id,
            user: t.find_user(&user)?.id,
            role: role(r),
        },
        CatalogCmd::Delete { catalog } => Command::DeleteCatalog { catalog: t.find_catalog(&catalog)?.id },
    };
    ctx.exec(cmd).map(|_| ())
}

fn catalog_list(ctx: &Ctx) -> Result<()> {
    let t = ctx.t();
    let list: Vec<&Catalog> = t.catalogs_visible(ctx.actor()?)?;
    let table = || {
        let mut tab = Table::new(&["ID", "NAME", "ENABLED", "EXTERNAL", "RESOURCES", "PACKAGES", "OWNERS"]);
        for c in &list {
            let owners = c.roles.iter().filter(|(_, r)| r.contains(&CatalogRole::Owner)).map(|(u, _)| *u);
            tab.row(cells![
                c.id.to_string(),
                c.display_name.clone(),
                format::yes_no(c.enabled),
                format::yes_no(c.external),
                c.resources.len().to_string(),
                t.packages_of_catalog(c.id).filter(|p| !p.is_deleted()).count().to_string(),
                format::names_cell(t, owners),
            ]);
        }
        tab
    };
    ctx.show_table(&list, table, |tab| tab.render_or("No catalogs you have a role in\n"))
}

fn catalog_show(ctx: &Ctx, key: &str) -> Result<()> {
    let t = ctx.t();
    let c = t.find_catalog(key)?;
    t.may_read(ctx.actor()?, Read::Catalog(c.id))?;
    let resources: Vec<_> = c.resources.iter().filter_map(|r| t.resources.get(r)).collect();
    let packages: Vec<&Package> = t.packages_of_catalog(c.id).filter(|p| !p.is_deleted()).collect();
    let value = serde_json::json!({"catalog": c, "resources": resources, "packages": packages});
    ctx.show(&value, || {
        let mut text = format!("Catalog '{}' ({})\n", c.display_name, c.id);
        text.push_str(&kv(&[
            ("Description", c.description.clone()),
            ("Enabled", format::yes_no(c.enabled)),
            ("Enabled for external users", format::yes_no(c.external)),
            ("Built in", format::yes_no(c.builtin)),
            ("Created", format::time(c.created_at)),
        ]));
        let mut tab = Table::new(&["ID", "NAME", "TYPE", "ROLES"]);
        for r in &resources {
            tab.row(vec![r.id.to_string(), r.display_name.clone(), r.kind.label().into(), r.roles.join(", ")]);
        }
        text.push_str("\nResources\n");
        text.push_str(&tab.render_or("  none: add some with `entitle catalog add-resource`\n"));
        let mut tab = Table::new(&["USER", "ROLES"]);
        for (u, roles) in &c.roles {
            let labels: Vec<&str> = roles.iter().map(|r| r.label()).collect();
            tab.row(vec![t.user_name(*u), labels.join(", ")]);
        }
        text.push_str("\nRoles\n");
        text.push_str(&tab.render_or("  none\n"));
        text.push_str("\nAccess packages\n");
        text.push_str(&package_table(t, &Actor::System, &packages).render_or("  none\n"));
        text
    })
}

/// Packages; the count of active assignments only where the reader has a role in the catalog.
fn package_table(t: &Tenant, actor: &Actor, list: &[&Package]) -> Table {
    let mut tab = Table::new(&["ID", "NAME", "CATALOG", "RESOURCE ROLES", "POLICIES", "ACTIVE", "FLAGS"]);
    for p in list {
        let mut flags = vec![];
        if p.hidden {
            flags.push("hidden");
        }
        if p.sensitive {
            flags.push("sensitive");
        }
        if p.is_deleted() {
            flags.push("deleted");
        }
        tab.row(cells![
            p.id.to_string(),
            p.display_name.clone(),
            t.catalogs.get(&p.catalog).map(|c| c.display_name.clone()).unwrap_or_default(),
            p.resource_roles.len().to_string(),
            p.policies.len().to_string(),
            if t.may_read(actor, Read::PackageAssignments(p.id)).is_ok() {
                Cell::Text(t.assignments_of_package(p.id).filter(|a| a.is_active()).count().to_string())
            } else {
                Cell::Blank("-")
            },
            flags.join(", "),
        ]);
    }
    tab
}

pub(crate) fn package(ctx: &mut Ctx, c: PackageCmd) -> Result<()> {
    let t = ctx.t();
    let cmd = match c {
        PackageCmd::List { catalog, deleted } => {
            let cat = catalog.map(|c| t.find_catalog(&c).map(|c| c.id)).transpose()?;
            let actor = ctx.actor()?;
            let mut list: Vec<&Package> = t.packages_visible(actor)?;
            list.retain(|p| (deleted || !p.is_deleted()) && cat.is_none_or(|c| p.catalog == c));
            let text = |tab: &Table| tab.render_or("No access packages\n");
            return ctx.show_table(&list, || package_table(t, actor, &list), text);
        }
        PackageCmd::Show { package } => return package_show(ctx, &package),
        PackageCmd::Create { name, catalog, description, hidden, sensitive } => {
            let catalog = match catalog {
                Some(c) => t.find_catalog(&c)?.id,
                None => t
                    .catalogs
                    .values()
                    .find(|c| c.builtin)
                    .map(|c| c.id)
                    .ok_or_else(|| anyhow!("The tenant has no General catalog: pass --catalog"))?,
            };
            Command::CreatePackage { catalog, spec: PackageSpec { display_name: name, description, hidden, sensitive } }
        }
        PackageCmd::Update { package, name, description, hidden, sensitive } => {
            let p = t.find_package(&package)?;
            let spec = PackageSpec {
                display_name: name.unwrap_or_else(|| p.display_name.clone()),
                description: description.unwrap_or_else(|| p.description.clone()),
                hidden: hidden.unwrap_or(p.hidden),
                sensitive: sensitive.unwrap_or(p.sensitive),
            };
            Command::UpdatePackage { package: p.id, spec }
        }
        PackageCmd::AddRole { package, resource, role } => {
            let p = t.find_package(&package)?;
            let r = t.find_resource(&resource)?;
            let role = role.or_else(|| r.roles.first().cloned()).unwrap_or_default();
            Command::AddResourceRole { package: p.id, resource: r.id, role }
        }
        PackageCmd::RemoveRole { package, resource, role, revoke_existing } => {
            let p = t.find_package(&package)?;
            let r = t.find_resource(&resource)?;
            let role = role.or_else(|| granted_role(p, r.id)).unwrap_or_default();
            Command::RemoveResourceRole { package: p.id, resource: r.id, role, revoke_existing }
        }
        PackageCmd::Delete { package } => Command::DeletePackage { package: t.find_package(&package)?.id },
        PackageCmd::Incompatible(c) => return incompatible(ctx, c),
    };
    ctx.exec(cmd).map(|_| ())
}

/// `package incompatible`: list, add or remove what a package is incompatible with.
fn incompatible(ctx: &mut Ctx, c: IncompatibleCmd) -> Result<()> {
    let t = ctx.t();
    let with = |other: &str, group: bool| -> Result<Incompatible> {
        Ok(if group {
            Incompatible::Group { group: t.find_resource(other)?.id }
        } else {
            Incompatible::Package { package: t.find_package(other)?.id }
        })
    };
    let cmd = match c {
        IncompatibleCmd::List { package } => {
            let p = t.find_package(&package)?;
            // What the actor may see of the package: a package they cannot see is not found.
            t.package_card(ctx.actor()?, p.id)?;
            let list = t.incompatibilities(p);
            let table = || {
                let mut tab = Table::new(&["KIND", "ID", "NAME", "LISTED BY"]);
                for w in &list {
                    let (kind, id) = match w {
                        Incompatible::Package { package } => ("package", package.to_string()),
                        Incompatible::Group { group } => ("group", group.to_string()),
                    };
                    let listed_by = match w {
                        Incompatible::Package { package } if !p.incompatible_packages.contains(package) => {
                            t.incompatible_name(*w)
                        }
                        _ => p.display_name.clone(),
                    };
                    tab.row(vec![kind.into(), id, t.incompatible_name(*w), listed_by]);
                }
                tab
            };
            let text = |tab: &Table| tab.render_or(&format!("'{}' is compatible with everything\n", p.display_name));
            return ctx.show_table(&list, table, text);
        }
        IncompatibleCmd::Add { package, other, group } => {
            Command::AddIncompatible { package: t.find_package(&package)?.id, with: with(&other, group)? }
        }
        IncompatibleCmd::Remove { package, other, group } => {
            Command::RemoveIncompatible { package: t.find_package(&package)?.id, with: with(&other, group)? }
        }
    };
    ctx.exec(cmd).map(|_| ())
}

fn granted_role(p: &Package, res: ResourceId) -> Option<String> {
    p.resource_roles.iter().find(|rr| rr.resource == res).map(|rr| rr.role.to_string())
}

fn package_show(ctx: &Ctx, key: &str) -> Result<()> {
    let t = ctx.t();
    let p = t.find_package(key)?;
    let card = t.package_card(ctx.actor()?, p.id)?;
    let mut by_state: Vec<(crate::domain::AssignmentState, usize)> = vec![];
    for a in &card.assignments {
        match by_state.iter_mut().find(|(s, _)| *s == a.state) {
            Some((_, n)) => *n += 1,
            None => by_state.push((a.state, 1)),
        }
    }
    ctx.show(&card, || {
        let cat = t.catalogs.get(&p.catalog);
        let mut text = format!("Access package '{}' ({})\n", p.display_name, p.id);
        text.push_str(&kv(&[
            ("Catalog", cat.map(|c| format!("{} ({})", c.display_name, c.id)).unwrap_or_default()),
            ("Description", p.description.clone()),
            ("Hidden", format::yes_no(p.hidden)),
            ("Sensitive", format::yes_no(p.sensitive)),
            // Separation of duties, both ways; no line when there is none.
            ("Incompatible with", {
                let names: Vec<String> = t.incompatibilities(p).into_iter().map(|w| t.incompatible_name(w)).collect();
                names.join(", ")
            }),
            ("State", p.deleted_at.map(|d| format!("deleted {}", format::time(d))).unwrap_or_else(|| "active".into())),
        ]));
        let mut tab = Table::new(&["RESOURCE", "TYPE", "ROLE"]);
        for rr in &p.resource_roles {
            let kind = t.resources.get(&rr.resource).map(|r| r.kind.label()).unwrap_or_default();
            tab.row(vec![t.resource_name(rr.resource), kind.into(), rr.role.to_string()]);
        }
        text.push_str("\nResource roles\n");
        text.push_str(&tab.render_or("  none: add one with `entitle package add-role`\n"));
        let mut tab = Table::new(&["ID", "NAME", "SUMMARY"]);
        for pol in &card.policies {
            tab.row(vec![pol.id.to_string(), pol.spec.display_name.clone(), super::policy_show::summary(t, &pol.spec)]);
        }
        text.push_str(if card.catalog_role { "\nPolicies\n" } else { "\nPolicies you may request under\n" });
        text.push_str(&tab.render_or("  none: nobody can request it; add one with `entitle policy create`\n"));
        text.push_str(if card.catalog_role { "\nAssignments\n" } else { "\nYour assignments\n" });
        if by_state.is_empty() {
            text.push_str("  none\n");
        }
        for (state, n) in &by_state {
            text.push_str(&format!("  {state}: {n}\n"));
        }
        if !card.assignments.is_empty() {
            text.push_str(&super::lifecycle::assignment_table(t, &card.assignments).render());
        }
        if card.catalog_role {
            text.push_str("\nLint\n");
            if card.findings.is_empty() {
                text.push_str("  no findings\n");
            }
            for f in &card.findings {
                text.push_str(&format!("  {} {}: {}\n", f.code, f.object, f.message));
            }
        }
        text
    })
}
