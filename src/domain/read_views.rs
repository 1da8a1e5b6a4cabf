//! The filtered read models: every list and detail the command line and the terminal app show,
//! cut down to what the reader may see (the rules are in `reads.rs`). A face prints what these
//! return and nothing else.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use super::access::{Catalog, CatalogRole, Package, Policy};
use super::directory::{ConnectedOrg, Resource, User, UserType};
use super::error::DomainResult;
use super::finished::FinishedRecord;
use super::flow::{Assignment, AssignmentState, GrantSource, Request, Review, ReviewItem};
use super::ids::*;
use super::lint::Finding;
use super::reads::{Read, Reader};
use super::records::AuditEvent;
use super::report::{AccessRow, UserPackageRow};
use super::rights::Actor;
use super::tenant::Tenant;

/// A basic directory profile: what members see of each other (Entra's default).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile<'a> {
    pub id: UserId,
    pub display_name: &'a str,
    pub email: &'a str,
    pub user_type: UserType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manager: Option<UserId>,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub department: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub job_title: &'a str,
}

/// A user as the reader may see them: the whole record for administrators, else the profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum UserView<'a> {
    Full(&'a User),
    Profile(Profile<'a>),
}

impl<'a> UserView<'a> {
    pub fn profile(&self) -> Profile<'a> {
        match self {
            UserView::Full(u) => profile(u),
            UserView::Profile(p) => p.clone(),
        }
    }
    /// The whole record, for those who may see it.
    pub fn full(&self) -> Option<&'a User> {
        match self {
            UserView::Full(u) => Some(u),
            UserView::Profile(_) => None,
        }
    }
}

fn profile(u: &User) -> Profile<'_> {
    Profile {
        id: u.id,
        display_name: &u.display_name,
        email: &u.email,
        user_type: u.user_type,
        manager: u.manager,
        department: &u.department,
        job_title: &u.job_title,
    }
}

/// One user with what the reader may see of their roles and access (None: only the profile).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserCard<'a> {
    pub user: UserView<'a>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub details: Option<UserDetails<'a>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserDetails<'a> {
    pub catalog_roles: Vec<CatalogRoles<'a>>,
    pub assignments: Vec<&'a Assignment>,
    pub access: Vec<AccessRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogRoles<'a> {
    pub catalog: CatalogId,
    pub catalog_name: &'a str,
    pub roles: &'a BTreeSet<CatalogRole>,
}

/// A resource in a directory list; who holds it only for those who may know.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceCard<'a> {
    #[serde(flatten)]
    pub resource: &'a Resource,
    /// The catalogs it is in that the reader has a role in.
    pub catalogs: Vec<&'a str>,
    /// How many people hold one of its roles: administrators only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holders: Option<usize>,
}

/// One package as the reader may see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageCard<'a> {
    pub package: &'a Package,
    /// All its policies for the catalog's roles; for a requestor those that admit them or that
    /// their own access is under.
    pub policies: Vec<&'a Policy>,
    /// Every assignment for the catalog's roles; the reader's own otherwise.
    pub assignments: Vec<&'a Assignment>,
    pub findings: Vec<Finding>,
    /// Whether the reader has a role in the package's catalog (sees everything about it).
    pub catalog_role: bool,
}

