//! Who may read what: the same table as for changes (DOMAIN.md, "Reads follow the same table"),
//! decided here once for the command line and the terminal app.
//!
//! - A blocked or removed user reads nothing (their mailbox included).
//! - Someone outside the directory sees the packages a policy lets them request, the policies
//!   that admit them, their own requests, and the clock.
//! - A directory user sees the packages they may request, their own requests, assignments,
//!   reviews of their access and mailbox, and what is routed to them (requests to approve,
//!   reviews to do). A member also sees basic directory profiles (name, email, department,
//!   manager: Entra's default); a guest only their own (Entra's default guest restriction).
//! - A catalog role (any, reader included) sees its catalogs' packages, policies, requests,
//!   assignments and reviews, and the audit events and lint findings about them.
//! - A global administrator sees everything.
//!
//! Who holds what (assignments, memberships, holders) is never shown without a role over it.

use std::collections::BTreeSet;

use super::error::{DomainError, DomainResult, forbidden, not_found};
use super::flow::{Assignment, Request, Review, ReviewItem, Target};
use super::ids::*;
use super::rights::Actor;
use super::tenant::Tenant;

/// Who is reading, once their sign-in has been checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// A global administrator, or the engine itself: everything.
    Admin,
    /// An enabled directory user (an external person already in the directory is this too).
    User { user: UserId, guest: bool },
    /// Someone outside the directory, known only by email.
    Outsider,
}

/// One kind of read. Reads of one object name it; lists are filtered by the views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    Clock,
    /// My Access: the packages one may request.
    Available,
    /// Directory profiles: user, group, application and site lists.
    Directory,
    /// One user's profile.
    Profile(UserId),
    /// What one user holds and may request (their assignments, access and packages).
    UserAccess(UserId),
    /// Who holds a resource.
    Holders(ResourceId),
    Orgs,
    Org(OrgId),
    Catalogs,
    Catalog(CatalogId),
    Packages,
    Package(PackageId),
    /// A package's assignments and requests.
    PackageAssignments(PackageId),
    Policy(PolicyId),
    Requests,
    Request(RequestId),
    Assignments,
    Assignment(AssignmentId),
    Reviews,
    Review(ReviewId),
    /// The approval inbox, review tasks and the mailbox: one's own.
    Own,
    /// Tenant-wide reports (expiring, all requests), lint and the audit log: filtered to the
    /// catalogs one has a role in.
    Reports,
    /// Memberships outside any package: of every resource for administrators, of their catalogs'
    /// resources for catalog roles.
    Drift,
    Settings,
}

impl Tenant {
    /// Who the actor is as a reader; refuses a blocked or removed user outright.
    pub fn reader(&self, actor: &Actor) -> DomainResult<Reader> {
        let user = match actor {
            Actor::System => return Ok(Reader::Admin),
            Actor::User { user } => self.users.get(user).ok_or_else(|| not_found(format!("No user {user}")))?,
            Actor::External { email, .. } => match self.user_by_email(email).filter(|u| u.is_active()) {
                Some(u) => u,
                None => return Ok(Reader::Outsider),
            },
        };
        if !user.is_active() {
            return Err(forbidden(format!(
                "{} was removed from the directory: a removed user can read nothing; sign in by email to request access again",
                user.display_name
            )));
        }
        if !user.enabled {
            return Err(forbidden(format!(
                "{}'s sign-in is blocked: a blocked user can do nothing, reads included, until an administrator unblocks them",
                user.display_name
            )));
        }
        if user.global_admin {
            return Ok(Reader::Admin);
        }
        Ok(Reader::User { user: user.id, guest: user.is_guest() })
    }

    pub(crate) fn reader_user(r: Reader) -> Option<UserId> {
        match r {
            Reader::User { user, .. } => Some(user),
            _ => None,
        }
    }

    /// Any administrative role: global administrator, catalog creator, or a role in some catalog.
    pub(crate) fn has_role(&self, r: Reader) -> bool {
        match r {
            Reader::Admin => true,
            Reader::User { user, .. } => {
                self.settings.catalog_creators.contains(&user)
                    || self.catalogs.values().any(|c| c.roles.contains_key(&user))
            }
            Reader::Outsider => false,
        }
    }

