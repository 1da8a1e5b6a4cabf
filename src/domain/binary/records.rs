//! The big tables of the tenant in the binary cache layout, one fixed sequence of fields per
//! record. Every encoder takes its record apart field by field (a field added to a record is a
//! compile error here until the layout says how it is kept), and each enum is a number.

use std::collections::{BTreeMap, HashMap};

use crate::domain::timer_queue::TimerQueue;
use std::hash::Hash;
use std::sync::Arc;

use super::codec::{Got, In, Out, bad};
use super::roles::{RoleNames, read_role};
use crate::domain::Time;
use crate::domain::access::ResourceRole;
use crate::domain::directory::{User, UserType};
use crate::domain::finished::Finished;
use crate::domain::flow::{Assignment, AssignmentState, GrantSource, RequestState};
use crate::domain::ids::{AssignmentId, IdHash, OrgId, PackageId, PolicyId, RequestId, ResourceId, ReviewId, UserId};
use crate::domain::idset::IdSet;
use crate::domain::prefault::prefault;
use crate::domain::review_ends::{EndRange, ReviewEnds};
use crate::domain::role::Role;
use crate::domain::table::{Row, Table};
use crate::domain::tenant::{GrantKey, Sources};
use crate::domain::timers::Timer;

/// A map written as its count, then each value (which carries its own key).
pub fn map<'a, K: 'a, V: 'a, I>(out: &mut Out, map: I, mut each: impl FnMut(&mut Out, &K, &V))
where
    I: IntoIterator<Item = (&'a K, &'a V)>,
    I::IntoIter: ExactSizeIterator,
{
    let map = map.into_iter();
    out.len(map.len());
    for (k, v) in map {
        each(out, k, v);
    }
}

/// A map read back: the keys must come in increasing order, as written (the map is then
/// built in one pass, and a repeated or shuffled key is refused).
pub fn read_map<'a, K: Ord + Copy + std::fmt::Debug, V, C: FromIterator<(K, V)>>(
    r: &mut In<'a>,
    min_item: usize,
    mut each: impl FnMut(&mut In<'a>) -> Got<(K, V)>,
) -> Got<C> {
    let n = r.len(min_item)?;
    let mut rows = Vec::with_capacity(n);
    prefault(&mut rows);
    let mut last: Option<K> = None;
    for _ in 0..n {
        let (k, v) = each(r)?;
        if last.is_some_and(|l| l >= k) {
            return bad(format!("key {k:?} out of order"));
        }
        last = Some(k);
        rows.push((k, v));
    }
    Ok(rows.into_iter().collect())
}

/// The rows of a table read back, like [`read_map`]: the ids must come in increasing order.
pub fn read_table<'a, V: Row>(
    r: &mut In<'a>,
    min_item: usize,
    mut each: impl FnMut(&mut In<'a>) -> Got<V>,
) -> Got<Table<V::Key, V>> {
    let n = r.len(min_item)?;
    let mut rows: Vec<V> = Vec::with_capacity(n);
    prefault(&mut rows);
    for _ in 0..n {
        let v = each(r)?;
        if rows.last().is_some_and(|l| l.id() >= v.id()) {
            return bad(format!("key {:?} out of order", v.id()));
        }
        rows.push(v);
    }
    Ok(Table::from_rows(rows))
}

fn user_type(t: UserType) -> u8 {
    match t {
        UserType::Member => 0,
        UserType::Guest => 1,
    }
}

fn read_user_type(r: &mut In) -> Got<UserType> {
    match r.u8()? {
        0 => Ok(UserType::Member),
        1 => Ok(UserType::Guest),
        n => bad(format!("user type {n}")),
    }
}

pub fn user(out: &mut Out, u: &User) {
    let User {
        id,
        display_name,
        email,
        user_type: kind,
        enabled,
        manager,
        department,
        job_title,
        company_name,
        country,
        employee_type,
        home_org,
        created_by_em,
        global_admin,
        login,
        deleted_at,
        remove_at,
    } = u;
    out.u64(id.0);
    out.str(display_name);
    out.str(email);
    out.u8(user_type(*kind));
    out.bool(*enabled);
    out.opt_id(manager.map(|m| m.0));
    out.str(department);
    out.str(job_title);
    out.str(company_name);
    out.str(country);
    out.str(employee_type);
    out.opt_id(home_org.map(|o| o.0));
    out.bool(*created_by_em);
    out.bool(*global_admin);
    out.bool(login.is_some());
    out.str(login.as_deref().unwrap_or_default());
    out.opt_time(*deleted_at);
    out.opt_time(*remove_at);
}

