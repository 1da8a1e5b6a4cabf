//! What may be requested, and by whom, changes only with the catalogs, packages and policies:
//! a screen that keeps what it worked out of them (the requestable index, see `requestable`)
//! keeps it across the changes that leave them, the requests, decisions and clock moves that
//! are almost every change, and works it out again after any other.

use std::sync::atomic::{AtomicU64, Ordering};

use super::command::Command;
use super::tenant::Tenant;

/// Hands each tenant in memory a number of its own.
static INSTANCES: AtomicU64 = AtomicU64::new(1);

/// Which tenant in memory, and how many changes that may change its offers it has applied:
/// equal keys, equal offers. A tenant read from the files, and a copy, get a number of their own.
#[derive(Debug)]
pub(crate) struct Offers {
    instance: u64,
    changes: u64,
}

impl Default for Offers {
    fn default() -> Self {
        Offers { instance: INSTANCES.fetch_add(1, Ordering::Relaxed), changes: 0 }
    }
}

impl Clone for Offers {
    /// A copy goes its own way: it is another tenant.
    fn clone(&self) -> Self {
        Offers::default()
    }
}

impl Command {
    /// Whether applying the command may change which packages are offered to whom: every
    /// command but those known to leave the catalogs, packages and policies as they are.
    pub fn may_change_offers(&self) -> bool {
        match self {
            Command::ActingAs { command, .. } => command.may_change_offers(),
            Command::Tick
            | Command::AdvanceClock { .. }
            | Command::SetClock { .. }
            | Command::FreezeClock { .. }
            | Command::AddDirectGrant { .. }
            | Command::RemoveDirectGrant { .. }
            | Command::SubmitRequest { .. }
            | Command::RequestFor { .. }
            | Command::CancelRequest { .. }
            | Command::Decide { .. }
            | Command::RequestExtension { .. }
            | Command::RemoveOwnAssignment { .. }
            | Command::AdminAssign { .. }
            | Command::AdminRemove { .. }
            | Command::DecideReview { .. }
            | Command::EndReview { .. }
            | Command::MarkRead { .. }
            | Command::ClaimCallout { .. }
            | Command::RecordCallout { .. } => false,
            _ => true,
        }
    }
}

impl Tenant {
    /// The key of what is offered to whom now (see the module's comment): what a screen keeps
    /// the requestable index by.
    pub fn offers_key(&self) -> (u64, u64) {
        (self.idx.offers.instance, self.idx.offers.changes)
    }

    /// Counts a command about to be applied, if it may change the offers.
    pub(crate) fn count_offer_change(&mut self, command: &Command) {
        if command.may_change_offers() {
            self.idx.offers.changes = self.idx.offers.changes.wrapping_add(1);
        }
    }
}
