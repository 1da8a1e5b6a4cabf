//! The directory's commands: users, groups, applications, sites, memberships, organizations.

use clap::{Args, Subcommand, ValueEnum};

#[derive(Debug, Subcommand)]
pub enum UserCmd {
    /// List users
    List {
        /// Only guests
        #[arg(long, conflicts_with = "members")]
        guests: bool,
        /// Only members
        #[arg(long)]
        members: bool,
    },
    /// A user with their roles, assignments and access
    Show { user: String },
    /// Add a user to the directory
    Create(UserCreate),
    /// Change a user (only the flags given; the attributes that automatic policies' rules read
    /// change together, and each automatic policy is applied to the user at once)
    #[command(after_help = "Example:
  entitle user update emilyb@contoso.com --department Marketing --job-title \"Marketing Specialist\"")]
    Update(UserUpdate),
}

#[derive(Debug, Args)]
pub struct UserCreate {
    /// Display name
    pub name: String,
    /// Email, also the sign-in name
    pub email: String,
    #[command(flatten)]
    pub fields: UserFields,
    /// A guest (external) user
    #[arg(long)]
    pub guest: bool,
    /// Make a global administrator
    #[arg(long)]
    pub admin: bool,
}

#[derive(Debug, Args)]
pub struct UserFields {
    /// Their manager (name, email or id; `none` to clear)
    #[arg(long)]
    pub manager: Option<String>,
    #[arg(long)]
    pub department: Option<String>,
    #[arg(long)]
    pub job_title: Option<String>,
    /// Company name (an attribute automatic policies' rules read)
    #[arg(long)]
    pub company: Option<String>,
    #[arg(long)]
    pub country: Option<String>,
    /// Employee type, e.g. Employee or Contractor
    #[arg(long)]
    pub employee_type: Option<String>,
    /// The connected organization a guest comes from (`none` to clear)
    #[arg(long)]
    pub org: Option<String>,
}

#[derive(Debug, Args)]
pub struct UserUpdate {
    pub user: String,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub email: Option<String>,
    #[command(flatten)]
    pub fields: UserFields,
    /// Member or guest
    #[arg(long, value_enum)]
    pub kind: Option<UserKind>,
    /// Global administrator or not
    #[arg(long)]
    pub admin: Option<bool>,
    /// Block sign-in
    #[arg(long, overrides_with = "unblock")]
    pub block: bool,
    /// Allow sign-in again
    #[arg(long)]
    pub unblock: bool,
    /// The login name (on this computer) that signs in as this user in team mode
    #[arg(long, value_name = "NAME", conflicts_with = "no_login")]
    pub login: Option<String>,
    /// Remove the user's login
    #[arg(long)]
    pub no_login: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum UserKind {
    Member,
    Guest,
}

#[derive(Debug, Args)]
pub struct ResourceCommon {
    pub name: String,
    #[arg(long, default_value = "")]
    pub description: String,
    /// Owners (comma list or repeated); an owner who also owns a catalog may add it to the catalog
    #[arg(long = "owner")]
    pub owners: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum GroupCmd {
    /// Groups and Teams with their catalogs and holders
    List,
    /// Add a group or Team
    Create {
        #[command(flatten)]
        common: ResourceCommon,
        #[arg(long = "type", value_enum, default_value = "security")]
        group_type: GroupKind,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GroupKind {
    Security,
    #[value(alias = "microsoft365")]
    M365,
    Team,
}

#[derive(Debug, Subcommand)]
pub enum AppCmd {
    /// Applications with their app roles
    List,
    /// Add an application
    Create {
        #[command(flatten)]
        common: ResourceCommon,
        /// App roles (comma list or repeated; default: User)
        #[arg(long = "role")]
        roles: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum SiteCmd {
    /// SharePoint sites with their roles
    List,
    /// Add a SharePoint site
    Create {
        #[command(flatten)]
        common: ResourceCommon,
        #[arg(long)]
        url: String,
        /// Site roles (default: Visitor, Member, Owner)
        #[arg(long = "role")]
        roles: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum MembershipCmd {
    /// Give a user a role of a resource directly
    Add(MembershipArgs),
    /// Take away a direct membership (grants through packages stay)
    Remove(MembershipArgs),
}

#[derive(Debug, Args)]
pub struct MembershipArgs {
    pub user: String,
    pub resource: String,
    /// The role, e.g. Member, Owner, User (default: the resource's first role)
    pub role: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum OrgCmd {
    /// Connected organizations
    List,
    /// One connected organization with its sponsors and users
    Show { org: String },
    /// Add a connected organization
    Create {
        name: String,
        /// Its email domains (comma list or repeated)
        #[arg(long = "domain")]
        domains: Vec<String>,
        #[arg(long)]
        tenant_id: Option<String>,
        #[arg(long, default_value = "")]
        description: String,
        /// Proposed rather than configured
        #[arg(long)]
        proposed: bool,
        /// Internal sponsors (comma list or repeated)
        #[arg(long = "sponsor")]
        sponsors: Vec<String>,
        /// External sponsors (comma list or repeated)
        #[arg(long = "external-sponsor")]
        external_sponsors: Vec<String>,
    },
    /// Change a connected organization (only the flags given)
    Update(OrgUpdate),
    /// Delete a connected organization
    Delete { org: String },
}

#[derive(Debug, Args)]
pub struct OrgUpdate {
    pub org: String,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub description: Option<String>,
    #[arg(long = "add-domain")]
    pub add_domains: Vec<String>,
    #[arg(long = "remove-domain")]
    pub remove_domains: Vec<String>,
    #[arg(long)]
    pub tenant_id: Option<String>,
    #[arg(long, value_enum)]
    pub state: Option<OrgStateArg>,
    #[arg(long = "add-sponsor")]
    pub add_sponsors: Vec<String>,
    #[arg(long = "remove-sponsor")]
    pub remove_sponsors: Vec<String>,
    #[arg(long = "add-external-sponsor")]
    pub add_external_sponsors: Vec<String>,
    #[arg(long = "remove-external-sponsor")]
    pub remove_external_sponsors: Vec<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OrgStateArg {
    Configured,
    Proposed,
}