pub fn read_user(r: &mut In) -> Got<(UserId, User)> {
    let id = UserId(r.u64()?);
    let display_name = r.string()?;
    let email = r.string()?;
    let user_type = read_user_type(r)?;
    let enabled = r.bool()?;
    let manager = r.opt_id()?.map(UserId);
    let department = r.string()?;
    let job_title = r.string()?;
    let company_name = r.string()?;
    let country = r.string()?;
    let employee_type = r.string()?;
    let home_org = r.opt_id()?.map(OrgId);
    let created_by_em = r.bool()?;
    let global_admin = r.bool()?;
    let has_login = r.bool()?;
    let login = r.string()?;
    let login = has_login.then_some(login);
    let deleted_at = r.opt_time()?;
    let remove_at = r.opt_time()?;
    let u = User {
        id,
        display_name,
        email,
        user_type,
        enabled,
        manager,
        department,
        job_title,
        company_name,
        country,
        employee_type,
        home_org,
        created_by_em,
        global_admin,
        login,
        deleted_at,
        remove_at,
    };
    Ok((id, u))
}

fn assignment_state(s: AssignmentState) -> u8 {
    match s {
        AssignmentState::Delivering => 0,
        AssignmentState::Delivered => 1,
        AssignmentState::Expired => 2,
        AssignmentState::Removed => 3,
    }
}

fn read_assignment_state(r: &mut In) -> Got<AssignmentState> {
    Ok(match r.u8()? {
        0 => AssignmentState::Delivering,
        1 => AssignmentState::Delivered,
        2 => AssignmentState::Expired,
        3 => AssignmentState::Removed,
        n => return bad(format!("assignment state {n}")),
    })
}

pub fn assignment(out: &mut Out, roles: &mut RoleNames, a: &Assignment) {
    let Assignment { id, package, policy, target, state, start, end, revision, granted, request, ended_at } = a;
    out.u64(id.0);
    out.u64(package.0);
    out.u64(policy.0);
    out.u64(target.0);
    out.u8(assignment_state(*state));
    out.time(*start);
    out.opt_time(*end);
    out.u32(*revision);
    out.len(granted.len());
    for ResourceRole { resource, role } in granted.iter() {
        out.u64(resource.0);
        roles.write(out, *role);
    }
    out.u64(request.0);
    out.opt_time(*ended_at);
}

/// The fewest bytes an assignment takes (for counts read before the records).
pub const MIN_ASSIGNMENT: usize = 11;

/// The granted lists read so far, by package: an assignment granting what the last one read
/// of its package granted shares its list (see `Assignment::granted`).
#[derive(Default)]
pub struct SharedGranted {
    by_package: HashMap<PackageId, Arc<[ResourceRole]>, IdHash>,
    read: Vec<ResourceRole>,
}

impl SharedGranted {
    /// The list of `package` equal to what was just read into `self.read`.
    fn list(&mut self, package: PackageId) -> Arc<[ResourceRole]> {
        match self.by_package.get(&package) {
            Some(list) if **list == *self.read => list.clone(),
            _ => {
                let list: Arc<[ResourceRole]> = self.read.as_slice().into();
                self.by_package.insert(package, list.clone());
                list
            }
        }
    }
}

pub fn read_assignment(r: &mut In, roles: &[Role], shared: &mut SharedGranted) -> Got<(AssignmentId, Assignment)> {
    let id = AssignmentId(r.u64()?);
    let package = PackageId(r.u64()?);
    let policy = PolicyId(r.u64()?);
    let target = UserId(r.u64()?);
    let state = read_assignment_state(r)?;
    let start = r.time()?;
    let end = r.opt_time()?;
    let revision = r.u32()?;
    let n = r.len(2)?;
    shared.read.clear();
    for _ in 0..n {
        let resource = ResourceId(r.u64()?);
        shared.read.push(ResourceRole { resource, role: read_role(r, roles)? });
    }
    let granted = shared.list(package);
    let request = RequestId(r.u64()?);
    let ended_at = r.opt_time()?;
    Ok((id, Assignment { id, package, policy, target, state, start, end, revision, granted, request, ended_at }))
}

/// A grant source: 0 for direct, else the assignment's id (ids start at 1).
fn source(s: &GrantSource) -> u64 {
    match s {
        GrantSource::Direct => 0,
        GrantSource::Assignment { assignment } => assignment.0,
    }
}

fn read_source(v: u64) -> GrantSource {
    match v {
        0 => GrantSource::Direct,
        id => GrantSource::Assignment { assignment: AssignmentId(id) },
    }
}

