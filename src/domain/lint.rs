//! Lint: the configuration pitfalls the seeds warn about, found in the tenant as it is.

use std::collections::BTreeSet;

use serde::Serialize;

use super::access::{Approver, Policy};
use super::ids::ObjectRef;
use super::problems::Problem;
use super::tenant::Tenant;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// An error: something the tenant cannot evaluate; a warning: a configuration pitfall.
    pub severity: Severity,
    /// A short stable code, e.g. `no-expiration`.
    pub code: &'static str,
    /// The object it is about, e.g. `{"package": 3}` or `{"policy": 7}` (shown `pk3`, `pol7`).
    pub object: ObjectRef,
    pub message: String,
}

/// The longest decision timeout that keeps inboxes fresh: a stage waiting longer is flagged
/// (DOMAIN.md, Lint: "an approval timeout over 7 days"). Editors default to it.
pub const QUIET_TIMEOUT_DAYS: u32 = 7;

impl Tenant {
    /// Every pitfall in the tenant, most serious first.
    pub fn lint(&self) -> Vec<Finding> {
        self.lint_with(&self.problems())
    }

    /// [`Tenant::lint`], with the tenant's [`Tenant::problems`] found already.
    pub fn lint_with(&self, problems: &[Problem]) -> Vec<Finding> {
        // What cannot be evaluated comes first, as errors.
        let mut out: Vec<Finding> = problems
            .iter()
            .map(|p| Finding {
                severity: Severity::Error,
                code: "cannot-evaluate",
                object: p.object,
                message: p.message.clone(),
            })
            .collect();
        for pkg in self.packages.values().filter(|p| !p.is_deleted()) {
            let pols: Vec<&Policy> = self.policies_of(pkg.id).collect();
            if pkg.sensitive {
                for p in pols.iter().filter(|p| p.spec.enabled && p.spec.lifecycle.expiration.never()) {
                    out.push(Finding {
severity: Severity::Warning,
                        code: "no-expiration",
                        object: p.id.into(),
                        message: format!(
                            "'{}' bundles sensitive resources but policy '{}' never expires: set an expiration and access reviews",
                            pkg.display_name, p.spec.display_name
                        ),
                    });
                }
            }
            if !pols.iter().any(|p| p.spec.enabled) {
                out.push(Finding {
                    severity: Severity::Warning,
                    code: "no-enabled-policy",
                    object: pkg.id.into(),
                    message: format!(
                        "'{}' has no enabled policy: nobody can request or be assigned it",
                        pkg.display_name
                    ),
                });
            }
            for p in pols {
                self.lint_policy(&pkg.display_name, p, &mut out);
            }
        }
        for c in self.incompatible_holders() {
            out.push(Finding {
                severity: Severity::Warning,
                code: "incompatible-held",
                // The package, not the person: only those who read its catalog see who holds it.
                object: c.package.into(),
                message: format!(
                    "{} holds both '{}' and '{}', which are incompatible (separation of duties): remove one of them",
                    c.user_name, c.package_name, c.with_name
                ),
            });
        }
        for org in self.orgs.values() {
            if org.internal_sponsors.is_empty() && org.external_sponsors.is_empty() {
                out.push(Finding {
                    severity: Severity::Warning,
                    code: "org-without-sponsors",
                    object: org.id.into(),
                    message: format!(
                        "Connected organization '{}' has no sponsors: sponsor approvals for its users go to no one",
                        org.display_name
                    ),
                });
            }
        }
        out
    }

    fn lint_policy(&self, pkg: &str, p: &Policy, out: &mut Vec<Finding>) {
        let name = &p.spec.display_name;
        let obj = p.id;
        if p.spec.scope.is_external() && p.spec.stages.is_empty() && p.spec.enabled {
            out.push(Finding {
                severity: Severity::Warning,
                code: "external-without-approval",
                object: obj.into(),
                message: format!(
                    "Policy '{name}' of '{pkg}' lets external users in without approval: add a sponsor approval stage"
                ),
            });
        }
        // (Only two stages or more can repeat their approvers: most policies build no set.)
        let sets: Vec<BTreeSet<&Approver>> = match p.spec.stages.len() {
            0 | 1 => Vec::new(),
            _ => p.spec.stages.iter().map(|s| s.approvers.iter().collect()).collect(),
        };
        for i in 0..sets.len() {
            for j in i + 1..sets.len() {
                if sets[i] == sets[j] {
                    out.push(Finding {
severity: Severity::Warning,
                        code: "same-approvers",
                        object: obj.into(),
                        message: format!(
                            "Policy '{name}' of '{pkg}': stages {} and {} have the same approvers; that is a click-through, not a second approval",
                            i + 1,
                            j + 1
                        ),
                    });
                }
            }
        }
        for (i, st) in p.spec.stages.iter().enumerate() {
            if st.timeout_days > QUIET_TIMEOUT_DAYS {
                out.push(Finding {
                    severity: Severity::Warning,
                    code: "long-timeout",
                    object: obj.into(),
                    message: format!(
                        "Policy '{name}' of '{pkg}': stage {} waits {} days for a decision; 5-{QUIET_TIMEOUT_DAYS} keeps inboxes fresh",
                        i + 1,
                        st.timeout_days
                    ),
                });
            }
            if st.approvers.contains(&Approver::Manager) && st.fallback.is_empty() {
                out.push(Finding {
                    severity: Severity::Warning,
                    code: "manager-without-fallback",
                    object: obj.into(),
                    message: format!(
                        "Policy '{name}' of '{pkg}': stage {} is approved by the manager but has no fallback approver",
                        i + 1
                    ),
                });
            }
        }
    }
}
