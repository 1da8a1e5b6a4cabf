//! Automatic assignment through the command line: user attributes, an automatic policy with its
//! dry run, people who join, change and stop matching, the grace period on the frozen clock.

use crate::cli_support;

use cli_support::{Env, column};

const SALES: &str = r#"user.department -eq "Sales" -and user.userType -eq "Member""#;

/// The ids of the packages the user holds an active assignment to.
fn active(env: &Env, user: &str) -> Vec<String> {
    let list = env.json(&["assignments", "--user", user]);
    let states = column(&list, "state");
    column(&list, "package").into_iter().zip(states).filter(|(_, s)| s == "delivered").map(|(p, _)| p).collect()
}

#[test]
fn an_automatic_policy_assigns_by_attributes_and_removes_after_the_grace_period() {
    let env = Env::empty();
    env.ok(&["clock", "freeze"]);
    env.ok(&["clock", "set", "2031-03-03"]);
    env.ok(&["user", "create", "Ann Sales", "ann@contoso.com", "--department", "Sales"]);
    let out =
        env.ok(&["user", "create", "Bob Books", "bob@contoso.com", "--department", "Finance", "--country", "France"]);
    assert!(out.contains("Updated the attributes of Bob Books"), "{out}");
    let bob = env.ok(&["user", "show", "Bob"]);
    assert!(bob.contains("France"), "{bob}");
    env.ok(&["group", "create", "Sales Team"]);
    env.ok(&["catalog", "create", "Sales"]);
    env.ok(&["catalog", "add-resource", "Sales", "Sales Team"]);
    let pkg = env.created(&["package", "create", "Sales Essentials", "--catalog", "Sales"]);
    let pkg = pkg.trim_start_matches("pk").to_string();
    env.ok(&["package", "add-role", "Sales Essentials", "Sales Team", "Member"]);

    let create = ["policy", "create", "Sales Essentials", "--name", "Sales by department", "--rule", SALES];
    let dry = env.ok(&[&create[..], &["--grace-hours", "48", "--dry-run"]].concat());
    assert!(dry.contains("Dry run, nothing saved"), "{dry}");
    assert!(dry.contains("1: Ann Sales"), "{dry}");
    assert!(active(&env, "Ann").is_empty(), "a dry run saves nothing");
    let out = env.ok(&[&create[..], &["--grace-hours", "48"]].concat());
    assert!(out.contains("automatic: 1 assigned"), "{out}");
    assert_eq!(active(&env, "Ann"), [pkg.as_str()]);
    let show = env.ok(&["policy", "show", "Sales by department"]);
    assert!(show.contains(SALES) && show.contains("48 hours"), "{show}");

    // Bob moves to Sales: assigned. Ann moves to HR: she keeps it for the grace period.
    env.ok(&["user", "update", "Bob", "--department", "Sales"]);
    assert_eq!(active(&env, "Bob"), [pkg.as_str()]);
    env.ok(&["user", "update", "Ann", "--department", "HR"]);
    env.ok(&["clock", "advance", "1d"]);
    assert_eq!(active(&env, "Ann"), [pkg.as_str()], "within the grace period");
    let out = env.ok(&["clock", "advance", "1d"]);
    assert!(out.contains("automatic assignment removed"), "{out}");
    assert!(active(&env, "Ann").is_empty());

    // The rule's dry run on an update names who would lose it and who would gain it.
    let dry =
        env.ok(&["policy", "update", "Sales by department", "--rule", r#"user.department -in ["HR"]"#, "--dry-run"]);
    assert!(dry.contains("1: Ann Sales") && dry.contains("1: Bob Books"), "{dry}");

    // A rule that does not parse says where.
    let out = env.run(&["policy", "update", "Sales by department", "--rule", "user.department -eq Sales"]);
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("character 21"), "{}", out.stderr);
    // One automatic policy per package.
    let out = env.run(&["policy", "create", "Sales Essentials", "--name", "Another", "--rule", SALES]);
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("at most one"), "{}", out.stderr);
}