    /// Any role (reader included) in this catalog.
    pub(crate) fn reads_catalog(&self, r: Reader, cat: CatalogId) -> bool {
        match r {
            Reader::Admin => true,
            Reader::User { user, .. } => self.catalogs.get(&cat).is_some_and(|c| c.roles.contains_key(&user)),
            Reader::Outsider => false,
        }
    }

    fn reads_package_catalog(&self, r: Reader, pkg: PackageId) -> bool {
        self.packages.get(&pkg).is_some_and(|p| self.reads_catalog(r, p.catalog))
    }

    /// Whether the actor may make this read; the refusal names the rule and what to do instead.
    pub fn may_read(&self, actor: &Actor, read: Read) -> DomainResult<()> {
        let r = self.reader(actor)?;
        self.exists(read)?;
        let ok = match read {
            Read::Clock | Read::Available | Read::Packages | Read::Requests | Read::Catalogs => true,
            Read::Directory => r != Reader::Outsider,
            Read::Profile(u) => self.sees_profile(r, u),
            Read::UserAccess(u) => Self::reader_user(r) == Some(u) || self.has_role(r),
            Read::Holders(_) | Read::Reports | Read::Settings => self.has_role(r),
            Read::Orgs => self.has_role(r) || self.sponsors_any(r),
            Read::Org(o) => self.has_role(r) || self.sponsors(r, o),
            Read::Catalog(c) => self.reads_catalog(r, c),
            Read::Package(p) => self.sees_package(r, actor, p),
            Read::PackageAssignments(p) => self.reads_package_catalog(r, p),
            Read::Policy(p) => self.sees_policy(r, actor, p),
            Read::Request(id) => match self.requests.get(&id) {
                Some(q) => self.reader_sees_request(r, actor, q),
                // A finished one, by its entry (its approvers read it through `request_visible`).
                None => self.finished.get(&id).is_some_and(|f| {
                    super::finished::entry_is_readers(f, r)
                        || self.reads_package_catalog(r, f.package)
                        || Self::reader_user(r).is_some_and(|u| self.finished_was_theirs_outside(u, id))
                }),
            },
            Read::Assignments | Read::Reviews => r != Reader::Outsider,
            Read::Assignment(id) => self.assignments.get(&id).is_some_and(|a| self.reader_sees_assignment(r, a)),
            Read::Review(id) => self.reviews.get(&id).is_some_and(|v| self.reader_sees_review(r, v)),
            Read::Own => r != Reader::Outsider,
            Read::Drift => self.has_role(r),
        };
        if ok { Ok(()) } else { Err(self.read_refusal(r, read)) }
    }

    /// A read of something that is not there is "not found", whoever asks (ids are no secret).
    fn exists(&self, read: Read) -> DomainResult<()> {
        match read {
            Read::Profile(id) | Read::UserAccess(id) => self.user(id).map(|_| ()),
            Read::Holders(id) => self.resource(id).map(|_| ()),
            Read::Org(id) => self.org(id).map(|_| ()),
            Read::Catalog(id) => self.catalog(id).map(|_| ()),
            Read::Package(id) | Read::PackageAssignments(id) => self.package(id).map(|_| ()),
            Read::Policy(id) => self.policy(id).map(|_| ()),
            Read::Request(id) if self.finished.contains_key(&id) => Ok(()),
            Read::Request(id) => self.request(id).map(|_| ()),
            Read::Assignment(id) => self.assignment(id).map(|_| ()),
            Read::Review(id) => self.review(id).map(|_| ()),
            _ => Ok(()),
        }
    }

