//! The reports of the Reports tab: their names, columns, subjects, and rows read from the domain's
//! report functions.

use ratatui::layout::Constraint;

use crate::domain::point_in_time::AsOf;
use crate::domain::{Actor, DomainResult, PackageId, Request, ResourceId, Tenant, Time, UserId};
use crate::ui::tabs::common::*;
use crate::ui::widgets::picker::PickItem;
use crate::ui::widgets::table::Column;

use super::rows::Row;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    UserPackages,
    ResourceHolders,
    PackageAssignments,
    Expiring,
    Requests,
    Drift,
    Incompatible,
    Lint,
    UserAccess,
}

pub const REPORTS: [Report; 9] = [
    Report::UserPackages,
    Report::ResourceHolders,
    Report::PackageAssignments,
    Report::Expiring,
    Report::Requests,
    Report::Drift,
    Report::Incompatible,
    Report::Lint,
    Report::UserAccess,
];

impl Report {
    pub fn title(self) -> &'static str {
        match self {
            Report::UserPackages => "Packages a user can request and has",
            Report::ResourceHolders => "Who holds a resource and why",
            Report::PackageAssignments => "Assignments of a package by state",
            Report::Expiring => "Expiring within N days",
            Report::Requests => "Requests with history",
            Report::Drift => "Drift: memberships outside any package",
            Report::Incompatible => "Separation of duties: who holds both",
            Report::Lint => "Lint: configuration pitfalls",
            Report::UserAccess => "What a user holds and why",
        }
    }

    /// What the report answers, shown until a row is selected.
    pub fn about(self) -> &'static str {
        match self {
            Report::UserPackages => {
                "The access packages a user can request (an enabled policy targets them) and those they are or were assigned. Enter picks the user."
            }
            Report::ResourceHolders => {
                "Everyone who holds a role of a group, application or site, and why: through which package's assignment, or directly. Enter picks the resource."
            }
            Report::PackageAssignments => {
                "A package's assignments, delivering and delivered first, then expired and removed. Enter picks the package."
            }
            Report::Expiring => {
                "Active assignments that end within the days asked, soonest first. Enter changes the days."
            }
            Report::Requests => {
                "Every request, newest first, with its history in the details. Enter narrows it to one package."
            }
            Report::Drift => {
                "Memberships made outside access packages: they bypass the policies, approvals and reviews. Directory: R removes one."
            }
            Report::Incompatible => {
                "People who hold an access package and something it is incompatible with (another package, or a group): granted before the incompatibility was set, or directly."
            }
            Report::Lint => "The configuration pitfalls the seeds warn about, most serious first.",
            Report::UserAccess => {
                "Every role of a group, application or site a user holds, and why: through which package's assignment, or directly. Enter picks the user."
            }
        }
    }

    /// The name in the one-line menu of narrow screens.
    pub fn short(self) -> &'static str {
        match self {
            Report::UserPackages => "Packages",
            Report::ResourceHolders => "Holders",
            Report::PackageAssignments => "By state",
            Report::Expiring => "Expiring",
            Report::Requests => "Requests",
            Report::Drift => "Drift",
            Report::Incompatible => "Both",
            Report::Lint => "Lint",
            Report::UserAccess => "Access",
        }
    }

    pub fn columns(self) -> Vec<Column> {
        use Constraint::{Fill, Length};
        let cols: &[(&str, Constraint)] = match self {
            Report::UserPackages => &[
                ("Access package", Fill(3)),
                ("Catalog", Fill(2)),
                ("Can request", Length(11)),
                ("Assignment", Length(10)),
                ("State", Length(10)),
                ("Ends", Length(10)),
            ],
            Report::ResourceHolders => &[("User", Fill(2)), ("Role", Fill(1)), ("Via", Fill(4))],
            Report::UserAccess => &[("Resource", Fill(2)), ("Role", Fill(1)), ("Via", Fill(4))],
            Report::PackageAssignments => &[
                ("State", Length(10)),
                ("Assignment", Length(10)),
                ("User", Fill(2)),
                ("Policy", Fill(2)),
                ("Start", Length(10)),
                ("Ends", Length(10)),
            ],
            Report::Expiring => &[
                ("Ends", Length(16)),
                ("Left", Length(7)),
                ("User", Fill(2)),
                ("Access package", Fill(3)),
                ("Assignment", Length(10)),
            ],
            Report::Requests => &[
                ("Request", Length(8)),
                ("Created", Length(10)),
                ("Access package", Fill(2)),
                ("For", Fill(2)),
                ("Type", Length(10)),
                ("State", Length(15)),
                ("Latest", Fill(4)),
            ],
            Report::Drift => &[
                ("User", Fill(2)),
                ("Resource", Fill(2)),
                ("Role", Fill(1)),
                ("Governed", Length(8)),
                ("Sources", Fill(3)),
            ],
            Report::Incompatible => &[("User", Fill(2)), ("Access package", Fill(2)), ("Incompatible with", Fill(2))],
            Report::Lint => &[("Code", Length(24)), ("Object", Length(7)), ("Message", Fill(1))],
        };
        cols.iter().map(|(t, w)| Column::new(*t, *w)).collect()
    }
}

