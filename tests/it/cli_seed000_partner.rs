//! Seed 000, enterprise scenario 1 (partner onboarding), through the command line only: a Partner
//! Access catalog enabled for external users with a SharePoint site, a Microsoft 365 group and a
//! CRM app role; the connected organization partner1.com with an internal sponsor who approves;
//! 90-day assignments with a quarterly review; a guest made on first delivery; and, when the access
//! expires, the external-user lifecycle that blocks the guest and removes it N days later.

use crate::cli_support;

use cli_support::{Env, column, with};

#[test]
fn partner_onboarding_sponsor_approval_expiry_and_guest_lifecycle() {
    let env = Env::empty();
    env.ok(&["user", "create", "Sam Sponsor", "sam@contoso.com", "--job-title", "Partner manager"]);
    env.ok(&["user", "create", "Ivy Internal", "ivy@contoso.com"]);

    // The pitfall the seed names: a partner without sponsors sends approvals to no one.
    env.ok(&["org", "create", "Partner One", "--domain", "partner1.com"]);
    let lint = env.ok(&["lint"]);
    assert!(lint.contains("org-without-sponsors") && lint.contains("Partner One"), "{lint}");
    env.ok(&["org", "update", "partner1.com", "--add-sponsor", "Sam"]);
    assert!(!env.ok(&["lint"]).contains("org-without-sponsors"));
    let org = env.json(&["org", "show", "Partner One"]);
    assert_eq!(org["org"]["state"], "configured");
    assert_eq!(org["org"]["internalSponsors"].as_array().map(Vec::len), Some(1));

    // The three resources, into the catalog first (the package cannot use them before).
    env.ok(&["site", "create", "Partner Docs", "--url", "https://contoso.sharepoint.com/sites/partners"]);
    env.ok(&["group", "create", "Partner Collab", "--type", "m365"]);
    env.ok(&["app", "create", "CRM", "--role", "User,Admin"]);
    env.ok(&["catalog", "create", "Partner Access", "--external"]);
    env.ok(&["package", "create", "Partner Onboarding", "--catalog", "Partner Access"]);
    let err = env.fails(&["package", "add-role", "Partner Onboarding", "CRM", "User"], 1);
    assert!(err.starts_with("entitle: ") && err.contains("is not in catalog 'Partner Access'"), "{err}");
    for res in ["Partner Docs", "Partner Collab", "CRM"] {
        env.ok(&["catalog", "add-resource", "Partner Access", res]);
    }
    env.ok(&["package", "add-role", "Partner Onboarding", "Partner Docs", "Member"]);
    env.ok(&["package", "add-role", "Partner Onboarding", "Partner Collab", "Member"]);
    env.ok(&["package", "add-role", "Partner Onboarding", "CRM", "User"]);
    let cat = env.json(&["catalog", "show", "Partner Access"]);
    assert_eq!(cat["catalog"]["external"], true);
    assert_eq!(cat["catalog"]["resources"].as_array().map(Vec::len), Some(3));

    // The partner's policy: the sponsor approves, 90 days, a quarterly review by the sponsor that
    // first opens a month in.
    env.ok(&[
        "policy",
        "create",
        "Partner Onboarding",
        "--name",
        "Partner One users",
        "--scope",
        "orgs:Partner One",
        "--stage",
        "sponsors",
        "--timeout",
        "7",
        "--expire-days",
        "90",
        "--review",
        "quarterly",
        "--review-start",
        "+30d",
        "--reviewer",
        "Sam",
    ]);
    let spec = env.json(&["policy", "show", "Partner One users"]);
    assert_eq!(spec["scope"]["type"], "specificOrgs");
    assert_eq!(spec["stages"][0]["approvers"][0]["type"], "internalSponsors");
    assert_eq!(spec["lifecycle"]["expiration"]["value"], 90);
    assert_eq!(spec["review"]["frequency"], "quarterly");
    let shown = env.ok(&["package", "show", "Partner Onboarding"]);
    assert!(shown.contains("approval: sponsors") && shown.contains("quarterly review"), "{shown}");
    assert_eq!(env.ok(&["lint"]), "No findings\n");

    // Guests lose their last assignment: blocked, then removed 30 days later.
    env.ok(&["settings", "set", "--external-lifecycle", "remove:30"]);
    let settings = env.json(&["settings", "show"]);
    assert_eq!(settings["externalLifecycle"]["type"], "blockThenRemove");
    assert_eq!(settings["externalLifecycle"]["days"], 30);

    // Only the partner's people see the package; an employee does not, nor another domain.
    let ivy = ["--as", "Ivy"];
    assert!(env.ok(&with(&ivy, &["available"])).contains("No access packages you can request"));
    let err = env.fails(&["--as", "joe@elsewhere.com", "request", "Partner Onboarding", "-j", "Curious"], 1);
    assert!(err.contains("No policy of 'Partner Onboarding' lets you request it"), "{err}");

    // A partner employee, not yet in the directory, finds the package and asks for it.
    let pat = ["--as", "pat@partner1.com"];
    let available = env.ok(&with(&pat, &["available"]));
    assert!(
        available.contains("Partner Onboarding") && available.contains("Partner One users, approval"),
        "{available}"
    );
    let req = env.created(&with(&pat, &["request", "Partner Onboarding", "-j", "Joint rollout with Contoso"]));
    let mine = env.json(&with(&pat, &["requests"]));
    assert_eq!(column(&mine, "state"), ["pendingApproval"]);

    // The sponsor is told, finds it in the inbox and approves with a reason.
    let sam = ["--as", "Sam"];
    let mail = env.json(&with(&sam, &["notifications", "--unread"]));
    assert_eq!(column(&mail, "kind"), ["approvalNeeded"]);
    let subject = mail[0]["subject"].as_str().unwrap_or_default();
    assert!(subject.contains("pat@partner1.com") && subject.contains("Partner Onboarding"), "{subject}");
    assert!(mail[0]["body"].as_str().unwrap_or_default().contains(&req), "{mail}");
    let inbox = env.ok(&with(&sam, &["approvals"]));
    assert!(inbox.contains(&req) && inbox.contains("Joint rollout with Contoso"), "{inbox}");
    let err = env.fails(&with(&sam, &["approve", &req]), 1);
    assert!(err.contains("requires a reason"), "{err}");
    let out = env.ok(&with(&sam, &["approve", &req, "--reason", "Known partner, signed NDA"]));
    assert!(out.contains("delivered"), "{out}");
    let history = env.ok(&["request", "show", &req]);
    assert!(history.contains("approved by Sam Sponsor: Known partner, signed NDA"), "{history}");

    // Pat is now a guest of Partner One holding all three resources through the package.
    let guest = env.json(&["user", "show", "pat@partner1.com"]);
    assert_eq!(guest["user"]["userType"], "guest");
    assert_eq!(guest["user"]["enabled"], true);
    assert_eq!(guest["user"]["homeOrg"], org["org"]["id"]);
    let access = env.json(&["report", "access", "pat@partner1.com"]);
    assert_eq!(column(&access, "resourceName"), ["Partner Docs", "Partner Collab", "CRM"]);
    assert_eq!(column(&access, "role"), ["Member", "Member", "User"]);
    for row in access.as_array().into_iter().flatten() {
        let via = &row["via"][0];
        assert_eq!(via["packageName"], "Partner Onboarding", "{row}");
        assert!(via["assignment"].as_u64().is_some(), "{row}");
    }
    let text = env.ok(&with(&pat, &["report", "access", "pat@partner1.com"]));
    assert!(text.contains("CRM") && text.contains("Partner Onboarding"), "{text}");
    let granted = env.ok(&with(&pat, &["notifications"]));
    assert!(granted.contains("You now have access to 'Partner Onboarding'"), "{granted}");
    let list = env.json(&["assignments", "--package", "Partner Onboarding"]);
    let a = &list[0];
    let start = a["start"].as_i64().expect("start: seconds since 1970");
    let end = a["end"].as_i64().expect("end: seconds since 1970");
    assert_eq!((end - start) / 86_400, 90);

    // A month in, the quarterly review opens for the sponsor, who keeps the partner.
    let out = env.ok(&["clock", "advance", "31d"]);
    assert!(out.contains("1 review opened"), "{out}");
    let tasks = env.ok(&with(&sam, &["reviews"]));
    assert!(tasks.contains("Pat"), "{tasks}");
    let review = column(&env.json(&["reviews", "--all"]), "id").remove(0);
    env.ok(&with(&sam, &["review", "decide", &review, "Pat", "approve", "-j", "Rollout continues"]));

    // 91 days after delivery the review has kept Pat, and then the assignment expired: Pat holds
    // nothing and, as a guest with no assignment left, is blocked.
    let out = env.ok(&["clock", "advance", "60d"]);
    assert!(out.contains("1 assignment expired") && out.contains("2 expiry notices sent"), "{out}");
    assert!(out.contains("completed") && !out.contains("removed by review"), "{out}");
    assert!(env.ok(&["review", "show", &review]).contains("kept"));
    assert_eq!(column(&env.json(&["assignments", "--package", "Partner Onboarding"]), "state"), ["expired"]);
    assert!(env.ok(&["report", "access", "pat@partner1.com"]).contains("Pat holds no resource"));
    let guest = env.json(&["user", "show", "pat@partner1.com"]);
    assert_eq!(guest["user"]["enabled"], false);
    assert!(guest["user"]["removeAt"].is_i64(), "{guest}");
    let blocked = env.ok(&["audit", "--activity", "user.blocked"]);
    assert!(blocked.contains("sign-in blocked, removal on"), "{blocked}");
    assert!(env.ok(&["user", "list", "--guests"]).contains("blocked"));

    // A blocked guest's new request is refused with the rule's message, and nothing is created.
    let err = env.fails(&with(&pat, &["request", "Partner Onboarding", "-j", "Phase two"]), 1);
    assert!(err.starts_with("entitle: ") && err.contains("sign-in is blocked"), "{err}");
    assert!(err.contains("not even request access"), "{err}");
    assert_eq!(column(&env.json(&["requests", "--package", "Partner Onboarding"]), "state"), ["delivered"]);

    // 30 days after it was blocked the guest is removed from the directory.
    let out = env.ok(&["clock", "advance", "28d"]);
    assert!(!out.contains("guest removed"), "{out}");
    let out = env.ok(&["clock", "advance", "2d"]);
    assert!(out.contains("1 guest removed"), "{out}");
    let guests = env.json(&["user", "list", "--guests"]);
    assert!(guests[0]["deletedAt"].is_i64(), "{guests}");
    assert!(env.ok(&["org", "show", "Partner One"]).contains("removed"));
    let old = format!("u{}", guest["user"]["id"]);
    let err = env.fails(&["membership", "add", &old, "Partner Collab"], 1);
    assert!(err.contains("was removed from the directory"), "{err}");
    assert!(env.ok(&["report", "holders", "Partner Collab"]).contains("Nobody holds Partner Collab"));

    // Removed, Pat is a new external person again: the process starts over with the sponsor, and
    // delivery makes a new guest account.
    let again = env.created(&with(&pat, &["request", "Partner Onboarding", "-j", "Phase two"]));
    let out = env.ok(&with(&sam, &["approve", &again, "--reason", "Phase two approved"]));
    assert!(out.contains("delivered"), "{out}");
    let guests = env.json(&["user", "list", "--guests"]);
    assert_eq!(column(&guests, "email"), ["pat@partner1.com", "pat@partner1.com"]);
    let fresh = env.json(&["user", "show", "pat@partner1.com"]);
    assert_ne!(fresh["user"]["id"], guest["user"]["id"]);
    assert_eq!(fresh["user"]["enabled"], true);
    assert_eq!(column(&fresh["access"], "resourceName"), ["Partner Docs", "Partner Collab", "CRM"]);
}
