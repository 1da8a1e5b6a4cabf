//! A person's history stays theirs when they join the directory: Alex, outside it, cancels a
//! request, asks again, is approved and becomes a guest; his canceled request is still in his
//! list, and his to read by id (issue 8, finding 9).

use crate::cli_support;

use cli_support::{Env, column, with};

#[test]
fn requests_made_from_outside_stay_in_the_list_of_the_guest_they_became() {
    let env = Env::new();
    let alex = ["--as", "alex@azureblog.net"];
    let ids = |v: &serde_json::Value| column(v, "id");
    let before = env.json(&with(&alex, &["requests"]));
    let first = ids(&before).first().cloned().expect("Alex's pending request in the demo");
    let first = format!("req{first}");
    env.ok(&with(&alex, &["request", "cancel", &first]));
    let again = env.created(&with(&alex, &["request", "External_AccessPackage", "--justification", "Again"]));
    env.ok(&["--as", "adelev@contoso.com", "approve", &again, "--reason", "ok"]);
    let users = env.ok(&["user", "list"]);
    assert!(users.contains("alex@azureblog.net") && users.contains("guest"), "Alex is a guest now:\n{users}");

    let after = env.json(&with(&alex, &["requests"]));
    let number = |id: &str| id.trim_start_matches("req").to_string();
    assert_eq!(ids(&after), vec![number(&again), number(&first)], "both, newest first: {after}");
    let shown = env.ok(&with(&alex, &["request", "show", &first]));
    assert!(shown.contains("canceled"), "{shown}");
    // Someone else still may not read it.
    env.fails(&["--as", "allande@contoso.com", "request", "show", &first], 1);
}
