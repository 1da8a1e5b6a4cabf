//! Separation of duties [incompatibleAccessPackages, incompatibleGroups]: a package lists the
//! packages and groups whose holders may not have it. Both directions count, as in the real
//! service: holding A blocks B when A lists B or B lists A. A request and a direct assignment
//! are refused the same way (`check_compatible`); the people who already hold both show in a
//! report and as lint warnings.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::access::Package;
use super::command::{Outcome, done};
use super::directory::ResourceKind;
use super::error::{DomainError, DomainResult, invalid, rule};
use super::ids::{PackageId, ResourceId, UserId};
use super::rights::Actor;
use super::tenant::Tenant;

/// What a package is incompatible with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum Incompatible {
    /// Whoever has an active assignment of this package.
    Package { package: PackageId },
    /// Whoever is a member (or owner) of this group.
    Group { group: ResourceId },
}

/// Packages and groups as what a package is incompatible with, packages first.
pub fn listed(packages: &BTreeSet<PackageId>, groups: &BTreeSet<ResourceId>) -> Vec<Incompatible> {
    let packages = packages.iter().map(|p| Incompatible::Package { package: *p });
    packages.chain(groups.iter().map(|g| Incompatible::Group { group: *g })).collect()
}

impl Package {
    /// What this package lists as incompatible with it (one direction: see
    /// [`Tenant::incompatibilities`] for both).
    pub fn incompatible_listed(&self) -> Vec<Incompatible> {
        listed(&self.incompatible_packages, &self.incompatible_groups)
    }
}

/// One person who holds a package and something it is incompatible with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Conflict {
    pub user: UserId,
    pub user_name: String,
    pub package: PackageId,
    pub package_name: String,
    pub with: Incompatible,
    pub with_name: String,
}

impl Tenant {
    /// The name of what a package is incompatible with.
    pub fn incompatible_name(&self, with: Incompatible) -> String {
        match with {
            Incompatible::Package { package } => {
                self.packages.get(&package).map_or_else(|| package.to_string(), |p| p.display_name.clone())
            }
            Incompatible::Group { group } => self.resource_name(group),
        }
    }

    /// Whether `user` holds `with` now: an active assignment of the package, or membership of
    /// the group.
    fn holds_incompatible(&self, user: UserId, with: Incompatible) -> bool {
        match with {
            Incompatible::Package { package } => self.active_assignment(user, package).is_some(),
            Incompatible::Group { group } => self.is_group_member(user, group),
        }
    }

    /// Everything `pkg` conflicts with, both ways: what it lists, and every package that lists it.
    pub fn incompatibilities(&self, pkg: &Package) -> Vec<Incompatible> {
        let mut out = pkg.incompatible_listed();
        for other in self.packages.values().filter(|o| o.id != pkg.id && o.incompatible_packages.contains(&pkg.id)) {
            let with = Incompatible::Package { package: other.id };
            if !out.contains(&with) {
                out.push(with);
            }
        }
        out
    }

    /// The first thing `user` holds that `pkg` is incompatible with: what it lists, then the
    /// packages of the user's own assignments that list it (a few, not every package).
    pub fn conflict_of(&self, user: UserId, pkg: &Package) -> Option<Incompatible> {
        let listed = pkg.incompatible_listed().into_iter().find(|w| self.holds_incompatible(user, *w));
        listed.or_else(|| {
            self.assignments_of_user(user)
                .filter(|a| a.is_active() && a.package != pkg.id)
                .find(|a| self.packages.get(&a.package).is_some_and(|o| o.incompatible_packages.contains(&pkg.id)))
                .map(|a| Incompatible::Package { package: a.package })
        })
    }

    /// Separation of duties: `user` may be given `pkg` only if they hold nothing it is
    /// incompatible with. The refusal names the conflict and the way out.
    pub(crate) fn check_compatible(&self, user: UserId, pkg: &Package) -> DomainResult<()> {
        let Some(with) = self.conflict_of(user, pkg) else { return Ok(()) };
        let who = self.user_name(user);
        let what = self.incompatible_name(with);
        let message = match with {
            Incompatible::Package { .. } => format!(
                "Separation of duties: '{}' is incompatible with '{what}', which {who} already has; remove that assignment first, or ask the package's manager to review the incompatibility",
                pkg.display_name
            ),
            Incompatible::Group { .. } => format!(
                "Separation of duties: '{}' is incompatible with group '{what}', of which {who} is a member; leave the group first, or ask the package's manager to review the incompatibility",
                pkg.display_name
            ),
        };
        Err(DomainError::Incompatible { with, message })
    }

