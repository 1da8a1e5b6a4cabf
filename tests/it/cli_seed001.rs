//! Seed 001, the Azure AD Identity Governance lab, end to end through the command line only:
//! an internal package without approval, an external one approved by the sponsor, a guest made on
//! first delivery, and both assignments expiring a year later.

use crate::cli_support;

use cli_support::{Env, column, with};

#[test]
fn seed_001_lab_through_the_cli() {
    let env = Env::empty();

    // The directory, the partner and the team.
    env.ok(&["user", "create", "Adele", "adele@contoso.com", "--job-title", "Access package manager"]);
    env.ok(&["user", "create", "Allan", "allan@contoso.com"]);
    env.ok(&["org", "create", "Azureblog", "--domain", "azureblog.net", "--sponsor", "Adele"]);
    env.ok(&["group", "create", "External_Collaboration", "--type", "team"]);

    // The catalog, enabled and enabled for external users, with the team and Adele as manager.
    env.ok(&["catalog", "create", "External", "--external"]);
    env.ok(&["catalog", "add-resource", "External", "External_Collaboration"]);
    env.ok(&["catalog", "grant-role", "External", "Adele", "access-package-manager"]);

    // Adele builds both packages with her catalog role.
    let adele = ["--as", "Adele"];
    env.ok(&with(&adele, &["package", "create", "Internal_AccessPackage", "--catalog", "External"]));
    env.ok(&with(&adele, &["package", "add-role", "Internal_AccessPackage", "External_Collaboration", "Member"]));
    env.ok(&with(
        &adele,
        &[
            "policy",
            "create",
            "Internal_AccessPackage",
            "--scope",
            "all-members",
            "--expire-days",
            "365",
            "--allow-extension",
        ],
    ));
    env.ok(&with(&adele, &["package", "create", "External_AccessPackage", "--catalog", "External"]));
    env.ok(&with(&adele, &["package", "add-role", "External_AccessPackage", "External_Collaboration"]));
    env.ok(&with(
        &adele,
        &["policy", "create", "External_AccessPackage", "--scope", "orgs:Azureblog", "--stage", "Adele"],
    ));
    let shown = env.ok(&["package", "show", "External_AccessPackage"]);
    assert!(shown.contains("External_Collaboration") && shown.contains("approval: Adele"), "{shown}");

    // Allan sees only the internal package, requests it, and is in the team at once.
    let allan = ["--as", "Allan"];
    let available = env.json(&with(&allan, &["available"]));
    let names: Vec<&str> =
        available.as_array().into_iter().flatten().filter_map(|x| x["package"]["displayName"].as_str()).collect();
    assert_eq!(names, ["Internal_AccessPackage"]);
    let out = env.ok(&with(&allan, &["request", "Internal_AccessPackage", "--justification", "Project work"]));
    assert!(out.contains("delivered"), "{out}");
    let access = env.ok(&["report", "access", "Allan"]);
    assert!(access.contains("External_Collaboration") && access.contains("Internal_AccessPackage"), "{access}");

    // Alex, not yet in the directory, requests the external package through the link.
    let alex = ["--as", "alex@azureblog.net"];
    let available = env.ok(&with(&alex, &["available"]));
    assert!(available.contains("External_AccessPackage") && !available.contains("Internal_"), "{available}");
    let req = env.created(&with(&alex, &["request", "External_AccessPackage", "-j", "Contractor on the project"]));

    // Adele finds it in her approvals and approves with a reason.
    let inbox = env.ok(&with(&adele, &["approvals", "list"]));
    assert!(inbox.contains(&req) && inbox.contains("alex@azureblog.net"), "{inbox}");
    let out = env.ok(&with(&adele, &["approve", &req, "--reason", "Known contractor"]));
    assert!(out.contains("delivered"), "{out}");
    assert!(env.ok(&with(&adele, &["approvals"])).contains("Nothing waits"));

    // Alex is now a guest holding the team.
    let alex_user = env.json(&["user", "show", "alex@azureblog.net"]);
    assert_eq!(alex_user["user"]["userType"], "guest");
    assert_eq!(column(&alex_user["access"], "resourceName"), ["External_Collaboration"]);
    let holders = env.json(&["report", "holders", "External_Collaboration"]);
    assert_eq!(column(&holders, "userName"), ["Alex", "Allan"]);

    // A year and a day later both assignments have expired and nobody holds the team.
    let out = env.ok(&["clock", "advance", "366d"]);
    assert!(out.contains("2 assignments expired"), "{out}");
    let holders = env.ok(&["report", "holders", "External_Collaboration"]);
    assert!(holders.contains("Nobody holds External_Collaboration"), "{holders}");
    let states = env.json(&["assignments"]);
    assert_eq!(column(&states, "state"), ["expired", "expired"]);
    let mail = env.ok(&with(&allan, &["notifications", "--unread"]));
    assert!(mail.contains("has expired"), "{mail}");
}
