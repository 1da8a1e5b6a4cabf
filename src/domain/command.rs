//! The one entry point for every change: a journal `Entry` (time, actor, command) is applied to
//! the tenant, which checks rights, rules and limits, applies, and records audit events.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::Time;
use super::access::{CatalogRole, PolicySpec};
use super::directory::{GroupType, OrgState, ResourceKind, UserType};
use super::error::{DomainError, DomainResult, invalid};
use super::flow::ReviewDecision;
use super::ids::*;
use super::records::Settings;
use super::rights::Actor;
use super::serde_util::{secs, secs_opt};
use super::tenant::Tenant;
use super::timers::Fired;

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The tenant time the command ran at. For `Tick` and clock commands, the time to move to.
    #[serde(with = "secs")]
    pub at: Time,
    pub actor: Actor,
    pub command: Command,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserSpec {
    pub display_name: String,
    pub email: String,
    #[serde(default)]
    pub user_type: UserType,
    #[serde(default)]
    pub manager: Option<UserId>,
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub job_title: String,
    #[serde(default)]
    pub home_org: Option<OrgId>,
    #[serde(default)]
    pub global_admin: bool,
}

/// A user's current fields as a spec (what an update starts from).
impl From<&super::directory::User> for UserSpec {
    fn from(u: &super::directory::User) -> Self {
        UserSpec {
            display_name: u.display_name.clone(),
            email: u.email.clone(),
            user_type: u.user_type,
            manager: u.manager,
            department: u.department.clone(),
            job_title: u.job_title.clone(),
            home_org: u.home_org,
            global_admin: u.global_admin,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceSpec {
    pub display_name: String,
    #[serde(default)]
    pub description: String,
    pub kind: ResourceKind,
    /// Empty: the kind's default roles.
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub owners: BTreeSet<UserId>,
}

impl ResourceSpec {
    pub fn group(name: &str, group_type: GroupType) -> Self {
        ResourceSpec {
            display_name: name.into(),
            description: String::new(),
            kind: ResourceKind::Group { group_type },
            roles: vec![],
            owners: BTreeSet::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgSpec {
    pub display_name: String,
    #[serde(default)]
    pub description: String,
    pub domains: Vec<String>,
    #[serde(default)]
    pub tenant_id: Option<String>,
    #[serde(default)]
    pub state: OrgState,
    #[serde(default)]
    pub internal_sponsors: BTreeSet<UserId>,
    #[serde(default)]
    pub external_sponsors: BTreeSet<UserId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogSpec {
    pub display_name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "super::directory::yes")]
    pub enabled: bool,
    #[serde(default)]
    pub external: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageSpec {
    pub display_name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub hidden: bool,
    #[serde(default)]
    pub sensitive: bool,
}

/// Every change the tenant knows. Serde names are what the journal holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "op")]
pub enum Command {
    /// Move time to the entry's `at`, firing every timer due on the way.
    Tick,
    /// Move the in-app clock ahead (frozen: the frozen instant; live: the offset).
    AdvanceClock {
        seconds: i64,
    },
    /// Jump the clock to a later instant.
    SetClock {
        #[serde(with = "secs")]
        to: Time,
    },
    /// Freeze the clock at its current time, or let it run live from there.
    FreezeClock {
        frozen: bool,
        #[serde(with = "secs")]
        wall: Time,
    },

    CreateUser {
        spec: UserSpec,
    },
    UpdateUser {
        user: UserId,
        spec: UserSpec,
        enabled: bool,
    },
    /// Change a user's attributes (those an automatic policy's rule reads).
    SetUserAttributes {
        user: UserId,
        attributes: super::user_attrs::UserAttributes,
    },
    CreateResource {
        spec: ResourceSpec,
    },
    AddDirectGrant {
        user: UserId,
        resource: ResourceId,
        role: String,
    },
    RemoveDirectGrant {
        user: UserId,
        resource: ResourceId,
        role: String,
    },
    CreateOrg {
        spec: OrgSpec,
    },
    UpdateOrg {
        org: OrgId,
        spec: OrgSpec,
    },
    DeleteOrg {
        org: OrgId,
    },
    UpdateSettings {
        settings: Settings,
    },

    CreateCatalog {
        spec: CatalogSpec,
    },
    UpdateCatalog {
        catalog: CatalogId,
        spec: CatalogSpec,
    },
    DeleteCatalog {
        catalog: CatalogId,
    },
    AddCatalogResource {
        catalog: CatalogId,
        resource: ResourceId,
    },
    RemoveCatalogResource {
        catalog: CatalogId,
        resource: ResourceId,
    },
    GrantCatalogRole {
        catalog: CatalogId,
        user: UserId,
        role: CatalogRole,
    },
    RevokeCatalogRole {
        catalog: CatalogId,
        user: UserId,
        role: CatalogRole,
    },

    CreatePackage {
        catalog: CatalogId,
        spec: PackageSpec,
    },
    UpdatePackage {
        package: PackageId,
        spec: PackageSpec,
    },
    DeletePackage {
        package: PackageId,
    },
    /// Separation of duties: whoever holds `with` may not have `package` (and the other way).
    AddIncompatible {
        package: PackageId,
        with: super::separation::Incompatible,
    },
    RemoveIncompatible {
        package: PackageId,
        with: super::separation::Incompatible,
    },
    AddResourceRole {
        package: PackageId,
        resource: ResourceId,
        role: String,
    },
    RemoveResourceRole {
        package: PackageId,
        resource: ResourceId,
        role: String,
        revoke_existing: bool,
    },
    /// Register a custom extension on a catalog.
    AddExtension {
        catalog: CatalogId,
        spec: super::extensions::ExtensionSpec,
    },
    UpdateExtension {
        extension: ExtensionId,
        spec: super::extensions::ExtensionSpec,
    },
    RemoveExtension {
        extension: ExtensionId,
    },
    /// A runner takes a queued call before making it (`wall`: the runner's wall clock).
    ClaimCallout {
        call: CalloutId,
        #[serde(with = "secs")]
        wall: Time,
    },
    /// A call's outcome, for the audit log (and the request that waits for it).
    RecordCallout {
        call: CalloutId,
        result: super::extension_calls::CalloutResult,
    },
    CreatePolicy {
        package: PackageId,
        spec: PolicySpec,
    },
    UpdatePolicy {
        policy: PolicyId,
        spec: PolicySpec,
    },
    DeletePolicy {
        policy: PolicyId,
    },

    SubmitRequest {
        package: PackageId,
        #[serde(default)]
        policy: Option<PolicyId>,
        #[serde(default)]
        justification: String,
        #[serde(default, with = "answers_as_list")]
        answers: BTreeMap<QuestionId, String>,
        #[serde(default, with = "secs_opt")]
        start: Option<Time>,
    },
    /// A manager requests a package for a direct report (a policy must allow it).
    RequestFor {
        target: UserId,
        package: PackageId,
        #[serde(default)]
        policy: Option<PolicyId>,
        #[serde(default)]
        justification: String,
        #[serde(default, with = "answers_as_list")]
        answers: BTreeMap<QuestionId, String>,
        #[serde(default, with = "secs_opt")]
        start: Option<Time>,
    },
    CancelRequest {
        request: RequestId,
    },
    Decide {
        request: RequestId,
        approve: bool,
        #[serde(default)]
        reason: String,
    },
    RequestExtension {
        assignment: AssignmentId,
        #[serde(default)]
        justification: String,
    },
    RemoveOwnAssignment {
        assignment: AssignmentId,
    },
    AdminAssign {
        package: PackageId,
        policy: PolicyId,
        user: UserId,
        #[serde(default, with = "secs_opt")]
        start: Option<Time>,
        #[serde(default, with = "secs_opt")]
        end: Option<Time>,
        #[serde(default)]
        justification: String,
    },
    AdminRemove {
        assignment: AssignmentId,
        #[serde(default)]
        reason: String,
    },
    DecideReview {
        review: ReviewId,
        assignment: AssignmentId,
        decision: ReviewDecision,
        #[serde(default)]
        justification: String,
    },
    EndReview {
        review: ReviewId,
    },
    MarkRead {
        #[serde(default)]
        notification: Option<u64>,
    },

    /// Lab or team sign-in (global administrators).
    SetMode {
        mode: super::identity::Mode,
    },
    /// The login name that signs in as a user in team mode; `None` clears it.
    SetLogin {
        user: UserId,
        #[serde(default)]
        login: Option<String>,
    },
    /// Config as code: the commands `plan_config` made of a file, applied all or none (see
    /// `config_plan`). Each is checked and audited as if run alone.
    ApplyConfig {
        commands: Vec<Command>,
    },
    /// A global administrator (`by`) runs `command` as the entry's actor; audited with both.
    ActingAs {
        by: UserId,
        command: Box<Command>,
    },
}

/// What a command did, for the screen and the CLI.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Outcome {
    pub message: String,
    /// The object it created, typed (`{"request": 12}` as JSON, `req12` as text).
    pub created: Option<super::ids::ObjectRef>,
    /// What the clock fired on the way.
    pub fired: Fired,
}

impl Tenant {
    /// Apply one journal entry. A refused command leaves the tenant unchanged: only `Tick` and the
    /// clock commands move time, and they check their input before doing so.
    pub fn apply(&mut self, entry: &Entry) -> DomainResult<Outcome> {
        self.count_offer_change(&entry.command);
        let out = self.apply_entry(entry);
        self.settle_finished();
        out
    }

    fn apply_entry(&mut self, entry: &Entry) -> DomainResult<Outcome> {
        let Entry { at, actor, command } = entry;
        self.within(super::input::check_actor(actor))?;
        self.within(super::input::check_command(command))?;
        if self.next_id > super::bounds::LAST_ID {
            return Err(DomainError::Limit(format!(
                "The tenant's id counter (nextId in tenant.json) is {}, past the last id entitle hands out ({}), so nothing can be changed: the file was edited by hand. Set nextId to one more than the largest id the file holds.",
                self.next_id,
                super::bounds::LAST_ID
            )));
        }
        if let Command::ActingAs { by, command } = command {
            return self.apply_acting(entry, *by, command);
        }
        // Signed in by email but now in the directory: that user; blocked: nothing (`acting`).
        let actor = self.acting(actor)?;
        let actor = actor.as_ref();
        let mut out = match command {
            Command::Tick => {
                // Time passing is the system's (or an administrator's) doing, never a user's.
                self.require_admin(actor, "move the clock")?;
                // Time stops at the end of the year 9999 (see `bounds`): a live clock that runs
                // past it stays there rather than refusing every later command.
                let at = (*at).min(super::bounds::latest());
                // A frozen clock that is told to move stays frozen at the new instant.
                if let Some(f) = self.clock.frozen.as_mut() {
                    *f = (*f).max(at);
                }
                Ok(Outcome { message: String::new(), created: None, fired: self.advance_to(at) })
            }
            Command::AdvanceClock { seconds } => self.cmd_advance_clock(actor, *seconds),
            Command::SetClock { to } => self.cmd_set_clock(actor, *to),
            Command::FreezeClock { frozen, wall } => self.cmd_freeze_clock(actor, *frozen, *wall),
            other => self.execute(actor, other),
        }?;
        // A command may make something due at once (a guest removed after 0 days, say).
        let now = self.clock.now;
        out.fired.merge(self.advance_to(now));
        Ok(out)
    }

    /// Apply an entry read back from the journal. One that today's ranges refuse was acknowledged
    /// under an earlier version's: it is applied as it was then, so the data still opens (and an
    /// administrator can mend the value). Every other rule still holds.
    pub fn replay(&mut self, entry: &Entry) -> DomainResult<Outcome> {
        match self.apply(entry) {
            Err(DomainError::OutOfRange { .. }) => {
                self.lenient = true;
                let out = self.apply(entry);
                self.lenient = false;
                out
            }
            other => other,
        }
    }

    fn execute(&mut self, actor: &Actor, cmd: &Command) -> DomainResult<Outcome> {
        use Command as C;
        match cmd {
            C::Tick | C::AdvanceClock { .. } | C::SetClock { .. } | C::FreezeClock { .. } => {
                Err(invalid("clock commands are applied by Tenant::apply"))
            }
            C::CreateUser { spec } => self.cmd_create_user(actor, spec),
            C::UpdateUser { user, spec, enabled } => self.cmd_update_user(actor, *user, spec, *enabled),
            C::SetUserAttributes { user, attributes } => self.cmd_set_user_attributes(actor, *user, attributes),
            C::CreateResource { spec } => self.cmd_create_resource(actor, spec),
            C::AddDirectGrant { user, resource, role } => self.cmd_direct_grant(actor, *user, *resource, role, true),
            C::RemoveDirectGrant { user, resource, role } => {
                self.cmd_direct_grant(actor, *user, *resource, role, false)
            }
            C::CreateOrg { spec } => self.cmd_create_org(actor, spec),
            C::UpdateOrg { org, spec } => self.cmd_update_org(actor, *org, spec),
            C::DeleteOrg { org } => self.cmd_delete_org(actor, *org),
            C::UpdateSettings { settings } => self.cmd_update_settings(actor, settings),
            C::CreateCatalog { spec } => self.cmd_create_catalog(actor, spec),
            C::UpdateCatalog { catalog, spec } => self.cmd_update_catalog(actor, *catalog, spec),
            C::DeleteCatalog { catalog } => self.cmd_delete_catalog(actor, *catalog),
            C::AddCatalogResource { catalog, resource } => self.cmd_add_catalog_resource(actor, *catalog, *resource),
            C::RemoveCatalogResource { catalog, resource } => {
                self.cmd_remove_catalog_resource(actor, *catalog, *resource)
            }
            C::GrantCatalogRole { catalog, user, role } => self.cmd_catalog_role(actor, *catalog, *user, *role, true),
            C::RevokeCatalogRole { catalog, user, role } => self.cmd_catalog_role(actor, *catalog, *user, *role, false),
            C::CreatePackage { catalog, spec } => self.cmd_create_package(actor, *catalog, spec),
            C::UpdatePackage { package, spec } => self.cmd_update_package(actor, *package, spec),
            C::DeletePackage { package } => self.cmd_delete_package(actor, *package),
            C::AddIncompatible { package, with } => self.cmd_incompatible(actor, *package, *with, true),
            C::RemoveIncompatible { package, with } => self.cmd_incompatible(actor, *package, *with, false),
            C::AddResourceRole { package, resource, role } => {
                self.cmd_add_resource_role(actor, *package, *resource, role)
            }
            C::RemoveResourceRole { package, resource, role, revoke_existing } => {
                self.cmd_remove_resource_role(actor, *package, *resource, role, *revoke_existing)
            }
            C::AddExtension { catalog, spec } => self.cmd_add_extension(actor, *catalog, spec),
            C::UpdateExtension { extension, spec } => self.cmd_update_extension(actor, *extension, spec),
            C::RemoveExtension { extension } => self.cmd_remove_extension(actor, *extension),
            C::ClaimCallout { call, wall } => self.cmd_claim_callout(actor, *call, *wall),
            C::RecordCallout { call, result } => self.cmd_record_callout(actor, *call, result),
            C::CreatePolicy { package, spec } => self.cmd_create_policy(actor, *package, spec),
            C::UpdatePolicy { policy, spec } => self.cmd_update_policy(actor, *policy, spec),
            C::DeletePolicy { policy } => self.cmd_delete_policy(actor, *policy),
            C::SubmitRequest { package, policy, justification, answers, start } => {
                let ask = super::requests::Submit {
                    package: *package,
                    policy: *policy,
                    justification,
                    answers,
                    start: *start,
                };
                self.cmd_submit(actor, None, &ask)
            }
            C::RequestFor { target, package, policy, justification, answers, start } => {
                let ask = super::requests::Submit {
                    package: *package,
                    policy: *policy,
                    justification,
                    answers,
                    start: *start,
                };
                self.cmd_submit(actor, Some(*target), &ask)
            }
            C::CancelRequest { request } => self.cmd_cancel(actor, *request),
            C::Decide { request, approve, reason } => self.cmd_decide(actor, *request, *approve, reason),
            C::RequestExtension { assignment, justification } => self.cmd_extend(actor, *assignment, justification),
            C::RemoveOwnAssignment { assignment } => self.cmd_remove_own(actor, *assignment),
            C::AdminAssign { package, policy, user, start, end, justification } => {
                self.cmd_admin_assign(actor, *package, *policy, *user, *start, *end, justification)
            }
            C::AdminRemove { assignment, reason } => self.cmd_admin_remove(actor, *assignment, reason),
            C::DecideReview { review, assignment, decision, justification } => {
                self.cmd_decide_review(actor, *review, *assignment, *decision, justification)
            }
            C::EndReview { review } => self.cmd_end_review(actor, *review),
            C::MarkRead { notification } => self.cmd_mark_read(actor, *notification),
            C::SetMode { mode } => self.cmd_set_mode(actor, *mode),
            C::SetLogin { user, login } => self.cmd_set_login(actor, *user, login.as_deref()),
            C::ApplyConfig { commands } => self.cmd_apply_config(actor, commands),
            C::ActingAs { .. } => Err(invalid("acting as someone else is applied by Tenant::apply")),
        }
    }
}

pub(crate) fn done(message: impl Into<String>) -> DomainResult<Outcome> {
    Ok(Outcome { message: message.into(), ..Default::default() })
}

pub(crate) fn created(id: impl Into<super::ids::ObjectRef>, message: impl Into<String>) -> DomainResult<Outcome> {
    Ok(Outcome { message: message.into(), created: Some(id.into()), ..Default::default() })
}

/// Answers are written as a list of `{question, answer}`: numeric map keys do not survive the
/// tagged `Command` enum's buffering when read back.
mod answers_as_list {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::QuestionId;

    #[derive(Serialize, Deserialize)]
    struct Answer {
        question: QuestionId,
        answer: String,
    }

    pub fn serialize<S: Serializer>(map: &BTreeMap<QuestionId, String>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(map.iter().map(|(q, a)| Answer { question: *q, answer: a.clone() }))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<QuestionId, String>, D::Error> {
        let list: Vec<Answer> = Vec::deserialize(d)?;
        Ok(list.into_iter().map(|a| (a.question, a.answer)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_with_answers_reads_back_from_its_journal_line() {
        let mut answers = BTreeMap::new();
        answers.insert(QuestionId(7), "West".to_string());
        let cmd = Command::SubmitRequest {
            package: PackageId(3),
            policy: None,
            justification: "x".into(),
            answers,
            start: None,
        };
        let line = serde_json::to_string(&cmd).expect("serializes");
        let back: Command = serde_json::from_str(&line).expect("reads back");
        assert_eq!(back, cmd);
    }
}
