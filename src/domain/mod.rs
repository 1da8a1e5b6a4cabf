//! The engine: every object, role and rule of entitlement management. No terminal, no files, no
//! system time: callers hand it the time.

pub mod access;
mod assign_cmds;
pub mod bounds;
pub mod clock;
mod clock_cmds;
pub mod command;
mod config;
pub mod decode;
pub mod delivery;
pub mod directory;
mod directory_cmds;
pub mod directory_reads;
pub mod error;
pub mod eval;
pub mod finished;
pub mod flow;
pub mod history;
pub mod identity;
pub mod ids;
mod input;
pub mod lint;
mod log;
pub mod migrate;
pub mod overview;
pub mod phrases;
mod policy_cmds;
mod policy_ranges;
pub mod problems;
pub mod read_views;
pub mod reads;
pub mod records;
pub mod report;
mod requests;
mod reviews;
pub mod revisions;
pub mod rights;
mod serde_util;
pub mod tail;
pub mod tenant;
pub mod text;
pub mod timers;
pub mod views;
pub mod when;
mod wire;

/// Instants in the tenant's time, always UTC.
pub type Time = chrono::DateTime<chrono::Utc>;

pub use access::*;
pub use clock::Clock;
pub use clock_cmds::MAX_TIMERS_PER_JUMP;
pub use command::{CatalogSpec, Command, Entry, OrgSpec, Outcome, PackageSpec, ResourceSpec, UserSpec};
pub use directory::*;
pub use error::{DomainError, DomainResult};
pub use flow::*;
pub use ids::*;
pub use problems::Problem;
pub use records::*;
pub use revisions::PolicyTerms;
pub use rights::Actor;
pub use tenant::{GrantKey, Tenant};
pub use timers::Fired;
