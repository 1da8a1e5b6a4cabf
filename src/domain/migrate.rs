//! Upgrades of a stored tenant's JSON from older layouts (the store calls them through
//! `Persist::migrate` before the typed parse).
//!
//! Schema 1 to 2: requests carried a copy of their policy's lifecycle and review terms (`terms`),
//! assignments one of their lifecycle (`terms`) and review terms (`reviewTerms`). Schema 2 keeps
//! each distinct set of terms once, as a revision of its policy, and requests and assignments name
//! their revision. Each policy's current terms become its latest revision; every other distinct
//! copy found becomes an earlier one, numbered in the order first met (requests and assignments
//! by id). The stages of a migrated revision are the policy's current ones: schema 1 routed every
//! waiting request by them. A request without a copy (data older than copies) was granted under
//! the policy's current terms, and keeps them. Times stay as they are: the typed parse reads the
//! old RFC 3339 text as well as integers.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::access::{Lifecycle, Policy, ReviewSettings};
use super::ids::PolicyId;
use super::revisions::PolicyTerms;

/// The copy of terms a schema-1 request carried.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OldRequestTerms {
    lifecycle: Lifecycle,
    #[serde(default)]
    review: Option<ReviewSettings>,
}

/// The distinct terms of one policy met so far, in order, and its current terms.
#[derive(Default)]
struct Found {
    current: Option<PolicyTerms>,
    earlier: Vec<PolicyTerms>,
}

impl Found {
    /// The revision number of `terms`: the current terms are numbered last.
    fn number(&mut self, terms: PolicyTerms) -> Result<u32, String> {
        if self.current.as_ref() == Some(&terms) {
            return self.current_number();
        }
        let i = match self.earlier.iter().position(|t| *t == terms) {
            Some(i) => i,
            None => {
                self.earlier.push(terms);
                self.earlier.len().saturating_sub(1)
            }
        };
        u32::try_from(i).ok().and_then(|i| i.checked_add(1)).ok_or_else(|| "too many revisions of a policy".to_string())
    }
    fn current_number(&self) -> Result<u32, String> {
        u32::try_from(self.earlier.len())
            .ok()
            .and_then(|n| n.checked_add(1))
            .ok_or_else(|| "too many revisions of a policy".to_string())
    }
}

fn list_mut<'a>(state: &'a mut Map<String, Value>, key: &str) -> Result<Option<&'a mut Vec<Value>>, String> {
    match state.get_mut(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => Ok(Some(a)),
        Some(_) => Err(format!("`{key}` is not a list")),
    }
}

fn parse<T: serde::de::DeserializeOwned>(v: Value, what: &str) -> Result<T, String> {
    serde_json::from_value(v).map_err(|e| format!("{what}: {e}"))
}

fn policy_of(v: &Value, what: &str) -> Result<PolicyId, String> {
    parse(v.get("policy").cloned().unwrap_or(Value::Null), &format!("{what}: its policy"))
}

fn id_of(v: &Value) -> String {
    v.get("id").map(ToString::to_string).unwrap_or_else(|| "?".into())
}

