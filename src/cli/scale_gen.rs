//! `entitle gen`: write the scale tenant (see [`crate::scale`]) into a new data directory.

use std::path::Path;

use anyhow::{Result, bail};
use clap::Args;

use crate::scale::{self, Scale, ScaleParams};

#[derive(Debug, Args)]
pub struct GenArgs {
    /// full (100,000 users, 20,000 packages, 1,000,000 assignments), smoke (2,000 assignments),
    /// or a number of assignments (every other size follows in proportion)
    #[arg(long, default_value = "smoke", value_name = "SIZE")]
    pub scale: Scale,
    /// The seed that decides who gets which package (same seed, same tenant)
    #[arg(long, default_value_t = scale::DEFAULT_SEED)]
    pub seed: u64,
}

pub(crate) fn run(dir: &Path, a: &GenArgs, json: bool) -> Result<()> {
    if dir.join("tenant.json").exists() {
        bail!(
            "{} already holds a tenant: gen writes only into a new or empty directory; choose another --data",
            dir.display()
        );
    }
    let params = ScaleParams::for_assignments(a.scale.0).with_seed(a.seed);
    let report = scale::generate(dir, params)?;
    if json {
        println!(
            "{}",
            serde_json::json!({
                "dir": dir,
                "users": report.users,
                "packages": report.packages,
                "activeAssignments": report.active_assignments,
                "userRequests": report.user_requests,
                "pendingRequests": report.pending_requests,
                "requestRecords": report.request_records,
                "openReviewDecisions": report.open_review_decisions,
                "auditEvents": report.audit_events,
                "notifications": report.notifications,
                "memberships": report.grants,
                "commands": report.commands,
            })
        );
    } else {
        println!("Generated the scale tenant in {}: {report}", dir.display());
    }
    Ok(())
}
