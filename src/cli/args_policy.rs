//! Policy flags. Per-stage flags (`--fallback`, `--timeout`, `--escalate`,
//! `--no-approver-justification`, `--approver-justification`) apply to the `--stage` given before
//! them; `--required` applies to the `--question` or `--choice` before it.

use std::path::PathBuf;

use clap::{ArgAction, Args, Subcommand, ValueEnum};

use super::parse::{self, When};

#[derive(Debug, Subcommand)]
pub enum PolicyCmd {
    /// Policies of a package (or of every package)
    List { package: Option<String> },
    /// Everything a policy says
    Show {
        policy: String,
        /// The package, when the policy's name is not unique
        #[arg(long)]
        package: Option<String>,
    },
    /// Add a policy to a package
    #[command(after_help = "Examples:
  entitle policy create Sales --scope all-members --stage manager --fallback Bob --stage Carol --expire-days 90
  entitle policy create Partners --scope orgs:Fabrikam --stage sponsors --timeout 7 --escalate 5:Alice
  entitle policy create Finance --scope all-members --review quarterly --review-start +7d --reviewer manager \\
      --review-fallback Carol --no-response remove
  entitle policy create \"Sales Essentials\" --name \"Sales by department\" --grace-hours 48 \\
      --rule 'user.department -eq \"Sales\" -and user.userType -eq \"Member\"' --dry-run")]
    Create {
        /// The access package: name or id
        package: String,
        #[command(flatten)]
        flags: Box<PolicyFlags>,
        /// Show who an automatic policy would assign, without saving it
        #[arg(long)]
        dry_run: bool,
    },
    /// Change a policy (only the flags given; existing assignments keep their terms)
    #[command(after_help = "Without any --stage, per-stage flags change every existing stage:
  entitle policy update pol12 --timeout 7
With --stage, the stages given replace the existing ones.")]
    Update {
        /// The policy: name or id
        policy: String,
        /// The package, when the policy's name is not unique
        #[arg(long)]
        package: Option<String>,
        #[command(flatten)]
        flags: Box<PolicyFlags>,
        /// Show who the change of an automatic policy would assign, remove and let keep it,
        /// without saving it
        #[arg(long)]
        dry_run: bool,
    },
    /// Delete a policy without active assignments
    Delete {
        policy: String,
        #[arg(long)]
        package: Option<String>,
    },
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Policy")]
pub struct PolicyFlags {
    /// A full PolicySpec as JSON (the base; other flags apply on top)
    #[arg(long, value_name = "FILE")]
    pub spec: Option<PathBuf>,
    /// The policy's name (default: "Initial policy", then "Policy N")
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub description: Option<String>,
    /// Who can request: all-members, all-users, specific:NAMES (users, group:NAME), orgs:NAMES,
    /// all-orgs, all-external, none (administrator direct assignments only)
    #[arg(long, value_name = "SCOPE")]
    pub scope: Option<String>,
    /// Turn new requests off
    #[arg(long, overrides_with = "enable")]
    pub disable: bool,
    /// Turn new requests on
    #[arg(long, overrides_with = "disable")]
    pub enable: bool,

