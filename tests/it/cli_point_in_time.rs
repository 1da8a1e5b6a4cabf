//! Point in time through the command line: the present-day reports captured as a frozen clock
//! moves through a story (requests, a direct assignment, an extension, an expiry, a review's
//! removal, package roles added and removed with and without revoking, direct memberships), then
//! asked again at the end with `--at` each captured instant: the same rows.

use crate::cli_support;

use cli_support::{Env, with};
use serde_json::{Value, json};

const USERS: [&str; 5] = ["Ann", "Bob", "Cat", "Dan", "Rita"];
const RESOURCES: [&str; 2] = ["Ops", "Wiki"];

/// What the present-day reports say now.
struct Capture {
    at: String,
    holders: Vec<Value>,
    access: Vec<Value>,
    assignments: Value,
}

fn capture(env: &Env, at: &str) -> Capture {
    Capture {
        at: at.to_string(),
        holders: RESOURCES.iter().map(|r| env.json(&["report", "holders", r])).collect(),
        access: USERS.iter().map(|u| env.json(&["report", "access", u])).collect(),
        assignments: env.json(&["assignments"]),
    }
}

/// The rows of an `--at` answer without the columns it adds (since, until).
fn rows_without(v: &Value, extra: &[&str]) -> Value {
    let rows = v["rows"].as_array().cloned().unwrap_or_default();
    Value::Array(
        rows.into_iter()
            .map(|mut r| {
                if let Some(o) = r.as_object_mut() {
                    for k in extra {
                        o.remove(*k);
                    }
                }
                r
            })
            .collect(),
    )
}

/// An assignment's fields that both the present-day list and the `--at` one carry.
fn assignment_keys(v: &Value) -> Vec<Value> {
    let keys = ["id", "package", "policy", "target", "state", "start", "end", "revision", "request"];
    v.as_array()
        .map(|a| a.iter().map(|x| Value::Array(keys.iter().map(|k| x[*k].clone()).collect())).collect())
        .unwrap_or_default()
}

fn setup(env: &Env) {
    env.ok(&["clock", "freeze"]);
    env.ok(&["clock", "set", "2031-01-05T09:00"]);
    for u in USERS {
        env.ok(&["user", "create", u, &format!("{}@contoso.com", u.to_lowercase())]);
    }
    env.ok(&["group", "create", "Ops"]);
    env.ok(&["app", "create", "Wiki", "--role", "Reader,Editor"]);
    env.ok(&["catalog", "create", "IT"]);
    env.ok(&["catalog", "add-resource", "IT", "Ops"]);
    env.ok(&["catalog", "add-resource", "IT", "Wiki"]);
    env.ok(&["package", "create", "Ops Access", "--catalog", "IT"]);
    env.ok(&["package", "add-role", "Ops Access", "Ops", "Member"]);
    let ops = ["policy", "create", "Ops Access", "--name", "Ops staff", "--scope", "all-members"];
    let terms = ["--no-justification", "--expire-days", "10", "--allow-extension", "--no-extension-approval"];
    env.ok(&[&ops[..], &terms[..]].concat());
    env.ok(&["package", "create", "Wiki Access", "--catalog", "IT"]);
    env.ok(&["package", "add-role", "Wiki Access", "Wiki", "Reader"]);
    let wiki = ["policy", "create", "Wiki Access", "--name", "Wiki readers", "--scope", "all-members"];
    let review = [
        "--no-justification",
        "--expire-days",
        "365",
        "--review",
        "quarterly",
        "--review-start",
        "+7d",
        "--review-duration",
        "7",
        "--reviewer",
        "Rita",
        "--no-response",
        "remove",
    ];
    env.ok(&[&wiki[..], &review[..]].concat());
}