    pub(crate) fn read_refusal(&self, r: Reader, read: Read) -> DomainError {
        let outsider = "You are not in the directory: you can see the packages you may request (`entitle available`) and your own requests";
        if r == Reader::Outsider {
            return forbidden(outsider);
        }
        let role = "you need a role over it (a catalog role, or global administrator)";
        forbidden(match read {
            Read::Profile(u) if self.users.get(&u).is_some_and(|x| !x.is_active()) => format!(
                "{} was removed from the directory: only administrators see removed users",
                self.user_name(u)
            ),
            Read::Profile(_) => {
                "Guests see only their own directory profile (Entra's default guest access); ask a member or an administrator".into()
            }
            Read::UserAccess(u) => {
                format!("To see what {} holds {role}; `entitle report access` with your own name shows yours", self.user_name(u))
            }
            Read::Holders(_) => format!("To see who holds a resource {role}"),
            Read::Orgs | Read::Org(_) => {
                format!("To see connected organizations {role}, or be one of the organization's sponsors")
            }
            Read::Catalog(c) => format!(
                "To see catalog '{}' you need a role in it; ask one of its owners",
                self.catalogs.get(&c).map(|c| c.display_name.as_str()).unwrap_or("?")
            ),
            Read::Package(_) | Read::Policy(_) => {
                "No policy lets you request that package and you have no role in its catalog; `entitle available` shows what you may request".into()
            }
            Read::PackageAssignments(p) => format!(
                "To see the assignments of '{}' you need a role in its catalog",
                self.packages.get(&p).map(|p| p.display_name.as_str()).unwrap_or("?")
            ),
            Read::Request(id) => {
                format!("Request {id} is not yours, not routed to you, and not in a catalog you have a role in")
            }
            Read::Assignment(id) => format!("Assignment {id} is not yours and not in a catalog you have a role in"),
            Read::Review(id) => {
                format!("Review {id} is not yours to see: you are not a reviewer and have no role in its catalog")
            }
            Read::Reports | Read::Settings | Read::Drift => format!("To see that {role}"),
            _ => outsider.into(),
        })
    }

    pub(crate) fn sees_profile(&self, r: Reader, u: UserId) -> bool {
        match r {
            Reader::Admin => true,
            Reader::User { user, guest } => {
                user == u || (self.users.get(&u).is_some_and(|x| x.is_active()) && (!guest || self.has_role(r)))
            }
            Reader::Outsider => false,
        }
    }

    fn sponsors(&self, r: Reader, org: OrgId) -> bool {
        Self::reader_user(r).is_some_and(|u| self.orgs.get(&org).is_some_and(|o| o.internal_sponsors.contains(&u)))
    }

    fn sponsors_any(&self, r: Reader) -> bool {
        self.orgs.keys().any(|o| self.sponsors(r, *o))
    }

    /// A package: its catalog's roles, whoever a policy lets request it (a hidden one too, by its
    /// direct link), and whoever has or asked for it.
    fn sees_package(&self, r: Reader, actor: &Actor, id: PackageId) -> bool {
        let Some(p) = self.packages.get(&id) else { return false };
        self.reads_catalog(r, p.catalog)
            || !self.matching_policies(actor, p).is_empty()
            || self.own_assignments(r, actor).any(|a| a.package == id)
            || self.own_requests(r, actor).any(|q| q.package == id)
    }

    fn sees_policy(&self, r: Reader, actor: &Actor, id: PolicyId) -> bool {
        let Some(pol) = self.policies.get(&id) else { return false };
        self.reads_package_catalog(r, pol.package)
            || self
                .packages
                .get(&pol.package)
                .is_some_and(|p| self.matching_policies(actor, p).iter().any(|m| m.id == id))
            || self.own_assignments(r, actor).any(|a| a.policy == id)
            || self.own_requests(r, actor).any(|q| q.policy == id)
    }

