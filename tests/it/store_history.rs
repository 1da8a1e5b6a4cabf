//! The audit log and the mailboxes live in history files beside the snapshot: written once,
//! never lost to a crash or a reset, read back whole, and moved out of data written before.

use crate::cli_support;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use cli_support::Env;
use entitle::domain::Tenant;
use entitle::store::Store;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/previous-version");

fn audit_seqs(env: &Env) -> Vec<u64> {
    let events = env.json(&["audit", "--limit", "1000000"]);
    events.as_array().expect("a list").iter().filter_map(|e| e["seq"].as_u64()).collect()
}

/// The `seq` of every line of every segment of a stream, in file order.
fn file_seqs(data: &Path, history: &str, stream: &str) -> Vec<u64> {
    let dir = data.join(history).join(stream);
    let mut names: Vec<_> = fs::read_dir(&dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    names.sort();
    let mut out = vec![];
    for path in names {
        let text = fs::read_to_string(&path).expect("a segment reads");
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).expect("a record");
            out.push(v["seq"].as_u64().expect("a seq"));
        }
    }
    out
}

fn state_of(data: &Path) -> serde_json::Value {
    let text = fs::read_to_string(data.join("tenant.json")).expect("the snapshot");
    let (_, body) = text.split_once('\n').expect("a header line");
    serde_json::from_str(body).expect("the state")
}

#[test]
fn every_command_writes_its_events_to_the_history_and_the_snapshot_holds_none() {
    let env = Env::new();
    let before = audit_seqs(&env);
    assert!(!before.is_empty(), "the demo has a history");
    env.ok(&["user", "create", "Hana Ito", "hana@contoso.com"]);
    let after = audit_seqs(&env);
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(file_seqs(env.data(), "history", "audit"), after, "each event once, in order");
    let state = state_of(env.data());
    assert!(state.get("audit").is_none() && state.get("notifications").is_none(), "no history in the snapshot");
    assert_eq!(state["auditSeq"].as_u64(), before.last().copied(), "the snapshot is from before the command");
}

#[test]
fn a_crash_between_the_journal_and_the_history_loses_nothing_and_writes_nothing_twice() {
    let env = Env::new();
    env.ok(&["user", "create", "Hana Ito", "hana@contoso.com"]);
    env.ok(&["user", "create", "Ivo Jones", "ivo@contoso.com"]);
    let all = audit_seqs(&env);
    // The process died after the journal took the second command, before its history: cut
    // the last line (and leave half a line, as a torn write).
    let dir = env.data().join("history").join("audit");
    let mut segs: Vec<_> = fs::read_dir(&dir).expect("segments").flatten().map(|e| e.path()).collect();
    segs.sort();
    let last = segs.last().expect("a segment");
    let text = fs::read_to_string(last).expect("reads");
    let cut = text.trim_end_matches('\n').rfind('\n').map_or(0, |i| i + 1);
    fs::write(last, format!("{}{{\"seq\":", &text[..cut])).expect("writes");
    assert_eq!(file_seqs_lenient(env.data()).len(), all.len() - 1);

    // Readers see it all (the journal is replayed), and the next command writes it once.
    assert_eq!(audit_seqs(&env), all);
    env.ok(&["user", "create", "Jo Kim", "jo@contoso.com"]);
    let now = audit_seqs(&env);
    assert_eq!(now.len(), all.len() + 1);
    assert_eq!(file_seqs(env.data(), "history", "audit"), now);
    let unique: BTreeSet<u64> = now.iter().copied().collect();
    assert_eq!(unique.len(), now.len());
}

/// The audit stream's seqs, skipping a torn last line.
fn file_seqs_lenient(data: &Path) -> Vec<u64> {
    let dir = data.join("history").join("audit");
    let mut segs: Vec<_> = fs::read_dir(&dir).expect("segments").flatten().map(|e| e.path()).collect();
    segs.sort();
    segs.iter()
        .flat_map(|p| fs::read_to_string(p).expect("reads").lines().map(str::to_owned).collect::<Vec<_>>())
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(&l).ok().and_then(|v| v["seq"].as_u64()))
        .collect()
}

