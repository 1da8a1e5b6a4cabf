//! Explain a membership: why a person holds a role of a resource. Each source (an assignment of
//! a package under a policy, or a direct membership), and what would become of the membership if
//! that source ended: a membership ends when its last source does (rule 5, grants counted by
//! source), so it is kept while another source is left.

use serde::Serialize;

use super::Time;
use super::error::DomainResult;
use super::flow::{GrantSource, Request, RequestType};
use super::ids::*;
use super::reads::Read;
use super::rights::Actor;
use super::role::Role;
use super::tenant::{GrantKey, Sources, Tenant};

/// One source of a membership.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "type")]
pub enum Source {
    /// Made outside access packages (pre-existing or by hand).
    Direct,
    /// Granted by an assignment.
    Assignment {
        assignment: AssignmentId,
        package: PackageId,
        package_name: String,
        policy: PolicyId,
        policy_name: String,
        /// The revision of the policy it was granted under (its terms).
        revision: u32,
        #[serde(with = "super::serde_util::secs")]
        since: Time,
        #[serde(skip_serializing_if = "Option::is_none", with = "super::serde_util::secs_opt")]
        until: Option<Time>,
        request: RequestId,
        /// How it was asked for (`userAdd`, `adminAdd`...).
        #[serde(skip_serializing_if = "Option::is_none")]
        request_type: Option<RequestType>,
        /// Who asked (None: the system, or unknown).
        #[serde(skip_serializing_if = "Option::is_none")]
        requested_by: Option<String>,
        /// Who approved its stages, in order (empty: no approval was needed, or an administrator assigned it).
        approved_by: Vec<String>,
    },
}

/// A source, and what its end would do to the membership.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceExplained {
    pub source: Source,
    /// Whether the membership outlives this source's end (another source is left).
    pub kept_if_ended: bool,
    /// What would happen, in words.
    pub if_ended: String,
}

/// One membership with its sources.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    pub role: String,
    pub sources: Vec<SourceExplained>,
}

/// Why a person holds a resource's roles.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HoldsExplained {
    pub user: UserId,
    pub user_name: String,
    pub resource: ResourceId,
    pub resource_name: String,
    /// Each role held (the one asked about, or all of them), with the sources the reader may see.
    pub memberships: Vec<Membership>,
}

impl Tenant {
    /// Why `user` holds `role` of `resource` (or each role they hold of it), as far as the reader
    /// may see: the same sources `report access` shows. `record` finds a request, open or
    /// finished (the caller reads the history), for who asked and who approved.
    pub fn explain_holds(
        &self,
        reader: &Actor,
        user: UserId,
        resource: ResourceId,
        role: Option<&str>,
        record: &dyn Fn(RequestId) -> Option<Request>,
    ) -> DomainResult<HoldsExplained> {
        self.may_read(reader, Read::UserAccess(user))?;
        self.resource(resource)?;
        let r = self.reader(reader)?;
        let reviewing = self.reviewing(r);
        let wanted = role.map(Role::known);
        let memberships = self
            .grants_of_user(user)
            .filter(|(k, _)| k.resource == resource)
            .filter(|(k, _)| wanted.is_none_or(|w| w == Some(k.role)))
            .filter_map(|(k, all)| {
                let seen = self.visible_sources(r, &reviewing, k, all);
                (!seen.is_empty()).then(|| Membership {
                    role: k.role.to_string(),
                    sources: seen.iter().map(|s| self.source_explained(k, all, *s, record)).collect(),
                })
            })
            .collect();
        Ok(HoldsExplained {
            user,
            user_name: self.user_name(user),
            resource,
            resource_name: self.resource_name(resource),
            memberships,
        })
    }

    fn source_explained(
        &self,
        key: &GrantKey,
        all: &Sources,
        s: GrantSource,
        record: &dyn Fn(RequestId) -> Option<Request>,
    ) -> SourceExplained {
        let others = all.iter().filter(|o| **o != s).count();
        let what = format!("{} {}", self.resource_name(key.resource), key.role);
        let if_ended = if others > 0 {
            let names = self.via(all.iter().filter(|o| **o != s));
            format!("{what} would be kept: still held through {}", super::report::via_text(&names, ", "))
        } else {
            format!("{what} would be lost: this is its last source")
        };
        SourceExplained { source: self.source_of(s, record), kept_if_ended: others > 0, if_ended }
    }

    fn source_of(&self, s: GrantSource, record: &dyn Fn(RequestId) -> Option<Request>) -> Source {
        let GrantSource::Assignment { assignment } = s else { return Source::Direct };
        let Some(a) = self.assignments.get(&assignment) else { return Source::Direct };
        let req = record(a.request);
        let approved_by = req
            .as_ref()
            .map(|q| q.decisions.iter().filter(|d| d.approved).map(|d| self.user_name(d.by)).collect())
            .unwrap_or_default();
        Source::Assignment {
            assignment,
            package: a.package,
            package_name: self.packages.get(&a.package).map(|p| p.display_name.clone()).unwrap_or_default(),
            policy: a.policy,
            policy_name: self.policies.get(&a.policy).map(|p| p.spec.display_name.clone()).unwrap_or_default(),
            revision: a.revision,
            since: a.start,
            until: a.end,
            request: a.request,
            request_type: req.as_ref().map(|q| q.request_type),
            requested_by: req.as_ref().and_then(|q| q.requestor).map(|u| self.user_name(u)),
            approved_by,
        }
    }
}
