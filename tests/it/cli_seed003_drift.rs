//! Seed 003, the drift problem, through the command line only: grants are counted by source. A
//! membership made directly shows up as drift and survives the removal of an assignment that also
//! granted it; when two packages grant the same group, removing one keeps the membership.

use crate::cli_support;

use cli_support::{Env, column, with};

/// Finance DL in a Finance catalog, and a package granting its Member role that anyone may take.
fn finance(env: &Env, packages: &[(&str, &str)]) {
    env.ok(&["group", "create", "Finance DL", "--description", "Finance distribution list"]);
    env.ok(&["catalog", "create", "Finance"]);
    env.ok(&["catalog", "add-resource", "Finance", "Finance DL"]);
    for &(name, days) in packages {
        env.ok(&["package", "create", name, "--catalog", "Finance"]);
        env.ok(&["package", "add-role", name, "Finance DL", "Member"]);
        env.ok(&["policy", "create", name, "--scope", "all-members", "--no-justification", "--expire-days", days]);
    }
}

#[test]
fn a_direct_membership_survives_the_removal_of_the_assignment() {
    let env = Env::empty();
    env.ok(&["user", "create", "Dana Drift", "dana@contoso.com", "--department", "Finance"]);
    finance(&env, &[("Finance Audit", "90")]);
    assert!(env.ok(&["report", "drift"]).contains("No memberships outside access packages"));

    // Someone adds Dana to the list by hand: drift, on a resource a package governs.
    let out = env.ok(&["membership", "add", "Dana", "Finance DL"]);
    assert!(out.contains("Dana Drift now holds Finance DL (Member) directly"), "{out}");
    let drift = env.json(&["report", "drift"]);
    assert_eq!(column(&drift, "userName"), ["Dana Drift"]);
    assert_eq!(drift[0]["via"], serde_json::json!([{"type": "direct"}]));
    assert_eq!(drift[0]["governed"], true);

    // Later she is also granted it by the package: two sources, still drift.
    let dana = ["--as", "Dana"];
    let out = env.ok(&with(&dana, &["request", "Finance Audit"]));
    assert!(out.contains("delivered"), "{out}");
    let asg = column(&env.json(&["assignments", "--user", "Dana"]), "id").remove(0);
    let access = env.json(&["report", "access", "Dana"]);
    assert_eq!(column(&access, "resourceName"), ["Finance DL"]);
    let asg_n: u64 = asg.parse().expect("a numeric id");
    assert_eq!(access[0]["via"][0], serde_json::json!({"type": "direct"}));
    assert_eq!(access[0]["via"][1]["assignment"], asg_n, "{access}");
    assert_eq!(access[0]["via"][1]["packageName"], "Finance Audit", "{access}");
    let drift = env.ok(&["report", "drift"]);
    assert!(drift.contains("Dana Drift") && drift.contains("direct, Finance Audit"), "{drift}");

    // The assignment is removed: the package's grant goes, the direct one stays.
    let out = env.ok(&["remove", &asg, "--reason", "Audit finished"]);
    assert!(out.contains("removed"), "{out}");
    assert_eq!(column(&env.json(&["assignments", "--user", "Dana"]), "state"), ["removed"]);
    let access = env.ok(&["report", "access", "Dana"]);
    assert!(
        access.contains("Finance DL") && access.contains("direct") && !access.contains("Finance Audit"),
        "{access}"
    );
    let holders = env.json(&["report", "holders", "Finance DL"]);
    assert_eq!(column(&holders, "userName"), ["Dana Drift"]);
    assert_eq!(holders[0]["via"], serde_json::json!([{"type": "direct"}]));
    let drift = env.json(&["report", "drift"]);
    assert_eq!(drift[0]["via"], serde_json::json!([{"type": "direct"}]));
    assert!(env.ok(&with(&dana, &["notifications"])).contains("was removed"));

    // Only taking the direct membership away ends it.
    let out = env.ok(&["membership", "remove", "Dana", "Finance DL"]);
    assert!(out.contains("Dana Drift no longer holds it"), "{out}");
    assert!(env.ok(&["report", "access", "Dana"]).contains("Dana Drift holds no resource"));
    assert!(env.ok(&["report", "drift"]).contains("No memberships outside access packages"));
    let err = env.fails(&["membership", "remove", "Dana", "Finance DL"], 1);
    assert!(err.contains("holds no direct Member membership"), "{err}");
}

#[test]
fn two_packages_granting_the_same_group_removing_one_keeps_the_membership() {
    let env = Env::empty();
    env.ok(&["user", "create", "Olly Overlap", "olly@contoso.com", "--department", "Finance"]);
    finance(&env, &[("Finance Audit", "90"), ("Finance Close", "365")]);
    let olly = ["--as", "Olly"];
    env.ok(&with(&olly, &["request", "Finance Audit"]));
    env.ok(&with(&olly, &["request", "Finance Close"]));

    // One membership, two sources, and no drift.
    let access = env.json(&["report", "access", "Olly"]);
    assert_eq!(column(&access, "resourceName"), ["Finance DL"]);
    assert_eq!(access[0]["via"].as_array().map(Vec::len), Some(2), "{access}");
    assert!(env.ok(&["report", "drift"]).contains("No memberships outside access packages"));

    // Removing the Audit assignment leaves Olly in the group through Finance Close.
    let list = env.json(&["assignments", "--user", "Olly", "--package", "Finance Audit"]);
    let audit = column(&list, "id").remove(0);
    env.ok(&["remove", &audit, "--reason", "Audit finished"]);
    let access = env.json(&["report", "access", "Olly"]);
    assert_eq!(column(&access, "resourceName"), ["Finance DL"]);
    let via = access[0]["via"].as_array().cloned().unwrap_or_default();
    assert_eq!(via.len(), 1, "{access}");
    assert_eq!(via[0]["packageName"], "Finance Close", "{access}");
    let holders = env.ok(&["report", "holders", "Finance DL"]);
    assert!(holders.contains("Olly Overlap") && holders.contains("Finance Close"), "{holders}");
    assert!(!holders.contains("Finance Audit"), "{holders}");
    let err = env.fails(&["membership", "remove", "Olly", "Finance DL"], 1);
    assert!(err.contains("holds no direct Member membership"), "{err}");

    // When the last source ends (Finance Close expires after a year), so does the membership.
    let out = env.ok(&["clock", "advance", "366d"]);
    assert!(out.contains("1 assignment expired"), "{out}");
    assert!(env.ok(&["report", "holders", "Finance DL"]).contains("Nobody holds Finance DL"));
    let states = env.json(&["assignments", "--user", "Olly"]);
    assert_eq!(column(&states, "state"), ["removed", "expired"]);
}
