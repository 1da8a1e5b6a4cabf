//! The tenant: every object, plus in-memory indexes rebuilt on load and kept up to date by the
//! commands. Lookups by name or id live here too.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::Time;
use super::access::{Catalog, Package, Policy};
use super::clock::Clock;
use super::directory::{ConnectedOrg, Resource, User};
use super::error::{DomainResult, not_found};
use super::finished::{Finished, FinishedRecord};
use super::flow::{Assignment, GrantSource, Request, Review};
use super::ids::*;
use super::idset::IdSet;
use super::records::{Notification, Settings};
use super::role::Role;
use super::serde_util::as_list;
use super::tail::{AuditTail, NoticeTail};

/// Why a user holds one membership: its sources, few (mostly one), kept as a sorted vector.
pub type Sources = IdSet<GrantSource>;

/// One membership: a user holding one role of one resource.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantKey {
    pub user: UserId,
    pub resource: ResourceId,
    pub role: Role,
}

/// One membership as written: the key's fields, then its sources (fields, not a flattened key:
/// serde buffers flattened structs, which a million rows feel).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GrantRow {
    pub user: UserId,
    pub resource: ResourceId,
    pub role: Role,
    pub sources: Sources,
}

impl GrantRow {
    pub fn into_entry(self) -> (GrantKey, Sources) {
        (GrantKey { user: self.user, resource: self.resource, role: self.role }, self.sources)
    }
}