    /// A package manager of `pkg` marks it incompatible with `with` (or no longer).
    pub(crate) fn cmd_incompatible(
        &mut self,
        actor: &Actor,
        id: PackageId,
        with: Incompatible,
        add: bool,
    ) -> DomainResult<Outcome> {
        let before = self.check_incompatible(actor, id, with, add)?;
        let mut after = before.clone();
        match with {
            Incompatible::Package { package } if add => after.incompatible_packages.insert(package),
            Incompatible::Package { package } => after.incompatible_packages.remove(&package),
            Incompatible::Group { group } if add => after.incompatible_groups.insert(group),
            Incompatible::Group { group } => after.incompatible_groups.remove(&group),
        };
        let what = self.incompatible_name(with);
        let msg = if add {
            format!("'{}' is now incompatible with '{what}'", before.display_name)
        } else {
            format!("'{}' is no longer incompatible with '{what}'", before.display_name)
        };
        let activity = if add { "accessPackage.incompatibleAdded" } else { "accessPackage.incompatibleRemoved" };
        let b = Listed::of(&before);
        let a = Listed::of(&after);
        self.audit_change(actor, activity, id, msg.clone(), Some(&b), Some(&a));
        self.packages.insert(id, after);
        done(msg)
    }

    /// Whoever may edit the package may change what it is incompatible with; the other side
    /// must exist (a live package other than itself, or a group), and be listed for a removal.
    pub(crate) fn check_incompatible(
        &self,
        actor: &Actor,
        id: PackageId,
        with: Incompatible,
        add: bool,
    ) -> DomainResult<Package> {
        let pkg = self.managed_package(actor, id, "edit access packages")?;
        let listed = match with {
            Incompatible::Package { package } => pkg.incompatible_packages.contains(&package),
            Incompatible::Group { group } => pkg.incompatible_groups.contains(&group),
        };
        if !add {
            return if listed {
                Ok(pkg)
            } else {
                Err(rule(format!(
                    "'{}' is not listed as incompatible with '{}'",
                    pkg.display_name,
                    self.incompatible_name(with)
                )))
            };
        }
        if listed {
            return Err(rule(format!(
                "'{}' is already incompatible with '{}'",
                pkg.display_name,
                self.incompatible_name(with)
            )));
        }
        match with {
            Incompatible::Package { package } => {
                let other = self.package(package)?;
                if package == id {
                    return Err(invalid("A package cannot be incompatible with itself"));
                }
                if other.is_deleted() {
                    return Err(rule(format!("Access package '{}' was deleted", other.display_name)));
                }
            }
            Incompatible::Group { group } => {
                let res = self.resource(group)?;
                if !matches!(res.kind, ResourceKind::Group { .. }) {
                    return Err(invalid(format!(
                        "'{}' is a {}, not a group: only groups and access packages can be incompatible",
                        res.display_name,
                        res.kind.label()
                    )));
                }
            }
        }
        Ok(pkg)
    }

    /// [`Tenant::incompatible_holders`] as the actor may see it: the rows of the packages whose
    /// catalogs they read (who holds what is never shown to someone without a role over it).
    pub fn incompatible_visible(&self, actor: &Actor) -> DomainResult<Vec<Conflict>> {
        self.may_read(actor, super::reads::Read::Reports)?;
        let r = self.reader(actor)?;
        let mut rows = self.incompatible_holders();
        rows.retain(|c| self.packages.get(&c.package).is_some_and(|p| self.reads_catalog(r, p.catalog)));
        Ok(rows)
    }

    /// Who already holds a package and something it is incompatible with (each pair of packages
    /// once, whichever lists the other), by package, then person.
    pub fn incompatible_holders(&self) -> Vec<Conflict> {
        let mut out = Vec::new();
        for pkg in self.packages.values() {
            let mut withs = pkg.incompatible_listed();
            // A pair both packages list is reported once, under the lower id.
            withs.retain(|w| match w {
                Incompatible::Package { package } => {
                    *package > pkg.id
                        || !self.packages.get(package).is_some_and(|o| o.incompatible_packages.contains(&pkg.id))
                }
                Incompatible::Group { .. } => true,
            });
            if withs.is_empty() {
                continue;
            }
            let mut holders: Vec<UserId> =
                self.assignments_of_package(pkg.id).filter(|a| a.is_active()).map(|a| a.target).collect();
            holders.sort_unstable();
            holders.dedup();
            for user in holders {
                for with in withs.iter().filter(|w| self.holds_incompatible(user, **w)) {
                    out.push(Conflict {
                        user,
                        user_name: self.user_name(user),
                        package: pkg.id,
                        package_name: pkg.display_name.clone(),
                        with: *with,
                        with_name: self.incompatible_name(*with),
                    });
                }
            }
        }
        out
    }
}

/// What an incompatibility change touches of a package, for the audit log.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Listed {
    incompatible_groups: Vec<ResourceId>,
    incompatible_packages: Vec<PackageId>,
}

impl Listed {
    fn of(p: &Package) -> Self {
        Listed {
            incompatible_groups: p.incompatible_groups.iter().copied().collect(),
            incompatible_packages: p.incompatible_packages.iter().copied().collect(),
        }
    }
}