#[test]
fn a_mailbox_reads_from_the_history_with_its_unread_marks() {
    let env = Env::new();
    fn with<'a>(args: &[&'a str]) -> Vec<&'a str> {
        ["--as", "adelev@contoso.com"].into_iter().chain(args.iter().copied()).collect()
    }
    let mail = env.json(&with(&["notifications"]));
    let unread: Vec<u64> = mail
        .as_array()
        .expect("a list")
        .iter()
        .filter(|n| n["read"] == false)
        .filter_map(|n| n["seq"].as_u64())
        .collect();
    assert!(unread.len() >= 2, "{mail}");
    let one = unread[0].to_string();
    env.ok(&with(&["notifications", "--mark-read", &one]));
    let after = env.json(&with(&["notifications", "--unread"]));
    assert_eq!(after.as_array().map(Vec::len), Some(unread.len() - 1));
    // Read already, or someone else's: refused the same way, nothing changed.
    let err = env.fails(&with(&["notifications", "--mark-read", &one]), 1);
    assert!(err.contains(&format!("No unread notification {one}")), "{err}");
    let others = env.json(&["--as", "Megan", "notifications", "--unread"]);
    if let Some(theirs) = others.as_array().and_then(|l| l.first()).and_then(|n| n["seq"].as_u64()) {
        env.fails(&with(&["notifications", "--mark-read", &theirs.to_string()]), 1);
        let still = env.json(&["--as", "Megan", "notifications", "--unread"]);
        assert_eq!(still.as_array().map(Vec::len), others.as_array().map(Vec::len));
    }
    env.ok(&with(&["notifications", "--mark-read"]));
    assert_eq!(env.json(&with(&["notifications", "--unread"])).as_array().map(Vec::len), Some(0));
    assert_eq!(env.json(&with(&["notifications"])).as_array().map(Vec::len), mail.as_array().map(Vec::len));
}

#[test]
fn a_reset_keeps_the_old_history_and_starts_its_own() {
    let env = Env::new();
    env.ok(&["user", "create", "Hana Ito", "hana@contoso.com"]);
    let old = file_seqs(env.data(), "history", "audit");
    env.ok(&["init", "--empty", "--admin", "root@fabrikam.com"]);
    assert_eq!(file_seqs(env.data(), "history", "audit"), old, "the old history is kept as it was");
    let new = file_seqs(env.data(), "history-2", "audit");
    assert!(!new.is_empty() && new.len() < old.len(), "{new:?}");
    assert_eq!(audit_seqs(&env), new, "the new tenant reads its own history");
}

#[test]
fn data_written_before_the_history_had_files_moves_it_out_once() {
    let env = Env::new();
    for f in ["tenant.json", "journal.jsonl"] {
        fs::copy(format!("{FIXTURE}/{f}"), env.data().join(f)).expect("copy the fixture");
    }
    let old_text = fs::read_to_string(env.data().join("tenant.json")).expect("reads");
    assert!(old_text.contains("\"audit\": ["), "the fixture keeps its log in the snapshot");
    let seqs = audit_seqs(&env);
    let adele = env.json(&["--as", "adelev@contoso.com", "notifications"]);
    assert!(seqs.len() > 100, "{} events", seqs.len());

    env.ok(&["clock", "advance", "1d"]);
    let mut store = Store::<Tenant>::open(env.data()).expect("opens").expect("holds a tenant");
    store.compact().expect("compacts");
    drop(store);

    let state = state_of(env.data());
    assert!(state.get("audit").is_none(), "the snapshot holds no log now");
    let files = file_seqs(env.data(), "history", "audit");
    assert_eq!(&files[..seqs.len()], &seqs[..], "every old event, once, in order");
    assert_eq!(audit_seqs(&env), files);
    let again = env.json(&["--as", "adelev@contoso.com", "notifications"]);
    let key = |v: &serde_json::Value| -> Vec<(u64, bool)> {
        v.as_array().into_iter().flatten().map(|n| (n["seq"].as_u64().unwrap_or(0), n["read"] == true)).collect()
    };
    let before: BTreeSet<_> = key(&adele).into_iter().collect();
    let after: BTreeSet<_> = key(&again).into_iter().collect();
    assert!(before.is_subset(&after), "Adele's mail and its read marks survive");
}