/// The story, capturing the present-day reports at each stop of the clock.
fn story(env: &Env) -> Vec<Capture> {
    let mut caps = vec![];
    // 01-05: Ann and Bob request, Dan is assigned directly, Cat is made a member of Ops by hand.
    assert!(env.ok(&with(&["--as", "Ann"], &["request", "Ops Access"])).contains("delivered"));
    assert!(env.ok(&with(&["--as", "Bob"], &["request", "Wiki Access"])).contains("delivered"));
    env.ok(&["assign", "Wiki Access", "Dan"]);
    env.ok(&["membership", "add", "Cat", "Ops"]);
    caps.push(capture(env, "2031-01-05 09:00"));
    // 01-08: the wiki package grants Editor too (Bob and Dan get it); Ann extends her access.
    env.ok(&["clock", "advance", "3d"]);
    env.ok(&["package", "add-role", "Wiki Access", "Wiki", "Editor"]);
    env.ok(&with(&["--as", "Ann"], &["extend", "Ops Access"]));
    caps.push(capture(env, "2031-01-08 09:00"));
    // 01-12: the review opens; Cat's direct membership goes and she requests the package; the
    // wiki package stops granting Reader, revoked from its assignees.
    env.ok(&["clock", "advance", "4d"]);
    env.ok(&["membership", "remove", "Cat", "Ops"]);
    assert!(env.ok(&with(&["--as", "Cat"], &["request", "Ops Access"])).contains("delivered"));
    env.ok(&["package", "remove-role", "Wiki Access", "Wiki", "Reader", "--revoke-existing"]);
    caps.push(capture(env, "2031-01-12 09:00"));
    // 01-17: the ops package stops granting Member to new assignees (Ann and Cat keep it); Dan
    // takes the package, which now grants nothing.
    env.ok(&["clock", "advance", "5d"]);
    env.ok(&["package", "remove-role", "Ops Access", "Ops", "Member"]);
    env.ok(&with(&["--as", "Dan"], &["request", "Ops Access"]));
    caps.push(capture(env, "2031-01-17 09:00"));
    // 01-20: Ann's extended access has expired, the review removed Bob and Dan from the wiki;
    // Ann is made an owner of Ops by hand.
    let out = env.ok(&["clock", "advance", "3d"]);
    assert!(out.contains("removed by review"), "{out}");
    env.ok(&["membership", "add", "Ann", "Ops", "Owner"]);
    caps.push(capture(env, "2031-01-20 09:00"));
    // 01-25: Cat's access has expired.
    env.ok(&["clock", "advance", "5d"]);
    caps.push(capture(env, "2031-01-25 09:00"));
    caps
}

#[test]
fn point_in_time_answers_match_a_replay_to_that_date() {
    let env = Env::empty();
    setup(&env);
    let caps = story(&env);
    // The story went where it was meant to: holders changed at every stop.
    let ops: Vec<&Value> = caps.iter().map(|c| &c.holders[0]).collect();
    assert_eq!(ops[0].as_array().map(Vec::len), Some(2), "{}", ops[0]);
    assert_eq!(ops[4].as_array().map(Vec::len), Some(2), "Ann the owner, Cat the member: {}", ops[4]);
    assert!(caps[1].holders[1].to_string().contains("Editor"));
    assert!(!caps[2].holders[1].to_string().contains("Reader"));
    assert_eq!(caps[4].holders[1], json!([]), "the review removed the wiki's holders");

    for c in &caps {
        for (r, want) in RESOURCES.iter().zip(&c.holders) {
            let got = env.json(&["report", "holders", r, "--at", &c.at]);
            assert_eq!(got["exact"], true, "{got}");
            assert_eq!(&rows_without(&got, &["since", "until"]), want, "holders of {r} at {}", c.at);
        }
        for (u, want) in USERS.iter().zip(&c.access) {
            let got = env.json(&["report", "access", u, "--at", &c.at]);
            assert_eq!(&rows_without(&got, &["since", "until"]), want, "access of {u} at {}", c.at);
        }
        let got = env.json(&["assignments", "--at", &c.at]);
        let rows = got["rows"].clone();
        assert_eq!(assignment_keys(&rows), assignment_keys(&c.assignments), "assignments at {}", c.at);
    }

    // Since and until: Ann's first membership, from her request to the end of the extension.
    let ann = env.json(&["report", "access", "Ann", "--at", "2031-01-10"]);
    let row = &ann["rows"][0];
    assert_eq!(row["resourceName"], "Ops");
    assert_eq!(row["since"], json!(1_925_370_000), "2031-01-05 09:00");
    assert_eq!(row["until"], json!(1_926_493_200), "2031-01-18 09:00, the end the extension moved it to");
}

