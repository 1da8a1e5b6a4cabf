//! Ended grant sources leaving the grants in batches while the clock fires a run of expiries.
//!
//! A run of expiries (`Tenant::batch_holders` to `Tenant::settle_holders`) only queues the
//! sources it ends (`Indexes::grants_gone`); they leave the grants in key order, in one pass,
//! when the batch is full and when the run is over.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use super::delivery::unhold_in;
use super::flow::GrantSource;
use super::prefault::{prefault, prefault_room};
use super::tenant::{GrantKey, Indexes, Sources};

/// How many ended grant sources a run of expiries keeps before they leave the grants (about
/// 12 MB: a year's 700,000 at once would be 28 MB more at its peak). A batch this big leaves
/// in one pass over a million memberships, which costs a third of a walk down the tree for
/// each (batches of 65,536 took the walks: 250 ms of a year's jump, against 100 now).
pub(super) const GRANTS_GONE_AT_MOST: usize = 1 << 18;

/// From how many ended grant sources [`in_key_order`] sorts by a radix sort (below, a
/// comparison sort is as quick).
const RADIX_FROM: usize = 4096;

/// [`Tenant::remove_grant_key`] on the tenant's fields, for a caller that holds another of them.
/// While the clock fires a run of expiries the source leaves with the others of the run, in
/// key order (see `settle_grants_in`).
pub(super) fn remove_grant_in(
    grants: &mut BTreeMap<GrantKey, Sources>,
    idx: &mut Indexes,
    key: GrantKey,
    src: GrantSource,
) {
    if idx.holders_gone.is_some() {
        idx.grants_gone.push((key, src));
        if idx.grants_gone.len() >= gone_at_most(idx) {
            settle_grants_in(grants, idx);
        }
        return;
    }
    remove_grant_now(grants, idx, key, src);
}

/// How many ended sources make a full batch.
fn gone_at_most(idx: &Indexes) -> usize {
    if idx.grants_gone_most == 0 { GRANTS_GONE_AT_MOST } else { idx.grants_gone_most }
}

/// The grant sources ended since `batch_holders` leave the grants, in key order: one pass
/// over every membership when they are many, else one walk down the grants each, the next one
/// mostly down the same path. The memberships left with no source leave their resources'
/// holders with the rest of the batch.
pub(crate) fn settle_grants_in(grants: &mut BTreeMap<GrantKey, Sources>, idx: &mut Indexes) {
    let mut gone = std::mem::take(&mut idx.grants_gone);
    if gone.is_empty() {
        return;
    }
    in_key_order(&mut gone);
    if gone.len() > grants.len() / 8 {
        let mut rest = gone.iter().peekable();
        grants.retain(|key, sources| {
            while rest.next_if(|(k, _)| k < key).is_some() {}
            let mut ended = false;
            while let Some((_, src)) = rest.next_if(|(k, _)| k == key) {
                ended |= sources.remove(src);
            }
            if ended && sources.is_empty() {
                unhold_in(idx, key.resource, key.user, key.role);
                return false;
            }
            true
        });
    } else {
        for (key, src) in gone.drain(..) {
            remove_grant_now(grants, idx, key, src);
        }
    }
    // The room is kept for the rest of the run (at most `GRANTS_GONE_AT_MOST`).
    gone.clear();
    idx.grants_gone = gone;
}

/// One source leaves one membership, at once.
fn remove_grant_now(grants: &mut BTreeMap<GrantKey, Sources>, idx: &mut Indexes, key: GrantKey, src: GrantSource) {
    let Entry::Occupied(mut sources) = grants.entry(key) else { return };
    sources.get_mut().remove(&src);
    if sources.get().is_empty() {
        let (key, _) = sources.remove_entry();
        unhold_in(idx, key.resource, key.user, key.role);
    }
}

/// Sorts `gone` by key, then source: by a radix sort of the user and the resource packed in one
/// number when it is long and they fit (a comparison sort of a year's batches, each key's role
/// compared as text, was 8% of the main thread's firing), each run of one user's one resource
/// then sorted by comparison (it is one source long but for a resource held by several roles or
/// packages at once). The room of `gone` is kept.
fn in_key_order(gone: &mut Vec<(GrantKey, GrantSource)>) {
    let packed =
        |k: &GrantKey| (k.user.0 >> 32 == 0 && k.resource.0 >> 32 == 0).then_some(k.user.0 << 32 | k.resource.0);
    let Ok(count) = u32::try_from(gone.len()) else { return gone.sort_unstable() };
    if gone.len() < RADIX_FROM || gone.iter().any(|(k, _)| packed(k).is_none()) {
        return gone.sort_unstable();
    }
    // Each buffer's pages made present at once (see `prefault`): a year's batches are tens of
    // megabytes, and in a profile of a year at 1M, faults on their fresh pages were over a
    // third of the samples of this settling.
    let mut keys: Vec<(u64, u32)> = Vec::with_capacity(gone.len());
    prefault(&mut keys);
    keys.extend(gone.iter().zip(0..count).map(|((k, _), at)| (packed(k).unwrap_or(0), at)));
    let order = super::radix::sort_by_key_stable(keys);
    let mut sorted = Vec::with_capacity(gone.capacity());
    prefault_room(&mut sorted, gone.len());
    sorted.extend(order.iter().filter_map(|(_, at)| gone.get(usize::try_from(*at).ok()?).cloned()));
    let mut from = 0usize;
    for run in order.chunk_by(|a, b| a.0 == b.0) {
        let to = from.saturating_add(run.len());
        if let (true, Some(part)) = (run.len() > 1, sorted.get_mut(from..to)) {
            part.sort_unstable();
        }
        from = to;
    }
    *gone = sorted;
}

#[cfg(test)]
#[path = "grants_gone_tests.rs"]
mod tests;