/// The grants, each role by its number.
pub fn grants(out: &mut Out, roles: &mut RoleNames, grants: &BTreeMap<GrantKey, Sources>) {
    out.len(grants.len());
    for (GrantKey { user, resource, role }, sources) in grants {
        out.u64(user.0);
        out.u64(resource.0);
        roles.write(out, *role);
        out.len(sources.len());
        for s in sources {
            out.u64(source(s));
        }
    }
}

pub fn read_grants(r: &mut In, roles: &[Role]) -> Got<BTreeMap<GrantKey, Sources>> {
    let n = r.len(4)?;
    let mut rows = Vec::with_capacity(n);
    prefault(&mut rows);
    let mut last: Option<(UserId, ResourceId)> = None;
    for _ in 0..n {
        let user = UserId(r.u64()?);
        let resource = ResourceId(r.u64()?);
        let role = read_role(r, roles)?;
        if let Some((u, res)) = last
            && (u, res) > (user, resource)
        {
            return bad(format!("grant of {user} out of order"));
        }
        last = Some((user, resource));
        let m = r.len(1)?;
        let mut sources = Sources::default();
        for _ in 0..m {
            sources.insert(read_source(r.u64()?));
        }
        rows.push((GrantKey { user, resource, role }, sources));
    }
    // Equal (user, resource) pairs are ordered by role, which the pass above does not see:
    // the map is built from the rows as they come, any repeat refused.
    let len = rows.len();
    let map: BTreeMap<GrantKey, Sources> = rows.into_iter().collect();
    if map.len() != len {
        return bad("a grant repeated");
    }
    Ok(map)
}

pub(super) fn request_state(s: RequestState) -> u8 {
    match s {
        RequestState::Submitted => 0,
        RequestState::PendingApproval => 1,
        RequestState::Scheduled => 2,
        RequestState::Delivering => 3,
        RequestState::Delivered => 4,
        RequestState::Denied => 5,
        RequestState::Canceled => 6,
        RequestState::Expired => 7,
        RequestState::DeliveryFailed => 8,
        RequestState::WaitingForCallback => 9,
    }
}

pub(super) fn read_request_state(r: &mut In) -> Got<RequestState> {
    Ok(match r.u8()? {
        0 => RequestState::Submitted,
        1 => RequestState::PendingApproval,
        2 => RequestState::Scheduled,
        3 => RequestState::Delivering,
        4 => RequestState::Delivered,
        5 => RequestState::Denied,
        6 => RequestState::Canceled,
        7 => RequestState::Expired,
        8 => RequestState::DeliveryFailed,
        9 => RequestState::WaitingForCallback,
        n => return bad(format!("request state {n}")),
    })
}

pub fn finished(out: &mut Out, id: RequestId, f: &Finished) {
    let Finished { package, target, requestor, state, completed_at } = f;
    out.u64(id.0);
    out.u64(package.0);
    out.opt_id(target.map(|u| u.0));
    out.opt_id(requestor.map(|u| u.0));
    out.u8(request_state(*state));
    out.time(*completed_at);
}

pub const MIN_FINISHED: usize = 6;

pub fn read_finished(r: &mut In) -> Got<(RequestId, Finished)> {
    let id = RequestId(r.u64()?);
    let package = PackageId(r.u64()?);
    let target = r.opt_id()?.map(UserId);
    let requestor = r.opt_id()?.map(UserId);
    let state = read_request_state(r)?;
    let completed_at = r.time()?;
    Ok((id, Finished { package, target, requestor, state, completed_at }))
}

pub fn unread(out: &mut Out, user: UserId, seqs: &IdSet<u64>) {
    out.u64(user.0);
    out.len(seqs.len());
    for s in seqs {
        out.u64(*s);
    }
}

pub fn read_unread(r: &mut In) -> Got<(UserId, IdSet<u64>)> {
    let user = UserId(r.u64()?);
    let n = r.len(1)?;
    let mut seqs = Vec::with_capacity(n);
    for _ in 0..n {
        seqs.push(r.u64()?);
    }
    match IdSet::from_increasing(seqs) {
        Some(seqs) => Ok((user, seqs)),
        None => bad(format!("the unread notices of {user} out of order")),
    }
}

