//! Who may ask for which package, indexed. Whether a person may request a package is asked of
//! every policy of the package ([`Tenant::policy_admits`]); a screen that shows one person's
//! packages on every key press (the Directory's detail of the selected user) would ask it of
//! every package in the tenant each time. [`Requestable`] answers the same question from one
//! pass over the packages: the packages a whole class of people may request (every member;
//! the guests, or the people outside, of one organization), kept per class once asked, and
//! those a policy names people or groups for, by person and by group. It is made from the data
//! as it is, and a screen keeps it until the data changes (nothing in it follows a change).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use super::access::RequestScope;
use super::eval::Requester;
use super::ids::{OrgId, PackageId, ResourceId, UserId};
use super::report::UserPackageRow;
use super::role::Role;
use super::tenant::Tenant;

/// A "who can request" that takes a whole class of people (not one named person or group).
#[derive(Debug, Clone)]
enum Wide {
    Members,
    DirectoryUsers,
    Orgs(Vec<OrgId>),
    ConfiguredOrgs,
    External,
}

/// A package that can be requested at all: not deleted, in an enabled catalog, with an enabled
/// policy that is not for administrators only.
#[derive(Debug, Clone)]
struct Open {
    package: PackageId,
    /// Whether its catalog is open to people outside the directory.
    external: bool,
    /// Its enabled policies' class-wide scopes.
    wide: Vec<Wide>,
}

/// What decides whether a class-wide scope includes a requester.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Class {
    user: bool,
    external: bool,
    /// Only for people outside (a member's organization decides nothing).
    org: Option<OrgId>,
}

/// See the module documentation.
#[derive(Debug, Default)]
pub struct Requestable {
    open: Vec<Open>,
    /// Whether each package named below has its catalog open to people outside.
    external: HashMap<PackageId, bool>,
    /// The packages an enabled policy names each person for, in increasing order.
    by_user: HashMap<UserId, Vec<PackageId>>,
    /// The packages an enabled policy names each group for (its members and owners).
    by_group: HashMap<ResourceId, Vec<PackageId>>,
    /// The packages of each class asked for so far, in increasing order.
    by_class: RefCell<HashMap<Class, Rc<Vec<PackageId>>>>,
}

/// The packages one requester may ask for: a class's (shared) and their own (few), each in
/// increasing order, the second holding none of the first.
pub struct RequestableBy {
    pub class: Rc<Vec<PackageId>>,
    pub own: Vec<PackageId>,
}

/// A [`Requestable`] being made a few packages at a time, in the order of their ids (see
/// [`Tenant::requestable_a_while`]): the terminal app makes it while nobody types, so that the
/// first screen to need it after a change of the offers finds it made (16 ms at 1M at once).
#[derive(Debug, Default)]
pub struct RequestableMaking {
    index: Requestable,
    /// The package to go on from (None: from the first, or done).
    next: Option<PackageId>,
    done: bool,
}

impl RequestableMaking {
    /// The index, once every package is in it.
    pub fn made(self) -> Option<Requestable> {
        self.done.then_some(self.index)
    }
}

/// How many packages are added between two looks at the clock.
const PACKAGES_BETWEEN_LOOKS: usize = 256;

impl Tenant {
    /// The index of who may request what, made from the data as it is now.
    pub fn requestable(&self) -> Requestable {
        let mut making = RequestableMaking::default();
        self.requestable_a_while(&mut making, None);
        making.index
    }

    /// Goes on making `making` (begun on this data, with its offers as they are: the caller
    /// starts over when they change) until `until` (then at least one package), or to the end
    /// without it. Whether it is made.
    pub fn requestable_a_while(&self, making: &mut RequestableMaking, until: Option<std::time::Instant>) -> bool {
        if making.done {
            return true;
        }
        let from = making.next.map_or(std::ops::Bound::Unbounded, std::ops::Bound::Included);
        let mut rest = self.packages.range((from, std::ops::Bound::Unbounded));
        let mut added = 0usize;
        while let Some((_, p)) = rest.next() {
            self.add_requestable(&mut making.index, p);
            added = added.saturating_add(1);
            if added.is_multiple_of(PACKAGES_BETWEEN_LOOKS) && until.is_some_and(|u| std::time::Instant::now() >= u) {
                making.next = rest.next().map(|(id, _)| *id);
                making.done = making.next.is_none();
                return making.done;
            }
        }
        making.next = None;
        making.done = true;
        true
    }

    /// Adds what `p`'s enabled policies offer to `index`.
    fn add_requestable(&self, index: &mut Requestable, p: &super::access::Package) {
        if p.is_deleted() {
            return;
        }
        let Some(cat) = self.catalogs.get(&p.catalog).filter(|c| c.enabled) else { return };
        let mut wide = vec![];
        for pol in self.policies_of(p.id).filter(|pol| pol.spec.enabled) {
            match &pol.spec.scope {
                RequestScope::AdminOnly => {}
                RequestScope::SpecificUsers { users, groups } => {
                    index.external.insert(p.id, cat.external);
                    for u in users {
                        push_once(index.by_user.entry(*u).or_default(), p.id);
                    }
                    for g in groups {
                        push_once(index.by_group.entry(*g).or_default(), p.id);
                    }
                }
                RequestScope::AllMembers => wide.push(Wide::Members),
                RequestScope::AllDirectoryUsers => wide.push(Wide::DirectoryUsers),
                RequestScope::SpecificOrgs { orgs } => wide.push(Wide::Orgs(orgs.iter().copied().collect())),
                RequestScope::AllConfiguredOrgs => wide.push(Wide::ConfiguredOrgs),
                RequestScope::AllExternal => wide.push(Wide::External),
            }
        }
        if !wide.is_empty() {
            index.open.push(Open { package: p.id, external: cat.external, wide });
        }
    }

