//! The batched jump against the plain one: the same expiries, notices, audit events (with their
//! before and after), grants, holders, requests and timers as firing the queue's entries one
//! at a time, each removal and notice done where it happens.

use super::*;
use crate::domain::directory::UserType;
use crate::domain::ids::UserId;
use crate::domain::records::ExternalLifecycle;
use crate::scale::{ScaleParams, build};

impl Tenant {
    /// The reference: one entry taken off the queue at a time (one walk down it each), every
    /// membership leaving its resource's holders the moment it ends.
    fn advance_one_by_one(&mut self, to: Time) -> Fired {
        let mut fired = Fired::default();
        while let Some((t, timer)) = self.idx.timers.pop_first() {
            if t > to {
                self.idx.timers.insert((t, timer));
                break;
            }
            if t > self.clock.now {
                self.clock.now = t;
            }
            self.fire(t, timer, &mut fired);
        }
        if to > self.clock.now {
            self.clock.now = to;
        }
        self.drop_stale_timers();
        fired
    }
}

/// A small generated tenant (its clock frozen) where every user whose assignments all end within a year is a guest made by
/// entitlement management, removed a day after their last assignment ends: the jump schedules
/// removals that fall due within it, and removes their memberships.
fn tenant() -> Tenant {
    let (mut t, _) = build(ScaleParams::smoke()).expect("generated");
    t.settings.external_lifecycle = ExternalLifecycle::BlockThenRemove(1);
    // Those whose every assignment ends within the year lose their last one in the jump.
    let lasting: std::collections::BTreeSet<UserId> =
        t.assignments.values().filter(|a| a.end.is_none_or(|e| e > to(&t))).map(|a| a.target).collect();
    for u in t.users.values_mut().filter(|u| !u.global_admin && !lasting.contains(&u.id)) {
        u.user_type = UserType::Guest;
        u.created_by_em = true;
    }
    // As the tenant is read back with those guests: its indexes made from it.
    t.rebuild_indexes();
    let made = t.users.values().filter(|u| u.created_by_em).count();
    assert!(made > 0 && t.idx.em_created.len() == made, "guests made by entitlement management are known");
    assert!(t.clock.frozen.is_some(), "the generator's clock is frozen");
    t
}

/// A year after the tenant's clock.
fn to(t: &Tenant) -> Time {
    crate::domain::clock::plus_days(t.clock.now, 365).expect("a date")
}

/// Everything the two paths must agree on.
fn same(a: &Tenant, b: &Tenant) {
    let json = |t: &Tenant| serde_json::to_value(t).expect("serializes");
    assert_eq!(json(a), json(b), "the state, audit events and notices");
    assert_eq!(a.audit.lines().bytes(), b.audit.lines().bytes(), "the audit lines");
    assert_eq!(a.notifications.to_vec(), b.notifications.to_vec(), "the notices");
    assert_eq!(a.idx.timers, b.idx.timers, "the timers");
    assert_eq!(a.idx.holders_by_resource, b.idx.holders_by_resource, "the holders");
    assert!(a.idx.holders_gone.is_none(), "no batch left open");
    assert_eq!(a.unread, b.unread, "the unread marks");
}

/// A year in one jump of `batched`, against the same year one timer at a time on its copy:
/// both states, after, and what the jump fired.
fn year_both_ways(mut batched: Tenant) -> (Tenant, Tenant, Fired) {
    let mut plain = batched.clone();
    // The reference does everything on one thread.
    plain.idx.two_threads_from = usize::MAX;
    let to = to(&batched);
    let fired = batched.advance_to(to);
    batched.settle_finished();
    let reference = plain.advance_one_by_one(to);
    plain.settle_finished();
    assert_eq!(fired, reference);
    (batched, plain, fired)
}

#[test]
fn a_year_in_one_jump_does_what_firing_one_timer_at_a_time_does() {
    let (batched, plain, fired) = year_both_ways(tenant());
    assert!(fired.expired > 100 && fired.notices > 200 && fired.timed_out > 0, "{fired:?}");
    assert!(fired.guests_removed > 0, "removals scheduled and fired within the jump: {fired:?}");
    same(&batched, &plain);
    let marks: usize = batched.unread.values().map(|s| s.len()).sum();
    assert!(marks >= fired.notices + fired.expired, "every notice of the year is unread: {marks}, {fired:?}");
}

#[test]
fn a_year_whose_ended_memberships_leave_the_grants_a_few_at_a_time_does_the_same() {
    // A run of expiries keeps at most this many ended grant sources before they leave the grants
    // (a million-assignment year keeps 262,144): the smoke tenant's year leaves them in many
    // small batches, one walk down the grants each, instead of one pass over them all.
    let mut t = tenant();
    t.idx.grants_gone_most = 16;
    let (batched, plain, fired) = year_both_ways(t);
    assert!(fired.expired > 16 * 8, "{fired:?}");
    same(&batched, &plain);
    assert!(batched.idx.grants_gone.is_empty(), "every ended source left the grants");
}

