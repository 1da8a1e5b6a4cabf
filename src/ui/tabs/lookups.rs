//! Items for the lookup fields of the admin forms: users, groups, connected organizations, and the
//! approvers and reviewers of a policy. Ids are the domain's (`u12`, `res3`, `org4`) or a fixed word
//! (`manager`, `internal_sponsors`, `external_sponsors`, `self`).

use crate::domain::{Approver, Reviewer, Tenant};
use crate::ui::widgets::picker::PickItem;

/// Active users: name, with email and guest / blocked / job title as the detail.
pub fn user_items(t: &Tenant) -> Vec<PickItem> {
    t.users
        .values()
        .filter(|u| u.is_active())
        .map(|u| {
            let mut detail = u.email.clone();
            if u.is_guest() {
                detail.push_str(" · guest");
            }
            if !u.enabled {
                detail.push_str(" · blocked");
            }
            if !u.job_title.is_empty() {
                detail.push_str(&format!(" · {}", u.job_title));
            }
            PickItem::new(u.id.to_string(), u.display_name.clone(), detail)
        })
        .collect()
}

/// Groups and Teams (the only resources that can scope a policy or approve as members).
pub fn group_items(t: &Tenant) -> Vec<PickItem> {
    t.resources
        .values()
        .filter(|r| r.is_group())
        .map(|r| PickItem::new(r.id.to_string(), r.display_name.clone(), r.kind.label()))
        .collect()
}

pub fn org_items(t: &Tenant) -> Vec<PickItem> {
    t.orgs
        .values()
        .map(|o| {
            let state = match o.state {
                crate::domain::OrgState::Configured => "configured",
                crate::domain::OrgState::Proposed => "proposed",
            };
            PickItem::new(o.id.to_string(), o.display_name.clone(), format!("{} · {state}", o.domains.join(", ")))
        })
        .collect()
}

/// The id of an approver in the lookups.
pub fn approver_key(a: &Approver) -> String {
    match a {
        Approver::Manager => "manager".into(),
        Approver::InternalSponsors => "internal_sponsors".into(),
        Approver::ExternalSponsors => "external_sponsors".into(),
        Approver::User { user } => user.to_string(),
        Approver::GroupMembers { group } => group.to_string(),
    }
}

/// Back from a lookup id to an approver.
pub fn parse_approver(key: &str) -> Result<Approver, String> {
    use crate::domain::{ResourceId, UserId};
    Ok(match key {
        "manager" => Approver::Manager,
        "internal_sponsors" => Approver::InternalSponsors,
        "external_sponsors" => Approver::ExternalSponsors,
        k if k.starts_with(ResourceId::PREFIX) => Approver::GroupMembers { group: k.parse()? },
        k if k.starts_with(UserId::PREFIX) => Approver::User { user: k.parse()? },
        k => return Err(format!("'{k}' is not an approver")),
    })
}

/// Approvers: the requestor's manager (optional), sponsors, each user, members of each group.
pub fn approver_items(t: &Tenant, with_manager: bool) -> Vec<PickItem> {
    let mut items = vec![];
    if with_manager {
        items.push(PickItem::new("manager", "Manager", "the requestor's manager"));
    }
    items.push(PickItem::new("internal_sponsors", "Internal sponsors", "of the requestor's connected organization"));
    items.push(PickItem::new("external_sponsors", "External sponsors", "of the requestor's connected organization"));
    items.extend(user_items(t));
    items.extend(
        t.resources
            .values()
            .filter(|r| r.is_group())
            .map(|r| PickItem::new(r.id.to_string(), format!("members of {}", r.display_name), r.kind.label())),
    );
    items
}

pub fn reviewer_key(r: &Reviewer) -> String {
    match r {
        Reviewer::SelfReview => "self".into(),
        Reviewer::Manager => "manager".into(),
        Reviewer::User { user } => user.to_string(),
    }
}

pub fn parse_reviewer(key: &str) -> Result<Reviewer, String> {
    Ok(match key {
        "self" => Reviewer::SelfReview,
        "manager" => Reviewer::Manager,
        k => Reviewer::User { user: k.parse()? },
    })
}

/// Reviewers: the assignees themselves, their manager, or specific users.
pub fn reviewer_items(t: &Tenant) -> Vec<PickItem> {
    let mut items = vec![
        PickItem::new("self", "Self-review", "each assignee reviews their own access"),
        PickItem::new("manager", "Manager", "the assignee's manager"),
    ];
    items.extend(user_items(t));
    items
}

/// Parses lookup ids (`u12`, `org4`...) into domain ids; the error names the field's label.
pub fn parse_ids<T, C>(ids: &[String], label: &str) -> Result<C, String>
where
    T: std::str::FromStr<Err = String>,
    C: FromIterator<T>,
{
    ids.iter().map(|s| s.parse::<T>().map_err(|e| format!("{label}: {e}"))).collect()
}
