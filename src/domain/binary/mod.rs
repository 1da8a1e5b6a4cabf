//! The tenant in a compact binary layout: what the store's derived cache file holds (see
//! `store::cache`). The JSON snapshot stays the file of record; this layout is only ever read
//! back by the same entitle that wrote it (the store checks [`FORMAT`]), so it need not be
//! readable by people nor by other versions.
//!
//! The layout: sections, which the store keeps apart in the file and hands back as slices of its
//! map of the file, so that they are decoded on both cores. The big tables (users,
//! assignments, grants, the finished-request index, the unread notices, the open requests:
//! [`records`], [`requests`]) are fixed sequences of little-endian fields; everything else,
//! small and varied, is one JSON object, the tenant with those tables left empty, read by the
//! tenant's own `Deserialize`, but for the policies and their revisions: a JSON object of their
//! own (`PolicyParts`), read on the other core.

pub(crate) mod codec;
mod records;
mod requests;
mod roles;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

pub use codec::Bad;
use codec::{Got, In, Out, bad};

use serde::{Deserialize, Serialize};

use super::access::Policy;
use super::ids::{PackageId, PolicyId, UserId};
use super::review_ends::ReviewEnds;
use super::tenant::{Indexes, Tenant, assignment_lookups, holder_lookups};

/// The layout's version: bump it whenever this module or a record it writes changes.
pub const FORMAT: u32 = 13;

/// The sections, in the order written.
const SECTIONS: usize = 12;

/// The tenant's state in the binary layout (its indexes are not kept: they are rebuilt on load).
pub fn encode(t: &Tenant) -> Result<Vec<Vec<u8>>, serde_json::Error> {
    let rest = serde_json::to_vec(&rest_of(t))?;
    let policies = serde_json::to_vec(&PolicyParts::of(t))?;
    let mut requests = Out::default();
    records::map(&mut requests, &t.requests, |o, _, q| requests::request(o, q));
    let mut users = Out::default();
    records::map(&mut users, &t.users, |o, _, u| records::user(o, u));
    let mut assignments = Out::default();
    roles::with_role_names(&mut assignments, |o, roles| {
        records::map(o, &t.assignments, |o, _, a| records::assignment(o, roles, a));
    });
    let mut grants = Out::default();
    roles::with_role_names(&mut grants, |o, roles| records::grants(o, roles, &t.grants));
    let mut finished = Out::default();
    records::map(&mut finished, &t.finished, |o, id, f| records::finished(o, *id, f));
    let mut unread = Out::default();
    records::map(&mut unread, &t.unread, |o, u, seqs| records::unread(o, *u, seqs));
    // The timers as a load would schedule them (a rebuild costs more than the tables).
    let scheduled = t.scheduled_timers();
    let mut timers = Out::default();
    timers.len(scheduled.len());
    for (at, x) in &scheduled {
        records::timer(&mut timers, *at, x);
    }
    // The assignments of each user and of each package, as a load would index them (reading
    // them costs a tenth of building them from a million assignments).
    let (by_user, by_package) = assignment_lookups(&t.assignments);
    let mut user_index = Out::default();
    records::lookup(&mut user_index, &by_user, |u| u.0);
    let mut package_index = Out::default();
    records::lookup(&mut package_index, &by_package, |p| p.0);
    // The ends of the assignments by revision, for the check of problems on every open.
    let mut review_ends = Out::default();
    records::review_ends(&mut review_ends, &ReviewEnds::of(&t.assignments));
    Ok(vec![
        rest,
        users.buf,
        assignments.buf,
        grants.buf,
        finished.buf,
        unread.buf,
        timers.buf,
        user_index.buf,
        package_index.buf,
        review_ends.buf,
        requests.buf,
        policies,
    ])
}

/// The tenant from [`encode`]'s sections, on two threads, its indexes built.
pub fn decode(sections: Vec<&[u8]>) -> Result<Tenant, Bad> {
    decode_releasing(sections, &|_| ())
}

