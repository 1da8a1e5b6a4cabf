//! A data directory written by the previous release of entitle (before ranges were checked), with
//! what that release accepted and this one refuses: a policy whose review lasts 99,999,999 days and
//! one that opens its review 999,999 days before expiry, both still in the journal. It must open,
//! say what cannot be evaluated and where, let an administrator mend it, and lose nothing.

mod cli_support;

use cli_support::Env;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/previous-version");

fn copy_of_fixture() -> Env {
    let env = Env::new();
    for f in ["tenant.json", "journal.jsonl"] {
        std::fs::copy(format!("{FIXTURE}/{f}"), env.data().join(f)).expect("copy the fixture");
    }
    env
}

#[test]
fn the_previous_versions_data_opens_says_what_is_wrong_and_is_mended() {
    let env = copy_of_fixture();
    // It opens: a read works, and warns on stderr about what cannot be evaluated.
    let out = env.run(&["clock", "show"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("2026-11-19 09:00"), "the journal's clock move is kept: {}", out.stdout);
    assert!(out.stderr.contains("pol160") && out.stderr.contains("review.durationDays"), "{}", out.stderr);
    // Both policies the old release accepted are there, and the lint names both as errors.
    let lint = env.ok(&["lint"]);
    assert!(lint.contains("pol160") && lint.contains("pol161") && lint.contains("cannot-evaluate"), "{lint}");
    // The clock moves on (nothing can be scheduled from those values, and nothing panics).
    env.ok(&["clock", "advance", "30d"]);
    // An administrator mends both, after which nothing is reported.
    env.ok(&["policy", "update", "pol160", "--no-review"]);
    env.ok(&["policy", "update", "pol161", "--review-before-expiry", "0", "--review-duration", "5"]);
    let out = env.run(&["clock", "show"]);
    assert_eq!(out.code, 0);
    assert!(!out.stderr.contains("cannot be evaluated"), "{}", out.stderr);
    assert!(!env.ok(&["lint"]).contains("cannot-evaluate"));
}

#[test]
fn a_new_command_with_the_old_values_is_refused_with_the_range() {
    let env = copy_of_fixture();
    let e = env.fails(
        &[
            "policy",
            "create",
            "Project Alpha",
            "--name",
            "Again",
            "--scope",
            "all-members",
            "--no-approval",
            "--review",
            "monthly",
            "--review-duration",
            "99999999",
            "--reviewer",
            "self",
        ],
        1,
    );
    assert!(e.contains("1 to 28 days"), "{e}");
}
