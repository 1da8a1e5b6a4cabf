//! Every `--json` output a script may read: it validates against its JSON Schema, shipped in
//! `assets/schemas/`, and keeps the conventions the README promises (camelCase names, times as
//! seconds since the epoch, ids as numbers, references as objects keyed by their kind, stages
//! counted from 1).

use crate::cli_support;

use std::path::PathBuf;

use cli_support::*;
use serde_json::Value;

/// Each output: its schema's name, who asks (empty: the administrator) and the command.
const OUTPUTS: &[(&str, &str, &[&str])] = &[
    ("clock-show", "", &["clock", "show"]),
    ("clock-preview", "", &["clock", "advance", "30d", "--dry-run"]),
    ("change", "Megan Bowen", &["request", "Project Alpha", "-j", "Staffed on the project"]),
    ("users", "", &["user", "list"]),
    ("user", "", &["user", "show", "Adele Vance"]),
    ("resources", "", &["group", "list"]),
    ("resources", "", &["app", "list"]),
    ("resources", "", &["site", "list"]),
    ("orgs", "", &["org", "list"]),
    ("org", "", &["org", "show", "Partner1"]),
    ("settings", "", &["settings", "show"]),
    ("catalogs", "", &["catalog", "list"]),
    ("catalog", "", &["catalog", "show", "External"]),
    ("extensions", "", &["extension", "list"]),
    ("packages", "", &["package", "list"]),
    ("package", "", &["package", "show", "SOX Finance Reporting"]),
    ("policies", "", &["policy", "list"]),
    ("policy", "", &["policy", "show", "pol73"]),
    ("available", "Megan Bowen", &["available"]),
    ("requests", "Pradeep Gupta", &["requests"]),
    ("request", "", &["request", "show", "req159"]),
    ("request", "", &["request", "show", "req157"]),
    ("approvals", "Adele Vance", &["approvals"]),
    ("decisions", "Debra Berger", &["approvals", "history"]),
    ("assignments", "", &["assignments"]),
    ("reviews", "", &["reviews", "--all"]),
    ("review", "", &["review", "show", "rev110"]),
    ("report-packages", "", &["report", "packages", "Megan Bowen"]),
    ("report-access", "", &["report", "access", "Megan Bowen"]),
    ("report-holders", "", &["report", "holders", "Project Alpha"]),
    ("report-holders-at", "", &["report", "holders", "Project Alpha", "--at", "2026-09-01"]),
    ("report-access-at", "", &["report", "access", "Megan Bowen", "--at", "2026-09-01"]),
    ("assignments-at", "", &["assignments", "--at", "2026-09-01"]),
    ("report-package", "", &["report", "package", "SOX Finance Reporting"]),
    ("report-expiring", "", &["report", "expiring", "365"]),
    ("requests", "", &["report", "requests"]),
    ("report-drift", "", &["report", "drift"]),
    ("report-incompatible", "", &["report", "incompatible"]),
    ("lint", "", &["lint"]),
    ("explain-request", "", &["explain", "request", "Megan Bowen", "SOX Finance Reporting"]),
    ("explain-holds", "", &["explain", "holds", "Megan Bowen", "Project Alpha"]),
    ("audit", "", &["audit"]),
    ("notifications", "Megan Bowen", &["notifications"]),
    ("review-tasks", "Adele Vance", &["reviews"]),
    ("incompatible", "", &["package", "incompatible", "list", "SOX Finance Reporting"]),
    ("policy-preview", "", &["policy", "update", "pol73", "--expire-days", "90", "--dry-run"]),
    ("config", "", &["export", "config"]),
    ("plan", "", &["plan", CONFIG]),
    ("apply", "", &["apply", CONFIG]),
    // Last: it starts the tenant over.
    ("init", "", &["init", "--demo"]),
];

/// Stands for the path of a configuration file: the demo's, exported, with one change.
const CONFIG: &str = "{config}";

/// The configuration file follows Microsoft Graph's shapes (`@odata.type`, ISO 8601 times and
/// durations), not the conventions of the other outputs: it is checked by its schema alone.
const GRAPH_SHAPED: &[&str] = &["config"];

