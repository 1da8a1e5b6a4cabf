//! Explain and what-if through the command line, on the demo tenant (its clock is frozen):
//! `explain request`, `explain holds`, `clock advance --dry-run` and `policy update --dry-run`.

use crate::cli_support;

use std::collections::BTreeMap;
use std::path::Path;

use cli_support::{Env, created_id};
use serde_json::Value;

fn demo() -> Env {
    let env = Env::new();
    env.ok(&["init"]);
    env
}

/// Every file under the data directory with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.insert(p.strip_prefix(dir).unwrap().display().to_string(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn last_seq(env: &Env) -> u64 {
    let log = env.json(&["audit", "--limit", "1"]);
    log[0]["seq"].as_u64().unwrap()
}

#[test]
fn a_dry_run_writes_nothing_and_lists_exactly_what_the_real_jump_does() {
    let env = demo();
    let seq = last_seq(&env);
    let before = files(env.data());
    let preview = env.json(&["clock", "advance", "90d", "--dry-run"]);
    assert!(files(env.data()) == before, "the dry run changed the data files");
    let text = env.ok(&["clock", "advance", "90d", "--dry-run"]);
    assert!(text.starts_with("Dry run, nothing changed.") && text.contains("assignment.expired"), "{text}");
    assert!(files(env.data()) == before, "the dry run changed the data files");

    env.ok(&["clock", "advance", "90d"]);
    let log = env.json(&["audit", "--limit", "100000"]);
    let done: Vec<(u64, String, String, String)> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["seq"].as_u64().unwrap() > seq)
        .map(|e| (e["seq"].as_u64().unwrap(), s(&e["activity"]), e["object"].to_string(), s(&e["summary"])))
        .collect();
    let listed: Vec<(u64, String, String, String)> = preview["happenings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["type"] == "event")
        .map(|h| (h["seq"].as_u64().unwrap(), s(&h["activity"]), h["object"].to_string(), s(&h["summary"])))
        .collect();
    // The demo's extension is called after the jump, each call's outcome recorded by a command
    // of its own: the preview lists the calls (it never makes them), not their outcomes.
    let (records, done): (Vec<_>, Vec<_>) = done.into_iter().partition(|e| e.1.starts_with("customExtension.callout"));
    let calls: Vec<String> = preview["happenings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["type"] == "call")
        .map(|h| created_id(&h["object"]).unwrap_or_else(|| panic!("a reference: {h}")))
        .collect();
    assert!(!calls.is_empty(), "the demo's extension is called when an assignment is removed");
    assert_eq!(calls.len(), records.len(), "{calls:?} {records:?}");
    for c in &calls {
        assert!(records.iter().any(|r| r.3.contains(&format!(" for {c} "))), "{c}: {records:?}");
    }
    assert!(done.len() > 20, "{}", done.len());
    assert_eq!(listed, done);
    assert_eq!(preview["counts"]["assignment.expired"], done.iter().filter(|e| e.1 == "assignment.expired").count());
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

#[test]
fn explain_request_shows_every_condition_and_marks_the_answer() {
    let env = demo();
    let text = env.ok(&["explain", "request", "Adele Vance", "Legacy VPN"]);
    assert!(text.starts_with("Can Adele Vance (u5) request 'Legacy VPN'? No"), "{text}");
    assert!(text.contains("has new requests turned off"), "{text}");
    let answer: Vec<&str> = text.lines().filter(|l| l.ends_with("<- the answer")).collect();
    assert_eq!(answer.len(), 1, "{text}");
    assert!(answer[0].contains("Some policy lets the person request it"), "{text}");

    let v = env.json(&["--as", "Adele Vance", "explain", "request", "Adele Vance", "Project Alpha"]);
    assert_eq!(v["canRequest"], true);
    assert_eq!(v["canSee"], true);
    assert!(v["conditions"].as_array().unwrap().iter().all(|c| c["passed"] == true), "{v}");

    // Another member may not ask about Adele.
    let err = env.fails(&["--as", "Megan Bowen", "explain", "request", "Adele Vance", "Project Alpha"], 1);
    assert!(!err.is_empty());
    // And the request command then agrees with explain.
    env.ok(&["--as", "Adele Vance", "request", "Project Alpha", "-j", "Work"]);
    let v = env.json(&["explain", "request", "Adele Vance", "Project Alpha"]);
    assert_eq!(v["canRequest"], false);
    let first = v["conditions"].as_array().unwrap().iter().find(|c| c["passed"] == false).unwrap();
    assert_eq!(first["condition"]["type"], "oneAssignment");
}

#[test]
fn explain_holds_names_each_source_and_what_its_end_would_do() {
    let env = demo();
    let v = env.json(&["explain", "holds", "Grady Archie", "Project Alpha", "Member"]);
    let src = &v["memberships"][0]["sources"][0];
    assert_eq!(src["source"]["type"], "assignment");
    assert_eq!(src["source"]["packageName"], "Project Alpha");
    assert_eq!(src["source"]["approvedBy"][0], "Lidia Holloway");
    assert_eq!(src["keptIfEnded"], false);

    // A direct membership too: each source is now kept by the other.
    env.ok(&["membership", "add", "Grady Archie", "Project Alpha", "Member"]);
    let text = env.ok(&["explain", "holds", "Grady Archie", "Project Alpha"]);
    assert!(text.contains("a direct membership") && text.contains("would be kept"), "{text}");
    assert!(!text.contains("would be lost"), "{text}");
}

#[test]
fn a_policy_dry_run_writes_nothing_and_names_who_would_gain() {
    let env = demo();
    let before = files(env.data());
    let v = env.json(&["policy", "update", "Engineering staff", "--scope", "all-members", "--dry-run"]);
    assert!(files(env.data()) == before, "the dry run changed the data files");
    assert!(v["gain"]["count"].as_u64().unwrap() > 5, "{v}");
    assert_eq!(v["lose"]["count"], 0);
    assert_eq!(v["assignmentsKeepTerms"]["count"], 1);
    let adele = v["gain"]["first"].as_array().unwrap().iter().any(|u| u == 5);
    assert!(adele, "{v}");
    assert!(!env.ok(&["--as", "Adele Vance", "available"]).contains("Software Engineer"));
    env.ok(&["policy", "update", "Engineering staff", "--scope", "all-members"]);
    assert!(env.ok(&["--as", "Adele Vance", "available"]).contains("Software Engineer"));
}
