//! A stored tenant holding a value the domain cannot evaluate (an older version's data, a hand
//! edit) still opens, says what and where (lint, CLI on open, the terminal app on start), and can
//! be mended by an administrator.

use crate::cli_support;
use crate::common;

use std::path::Path;

use cli_support::Env;
use common::*;
use entitle::domain::*;
use entitle::session::Session;
use entitle::store::Store;
use entitle::ui::run::build_app;
use entitle::ui::{Keymap, Theme};

/// A tenant (frozen clock) with a monthly-reviewed package and one member assigned, stored in
/// `env`'s data dir and then edited on disk as a careless admin would: review duration 99999999.
fn stored_with_bad_duration(env: &Env) -> PolicyId {
    let mut w = World::new();
    let mut spec = members_policy("Reviewed");
    spec.review = Some(ReviewSettings {
        frequency: ReviewFrequency::Monthly,
        starts_on: t0() + days(3),
        duration_days: 14,
        reviewers: vec![Reviewer::SelfReview],
        fallback: vec![],
        no_response: NoResponse::Keep,
        before_expiry_days: None,
    });
    let lab = w.lab(spec);
    let mia = w.user("Mia");
    w.request(&u(mia), lab.package);
    drop(Store::create(env.data(), w.t).expect("store"));

    let path = env.data().join("tenant.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let (head, body) = text.split_once('\n').unwrap();
    let mut state: serde_json::Value = serde_json::from_str(body).unwrap();
    let policies = state["policies"].as_array_mut().unwrap();
    let policy = policies.iter_mut().find(|p| p["id"] == serde_json::json!(lab.policy.0)).unwrap();
    policy["review"]["durationDays"] = serde_json::json!(99_999_999u32);
    std::fs::write(&path, format!("{head}\n{}", serde_json::to_string_pretty(&state).unwrap())).unwrap();
    lab.policy
}

#[test]
fn a_stored_value_that_cannot_be_evaluated_opens_is_reported_and_is_mended() {
    let env = Env::new();
    let pol = stored_with_bad_duration(&env);
    let pol_id = pol.to_string();

    // The domain opens it and names the object and the field.
    let (store, _) = Session::open(env.data(), entitle::store::LockWait::default()).expect("it opens");
    let problems = store.state().problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!((problems[0].object.to_string(), problems[0].field.as_str()), (pol_id.clone(), "review.durationDays"));
    let admin = store.state().users.values().find(|u| u.global_admin).map(|u| Actor::user(u.id)).unwrap();

    // The terminal app says so on start.
    let app = build_app(Session::new(store, admin), Path::new("/data"), Keymap::defaults(), Theme::monochrome());
    let msg = app.message().map(|m| m.text.clone()).unwrap_or_default();
    assert!(msg.contains(&pol_id) && msg.contains("cannot be evaluated"), "{msg}");
    drop(app);

    // The CLI works, warns on stderr, and the lint lists it as an error.
    let out = env.run(&["clock", "show"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("2026-01-05 09:00"), "{}", out.stdout);
    assert!(out.stderr.contains("warning:") && out.stderr.contains(&pol_id), "{}", out.stderr);
    let lint = env.ok(&["lint"]);
    assert!(lint.contains("error") && lint.contains("cannot-evaluate") && lint.contains(&pol_id), "{lint}");
    // Time passes over the review's date: no review opens, nothing panics.
    let moved = env.ok(&["clock", "advance", "10d"]);
    assert!(moved.contains("Clock now 2026-01-15"), "{moved}");

    // An administrator mends it; the warning is gone.
    env.ok(&["policy", "update", &pol_id, "--no-review"]);
    let out = env.run(&["clock", "show"]);
    assert_eq!(out.code, 0);
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
    assert!(!env.ok(&["lint"]).contains("cannot-evaluate"));
}

#[test]
fn the_cli_tells_what_fired_in_counts_by_kind_and_as_structured_json() {
    let env = Env::new();
    let pol = stored_with_bad_duration(&env);
    env.ok(&["policy", "update", &pol.to_string(), "--review-duration", "14"]);
    let out = env.ok(&["clock", "advance", "5d"]);
    assert!(out.contains("Clock now 2026-01-10 09:00: 1 review opened"), "{out}");
    assert!(!out.contains("review '"), "no names in the summary: {out}");
    let json = env.json(&["clock", "advance", "14d"]);
    assert_eq!(json["fired"]["reviewsCompleted"], serde_json::json!(1), "{json}");
    assert_eq!(json["fired"]["reviewsOpened"], serde_json::json!(0), "{json}");
}