/// The demo tenant at a fixed time, with a two-stage request half decided, so that every
/// output has rows and a request shows its stage.
fn tenant() -> Env {
    let env = Env::new();
    env.ok(&["init", "--demo"]);
    env.ok(&["clock", "freeze"]);
    env.ok(&["--as", "Debra Berger", "approve", "req159", "--reason", "Looks right"]);
    let mut config: Value = serde_json::from_str(&env.ok(&["export", "config"])).expect("the configuration");
    config["catalogs"][0]["description"] = "Changed through a file".into();
    std::fs::write(env.data().join("config-changed.json"), config.to_string()).expect("written");
    env
}

fn schemas() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets").join("schemas")
}

fn schema(name: &str) -> Value {
    let path = schemas().join(format!("{name}.schema.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn output(env: &Env, who: &str, args: &[&str]) -> Value {
    let config = env.data().join("config-changed.json");
    let config = config.to_string_lossy();
    let mut all = vec!["--json"];
    if !who.is_empty() {
        all.extend(["--as", who]);
    }
    all.extend(args.iter().map(|a| if *a == CONFIG { config.as_ref() } else { a }));
    let text = env.ok(&all);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("entitle {all:?}: not JSON ({e}):\n{text}"))
}

/// Where an output breaks the conventions: a path and what is wrong there.
fn breaches(v: &Value, path: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            // Maps keyed by data (a question's id, a state, an activity) are not names.
            let data_keys = ["answers", "counts", "byState", "activities", "roles"].iter().any(|k| path.ends_with(k));
            for (k, x) in map {
                let camel = k.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                    && k.chars().all(|c| c.is_ascii_alphanumeric());
                if !camel && !data_keys {
                    out.push(format!("{path}.{k}: a name not in camelCase"));
                }
                breaches(x, &format!("{path}.{k}"), out);
            }
        }
        Value::Array(items) => items.iter().for_each(|x| breaches(x, &format!("{path}[]"), out)),
        Value::String(s) => {
            let b = s.as_bytes();
            let rfc3339 =
                b.len() >= 19 && b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[..4].iter().all(u8::is_ascii_digit);
            if rfc3339 {
                out.push(format!("{path}: a time as text ({s}), not seconds"));
            }
            // Free text (a summary, a message, a reason) may name an id.
            let text = [
                "summary",
                "text",
                "message",
                "subject",
                "body",
                "reason",
                "justification",
                "detail",
                "why",
                "label",
                "stdout",
                "stderr",
            ];
            if !text.iter().any(|k| path.ends_with(k)) && id_in(s) {
                out.push(format!("{path}: an id inside text ({s}), not a reference"));
            }
        }
        _ => {}
    }
}

/// Whether `s` is or holds a prefixed id (`req14`, `P (asg14)`).
fn id_in(s: &str) -> bool {
    const PREFIXES: [&str; 10] = ["u", "res", "org", "cat", "pk", "pol", "req", "asg", "rev", "ext"];
    s.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
        PREFIXES
            .iter()
            .any(|p| w.strip_prefix(p).is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit())))
    })
}

