//! The plan's phases, in the order their commands can run: connected organizations, catalogs
//! (their resources, role holders and extensions), packages (their roles, then, once every
//! package exists, their incompatibilities), policies; then the deletions, policies first and
//! connected organizations last, so that nothing is deleted while something still uses it.

use std::collections::BTreeSet;

use super::super::access::CatalogRole;
use super::super::command::{Command, Outcome};
use super::super::config_import::Resolver;
use super::super::error::invalid;
use super::super::separation::Incompatible;
use super::*;

/// A catalog of the file, matched or created, with its packages.
struct CatalogDone<'f> {
    g: &'f GraphCatalog,
    id: CatalogId,
    packages: Vec<(&'f GraphPackage, PackageId)>,
    extensions: BTreeSet<ExtensionId>,
}

impl Run<'_> {
    /// Names resolved against the copy as it is now.
    fn names(&self) -> Resolver<'_> {
        Resolver { t: &self.t, dir: &self.dir }
    }

    pub(super) fn all(&mut self, f: &ConfigFile) {
        let tenant_scope = f.entitle.scope == FileScope::Tenant;
        let mut orgs = BTreeSet::new();
        for g in &f.connected_organizations {
            if let Some(id) = self.org(g) {
                orgs.insert(id);
            }
        }
        let mut done: Vec<CatalogDone> = vec![];
        for g in &f.catalogs {
            let Some(id) = self.catalog(g) else { continue };
            self.catalog_resources(g, id, false);
            self.role_holders(g, id);
            let extensions = g.custom_workflow_extensions.iter().filter_map(|x| self.extension(g, id, x)).collect();
            done.push(CatalogDone { g, id, packages: vec![], extensions });
        }
        for c in &mut done {
            let mut claimed = BTreeSet::new();
            for p in &c.g.access_packages {
                if let Some(pid) = self.package(c.g, c.id, p, &mut claimed) {
                    self.resource_roles(c.g, p, pid);
                    c.packages.push((p, pid));
                }
            }
        }
        // What the file keeps of the packages in its scope: the others are deleted below.
        let kept: BTreeSet<PackageId> = done.iter().flat_map(|c| c.packages.iter().map(|(_, id)| *id)).collect();
        let in_scope: Option<BTreeSet<CatalogId>> = (!tenant_scope).then(|| done.iter().map(|c| c.id).collect());
        for c in &done {
            for (p, pid) in &c.packages {
                self.incompatible(c.g, p, *pid, &kept, in_scope.as_ref());
            }
        }
        let mut kept_policies = BTreeSet::new();
        for c in &done {
            for (p, pid) in &c.packages {
                let mut claimed = BTreeSet::new();
                for pol in &p.assignment_policies {
                    self.policy(c, p, *pid, pol, &mut claimed);
                }
                kept_policies.extend(claimed);
            }
        }
        // Deletions.
        for c in &done {
            for (p, pid) in &c.packages {
                let extra: Vec<PolicyId> =
                    self.t.policies_of(*pid).map(|x| x.id).filter(|x| !kept_policies.contains(x)).collect();
                for id in extra {
                    let name = self.t.policies.get(&id).map(|x| x.spec.display_name.clone()).unwrap_or_default();
                    let obj = format!("{} / {} / {name}", c.g.display_name.trim(), p.display_name);
                    self.delete(ObjectKind::AssignmentPolicy, &obj, Command::DeletePolicy { policy: id });
                }
            }
            let kept: BTreeSet<PackageId> = c.packages.iter().map(|(_, id)| *id).collect();
            self.delete_contents(c.id, &kept, &c.extensions);
            self.catalog_resources(c.g, c.id, true);
        }
        if tenant_scope {
            let kept: BTreeSet<CatalogId> = done.iter().map(|c| c.id).collect();
            let gone: Vec<(CatalogId, String, bool)> = self
                .t
                .catalogs
                .values()
                .filter(|c| !kept.contains(&c.id))
                .map(|c| (c.id, c.display_name.clone(), c.builtin))
                .collect();
            for (id, name, builtin) in gone {
                self.delete_contents(id, &BTreeSet::new(), &BTreeSet::new());
                if !builtin {
                    self.delete(ObjectKind::Catalog, &name, Command::DeleteCatalog { catalog: id });
                }
            }
            let gone: Vec<(OrgId, String)> = self
                .t
                .orgs
                .values()
                .filter(|o| !orgs.contains(&o.id))
                .map(|o| (o.id, o.display_name.clone()))
                .collect();
            for (id, name) in gone {
                self.delete(ObjectKind::ConnectedOrganization, &name, Command::DeleteOrg { org: id });
            }
        }
    }

    // ----- objects -----

    fn org(&mut self, g: &GraphOrg) -> Option<OrgId> {
        let kind = ObjectKind::ConnectedOrganization;
        let name = g.display_name.as_str();
        let existing = self.t.orgs.values().find(|o| o.display_name == name).map(|o| (o.id, org_spec(o)));
        let spec = match self.names().import_org(g) {
            Ok(s) => s,
            Err(e) => {
                self.unresolved(kind, name, e);
                return existing.map(|(id, _)| id);
            }
        };
        let new = self.t.render_org(&spec);
        let old = existing.as_ref().map(|(_, s)| self.t.render_org(s));
        let create = Command::CreateOrg { spec: spec.clone() };
        let id = existing.as_ref().map(|(id, _)| *id);
        let out = self.upsert(kind, name, old.as_ref(), &new, create, || Command::UpdateOrg {
            org: id.unwrap_or(OrgId(0)),
            spec,
        });
        id.or_else(|| created_id(out))
    }

    fn catalog(&mut self, g: &GraphCatalog) -> Option<CatalogId> {
        let kind = ObjectKind::Catalog;
        let spec = import_catalog(g);
        let name = spec.display_name.clone();
        let existing = self
            .t
            .catalog_named(&name)
            .and_then(|id| self.t.catalogs.get(&id))
            .map(|c| (c.id, c.builtin, catalog_spec(c)));
        let builtin = existing.as_ref().is_some_and(|(_, b, _)| *b);
        let old = existing.as_ref().map(|(_, b, s)| render_catalog_head(s, *b));
        let new = render_catalog_head(&spec, builtin);
        let id = existing.as_ref().map(|(id, ..)| *id);
        let create = Command::CreateCatalog { spec: spec.clone() };
        let out = self.upsert(kind, &name, old.as_ref(), &new, create, || Command::UpdateCatalog {
            catalog: id.unwrap_or(CatalogId(0)),
            spec,
        });
        id.or_else(|| created_id(out))
    }

    /// The catalog's resources: the additions (`removals` false) or, once packages no longer use
    /// them, the removals.
    fn catalog_resources(&mut self, g: &GraphCatalog, id: CatalogId, removals: bool) {
        let kind = ObjectKind::Catalog;
        let name = g.display_name.trim();
        let wanted = match self.names().import_resources(&g.resources) {
            Ok(w) => w,
            Err(e) => {
                if !removals {
                    self.unresolved(kind, name, e);
                }
                return;
            }
        };
        let current = self.t.catalogs.get(&id).map(|c| c.resources.clone()).unwrap_or_default();
        if current == wanted {
            return;
        }
        if removals {
            for r in current.difference(&wanted) {
                self.exec(kind, name, Command::RemoveCatalogResource { catalog: id, resource: *r });
            }
            return;
        }
        let render = |t: &Tenant, set: &BTreeSet<ResourceId>| {
            let mut v: Vec<GraphResource> =
                set.iter().filter_map(|r| t.resources.get(r)).map(render_resource).collect();
            v.sort_by(|a, b| (&a.display_name, a.origin_system).cmp(&(&b.display_name, b.origin_system)));
            v.into_iter().map(|r| r.display_name).collect::<Vec<_>>()
        };
        let props = vec![PropertyChange {
            property: "resources".into(),
            old: Some(value(&render(&self.t, &current))),
            new: Some(value(&render(&self.t, &wanted))),
        }];
        self.describe(kind, name, Action::Change, props);
        for r in wanted.difference(&current) {
            self.exec(kind, name, Command::AddCatalogResource { catalog: id, resource: *r });
        }
    }

    fn role_holders(&mut self, g: &GraphCatalog, id: CatalogId) {
        let kind = ObjectKind::Catalog;
        let name = g.display_name.trim();
        let wanted = match self.names().import_role_holders(&g.entitle.role_holders) {
            Ok(w) => w,
            Err(e) => return self.unresolved(kind, name, e),
        };
        let current: BTreeSet<(UserId, CatalogRole)> = self
            .t
            .catalogs
            .get(&id)
            .map(|c| c.roles.iter().flat_map(|(u, rs)| rs.iter().map(|r| (*u, *r))).collect())
            .unwrap_or_default();
        if current == wanted {
            return;
        }
        let old = self.t.render_role_holders(current.iter().copied());
        let new = self.t.render_role_holders(wanted.iter().copied());
        let mut props = vec![];
        diff("entitle.roleHolders", Some(&value(&old)), Some(&value(&new)), &mut props);
        self.describe(kind, name, Action::Change, props);
        for (user, role) in wanted.difference(&current) {
            self.exec(kind, name, Command::GrantCatalogRole { catalog: id, user: *user, role: *role });
        }
        for (user, role) in current.difference(&wanted) {
            self.exec(kind, name, Command::RevokeCatalogRole { catalog: id, user: *user, role: *role });
        }
    }

    fn extension(&mut self, cat: &GraphCatalog, id: CatalogId, g: &GraphExtension) -> Option<ExtensionId> {
        let kind = ObjectKind::CustomExtension;
        let obj = format!("{} / {}", cat.display_name.trim(), g.display_name);
        let existing = self.names().extension_named(id, &g.display_name).ok();
        let spec = match import_extension(g) {
            Ok(s) => s,
            Err(e) => {
                self.error(kind, &obj, invalid(e));
                return existing;
            }
        };
        let old = existing.and_then(|x| self.t.extensions.get(&x)).map(|x| render_extension(&x.spec));
        let create = Command::AddExtension { catalog: id, spec: spec.clone() };
        let out = self.upsert(kind, &obj, old.as_ref(), &render_extension(&spec), create, || {
            Command::UpdateExtension { extension: existing.unwrap_or(ExtensionId(0)), spec }
        });
        existing.or_else(|| created_id(out))
    }

    fn package(
        &mut self,
        cat: &GraphCatalog,
        id: CatalogId,
        g: &GraphPackage,
        claimed: &mut BTreeSet<PackageId>,
    ) -> Option<PackageId> {
        let kind = ObjectKind::AccessPackage;
        let obj = format!("{} / {}", cat.display_name.trim(), g.display_name);
        let spec = import_package(g);
        let existing = self
            .t
            .packages_of_catalog(id)
            .find(|p| !p.is_deleted() && p.display_name == g.display_name && !claimed.contains(&p.id))
            .map(|p| (p.id, package_spec(p)));
        let old = existing.as_ref().map(|(_, s)| render_package_head(s));
        let pid = existing.as_ref().map(|(p, _)| *p);
        let create = Command::CreatePackage { catalog: id, spec: spec.clone() };
        let out = self.upsert(kind, &obj, old.as_ref(), &render_package_head(&spec), create, || {
            Command::UpdatePackage { package: pid.unwrap_or(PackageId(0)), spec }
        });
        let pid = pid.or_else(|| created_id(out))?;
        claimed.insert(pid);
        Some(pid)
    }

    fn resource_roles(&mut self, cat: &GraphCatalog, g: &GraphPackage, pid: PackageId) {
        let kind = ObjectKind::AccessPackage;
        let obj = format!("{} / {}", cat.display_name.trim(), g.display_name);
        let wanted = match self.names().import_role_scopes(&g.resource_role_scopes) {
            Ok(w) => w,
            Err(e) => return self.unresolved(kind, &obj, e),
        };
        let current: BTreeSet<(ResourceId, String)> = self
            .t
            .packages
            .get(&pid)
            .map(|p| p.resource_roles.iter().map(|r| (r.resource, r.role.as_str().to_string())).collect())
            .unwrap_or_default();
        if current == wanted {
            return;
        }
        let render = |t: &Tenant, s: &BTreeSet<(ResourceId, String)>| {
            let scopes = t.render_role_scopes(s.iter().map(|(r, n)| (*r, n.as_str())));
            scopes
                .into_iter()
                .map(|x| format!("{} ({})", x.role.resource.display_name, x.role.display_name))
                .collect::<Vec<_>>()
        };
        let props = vec![PropertyChange {
            property: "resourceRoleScopes".into(),
            old: Some(value(&render(&self.t, &current))),
            new: Some(value(&render(&self.t, &wanted))),
        }];
        self.describe(kind, &obj, Action::Change, props);
        for (resource, role) in wanted.difference(&current) {
            self.exec(kind, &obj, Command::AddResourceRole { package: pid, resource: *resource, role: role.clone() });
        }
        for (resource, role) in current.difference(&wanted) {
            let command = Command::RemoveResourceRole {
                package: pid,
                resource: *resource,
                role: role.clone(),
                revoke_existing: false,
            };
            self.exec(kind, &obj, command);
        }
    }

    /// The package's incompatibilities. One with a package the file deletes is an error of the
    /// file; one with a package deleted before is left as it is (it lasts while that package's
    /// assignments run, and a file cannot name a deleted package).
    fn incompatible(
        &mut self,
        cat: &GraphCatalog,
        g: &GraphPackage,
        pid: PackageId,
        kept: &BTreeSet<PackageId>,
        in_scope: Option<&BTreeSet<CatalogId>>,
    ) {
        let kind = ObjectKind::AccessPackage;
        let obj = format!("{} / {}", cat.display_name.trim(), g.display_name);
        let wanted = match self.names().import_incompatible(g) {
            Ok(w) => w,
            Err(e) => return self.unresolved(kind, &obj, e),
        };
        let deleted_by_file = wanted.iter().find_map(|w| match w {
            Incompatible::Package { package } => self
                .t
                .packages
                .get(package)
                .filter(|p| !kept.contains(&p.id) && in_scope.is_none_or(|cats| cats.contains(&p.catalog))),
            Incompatible::Group { .. } => None,
        });
        if let Some(p) = deleted_by_file {
            let what = format!(
                "incompatibleAccessPackages names '{}', which this file deletes: remove it from the list too",
                p.display_name
            );
            return self.error(kind, &obj, super::super::error::rule(what));
        }
        let live = |w: &Incompatible| match w {
            Incompatible::Package { package } => self.t.packages.get(package).is_some_and(|p| !p.is_deleted()),
            Incompatible::Group { .. } => true,
        };
        let current: BTreeSet<Incompatible> = self
            .t
            .packages
            .get(&pid)
            .map(|p| p.incompatible_listed().into_iter().filter(|w| live(w)).collect())
            .unwrap_or_default();
        if current == wanted {
            return;
        }
        let (old_p, old_g) = self.t.render_incompatible(&current.iter().copied().collect::<Vec<_>>());
        let (new_p, new_g) = self.t.render_incompatible(&wanted.iter().copied().collect::<Vec<_>>());
        let mut props = vec![];
        diff("incompatibleAccessPackages", Some(&value(&old_p)), Some(&value(&new_p)), &mut props);
        diff("incompatibleGroups", Some(&value(&old_g)), Some(&value(&new_g)), &mut props);
        self.describe(kind, &obj, Action::Change, props);
        for w in wanted.difference(&current) {
            self.exec(kind, &obj, Command::AddIncompatible { package: pid, with: *w });
        }
        for w in current.difference(&wanted) {
            self.exec(kind, &obj, Command::RemoveIncompatible { package: pid, with: *w });
        }
    }

    fn policy(
        &mut self,
        c: &CatalogDone,
        p: &GraphPackage,
        pid: PackageId,
        g: &GraphPolicy,
        claimed: &mut BTreeSet<PolicyId>,
    ) {
        let kind = ObjectKind::AssignmentPolicy;
        let obj = format!("{} / {} / {}", c.g.display_name.trim(), p.display_name, g.display_name);
        let existing = self
            .t
            .policies_of(pid)
            .find(|x| x.spec.display_name == g.display_name && !claimed.contains(&x.id))
            .map(|x| (x.id, x.spec.clone()));
        if let Some((id, _)) = &existing {
            claimed.insert(*id);
        }
        let spec = match self.names().import_policy(c.id, g) {
            Ok(s) => s,
            Err(e) => return self.unresolved(kind, &obj, e),
        };
        let old = existing.as_ref().map(|(_, s)| self.t.render_policy(s));
        let new = self.t.render_policy(&spec);
        let id = existing.as_ref().map(|(id, _)| *id);
        let create = Command::CreatePolicy { package: pid, spec: spec.clone() };
        let out = self.upsert(kind, &obj, old.as_ref(), &new, create, || Command::UpdatePolicy {
            policy: id.unwrap_or(PolicyId(0)),
            spec,
        });
        if let Some(id) = created_id(out) {
            claimed.insert(id);
        }
    }

    /// Delete a catalog's live packages not in `kept`, then its extensions not in `extensions`.
    fn delete_contents(&mut self, cat: CatalogId, kept: &BTreeSet<PackageId>, extensions: &BTreeSet<ExtensionId>) {
        let cname = self.t.catalogs.get(&cat).map(|c| c.display_name.clone()).unwrap_or_default();
        let pkgs: Vec<(PackageId, String)> = self
            .t
            .packages_of_catalog(cat)
            .filter(|p| !p.is_deleted() && !kept.contains(&p.id))
            .map(|p| (p.id, p.display_name.clone()))
            .collect();
        for (id, name) in pkgs {
            self.delete(
                ObjectKind::AccessPackage,
                &format!("{cname} / {name}"),
                Command::DeletePackage { package: id },
            );
        }
        let exts: Vec<(ExtensionId, String)> = self
            .t
            .extensions
            .values()
            .filter(|e| e.catalog == cat && !extensions.contains(&e.id))
            .map(|e| (e.id, e.spec.display_name.clone()))
            .collect();
        for (id, name) in exts {
            let obj = format!("{cname} / {name}");
            self.delete(ObjectKind::CustomExtension, &obj, Command::RemoveExtension { extension: id });
        }
    }
}

/// The id a create command's outcome names.
fn created_id<T: TryFrom<super::super::ids::ObjectRef>>(out: Option<Outcome>) -> Option<T> {
    out?.created?.try_into().ok()
}
