//! The command tree (clap derive): global flags, the tenant's setup (directory, connected
//! organizations, settings, catalogs, packages). Policies are in `args_policy`, the lifecycle
//! (requests, approvals, assignments, reviews, reports) in `args_flow`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use super::args_dir::*;
use super::args_flow::*;
use super::args_policy::PolicyCmd;
use super::parse::{self, When};

/// Entitlement management with access packages, in a terminal.
///
/// With no command, opens the terminal app. Every command runs through the same domain rules as
/// the app; a refusal exits 1 with the rule's message, bad usage exits 2.
#[derive(Debug, Parser)]
#[command(name = "entitle", version, max_term_width = 100)]
pub struct Cli {
    /// Where the data lives (else $ENTITLE_DATA, else the user data directory)
    #[arg(long, global = true, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Act as this user: a name, email or id (u12); an email not in the directory acts as an
    /// external user of the connected organization of its domain. Default: the administrator
    #[arg(long = "as", global = true, value_name = "USER")]
    pub as_user: Option<String>,
    /// The tenant id an external sign-in (`--as EMAIL`) comes from: a connected organization
    /// defined by that tenant id matches it, as well as one matching the email's domain
    #[arg(long, global = true, value_name = "TENANT-ID")]
    pub tenant: Option<String>,
    /// Print JSON (the domain objects or report rows) instead of tables
    #[arg(long, global = true)]
    pub json: bool,
    /// Print a list or report as CSV (RFC 4180: a header row, ISO 8601 times) instead of a
    /// table; a cell starting with = + - or @ gets a leading ' so a spreadsheet shows it as text
    #[arg(long, global = true, conflicts_with = "json")]
    pub csv: bool,
    /// Where the terminal app's ctrl-e writes a list as a CSV file (default: the current
    /// directory)
    #[arg(long, value_name = "DIR")]
    pub export_dir: Option<PathBuf>,
    /// How long to wait, in seconds, while another entitle holds the data's lock before giving
    /// up and naming it (else $ENTITLE_LOCK_TIMEOUT, else 5; 0 to 3600)
    #[arg(long, global = true, value_name = "SECONDS")]
    pub lock_timeout: Option<String>,
    #[command(subcommand)]
    pub command: Option<Cmd>,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Start over with the demo tenant or an empty one (the old data is backed up)
    Init(InitArgs),
    /// Show or move the in-app clock that drives every timer
    #[command(subcommand)]
    Clock(ClockCmd),
    /// Users of the directory (members and guests)
    #[command(subcommand)]
    User(UserCmd),
    /// Groups and Teams
    #[command(subcommand)]
    Group(GroupCmd),
    /// Applications and their app roles
    #[command(subcommand)]
    App(AppCmd),
    /// SharePoint sites and their roles
    #[command(subcommand)]
    Site(SiteCmd),
    /// Memberships made directly, outside access packages
    #[command(subcommand)]
    Membership(MembershipCmd),
    /// Connected organizations (partners whose users may request packages)
    #[command(subcommand)]
    Org(OrgCmd),
    /// Entitlement management settings: external-user lifecycle, catalog creators, limits
    #[command(subcommand)]
    Settings(SettingsCmd),
    /// Catalogs: their resources and role holders
    #[command(subcommand)]
    Catalog(CatalogCmd),
    /// Custom extensions: programs a catalog's policies call at the stages of a request
    #[command(subcommand)]
    Extension(super::args_ext::ExtensionCmd),
    /// Access packages: resource roles, policies, assignments
    #[command(subcommand)]
    Package(PackageCmd),
    /// Assignment policies: who can request, approval, lifecycle, reviews
    #[command(subcommand)]
    Policy(PolicyCmd),
    /// My Access: the packages you can request, with their policies
    Available,
    /// Request an access package, or show or cancel a request
    Request(RequestCmd),
    /// Your requests (or a package's, or all, for managers)
    Requests(RequestsArgs),
    /// Your approval inbox, or the decisions you made
    Approvals {
        #[command(subcommand)]
        cmd: Option<ApprovalsCmd>,
    },
    /// Approve the stage of a request that waits for you
    Approve(DecideArgs),
    /// Deny a request that waits for you
    Deny(DecideArgs),
    /// Assignments you may see (filter by package, user, state)
    Assignments(AssignmentsArgs),
    /// Assign a package directly to a user (assignment managers)
    Assign(AssignArgs),
    /// Remove an assignment (assignment managers)
    Remove(RemoveArgs),
    /// Ask to extend your assignment
    Extend(ExtendArgs),
    /// Remove your own assignment
    Leave(LeaveArgs),
    /// Your open access review tasks (or all reviews with --all)
    Reviews {
        #[command(subcommand)]
        cmd: Option<ReviewsCmd>,
        /// Every review you may see, open or completed
        #[arg(long)]
        all: bool,
    },
    /// Show, decide or end an access review
    #[command(subcommand)]
    Review(ReviewCmd),
    /// Reports: packages and access of a user, holders of a resource, expiring, requests, drift
    #[command(subcommand)]
    Report(ReportCmd),
    /// Configuration pitfalls the seeds warn about
    Lint,
    /// Write the configuration as Microsoft Graph v1.0 JSON (`export config > config.json`)
    #[command(subcommand)]
    Export(super::config::ExportCmd),
    /// What applying a configuration file would create, change or delete, object by object
    Plan(super::config::ConfigFileArgs),
    /// Apply a configuration file: every change, or none
    Apply(super::config::ConfigFileArgs),
    /// Why someone can or cannot request a package, or why they hold a resource
    #[command(subcommand)]
    Explain(super::explain::ExplainCmd),
    /// The audit log
    Audit(AuditArgs),
    /// Your in-app mailbox
    Notifications(NotificationsArgs),
    /// Write a big generated tenant into a new data directory (for measuring scale)
    Gen(super::scale_gen::GenArgs),
}

