//! The wire shapes against the derive's: every policy and revision of the demo tenant read back
//! as written, and defaults as `PolicySpec`'s and `PolicyTerms`' own derives set them.

use serde_json::{Value, json};

use super::*;
use crate::domain::revisions::Revisions;

fn demo() -> crate::domain::tenant::Tenant {
    crate::demo::demo_tenant().expect("the demo tenant loads")
}

/// The spec's fields of a written policy, read by `PolicySpec`'s derive (what `flatten` did).
fn spec_by_derive(v: &Value) -> PolicySpec {
    serde_json::from_value(v.clone()).expect("a written policy holds a spec")
}

#[test]
fn every_demo_policy_reads_back_as_written_and_as_the_derive_reads_its_spec() {
    let t = demo();
    let policies: Vec<&Policy> = t.policies.values().collect();
    // The demo sets each optional part somewhere: each is read back, not only its default.
    assert!(policies.iter().any(|p| p.spec.review.is_some()), "a policy with reviews");
    assert!(policies.iter().any(|p| p.spec.automatic.is_some()), "an automatic policy");
    assert!(policies.iter().any(|p| !p.spec.custom_extension_stage_settings.is_empty()), "a policy calling out");
    assert!(policies.iter().any(|p| !p.spec.questions.is_empty()), "a policy with questions");
    assert!(policies.iter().any(|p| p.spec.allow_on_behalf), "a policy for managers to use");
    assert!(policies.iter().any(|p| p.next_review_at.is_some()), "a policy with a review ahead");
    for p in policies {
        let v = serde_json::to_value(p).expect("a policy is written");
        let back: Policy = serde_json::from_value(v.clone()).expect("a policy reads back");
        assert_eq!(&back, p);
        assert_eq!(back.spec, spec_by_derive(&v));
    }
}

#[test]
fn a_policy_with_only_the_required_fields_gets_the_derives_defaults() {
    let v = json!({"id": 7, "package": 3, "displayName": "Bare", "scope": {"type": "adminOnly"},
        "createdAt": 1_700_000_000, "modifiedAt": 1_700_000_100, "someFieldOfLater": [1, 2]});
    let p: Policy = serde_json::from_value(v.clone()).expect("the required fields are enough");
    assert_eq!(p.spec, spec_by_derive(&v));
    assert!(p.spec.justification_required && p.spec.enabled, "both default to on");
    assert_eq!((p.revision, p.next_review_at), (0, None));
    for missing in ["id", "package", "displayName", "scope", "createdAt", "modifiedAt"] {
        let mut w = v.clone();
        w.as_object_mut().map(|o| o.remove(missing));
        let e = serde_json::from_value::<Policy>(w).expect_err("a required field is missing");
        assert!(e.to_string().contains(missing), "{missing}: {e}");
    }
}

#[test]
fn every_demo_revision_reads_back_as_written_and_as_the_derive_reads_its_terms() {
    #[derive(serde::Serialize, serde::Deserialize)]
    struct Rows(#[serde(with = "crate::domain::revisions::as_list")] Revisions);
    let t = demo();
    assert!(t.policy_revisions.values().any(|r| !r.stages.is_empty() && r.review.is_some()));
    let v = serde_json::to_value(Rows(t.policy_revisions.clone())).expect("written");
    let Rows(back) = serde_json::from_value(v.clone()).expect("read back");
    assert_eq!(back, t.policy_revisions);
    for row in v.as_array().into_iter().flatten() {
        let wire: RevisionWire = serde_json::from_value(row.clone()).expect("a row");
        let by_derive: PolicyTerms = serde_json::from_value(row.clone()).expect("its terms");
        assert_eq!(wire.terms(), by_derive);
    }
    let bare = json!({"policy": 4, "revision": 2, "lifecycle": {"expiration": {"type": "never"}}});
    let wire: RevisionWire = serde_json::from_value(bare.clone()).expect("stages and review are optional");
    assert_eq!(wire.terms(), serde_json::from_value::<PolicyTerms>(bare).expect("by the derive"));
    let e = serde_json::from_value::<RevisionWire>(json!({"policy": 4, "revision": 2}));
    assert!(e.is_err_and(|e| e.to_string().contains("lifecycle")));
}