    #[command(flatten)]
    pub approval: ApprovalFlags,
    #[command(flatten)]
    pub requestor: RequestorFlags,
    #[command(flatten)]
    pub expiry: ExpiryFlags,
    #[command(flatten)]
    pub lifecycle: LifecycleFlags,
    #[command(flatten)]
    pub review: ReviewFlags,
    #[command(flatten)]
    pub automatic: AutomaticFlags,
    #[command(flatten)]
    pub custom: super::args_ext::CustomExtensionFlags,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Automatic assignment")]
pub struct AutomaticFlags {
    /// Make the policy automatic: everyone this rule matches is assigned without requesting,
    /// e.g. 'user.department -eq "Sales" -and user.userType -eq "Member"' (properties
    /// user.department, jobTitle, companyName, country, employeeType, manager (an id: u12),
    /// userType; -eq, -ne, -startsWith, -in ["a","b"], -and, -or, parentheses). Sets who can
    /// request to none, no approval and no expiry
    #[arg(long, value_name = "RULE", conflicts_with = "not_automatic")]
    pub rule: Option<String>,
    /// Hours someone who stops matching keeps the assignment (0 to 8760; default 0)
    #[arg(long, value_name = "HOURS")]
    pub grace_hours: Option<u32>,
    /// Make the policy one that people request again
    #[arg(long)]
    pub not_automatic: bool,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Approval (per-stage flags follow their --stage)")]
pub struct ApprovalFlags {
    /// An approval stage (0 to 3 stages; repeat the flag): comma list of manager, sponsors,
    /// external-sponsors, group:NAME, or user names/emails. Replaces the existing stages
    #[arg(long, value_name = "APPROVERS")]
    pub stage: Vec<String>,
    /// Fallback approvers of the stage before (required when the manager approves)
    #[arg(long, value_name = "APPROVERS")]
    pub fallback: Vec<String>,
    /// Decision timeout of the stage before, 1 to 30 days (default 14)
    #[arg(long, value_name = "DAYS")]
    pub timeout: Vec<u32>,
    /// Forward the stage before to alternates after DAYS (1 to the timeout minus 1)
    #[arg(long, value_name = "DAYS:APPROVERS")]
    pub escalate: Vec<String>,
    /// Approvals the stage before needs: any (one decides, the default), all, or a number
    /// (1 to 25); a denial by any approver always denies
    #[arg(long, value_name = "any|all|N", value_parser = clap::value_parser!(crate::domain::Quorum))]
    pub quorum: Vec<crate::domain::Quorum>,
    /// Approvers of the stage before need not give a reason
    #[arg(long, action = ArgAction::Append, num_args = 0, default_missing_value = "true")]
    pub no_approver_justification: Vec<bool>,
    /// Approvers of the stage before must give a reason (the default)
    #[arg(long, action = ArgAction::Append, num_args = 0, default_missing_value = "true")]
    pub approver_justification: Vec<bool>,
    /// No approval: requests go straight to delivery
    #[arg(long, conflicts_with = "stage")]
    pub no_approval: bool,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Requestor information")]
pub struct RequestorFlags {
    /// Requestors need not give a business justification
    #[arg(long, overrides_with = "justification")]
    pub no_justification: bool,
    /// Requestors must give a business justification (the default)
    #[arg(long, overrides_with = "no_justification")]
    pub justification: bool,
    /// Managers may request for their direct reports (onBehalfRequestors); the report must be
    /// in the policy's scope
    #[arg(long, overrides_with = "no_on_behalf")]
    pub on_behalf: bool,
    /// Only the person themselves may request (the default)
    #[arg(long, overrides_with = "on_behalf")]
    pub no_on_behalf: bool,
    /// A text question (repeatable; at most 20 questions)
    #[arg(long, value_name = "TEXT")]
    pub question: Vec<String>,
    /// A multiple-choice question: "TEXT=a|b|c" (repeatable; 2 to 30 answers)
    #[arg(long, value_name = "TEXT=a|b|c")]
    pub choice: Vec<String>,
    /// The question before must be answered
    #[arg(long, action = ArgAction::Append, num_args = 0, default_missing_value = "true")]
    pub required: Vec<bool>,
    /// Drop the existing questions first (update)
    #[arg(long)]
    pub clear_questions: bool,
}

#[derive(Debug, Args)]
#[group(id = "expiry", multiple = false)]
#[command(next_help_heading = "Lifecycle")]
pub struct ExpiryFlags {
    /// Assignments expire after N days (0 to 3650, 0 = never; default 365)
    #[arg(long, value_name = "N")]
    pub expire_days: Option<u32>,
    /// Assignments expire after N hours (1 to 87600)
    #[arg(long, value_name = "N")]
    pub expire_hours: Option<u32>,
    /// Assignments expire on a date (YYYY-MM-DD or +DURATION; up to the year 9999)
    #[arg(long, value_name = "DATE", value_parser = parse::when)]
    pub expire_on: Option<When>,
    /// Assignments never expire
    #[arg(long)]
    pub never_expire: bool,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Lifecycle")]
pub struct LifecycleFlags {
    /// Users may extend their assignment
    #[arg(long, overrides_with = "no_extension")]
    pub allow_extension: bool,
    /// Users may not extend (the default)
    #[arg(long, overrides_with = "allow_extension")]
    pub no_extension: bool,
    /// An extension goes through approval
    #[arg(long, overrides_with = "no_extension_approval")]
    pub extension_approval: bool,
    /// An extension is granted without approval (the default)
    #[arg(long, overrides_with = "extension_approval")]
    pub no_extension_approval: bool,
    /// Users may not remove their own assignment
    #[arg(long, overrides_with = "self_removal")]
    pub no_self_removal: bool,
    /// Users may remove their own assignment (the default)
    #[arg(long, overrides_with = "no_self_removal")]
    pub self_removal: bool,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Access reviews")]
pub struct ReviewFlags {
    /// Review frequency
    #[arg(long, value_enum, value_name = "FREQUENCY", conflicts_with = "no_review")]
    pub review: Option<FrequencyArg>,
    /// Turn access reviews off
    #[arg(long)]
    pub no_review: bool,
    /// When the first review opens (YYYY-MM-DD, +7d; default now; 1970 to the year 9999)
    #[arg(long, value_name = "DATE", value_parser = parse::when)]
    pub review_start: Option<When>,
    /// How long each review stays open, in days: it must end before the next one opens (weekly
    /// 1 to 7, monthly 1 to 28, quarterly 1 to 89, semi-annually 1 to 181, annually 1 to 365;
    /// default 14, or 7 for a new weekly review)
    #[arg(long, value_name = "DAYS")]
    pub review_duration: Option<u32>,
    /// Reviewers: manager, self, or user names (comma list or repeated); replaces the list
    #[arg(long, value_name = "WHO")]
    pub reviewer: Vec<String>,
    /// Fallback reviewers (comma list or repeated); replaces the list
    #[arg(long, value_name = "USER")]
    pub review_fallback: Vec<String>,
    /// What happens to an assignment nobody reviewed
    #[arg(long, value_enum, value_name = "keep|remove")]
    pub no_response: Option<NoResponseArg>,
    /// Open a review of each assignment N days before it expires (1 to 3650, and less than the
    /// assignments' lifetime; 0: on the schedule instead)
    #[arg(long, value_name = "N")]
    pub review_before_expiry: Option<u32>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FrequencyArg {
    Weekly,
    Monthly,
    Quarterly,
    SemiAnnually,
    Annually,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum NoResponseArg {
    Keep,
    Remove,
}
