//! Seed 000, enterprise scenario 2 (employee project-based access), through the command line only:
//! Project Alpha bundles a Team, an app role and a SharePoint site for internal users; the manager
//! approves (a fallback approver serves those without one) for 180 days; a request nobody decides
//! expires; and the monthly access review removes the assignment its reviewer denies.

use crate::cli_support;

use cli_support::{Env, column, with};

#[test]
fn project_alpha_manager_approval_timeout_and_monthly_review() {
    let env = Env::empty();
    env.ok(&["user", "create", "Mia Manager", "mia@contoso.com", "--job-title", "Project lead"]);
    env.ok(&["user", "create", "Fred Fallback", "fred@contoso.com", "--job-title", "PMO"]);
    env.ok(&["user", "create", "Eve Employee", "eve@contoso.com", "--manager", "Mia"]);
    env.ok(&["user", "create", "Tom Tardy", "tom@contoso.com", "--manager", "Mia"]);
    env.ok(&["user", "create", "Nora Newhire", "nora@contoso.com"]);

    // Project Alpha: a Team, the project management app's Contributor role and the project site.
    env.ok(&["group", "create", "Project Alpha Team", "--type", "team"]);
    env.ok(&["app", "create", "Alpha Tracker", "--role", "Contributor,Admin"]);
    env.ok(&["site", "create", "Alpha Site", "--url", "https://contoso.sharepoint.com/sites/alpha"]);
    env.ok(&["catalog", "create", "Projects"]);
    for res in ["Project Alpha Team", "Alpha Tracker", "Alpha Site"] {
        env.ok(&["catalog", "add-resource", "Projects", res]);
    }
    env.ok(&["package", "create", "Project Alpha", "--catalog", "Projects"]);
    env.ok(&["package", "add-role", "Project Alpha", "Project Alpha Team", "Member"]);
    env.ok(&["package", "add-role", "Project Alpha", "Alpha Tracker", "Contributor"]);
    env.ok(&["package", "add-role", "Project Alpha", "Alpha Site", "Member"]);

    // Internal users, the manager approves with Fred as fallback, 6 months, monthly review by the
    // manager (Fred for those without one).
    let policy = [
        "policy",
        "create",
        "Project Alpha",
        "--name",
        "Project members",
        "--scope",
        "all-members",
        "--stage",
        "manager",
        "--fallback",
        "Fred",
        "--timeout",
        "7",
        "--expire-days",
        "180",
        "--review",
        "monthly",
        "--review-duration",
        "7",
        "--reviewer",
        "manager",
        "--review-fallback",
        "Fred",
    ];
    env.ok(&policy);
    let spec = env.json(&["policy", "show", "Project members"]);
    assert_eq!(spec["scope"]["type"], "allMembers");
    assert_eq!(spec["stages"][0]["approvers"][0]["type"], "manager");
    assert_eq!(spec["stages"][0]["fallback"][0]["type"], "user");
    assert_eq!(spec["stages"][0]["timeoutDays"], 7);
    assert_eq!(spec["lifecycle"]["expiration"]["value"], 180);
    assert_eq!(spec["review"]["frequency"], "monthly");
    assert_eq!(env.ok(&["lint"]), "No findings\n");

    // Eve requests; her manager finds it in the inbox and approves.
    let eve = ["--as", "Eve"];
    let available = env.ok(&with(&eve, &["available"]));
    assert!(available.contains("Project Alpha") && available.contains("Project members, approval"), "{available}");
    let req = env.created(&with(&eve, &["request", "Project Alpha", "-j", "Staffed on Project Alpha"]));
    let mia = ["--as", "Mia"];
    let inbox = env.ok(&with(&mia, &["approvals"]));
    assert!(inbox.contains(&req) && inbox.contains("Eve Employee") && inbox.contains("1/1"), "{inbox}");
    assert!(env.ok(&with(&["--as", "Fred"], &["approvals"])).contains("Nothing waits"));
    let out = env.ok(&with(&mia, &["approve", &req, "--reason", "Eve joins the project"]));
    assert!(out.contains("delivered"), "{out}");

    // Nora has no manager: the fallback approver decides for her.
    let nora_req = env.created(&with(&["--as", "Nora"], &["request", "Project Alpha", "-j", "New on the team"]));
    let shown = env.ok(&["request", "show", &nora_req]);
    assert!(shown.contains("waiting for Fred Fallback"), "{shown}");
    env.ok(&with(&["--as", "Fred"], &["approve", &nora_req, "--reason", "PMO staffing list"]));

    // The Team's holders, via the package; six months of access.
    let holders = env.json(&["report", "holders", "Project Alpha Team"]);
    assert_eq!(column(&holders, "userName"), ["Eve Employee", "Nora Newhire"]);
    for row in holders.as_array().into_iter().flatten() {
        let via = &row["via"][0];
        assert_eq!(via["packageName"], "Project Alpha", "{row}");
        assert!(via["assignment"].as_u64().is_some(), "{row}");
    }
    let text = env.ok(&["report", "holders", "Project Alpha Team"]);
    assert!(text.contains("Eve Employee") && text.contains("Project Alpha (asg"), "{text}");
    let access = env.json(&with(&eve, &["report", "access", "Eve"]));
    assert_eq!(column(&access, "resourceName"), ["Project Alpha Team", "Alpha Tracker", "Alpha Site"]);
    assert_eq!(column(&access, "role"), ["Member", "Contributor", "Member"]);
    let list = env.json(&["assignments", "--user", "Eve"]);
    let start = list[0]["start"].as_i64().expect("start: seconds since 1970");
    let end = list[0]["end"].as_i64().expect("end: seconds since 1970");
    assert_eq!((end - start) / 86_400, 180);

    // Tom's request is never decided: after the 7-day timeout it has expired.
    let tom = ["--as", "Tom"];
    let tom_req = env.created(&with(&tom, &["request", "Project Alpha", "-j", "Might help out"]));
    let out = env.ok(&["clock", "advance", "8d"]);
    assert!(out.contains("1 request timed out"), "{out}");
    let mine = env.ok(&with(&tom, &["requests"]));
    assert!(mine.contains(&tom_req) && mine.contains("expired"), "{mine}");
    assert_eq!(column(&env.json(&with(&tom, &["requests"])), "state"), ["expired"]);
    assert!(env.ok(&with(&mia, &["approvals"])).contains("Nothing waits"));
    let err = env.fails(&with(&mia, &["approve", &tom_req, "--reason", "late"]), 1);
    assert!(err.contains("is expired without a decision, not waiting for approval"), "{err}");
    assert!(env.ok(&with(&tom, &["notifications"])).contains("expired without a decision"));
    assert!(env.ok(&["report", "access", "Tom"]).contains("Tom Tardy holds no resource"));

    // A month after the policy was made the first monthly review opens: Mia reviews Eve, Fred
    // reviews Nora.
    let out = env.ok(&["clock", "advance", "23d"]);
    assert!(out.contains("1 review opened"), "{out}");
    let tasks = env.json(&with(&mia, &["reviews", "list"]));
    assert_eq!(tasks.as_array().map(Vec::len), Some(1), "{tasks}");
    let review = tasks[0]["review"].to_string();
    let text = env.ok(&with(&mia, &["reviews", "list"]));
    assert!(text.contains("Eve Employee") && !text.contains("Nora"), "{text}");
    assert!(env.ok(&with(&mia, &["notifications", "--unread"])).contains("needs you"));
    let text = env.ok(&with(&["--as", "Fred"], &["reviews"]));
    assert!(text.contains("Nora Newhire") && !text.contains("Eve"), "{text}");

    // Eve left the project: Mia denies (a reason is required; Fred is not her reviewer).
    let err = env.fails(&with(&mia, &["review", "decide", &review, "Eve", "deny"]), 1);
    assert!(err.contains("Give a reason"), "{err}");
    let err = env.fails(&with(&["--as", "Fred"], &["review", "decide", &review, "Eve", "deny", "-j", "x"]), 1);
    assert!(err.contains("not a reviewer"), "{err}");
    let out = env.ok(&with(&mia, &["review", "decide", &review, "Eve", "deny", "-j", "Moved to Project Beta"]));
    assert!(out.contains("applied when the review ends"), "{out}");
    env.ok(&with(&["--as", "Fred"], &["review", "decide", &review, "Nora", "approve", "-j", "Still staffed"]));

    // Until the review ends, Eve keeps her access; at its end the deny removes the assignment.
    assert!(env.ok(&["report", "access", "Eve"]).contains("Project Alpha Team"));
    let out = env.ok(&["clock", "advance", "7d"]);
    assert!(out.contains("1 assignment removed by review") && out.contains("completed"), "{out}");
    assert!(env.ok(&["report", "access", "Eve"]).contains("Eve Employee holds no resource"));
    let states = env.json(&["assignments", "--package", "Project Alpha"]);
    assert_eq!(column(&states, "state"), ["removed", "delivered"]);
    let holders = env.json(&["report", "holders", "Project Alpha Team"]);
    assert_eq!(column(&holders, "userName"), ["Nora Newhire"]);
    let shown = env.ok(&["review", "show", &review]);
    assert!(shown.contains("Moved to Project Beta") && shown.contains("removed") && shown.contains("kept"), "{shown}");
    let all = env.json(&["requests", "--all"]);
    let system: Vec<&serde_json::Value> =
        all.as_array().into_iter().flatten().filter(|r| r["requestType"] == "systemRemove").collect();
    assert_eq!(system.len(), 1, "{all}");
    assert!(env.ok(&with(&eve, &["notifications"])).contains("removed after an access review"));

    // The next month's review covers only who is still assigned.
    let out = env.ok(&["clock", "advance", "25d"]);
    assert!(out.contains("opened"), "{out}");
    let reviews = env.json(&["reviews", "--all"]);
    assert_eq!(column(&reviews, "state"), ["completed", "inProgress"]);
    assert_eq!(reviews[1]["items"].as_array().map(Vec::len), Some(1), "{reviews}");
    assert!(env.ok(&with(&mia, &["reviews"])).contains("No open review tasks"));
    assert!(env.ok(&with(&["--as", "Fred"], &["reviews"])).contains("Nora Newhire"));
}