/// What the reports are about: the user, resource and package picked, the days asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subjects {
    pub user: Option<UserId>,
    pub resource: Option<ResourceId>,
    pub package: Option<PackageId>,
    pub days: i64,
    /// The package the requests report is narrowed to (None: all).
    pub requests_of: Option<PackageId>,
    /// The past instant the holders and access reports are about (None: now).
    pub at: Option<Time>,
}

impl Default for Subjects {
    fn default() -> Self {
        Subjects { user: None, resource: None, package: None, days: 30, requests_of: None, at: None }
    }
}

pub(super) fn package_name(t: &Tenant, p: PackageId) -> String {
    t.packages.get(&p).map(|p| p.display_name.clone()).unwrap_or_else(|| p.to_string())
}

impl Subjects {
    /// Whether a report can be asked about a past instant.
    pub fn dated(r: Report) -> bool {
        matches!(r, Report::ResourceHolders | Report::UserAccess | Report::PackageAssignments)
    }

    /// The line under a report's subject in the menu when it is about a past instant.
    pub fn when_label(&self, r: Report) -> Option<String> {
        self.at.filter(|_| Self::dated(r)).map(|t| format!("as of {}", fmt_time(t)))
    }

    /// The line under a report's name in the menu; None for reports about the whole tenant.
    pub fn label(&self, t: &Tenant, r: Report) -> Option<String> {
        let chosen = |name: Option<String>, what: &str| match name {
            Some(n) => format!("{what}: {n}"),
            None => format!("{what}: — (enter to choose)"),
        };
        match r {
            Report::UserPackages => Some(chosen(self.user.map(|u| t.user_name(u)), "user")),
            Report::ResourceHolders => Some(chosen(self.resource.map(|r| t.resource_name(r)), "resource")),
            Report::UserAccess => Some(chosen(self.user.map(|u| t.user_name(u)), "user")),
            Report::PackageAssignments => Some(chosen(self.package.map(|p| package_name(t, p)), "package")),
            Report::Expiring => Some(format!("within {} days", self.days)),
            Report::Requests => Some(match self.requests_of {
                Some(p) => format!("package: {}", package_name(t, p)),
                None => "all packages".into(),
            }),
            Report::Drift | Report::Incompatible | Report::Lint => None,
        }
    }
}

/// Every access package, for pickers (deleted ones marked).
pub fn package_items(t: &Tenant) -> Vec<PickItem> {
    t.packages
        .values()
        .map(|p| {
            let cat = t.catalogs.get(&p.catalog).map(|c| c.display_name.clone()).unwrap_or_default();
            let deleted = if p.is_deleted() { " · deleted" } else { "" };
            PickItem::new(p.id.to_string(), p.display_name.clone(), format!("{cat}{deleted}"))
        })
        .collect()
}

/// The title of a report about a past instant: when, and from when the records are exact.
fn past_title(what: &str, as_of: &AsOf) -> String {
    if as_of.exact {
        format!("{what}, {}", as_of.label())
    } else {
        format!("{what}, {} (not exact: the records begin {})", as_of.label(), fmt_time(as_of.exact_from))
    }
}

/// One report, ready for the table.
pub struct Built {
    pub title: String,
    pub empty: String,
    pub rows: Vec<Row>,
    /// Why the signed-in person may not read it, if they may not.
    pub refusal: Option<String>,
}

impl Built {
    fn new(title: impl Into<String>, empty: impl Into<String>) -> Self {
        Built { title: title.into(), empty: empty.into(), rows: Vec::new(), refusal: None }
    }
}

/// The report as the signed-in person may read it: the domain's filtered views decide (the same
/// as the command line's reports); a refusal says why. `requests`: the requests report as the
/// session read it (finished requests are history), for that report only.
pub fn build(t: &Tenant, actor: &Actor, r: Report, s: &Subjects, requests: Result<Vec<Request>, String>) -> Built {
    let built = match requests {
        Ok(list) => build_rows(t, actor, r, s, list).map_err(|e| e.to_string()),
        Err(e) => Err(e),
    };
    match built {
        Ok(b) => b,
        Err(e) => {
            let mut b = Built::new(r.title(), "Not allowed: see why below.");
            b.refusal = Some(e.to_string());
            b
        }
    }
}