impl Cmd {
    /// A dry run: it must write nothing, not even the catch-up of a live clock.
    pub fn is_dry_run(&self) -> bool {
        match self {
            Cmd::Clock(ClockCmd::Advance { dry_run, .. } | ClockCmd::Set { dry_run, .. }) => *dry_run,
            Cmd::Policy(PolicyCmd::Create { dry_run, .. } | PolicyCmd::Update { dry_run, .. }) => *dry_run,
            _ => false,
        }
    }
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Install the demo tenant (the default)
    #[arg(long, conflicts_with = "empty")]
    pub demo: bool,
    /// An empty tenant with one global administrator
    #[arg(long)]
    pub empty: bool,
    /// The administrator's email (empty tenant)
    #[arg(long, value_name = "EMAIL", default_value = "admin@contoso.com", requires = "empty")]
    pub admin: String,
}

#[derive(Debug, Subcommand)]
pub enum ClockCmd {
    /// The tenant's time, live or frozen, and the next timer
    Show,
    /// Move the clock ahead (2h, 3d, 1w, 30d) and fire every timer on the way; never past the year 9999
    Advance {
        #[arg(value_parser = parse::duration)]
        by: chrono::Duration,
        /// List, in order, everything the move would fire, and change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Move the clock to a later date (YYYY-MM-DD, YYYY-MM-DDTHH:MM or +DURATION), at the latest 9999-12-31
    Set {
        #[arg(value_parser = parse::when)]
        to: When,
        /// List, in order, everything the move would fire, and change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Stop the clock at its current time
    Freeze,
    /// Let the clock run with the wall clock again, from where it is
    Live,
}

#[derive(Debug, Subcommand)]
pub enum SettingsCmd {
    /// The current settings
    Show,
    /// Change settings (only the flags given)
    Set(SettingsSet),
}

#[derive(Debug, Args)]
pub struct SettingsSet {
    /// How people sign in: lab (anyone may act as anyone) or team (by login; only global
    /// administrators may act as others). Team mode needs an administrator with a login.
    #[arg(long, value_enum)]
    pub mode: Option<ModeArg>,
    /// When a guest loses its last assignment: none, block, or remove:N (block, then remove after N
    /// days, 0 to 3650)
    #[arg(long, value_name = "none|block|remove:N")]
    pub external_lifecycle: Option<String>,
    #[arg(long = "add-catalog-creator")]
    pub add_catalog_creators: Vec<String>,
    #[arg(long = "remove-catalog-creator")]
    pub remove_catalog_creators: Vec<String>,
    /// Access packages per catalog, 1 to 1000 (default 30)
    #[arg(long, value_name = "N")]
    pub max_packages_per_catalog: Option<usize>,
    /// Resource roles per access package, 1 to 1000 (default 30)
    #[arg(long, value_name = "N")]
    pub max_resource_roles_per_package: Option<usize>,
    /// Policies per access package, 1 to 1000 (default 30)
    #[arg(long, value_name = "N")]
    pub max_policies_per_package: Option<usize>,
    /// Connected organizations, 1 to 10000 (default 200)
    #[arg(long, value_name = "N")]
    pub max_connected_organizations: Option<usize>,
    /// Timers one clock move may fire before it is refused, 100 to 100000000 (default 10000)
    #[arg(long, value_name = "N")]
    pub max_timers_per_clock_move: Option<u64>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ModeArg {
    Lab,
    Team,
}

#[derive(Debug, Subcommand)]
pub enum CatalogCmd {
    /// Catalogs
    List,
    /// A catalog with its resources, role holders and packages
    Show { catalog: String },
    /// Create a catalog (you become its owner)
    Create {
        name: String,
        #[arg(long, default_value = "")]
        description: String,
        /// Unpublished: its packages cannot be requested
        #[arg(long)]
        disabled: bool,
        /// Enabled for external users
        #[arg(long)]
        external: bool,
    },
    /// Change a catalog (only the flags given)
    Update {
        catalog: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        enabled: Option<bool>,
        #[arg(long)]
        external: Option<bool>,
    },
    /// Add a resource to the catalog (needed before a package can use it)
    AddResource { catalog: String, resource: String },
    /// Take a resource out of the catalog
    RemoveResource { catalog: String, resource: String },
    /// Give a user a catalog role
    GrantRole { catalog: String, user: String, role: CatalogRoleArg },
    /// Take a catalog role away
    RevokeRole { catalog: String, user: String, role: CatalogRoleArg },
    /// Delete an empty catalog
    Delete { catalog: String },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CatalogRoleArg {
    Owner,
    Reader,
    #[value(alias = "manager", alias = "package-manager")]
    AccessPackageManager,
    #[value(alias = "assignment-manager")]
    AccessPackageAssignmentManager,
}

#[derive(Debug, Subcommand)]
pub enum PackageCmd {
    /// Access packages
    List {
        #[arg(long)]
        catalog: Option<String>,
        /// Include deleted packages
        #[arg(long)]
        deleted: bool,
    },
    /// A package: resource roles, policies, assignments by state, lint findings
    Show { package: String },
    /// Create an access package in a catalog
    Create {
        name: String,
        /// The catalog (default: General)
        #[arg(long)]
        catalog: Option<String>,
        #[arg(long, default_value = "")]
        description: String,
        /// Hidden from My Access; requestable by its id
        #[arg(long)]
        hidden: bool,
        /// Bundles sensitive resources (lint insists on expiry)
        #[arg(long)]
        sensitive: bool,
    },
    /// Change a package (only the flags given)
    Update {
        package: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        hidden: Option<bool>,
        #[arg(long)]
        sensitive: Option<bool>,
    },
    /// Add a resource role; every current assignee gets it
    AddRole {
        package: String,
        resource: String,
        /// Default: the resource's first role (Member for groups)
        role: Option<String>,
    },
    /// Remove a resource role; current assignees keep it unless --revoke-existing
    RemoveRole {
        package: String,
        resource: String,
        role: Option<String>,
        #[arg(long)]
        revoke_existing: bool,
    },
    /// Delete a package: no new requests, existing assignments run to their end
    Delete { package: String },
    /// Separation of duties: the packages and groups whose holders may not have a package
    #[command(subcommand)]
    Incompatible(IncompatibleCmd),
}

#[derive(Debug, Subcommand)]
pub enum IncompatibleCmd {
    /// What a package is incompatible with, both ways (what it lists, and what lists it)
    List { package: String },
    /// Whoever holds OTHER (an access package, or a group with --group) cannot request or be
    /// assigned PACKAGE, and the other way round
    Add {
        package: String,
        other: String,
        /// OTHER is a group: its members cannot have PACKAGE
        #[arg(long)]
        group: bool,
    },
    /// No longer incompatible
    Remove {
        package: String,
        other: String,
        #[arg(long)]
        group: bool,
    },
}
