//! Through the binary: the values of issue 6 §1 that panicked (exit 101) or bricked the data
//! directory are refusals (exit 1) that tell the range, and the tenant still works afterwards.

use crate::cli_support;

use cli_support::{Env, with};

/// An empty tenant with its clock frozen on a fixed date, a member, and a package with a
/// never-expiring policy (so only the year 9999 bounds an assignment's end).
fn tenant() -> Env {
    let env = Env::empty();
    env.ok(&["clock", "freeze"]);
    env.ok(&["clock", "set", "2031-03-03"]);
    env.ok(&["user", "create", "Adele", "adele@contoso.com"]);
    env.ok(&["group", "create", "Sales Team", "--type", "team"]);
    env.ok(&["catalog", "create", "Sales"]);
    env.ok(&["catalog", "add-resource", "Sales", "Sales Team"]);
    env.ok(&["package", "create", "Sales access", "--catalog", "Sales"]);
    env.ok(&["package", "add-role", "Sales access", "Sales Team"]);
    env.ok(&["policy", "create", "Sales access", "--scope", "all-members", "--no-justification", "--never-expire"]);
    env
}

/// Refused with exit 1 (not a panic's 101) and a message that says `text`.
#[track_caller]
fn refused(env: &Env, args: &[&str], text: &str) {
    let err = env.fails(args, 1);
    assert!(err.contains(text), "entitle {args:?}: {err}");
}

#[test]
fn policy_ranges_are_refused_and_the_tenant_keeps_working() {
    let env = tenant();
    refused(
        &env,
        &[
            "policy",
            "create",
            "Sales access",
            "--name",
            "Reviewed",
            "--scope",
            "all-members",
            "--review",
            "monthly",
            "--reviewer",
            "self",
            "--review-duration",
            "99999999",
        ],
        "The access review's duration must be 1 to 28 days (a monthly review ends before the next one opens); you gave 99999999",
    );
    refused(
        &env,
        &[
            "policy",
            "update",
            "Initial policy",
            "--review",
            "weekly",
            "--reviewer",
            "self",
            "--expire-days",
            "30",
            "--review-before-expiry",
            "99999999",
        ],
        "The review before expiry must be 1 to 3650 days; you gave 99999999",
    );
    refused(&env, &["policy", "update", "Initial policy", "--expire-days", "4294967295"], "must be 0 to 3650 days");
    // Nothing was stored: the clock and the policy still work.
    env.ok(&["clock", "advance", "1d"]);
    env.ok(&["clock", "show"]);
    env.ok(&["policy", "update", "Initial policy", "--no-review"]);
}

#[test]
fn dates_past_the_year_9999_are_refused_not_a_panic() {
    let env = tenant();
    refused(&env, &["clock", "advance", "99999999d"], "that date is past the year 9999");
    refused(&env, &["clock", "set", "+99999999999d"], "that date is past the year 9999");
    refused(
        &env,
        &["--as", "Adele", "request", "Sales access", "--start", "+99999999999d"],
        "The start date: that date is past the year 9999",
    );
    refused(
        &env,
        &["assign", "Sales access", "Adele", "--end", "+99999999999d"],
        "The end date: that date is past the year 9999",
    );
    refused(
        &env,
        &["report", "expiring", "4294967295"],
        "The number of days must be 0 to 3650 days; you gave 4294967295",
    );
    // Within range, the same commands work.
    env.ok(&["assign", "Sales access", "Adele", "--end", "9999-06-01"]);
    env.ok(&["report", "expiring", "3650"]);
    env.ok(&["clock", "show"]);
}

#[test]
fn a_justification_with_escape_codes_is_refused() {
    let env = tenant();
    let args = with(&["--as", "Adele"], &["request", "Sales access", "-j", "need it\u{1b}]0;owned\u{7}"]);
    refused(&env, &args, "The justification contains a control character");
}

/// A journal written by an older version may hold a value today's ranges refuse (a weekly review
/// open for 14 days was the old default): the data still opens, the value is shown and can be
/// mended, and the same value given today is refused.
#[test]
fn a_journaled_value_out_of_todays_range_still_opens() {
    let env = tenant();
    let journal = env.data().join("journal.jsonl");
    let text = std::fs::read_to_string(&journal).expect("a journal");
    let last = text.lines().rfind(|l| l.contains("\"create_policy\"")).expect("the policy's line");
    let seq = text.lines().filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok()?["seq"].as_u64()).max();
    let mut line: serde_json::Value = serde_json::from_str(last).expect("a JSON line");
    line["seq"] = serde_json::json!(seq.unwrap_or(0) + 1);
    let spec = &mut line["entry"]["command"]["spec"];
    spec["displayName"] = serde_json::json!("Weekly reviewed");
    spec["review"] = serde_json::json!({
        "frequency": "weekly", "startsOn": "2031-04-01T00:00:00Z", "durationDays": 14,
        "reviewers": [{"type": "selfReview"}], "fallback": [], "noResponse": "keep"
    });
    let mut text = text;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!("{line}\n"));
    std::fs::write(&journal, text).expect("the journal is written");

    let shown = env.json(&["policy", "show", "Weekly reviewed"]);
    assert_eq!(shown["review"]["durationDays"], 14, "{shown}");
    env.ok(&["clock", "show"]);
    refused(
        &env,
        &[
            "policy",
            "create",
            "Sales access",
            "--name",
            "Again",
            "--scope",
            "all-members",
            "--review",
            "weekly",
            "--reviewer",
            "self",
            "--review-duration",
            "14",
        ],
        "must be 1 to 7 days",
    );
    env.ok(&["policy", "update", "Weekly reviewed", "--review-duration", "5"]);
    assert_eq!(env.json(&["policy", "show", "Weekly reviewed"])["review"]["durationDays"], 5);
}