/// A timer: its kind, its object's id, and the stage or the days where the kind has one.
pub fn timer(out: &mut Out, at: Time, t: &Timer) {
    let (kind, id, extra): (u8, u64, u64) = match *t {
        Timer::ScheduledStart(r) => (0, r.0, 0),
        Timer::Escalate(r, stage) => (1, r.0, u64::from(stage)),
        Timer::StageTimeout(r, stage) => (2, r.0, u64::from(stage)),
        Timer::ExpiryNotice(a, days) => (3, a.0, u64::from(days)),
        Timer::ReviewBeforeExpiry(a) => (4, a.0, 0),
        Timer::Expire(a) => (5, a.0, 0),
        Timer::ReviewOpen(p) => (6, p.0, 0),
        Timer::ReviewClose(r) => (7, r.0, 0),
        Timer::GuestRemove(u) => (8, u.0, 0),
        Timer::AutoRemove(a) => (9, a.0, 0),
        Timer::CallbackTimeout(r) => (10, r.0, 0),
    };
    out.time(at);
    out.u8(kind);
    out.u64(id);
    out.u64(extra);
}

pub const MIN_TIMER: usize = 4;

pub fn read_timer(r: &mut In) -> Got<(Time, Timer)> {
    let at = r.time()?;
    let kind = r.u8()?;
    let id = r.u64()?;
    let extra = r.u64()?;
    let stage = || u8::try_from(extra).map_err(|_| super::codec::Bad(format!("stage {extra}")));
    let days = || u32::try_from(extra).map_err(|_| super::codec::Bad(format!("{extra} days")));
    let t = match kind {
        0 => Timer::ScheduledStart(RequestId(id)),
        1 => Timer::Escalate(RequestId(id), stage()?),
        2 => Timer::StageTimeout(RequestId(id), stage()?),
        3 => Timer::ExpiryNotice(AssignmentId(id), days()?),
        4 => Timer::ReviewBeforeExpiry(AssignmentId(id)),
        5 => Timer::Expire(AssignmentId(id)),
        6 => Timer::ReviewOpen(PolicyId(id)),
        7 => Timer::ReviewClose(ReviewId(id)),
        8 => Timer::GuestRemove(UserId(id)),
        9 => Timer::AutoRemove(AssignmentId(id)),
        10 => Timer::CallbackTimeout(RequestId(id)),
        n => return bad(format!("timer kind {n}")),
    };
    Ok((at, t))
}

/// The timer queue, in order.
pub fn read_timers(r: &mut In) -> Got<TimerQueue> {
    let n = r.len(MIN_TIMER)?;
    let mut list = Vec::with_capacity(n);
    prefault(&mut list);
    for _ in 0..n {
        list.push(read_timer(r)?);
    }
    TimerQueue::from_increasing(list).map_or_else(|| bad("timers out of order"), Ok)
}

/// An index of assignments by some key (the assignments of each user, of each package): the
/// keys in increasing order, each with its assignments' ids as increasing gaps (an id of a
/// million takes three bytes, the gap to the next often one). Empty sets are not written.
pub fn lookup<K: Copy + Ord>(out: &mut Out, index: &HashMap<K, IdSet<AssignmentId>>, key: impl Fn(K) -> u64) {
    let mut keys: Vec<(K, &IdSet<AssignmentId>)> =
        index.iter().filter(|(_, set)| !set.is_empty()).map(|(k, set)| (*k, set)).collect();
    keys.sort_unstable_by_key(|(k, _)| *k);
    out.len(keys.len());
    for (k, set) in keys {
        out.u64(key(k));
        out.len(set.len());
        let mut last = 0;
        for id in set {
            out.u64(id.0.saturating_sub(last));
            last = id.0;
        }
    }
}

/// An index written by [`lookup`]: each key once, each set in increasing order and not empty.
pub fn read_lookup<K: Eq + Hash + std::fmt::Debug>(
    r: &mut In,
    key: impl Fn(u64) -> K,
) -> Got<HashMap<K, IdSet<AssignmentId>>> {
    let n = r.len(3)?;
    let mut index = HashMap::with_capacity(n);
    for _ in 0..n {
        let k = key(r.u64()?);
        let m = r.len(1)?;
        if m == 0 {
            return bad(format!("an empty set of assignments for {k:?}"));
        }
        let mut ids = Vec::with_capacity(m);
        let mut last: u64 = 0;
        for _ in 0..m {
            let gap = r.u64()?;
            last = match last.checked_add(gap) {
                Some(id) if gap > 0 => id,
                _ => return bad(format!("the assignments of {k:?} out of order")),
            };
            ids.push(AssignmentId(last));
        }
        let set = IdSet::from_increasing(ids).ok_or_else(|| super::codec::Bad(format!("the assignments of {k:?}")))?;
        if index.insert(k, set).is_some() {
            return bad("a key of an index repeated");
        }
    }
    Ok(index)
}

