//! The tenant in a compact binary layout: what the store's derived cache file holds (see
//! `store::cache`). The JSON snapshot stays the file of record; this layout is only ever read
//! back by the same entitle that wrote it (the store checks [`FORMAT`]), so it need not be
//! readable by people nor by other versions.
//!
//! The layout: a count of sections, then each section as a length-prefixed block, so that the
//! reader can cut them apart first and decode them on both cores. The big tables (users,
//! assignments, grants, the finished-request index, the unread notices) are fixed sequences of
//! little-endian fields ([`records`]); everything else, small and varied, is one JSON object,
//! the tenant with those tables left empty, read by the tenant's own `Deserialize`.

mod codec;
mod records;

use std::collections::BTreeMap;

pub use codec::Bad;
use codec::{Got, In, Out, bad};

use super::tenant::{Indexes, Tenant};

/// The layout's version: bump it whenever this module or a record it writes changes.
pub const FORMAT: u32 = 1;

/// The sections, in the order written.
const SECTIONS: usize = 7;

/// The tenant's state in the binary layout (its indexes are not kept: they are rebuilt on load).
pub fn encode(t: &Tenant) -> Result<Vec<u8>, serde_json::Error> {
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
    let sections: [&[u8]; SECTIONS] =
        [&rest, &users.buf, &assignments.buf, &grants.buf, &finished.buf, &unread.buf, &timers.buf];
    let mut out = Out { buf: Vec::with_capacity(sections.iter().map(|s| s.len() + 8).sum::<usize>() + 4) };
    out.len(SECTIONS);
    for s in sections {
        out.block(s);
    }
    Ok(out.buf)
}

/// The tenant from [`encode`]'s bytes, on two threads, its indexes built.
pub fn decode(bytes: &[u8]) -> Result<Tenant, Bad> {
    let mut r = In::new(bytes);
    if r.len(8)? != SECTIONS {
        return bad("not the sections this entitle writes");
    }
    let [rest, users, assignments, grants, finished, unread, timers] = [(); SECTIONS].map(|()| r.block());
    if !r.is_empty() {
        return bad("bytes after the last section");
    }
    let (rest, users, finished, unread) = (rest?, users?, finished?, unread?);
    let (assignments, grants, timers) = (assignments?, grants?, timers?);
    let (tenant, big) = std::thread::scope(|s| {
        let other = s.spawn(|| {
            let assignments =
                whole(assignments, |r| records::read_map(r, records::MIN_ASSIGNMENT, records::read_assignment));
            let grants = whole(grants, records::read_grants);
            let timers = whole(timers, |r| {
                let n = r.len(records::MIN_TIMER)?;
                let mut list = Vec::with_capacity(n);
                for _ in 0..n {
                    list.push(records::read_timer(r)?);
                }
                if list.windows(2).any(|w| w.first() >= w.get(1)) {
                    return bad("timers out of order");
                }
                Ok(list.into_iter().collect::<std::collections::BTreeSet<_>>())
            });
            (assignments, grants, timers)
        });
        let tenant = (|| -> Got<Tenant> {
            let mut t: Tenant =
                serde_json::from_slice(rest).map_err(|e| codec::Bad(format!("the small parts: {e}")))?;
            t.users = whole(users, |r| records::read_map(r, 8, records::read_user))?;
            t.finished = whole(finished, |r| records::read_map(r, records::MIN_FINISHED, records::read_finished))?;
            t.unread = whole(unread, |r| records::read_map(r, 12, records::read_unread))?;
            Ok(t)
        })();
        let big = other.join().unwrap_or_else(|_| {
            let failed = "a decoding thread failed";
            (bad(failed), bad(failed), bad(failed))
        });
        (tenant, big)
    });
    let mut t = tenant?;
    t.assignments = big.0?;
    t.grants = big.1?;
    t.idx = t.lookups();
    t.idx.timers = big.2?;
    Ok(t)
}

/// A section read by `read`, which must use all of it.
fn whole<'a, T>(bytes: &'a [u8], read: impl FnOnce(&mut In<'a>) -> Got<T>) -> Got<T> {
    let mut r = In::new(bytes);
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
        mode: mode.clone(),
        users: BTreeMap::new(),
        resources: resources.clone(),
        orgs: orgs.clone(),
        catalogs: catalogs.clone(),
        packages: packages.clone(),
        policies: policies.clone(),
        policy_revisions: policy_revisions.clone(),
        requests: requests.clone(),
        finished: BTreeMap::new(),
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
