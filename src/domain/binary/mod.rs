//! The tenant in a compact binary layout: what the store's derived cache file holds (see
//! `store::cache`). The JSON snapshot stays the file of record; this layout is only ever read
//! back by the same entitle that wrote it (the store checks [`FORMAT`]), so it need not be
//! readable by people nor by other versions.
//!
//! The layout: sections, which the store keeps apart in the file and reads back into memory of
//! their own, so that they are decoded on both cores and each freed once decoded. The big tables (users,
//! assignments, grants, the finished-request index, the unread notices) are fixed sequences of
//! little-endian fields ([`records`]); everything else, small and varied, is one JSON object,
//! the tenant with those tables left empty, read by the tenant's own `Deserialize`.

mod codec;
mod records;

use std::collections::BTreeMap;

pub use codec::Bad;
use codec::{Got, In, Out, bad};

use super::tenant::{Indexes, Tenant, assignment_lookups, holder_lookups};

/// The layout's version: bump it whenever this module or a record it writes changes.
pub const FORMAT: u32 = 5;

/// The sections, in the order written.
const SECTIONS: usize = 7;

/// The tenant's state in the binary layout (its indexes are not kept: they are rebuilt on load).
pub fn encode(t: &Tenant) -> Result<Vec<Vec<u8>>, serde_json::Error> {
    let rest = serde_json::to_vec(&rest_of(t))?;
    let mut users = Out::default();
    records::map(&mut users, &t.users, |o, _, u| records::user(o, u));
    let mut assignments = Out::default();
    records::map(&mut assignments, &t.assignments, |o, _, a| records::assignment(o, a));
    let mut grants = Out::default();
    records::grants(&mut grants, &t.grants);
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
    Ok(vec![rest, users.buf, assignments.buf, grants.buf, finished.buf, unread.buf, timers.buf])
}

/// The tenant from [`encode`]'s sections, on two threads, its indexes built. Each section is
/// freed once decoded.
pub fn decode(sections: Vec<Vec<u8>>) -> Result<Tenant, Bad> {
    let Ok([rest, users, assignments, grants, finished, unread, timers]) = <[Vec<u8>; SECTIONS]>::try_from(sections)
    else {
        return bad("not the sections this entitle writes");
    };
    let (tenant, big) = std::thread::scope(|s| {
        let other = s.spawn(move || {
            let assignments =
                whole(assignments, |r| records::read_map(r, records::MIN_ASSIGNMENT, records::read_assignment)).map(
                    |a| {
                        let lookups = assignment_lookups(&a);
                        (a, lookups)
                    },
                );
            let grants = whole(grants, records::read_grants).map(|g| {
                let holders = holder_lookups(&g);
                (g, holders)
            });
            (assignments, grants)
        });
        let tenant = (|| -> Got<Tenant> {
            let mut t: Tenant =
                serde_json::from_slice(&rest).map_err(|e| codec::Bad(format!("the small parts: {e}")))?;
            drop(rest);
            t.users = whole(users, |r| records::read_map(r, 8, records::read_user))?;
            t.finished = whole(finished, |r| records::read_map(r, records::MIN_FINISHED, records::read_finished))?;
            t.unread = whole(unread, |r| records::read_map(r, 2, records::read_unread))?;
            t.idx = t.small_lookups();
            t.idx.timers = whole(timers, records::read_timers)?;
            Ok(t)
        })();
        let big = other.join().unwrap_or_else(|_| {
            let failed = "a decoding thread failed";
            (bad(failed), bad(failed))
        });
        (tenant, big)
    });
    let mut t = tenant?;
    let (assignments, (by_user, by_package)) = big.0?;
    let (grants, holders) = big.1?;
    t.assignments = assignments;
    t.grants = grants;
    t.idx.assignments_by_user = by_user;
    t.idx.assignments_by_package = by_package;
    t.idx.holders_by_resource = holders;
    Ok(t)
}

/// A section read by `read`, which must use all of it; then freed.
fn whole<T>(bytes: Vec<u8>, read: impl for<'a> FnOnce(&mut In<'a>) -> Got<T>) -> Got<T> {
    let mut r = In::new(&bytes);
    let v = read(&mut r)?;
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
        policies,
        policy_revisions,
        requests,
        finished: _,
        finished_emails,
        finished_requests,
        finished_seq,
        assignments: _,
        reviews,
        grants: _,
        audit,
        audit_seq,
        notifications,
        notice_seq,
        unread: _,
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
        policies: policies.clone(),
        policy_revisions: policy_revisions.clone(),
        requests: requests.clone(),
        finished: BTreeMap::new(),
        finished_emails: finished_emails.clone(),
        finished_requests: finished_requests.clone(),
        finished_seq: *finished_seq,
        assignments: BTreeMap::new(),
        reviews: reviews.clone(),
        grants: BTreeMap::new(),
        audit: audit.clone(),
        audit_seq: *audit_seq,
        notifications: notifications.clone(),
        notice_seq: *notice_seq,
        unread: BTreeMap::new(),
        idx: Indexes::default(),
        lenient: *lenient,
    }
}
