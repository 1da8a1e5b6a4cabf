//! Finished requests in a data directory: the snapshot holds only the open ones and an index,
//! the records are in the history files, and a person, `request show` and a package's list find
//! them there after any reopen. A directory written by the previous version (schema 2, finished
//! requests inside the snapshot) is moved over on its first open.

use crate::cli_support;

use std::fs;
use std::path::Path;

use cli_support::Env;
use serde_json::Value;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema-2");

fn snapshot(data: &Path) -> (Value, Value) {
    let text = fs::read_to_string(data.join("tenant.json")).expect("the snapshot");
    let (head, body) = text.split_once('\n').expect("a header line");
    (serde_json::from_str(head).expect("a header"), serde_json::from_str(body).expect("the state"))
}

/// The states of the requests the snapshot holds, and the ids its index of finished ones names.
fn held(state: &Value) -> (Vec<String>, Vec<u64>) {
    let open = state["requests"].as_array().expect("a list").iter().map(|r| r["state"].to_string()).collect();
    let finished = state["finished"].as_array().into_iter().flatten().filter_map(|e| e[0].as_u64()).collect();
    (open, finished)
}

fn is_open(state: &str) -> bool {
    ["\"submitted\"", "\"pendingApproval\"", "\"scheduled\"", "\"delivering\""].contains(&state)
}

/// Every record of every segment of the history streams whose names start with `prefix`.
fn records(data: &Path, prefix: &str) -> Vec<Value> {
    let mut out = vec![];
    let Ok(streams) = fs::read_dir(data.join("history")) else { return out };
    for stream in streams.flatten().filter(|s| s.file_name().to_string_lossy().starts_with(prefix)) {
        for seg in fs::read_dir(stream.path()).expect("segments").flatten() {
            let text = fs::read_to_string(seg.path()).expect("reads");
            out.extend(text.lines().map(|l| serde_json::from_str::<Value>(l).expect("a record")));
        }
    }
    out
}

fn copy_of_fixture() -> Env {
    let env = Env::new();
    for f in ["tenant.json", "journal.jsonl"] {
        fs::copy(format!("{FIXTURE}/{f}"), env.data().join(f)).expect("copy the fixture");
    }
    env
}

#[test]
fn a_schema_2_directory_opens_and_its_finished_requests_move_to_the_history() {
    let env = copy_of_fixture();
    let (head, state) = snapshot(env.data());
    assert_eq!(head["schema_version"], 2);
    let (open, _) = held(&state);
    assert!(open.iter().any(|s| !is_open(s)), "the old snapshot holds finished requests: {open:?}");

    // A person's finished requests show: one from the snapshot, one finished by the journal.
    let delia = env.ok(&["--as", "Delia Dennis", "requests"]);
    assert!(delia.contains("req146") && delia.contains("canceled"), "{delia}");
    let johanna = env.ok(&["--as", "Johanna Lorenz", "requests"]);
    assert!(johanna.contains("req155") && johanna.contains("canceled") && johanna.contains("req86"), "{johanna}");

    // The first open wrote today's snapshot: open requests only, the finished ones in its index
    // and in the history files; the old snapshot is kept.
    let (head, state) = snapshot(env.data());
    assert_eq!(head["schema_version"], 3);
    let (open, finished) = held(&state);
    assert!(open.iter().all(|s| is_open(s)), "{open:?}");
    assert!(finished.contains(&146) && finished.contains(&155), "{finished:?}");
    assert!(env.data().join("tenant.json.bak-1").exists());
    let in_files: Vec<u64> =
        records(env.data(), "requests-pkg-").iter().filter_map(|r| r["request"]["id"].as_u64()).collect();
    let mut sorted = in_files.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), in_files.len(), "each request once in the packages' shards");
    assert_eq!(sorted, finished, "every finished request is in the files");

    // `request show` finds a finished one, with the same read rights as before.
    let shown = env.ok(&["--as", "Delia Dennis", "request", "show", "req146"]);
    assert!(shown.contains("Request req146") && shown.contains("canceled"), "{shown}");
    assert!(env.ok(&["request", "show", "req146"]).contains("Project Alpha"), "the administrator");
    let refused = env.fails(&["--as", "Megan Bowen", "request", "show", "req146"], 1);
    assert!(refused.contains("not yours"), "{refused}");
    // A package's list holds its finished requests too.
    let alpha = env.ok(&["requests", "--package", "Project Alpha"]);
    assert!(alpha.contains("req146"), "{alpha}");
}

#[test]
fn a_request_finished_through_the_store_is_in_the_history_and_shows_after_a_reopen() {
    let env = Env::empty();
    env.ok(&["user", "create", "Mia Wong", "mia@contoso.com"]);
    env.ok(&["user", "create", "Ann Lee", "ann@contoso.com"]);
    env.ok(&["package", "create", "Lab Access"]);
    env.ok(&["policy", "create", "Lab Access", "--name", "Members", "--scope", "all-members", "--stage", "Ann Lee"]);
    let mia = ["--as", "Mia Wong"];
    let r = env.created(&[&mia[..], &["request", "Lab Access", "-j", "Need it"]].concat());
    env.ok(&[&mia[..], &["request", "cancel", &r]].concat());

    // The record is in Mia's shard and the package's, once each; the snapshot holds none.
    let id: u64 = r.trim_start_matches("req").parse().expect("an id");
    let in_shards =
        |prefix: &str| records(env.data(), prefix).iter().filter(|x| x["request"]["id"].as_u64() == Some(id)).count();
    assert_eq!(in_shards("requests-pkg-"), 1);
    assert!(in_shards("requests-") >= 2, "Mia's shard and the package's");
    let (_, state) = snapshot(env.data());
    assert!(state["requests"].as_array().is_none_or(|l| l.iter().all(|q| q["id"].as_u64() != Some(id))));

    // Each run is a reopen: her list, `request show` and the package's list find it.
    let list = env.ok(&[&mia[..], &["requests"]].concat());
    assert!(list.contains(&r) && list.contains("canceled"), "{list}");
    let shown = env.ok(&[&mia[..], &["request", "show", &r]].concat());
    assert!(shown.contains("Canceled by Mia Wong"), "its history lines come along: {shown}");
    assert!(env.ok(&["requests", "--package", "Lab Access"]).contains(&r));
    assert!(env.ok(&["requests", "--all"]).contains(&r));
    let json = env.json(&[&mia[..], &["requests"]].concat());
    assert_eq!(json.as_array().map(Vec::len), Some(1));
}