impl Tenant {
    pub(crate) fn view<'a>(&self, r: Reader, u: &'a User) -> UserView<'a> {
        if r == Reader::Admin { UserView::Full(u) } else { UserView::Profile(profile(u)) }
    }

    /// `user list`: every user for administrators; active profiles for members; oneself for a guest.
    pub fn users_visible(&self, actor: &Actor) -> DomainResult<Vec<UserView<'_>>> {
        self.may_read(actor, Read::Directory)?;
        let r = self.reader(actor)?;
        Ok(self.users.values().filter(|u| self.sees_profile(r, u.id)).map(|u| self.view(r, u)).collect())
    }

    /// `user show`: the profile, and roles and access as far as the reader may see them.
    pub fn user_card(&self, actor: &Actor, id: UserId) -> DomainResult<UserCard<'_>> {
        self.may_read(actor, Read::Profile(id))?;
        let r = self.reader(actor)?;
        let u = self.user(id)?;
        let reviewing = self.reviewing(r);
        let details = self.may_read(actor, Read::UserAccess(id)).is_ok().then(|| UserDetails {
            catalog_roles: self
                .catalogs
                .values()
                .filter(|c| r == Reader::Admin || Self::is(r, id) || self.reads_catalog(r, c.id))
                .filter_map(|c| {
                    c.roles.get(&id).map(|roles| CatalogRoles { catalog: c.id, catalog_name: &c.display_name, roles })
                })
                .collect(),
            assignments: self.assignments_of_user(id).filter(|a| self.sees_assignment_in(r, &reviewing, a)).collect(),
            access: self.access_rows(r, &reviewing, id),
        });
        Ok(UserCard { user: self.view(r, u), details })
    }

    fn is(r: Reader, id: UserId) -> bool {
        matches!(r, Reader::User { user, .. } if user == id)
    }

    /// Whether the reader has a role over a resource: administrators, and the roles of a catalog
    /// it is in.
    fn reads_resource(&self, r: Reader, res: ResourceId) -> bool {
        r == Reader::Admin || self.catalogs.values().any(|c| c.resources.contains(&res) && self.reads_catalog(r, c.id))
    }

    /// Grant sources the reader may know of: a direct membership for the holder and those with a
    /// role over the resource; an assignment for whoever may see it.
    pub(crate) fn visible_sources(
        &self,
        r: Reader,
        reviewing: &BTreeSet<AssignmentId>,
        key: &super::tenant::GrantKey,
        s: &super::tenant::Sources,
    ) -> BTreeSet<GrantSource> {
        s.iter().filter(|src| self.sees_source(r, reviewing, key.user, key.resource, src)).cloned().collect()
    }

    /// Whether the reader may know of one source of `user`'s membership of `res` (see
    /// [`Tenant::visible_sources`]).
    pub(crate) fn sees_source(
        &self,
        r: Reader,
        reviewing: &BTreeSet<AssignmentId>,
        user: UserId,
        res: ResourceId,
        src: &GrantSource,
    ) -> bool {
        match src {
            GrantSource::Direct => Self::is(r, user) || self.reads_resource(r, res),
            GrantSource::Assignment { assignment } => {
                self.assignments.get(assignment).is_some_and(|a| self.sees_assignment_in(r, reviewing, a))
            }
        }
    }

    fn access_row(
        &self,
        r: Reader,
        reviewing: &BTreeSet<AssignmentId>,
        key: &super::tenant::GrantKey,
        s: &super::tenant::Sources,
    ) -> Option<AccessRow> {
        let seen = self.visible_sources(r, reviewing, key, s);
        (!seen.is_empty()).then(|| AccessRow {
            user: key.user,
            user_name: self.user_name(key.user),
            resource: key.resource,
            resource_name: self.resource_name(key.resource),
            role: key.role.to_string(),
            via: self.via(&seen),
        })
    }

    fn access_rows(&self, r: Reader, reviewing: &BTreeSet<AssignmentId>, user: UserId) -> Vec<AccessRow> {
        self.grants_of_user(user).filter_map(|(k, s)| self.access_row(r, reviewing, k, s)).collect()
    }

    /// `report access USER`: what they hold and why, as far as the reader may see.
    pub fn access_visible(&self, actor: &Actor, user: UserId) -> DomainResult<Vec<AccessRow>> {
        self.may_read(actor, Read::UserAccess(user))?;
        self.user(user)?;
        let r = self.reader(actor)?;
        Ok(self.access_rows(r, &self.reviewing(r), user))
    }

    /// `report packages USER`: the packages they may request and have, in the reader's catalogs
    /// (all of them for the user themselves and administrators).
    pub fn user_packages_visible(&self, actor: &Actor, user: UserId) -> DomainResult<Vec<UserPackageRow>> {
        Ok(self.user_packages_page(actor, user, usize::MAX)?.1)
    }

    /// How many rows [`Tenant::user_packages_visible`] has, and the first `limit` of them.
    pub fn user_packages_page(
        &self,
        actor: &Actor,
        user: UserId,
        limit: usize,
    ) -> DomainResult<(usize, Vec<UserPackageRow>)> {
        self.user_packages_page_with(None, actor, user, limit)
    }

    /// [`Tenant::user_packages_page`] through `index` (made from this data, see `requestable`):
    /// what a screen asks on every key press.
    pub fn user_packages_page_by(
        &self,
        index: &super::requestable::Requestable,
        actor: &Actor,
        user: UserId,
        limit: usize,
    ) -> DomainResult<(usize, Vec<UserPackageRow>)> {
        self.user_packages_page_with(Some(index), actor, user, limit)
    }

    /// The two above. A reader who sees only some catalogs is answered by asking each package.
    fn user_packages_page_with(
        &self,
        index: Option<&super::requestable::Requestable>,
        actor: &Actor,
        user: UserId,
        limit: usize,
    ) -> DomainResult<(usize, Vec<UserPackageRow>)> {
        self.may_read(actor, Read::UserAccess(user))?;
        let r = self.reader(actor)?;
        let all = r == Reader::Admin || Self::is(r, user);
        if let (true, Some(index)) = (all, index) {
            return Ok(self.user_packages_indexed(index, user, limit));
        }
        Ok(self.user_packages_where(user, |p| all || self.reads_catalog(r, p.catalog), limit))
    }

    /// `report holders RES`: the holders whose grant the reader may see, with only those sources.
    pub fn holders_visible(&self, actor: &Actor, res: ResourceId) -> DomainResult<Vec<AccessRow>> {
        self.may_read(actor, Read::Holders(res))?;
        let r = self.reader(actor)?;
        let reviewing = self.reviewing(r);
        let mut rows: Vec<AccessRow> = self
            .holders(res)
            .filter_map(|(u, role)| {
                let key = super::tenant::GrantKey { user: *u, resource: res, role: *role };
                self.grants.get(&key).and_then(|s| self.access_row(r, &reviewing, &key, s))
            })
            .collect();
        rows.sort_by(|a, b| a.user_name.cmp(&b.user_name));
        Ok(rows)
    }

    /// Group, application and site lists: holder counts only for administrators.
    pub fn resources_visible(&self, actor: &Actor) -> DomainResult<Vec<ResourceCard<'_>>> {
        self.may_read(actor, Read::Directory)?;
        let r = self.reader(actor)?;
        if let Reader::User { guest: true, .. } = r
            && !self.has_role(r)
        {
            return Ok(vec![]);
        }
        // Each resource's catalogs, from one pass over the catalogs the reader reads, in their
        // order (asking every catalog about every resource was most of the time the Directory
        // took to show at a million assignments: 2,400 groups, 800 catalogs).
        let mut catalogs_of: HashMap<ResourceId, Vec<&str>> = HashMap::new();
        for c in self.catalogs.values().filter(|c| self.reads_catalog(r, c.id)) {
            for id in &c.resources {
                catalogs_of.entry(*id).or_default().push(c.display_name.as_str());
            }
        }
        Ok(self
            .resources
            .values()
            .map(|res| ResourceCard {
                resource: res,
                catalogs: catalogs_of.remove(&res.id).unwrap_or_default(),
                // The holders come in user order (a sorted set): each user counted at their first.
                holders: (r == Reader::Admin).then(|| {
                    let mut users = self.holders(res.id).map(|(u, _)| *u).peekable();
                    let mut n = 0usize;
                    while let Some(u) = users.next() {
                        while users.next_if_eq(&u).is_some() {}
                        n = n.saturating_add(1);
                    }
                    n
                }),
            })
            .collect())
    }

    /// Connected organizations: all for an administrative role, a sponsor's own otherwise.
    pub fn orgs_visible(&self, actor: &Actor) -> DomainResult<Vec<&ConnectedOrg>> {
        self.may_read(actor, Read::Orgs)?;
        Ok(self.orgs.values().filter(|o| self.may_read(actor, Read::Org(o.id)).is_ok()).collect())
    }

    /// The users who come from an organization, as directory profiles the reader may see.
    pub fn org_users_visible(&self, actor: &Actor, org: OrgId) -> DomainResult<Vec<UserView<'_>>> {
        self.may_read(actor, Read::Org(org))?;
        let r = self.reader(actor)?;
        Ok(self
            .users
            .values()
            .filter(|u| {
                u.home_org.or_else(|| if u.is_guest() { self.org_for_domain(&u.domain()) } else { None }) == Some(org)
            })
            .filter(|u| self.sees_profile(r, u.id))
            .map(|u| self.view(r, u))
            .collect())
    }

    pub fn catalogs_visible(&self, actor: &Actor) -> DomainResult<Vec<&Catalog>> {
        let r = self.reader(actor)?;
        Ok(self.catalogs.values().filter(|c| self.reads_catalog(r, c.id)).collect())
    }

    /// `package list`: the catalogs' packages for their roles; what one may request (hidden ones
    /// excepted) and has otherwise. Deleted packages only for the catalog's roles.
    pub fn packages_visible(&self, actor: &Actor) -> DomainResult<Vec<&Package>> {
        let r = self.reader(actor)?;
        Ok(self
            .packages
            .values()
            .filter(|p| {
                self.reads_catalog(r, p.catalog)
                    || (!p.is_deleted() && !p.hidden && self.may_read(actor, Read::Package(p.id)).is_ok())
            })
            .collect())
    }

    /// `package show`: everything for the catalog's roles; for a requestor the package, the
    /// policies that admit them and their own assignments.
    pub fn package_card(&self, actor: &Actor, id: PackageId) -> DomainResult<PackageCard<'_>> {
        self.may_read(actor, Read::Package(id))?;
        let r = self.reader(actor)?;
        let package = self.package(id)?;
        let catalog_role = self.reads_catalog(r, package.catalog);
        let reviewing = self.reviewing(r);
        let policies = self.policies_of(id).filter(|p| self.may_read(actor, Read::Policy(p.id)).is_ok()).collect();
        let assignments = self
            .report_package_assignments(id)
            .into_iter()
            .flat_map(|(_, v)| v)
            .filter(|a| self.sees_assignment_in(r, &reviewing, a))
            .collect();
        let findings = if catalog_role {
            let objects: Vec<ObjectRef> =
                std::iter::once(id.into()).chain(package.policies.iter().map(|&x| x.into())).collect();
            self.lint().into_iter().filter(|f| objects.contains(&f.object)).collect()
        } else {
            vec![]
        };
        Ok(PackageCard { package, policies, assignments, findings, catalog_role })
    }

    /// `policy list [PKG]`.
    pub fn policies_visible(&self, actor: &Actor, pkg: Option<PackageId>) -> DomainResult<Vec<&Policy>> {
        self.reader(actor)?;
        Ok(self
            .policies
            .values()
            .filter(|p| pkg.is_none_or(|k| p.package == k) && self.may_read(actor, Read::Policy(p.id)).is_ok())
            .collect())
    }

    /// Every assignment the reader may see.
    pub fn assignments_visible(&self, actor: &Actor) -> DomainResult<Vec<&Assignment>> {
        self.may_read(actor, Read::Assignments)?;
        let r = self.reader(actor)?;
        let reviewing = self.reviewing(r);
        Ok(self.assignments.values().filter(|a| self.sees_assignment_in(r, &reviewing, a)).collect())
    }

    /// A package's assignments by state, for its catalog's roles.
    pub fn package_assignments_visible(
        &self,
        actor: &Actor,
        pkg: PackageId,
    ) -> DomainResult<Vec<(AssignmentState, Vec<&Assignment>)>> {
        self.may_read(actor, Read::PackageAssignments(pkg))?;
        Ok(self.report_package_assignments(pkg))
    }

    pub fn reviews_visible(&self, actor: &Actor) -> DomainResult<Vec<&Review>> {
        self.may_read(actor, Read::Reviews)?;
        let r = self.reader(actor)?;
        Ok(self.reviews.values().filter(|v| self.reader_sees_review(r, v)).collect())
    }

    /// One review with the items the reader may see.
    pub fn review_visible(&self, actor: &Actor, id: ReviewId) -> DomainResult<(&Review, Vec<&ReviewItem>)> {
        self.may_read(actor, Read::Review(id))?;
        let r = self.reader(actor)?;
        let v = self.review(id)?;
        Ok((v, self.review_items_for_reader(r, v)))
    }

    /// Tenant-wide reports need an administrative role; rows are cut to the reader's catalogs.
    pub fn expiring_visible(&self, actor: &Actor, days: i64) -> DomainResult<Vec<&Assignment>> {
        self.may_read(actor, Read::Reports)?;
        let r = self.reader(actor)?;
        let reviewing = self.reviewing(r);
        Ok(self.report_expiring(days)?.into_iter().filter(|a| self.sees_assignment_in(r, &reviewing, a)).collect())
    }

    /// The requests report: `from_files` holds the streams `Session` reads for it (a package's,
    /// or every stream).
    pub fn requests_report_visible(
        &self,
        actor: &Actor,
        pkg: Option<PackageId>,
        from_files: Vec<FinishedRecord>,
    ) -> DomainResult<Vec<Request>> {
        match pkg {
            Some(p) => self.package_requests_visible(actor, p, from_files),
            None => {
                self.may_read(actor, Read::Reports)?;
                self.all_requests_visible(actor, from_files)
            }
        }
    }

    pub fn drift_visible(&self, actor: &Actor) -> DomainResult<Vec<(AccessRow, bool)>> {
        self.may_read(actor, Read::Drift)?;
        let r = self.reader(actor)?;
        let mut rows = self.report_drift();
        rows.retain(|(row, _)| self.reads_resource(r, row.resource));
        Ok(rows)
    }

    pub fn lint_visible(&self, actor: &Actor) -> DomainResult<Vec<Finding>> {
        self.may_read(actor, Read::Reports)?;
        let r = self.reader(actor)?;
        Ok(self.lint().into_iter().filter(|f| self.reads_object(r, Some(f.object))).collect())
    }
}

/// The audit events a reader may see, oldest first (by `seq`).
#[derive(Debug, Clone, Default)]
pub struct AuditView {
    events: Vec<AuditEvent>,
}

impl AuditView {
    pub fn new(events: Vec<AuditEvent>) -> Self {
        AuditView { events }
    }
    pub fn len(&self) -> usize {
        self.events.len()
    }
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }
    pub fn get(&self, i: usize) -> Option<&AuditEvent> {
        self.events.get(i)
    }
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &AuditEvent> + '_ {
        self.events.iter()
    }
}