/// The ends of the assignments by revision (see `ReviewEnds`), the revisions in order.
pub fn review_ends(out: &mut Out, ends: &ReviewEnds) {
    out.u64(ends.upto);
    out.u64(ends.count as u64);
    let mut keys: Vec<_> = ends.by_revision.iter().collect();
    keys.sort_unstable_by_key(|(k, _)| **k);
    out.len(keys.len());
    for ((policy, revision), range) in keys {
        out.u64(policy.0);
        out.u32(*revision);
        out.opt_time(range.earliest);
        out.bool(range.in_calendar);
    }
}

pub fn read_review_ends(r: &mut In) -> Got<ReviewEnds> {
    let upto = r.u64()?;
    let count = usize::try_from(r.u64()?).map_err(|_| super::codec::Bad("a count too large".into()))?;
    let n = r.len(4)?;
    let mut by_revision = HashMap::with_capacity(n);
    for _ in 0..n {
        let key = (PolicyId(r.u64()?), r.u32()?);
        let range = EndRange { earliest: r.opt_time()?, in_calendar: r.bool()? };
        if by_revision.insert(key, range).is_some() {
            return bad("a revision repeated in the ends of the assignments");
        }
    }
    Ok(ReviewEnds { upto, count, by_revision })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::binary::roles::{read_role_names, with_role_names};

    fn made(id: u64, package: u64, granted: &[(u64, &str)]) -> Assignment {
        let start = chrono::DateTime::from_timestamp(1_777_971_600, 0).unwrap_or_default();
        Assignment {
            id: AssignmentId(id),
            package: PackageId(package),
            policy: PolicyId(package + 1),
            target: UserId(40 + id),
            state: AssignmentState::Delivered,
            start,
            end: None,
            revision: 1,
            granted: granted
                .iter()
                .map(|(r, role)| ResourceRole { resource: ResourceId(*r), role: Role::new(role) })
                .collect(),
            request: RequestId(90 + id),
            ended_at: None,
        }
    }

    /// Read back, each assignment is what was written, and those granting what the one read
    /// before them of the same package granted hold the same list, not a copy.
    #[test]
    fn assignments_granting_the_same_roles_of_a_package_share_one_list() {
        let both = [(1, "Member"), (2, "Owner")];
        let written = [
            made(1, 7, &both),
            made(2, 8, &both),
            made(3, 7, &both),
            made(4, 7, &[(1, "Member")]),
            made(5, 7, &[(1, "Member")]),
            made(6, 7, &both),
            made(7, 7, &[]),
        ];
        let mut out = Out::default();
        with_role_names(&mut out, |o, roles| {
            for a in &written {
                assignment(o, roles, a);
            }
        });
        let mut r = In::new(&out.buf);
        let names = read_role_names(&mut r).expect("the role names");
        let mut shared = SharedGranted::default();
        let read: Vec<Assignment> = written
            .iter()
            .map(|_| read_assignment(&mut r, &names, &mut shared).map(|(_, a)| a))
            .collect::<Got<_>>()
            .expect("read");
        assert!(r.is_empty());
        assert_eq!(read, written);
        let same = |i: usize, j: usize| Arc::ptr_eq(&read[i].granted, &read[j].granted);
        assert!(same(0, 2), "the same roles of package 7");
        assert!(!same(0, 1), "package 8 has its own list");
        assert!(!same(2, 3) && same(3, 4), "package 7's roles changed, then stayed");
        assert!(!same(4, 5) && !same(0, 5), "the list read last of the package is the one shared");
        assert!(read[6].granted.is_empty());
    }
    #[test]
    fn a_timer_round_trips_and_a_stage_past_a_byte_is_refused() {
        let at = chrono::DateTime::from_timestamp(1_777_971_600, 0).unwrap_or_default();
        let timers = [
            Timer::Escalate(RequestId(5), 2),
            Timer::StageTimeout(RequestId(6), 0),
            Timer::ExpiryNotice(AssignmentId(7), 14),
            Timer::Expire(AssignmentId(8)),
        ];
        for t in timers {
            let mut out = Out::default();
            timer(&mut out, at, &t);
            let mut r = In::new(&out.buf);
            assert_eq!(read_timer(&mut r), Ok((at, t)));
            assert!(r.is_empty());
        }
        let mut out = Out::default();
        out.time(at);
        out.u8(2);
        out.u64(6);
        out.u64(256);
        assert!(read_timer(&mut In::new(&out.buf)).is_err(), "no request has a 257th stage");
        // What the queue holds of each of a million-assignment tenant's 2.4 million entries.
        assert!(std::mem::size_of::<(Time, Timer)>() <= 32);
    }
}
