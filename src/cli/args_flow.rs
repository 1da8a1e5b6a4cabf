//! The lifecycle's commands: requests, approvals, assignments, reviews, reports, audit, mailbox.

use clap::{Args, Subcommand, ValueEnum};

use super::parse::{self, When};
use crate::domain::{RequestId, ReviewId};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct RequestCmd {
    #[command(subcommand)]
    pub action: Option<RequestAction>,
    #[command(flatten)]
    pub new: NewRequest,
}

#[derive(Debug, Args)]
pub struct NewRequest {
    /// The access package: name or id (a hidden package by its id)
    #[arg(required = true)]
    pub package: Option<String>,
    /// The policy, when several let you request
    #[arg(long)]
    pub policy: Option<String>,
    /// Why you need it (at most 4000 characters; line breaks and tabs, no other control characters)
    #[arg(long, short)]
    pub justification: Option<String>,
    /// An answer to a policy question: id or text of the question, then the answer (repeatable)
    #[arg(long = "answer", value_name = "Q=A")]
    pub answers: Vec<String>,
    /// Start later (YYYY-MM-DD, +3d; not in the past, at the latest in the year 9999)
    #[arg(long, value_parser = parse::when)]
    pub start: Option<When>,
    /// Request for a direct report (name, email or id): only their manager may, under a policy
    /// that allows requests on behalf
    #[arg(long = "for", value_name = "USER")]
    pub for_user: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum RequestAction {
    /// A request with its history
    Show {
        #[arg(value_parser = parse::id::<RequestId>)]
        id: RequestId,
    },
    /// Cancel a request that is still pending
    Cancel {
        #[arg(value_parser = parse::id::<RequestId>)]
        id: RequestId,
    },
}

#[derive(Debug, Args)]
pub struct RequestsArgs {
    /// The requests of one package (managers)
    #[arg(long)]
    pub package: Option<String>,
    /// Every request you may see
    #[arg(long, conflicts_with = "package")]
    pub all: bool,
    /// Only requests still open
    #[arg(long)]
    pub open: bool,
    /// Show at most N of your requests, newest first (0: all of them; the default is a page of
    /// 50 in text, all of them in JSON)
    #[arg(long, value_name = "N", conflicts_with_all = ["package", "all"])]
    pub limit: Option<usize>,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Show at most N decisions, newest first (the default is a page of 50 in text, all of
    /// them in JSON)
    #[arg(long, value_name = "N", conflicts_with = "all")]
    pub limit: Option<usize>,
    /// Show every decision
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Subcommand)]
pub enum ApprovalsCmd {
    /// Requests waiting for your decision, with the time left before they time out
    List,
    /// The decisions you made, newest first
    History(HistoryArgs),
}

#[derive(Debug, Args)]
pub struct DecideArgs {
    #[arg(value_parser = parse::id::<RequestId>)]
    pub id: RequestId,
    /// Your reason (required unless the policy says otherwise)
    #[arg(long, short, default_value = "")]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct AssignmentsArgs {
    #[arg(long)]
    pub package: Option<String>,
    #[arg(long)]
    pub user: Option<String>,
    #[arg(long, value_enum)]
    pub state: Option<StateArg>,
    /// As they stood at a past instant of the in-app clock (YYYY-MM-DD, YYYY-MM-DD HH:MM)
    #[arg(long, value_name = "DATE", value_parser = parse::when)]
    pub at: Option<When>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StateArg {
    /// Delivering or delivered
    Active,
    Delivering,
    Delivered,
    Expired,
    Removed,
}

#[derive(Debug, Args)]
pub struct AssignArgs {
    pub package: String,
    pub user: String,
    /// The policy whose terms apply (needed when the package has several)
    #[arg(long)]
    pub policy: Option<String>,
    /// Start later (YYYY-MM-DD, +3d; at the latest in the year 9999)
    #[arg(long, value_parser = parse::when)]
    pub start: Option<When>,
    /// An end after the start, within the policy's terms and the year 9999
    #[arg(long, value_parser = parse::when)]
    pub end: Option<When>,
    #[arg(long, short, default_value = "")]
    pub justification: String,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// The assignment id (asg12)
    pub assignment: String,
    #[arg(long, short, default_value = "")]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct ExtendArgs {
    /// Your assignment: its id, or the package's name
    pub assignment: String,
    #[arg(long, short, default_value = "")]
    pub justification: String,
}

#[derive(Debug, Args)]
pub struct LeaveArgs {
    /// Your assignment: its id, or the package's name
    pub assignment: String,
}

#[derive(Debug, Subcommand)]
pub enum ReviewsCmd {
    /// Your open review tasks
    List {
        /// Every review you may see, open or completed
        #[arg(long)]
        all: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReviewCmd {
    /// A review with every decision
    Show {
        #[arg(value_parser = parse::id::<ReviewId>)]
        id: ReviewId,
    },
    /// Decide one assignment of a review
    Decide {
        #[arg(value_parser = parse::id::<ReviewId>)]
        id: ReviewId,
        /// The assignment id, or the reviewed user's name
        assignment: String,
        #[arg(value_enum)]
        decision: DecisionArg,
        #[arg(long, short, default_value = "")]
        justification: String,
    },
    /// End a review now and apply its decisions
    End {
        #[arg(value_parser = parse::id::<ReviewId>)]
        id: ReviewId,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DecisionArg {
    Approve,
    Deny,
    DontKnow,
}

#[derive(Debug, Subcommand)]
pub enum ReportCmd {
    /// The packages a user can request and has
    Packages { user: String },
    /// The resources a user holds and why
    Access {
        user: String,
        /// What they held at a past instant of the in-app clock (YYYY-MM-DD, YYYY-MM-DD HH:MM)
        #[arg(long, value_name = "DATE", value_parser = parse::when)]
        at: Option<When>,
    },
    /// Who holds a resource, via which package or directly
    Holders {
        resource: String,
        /// Who held it at a past instant of the in-app clock (YYYY-MM-DD, YYYY-MM-DD HH:MM)
        #[arg(long, value_name = "DATE", value_parser = parse::when)]
        at: Option<When>,
    },
    /// A package's assignments by state
    Package { package: String },
    /// Active assignments ending within DAYS days (0 to 3650)
    Expiring { days: u32 },
    /// Requests with their state, newest first
    Requests {
        #[arg(long)]
        package: Option<String>,
    },
    /// Memberships granted outside any access package
    Drift,
    /// Separation of duties: people who hold a package and something it is incompatible with
    Incompatible,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Show the last N events
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Events by this actor (part of the name, email or id)
    #[arg(long)]
    pub actor: Option<String>,
    /// Events whose activity contains this, e.g. request.approved or assignment
    #[arg(long)]
    pub activity: Option<String>,
    /// Events about this object: an id (req12) or a name
    #[arg(long)]
    pub object: Option<String>,
}

#[derive(Debug, Args)]
pub struct NotificationsArgs {
    /// Only unread ones
    #[arg(long)]
    pub unread: bool,
    /// Mark one (by SEQ) or all as read
    #[arg(long, value_name = "SEQ", num_args = 0..=1)]
    pub mark_read: Option<Option<u64>>,
}