/// [`decode`], calling `decoded` with each section once it is decoded (the store's map of the
/// cache file then gives its memory back).
pub fn decode_releasing(sections: Vec<&[u8]>, decoded: &(dyn Fn(&[u8]) + Sync)) -> Result<Tenant, Bad> {
    let Ok(
        [
            rest,
            users,
            assignments,
            grants,
            finished,
            unread,
            timers,
            user_index,
            package_index,
            review_ends,
            requests,
            policies,
        ],
    ) = <[&[u8]; SECTIONS]>::try_from(sections)
    else {
        return bad("not the sections this entitle writes");
    };
    // The timer queue goes to whichever thread is first done with its own part: which one
    // that is depends on how slowly the machine gives fresh memory (the other thread makes the
    // largest tables), and at 1M assignments, with fresh pages slow, the first thread had waited
    // 0.6 s for the other.
    let timers_taken = AtomicBool::new(false);
    let take_timers =
        || (!timers_taken.swap(true, Ordering::AcqRel)).then(|| whole(timers, decoded, records::read_timers));
    let (tenant, big) = std::thread::scope(|s| {
        // The policies and their revisions, JSON, are read first by the other thread and handed
        // over as soon as they are (the first thread needs them only for its last lookups): at
        // 1M assignments they were two thirds of the small parts' parse, which left the first
        // thread 0.3 s behind the other.
        let (policies_tx, policies_rx) = std::sync::mpsc::sync_channel::<Got<PolicyParts>>(1);
        let other = s.spawn(move || {
            let parts =
                serde_json::from_slice::<PolicyParts>(policies).map_err(|e| codec::Bad(format!("the policies: {e}")));
            decoded(policies);
            // The first thread has gone (it failed) when nobody receives: its error is the one told.
            let _ = policies_tx.send(parts);
            let assignments = whole(assignments, decoded, |r| {
                let roles = roles::read_role_names(r)?;
                let mut shared = records::SharedGranted::default();
                records::read_table(r, records::MIN_ASSIGNMENT, |r| {
                    records::read_assignment(r, &roles, &mut shared).map(|(_, a)| a)
                })
            });
            let grants = whole(grants, decoded, |r| {
                let roles = roles::read_role_names(r)?;
                records::read_grants(r, &roles)
            })
            .map(|g| {
                let holders = holder_lookups(&g);
                (g, holders)
            });
            (assignments, grants, take_timers())
        });
        let tenant = (|| -> Got<Tenant> {
            let mut t: Tenant =
                serde_json::from_slice(rest).map_err(|e| codec::Bad(format!("the small parts: {e}")))?;
            decoded(rest);
            t.requests =
                whole(requests, decoded, |r| records::read_map(r, requests::MIN_REQUEST, requests::read_request))?;
            t.users = whole(users, decoded, |r| records::read_map(r, 8, records::read_user))?;
            t.finished =
                whole(finished, decoded, |r| records::read_map(r, records::MIN_FINISHED, records::read_finished))?;
            t.unread = whole(unread, decoded, |r| records::read_map(r, 2, records::read_unread))?;
            let parts = policies_rx.recv().unwrap_or_else(|_| bad("a decoding thread failed"))?;
            t.policies = parts.policies;
            t.policy_revisions = parts.policy_revisions;
            t.idx = t.small_lookups();
            t.idx.review_ends = whole(review_ends, decoded, records::read_review_ends)?;
            t.idx.assignments_by_user = whole(user_index, decoded, |r| records::read_lookup(r, UserId))?;
            t.idx.assignments_by_package = whole(package_index, decoded, |r| records::read_lookup(r, PackageId))?;
            Ok(t)
        })();
        let timers_here = take_timers();
        let big = other.join().unwrap_or_else(|_| {
            let failed = "a decoding thread failed";
            (bad(failed), bad(failed), Some(bad(failed)))
        });
        (tenant, (big.0, big.1, big.2.or(timers_here)))
    });
    let mut t = tenant?;
    let (grants, holders) = big.1?;
    t.assignments = big.0?;
    t.grants = grants;
    t.idx.holders_by_resource = holders;
    t.idx.timers = big.2.unwrap_or_else(|| bad("the timers were not read"))?;
    Ok(t)
}

/// The policies and their revisions: a section of their own (JSON, as the small parts), read
/// by the other thread.
#[derive(Serialize, Deserialize, Default)]
struct PolicyParts {
    #[serde(with = "crate::domain::serde_util::as_list", default)]
    policies: BTreeMap<PolicyId, Policy>,
    #[serde(with = "crate::domain::revisions::as_list", default)]
    policy_revisions: crate::domain::revisions::Revisions,
}

impl PolicyParts {
    fn of(t: &Tenant) -> PolicyParts {
        PolicyParts { policies: t.policies.clone(), policy_revisions: t.policy_revisions.clone() }
    }
}

