//! A data directory written by the previous release of entitle (before ranges were checked), with
//! what that release accepted and this one refuses: a policy whose review lasts 99,999,999 days and
//! one that opens its review 999,999 days before expiry, both still in the journal. It must open,
//! say what cannot be evaluated and where, let an administrator mend it, and lose nothing.

use crate::cli_support;

use cli_support::Env;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/previous-version");

fn copy_of_fixture() -> Env {
    let env = Env::new();
    for f in ["tenant.json", "journal.jsonl"] {
        std::fs::copy(format!("{FIXTURE}/{f}"), env.data().join(f)).expect("copy the fixture");
    }
    env
}

#[test]
fn the_previous_versions_data_opens_says_what_is_wrong_and_is_mended() {
    let env = copy_of_fixture();
    // It opens: a read works, and warns on stderr about what cannot be evaluated.
    let out = env.run(&["clock", "show"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("2026-11-19 09:00"), "the journal's clock move is kept: {}", out.stdout);
    assert!(out.stderr.contains("pol160") && out.stderr.contains("review.durationDays"), "{}", out.stderr);
    // Both policies the old release accepted are there, and the lint names both as errors.
    let lint = env.ok(&["lint"]);
    assert!(lint.contains("pol160") && lint.contains("pol161") && lint.contains("cannot-evaluate"), "{lint}");
    // The clock moves on (nothing can be scheduled from those values, and nothing panics).
    env.ok(&["clock", "advance", "30d"]);
    // An administrator mends both, after which nothing is reported.
    env.ok(&["policy", "update", "pol160", "--no-review"]);
    env.ok(&["policy", "update", "pol161", "--review-before-expiry", "0", "--review-duration", "5"]);
    let out = env.run(&["clock", "show"]);
    assert_eq!(out.code, 0);
    assert!(!out.stderr.contains("cannot be evaluated"), "{}", out.stderr);
    assert!(!env.ok(&["lint"]).contains("cannot-evaluate"));
}

#[test]
fn a_new_command_with_the_old_values_is_refused_with_the_range() {
    let env = copy_of_fixture();
    let e = env.fails(
        &[
            "policy",
            "create",
            "Project Alpha",
            "--name",
            "Again",
            "--scope",
            "all-members",
            "--no-approval",
            "--review",
            "monthly",
            "--review-duration",
            "99999999",
            "--reviewer",
            "self",
        ],
        1,
    );
    assert!(e.contains("1 to 28 days"), "{e}");
}

/// The previous release wrote schema 1: each request and assignment carried a copy of its policy's
/// terms. Here two assignments and a waiting request carry copies that differ from their policy's
/// current terms (as after a policy update then). Opening migrates the copies to revisions of the
/// policies: what was granted, when it ends and its review terms survive.
#[test]
fn schema_1_copies_of_terms_become_policy_revisions_and_what_was_granted_survives() {
    use entitle::domain::{Expiration, PolicyId, RequestId, Tenant};
    use entitle::store::Store;
    use serde_json::{Value, json};

    let env = copy_of_fixture();
    let path = env.data().join("tenant.json");
    let mut file: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    assert_eq!(file["schema_version"], 1);
    fn find<'a>(file: &'a mut Value, list: &str, id: u64) -> &'a mut Value {
        let items = file["state"][list].as_array_mut().expect("a list");
        items.iter_mut().find(|x| x["id"] == id).expect("the object")
    }
    let shorter = json!({"expiration": {"type": "afterDays", "value": 30}, "allowExtension": true,
        "extensionRequiresApproval": false, "allowSelfRemoval": false});
    for id in [85, 87] {
        let a = find(&mut file, "assignments", id);
        a["terms"] = shorter.clone();
        a.as_object_mut().expect("an object").remove("reviewTerms");
    }
    let r = find(&mut file, "requests", 155);
    r["terms"]["lifecycle"]["expiration"] = json!({"type": "afterDays", "value": 7});
    std::fs::write(&path, serde_json::to_string_pretty(&file).expect("json")).expect("write");

    let store = Store::<Tenant>::open(env.data()).expect("opens").expect("has data");
    assert_eq!(store.migrated_from(), Some(1));
    let t = store.state();
    let asg = |id: u64| t.assignments.values().find(|a| a.id.0 == id).expect("the assignment");
    let (a85, a87, a109) = (asg(85), asg(87), asg(109));
    assert_eq!(a85.revision, a87.revision, "equal copies are one revision");
    let pol69 = t.policy(PolicyId(69)).expect("policy");
    assert_ne!(a85.revision, pol69.revision);
    let terms = t.assignment_terms(a85).expect("its revision");
    assert_eq!(terms.lifecycle.expiration, Expiration::AfterDays(30));
    assert!(terms.lifecycle.allow_extension && !terms.lifecycle.allow_self_removal);
    assert_eq!((terms.review.as_ref(), &t.lifecycle_of(a85)), (None, &terms.lifecycle));
    assert_eq!(a85.end.map(|e| e.to_rfc3339()).as_deref(), Some("2026-11-21T09:00:00+00:00"), "its end");
    assert_eq!(a85.granted.len(), 3, "what it granted");
    // An untouched copy is the policy's current terms, review included.
    assert_eq!(a109.revision, pol69.revision);
    let review = t.review_terms(a109).expect("its review terms");
    assert_eq!((review.duration_days, review.fallback.clone()), (14, vec![entitle::domain::UserId(17)]));
    assert_eq!(t.policy_revisions.keys().filter(|(p, _)| *p == PolicyId(69)).count(), 2);
    // The waiting request grants its copy, and is routed by its policy's stages.
    let r155 = t.request_in_memory(RequestId(155)).expect("the request");
    let terms = t.request_terms(r155).expect("its revision");
    assert_eq!(terms.lifecycle.expiration, Expiration::AfterDays(7));
    assert_eq!(terms.stages, t.policy(PolicyId(81)).expect("policy").spec.stages);
    let timeout = terms.stages.first().map(|s| s.timeout_days);
    assert_eq!(
        timeout.and_then(|d| r155.stage_deadline(d)).map(|d| d.to_rfc3339()).as_deref(),
        Some("2026-11-17T10:00:00+00:00")
    );
    assert!(t.problems().iter().all(|p| p.field != "revision"), "every reference resolves");
    drop(store);

    // The migrated data goes on: a command is committed and the files are today's schema.
    env.ok(&["clock", "advance", "1d"]);
    let text = std::fs::read_to_string(&path).expect("read");
    let (head, body) = text.split_once('\n').expect("a header line");
    let head: Value = serde_json::from_str(head).expect("json");
    let state: Value = serde_json::from_str(body).expect("json");
    assert_eq!(head["schema_version"], 3);
    assert!(state["policyRevisions"].as_array().is_some_and(|l| !l.is_empty()));
}

