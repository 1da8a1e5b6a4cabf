//! `entitle requests` and `entitle approvals history` a page at a time: `--limit N` shows the
//! newest N and says how many more there are and how to see them; JSON gives every row unless
//! `--limit` is given, in the same shape as before.

use crate::cli_support;

use cli_support::{Env, column, with};

#[test]
fn requests_and_decisions_show_a_limited_page_and_say_how_many_more() {
    let env = Env::new();
    let alex = ["--as", "alex@azureblog.net"];
    let first = column(&env.json(&with(&alex, &["requests"])), "id").first().cloned().expect("Alex's request");
    env.ok(&with(&alex, &["request", "cancel", &format!("req{first}")]));
    let again = env.created(&with(&alex, &["request", "External_AccessPackage", "--justification", "Again"]));
    let adele = ["--as", "adelev@contoso.com"];
    env.ok(&with(&adele, &["approve", &again, "--reason", "ok"]));
    let again = again.trim_start_matches("req").to_string();

    // Every row in JSON, as before; --limit cuts it.
    let all = column(&env.json(&with(&alex, &["requests"])), "id");
    assert_eq!(all, vec![again.clone(), first.clone()], "newest first");
    assert_eq!(column(&env.json(&with(&alex, &["requests", "--limit", "1"])), "id"), vec![again.clone()]);
    // In text, the newest and how many are left out, and how to see them.
    let page = env.ok(&with(&alex, &["requests", "--limit", "1"]));
    assert!(page.contains(&again) && !page.contains(&first), "{page}");
    assert!(page.contains("1 more: --limit 0"), "{page}");
    let whole = env.ok(&with(&alex, &["requests", "--limit", "0"]));
    assert!(whole.contains(&again) && whole.contains(&first) && !whole.contains("more:"), "{whole}");
    let default = env.ok(&with(&alex, &["requests"]));
    assert_eq!(default, whole, "two rows fit the default page");

    let decided = env.json(&with(&adele, &["approvals", "history"]));
    let n = decided.as_array().map_or(0, Vec::len);
    assert!(n >= 1, "{decided}");
    let one = env.json(&with(&adele, &["approvals", "history", "--limit", "1"]));
    assert_eq!(one.as_array().map(Vec::len), Some(1));
    assert_eq!(one.get(0), decided.get(0), "the newest decision, in the same shape");
    let page = env.ok(&with(&adele, &["approvals", "history", "--limit", "1"]));
    if n > 1 {
        assert!(page.contains(&format!("{} more: --all", n - 1)), "{page}");
    }
    assert!(!env.ok(&with(&adele, &["approvals", "history", "--all"])).contains("more:"));
}