    /// The reader's own requests (as requestor or target).
    pub(crate) fn own_requests<'a>(
        &'a self,
        r: Reader,
        actor: &'a Actor,
    ) -> Box<dyn Iterator<Item = &'a Request> + 'a> {
        match (r, actor) {
            (Reader::User { user, .. }, _) => Box::new(self.requests_of_user(user)),
            (Reader::Outsider, Actor::External { email, .. }) => Box::new(self.requests.values().filter(
                move |q| matches!(&q.target, Target::External { email: e, .. } if e.eq_ignore_ascii_case(email)),
            )),
            _ => Box::new(std::iter::empty()),
        }
    }

    fn own_assignments(&self, r: Reader, _actor: &Actor) -> impl Iterator<Item = &Assignment> {
        Self::reader_user(r).into_iter().flat_map(|u| self.assignments_of_user(u))
    }

    pub(crate) fn reader_sees_request(&self, r: Reader, actor: &Actor, q: &Request) -> bool {
        match r {
            Reader::Admin => true,
            Reader::User { user, .. } => {
                q.requestor == Some(user)
                    || q.target_user() == Some(user)
                    || q.approvers.contains(&user)
                    || q.decisions.iter().any(|d| d.by == user)
                    || self.was_theirs_outside(user, &q.target)
                    || self.reads_package_catalog(r, q.package)
            }
            Reader::Outsider => match actor {
                Actor::External { email, .. } => {
                    matches!(&q.target, Target::External { email: e, .. } if e.eq_ignore_ascii_case(email))
                }
                _ => false,
            },
        }
    }

    /// The assignments whose review items are routed to the reader (computed once per list).
    pub(crate) fn reviewing(&self, r: Reader) -> BTreeSet<AssignmentId> {
        let Some(u) = Self::reader_user(r) else { return BTreeSet::new() };
        self.reviews
            .values()
            .flat_map(|v| v.items.iter())
            .filter(|i| i.reviewers.contains(&u))
            .map(|i| i.assignment)
            .collect()
    }

    /// The assignee, its reviewers, and the package's catalog roles; `reviewing` is
    /// [`Tenant::reviewing`] for this reader.
    pub(crate) fn sees_assignment_in(&self, r: Reader, reviewing: &BTreeSet<AssignmentId>, a: &Assignment) -> bool {
        match r {
            Reader::Admin => true,
            Reader::User { user, .. } => {
                a.target == user || self.reads_package_catalog(r, a.package) || reviewing.contains(&a.id)
            }
            Reader::Outsider => false,
        }
    }

    /// One assignment (for lists, compute [`Tenant::reviewing`] once and use `sees_assignment_in`).
    pub(crate) fn reader_sees_assignment(&self, r: Reader, a: &Assignment) -> bool {
        self.sees_assignment_in(r, &BTreeSet::new(), a) || self.reviewing(r).contains(&a.id)
    }

    pub(crate) fn reader_sees_review(&self, r: Reader, v: &Review) -> bool {
        self.reads_package_catalog(r, v.package) || !self.review_items_for_reader(r, v).is_empty()
    }

    /// The items of a review a reader may see: all for the catalog's roles, else those they
    /// review or that are about them (never the other people under review).
    pub(crate) fn review_items_for_reader<'a>(&self, r: Reader, v: &'a Review) -> Vec<&'a ReviewItem> {
        if self.reads_package_catalog(r, v.package) {
            return v.items.iter().collect();
        }
        match Self::reader_user(r) {
            Some(u) => v.items.iter().filter(|i| i.user == u || i.reviewers.contains(&u)).collect(),
            None => vec![],
        }
    }

    /// The catalog an audit event or lint finding is about (a package, a policy, a request...),
    /// if any.
    pub(crate) fn object_catalog(&self, object: ObjectRef) -> Option<CatalogId> {
        let pkg = |p: PackageId| self.packages.get(&p).map(|p| p.catalog);
        match object {
            ObjectRef::Catalog(c) => Some(c),
            ObjectRef::Package(p) => pkg(p),
            ObjectRef::Policy(p) => self.policies.get(&p).and_then(|p| pkg(p.package)),
            ObjectRef::Request(q) => {
                let package =
                    self.requests.get(&q).map(|q| q.package).or_else(|| self.finished.get(&q).map(|f| f.package));
                package.and_then(pkg)
            }
            ObjectRef::Assignment(a) => self.assignments.get(&a).and_then(|a| pkg(a.package)),
            ObjectRef::Review(v) => self.reviews.get(&v).and_then(|v| pkg(v.package)),
            ObjectRef::Extension(e) => self.extensions.get(&e).map(|e| e.catalog),
            ObjectRef::User(_)
            | ObjectRef::Resource(_)
            | ObjectRef::Org(_)
            | ObjectRef::Clock {}
            | ObjectRef::Configuration {}
            | ObjectRef::Settings {}
            | ObjectRef::Tenant {} => None,
        }
    }

    /// Whether a reader with a role may see something about `object` (audit, lint).
    /// An object named by a legacy text (an older version's log) is an administrator's only.
    pub(crate) fn reads_object(&self, r: Reader, object: Option<ObjectRef>) -> bool {
        r == Reader::Admin || object.and_then(|o| self.object_catalog(o)).is_some_and(|c| self.reads_catalog(r, c))
    }
}