#[test]
fn the_first_open_writes_the_data_in_todays_form_and_keeps_the_old_snapshot() {
    let env = copy_of_fixture();
    let old = std::fs::read(env.data().join("tenant.json")).expect("the fixture");
    env.ok(&["clock", "show"]);
    let text = std::fs::read_to_string(env.data().join("tenant.json")).expect("the snapshot");
    let head: serde_json::Value = serde_json::from_str(text.lines().next().expect("a header")).expect("json");
    assert_eq!(head["schema_version"], 3, "{head}");
    assert_eq!(std::fs::read(env.data().join("tenant.json.bak-1")).expect("the backup"), old);
    assert!(env.data().join("history").join("audit").is_dir(), "the log moved to the history files");
    // Opened again, nothing is upgraded twice and nothing more is backed up.
    env.ok(&["clock", "show"]);
    assert!(!env.data().join("tenant.json.bak-2").exists());
}

/// The previous release wrote the audit log's actor and object as text ("Adele Vance (u5)",
/// "pk64", "clock"). They read as the typed values those texts name; nothing is lost.
#[test]
fn the_previous_versions_audit_lines_read_typed() {
    use serde_json::{Value, json};

    let env = copy_of_fixture();
    let events: Vec<Value> = match env.json(&["audit", "--limit", "100000"]) {
        Value::Array(events) => events,
        other => panic!("not a list: {other}"),
    };
    let at = |seq: u64| events.iter().find(|e| e["seq"] == seq).unwrap_or_else(|| panic!("event {seq}"));
    // All 300 of the old log are there (and what the journal replays after them).
    assert!((1..=300).all(|seq| events.iter().any(|e| e["seq"] == seq)));
    assert_eq!(at(122)["actor"], json!({"type": "user", "user": 5, "displayName": "Adele Vance"}));
    assert_eq!(at(122)["object"], json!({"package": 64}));
    assert_eq!(at(124)["object"], json!({"policy": 65}));
    assert_eq!(at(30)["object"], json!({"settings": {}}));
    assert_eq!(at(218)["actor"], json!({"type": "external", "email": "rob@azureblog.net"}));
    assert_eq!(at(218)["object"], json!({"request": 119}));
    assert_eq!(at(300)["actor"], json!({"type": "system"}));
    assert_eq!(at(300)["object"], json!({"clock": {}}));
    // Every old text was one of the old writers' forms: none is left as legacy text.
    for e in &events {
        assert_ne!(e["actor"]["type"], "legacy", "{e}");
        assert!(e["object"].get("legacy").is_none(), "{e}");
    }
    // Shown as the old version showed them.
    let table = env.ok(&["audit", "--limit", "100000"]);
    assert!(table.contains("Adele Vance (u5)") && table.contains("pk64") && table.contains("rob@azureblog.net"));
}

