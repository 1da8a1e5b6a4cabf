//! The audit log as a script reads it (`audit --json`): who did it and what it is about are typed
//! values, not text to parse; the table shows them as before; the filters match the typed values
//! (a user renamed since is still found), and lint findings name their object typed too.

use crate::cli_support;

use std::collections::BTreeSet;

use cli_support::{Env, Out};
use serde_json::{Value, json};

/// The demo tenant.
fn demo() -> Env {
    let env = Env::new();
    env.ok(&["init", "--demo"]);
    env
}

/// Every event of the log, as `audit --json` prints it.
fn audit(env: &Env, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["audit", "--limit", "100000"];
    args.extend_from_slice(extra);
    match env.json(&args) {
        Value::Array(events) => events,
        other => panic!("not a list: {other}"),
    }
}

/// The kind of a reference: its one key.
fn kind(object: &Value) -> String {
    match object.as_object().map(|m| m.keys().cloned().collect::<Vec<_>>()) {
        Some(keys) if keys.len() == 1 => keys.concat(),
        _ => panic!("not a reference keyed by its kind: {object}"),
    }
}

fn find<'a>(events: &'a [Value], activity: &str) -> &'a Value {
    events.iter().rfind(|e| e["activity"] == activity).unwrap_or_else(|| panic!("no {activity}"))
}

#[test]
fn audit_json_names_actors_and_objects_typed_and_the_table_shows_them_as_before() {
    let env = demo();
    env.ok(&["clock", "freeze"]);
    env.ok(&["--as", "Debra Berger", "approve", "req159", "--reason", "Looks right"]);
    env.ok(&["settings", "set", "--add-catalog-creator", "Megan Bowen"]);
    let mut config: Value = serde_json::from_str(&env.ok(&["export", "config"])).expect("the configuration");
    config["catalogs"][0]["description"] = "Changed through a file".into();
    let file = env.data().join("config-changed.json");
    std::fs::write(&file, config.to_string()).expect("written");
    env.ok(&["apply", &file.to_string_lossy()]);

    let events = audit(&env, &[]);
    // A user, with the name they had then; the system; an external, by email and name.
    let approved = find(&events, "request.approved");
    assert_eq!(approved["actor"], json!({"type": "user", "user": 7, "displayName": "Debra Berger"}));
    assert_eq!(approved["object"], json!({"request": 159}));
    assert!(events.iter().any(|e| e["actor"] == json!({"type": "system"})));
    let alex = events
        .iter()
        .find(|e| e["actor"]["type"] == "external" && e["actor"]["email"] == "alex@azureblog.net")
        .expect("Alex's request");
    assert_eq!(alex["actor"]["displayName"], "Alex Wilber");
    // What has no id is keyed by its kind alone.
    assert_eq!(find(&events, "clock.mode")["object"], json!({"clock": {}}));
    assert_eq!(find(&events, "settings.updated")["object"], json!({"settings": {}}));
    assert_eq!(find(&events, "configuration.applied")["object"], json!({"configuration": {}}));
    // Every event's actor and object are objects; every kind but the tenant's appears here
    // (the tenant's sign-in mode is in the team-mode test below).
    let kinds: BTreeSet<String> = events.iter().map(|e| kind(&e["object"])).collect();
    let expected = [
        "assignment",
        "catalog",
        "clock",
        "configuration",
        "extension",
        "org",
        "package",
        "policy",
        "request",
        "resource",
        "review",
        "settings",
        "user",
    ];
    assert_eq!(kinds, expected.iter().map(|k| k.to_string()).collect(), "{kinds:?}");
    for e in &events {
        assert!(e["actor"]["type"].is_string(), "{e}");
        let k = kind(&e["object"]);
        let id = &e["object"][&k];
        assert!(id.is_u64() || id == &json!({}), "{e}");
    }
    // The table shows them as it always has.
    let table = env.ok(&["audit", "--activity", "request.approved", "--limit", "1"]);
    assert!(table.contains("Debra Berger (u7)") && table.contains("req159"), "{table}");
    let table = env.ok(&["audit", "--activity", "clock.mode", "--limit", "1"]);
    assert!(table.contains(" clock "), "{table}");
    // The object filter matches the typed reference: by id, by name, and what has no id.
    let about = audit(&env, &["--object", "req159"]);
    assert!(!about.is_empty() && about.iter().all(|e| e["object"] == json!({"request": 159})));
    let clock = audit(&env, &["--object", "clock"]);
    assert!(!clock.is_empty() && clock.iter().all(|e| e["object"] == json!({"clock": {}})));
    let debra = audit(&env, &["--object", "Debra Berger"]);
    assert!(!debra.is_empty() && debra.iter().all(|e| e["object"] == json!({"user": 7})));
}

