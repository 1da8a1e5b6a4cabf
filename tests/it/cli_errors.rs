//! Exit codes and messages: refusals exit 1 with the rule's message, bad usage exits 2, unknown
//! names are named, `--json` is JSON, and a corrupt file is named and left untouched.

use crate::cli_support;

use cli_support::{Env, with};

/// A small tenant: one catalog with a team, one package with a policy, one request delivered.
fn small() -> Env {
    let env = Env::empty();
    env.ok(&["user", "create", "Adele", "adele@contoso.com"]);
    env.ok(&["group", "create", "Sales Team", "--type", "team"]);
    env.ok(&["group", "create", "Finance Group"]);
    env.ok(&["catalog", "create", "Sales"]);
    env.ok(&["catalog", "add-resource", "Sales", "Sales Team"]);
    env.ok(&["package", "create", "Sales access", "--catalog", "Sales"]);
    env.ok(&["package", "add-role", "Sales access", "Sales Team"]);
    env.ok(&["policy", "create", "Sales access", "--scope", "all-members", "--no-justification"]);
    env.ok(&["--as", "Adele", "request", "Sales access"]);
    env.ok(&["membership", "add", "Adele", "Finance Group"]);
    env
}

#[test]
fn a_refusal_exits_1_with_the_rules_message() {
    let env = small();
    let err = env.fails(&["package", "add-role", "Sales access", "Finance Group"], 1);
    assert_eq!(err.trim(), "entitle: Resource 'Finance Group' is not in catalog 'Sales': add it to the catalog first");
    // Rights are the domain's too: Adele has no catalog role.
    let err = env.fails(&with(&["--as", "Adele"], &["package", "create", "Mine", "--catalog", "Sales"]), 1);
    assert!(err.contains("access package manager role in catalog 'Sales'"), "{err}");
    // One assignment per user per package.
    let err = env.fails(&with(&["--as", "Adele"], &["request", "Sales access"]), 1);
    assert!(err.contains("already has 'Sales access'"), "{err}");
    // The clock never goes backwards.
    let err = env.fails(&["clock", "set", "2001-01-01"], 1);
    assert!(err.contains("never goes backwards"), "{err}");
}

#[test]
fn bad_usage_exits_2() {
    let env = small();
    env.fails(&["frobnicate"], 2);
    env.fails(&["clock", "advance", "3x"], 2);
    env.fails(&["request", "show", "not-an-id"], 2);
    env.fails(&["policy", "create", "Sales access", "--expire-days", "3", "--never-expire", "--scope", "none"], 2);
    let err = env.fails(&["policy", "create", "Sales access", "--scope", "all-members", "--fallback", "Adele"], 2);
    assert!(err.contains("--fallback applies to the --stage before it"), "{err}");
    let err = env.fails(&["policy", "create", "Sales access"], 2);
    assert!(err.contains("--scope"), "{err}");
}

#[test]
fn unknown_names_exit_1_naming_them() {
    let env = small();
    let err = env.fails(&["--as", "Bob", "available"], 1);
    assert!(err.contains("No user named 'Bob'"), "{err}");
    let err = env.fails(&["report", "access", "Bob"], 1);
    assert_eq!(err.trim(), "entitle: No user named 'Bob'");
    let err = env.fails(&["package", "show", "Nothing"], 1);
    assert!(err.contains("No access package named 'Nothing'"), "{err}");
}

#[test]
fn json_outputs_parse() {
    let env = small();
    let req = env.json(&["requests", "--all"])[0]["id"].to_string();
    let reads: &[&[&str]] = &[
        &["clock", "show"],
        &["user", "list"],
        &["user", "show", "Adele"],
        &["group", "list"],
        &["app", "list"],
        &["site", "list"],
        &["org", "list"],
        &["settings", "show"],
        &["catalog", "list"],
        &["catalog", "show", "Sales"],
        &["package", "list"],
        &["package", "show", "Sales access"],
        &["policy", "list"],
        &["policy", "show", "Initial policy"],
        &["--as", "Adele", "available"],
        &["--as", "Adele", "requests"],
        &["requests", "--all"],
        &["request", "show", &req],
        &["--as", "Adele", "approvals", "list"],
        &["--as", "Adele", "approvals", "history"],
        &["assignments"],
        &["reviews", "list", "--all"],
        &["--as", "Adele", "reviews"],
        &["report", "packages", "Adele"],
        &["report", "access", "Adele"],
        &["report", "holders", "Sales Team"],
        &["report", "package", "Sales access"],
        &["report", "expiring", "400"],
        &["report", "requests"],
        &["report", "drift"],
        &["lint"],
        &["audit", "--limit", "5"],
        &["--as", "Adele", "notifications"],
    ];
    for args in reads {
        let v = env.json(args);
        assert!(v.is_object() || v.is_array(), "{args:?}: {v}");
    }
    let drift = env.json(&["report", "drift"]);
    assert_eq!(drift[0]["resourceName"], "Finance Group");
    let asg = env.json(&["assignments"]);
    assert_eq!(asg.as_array().map(Vec::len), Some(1));
}

#[test]
fn a_corrupt_snapshot_is_named_and_left_alone() {
    let env = small();
    let path = env.data().join("tenant.json");
    let mut bytes = std::fs::read(&path).expect("tenant.json");
    bytes.splice(0..0, b"{ oops\n".iter().copied());
    std::fs::write(&path, &bytes).expect("write");
    let err = env.fails(&["user", "list"], 1);
    assert!(err.starts_with("entitle: ") && err.contains("tenant.json line 1"), "{err}");
    env.fails(&["user", "create", "Bob", "bob@contoso.com"], 1);
    assert_eq!(std::fs::read(&path).expect("tenant.json"), bytes, "the file was changed");
}

#[test]
fn first_run_installs_the_demo_and_init_backs_up() {
    let env = Env::new();
    let out = env.run(&["clock", "show"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let dir = env.data().display().to_string();
    assert!(out.stderr.contains(&format!("No data in {dir}: installed the demo tenant")), "{}", out.stderr);
    // A second run finds the data.
    assert!(!env.run(&["clock", "show"]).stderr.contains("No data"));
    let out = env.ok(&["init", "--empty"]);
    assert!(out.contains("backed up to") && out.contains("tenant.json.bak"), "{out}");
}

#[test]

fn answers_to_questions_survive_the_journal() {
    let env = Env::empty();
    env.ok(&["user", "create", "Adele", "adele@contoso.com"]);
    env.ok(&["package", "create", "Sales access"]);
    env.ok(&["policy", "create", "Sales access", "--scope", "all-members", "--question", "Region?", "--required"]);
    let err = env.fails(&["--as", "Adele", "request", "Sales access", "-j", "x"], 1);
    assert!(err.contains("needs an answer"), "{err}");
    let req = env.created(&["--as", "Adele", "request", "Sales access", "-j", "x", "--answer", "region?=West"]);
    let shown = env.ok(&["request", "show", &req]);
    assert!(shown.contains("Region?: West"), "{shown}");
}