mod grants_as_list {
    use super::*;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(map: &BTreeMap<GrantKey, Sources>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(map.iter().map(|(k, v)| GrantRow {
            user: k.user,
            resource: k.resource,
            role: k.role,
            sources: v.clone(),
        }))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<GrantKey, Sources>, D::Error> {
        let rows: Vec<GrantRow> = Vec::deserialize(d)?;
        Ok(rows.into_iter().map(GrantRow::into_entry).collect())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    pub display_name: String,
    pub clock: Clock,
    /// The next number handed out as an id (shared by every kind of object).
    pub next_id: u64,
    #[serde(default)]
    pub settings: Settings,
    /// How people sign in: lab (anyone may act as anyone) or team (by login).
    #[serde(default)]
    pub mode: super::identity::Mode,
    #[serde(with = "as_list", default)]
    pub users: BTreeMap<UserId, User>,
    #[serde(with = "as_list", default)]
    pub resources: BTreeMap<ResourceId, Resource>,
    #[serde(with = "as_list", default)]
    pub orgs: BTreeMap<OrgId, ConnectedOrg>,
    #[serde(with = "as_list", default)]
    pub catalogs: BTreeMap<CatalogId, Catalog>,
    #[serde(with = "as_list", default)]
    pub packages: BTreeMap<PackageId, Package>,
    #[serde(with = "as_list", default)]
    pub policies: BTreeMap<PolicyId, Policy>,
    /// Every revision of every policy: what requests and assignments were made under.
    #[serde(with = "super::revisions::as_list", default)]
    pub policy_revisions: super::revisions::Revisions,
    /// Open requests only: a finished one leaves at the end of the command that finished it
    /// (see `finished`).
    #[serde(with = "as_list", default)]
    pub requests: BTreeMap<RequestId, Request>,
    /// What the live state keeps of each finished request (the records are history).
    #[serde(with = "super::finished::index_as_list", default)]
    pub finished: BTreeMap<RequestId, Finished>,
    /// The email of the person each finished request was for while they were outside the
    /// directory (the index names no user for them): theirs to read once they are in it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub finished_emails: BTreeMap<RequestId, String>,
    /// Finished requests not yet in the history files, like `audit`.
    #[serde(with = "as_list", default, skip_serializing_if = "BTreeMap::is_empty")]
    pub finished_requests: BTreeMap<RequestId, FinishedRecord>,
    /// The number of the last finished request written to the history.
    #[serde(default)]
    pub finished_seq: u64,
    #[serde(default)]
    pub assignments: super::table::Table<AssignmentId, Assignment>,
    #[serde(with = "as_list", default)]
    pub reviews: BTreeMap<ReviewId, Review>,
    /// Memberships with the reasons they exist.
    #[serde(with = "grants_as_list", default)]
    pub grants: BTreeMap<GrantKey, Sources>,
    /// Automatic assignments whose holders stopped matching, with when each is removed.
    #[serde(with = "as_list", default, skip_serializing_if = "BTreeMap::is_empty")]
    pub auto_removals: BTreeMap<AssignmentId, super::auto_assign::PendingRemoval>,
    /// The catalogs' custom extensions (see `extensions`).
    #[serde(with = "as_list", default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extensions: BTreeMap<ExtensionId, super::extensions::CustomExtension>,
    /// Calls of custom extensions committed and not yet made (see `extension_calls`).
    #[serde(with = "as_list", default, skip_serializing_if = "BTreeMap::is_empty")]
    pub callouts: BTreeMap<CalloutId, super::extension_calls::Callout>,
    /// Audit events not yet in the history files (all of them for a tenant that is not kept in
    /// a store). A snapshot holds none: they are written out first.
    #[serde(default, skip_serializing_if = "AuditTail::is_empty")]
    pub audit: AuditTail,
    /// The number of the last audit event ever written.
    #[serde(default)]
    pub audit_seq: u64,
    /// Notifications not yet in the history files, like `audit`.
    #[serde(default, skip_serializing_if = "NoticeTail::is_empty")]
    pub notifications: NoticeTail,
    /// The number of the last notification ever sent.
    #[serde(default)]
    pub notice_seq: u64,
    /// Each user's unread notifications, by number: what a mailbox shows as new, kept in the
    /// live state so that counting them reads no history.
    #[serde(with = "super::history::sets_as_list", default)]
    pub unread: BTreeMap<UserId, IdSet<u64>>,
    /// Dated records for answers about a past instant (see `pit_log`).
    #[serde(default)]
    pub pit: super::pit_log::PitLog,
    #[serde(skip)]
    pub(crate) idx: Indexes,
    /// Set while replaying a journaled entry that today's ranges refuse (see `Tenant::replay`).
    #[serde(skip)]
    pub(crate) lenient: bool,
}

/// Derived lookups; never written to disk.
#[derive(Debug, Clone, Default)]
pub(crate) struct Indexes {
    /// Which tenant, and how many changes of what it offers it applied (see `offers`).
    pub offers: super::offers::Offers,
    pub by_email: HashMap<String, UserId>,
    pub assignments_by_user: HashMap<UserId, IdSet<AssignmentId>>,
    pub assignments_by_package: HashMap<PackageId, IdSet<AssignmentId>>,
    /// Every package of each catalog, deleted ones included (a package never changes catalog).
    pub packages_by_catalog: HashMap<CatalogId, IdSet<PackageId>>,
    pub requests_by_user: HashMap<UserId, IdSet<RequestId>>,
    pub requests_by_package: HashMap<PackageId, IdSet<RequestId>>,
    /// Open requests about an assignment (to extend it), by the assignment: what its end
    /// cancels, found without reading its holder's other requests.
    pub requests_by_assignment: HashMap<AssignmentId, IdSet<RequestId>, super::ids::IdHash>,
    /// The guests entitlement management made (`User::created_by_em`), whose last assignment's
    /// end blocks them: an ending assignment asks this small set instead of reading its holder
    /// (a miss in memory per expiry, 800,000 in a year's jump at a million assignments).
    pub em_created: std::collections::HashSet<UserId, super::ids::IdHash>,
    /// Open requests for a person outside the directory, by their email (lowercase).
    pub requests_by_email: HashMap<String, IdSet<RequestId>>,
    /// How many finished requests each user made or was the target of (one each, both or
    /// either): what My access counts on every change of the data (see `finished_count_for`).
    pub finished_by_user: HashMap<UserId, usize, super::ids::IdHash>,
    /// Requests finished by the command running, in order (see `settle_finished`).
    pub finishing: Vec<RequestId>,
    /// Notifications sent by the command running, to mark unread when it settles (`mark_unread`).
    pub unread_new: Vec<(UserId, u64)>,
    /// While the journal is replayed: what the history files hold (see `history::OnDisk`).
    pub on_disk: Option<super::history::OnDisk>,
    /// Open requests waiting for each approver.
    pub inbox: HashMap<UserId, IdSet<RequestId>>,
    pub holders_by_resource: HashMap<ResourceId, IdSet<(UserId, Role)>>,
    /// While the clock fires a run of expiries (`Some`): the memberships ended meanwhile, to
    /// leave `holders_by_resource` in one pass per resource (`Tenant::settle_holders`).
    pub holders_gone: Option<Vec<(ResourceId, (UserId, Role))>>,
    /// While the clock fires a run of expiries: the grant sources ended meanwhile, to leave
    /// `grants` in key order (`Tenant::settle_grants`); its room kept between runs.
    pub grants_gone: Vec<(GrantKey, GrantSource)>,
    /// How many of those are kept at most before they leave (0: `GRANTS_GONE_AT_MOST`; set
    /// lower by tests).
    pub grants_gone_most: usize,
    /// From how many unread marks, and how many finished requests to write out, the work is
    /// shared with a second thread (0: the defaults, `MARKS_ON_A_THREAD_FROM` and
    /// `FINISHED_ON_TWO_CORES_FROM`; set by tests).
    pub two_threads_from: usize,
    /// The room of the last such batch, kept for the next one while a clock jump runs.
    pub holders_spare: Vec<(ResourceId, (UserId, Role))>,
    pub timers: super::timer_queue::TimerQueue,
    /// The ends of the assignments by policy revision, for the check of stored problems.
    pub review_ends: super::review_ends::ReviewEnds,
    /// Assignments with an item in an access review in progress, and in how many.
    pub under_review: HashMap<AssignmentId, usize>,
    /// While a command runs: the global administrator running it as someone else (for the audit).
    pub acting_by: Option<UserId>,
    /// While a command runs in a store: where full buffers of history lines go (`Tenant::spill_into`).
    pub spill: super::tail::SpillSlot,
    /// Two buffers lent to the text of the notices and events a clock jump makes by the million.
    pub scratch: [String; 2],
    /// While a long clock jump runs in a store: the names its records handed over typed are
    /// written with (see `deferred`).
    pub deferring: Option<std::sync::Arc<super::deferred::Names>>,
    /// While such a jump runs, when it is long enough: its mailbox shards' first runs of typed
    /// notices are handed over short (see `deferred_notice::FIRST_RUN`).
    pub short_first_runs: bool,
    /// Whether each policy revision asked about so far allows an extension (revisions never
    /// change; emptied after each clock move, so it holds only what one jump asked).
    pub extendable: HashMap<(PolicyId, u32), bool, super::ids::IdHash>,
    /// The automatic policies with their parsed rules (see `auto_assign`).
    pub automatic: BTreeMap<PolicyId, super::auto_assign::AutoRule>,
}

impl Tenant {
    /// An empty tenant: no users, no catalogs (call `install_general_catalog` for the built-in one).
    pub fn new(display_name: &str, clock: Clock) -> Self {
        let began = clock.now;
        Tenant {
            display_name: display_name.to_string(),
            clock,
            next_id: 1,
            settings: Settings::default(),
            mode: Default::default(),
            users: BTreeMap::new(),
            resources: BTreeMap::new(),
            orgs: BTreeMap::new(),
            catalogs: BTreeMap::new(),
            packages: BTreeMap::new(),
            policies: BTreeMap::new(),
            policy_revisions: BTreeMap::new(),
            requests: BTreeMap::new(),
            finished: BTreeMap::new(),
            finished_emails: BTreeMap::new(),
            finished_requests: BTreeMap::new(),
            finished_seq: 0,
            assignments: Default::default(),
            reviews: BTreeMap::new(),
            grants: BTreeMap::new(),
            auto_removals: BTreeMap::new(),
            extensions: BTreeMap::new(),
            callouts: BTreeMap::new(),
            audit: AuditTail::default(),
            audit_seq: 0,
            notifications: NoticeTail::default(),
            notice_seq: 0,
            unread: BTreeMap::new(),
            pit: super::pit_log::PitLog::begun(began),
            idx: Indexes::default(),
            lenient: false,
        }
    }

    pub fn now(&self) -> Time {
        self.clock.now
    }

    pub(crate) fn alloc(&mut self) -> u64 {
        // Below `bounds::LAST_ID` whenever a command runs (`apply` refuses any past it).
        let id = self.next_id;
        self.next_id = self.next_id.saturating_add(1);
        id
    }

    /// Rebuild every index from the objects (after loading).
    pub fn rebuild_indexes(&mut self) {
        // Data written before the history had files of its own holds every event here.
        self.audit_seq = self.audit.last_seq().map_or(self.audit_seq, |s| s.max(self.audit_seq));
        self.notice_seq = self.notifications.last_seq().map_or(self.notice_seq, |s| s.max(self.notice_seq));
        for n in self.notifications.to_vec().into_iter().filter(|n| !n.read) {
            self.unread.entry(n.to).or_default().insert(n.seq);
        }
        self.settle_loaded();
        // The timers on one core, the lookups on the other: a million assignments each.
        let (mut idx, timers) = std::thread::scope(|s| {
            let timers = s.spawn(|| self.scheduled_timers());
            let idx = self.lookups();
            (idx, timers.join().unwrap_or_else(|_| self.scheduled_timers()))
        });
        idx.timers = timers;
        self.idx = idx;
    }

    /// Every index but the timers, from the objects.
    pub(crate) fn lookups(&self) -> Indexes {
        let mut idx = self.small_lookups();
        (idx.assignments_by_user, idx.assignments_by_package) = assignment_lookups(&self.assignments);
        idx.holders_by_resource = holder_lookups(&self.grants);
        idx.review_ends = super::review_ends::ReviewEnds::of(&self.assignments);
        idx
    }

    /// Every index but the timers and those of the big tables (see `assignment_lookups` and
    /// `holder_lookups`, built apart so that a load can build them on another core).
    pub(crate) fn small_lookups(&self) -> Indexes {
        let mut idx = Indexes { by_email: HashMap::with_capacity(self.users.len()), ..Indexes::default() };
        for u in self.users.values() {
            idx.by_email.insert(u.email.to_ascii_lowercase(), u.id);
            if u.created_by_em {
                idx.em_created.insert(u.id);
            }
        }
        idx.automatic = super::auto_assign::automatic_index(&self.policies);
        for p in self.packages.values() {
            idx.packages_by_catalog.entry(p.catalog).or_default().insert(p.id);
        }
        for r in self.requests.values() {
            if let Some(u) = r.target_user() {
                idx.requests_by_user.entry(u).or_default().insert(r.id);
            }
            if let Some(u) = r.requestor {
                idx.requests_by_user.entry(u).or_default().insert(r.id);
            }
            idx.requests_by_package.entry(r.package).or_default().insert(r.id);
            if let Some(a) = r.assignment {
                idx.requests_by_assignment.entry(a).or_default().insert(r.id);
            }
            if let super::flow::Target::External { email, .. } = &r.target {
                idx.requests_by_email.entry(email.to_ascii_lowercase()).or_default().insert(r.id);
            }
            if r.state == super::flow::RequestState::PendingApproval {
                for a in r.awaiting() {
                    idx.inbox.entry(a).or_default().insert(r.id);
                }
            }
        }
        for f in self.finished.values() {
            count_finished(&mut idx.finished_by_user, f);
        }
        for r in self.reviews.values().filter(|r| r.state == super::flow::ReviewState::InProgress) {
            for i in &r.items {
                let n = idx.under_review.entry(i.assignment).or_default();
                *n = n.saturating_add(1);
            }
        }
        idx
    }

    // ----- lookups -----

    pub fn user(&self, id: UserId) -> DomainResult<&User> {
        self.users.get(&id).ok_or_else(|| not_found(format!("No user {id}")))
    }
    pub fn resource(&self, id: ResourceId) -> DomainResult<&Resource> {
        self.resources.get(&id).ok_or_else(|| not_found(format!("No resource {id}")))
    }
    pub fn org(&self, id: OrgId) -> DomainResult<&ConnectedOrg> {
        self.orgs.get(&id).ok_or_else(|| not_found(format!("No connected organization {id}")))
    }
    pub fn catalog(&self, id: CatalogId) -> DomainResult<&Catalog> {
        self.catalogs.get(&id).ok_or_else(|| not_found(format!("No catalog {id}")))
    }
    pub fn package(&self, id: PackageId) -> DomainResult<&Package> {
        self.packages.get(&id).ok_or_else(|| not_found(format!("No access package {id}")))
    }
    pub fn policy(&self, id: PolicyId) -> DomainResult<&Policy> {
        self.policies.get(&id).ok_or_else(|| not_found(format!("No policy {id}")))
    }
    /// An open request (a finished one is refused with its state: see `request_in_memory` and
    /// the session's readers for those).
    pub fn request(&self, id: RequestId) -> DomainResult<&Request> {
        let why = |s| format!("Request {id} is {s} already: a finished request changes no more");
        self.requests.get(&id).ok_or_else(|| self.closed_request(id, why))
    }
    pub fn assignment(&self, id: AssignmentId) -> DomainResult<&Assignment> {
        self.assignments.get(&id).ok_or_else(|| not_found(format!("No assignment {id}")))
    }
    pub fn review(&self, id: ReviewId) -> DomainResult<&Review> {
        self.reviews.get(&id).ok_or_else(|| not_found(format!("No access review {id}")))
    }

    pub fn user_by_email(&self, email: &str) -> Option<&User> {
        self.idx.by_email.get(&email.to_ascii_lowercase()).and_then(|id| self.users.get(id))
    }

    /// A user by id (`u12`), email, or display name (case-insensitive; a unique prefix also works).
    pub fn find_user(&self, key: &str) -> DomainResult<&User> {
        if let Ok(id) = key.parse::<UserId>()
            && let Some(u) = self.users.get(&id)
        {
            return Ok(u);
        }
        if let Some(u) = self.user_by_email(key) {
            return Ok(u);
        }
        find_by_name(self.users.values(), key, |u| &u.display_name, "user")
    }
    pub fn find_resource(&self, key: &str) -> DomainResult<&Resource> {
        if let Ok(id) = key.parse::<ResourceId>()
            && let Some(r) = self.resources.get(&id)
        {
            return Ok(r);
        }
        find_by_name(self.resources.values(), key, |r| &r.display_name, "resource")
    }
    pub fn find_org(&self, key: &str) -> DomainResult<&ConnectedOrg> {
        if let Ok(id) = key.parse::<OrgId>()
            && let Some(o) = self.orgs.get(&id)
        {
            return Ok(o);
        }
        if let Some(o) = self.orgs.values().find(|o| o.has_domain(key)) {
            return Ok(o);
        }
        find_by_name(self.orgs.values(), key, |o| &o.display_name, "connected organization")
    }
    pub fn find_catalog(&self, key: &str) -> DomainResult<&Catalog> {
        if let Ok(id) = key.parse::<CatalogId>()
            && let Some(c) = self.catalogs.get(&id)
        {
            return Ok(c);
        }
        find_by_name(self.catalogs.values(), key, |c| &c.display_name, "catalog")
    }
    pub fn find_package(&self, key: &str) -> DomainResult<&Package> {
        if let Ok(id) = key.parse::<PackageId>()
            && let Some(p) = self.packages.get(&id)
        {
            return Ok(p);
        }
        let live = self.packages.values().filter(|p| !p.is_deleted());
        find_by_name(live, key, |p| &p.display_name, "access package")
    }
    pub fn find_policy(&self, package: Option<PackageId>, key: &str) -> DomainResult<&Policy> {
        if let Ok(id) = key.parse::<PolicyId>()
            && let Some(p) = self.policies.get(&id)
        {
            return Ok(p);
        }
        let list = self.policies.values().filter(|p| package.is_none_or(|pk| p.package == pk));
        find_by_name(list, key, |p| &p.spec.display_name, "policy")
    }

    // ----- index-backed views -----

    pub fn assignments_of_user(&self, user: UserId) -> impl Iterator<Item = &Assignment> {
        self.idx.assignments_by_user.get(&user).into_iter().flatten().filter_map(|id| self.assignments.get(id))
    }
    pub fn assignments_of_package(&self, pkg: PackageId) -> impl Iterator<Item = &Assignment> {
        self.idx.assignments_by_package.get(&pkg).into_iter().flatten().filter_map(|id| self.assignments.get(id))
    }
    pub fn requests_of_user(&self, user: UserId) -> impl Iterator<Item = &Request> {
        self.idx.requests_by_user.get(&user).into_iter().flatten().filter_map(|id| self.requests.get(id))
    }
    pub fn requests_of_package(&self, pkg: PackageId) -> impl Iterator<Item = &Request> {
        self.idx.requests_by_package.get(&pkg).into_iter().flatten().filter_map(|id| self.requests.get(id))
    }
    /// Requests waiting for this approver's decision.
    pub fn inbox(&self, approver: UserId) -> impl Iterator<Item = &Request> {
        self.idx.inbox.get(&approver).into_iter().flatten().filter_map(|id| self.requests.get(id))
    }
    /// Who holds a resource, with the role.
    pub fn holders(&self, res: ResourceId) -> impl Iterator<Item = &(UserId, Role)> {
        debug_assert!(self.idx.holders_gone.as_ref().is_none_or(Vec::is_empty), "holders read mid-batch");
        self.idx.holders_by_resource.get(&res).into_iter().flatten()
    }
    /// The memberships a user holds, with their sources.
    pub fn grants_of_user(&self, user: UserId) -> impl Iterator<Item = (&GrantKey, &Sources)> {
        let lo = GrantKey { user, resource: ResourceId(0), role: Role::default() };
        self.grants.range(lo..).take_while(move |(k, _)| k.user == user)
    }
    pub fn holds(&self, user: UserId, resource: ResourceId, role: &str) -> bool {
        // A role never named is held by nobody.
        Role::known(role).is_some_and(|role| self.grants.contains_key(&GrantKey { user, resource, role }))
    }
    /// The user's notifications still in memory (all of them for a tenant not kept in a store;
    /// see `mailbox` for the whole mailbox).
    /// A user's notifications not yet in the history files, oldest first.
    pub fn notifications_of(&self, user: UserId) -> impl Iterator<Item = Notification> + '_ {
        self.notifications.of(user)
    }
    pub fn unread_count(&self, user: UserId) -> usize {
        self.unread.get(&user).map_or(0, IdSet::len)
    }
    /// The active assignment of a user to a package, if any (there is at most one).
    pub fn active_assignment(&self, user: UserId, pkg: PackageId) -> Option<&Assignment> {
        self.assignments_of_user(user).find(|a| a.package == pkg && a.is_active())
    }
    /// The time of the next timer, if any.
    pub fn next_timer(&self) -> Option<Time> {
        // Skip entries gone stale (a request decided, an end moved): they would do nothing. Every
        // change drops those at the head (`drop_stale_timers`), so this stops at once.
        self.idx.timers.iter().find(|(t, x)| self.timer_live(*t, *x)).map(|(t, _)| *t)
    }
    pub fn policies_of(&self, pkg: PackageId) -> impl Iterator<Item = &Policy> {
        self.packages.get(&pkg).into_iter().flat_map(|p| p.policies.iter()).filter_map(|id| self.policies.get(id))
    }
    pub fn packages_of_catalog(&self, cat: CatalogId) -> impl Iterator<Item = &Package> {
        self.idx.packages_by_catalog.get(&cat).into_iter().flatten().filter_map(|id| self.packages.get(id))
    }
    pub fn user_name(&self, id: UserId) -> String {
        self.users.get(&id).map(|u| u.display_name.clone()).unwrap_or_else(|| id.to_string())
    }
    pub fn resource_name(&self, id: ResourceId) -> String {
        self.resources.get(&id).map(|r| r.display_name.clone()).unwrap_or_else(|| id.to_string())
    }
}

/// Assignments by user and by package (in id order, so each set is built by appending).
pub(crate) type AssignmentLookups = (HashMap<UserId, IdSet<AssignmentId>>, HashMap<PackageId, IdSet<AssignmentId>>);

pub(crate) fn assignment_lookups(assignments: &super::table::Table<AssignmentId, Assignment>) -> AssignmentLookups {
    let (mut by_user, mut by_package): AssignmentLookups = Default::default();
    for a in assignments.values() {
        by_user.entry(a.target).or_default().insert(a.id);
        by_package.entry(a.package).or_default().insert(a.id);
    }
    (by_user, by_package)
}

/// Who holds each resource, with the role.
pub(crate) fn holder_lookups(grants: &BTreeMap<GrantKey, Sources>) -> HashMap<ResourceId, IdSet<(UserId, Role)>> {
    let mut holders: HashMap<ResourceId, IdSet<(UserId, Role)>> = HashMap::new();
    for k in grants.keys() {
        holders.entry(k.resource).or_default().insert((k.user, k.role));
    }
    holders
}

fn find_by_name<'a, T: 'a>(
    items: impl Iterator<Item = &'a T>,
    key: &str,
    name: impl Fn(&T) -> &String,
    kind: &str,
) -> DomainResult<&'a T> {
    let lower = key.to_lowercase();
    let mut prefix: Vec<&T> = vec![];
    for it in items {
        let n = name(it).to_lowercase();
        if n == lower {
            return Ok(it);
        }
        if n.starts_with(&lower) {
            prefix.push(it);
        }
    }
    match prefix.len() {
        1 => Ok(prefix[0]),
        0 => Err(not_found(format!("No {kind} named '{key}'"))),
        n => Err(not_found(format!(
            "'{key}' matches {n} {kind}s ({}): give more of the name or the id",
            prefix.iter().take(4).map(|t| name(t).as_str()).collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// Counts a finished request once for the user who made it and once for the user it was for
/// (once in all when they are the same person).
pub(crate) fn count_finished(counts: &mut HashMap<UserId, usize, super::ids::IdHash>, f: &super::finished::Finished) {
    for u in [f.requestor, f.target.filter(|t| Some(*t) != f.requestor)].into_iter().flatten() {
        let n = counts.entry(u).or_default();
        *n = n.saturating_add(1);
    }
}