/// Schema 1 to 2 (see the module's comment).
pub fn schema_1_to_2(mut state: Value) -> Result<Value, String> {
    let root = state.as_object_mut().ok_or("the state is not a JSON object")?;
    let mut found: BTreeMap<PolicyId, Found> = BTreeMap::new();
    if let Some(policies) = list_mut(root, "policies")? {
        for p in policies.iter() {
            let policy: Policy = parse(p.clone(), &format!("policy {}", id_of(p)))?;
            found.entry(policy.id).or_default().current = Some(PolicyTerms::of(&policy.spec));
        }
    }
    // What the stages of a migrated revision are: its policy's current ones (none once deleted).
    let stages_of = |found: &BTreeMap<PolicyId, Found>, p: PolicyId| {
        found.get(&p).and_then(|f| f.current.as_ref()).map(|t| t.stages.clone()).unwrap_or_default()
    };
    if let Some(requests) = list_mut(root, "requests")? {
        for r in requests.iter_mut() {
            let what = format!("request {}", id_of(r));
            let policy = policy_of(r, &what)?;
            let obj = r.as_object_mut().ok_or_else(|| format!("{what} is not a JSON object"))?;
            let revision = match obj.remove("terms").filter(|t| !t.is_null()) {
                Some(t) => {
                    let old: OldRequestTerms = parse(t, &format!("{what}: its terms"))?;
                    let stages = stages_of(&found, policy);
                    let terms = PolicyTerms { stages, lifecycle: old.lifecycle, review: old.review };
                    found.entry(policy).or_default().number(terms)?
                }
                // Before copies were kept, the policy's current terms applied.
                None => match found.get(&policy) {
                    Some(f) if f.current.is_some() => f.current_number()?,
                    _ => 0,
                },
            };
            obj.insert("revision".into(), json!(revision));
        }
    }
    if let Some(assignments) = list_mut(root, "assignments")? {
        for a in assignments.iter_mut() {
            let what = format!("assignment {}", id_of(a));
            let policy = policy_of(a, &what)?;
            let obj = a.as_object_mut().ok_or_else(|| format!("{what} is not a JSON object"))?;
            let lifecycle: Lifecycle =
                parse(obj.remove("terms").unwrap_or(Value::Null), &format!("{what}: its terms"))?;
            let review: Option<ReviewSettings> =
                parse(obj.remove("reviewTerms").unwrap_or(Value::Null), &format!("{what}: its review terms"))?;
            let terms = PolicyTerms { stages: stages_of(&found, policy), lifecycle, review };
            let revision = found.entry(policy).or_default().number(terms)?;
            obj.insert("revision".into(), json!(revision));
        }
    }
    let mut revisions = vec![];
    for (policy, f) in &found {
        let current = f.current.iter().map(|t| (f.current_number(), t));
        let number = |i: usize| {
            u32::try_from(i)
                .ok()
                .and_then(|i| i.checked_add(1))
                .ok_or_else(|| "too many revisions of a policy".to_string())
        };
        let earlier = f.earlier.iter().enumerate().map(|(i, t)| (number(i), t));
        for (n, t) in earlier.chain(current) {
            let mut row = serde_json::to_value(t).map_err(|e| e.to_string())?;
            if let Some(o) = row.as_object_mut() {
                o.insert("policy".into(), json!(policy));
                o.insert("revision".into(), json!(n?));
            }
            revisions.push(row);
        }
    }
    if let Some(policies) = list_mut(root, "policies")? {
        for p in policies.iter_mut() {
            let what = format!("policy {}", id_of(p));
            let id: PolicyId = parse(p.get("id").cloned().unwrap_or(Value::Null), &what)?;
            let n = found.get(&id).map(|f| f.current_number()).transpose()?.unwrap_or(0);
            if let Some(o) = p.as_object_mut() {
                o.insert("revision".into(), json!(n));
            }
        }
    }
    root.insert("policyRevisions".into(), Value::Array(revisions));
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Expiration, RequestId, Tenant};

    fn lifecycle(days: u32) -> Value {
        json!({"expiration": {"type": "afterDays", "value": days}, "allowExtension": false,
            "extensionRequiresApproval": false, "allowSelfRemoval": true})
    }

    fn request(id: u64, policy: u64, terms: Option<Value>) -> Value {
        let mut r = json!({"id": id, "requestType": "userAdd", "package": 4, "policy": policy,
            "target": {"type": "user", "user": 2}, "state": "delivered", "createdAt": "2026-01-05T09:00:00Z"});
        if let Some(t) = terms {
            r["terms"] = json!({ "lifecycle": t });
        }
        r
    }

    /// A schema-1 state: policy 5 (one stage, 90 days) once granted 30 days; policy 9 is deleted.
    fn schema_1() -> Value {
        json!({
            "displayName": "Contoso",
            "clock": {"now": "2026-02-01T09:00:00Z"},
            "nextId": 100,
            "policies": [{"id": 5, "package": 4, "displayName": "P", "scope": {"type": "allMembers"},
                "stages": [{"approvers": [{"type": "manager"}]}], "lifecycle": lifecycle(90),
                "createdAt": "2026-01-01T09:00:00Z", "modifiedAt": "2026-01-10T09:00:00Z"}],
            "requests": [
                request(10, 5, Some(lifecycle(30))),
                request(11, 5, None),
                request(12, 9, Some(lifecycle(7))),
                request(13, 5, Some(lifecycle(30))),
            ],
            "assignments": [{"id": 20, "package": 4, "policy": 5, "target": 2, "state": "delivered",
                "start": "2026-01-05T09:00:00Z", "terms": lifecycle(90), "request": 11}],
        })
    }

    #[test]
    fn copies_become_numbered_revisions_and_references_point_at_them() {
        let v = schema_1_to_2(schema_1()).expect("migrates");
        let mut t: Tenant = serde_json::from_value(v).expect("fits schema 2");
        t.rebuild_indexes();
        let rev = |id: u64| t.request_in_memory(RequestId(id)).map(|r| (r.policy.0, r.revision));
        // The earlier copy is revision 1 (met twice, kept once); the current terms are revision 2.
        assert_eq!([rev(10), rev(13), rev(11)], [Some((5, 1)), Some((5, 1)), Some((5, 2))]);
        assert_eq!(t.policies.get(&PolicyId(5)).map(|p| p.revision), Some(2));
        let days = |p: u64, n: u32| t.revision(PolicyId(p), n).map(|r| (r.lifecycle.expiration, r.stages.len()));
        assert_eq!(days(5, 1), Some((Expiration::AfterDays(30), 1)), "with the policy's stages");
        assert_eq!(days(5, 2), Some((Expiration::AfterDays(90), 1)));
        // A deleted policy's copy is its revision 1, with no stages to know of.
        assert_eq!(rev(12), Some((9, 1)));
        assert_eq!(days(9, 1), Some((Expiration::AfterDays(7), 0)));
        assert_eq!(t.policy_revisions.len(), 3);
        // The assignment's copy equals the current terms: it is revision 2.
        let a = t.assignments.values().next().map(|a| (a.revision, t.lifecycle_of(a).expiration));
        assert_eq!(a, Some((2, Expiration::AfterDays(90))));
    }

    #[test]
    fn a_state_that_is_not_schema_1_is_refused_with_what_is_wrong() {
        assert!(schema_1_to_2(json!([])).is_err());
        let e = schema_1_to_2(json!({"requests": {"not": "a list"}})).expect_err("refused");
        assert!(e.contains("requests"), "{e}");
        let mut bad = schema_1();
        bad["assignments"][0]["terms"] = json!("ninety days");
        let e = schema_1_to_2(bad).expect_err("refused");
        assert!(e.starts_with("assignment 20: its terms"), "{e}");
    }
}
