//! What the Overview tab shows, read through the indexes at the tenant's now: for an approver
//! their waiting decisions by age and their review tasks; for an administrator the expiries of the
//! next twelve weeks, the requests of the last thirty days by outcome, the open reviews' progress
//! and the packages with most requests waiting; for everyone their own access with the time it has
//! left and their requests still open. Every figure follows the in-app clock.

use std::collections::HashMap;

use chrono::Duration;

use super::Time;
use super::error::{DomainResult, forbidden};
use super::flow::{Request, RequestState, ReviewState};
use super::ids::{AssignmentId, PackageId, RequestId, ReviewId, UserId};
use super::reads::Reader;
use super::rights::Actor;
use super::tenant::Tenant;
use super::timers::Timer;

/// The age buckets of waiting decisions, with their labels.
pub const AGE_BUCKETS: [(&str, i64); 5] = [("<1d", 1), ("1-3d", 3), ("3-7d", 7), ("1-2w", 14), (">2w", i64::MAX)];

/// Weeks of expiries shown, and days of requests.
pub const WEEKS_AHEAD: usize = 12;
pub const DAYS_BACK: usize = 30;

/// A decision waiting for the approver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub request: RequestId,
    pub package: String,
    pub target: String,
    /// Since when this stage waits.
    pub since: Time,
    /// When the stage times out, if its revision says.
    pub deadline: Option<Time>,
}

/// An access review with the reader's share of it, or its whole progress for an administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewProgress {
    pub review: ReviewId,
    pub name: String,
    pub end: Time,
    pub decided: usize,
    pub total: usize,
}

/// One of the person's own assignments, with how much of its time has passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessLeft {
    pub assignment: AssignmentId,
    pub package: String,
    pub start: Time,
    pub end: Option<Time>,
}

impl AccessLeft {
    /// The share of its lifetime still ahead at `now`, 0.0 to 1.0 (1.0 for one that never ends).
    pub fn left(&self, now: Time) -> f64 {
        let Some(end) = self.end else { return 1.0 };
        let whole = (end - self.start).num_seconds();
        let ahead = (end - now).num_seconds();
        if whole <= 0 { 0.0 } else { (ahead as f64 / whole as f64).clamp(0.0, 1.0) }
    }
}

/// A request of the person's that is still open, and where it waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenRequest {
    pub request: RequestId,
    pub package: String,
    pub state: RequestState,
    /// The approvers of its current stage, by name (empty unless it waits for approval).
    pub waits_for: Vec<String>,
}

/// Requests finished on one day, by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayOutcomes {
    pub delivered: u64,
    /// Denied, expired without a decision, or failed.
    pub refused: u64,
    pub canceled: u64,
}

impl DayOutcomes {
    /// The requests of one outcome.
    pub fn count(&self, outcome: Finish) -> u64 {
        match outcome {
            Finish::Delivered => self.delivered,
            Finish::Refused => self.refused,
            Finish::Canceled => self.canceled,
        }
    }

    fn count_mut(&mut self, outcome: Finish) -> &mut u64 {
        match outcome {
            Finish::Delivered => &mut self.delivered,
            Finish::Refused => &mut self.refused,
            Finish::Canceled => &mut self.canceled,
        }
    }
}

/// How a finished request ended, as the Overview counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Finish {
    Delivered,
    /// Denied, expired without a decision, or failed.
    Refused,
    Canceled,
}

impl Finish {
    pub const ALL: [Finish; 3] = [Finish::Delivered, Finish::Refused, Finish::Canceled];

    /// The outcome of a request in this state; none while it is open.
    pub fn of(state: RequestState) -> Option<Finish> {
        match state {
            RequestState::Delivered => Some(Finish::Delivered),
            RequestState::Canceled => Some(Finish::Canceled),
            s if s.is_open() => None,
            _ => Some(Finish::Refused),
        }
    }

    /// In people's words.
    pub fn label(self) -> &'static str {
        match self {
            Finish::Delivered => "delivered",
            Finish::Refused => "denied or expired",
            Finish::Canceled => "canceled",
        }
    }
}

