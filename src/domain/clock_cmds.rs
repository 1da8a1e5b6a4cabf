//! The clock commands: move the clock ahead (by an amount or to a date), freeze it or let it run.
//! A move is checked before anything changes: a date past the calendar, or a jump that would fire
//! more timers than one command should, is refused and leaves the tenant as it was.

use super::Time;
use super::bounds::{self, Field};
use super::clock;
use super::command::{Outcome, done};
use super::error::{DomainError, DomainResult, invalid};
use super::ids::ObjectRef;
use super::rights::Actor;
use super::tenant::Tenant;

/// The most timers one move of the clock may fire by default (the tenant's setting
/// `limits.timersPerClockMove`); a longer jump is made in steps.
pub const MAX_TIMERS_PER_JUMP: u64 = 10_000;

impl Tenant {
    /// How many timers moving the clock to `to` would fire, counted without firing anything: the
    /// live entries of the queue up to `to`, and every later occurrence of each review schedule
    /// while someone holds an assignment under it. An estimate (a review that removes access
    /// ends its schedule's events sooner; what fires may schedule more); counting stops past `cap`.
    pub fn timers_due_by(&self, to: Time, cap: u64) -> u64 {
        let mut n: u64 = 0;
        for (t, x) in self.idx.timers.iter().take_while(|(t, _)| *t <= to) {
            if n > cap {
                return n;
            }
            if self.timer_live(*t, *x) {
                n = n.saturating_add(1);
            }
        }
        n.saturating_add(self.reviews_due_by(to, cap))
    }

    /// The review schedules' part of [`Tenant::timers_due_by`].
    fn reviews_due_by(&self, to: Time, cap: u64) -> u64 {
        let mut n: u64 = 0;
        for p in self.policies.values() {
            let (Some(next), Some(r)) = (p.next_review_at, p.spec.review.as_ref()) else { continue };
            // A review of a policy nobody holds an assignment under opens nothing, and a jump only
            // ends assignments: a schedule counts up to the last end of the assignments under it.
            let Some(until) = self.held_until(p.package, p.id, to) else { continue };
            if next <= until {
                let later = r.frequency.count_between(r.starts_on, next, until).unwrap_or(cap.saturating_add(1));
                n = n.saturating_add(later);
            }
        }
        n
    }

    /// Until when someone holds an active assignment under a policy, at most `to` (`None`: nobody).
    fn held_until(&self, package: super::ids::PackageId, policy: super::ids::PolicyId, to: Time) -> Option<Time> {
        self.assignments_of_package(package)
            .filter(|a| a.policy == policy && a.is_active())
            .map(|a| a.end.map_or(to, |e| e.min(to)))
            .max()
    }

    /// Refuse a jump to `to` that would fire more timers than the tenant's limit.
    fn check_jump(&self, to: Time) -> DomainResult<()> {
        let max = self.settings.limits.timers_per_clock_move;
        // The entries queued by then, live or stale, are at least as many as the live ones:
        // within the limit, none needs a look (a year at a million assignments queues millions).
        // The whole queue, when the limit is above it, is a bound without counting (a year at a
        // million assignments queues millions).
        let all = u64::try_from(self.idx.timers.len()).unwrap_or(u64::MAX);
        let queued = if all <= max {
            all
        } else {
            let most = usize::try_from(max.saturating_add(1)).unwrap_or(usize::MAX);
            u64::try_from(self.idx.timers.iter().take_while(|(t, _)| *t <= to).take(most).count()).unwrap_or(u64::MAX)
        };
        if queued.saturating_add(self.reviews_due_by(to, max)) <= max {
            return Ok(());
        }
        let n = self.timers_due_by(to, max);
        if n <= max {
            return Ok(());
        }
        let days = u64::try_from(to.signed_duration_since(self.clock.now).num_days()).unwrap_or(0);
        let step = (days.saturating_mul(max) / n).max(1);
        // Whole years when the step is that long: easier to read, and still under the limit.
        let (step, size) = match step / 365 {
            0 | 1 => (step, format!("{step} days")),
            years => (years.saturating_mul(365), format!("{years} years")),
        };
        Err(DomainError::Limit(format!(
            "Moving the clock to {} would fire about {} timers (reviews, expiries, notices…), more than the {} one move may fire: move it in smaller steps, e.g. {size} at a time (`clock advance {step}d`), or have a global administrator raise the limit (`settings set --max-timers-per-clock-move N`)",
            to.format("%Y-%m-%d %H:%M"),
            thousands(n),
            thousands(max),
        )))
    }