#[test]
fn the_dry_run_preview_names_its_events_actors_and_objects_typed() {
    let env = demo();
    env.ok(&["clock", "freeze"]);
    let preview = env.json(&["clock", "advance", "90d", "--dry-run"]);
    let events: Vec<&Value> =
        preview["happenings"].as_array().expect("a list").iter().filter(|h| h["type"] == "event").collect();
    assert!(!events.is_empty());
    for e in &events {
        let expected = if e["activity"] == "clock.advanced" {
            json!({"type": "user", "user": 2, "displayName": "MOD Administrator"})
        } else {
            json!({"type": "system"})
        };
        assert_eq!(e["actor"], expected, "what the clock fires is the system's doing: {e}");
        kind(&e["object"]);
    }
    assert!(events.iter().any(|e| e["activity"] == "assignment.expired" && e["object"]["assignment"].is_u64()));
}

fn boss(env: &Env, args: &[&str]) -> Out {
    env.run_with(args, &[("ENTITLE_LOGIN", "boss")])
}

#[test]
fn an_administrator_acting_as_someone_is_by_and_a_renamed_user_keeps_the_old_name_and_is_still_found() {
    let env = Env::new();
    let init = boss(&env, &["init", "--empty", "--admin", "admin@contoso.com"]);
    assert_eq!(init.code, 0, "{}", init.stderr);
    assert_eq!(boss(&env, &["user", "create", "Adele", "adele@contoso.com"]).code, 0);
    assert_eq!(boss(&env, &["settings", "set", "--add-catalog-creator", "Adele"]).code, 0);
    let made = boss(&env, &["--as", "Adele", "catalog", "create", "Adele's"]);
    assert_eq!(made.code, 0, "{}", made.stderr);
    let adele = boss(&env, &["--json", "user", "show", "Adele"]);
    let adele: Value = serde_json::from_str(&adele.stdout).expect("json");
    let id = adele["user"]["id"].as_u64().expect("an id");
    // Then Adele is renamed: the log keeps the name she had.
    assert_eq!(boss(&env, &["user", "update", "Adele", "--name", "Adele Vance"]).code, 0);

    let json_of = |args: &[&str]| -> Vec<Value> {
        let mut all = vec!["--json", "audit", "--limit", "1000"];
        all.extend_from_slice(args);
        let out = boss(&env, &all);
        assert_eq!(out.code, 0, "{}", out.stderr);
        serde_json::from_str::<Vec<Value>>(&out.stdout).expect("json")
    };
    let events = json_of(&[]);
    let mode = find(&events, "settings.mode");
    assert_eq!(mode["object"], json!({"tenant": {}}));
    let created = find(&events, "catalog.created");
    assert_eq!(created["actor"], json!({"type": "user", "user": id, "displayName": "Adele"}));
    assert_eq!(created["by"]["type"], "user");
    assert_eq!(created["by"]["displayName"], "Administrator");
    assert!(created["by"]["user"].is_u64());
    assert_eq!(kind(&created["object"]), "catalog");

    // Found by her name now, by the one she had, by her email, by her id.
    for key in ["Adele Vance", "Adele", "adele@contoso.com", &format!("u{id}")] {
        let hers = json_of(&["--actor", key, "--activity", "catalog.created"]);
        assert_eq!(hers.len(), 1, "--actor {key}: {hers:?}");
        assert_eq!(hers[0]["actor"]["displayName"], "Adele", "--actor {key}");
    }
    // The administrator who acted as her finds the event too.
    let his = json_of(&["--actor", "admin@contoso.com", "--activity", "catalog.created"]);
    assert_eq!(his.len(), 1);
    // Nobody else's events are hers.
    assert!(json_of(&["--actor", "Adele Vance"]).iter().all(|e| e["actor"]["user"] == id || e["by"]["user"] == id));
    // The table says it as it was said then.
    let table = boss(&env, &["audit", "--actor", "Adele Vance", "--activity", "catalog.created"]).stdout;
    assert!(table.contains(&format!("acting as Adele (u{id})")), "{table}");
}

#[test]
fn lint_findings_name_their_object_typed() {
    let env = demo();
    let findings = env.json(&["lint"]);
    let findings = findings.as_array().expect("a list");
    assert!(!findings.is_empty(), "the demo has findings");
    for f in findings {
        let k = kind(&f["object"]);
        assert!(["package", "policy", "org", "request", "assignment", "settings"].contains(&k.as_str()), "{f}");
        assert!(f["object"][&k].is_u64() || k == "settings", "{f}");
    }
    // The table shows the id as before.
    let table = env.ok(&["lint"]);
    let first = &findings[0]["object"];
    let k = kind(first);
    let prefix = match k.as_str() {
        "package" => "pk",
        "policy" => "pol",
        "org" => "org",
        other => panic!("unexpected first finding about a {other}"),
    };
    assert!(table.contains(&format!("{prefix}{}", first[&k])), "{table}");
}
