//! Separation of duties, requests on behalf of a report and sign-in by tenant id, through the
//! command line (the clock frozen).

use crate::cli_support;

use cli_support::{Env, column, with};

fn setup() -> Env {
    let env = Env::empty();
    env.ok(&["clock", "freeze"]);
    env.ok(&["user", "create", "Mia Manager", "mia@contoso.com"]);
    env.ok(&["user", "create", "Rex Report", "rex@contoso.com", "--manager", "Mia"]);
    env.ok(&["user", "create", "Olga Other", "olga@contoso.com"]);
    env.ok(&["app", "create", "Ledger", "--role", "User,Approver"]);
    env.ok(&["catalog", "create", "Finance"]);
    env.ok(&["catalog", "add-resource", "Finance", "Ledger"]);
    for (pkg, role) in [("Payments create", "User"), ("Payments approve", "Approver")] {
        env.ok(&["package", "create", pkg, "--catalog", "Finance"]);
        env.ok(&["package", "add-role", pkg, "Ledger", role]);
        env.ok(&["policy", "create", pkg, "--scope", "all-members", "--on-behalf"]);
    }
    env
}

#[test]
fn incompatible_packages_refuse_requests_both_ways_and_show_in_the_report() {
    let env = setup();
    env.ok(&["package", "incompatible", "add", "Payments create", "Payments approve"]);
    // Both directions show on the package that does not list the other.
    let list = env.ok(&["package", "incompatible", "list", "Payments approve"]);
    assert!(list.contains("Payments create"), "{list}");
    env.ok(&["--as", "Rex", "request", "Payments approve", "-j", "Approver of the month"]);
    let err = env.fails(&["--as", "Rex", "request", "Payments create", "-j", "Both"], 1);
    assert!(err.contains("Separation of duties") && err.contains("Payments approve"), "{err}");
    // Direct assignment is refused the same way.
    let err = env.fails(&["assign", "Payments create", "Rex"], 1);
    assert!(err.contains("Separation of duties"), "{err}");

    // Someone who held both before the rule: the report and lint name them.
    env.ok(&["--as", "Olga", "request", "Payments create", "-j", "Clerk"]);
    env.ok(&["package", "incompatible", "remove", "Payments create", "Payments approve"]);
    env.ok(&["--as", "Olga", "request", "Payments approve", "-j", "Cover"]);
    assert!(env.ok(&["report", "incompatible"]).contains("Nobody holds"));
    env.ok(&["package", "incompatible", "add", "Payments approve", "Payments create"]);
    let rows = env.json(&["report", "incompatible"]);
    assert_eq!(column(&rows, "userName"), vec!["Olga Other"], "{rows}");
    let lint = env.ok(&["lint"]);
    assert!(lint.contains("incompatible-held") && lint.contains("Olga Other"), "{lint}");
    // A member without a catalog role may not read the report.
    env.fails(&["--as", "Rex", "report", "incompatible"], 1);
}

#[test]
fn a_manager_requests_for_a_report_and_others_are_refused() {
    let env = setup();
    let id = env.created(&["--as", "Mia", "request", "Payments create", "--for", "Rex", "-j", "Joins the team"]);
    let show = env.ok(&["request", "show", &id]);
    assert!(show.contains("Rex Report") && show.contains("Mia Manager"), "{show}");
    let req = env.json(&["request", "show", &id]);
    // The requestor is kept apart from the person it is for.
    assert!(req["requestor"].is_number() && req["target"]["user"].is_number(), "{req}");
    assert_ne!(req["requestor"], req["target"]["user"], "{req}");
    let rex = env.ok(&with(&["--as", "Rex"], &["notifications"]));
    assert!(rex.contains("Mia Manager requested 'Payments create' for you"), "{rex}");
    // Someone who is not the manager.
    let err = env.fails(&["--as", "Olga", "request", "Payments approve", "--for", "Rex", "-j", "x"], 1);
    assert!(err.contains("manager"), "{err}");
    // A policy that does not allow it.
    env.ok(&["policy", "update", "Initial policy", "--package", "Payments approve", "--no-on-behalf"]);
    let err = env.fails(&["--as", "Mia", "request", "Payments approve", "--for", "Rex", "-j", "x"], 1);
    assert!(err.contains("on behalf"), "{err}");
}

#[test]
fn an_external_sign_in_carries_its_tenant_id() {
    let env = setup();
    let tenant = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
    env.ok(&["user", "create", "Adele", "adele@contoso.com"]);
    env.ok(&["org", "create", "Azure Blog", "--tenant-id", tenant, "--sponsor", "Adele"]);
    env.ok(&["catalog", "create", "External", "--external"]);
    env.ok(&["package", "create", "Portal", "--catalog", "External"]);
    env.ok(&["policy", "create", "Portal", "--scope", "orgs:Azure Blog"]);
    let alex = ["--as", "alex@azureblog.net"];
    let err = env.fails(&with(&alex, &["request", "Portal", "-j", "Contractor"]), 1);
    assert!(err.contains("No policy of 'Portal'"), "{err}");
    let out = env.ok(&with(&["--as", "alex@azureblog.net", "--tenant", tenant], &["request", "Portal", "-j", "x"]));
    assert!(out.contains("delivered"), "{out}");
    let other = ["--as", "sam@azureblog.net", "--tenant", "00000000-0000-0000-0000-000000000000"];
    env.fails(&with(&other, &["request", "Portal", "-j", "x"]), 1);
}