#[test]
fn every_json_output_validates_against_its_schema_and_keeps_the_conventions() {
    let env = tenant();
    let samples = std::env::var_os("ENTITLE_JSON_SAMPLES").map(PathBuf::from);
    let mut failures = Vec::new();
    for (i, (name, who, args)) in OUTPUTS.iter().enumerate() {
        let v = output(&env, who, args);
        if let Some(dir) = &samples {
            let _ = std::fs::create_dir_all(dir);
            let _ = std::fs::write(dir.join(format!("{name}.{i}.json")), v.to_string());
        }
        let mut found = Vec::new();
        if !GRAPH_SHAPED.contains(name) {
            breaches(&v, "", &mut found);
        }
        failures.extend(found.into_iter().take(5).map(|b| format!("{args:?}: {b}")));
        if samples.is_some() {
            continue;
        }
        let s = schema(name);
        let validator = jsonschema::validator_for(&s).unwrap_or_else(|e| panic!("{name}: not a schema: {e}"));
        failures.extend(
            validator.iter_errors(&v).take(5).map(|e| format!("{args:?} vs {name}: {e} at {}", e.instance_path())),
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_schema_in_assets_is_one_an_output_uses() {
    let used: std::collections::BTreeSet<&str> = OUTPUTS.iter().map(|(n, _, _)| *n).collect();
    let dir = std::fs::read_dir(schemas()).expect("assets/schemas");
    for entry in dir.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let name = file.strip_suffix(".schema.json").unwrap_or(&file).to_string();
        assert!(used.contains(name.as_str()), "{file} is checked by no output");
    }
}

#[test]
fn a_change_names_what_it_created_as_a_typed_reference() {
    let env = tenant();
    let v = output(&env, "Megan Bowen", &["request", "Project Alpha", "-j", "Staffed"]);
    let id = v["created"]["request"].as_u64().expect("{\"request\": N}");
    let shown = output(&env, "", &["request", "show", &id.to_string()]);
    assert_eq!(shown["id"].as_u64(), Some(id), "the number is the id the CLI takes back");
}

#[test]
fn a_request_counts_its_stages_from_one_and_an_external_target_is_camel_case() {
    let env = tenant();
    let r = output(&env, "", &["request", "show", "req159"]);
    assert_eq!((r["stage"].as_u64(), r["stages"].as_u64()), (Some(2), Some(2)), "{r}");
    assert_eq!(r["decisions"][0]["stage"].as_u64(), Some(1), "{r}");
    let first = output(&env, "", &["request", "show", "req155"]);
    assert_eq!(first["stage"].as_u64(), Some(1), "the first stage is said, not left out: {first}");
    let ext = output(&env, "", &["request", "show", "req157"]);
    assert_eq!(ext["target"]["displayName"].as_str(), Some("Alex Wilber"), "{ext}");
    assert!(ext["target"].get("display_name").is_none(), "{ext}");
}

/// What each of `who`'s notifications is about, by kind, oldest first.
fn about(env: &Env, who: &str, kind: &str) -> Vec<Value> {
    let mail = output(env, who, &["notifications"]);
    let all = mail.as_array().cloned().unwrap_or_default();
    all.into_iter().filter(|n| n["kind"] == kind).map(|n| n["about"].clone()).collect()
}

#[test]
fn a_notification_names_what_it_is_about_as_a_typed_reference() {
    let env = tenant();
    // Megan's request for SOX Finance Reporting was approved, and granted her an assignment.
    let approved = about(&env, "Megan Bowen", "approved");
    let request = approved.first().and_then(|a| a["request"].as_u64()).expect("{\"request\": N}");
    let shown = output(&env, "", &["request", "show", &request.to_string()]);
    let assignment = shown["assignment"].as_u64().expect("the request was delivered");
    let granted = about(&env, "Megan Bowen", "granted");
    assert_eq!(granted, [serde_json::json!({ "assignment": assignment })]);

    // A clock jump's expiry notices (the day before, then the end) name that assignment.
    let before = about(&env, "Megan Bowen", "expiresSoon").len();
    env.ok(&["clock", "advance", "4d"]);
    let soon = about(&env, "Megan Bowen", "expiresSoon");
    assert_eq!(soon.len(), before + 1, "the one-day notice: {soon:?}");
    assert_eq!(soon.last(), Some(&serde_json::json!({ "assignment": assignment })));
    assert_eq!(about(&env, "Megan Bowen", "expired"), [serde_json::json!({ "assignment": assignment })]);

    // A reviewer is told of each review she is asked to do, by the review.
    let mail = output(&env, "Adele Vance", &["notifications"]);
    let opened: Vec<&Value> = mail.as_array().into_iter().flatten().filter(|n| n["kind"] == "reviewOpened").collect();
    assert!(!opened.is_empty(), "{mail}");
    for n in opened {
        let review = n["about"]["review"].as_u64().unwrap_or_else(|| panic!("about a review: {n}"));
        let name = output(&env, "", &["review", "show", &review.to_string()])["displayName"].clone();
        let name = name.as_str().unwrap_or_default();
        assert!(n["subject"].as_str().is_some_and(|s| s.contains(&format!("'{name}'"))), "{n} vs {name}");
    }
}