fn build_rows(t: &Tenant, actor: &Actor, r: Report, s: &Subjects, requests: Vec<Request>) -> DomainResult<Built> {
    let now = t.now();
    match r {
        Report::UserPackages => {
            let Some(u) = s.user else { return Ok(Built::new(r.title(), "Press Enter to pick a user.")) };
            let name = t.user_name(u);
            let mut b = Built::new(
                format!("Packages {name} can request or has"),
                format!("{name} can request no package and has no assignment."),
            );
            b.rows = t.user_packages_visible(actor, u)?.into_iter().map(Row::Package).collect();
            Ok(b)
        }
        Report::ResourceHolders => {
            let Some(res) = s.resource else { return Ok(Built::new(r.title(), "Press Enter to pick a resource.")) };
            let name = t.resource_name(res);
            if let Some(at) = s.at {
                let report = t.holders_at_visible(actor, res, at)?;
                let mut b = Built::new(
                    past_title(&format!("Who held {name} and why"), &report.as_of),
                    format!("Nobody held {name} then."),
                );
                b.rows = report.rows.into_iter().map(|h| Row::Past(h, true)).collect();
                return Ok(b);
            }
            let mut b = Built::new(format!("Who holds {name} and why"), format!("Nobody holds {name}."));
            b.rows = t.holders_visible(actor, res)?.into_iter().map(Row::Holder).collect();
            Ok(b)
        }
        Report::UserAccess => {
            let Some(u) = s.user else { return Ok(Built::new(r.title(), "Press Enter to pick a user.")) };
            let name = t.user_name(u);
            if let Some(at) = s.at {
                let report = t.access_at_visible(actor, u, at)?;
                let mut b = Built::new(
                    past_title(&format!("What {name} held and why"), &report.as_of),
                    format!("{name} held nothing then."),
                );
                b.rows = report.rows.into_iter().map(|h| Row::Past(h, false)).collect();
                return Ok(b);
            }
            let mut b = Built::new(format!("What {name} holds and why"), format!("{name} holds nothing."));
            b.rows = t.access_visible(actor, u)?.into_iter().map(Row::Access).collect();
            Ok(b)
        }
        Report::PackageAssignments => {
            let Some(p) = s.package else {
                return Ok(Built::new(r.title(), "Press Enter to pick an access package."));
            };
            let name = package_name(t, p);
            if let Some(at) = s.at {
                let mut report = t.assignments_at_visible(actor, at, None, Some(p))?;
                report.rows.sort_by_cached_key(|a| (a.state.to_string(), a.id));
                let mut b = Built::new(
                    past_title(&format!("Assignments of {name} by state"), &report.as_of),
                    format!("{name} had no assignments then."),
                );
                b.rows = report.rows.into_iter().map(Row::PastAssignment).collect();
                return Ok(b);
            }
            let mut b = Built::new(format!("Assignments of {name} by state"), format!("{name} has no assignments."));
            for (state, list) in t.package_assignments_visible(actor, p)? {
                b.rows.extend(list.into_iter().map(|a| Row::Assignment(state, a.id)));
            }
            Ok(b)
        }
        Report::Expiring => {
            let until = crate::domain::bounds::saturating_add_days(now, s.days);
            let mut b = Built::new(
                format!("Assignments ending within {} days (by {})", s.days, fmt_day(Some(until))),
                format!("No assignment ends within {} days.", s.days),
            );
            b.rows = t.expiring_visible(actor, s.days)?.into_iter().map(|a| Row::Expiring(a.id)).collect();
            Ok(b)
        }
        Report::Requests => {
            let title = match s.requests_of {
                Some(p) => format!("Requests for {}, newest first", package_name(t, p)),
                None => "Requests, newest first".to_string(),
            };
            let mut b = Built::new(title, "No requests.");
            b.rows = requests.into_iter().map(|q| Row::Request(q.id)).collect();
            Ok(b)
        }
        Report::Drift => {
            let mut b = Built::new(
                "Memberships granted outside any access package",
                "No drift: every membership comes from an access package.",
            );
            b.rows = t.drift_visible(actor)?.into_iter().map(|(a, governed)| Row::Drift(a, governed)).collect();
            Ok(b)
        }
        Report::Incompatible => {
            let mut b = Built::new(
                "People who hold incompatible access",
                "Nobody holds a package and something it is incompatible with.",
            );
            b.rows = t.incompatible_visible(actor)?.into_iter().map(Row::Conflict).collect();
            Ok(b)
        }
        Report::Lint => {
            let mut b = Built::new("Configuration pitfalls", "No pitfalls found.");
            b.rows = t.lint_visible(actor)?.into_iter().map(Row::Finding).collect();
            Ok(b)
        }
    }
}