    /// Move the clock to `to` (checked by the caller), firing every timer on the way.
    fn move_clock(&mut self, to: Time, offset: i64) -> super::timers::Fired {
        match self.clock.frozen.as_mut() {
            Some(f) => *f = to,
            None => self.clock.offset_secs = offset,
        }
        self.advance_to(to)
    }

    /// Whether `actor` may move the in-app clock (the command's own check, and what the screens
    /// ask before offering the clock keys).
    pub fn may_move_clock(&self, actor: &Actor) -> DomainResult<()> {
        self.require_admin(actor, "move the clock")
    }

    pub(crate) fn cmd_advance_clock(&mut self, actor: &Actor, seconds: i64) -> DomainResult<Outcome> {
        self.may_move_clock(actor)?;
        if seconds <= 0 {
            return Err(invalid("The clock only moves forward: give a positive amount"));
        }
        let to = bounds::later_by_seconds(Field::ClockAdvance, self.clock.now, seconds)?;
        let offset = self.clock.offset_secs.checked_add(seconds).ok_or_else(offset_too_large)?;
        // An entry an older version accepted is replayed whatever it fires.
        self.within(self.check_jump(to))?;
        let fired = self.move_clock(to, offset);
        self.audit(
            actor,
            "clock.advanced",
            ObjectRef::Clock {},
            format!("Clock moved to {}", to.format("%Y-%m-%d %H:%M")),
        );
        Ok(Outcome { message: format!("Clock now {}: {fired}", to.format("%Y-%m-%d %H:%M")), created: None, fired })
    }

    pub(crate) fn cmd_set_clock(&mut self, actor: &Actor, to: Time) -> DomainResult<Outcome> {
        self.may_move_clock(actor)?;
        bounds::check_date(Field::ClockTarget, to)?;
        if to < self.clock.now {
            return Err(invalid(format!(
                "The clock never goes backwards: {} is before {}",
                to.format("%Y-%m-%d %H:%M"),
                self.clock.now.format("%Y-%m-%d %H:%M")
            )));
        }
        let delta = to.signed_duration_since(self.clock.now).num_seconds();
        let offset = self.clock.offset_secs.checked_add(delta).ok_or_else(offset_too_large)?;
        // An entry an older version accepted is replayed whatever it fires.
        self.within(self.check_jump(to))?;
        let fired = self.move_clock(to, offset);
        self.audit(actor, "clock.set", ObjectRef::Clock {}, format!("Clock set to {}", to.format("%Y-%m-%d %H:%M")));
        Ok(Outcome { message: format!("Clock now {}: {fired}", to.format("%Y-%m-%d %H:%M")), created: None, fired })
    }

    pub(crate) fn cmd_freeze_clock(&mut self, actor: &Actor, frozen: bool, wall: Time) -> DomainResult<Outcome> {
        self.require_admin(actor, "freeze or unfreeze the clock")?;
        bounds::check_date(Field::ClockTarget, wall)?;
        let now = self.clock.now;
        if frozen {
            self.clock.frozen = Some(now);
        } else {
            self.clock.frozen = None;
            self.clock.offset_secs = now.signed_duration_since(wall).num_seconds();
        }
        self.audit(actor, "clock.mode", ObjectRef::Clock {}, if frozen { "Clock frozen" } else { "Clock runs live" });
        done(if frozen { "Clock frozen" } else { "Clock runs live from here" })
    }
}

fn offset_too_large() -> DomainError {
    invalid(format!(
        "The live clock is already so far ahead of the wall clock that it cannot move further: {}",
        clock::past_last_year("that date")
    ))
}

/// 52000 as "52,000".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && digits.len().saturating_sub(i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