/// A history segment an older version wrote holds text, some of it in no form the old writers
/// made: read typed where it is one, kept as named legacy text where it is not, never dropped,
/// and its lines are not rewritten.
#[test]
fn an_old_history_segment_reads_typed_or_as_legacy_text_and_is_not_rewritten() {
    use serde_json::{Value, json};

    let env = Env::new();
    env.ok(&["init", "--demo"]);
    let segment = env.data().join("history").join("audit").join("000000000001.jsonl");
    let text = std::fs::read_to_string(&segment).expect("the first audit segment");
    let old: Vec<String> = text
        .lines()
        .map(|line| {
            let mut e: Value = serde_json::from_str(line).expect("a line");
            let (actor, by, object) = match e["seq"].as_u64() {
                Some(1) => ("Adele Vance (u5)", Some("MOD Administrator (u2)"), "req12"),
                Some(2) => ("A robot", None, "as12"),
                Some(3) => ("rob@azureblog.net", None, "configuration"),
                _ => return line.to_string(),
            };
            e["actor"] = actor.into();
            if let Some(by) = by {
                e["by"] = by.into();
            }
            e["object"] = object.into();
            e.to_string()
        })
        .collect();
    let old = old.join("\n") + "\n";
    std::fs::write(&segment, &old).expect("written");

    let events: Vec<Value> = match env.json(&["audit", "--limit", "100000"]) {
        Value::Array(events) => events,
        other => panic!("not a list: {other}"),
    };
    let at = |seq: u64| events.iter().find(|e| e["seq"] == seq).unwrap_or_else(|| panic!("event {seq}"));
    assert_eq!(at(1)["actor"], json!({"type": "user", "user": 5, "displayName": "Adele Vance"}));
    assert_eq!(at(1)["by"], json!({"type": "user", "user": 2, "displayName": "MOD Administrator"}));
    assert_eq!(at(1)["object"], json!({"request": 12}));
    assert_eq!(at(2)["actor"], json!({"type": "legacy", "text": "A robot"}));
    assert_eq!(at(2)["object"], json!({"legacy": "as12"}));
    assert_eq!(at(3)["actor"], json!({"type": "external", "email": "rob@azureblog.net"}));
    assert_eq!(at(3)["object"], json!({"configuration": {}}));
    let table = env.ok(&["audit", "--limit", "100000"]);
    assert!(table.contains("MOD Administrator (u2) acting as Adele Vance (u5)") && table.contains("A robot"));
    assert!(table.contains("as12"), "{table}");
    // The legacy text is found by the filters on the text shown.
    let robot = env.json(&["audit", "--actor", "robot", "--object", "as12"]);
    assert_eq!(robot.as_array().map(Vec::len), Some(1), "{robot}");
    // More events later: the old lines stay as they were (new ones are only ever appended).
    env.ok(&["clock", "advance", "1d"]);
    let after = std::fs::read_to_string(&segment).expect("the segment");
    assert!(after.starts_with(&old), "the old lines were rewritten");
}

/// The previous release's notifications named nothing typed: they read as about nothing (no
/// `about` in the JSON), and their text is not read for an id.
#[test]
fn the_previous_versions_notifications_read_as_about_nothing() {
    let env = copy_of_fixture();
    let mail = env.json(&["--as", "u16", "notifications"]);
    let old: Vec<&serde_json::Value> =
        mail.as_array().into_iter().flatten().filter(|n| n["seq"].as_u64().is_some_and(|s| s <= 104)).collect();
    assert!(old.iter().any(|n| n["body"] == "Decide by 2026-06-01 (req86)"), "{mail}");
    assert!(old.iter().all(|n| n.get("about").is_none()), "{mail}");
}