/// A day of [`day_slot`] in words: "in the last day", "1 day ago", "12 days ago".
pub fn day_words(slot: usize) -> String {
    match (DAYS_BACK - 1).saturating_sub(slot) {
        0 => "in the last day".to_string(),
        1 => "1 day ago".to_string(),
        n => format!("{n} days ago"),
    }
}

/// The bucket of [`AGE_BUCKETS`] a decision waiting since `since` falls in at `now`.
pub fn age_bucket(now: Time, since: Time) -> usize {
    let days = (now - since).num_days();
    AGE_BUCKETS.iter().position(|(_, below)| days < *below).unwrap_or(AGE_BUCKETS.len() - 1)
}

/// Since when a request waits at its current stage.
pub fn waiting_since(r: &Request) -> Time {
    r.stage_started.unwrap_or(r.created_at)
}

/// The week ahead (0 = the seven days from `now`) that `at` falls in, within [`WEEKS_AHEAD`].
pub fn week_slot(now: Time, at: Time) -> Option<usize> {
    if at < now {
        return None;
    }
    usize::try_from((at - now).num_weeks()).ok().filter(|w| *w < WEEKS_AHEAD)
}

/// The day of the last [`DAYS_BACK`] (oldest first: the last slot is the day up to `now`)
/// that `at` falls in.
pub fn day_slot(now: Time, at: Time) -> Option<usize> {
    let days_ago = usize::try_from((now - at).num_days()).ok().filter(|d| *d < DAYS_BACK)?;
    (DAYS_BACK - 1).checked_sub(days_ago)
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ApproverOverview {
    /// Waiting decisions per bucket of [`AGE_BUCKETS`].
    pub by_age: [u64; 5],
    /// The oldest waiting decisions, oldest first (at most five).
    pub oldest: Vec<Waiting>,
    pub reviews: Vec<ReviewProgress>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AdminOverview {
    /// Assignments expiring in each of the next [`WEEKS_AHEAD`] weeks.
    pub expiring: Vec<u64>,
    /// Requests finished on each of the last [`DAYS_BACK`] days, oldest first.
    pub requests: Vec<DayOutcomes>,
    pub open_reviews: Vec<ReviewProgress>,
    /// The packages with most requests waiting, most first (at most five).
    pub busiest: Vec<(PackageId, String, u64)>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequesterOverview {
    pub access: Vec<AccessLeft>,
    pub open: Vec<OpenRequest>,
}

impl Tenant {
    /// A person's own access and open requests: a member's, or an outsider's by the email they
    /// signed in with (their requests wait before they are in the directory).
    pub fn requester_overview(&self, actor: &Actor) -> RequesterOverview {
        let pkg = |p: PackageId| self.packages.get(&p).map(|p| p.display_name.clone()).unwrap_or_default();
        let mut access: Vec<AccessLeft> = self
            .assignments_for(actor)
            .into_iter()
            .filter(|a| a.is_active())
            .map(|a| AccessLeft { assignment: a.id, package: pkg(a.package), start: a.start, end: a.end })
            .collect();
        access.sort_by(|a, b| (a.end.is_none(), a.end, &a.package).cmp(&(b.end.is_none(), b.end, &b.package)));
        let open = self
            .open_requests_for(actor)
            .into_iter()
            .filter(|r| r.state.is_open())
            .map(|r| OpenRequest {
                request: r.id,
                package: pkg(r.package),
                state: r.state,
                waits_for: if r.state == RequestState::PendingApproval {
                    r.approvers.iter().map(|u| self.user_name(*u)).collect()
                } else {
                    Vec::new()
                },
            })
            .collect();
        RequesterOverview { access, open }
    }

    /// An approver's waiting decisions by age, the oldest of them, and their review tasks.
    pub fn approver_overview(&self, me: UserId) -> ApproverOverview {
        let now = self.now();
        let mut out = ApproverOverview::default();
        let mut waiting: Vec<Waiting> = self.inbox(me).map(|r| self.waiting(r)).collect();
        for w in &waiting {
            if let Some(n) = out.by_age.get_mut(age_bucket(now, w.since)) {
                *n += 1;
            }
        }
        waiting.sort_by_key(|w| (w.since, w.request));
        waiting.truncate(5);
        out.oldest = waiting;
        let mut reviews: Vec<ReviewProgress> = Vec::new();
        for (review, item) in self.review_tasks(me) {
            match reviews.iter_mut().find(|p| p.review == review.id) {
                Some(p) => {
                    p.total += 1;
                    p.decided += usize::from(item.decision.is_some());
                }
                None => reviews.push(ReviewProgress {
                    review: review.id,
                    name: review.display_name.clone(),
                    end: review.end,
                    decided: usize::from(item.decision.is_some()),
                    total: 1,
                }),
            }
        }
        reviews.sort_by_key(|r| (r.end, r.review));
        out.reviews = reviews;
        out
    }

    /// The day slot and outcome a finished request counts under in the Overview's requests of
    /// the last days (the same index and rule as [`Tenant::admin_overview`]).
    pub fn finished_on(&self, request: RequestId) -> Option<(usize, Finish)> {
        let f = self.finished.get(&request)?;
        Some((day_slot(self.now(), f.completed_at)?, Finish::of(f.state)?))
    }

    fn waiting(&self, r: &Request) -> Waiting {
        let timeout = self.request_terms(r).and_then(|t| t.stages.get(r.stage)).map(|s| s.timeout_days);
        Waiting {
            request: r.id,
            package: self.packages.get(&r.package).map(|p| p.display_name.clone()).unwrap_or_default(),
            target: self.target_label(&r.target),
            since: waiting_since(r),
            deadline: timeout.and_then(|d| r.stage_deadline(d)),
        }
    }

    /// The administrator's figures, tenant-wide: for whoever may read everything (a global
    /// administrator), refused to anyone else. The requests of the last days are read from the
    /// index of finished requests (their records are in the history files).
    pub fn admin_overview(&self, actor: &Actor) -> DomainResult<AdminOverview> {
        if !matches!(self.reader(actor)?, Reader::Admin) {
            return Err(forbidden("The tenant-wide overview is for global administrators"));
        }
        let now = self.now();
        let week = Duration::weeks(1);
        let mut expiring = vec![0u64; WEEKS_AHEAD];
        let horizon = now.checked_add_signed(week * WEEKS_AHEAD as i32).unwrap_or(Time::MAX_UTC);
        for (at, timer) in self.idx.timers.iter() {
            if *at >= horizon {
                break;
            }
            // A queued expiry whose assignment ended or moved its end is stale: not counted.
            if matches!(timer, Timer::Expire(_))
                && self.timer_live(*at, *timer)
                && let Some(w) = week_slot(now, *at)
                && let Some(n) = expiring.get_mut(w)
            {
                *n += 1;
            }
        }
        let mut requests = vec![DayOutcomes::default(); DAYS_BACK];
        for (state, at) in self.finished.values().map(|f| (f.state, f.completed_at)) {
            let (Some(slot), Some(outcome)) = (day_slot(now, at), Finish::of(state)) else { continue };
            let Some(day) = requests.get_mut(slot) else { continue };
            *day.count_mut(outcome) += 1;
        }
        let open_reviews = self
            .reviews
            .values()
            .filter(|r| r.state == ReviewState::InProgress)
            .map(|r| ReviewProgress {
                review: r.id,
                name: r.display_name.clone(),
                end: r.end,
                decided: r.items.iter().filter(|i| i.decision.is_some()).count(),
                total: r.items.len(),
            })
            .collect();
        // One pass over the open requests (a lookup per package is twenty thousand lookups).
        let mut waiting: HashMap<PackageId, u64> = HashMap::new();
        for r in self.requests.values().filter(|r| r.state.is_open()) {
            let n = waiting.entry(r.package).or_default();
            *n = n.saturating_add(1);
        }
        let mut busiest: Vec<(PackageId, String, u64)> = waiting
            .into_iter()
            .filter_map(|(id, n)| self.packages.get(&id).map(|p| (id, p.display_name.clone(), n)))
            .collect();
        busiest.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.1.cmp(&b.1)).then_with(|| a.0.cmp(&b.0)));
        busiest.truncate(5);
        Ok(AdminOverview { expiring, requests, open_reviews, busiest })
    }
}
