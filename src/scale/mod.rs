//! The scale tenant: a deterministic generator of a big tenant with history, built through
//! [`Tenant::apply`] (the same commands the CLI and the app run, so every rule is checked and the
//! audit log and mailboxes are real), and saved with [`Store::create`] into a normal data
//! directory. It is the measuring instrument of the store's scale work (`benches/scale.rs`).
//!
//! # The tenant
//!
//! At full size ([`ScaleParams::full`]): 100,000 users, 20,000 packages (25 per catalog, each
//! with one resource role, a "Direct" policy for administrators' assignments and a two-stage
//! "Request" policy open to all members), 1,000,000 active assignments (850,000 direct, 150,000
//! through approved requests), 200,000 requests by users (the rest approved at both stages or
//! denied at the first, 50,000 pending at stage one or two), and about 20,000 open access-review
//! decisions on the "Direct" policies of the first packages. History spreads over 120 days: the
//! clock ticks a day at a time between commands. Smaller sizes scale every number down with the
//! assignments ([`ScaleParams::for_assignments`]).

mod build;
mod rng;

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use anyhow::Result;

use crate::domain::Tenant;
use crate::store::Store;

pub use build::build;

/// The sizes of a scale tenant and the seed that picks who gets what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScaleParams {
    pub users: usize,
    pub packages: usize,
    /// Active assignments at the end, direct and through requests.
    pub assignments: usize,
    /// Requests made by users (administrators' direct assignments are not counted here).
    pub requests: usize,
    /// Of `requests`, those still waiting for an approver at the end.
    pub pending: usize,
    /// Open access-review decisions wanted at the end (the generator gets close to it).
    pub reviews: usize,
    pub seed: u64,
}

/// Assignments at full size.
pub const FULL: usize = 1_000_000;
/// Assignments at smoke size: seconds to build and measure, for CI.
pub const SMOKE: usize = 2_000;
/// The seed unless told otherwise.
pub const DEFAULT_SEED: u64 = 7;

impl ScaleParams {
    /// 100,000 users, 20,000 packages, 1,000,000 assignments, 200,000 requests (50,000 pending),
    /// 20,000 open review decisions.
    pub fn full() -> Self {
        Self::for_assignments(FULL)
    }

    pub fn smoke() -> Self {
        Self::for_assignments(SMOKE)
    }

    /// Every size in the full tenant's proportions to `assignments` (with small floors so that a
    /// tiny tenant still has staff, packages and a review).
    pub fn for_assignments(assignments: usize) -> Self {
        ScaleParams {
            users: (assignments / 10).max(40),
            packages: (assignments / 50).max(20),
            assignments,
            requests: assignments / 5,
            pending: assignments / 20,
            reviews: assignments / 50,
            seed: DEFAULT_SEED,
        }
    }

    pub fn with_seed(self, seed: u64) -> Self {
        ScaleParams { seed, ..self }
    }
}

/// `full`, `smoke` or a number of assignments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale(pub usize);

impl FromStr for Scale {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "full" => Ok(Scale(FULL)),
            "smoke" => Ok(Scale(SMOKE)),
            other => other.replace('_', "").parse::<usize>().ok().filter(|n| *n >= 100).map(Scale).ok_or_else(|| {
                format!("'{s}' is not a scale: say full, smoke or a number of assignments (100 or more)")
            }),
        }
    }
}

/// What was built, counted from the tenant itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenReport {
    pub users: usize,
    pub packages: usize,
    pub active_assignments: usize,
    /// Requests made by users, and of them those still pending.
    pub user_requests: usize,
    pub pending_requests: usize,
    /// Every request record, administrators' direct assignments included.
    pub request_records: usize,
    pub open_review_decisions: usize,
    pub audit_events: usize,
    pub notifications: usize,
    pub grants: usize,
    /// Commands applied to build it.
    pub commands: u64,
}

impl fmt::Display for GenReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} users, {} packages, {} active assignments, {} requests by users ({} pending), \
             {} request records, {} open review decisions, {} audit events, {} notifications, \
             {} memberships, from {} commands",
            self.users,
            self.packages,
            self.active_assignments,
            self.user_requests,
            self.pending_requests,
            self.request_records,
            self.open_review_decisions,
            self.audit_events,
            self.notifications,
            self.grants,
            self.commands
        )
    }
}

/// Build the scale tenant and save it as a new data directory (refused if `dir` holds data).
pub fn generate(dir: &Path, params: ScaleParams) -> Result<GenReport> {
    let (tenant, report) = build(params)?;
    Store::<Tenant>::create(dir, tenant)?;
    Ok(report)
}
