//! Policy flags: per-stage flags belong to the `--stage` before them, `--required` to the question
//! before it, `update` applies only the flags given, and `--spec FILE` takes a full PolicySpec.

use crate::cli_support;

use cli_support::Env;

#[test]
fn flags_land_on_the_stage_and_question_before_them() {
    let env = Env::empty();
    for (name, email) in [("Ann", "ann@contoso.com"), ("Ben", "ben@contoso.com"), ("Cy", "cy@contoso.com")] {
        env.ok(&["user", "create", name, email]);
    }
    env.ok(&["package", "create", "Lab"]);
    #[rustfmt::skip]
    env.ok(&[
        "policy", "create", "Lab", "--name", "Staff", "--scope", "all-members",
        "--stage", "Ann", "--timeout", "3", "--no-approver-justification",
        "--stage", "Ben,Cy", "--escalate", "2:Ann", "--timeout", "5",
        "--question", "Why?", "--required", "--choice", "Team=red|blue",
        "--expire-hours", "8", "--no-self-removal",
    ]);
    let p = env.json(&["policy", "show", "Staff"]);
    assert_eq!(p["stages"][0]["timeoutDays"], 3);
    assert_eq!(p["stages"][0]["justificationRequired"], false);
    assert_eq!(p["stages"][1]["timeoutDays"], 5);
    assert_eq!(p["stages"][1]["justificationRequired"], true);
    assert_eq!(p["stages"][1]["approvers"].as_array().map(Vec::len), Some(2));
    assert_eq!(p["stages"][1]["escalation"]["afterDays"], 2);
    assert_eq!(p["questions"][0]["required"], true);
    assert_eq!(p["questions"][1]["required"], false);
    assert_eq!(p["questions"][1]["kind"]["options"][1], "blue");
    assert_eq!(p["lifecycle"]["expiration"]["type"], "afterHours");
    assert_eq!(p["lifecycle"]["allowSelfRemoval"], false);

    // Without --stage, a per-stage flag changes every stage; the rest is left as it was.
    let out = env.ok(&["policy", "update", "Staff", "--timeout", "7"]);
    assert!(out.contains("existing assignment(s) keep their terms"), "{out}");
    let p = env.json(&["policy", "show", "Staff"]);
    assert_eq!(p["stages"][0]["timeoutDays"], 7);
    assert_eq!(p["stages"][1]["timeoutDays"], 7);
    assert_eq!(p["stages"][1]["escalation"]["afterDays"], 2);
    assert_eq!(p["questions"].as_array().map(Vec::len), Some(2));

    // The domain checks the result: an escalation after the timeout is refused.
    let err = env.fails(&["policy", "update", "Staff", "--timeout", "2"], 1);
    assert!(err.contains("escalation must be 1 days (before the 2-day timeout); you gave 2"), "{err}");

    // A full spec from a file, with a flag on top.
    let mut spec = env.json(&["policy", "show", "Staff"]);
    spec["displayName"] = "From file".into();
    let path = env.data().join("spec.json");
    std::fs::write(&path, spec.to_string()).expect("write spec");
    let file = path.display().to_string();
    env.ok(&["policy", "create", "Lab", "--spec", &file, "--no-approval"]);
    let p = env.json(&["policy", "show", "From file"]);
    assert_eq!(p["stages"].as_array().map(Vec::len), Some(0));
    assert_eq!(p["questions"].as_array().map(Vec::len), Some(2));
    std::fs::write(&path, "{\n  \"displayName\": 3\n}").expect("write spec");
    let err = env.fails(&["policy", "create", "Lab", "--spec", &file], 1);
    assert!(err.contains("spec.json line 2"), "{err}");
}

#[test]
fn a_stage_s_quorum_is_set_shown_and_counted() {
    let env = Env::empty();
    env.ok(&["clock", "freeze"]);
    env.ok(&["clock", "set", "2031-03-03"]);
    for (name, email) in [("Ann", "ann@contoso.com"), ("Ben", "ben@contoso.com"), ("Cy", "cy@contoso.com")] {
        env.ok(&["user", "create", name, email]);
    }
    env.ok(&["user", "create", "Rae", "rae@contoso.com"]);
    env.ok(&["package", "create", "Lab"]);
    env.ok(&[
        "policy",
        "create",
        "Lab",
        "--name",
        "Two of three",
        "--scope",
        "all-members",
        "--stage",
        "Ann,Ben,Cy",
        "--quorum",
        "2",
    ]);
    let p = env.json(&["policy", "show", "Two of three"]);
    assert_eq!(p["stages"][0]["quorum"], serde_json::json!({ "count": 2 }));
    assert!(env.ok(&["policy", "show", "Two of three"]).contains("needs 2 approvers"));
    // A quorum the named approvers cannot reach is refused, naming the field and the fix.
    let err = env.fails(&["policy", "update", "Two of three", "--quorum", "4"], 1);
    assert!(err.contains("Stage 1: approvals needed: 4 approvals needed, but the stage names only 3"), "{err}");
    let err = env.fails(&["policy", "update", "Two of three", "--quorum", "most"], 2);
    assert!(err.contains("use any, all, or a number of approvers"), "{err}");

    let req = env.created(&["--as", "Rae", "request", "Lab", "-j", "Lab work"]);
    // An edit while it waits changes neither its stages nor their timeout.
    env.ok(&["policy", "update", "Two of three", "--timeout", "3"]);
    let shown = env.ok(&["--as", "Rae", "request", "show", &req]);
    assert!(shown.contains("2031-03-17 00:00 (14d 0h left)") && shown.contains("1 of 1, waiting for"), "{shown}");
    assert!(shown.contains("Approvals      0 of 2\n"), "{shown}");
    let out = env.ok(&["--as", "Ann", "approve", &req, "--reason", "fine"]);
    assert!(out.contains("1 of 2 approvals"), "{out}");
    let shown = env.ok(&["--as", "Rae", "request", "show", &req]);
    assert!(shown.contains("1 of 2 (approved by Ann)"), "{shown}");
    let err = env.fails(&["--as", "Ann", "approve", &req, "--reason", "again"], 1);
    assert!(err.contains("already approved stage 1"), "{err}");
    env.ok(&["--as", "Cy", "approve", &req, "--reason", "fine"]);
    let r = env.json(&["--as", "Rae", "request", "show", &req]);
    assert_eq!(r["state"], "delivered");
}