/// A section read by `read`, which must use all of it; then handed to `decoded`.
fn whole<'a, T>(bytes: &'a [u8], decoded: &dyn Fn(&[u8]), read: impl FnOnce(&mut In<'a>) -> Got<T>) -> Got<T> {
    let mut r = In::new(bytes);
    let v = read(&mut r);
    decoded(bytes);
    let v = v?;
    if !r.is_empty() {
        return bad("bytes left at the end of a section");
    }
    Ok(v)
}

/// The tenant without the tables the binary sections hold: every field named, so that a field
/// added to the tenant is a compile error here until it is kept somewhere.
fn rest_of(t: &Tenant) -> Tenant {
    let Tenant {
        display_name,
        clock,
        next_id,
        settings,
        mode,
        users: _,
        resources,
        orgs,
        catalogs,
        packages,
        policies: _,
        policy_revisions: _,
        requests: _,
        finished: _,
        finished_emails,
        finished_requests,
        finished_seq,
        assignments: _,
        reviews,
        grants: _,
        auto_removals,
        extensions,
        callouts,
        audit,
        audit_seq,
        notifications,
        notice_seq,
        unread: _,
        pit,
        idx: _,
        lenient,
    } = t;
    Tenant {
        display_name: display_name.clone(),
        clock: clock.clone(),
        next_id: *next_id,
        settings: settings.clone(),
        mode: *mode,
        users: BTreeMap::new(),
        resources: resources.clone(),
        orgs: orgs.clone(),
        catalogs: catalogs.clone(),
        packages: packages.clone(),
        // In a section of their own (`PolicyParts`).
        policies: BTreeMap::new(),
        policy_revisions: BTreeMap::new(),
        requests: BTreeMap::new(),
        finished: BTreeMap::new(),
        finished_emails: finished_emails.clone(),
        finished_requests: finished_requests.clone(),
        finished_seq: *finished_seq,
        assignments: Default::default(),
        reviews: reviews.clone(),
        grants: BTreeMap::new(),
        auto_removals: auto_removals.clone(),
        extensions: extensions.clone(),
        callouts: callouts.clone(),
        audit: audit.clone(),
        audit_seq: *audit_seq,
        notifications: notifications.clone(),
        notice_seq: *notice_seq,
        unread: BTreeMap::new(),
        pit: pit.clone(),
        idx: Indexes::default(),
        lenient: *lenient,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::thread::ThreadId;
    use std::time::Duration;

    use super::*;

    /// Which thread handed each section back, in `encode`'s order, when the section numbered
    /// `slow` takes a while to hand back; and the tenant read.
    fn decoded_with_slow(slow: usize) -> (Vec<Option<ThreadId>>, Tenant, Tenant) {
        let mut demo = crate::demo::demo_tenant().expect("the demo loads");
        demo.rebuild_indexes();
        let sections = encode(&demo).expect("encodes");
        let by = Mutex::new(vec![None; sections.len()]);
        let slices: Vec<&[u8]> = sections.iter().map(Vec::as_slice).collect();
        let which = |bytes: &[u8]| slices.iter().position(|s| std::ptr::eq(s.as_ptr(), bytes.as_ptr()));
        let read = decode_releasing(slices.clone(), &|bytes| {
            let Some(i) = which(bytes) else { return };
            if let Ok(mut by) = by.lock() {
                by[i] = Some(std::thread::current().id());
            }
            if i == slow {
                std::thread::sleep(Duration::from_millis(200));
            }
        })
        .expect("decodes");
        (by.into_inner().expect("not poisoned"), read, demo)
    }

    const REST: usize = 0;
    const ASSIGNMENTS: usize = 2;
    const GRANTS: usize = 3;
    const TIMERS: usize = 6;
    const PACKAGE_INDEX: usize = 8;

    #[test]
    fn the_timers_go_to_the_thread_done_first_and_read_the_same_either_way() {
        // The other thread slow with its grants: the first takes the timers.
        let (by, read, demo) = decoded_with_slow(GRANTS);
        assert_eq!(by[TIMERS], by[REST]);
        assert_ne!(by[REST], by[ASSIGNMENTS], "two threads");
        assert_eq!(read.idx.timers.iter().collect::<Vec<_>>(), demo.idx.timers.iter().collect::<Vec<_>>());
        // The first thread slow with its last index: the other takes them.
        let (by, read, demo) = decoded_with_slow(PACKAGE_INDEX);
        assert_eq!(by[TIMERS], by[ASSIGNMENTS]);
        assert!(!read.idx.timers.is_empty());
        assert_eq!(read.idx.timers.iter().collect::<Vec<_>>(), demo.idx.timers.iter().collect::<Vec<_>>());
    }
}