#[test]
fn a_future_a_malformed_and_a_too_early_date_are_refused_and_rights_are_those_of_today() {
    let env = Env::empty();
    setup(&env);
    assert!(env.ok(&with(&["--as", "Ann"], &["request", "Ops Access"])).contains("delivered"));
    env.ok(&["clock", "advance", "1d"]);

    let e = env.fails(&["report", "holders", "Ops", "--at", "2031-02-01"], 1);
    assert!(e.contains("after the in-app clock (2031-01-06 09:00)") && e.contains("leave the date out"), "{e}");
    let e = env.fails(&["assignments", "--at", "+1d"], 1);
    assert!(e.contains("after the in-app clock"), "{e}");
    let e = env.fails(&["report", "access", "Ann", "--at", "2031-13-01"], 2);
    assert!(e.contains("'2031-13-01' is not a date: use YYYY-MM-DD"), "{e}");
    let e = env.fails(&["report", "access", "Ann", "--at", "2001-01-01"], 1);
    assert!(e.contains("before the tenant began"), "{e}");

    // The JSON names the instant and how far the records go; the table says it too.
    let v = env.json(&["report", "holders", "Ops", "--at", "2031-01-05 10:00"]);
    assert_eq!(v["at"], json!(1_925_373_600));
    assert_eq!(v["exact"], true);
    assert!(v["exactFrom"].as_i64().is_some_and(|t| t <= 1_925_370_000), "{v}");
    assert_eq!(v["rows"][0]["userName"], "Ann");
    assert_eq!(v["rows"][0]["until"], Value::Null, "still held");
    let text = env.ok(&["report", "holders", "Ops", "--at", "2031-01-05 10:00"]);
    assert!(
        text.starts_with("As of 2031-01-05 10:00\n") && text.contains("SINCE") && text.contains("still held"),
        "{text}"
    );
    let text = env.ok(&["report", "holders", "Ops", "--at", "2031-01-05 08:59"]);
    assert!(text.contains("Nobody held Ops then"), "{text}");

    // The rights of the present-day reports: a requester on themselves, not on others, and no
    // holders without a role over the resource.
    let ann = ["--as", "Ann"];
    let v = env.json(&with(&ann, &["report", "access", "Ann", "--at", "2031-01-05 10:00"]));
    assert_eq!(v["rows"][0]["resourceName"], "Ops");
    env.fails(&with(&ann, &["report", "access", "Bob", "--at", "2031-01-05 10:00"]), 1);
    env.fails(&with(&ann, &["report", "holders", "Ops", "--at", "2031-01-05 10:00"]), 1);
    let mine = env.json(&with(&["--as", "Bob"], &["assignments", "--at", "2031-01-05 10:00"]));
    assert_eq!(mine["rows"], json!([]), "Bob sees no one else's assignments");
}

const PREVIOUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/previous-version");

#[test]
fn data_of_an_older_version_is_answered_and_says_from_when_it_is_exact() {
    let env = Env::new();
    for f in ["tenant.json", "journal.jsonl"] {
        std::fs::copy(format!("{PREVIOUS}/{f}"), env.data().join(f)).expect("copy the fixture");
    }
    // Nothing recorded yet: exact as of now only, and the same rows as today.
    let today = env.json(&["report", "holders", "Sales Team"]);
    assert!(today.as_array().is_some_and(|a| !a.is_empty()), "{today}");
    let now = env.json(&["report", "holders", "Sales Team", "--at", "2026-11-19 09:00"]);
    assert_eq!(now["exact"], true, "{now}");
    assert_eq!(rows_without(&now, &["since", "until"]), today);
    let before = env.ok(&["report", "holders", "Sales Team", "--at", "2026-11-01"]);
    assert!(before.starts_with("As of 2026-11-01 00:00 (not exact)\nNot exact: the records"), "{before}");
    assert!(before.contains("begin 2026-11-19 09:00"), "{before}");

    // The first change recorded pins the records' beginning; from there the answers are exact.
    env.ok(&["membership", "remove", "Christie", "Sales Team"]);
    env.ok(&["clock", "advance", "1d"]);
    let then = env.json(&["report", "holders", "Sales Team", "--at", "2026-11-19 09:00"]);
    assert_eq!(then["exact"], true);
    assert_eq!(then["exactFrom"], json!(1_795_078_800), "2026-11-19 09:00");
    assert!(!then.to_string().contains("Christie"), "removed at that instant: {then}");
    let earlier = env.json(&["report", "holders", "Sales Team", "--at", "2026-11-18"]);
    assert_eq!(earlier["exact"], false);
    assert!(earlier.to_string().contains("Christie"), "held before the records began: {earlier}");
}
