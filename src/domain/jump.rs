//! A move of the clock: every timer due on the way fired in time order, with what is made by
//! the million in a year's jump done in batches (see `Tenant::advance_to`).

use std::collections::HashMap;

use super::Time;
use super::ids::{IdHash, ResourceId, UserId};
use super::prefault::{Beside, Room, beside};
use super::role::Role;
use super::tenant::Tenant;
use super::timers::{Fired, Timer};

impl Tenant {
    /// Fire every timer due up to `to`, in time order, then set the clock to `to` (never backwards).
    pub fn advance_to(&mut self, to: Time) -> Fired {
        let mut fired = Fired::default();
        // The entries due are taken off the queue in order; what firing schedules goes into
        // the queue, and is fired in its turn.
        let (records, rooms) = self.expect_history(to);
        self.defer_history(records);
        self.fire_due(to, &mut fired);
        rooms.join();
        // The jump's notices are marked unread on the other core meanwhile.
        self.marks_beside(Tenant::after_firing);
        if to > self.clock.now {
            self.clock.now = to;
        }
        self.drop_stale_timers();
        self.idx.extendable = Default::default();
        fired
    }

    /// Fires the timers due up to `to`.
    fn fire_due(&mut self, to: Time, fired: &mut Fired) {
        while let Some((t, timer)) = self.idx.timers.pop_due(to) {
            if t > self.clock.now {
                self.clock.now = t;
            }
            // An expiry, an expiry notice or a timeout reads no resource's holders and adds
            // none: the memberships a run of them ends leave the holders together. Anything
            // else (a review, a delivery, a guest's removal) may read or add them: it fires with
            // the holders up to date, and what it ends leaves them at once.
            if matches!(timer, Timer::Expire(_) | Timer::ExpiryNotice(..) | Timer::StageTimeout(..)) {
                self.batch_holders();
            } else {
                self.settle_holders();
            }
            self.fire(t, timer, fired);
        }
    }

    /// What is left once the timers have fired: the holders and the grants settled, the
    /// records handed over typed spilled, and the requests the jump finished out of the open
    /// ones, as `settle_finished` would have them leave once the command is over (a jump is
    /// the last thing a command does, see `apply`). Reads no unread mark.
    fn after_firing(&mut self) {
        self.settle_holders();
        self.idx.holders_spare = Vec::new();
        self.settle_deferred();
        self.move_finished();
    }

    /// Makes room at once for the audit events and notifications that firing the entries due by
    /// `to` makes (an expiry makes one of each, a notice one, a timeout one of each): the
    /// buffers are not grown, and copied, step by step. Gives the number of records.
    /// So is the list of the notices to mark unread, and the batch of memberships the
    /// expiries end (at least one each). The room is made present on the other core while
    /// the timers fire (the thread given back, to be joined once they have).
    fn expect_history(&mut self, to: Time) -> (usize, Beside) {
        let (mut events, mut notices, mut expiries) = (0usize, 0usize, 0usize);
        for (_, timer) in self.idx.timers.iter().take_while(|(t, _)| *t <= to) {
            match timer {
                Timer::Expire(_) | Timer::StageTimeout(..) => {
                    events = events.saturating_add(1);
                    notices = notices.saturating_add(1);
                    expiries = expiries.saturating_add(usize::from(matches!(timer, Timer::Expire(_))));
                }
                Timer::ExpiryNotice(..) => notices = notices.saturating_add(1),
                _ => {}
            }
        }
        // With room for half as many again: the reviews the jump opens and closes send notices
        // too, which are not counted here (a year's went past the room, and the list was copied
        // whole at its end); room never written is never given pages.
        self.idx.unread_new.reserve(notices.saturating_add(notices / 2));
        self.idx.holders_spare.reserve(expiries);
        let gone = expiries.saturating_mul(2).min(super::grants_gone::GRANTS_GONE_AT_MOST);
        self.idx.grants_gone.reserve(gone);
        // The room the counted ones fill (the half more may stay unwritten), made present
        // beside the firing: on the firing's core it was a sixth of a year's firing at 1M
        // assignments, and more where the machine gives fresh pages slowly.
        let rooms = [
            Room::of(&mut self.idx.unread_new, notices),
            Room::of(&mut self.idx.holders_spare, expiries),
            Room::of(&mut self.idx.grants_gone, gone),
        ];
        // Replayed lines the files hold are not made; spilled ones leave a buffer as it fills.
        if self.idx.on_disk.is_none() && !self.idx.spill.is_set() {
            self.audit.reserve(events);
            self.notifications.reserve(notices);
        }
        (events.saturating_add(notices), beside(rooms.into_iter().flatten().collect()))
    }

    /// Drop the stale entries at the head of the queue (a request decided, an end moved), so that
    /// `next_timer` finds the next live one at once. Each entry is dropped once, and firing it
    /// would have done nothing: the queue is left as loading the tenant would build it.
    pub(super) fn drop_stale_timers(&mut self) {
        while let Some((t, x)) = self.idx.timers.first() {
            if self.timer_live(t, x) {
                break;
            }
            self.idx.timers.pop_first();
        }
    }

    /// From here until `settle_holders`, ended memberships leave the resources' holders in
    /// batches: nothing may read or add to `holders_by_resource` until `settle_holders` runs.
    pub(crate) fn batch_holders(&mut self) {
        if self.idx.holders_gone.is_none() {
            self.idx.holders_gone = Some(std::mem::take(&mut self.idx.holders_spare));
        }
    }

    /// The memberships ended since `batch_holders` leave the resources' holders, in one pass over
    /// each resource's holders however many left it; from here they leave them at once again.
    pub(crate) fn settle_holders(&mut self) {
        super::grants_gone::settle_grants_in(&mut self.grants, &mut self.idx);
        let Some(mut gone) = self.idx.holders_gone.take() else { return };
        for (res, of_res) in by_resource(&gone) {
            if let Some(h) = self.idx.holders_by_resource.get_mut(&res) {
                h.remove_sorted(&of_res);
            }
        }
        gone.clear();
        // Kept for the next run of the same jump (dropped once the jump is over).
        self.idx.holders_spare = gone;
    }
}

/// The memberships of `gone` grouped by resource, each group in increasing order: a counting
/// sort by resource (a year's jump ends 800,000 memberships of a few thousand resources),
/// which keeps the order they came in within a resource; the grants leave in key order, user
/// first, so a group is mostly in order already and is sorted only when not.
fn by_resource(gone: &[(ResourceId, (UserId, Role))]) -> Vec<(ResourceId, Vec<(UserId, Role)>)> {
    // Each resource's place, in the order first met, and its count: then each group is made
    // at its size and filled.
    let mut slot: HashMap<ResourceId, usize, IdHash> = HashMap::default();
    let mut counts: Vec<(ResourceId, usize)> = Vec::new();
    for (res, _) in gone {
        let next = counts.len();
        let i = *slot.entry(*res).or_insert(next);
        match counts.get_mut(i) {
            Some((_, n)) => *n = n.saturating_add(1),
            None => counts.push((*res, 1)),
        }
    }
    let mut groups: Vec<(ResourceId, Vec<(UserId, Role)>)> =
        counts.into_iter().map(|(res, n)| (res, Vec::with_capacity(n))).collect();
    for (res, h) in gone {
        if let Some((_, group)) = slot.get(res).and_then(|i| groups.get_mut(*i)) {
            group.push(*h);
        }
    }
    for (_, group) in &mut groups {
        if !group.is_sorted() {
            group.sort_unstable();
        }
    }
    groups
}

#[cfg(test)]
#[path = "jump_tests.rs"]
mod tests;