#[test]
fn a_year_whose_marks_and_finished_requests_are_shared_with_a_thread_does_the_same() {
    // A million-assignment year marks millions of notices unread and writes tens of thousands
    // of finished requests, each on two threads: here from the first.
    let mut t = tenant();
    t.idx.two_threads_from = 1;
    let (batched, plain, fired) = year_both_ways(t);
    assert!(fired.timed_out > 1 && fired.notices > 1, "{fired:?}");
    same(&batched, &plain);
    let marks: usize = batched.unread.values().map(|s| s.len()).sum();
    assert!(marks >= fired.notices + fired.expired, "every notice of the year is unread: {marks}, {fired:?}");
    let lines = |t: &Tenant| -> Vec<(String, Vec<u8>)> {
        let history = t.pending_history().expect("the history");
        history.into_iter().map(|(s, l)| (s, l.bytes().to_vec())).collect()
    };
    let (shared, alone) = (lines(&batched), lines(&plain));
    assert!(shared.iter().filter(|(s, _)| s.starts_with("requests-")).count() > 2, "finished requests written");
    assert!(shared == alone, "the same streams, lines and order");
}

#[test]
fn a_year_in_daily_steps_does_what_one_timer_at_a_time_does() {
    let mut batched = tenant();
    let mut plain = batched.clone();
    let (mut fired, mut reference) = (Fired::default(), Fired::default());
    for day in 1..=365 {
        let to = crate::domain::clock::plus_days(plain.clock.now, 1).expect("a date");
        fired.merge(batched.advance_to(to));
        batched.settle_finished();
        reference.merge(plain.advance_one_by_one(to));
        plain.settle_finished();
        if day % 91 == 0 {
            same(&batched, &plain);
        }
    }
    assert_eq!(fired, reference);
    assert!(fired.guests_removed > 0 && fired.expired > 100, "{fired:?}");
    same(&batched, &plain);
}

/// Each stream's lines, in order, as a jump hands them over: those spilled (see `tail::Spill`)
/// followed by those still held.
/// Lines handed over typed are written as the store's writer writes them; the last number given
/// is how many runs were.
fn streams_after_spilled_jump(
    t: &mut Tenant,
    at: usize,
) -> (std::collections::BTreeMap<String, Vec<u8>>, usize, usize) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    use super::super::tail::Batch;
    type Got = Arc<Mutex<Vec<(String, Vec<u8>, u64, u64)>>>;
    let got: Got = Arc::default();
    let into = got.clone();
    let typed = Arc::new(AtomicUsize::new(0));
    let runs = typed.clone();
    let audit_typed = Arc::new(AtomicUsize::new(0));
    let audit_runs = audit_typed.clone();
    let spill: super::super::tail::Spill = Box::new(move |stream: &str, batch: Batch, first: u64, last: u64| {
        let bytes = match batch {
            Batch::Written(bytes) => bytes,
            Batch::Later(write) => {
                runs.fetch_add(1, Ordering::SeqCst);
                if stream == super::super::history::AUDIT_STREAM {
                    audit_runs.fetch_add(1, Ordering::SeqCst);
                }
                let mut bytes = Vec::new();
                write(&mut bytes);
                bytes
            }
        };
        into.lock().expect("not poisoned").push((stream.to_owned(), bytes, first, last));
        Vec::new()
    });
    t.spill_into(Some(spill));
    t.idx.spill.at = at;
    let to = to(t);
    t.advance_to(to);
    t.settle_finished();
    t.spill_into(None);
    assert!(t.idx.deferring.is_none(), "the jump stopped handing notices over typed");
    assert!(t.notifications.deferred.iter().all(Vec::is_empty), "typed notices left after the jump");
    let spilled = std::mem::take(&mut *got.lock().expect("not poisoned"));
    let count = spilled.len();
    let names: std::collections::BTreeSet<String> = spilled.iter().map(|s| s.0.clone()).collect();
    let mut out: std::collections::BTreeMap<String, Vec<u8>> = std::collections::BTreeMap::new();
    for (stream, bytes, first, last) in spilled {
        let lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()).collect();
        let seq = |l: &[u8]| serde_json::from_slice::<serde_json::Value>(l).ok().and_then(|v| v["seq"].as_u64());
        assert_eq!(lines.first().and_then(|l| seq(l)), Some(first), "{stream}: the first line's number");
        assert_eq!(lines.last().and_then(|l| seq(l)), Some(last), "{stream}: the last line's number");
        out.entry(stream).or_default().extend_from_slice(&bytes);
    }
    for (stream, lines) in t.pending_history().expect("the history") {
        // A stream spilled at all was spilled whole: none of its lines is left held.
        assert!(!names.contains(&stream), "{stream} was spilled, yet lines of it are held");
        out.entry(stream).or_default().extend_from_slice(lines.bytes());
    }
    if at == 1 {
        assert!(audit_typed.load(Ordering::SeqCst) > 0, "no expiry's audit event was handed over typed");
    }
    (out, count, typed.load(Ordering::SeqCst))
}

