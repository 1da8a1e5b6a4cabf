//! Seed 000's compliance scenario through the command line: two approval stages (the manager with
//! a fallback, then the compliance officer) that must give reasons, 90-day assignments, and a
//! quarterly review whose unanswered items are removed when it ends.

use crate::cli_support;

use cli_support::{Env, column, with};

#[test]
fn sox_two_stages_reasons_and_a_review_that_removes() {
    let env = Env::empty();
    env.ok(&["user", "create", "Carol Compliance", "carol@contoso.com", "--job-title", "Compliance officer"]);
    env.ok(&["user", "create", "Mia Manager", "mia@contoso.com"]);
    env.ok(&["user", "create", "Fred Fallback", "fred@contoso.com"]);
    env.ok(&["user", "create", "Eve Employee", "eve@contoso.com", "--manager", "Mia"]);
    env.ok(&["app", "create", "Finance App", "--role", "User,Admin"]);
    env.ok(&["catalog", "create", "Finance"]);
    env.ok(&["catalog", "add-resource", "Finance", "Finance App"]);
    env.ok(&["package", "create", "SOX Finance", "--catalog", "Finance", "--sensitive"]);
    env.ok(&["package", "add-role", "SOX Finance", "Finance App", "User"]);

    // The manager as approver needs a fallback: the domain says so.
    let err = env.fails(&["policy", "create", "SOX Finance", "--scope", "all-members", "--stage", "manager"], 1);
    assert!(err.starts_with("entitle: ") && err.contains("fallback approver is required"), "{err}");

    let policy = [
        "policy",
        "create",
        "SOX Finance",
        "--name",
        "Employees",
        "--scope",
        "all-members",
        "--stage",
        "manager",
        "--fallback",
        "Fred",
        "--timeout",
        "5",
        "--stage",
        "Carol",
        "--timeout",
        "7",
        "--expire-days",
        "90",
        "--review",
        "quarterly",
        "--review-start",
        "+7d",
        "--review-duration",
        "14",
        "--reviewer",
        "manager",
        "--review-fallback",
        "Carol",
        "--no-response",
        "remove",
    ];
    env.ok(&policy);
    let spec = env.json(&["policy", "show", "Employees"]);
    assert_eq!(spec["stages"][0]["approvers"][0]["type"], "manager");
    assert_eq!(spec["stages"][0]["fallback"][0]["type"], "user");
    assert_eq!(spec["stages"][0]["timeoutDays"], 5);
    assert_eq!(spec["stages"][1]["timeoutDays"], 7);
    assert_eq!(spec["stages"][1]["justificationRequired"], true);
    assert_eq!(spec["lifecycle"]["expiration"]["value"], 90);
    assert_eq!(spec["review"]["noResponse"], "remove");
    let lint = env.ok(&["lint"]);
    assert!(!lint.contains("manager-without-fallback") && !lint.contains("no-expiration"), "{lint}");

    // Eve asks with a business justification (without one she is refused).
    let eve = ["--as", "Eve"];
    let err = env.fails(&with(&eve, &["request", "SOX Finance"]), 1);
    assert!(err.contains("requires a business justification"), "{err}");
    let req = env.created(&with(&eve, &["request", "SOX Finance", "-j", "Quarter close"]));

    // Stage 1: Mia, her manager; a decision without a reason is refused.
    let mia = ["--as", "Mia"];
    let err = env.fails(&with(&mia, &["approve", &req]), 1);
    assert!(err.contains("requires a reason from the approver at stage 1"), "{err}");
    let err = env.fails(&with(&["--as", "Carol"], &["approve", &req, "--reason", "too early"]), 1);
    assert!(err.contains("not routed to you"), "{err}");
    let out = env.ok(&with(&mia, &["approve", &req, "--reason", "Needs it for the close"]));
    assert!(out.contains("Stage 1 of 2 approved; it now waits for"), "{out}");
    assert!(!out.contains("pendingApproval"), "said in people's words: {out}");

    // Stage 2: the compliance officer.
    let carol = ["--as", "Carol"];
    let inbox = env.ok(&with(&carol, &["approvals", "list"]));
    assert!(inbox.contains(&req) && inbox.contains("2/2"), "{inbox}");
    let out = env.ok(&with(&carol, &["approve", &req, "--reason", "SOX ok"]));
    assert!(out.contains("delivered"), "{out}");
    let history = env.ok(&["request", "show", &req]);
    assert!(history.contains("approved by Mia Manager: Needs it for the close"), "{history}");

    // 90 days of access.
    let list = env.json(&["assignments", "--package", "SOX Finance"]);
    let a = &list[0];
    let start = a["start"].as_i64().expect("start: seconds since 1970");
    let end = a["end"].as_i64().expect("end: seconds since 1970");
    assert_eq!((end - start) / 86_400, 90);

    // The review opens a week in, nobody answers, and when it ends the assignment is removed.
    let out = env.ok(&["clock", "advance", "30d"]);
    assert!(out.contains("opened") && out.contains("1 assignment removed by review"), "{out}");
    assert_eq!(column(&env.json(&["assignments", "--package", "SOX Finance"]), "state"), ["removed"]);
    assert!(env.ok(&["report", "access", "Eve"]).contains("holds no resource"));
    let reviews = env.json(&["reviews", "list", "--all"]);
    assert_eq!(column(&reviews, "state"), ["completed"]);
    let rev = column(&reviews, "id").remove(0);
    assert!(env.ok(&["review", "show", &rev]).contains("removed"));
}