    /// The packages `who` may request, by `index` (made from this data): the same as asking
    /// [`Tenant::policy_admits`] of every policy of every package.
    pub fn requestable_by(&self, index: &Requestable, who: &Requester) -> RequestableBy {
        let class = self.class_packages(index, who);
        let mut own: Vec<PackageId> = vec![];
        if let Some(u) = who.user {
            own.extend(index.by_user.get(&u).into_iter().flatten());
            let (member, owner) = (Role::known("Member"), Role::known("Owner"));
            for (k, _) in self.grants_of_user(u) {
                if Some(k.role) == member || Some(k.role) == owner {
                    own.extend(index.by_group.get(&k.resource).into_iter().flatten());
                }
            }
        }
        own.retain(|p| (!who.external || index.external.get(p) == Some(&true)) && class.binary_search(p).is_err());
        own.sort_unstable();
        own.dedup();
        RequestableBy { class, own }
    }

    /// The packages of [`Tenant::available_packages`], in the same order, by `index` (made from
    /// this data): what My access lists on every change of the data, without asking every
    /// package's policies (20,000 packages at 1M: 9 ms each time).
    pub fn available_by(&self, index: &Requestable, actor: &super::rights::Actor) -> Vec<PackageId> {
        let Some(who) = self.requester(actor) else { return vec![] };
        let by = self.requestable_by(index, &who);
        merged(by.class.iter().copied(), by.own.into_iter(), |p| *p)
            .filter(|p| self.packages.get(p).is_some_and(Self::listed))
            .collect()
    }

    fn class_packages(&self, index: &Requestable, who: &Requester) -> Rc<Vec<PackageId>> {
        let class = Class { user: who.user.is_some(), external: who.external, org: who.org.filter(|_| who.external) };
        if let Some(known) = index.by_class.borrow().get(&class) {
            return known.clone();
        }
        let configured = class
            .org
            .and_then(|o| self.orgs.get(&o))
            .is_some_and(|o| o.state == super::directory::OrgState::Configured);
        let includes = |w: &Wide| match w {
            Wide::Members => class.user && !class.external,
            Wide::DirectoryUsers => class.user,
            Wide::Orgs(orgs) => class.external && class.org.is_some_and(|o| orgs.contains(&o)),
            Wide::ConfiguredOrgs => class.external && configured,
            Wide::External => class.external,
        };
        let packages: Rc<Vec<PackageId>> = Rc::new(
            index
                .open
                .iter()
                .filter(|o| (!class.external || o.external) && o.wide.iter().any(includes))
                .map(|o| o.package)
                .collect(),
        );
        index.by_class.borrow_mut().insert(class, packages.clone());
        packages
    }

    /// [`Tenant::user_packages_where`] of every package (a reader who may see them all), by
    /// `index`: how many packages the user may request or has, and the first `limit` rows, in
    /// the same order, without asking every package's policies.
    pub(crate) fn user_packages_indexed(
        &self,
        index: &Requestable,
        user: UserId,
        limit: usize,
    ) -> (usize, Vec<UserPackageRow>) {
        let latest = self.latest_assignments(user);
        let who = self.requester(&super::rights::Actor::user(user));
        let can = who.map(|w| self.requestable_by(index, &w));
        let class: &[PackageId] = can.as_ref().map_or(&[], |c| c.class.as_slice());
        // The packages outside the class's list, each with whether it may be requested.
        let mut extra: Vec<(PackageId, bool)> =
            can.as_ref().map_or(vec![], |c| c.own.iter().map(|p| (*p, true)).collect());
        for p in latest.keys() {
            if class.binary_search(p).is_err() && !extra.iter().any(|(x, _)| x == p) {
                extra.push((*p, false));
            }
        }
        extra.retain(|(p, _)| self.packages.contains_key(p));
        extra.sort_unstable();
        let total = class.len().saturating_add(extra.len());
        // The two lists merged in increasing order (they share no package), up to `limit`.
        let mut both = merged(class.iter().map(|p| (*p, true)), extra.into_iter(), |(p, _)| *p);
        let mut rows = vec![];
        while rows.len() < limit {
            let Some((id, can)) = both.next() else { break };
            if let Some(p) = self.packages.get(&id) {
                rows.push(self.user_package_row(p, can, latest.get(&id).copied()));
            }
        }
        (total, rows)
    }
}

/// Two sequences in increasing order of `key` that share no key, merged in that order.
fn merged<T, K: Ord>(
    a: impl Iterator<Item = T>,
    b: impl Iterator<Item = T>,
    key: impl Fn(&T) -> K,
) -> impl Iterator<Item = T> {
    let (mut a, mut b) = (a.peekable(), b.peekable());
    std::iter::from_fn(move || match (a.peek(), b.peek()) {
        (Some(x), Some(y)) if key(y) < key(x) => b.next(),
        (Some(_), _) => a.next(),
        (None, _) => b.next(),
    })
}

fn push_once(list: &mut Vec<PackageId>, p: PackageId) {
    if list.last() != Some(&p) {
        list.push(p);
    }
}

#[cfg(test)]
#[path = "requestable_tests.rs"]
mod tests;