#[test]
fn a_jump_that_spills_its_history_hands_over_every_line_once_in_order_and_whole() {
    let mut held = tenant();
    let original = held.clone();
    let to = to(&held);
    held.advance_to(to);
    held.settle_finished();
    let expected: std::collections::BTreeMap<String, Vec<u8>> =
        held.pending_history().expect("the history").into_iter().map(|(s, l)| (s, l.bytes().to_vec())).collect();
    // Every line spilled at once (the notices handed over typed one by one); buffers and runs of
    // notices spilled as they fill; buffers the size of all the jump's notices, so that they are
    // handed over typed (they fill one) but no run of a mailbox is ever long enough to be
    // spilled: they are written as lines at the end of the jump.
    let all = held.notifications.len().saturating_mul(224);
    for at in [1, 4096, all] {
        let mut spilled = original.clone();
        let (streams, spills, typed) = streams_after_spilled_jump(&mut spilled, at);
        if at == 4096 {
            assert!(spills > 50, "the small buffers were spilled many times: {spills}");
        }
        if at == all {
            assert_eq!(typed, 0, "no run of a mailbox is that long");
        } else {
            assert!(typed > 0, "at {at}: no notice was handed over typed");
        }
        assert_eq!(streams.keys().collect::<Vec<_>>(), expected.keys().collect::<Vec<_>>());
        for (stream, bytes) in &expected {
            assert!(streams.get(stream) == Some(bytes), "at {at}, {stream}: the same lines, spilled or held");
        }
        assert_eq!(spilled.audit_seq, held.audit_seq);
        assert_eq!(spilled.audit.last_seq(), held.audit.last_seq(), "the last number is known after a spill");
        assert_eq!(spilled.notifications.last_seq(), held.notifications.last_seq());
        assert_eq!(spilled.notifications.len(), held.notifications.len());
        assert_eq!(spilled.unread, held.unread, "at {at}: the unread marks");
    }
}

#[test]
fn only_a_jump_whose_notices_fill_a_buffer_in_a_store_hands_them_over_typed() {
    let mut t = tenant();
    t.defer_history(1_000_000);
    assert!(t.idx.deferring.is_none(), "no store: nothing to hand over to");
    let spill: super::super::tail::Spill = Box::new(|_: &str, _: super::super::tail::Batch, _: u64, _: u64| Vec::new());
    t.spill_into(Some(spill));
    t.defer_history(3);
    assert!(t.idx.deferring.is_none(), "three notices fill no buffer");
    t.defer_history(1_000_000);
    assert!(t.idx.deferring.is_some());
    t.settle_deferred();
    assert!(t.idx.deferring.is_none());
    t.spill_into(None);
}

/// The memberships of a batch grouped by resource come out as sorting the batch would give
/// them, whatever order they came in: in key order (user first, as the grants leave), shuffled,
/// and with repeats.
#[test]
fn a_batch_of_ended_memberships_is_grouped_by_resource_in_order() {
    use crate::domain::ids::ResourceId;
    use crate::domain::role::Role;
    let roles = [Role::new("Member"), Role::new("Owner")];
    let mut key_order = Vec::new();
    for user in 1..=40u64 {
        for res in [7u64, 3, 9] {
            if (user + res).is_multiple_of(3) {
                continue;
            }
            for role in roles.iter().filter(|_| user.is_multiple_of(2) || res != 9) {
                key_order.push((ResourceId(res), (UserId(user), *role)));
            }
        }
    }
    let mut shuffled = key_order.clone();
    shuffled.reverse();
    shuffled.rotate_left(17);
    shuffled.extend_from_slice(&key_order[..5]);
    for batch in [key_order, shuffled] {
        let mut sorted = batch.clone();
        sorted.sort_unstable();
        let mut grouped = by_resource(&batch);
        grouped.sort_unstable_by_key(|(res, _)| *res);
        let flat: Vec<_> = grouped.into_iter().flat_map(|(res, hs)| hs.into_iter().map(move |h| (res, h))).collect();
        assert_eq!(flat, sorted);
    }
}
