//! Reads, sign-in and printing through the real binary (issue 6 §3, §4, §6): a representative set
//! of the read matrix on the demo tenant, team mode and "X acting as Y", and control characters
//! kept off the terminal.

use crate::cli_support;

use cli_support::*;

/// The reads tried, each with its expected exit per person (0 shown, 1 refused), in the order of
/// `PEOPLE`.
const READS: &[(&[&str], &str)] = &[
    (&["user", "show", "Megan Bowen"], "000011"),
    (&["package", "show", "pk72"], "000011"),
    (&["report", "access", "Megan Bowen"], "000111"),
    (&["report", "package", "pk72"], "001111"),
    (&["assignments"], "000011"),
    (&["requests", "--all"], "000010"),
    (&["audit", "--limit", "5"], "001111"),
    (&["catalog", "show", "Finance"], "001111"),
    (&["notifications"], "000011"),
    (&["clock", "show"], "000010"),
];

/// The administrator, Debra (Finance owner), Megan (holds SOX), Raul (plain member), Kai (a guest,
/// blocked below) and an unknown outsider.
const PEOPLE: &[&str] =
    &["admin@contoso.com", "Debra Berger", "Megan Bowen", "Raul Razo", "Kai Carter", "mallory@evil.example"];

#[test]
fn the_read_matrix_through_the_binary() {
    let env = Env::new();
    env.ok(&["user", "update", "Kai Carter", "--block"]);
    let mut checked = 0;
    for (read, row) in READS {
        for (who, want) in PEOPLE.iter().zip(row.chars()) {
            let out = env.run(&with(&["--as", who], read));
            let want = if want == '0' { 0 } else { 1 };
            assert_eq!(out.code, want, "{read:?} as {who}:\n{}{}", out.stdout, out.stderr);
            checked += 1;
        }
    }
    assert_eq!(checked, 60);
}

#[test]
fn megan_sees_her_own_sox_assignment_and_nobody_elses() {
    let env = Env::new();
    let all = env.ok(&["package", "show", "pk72"]);
    assert!(all.contains("asg143") && all.contains("asg131"), "{all}");
    let mine = env.ok(&["--as", "Megan Bowen", "package", "show", "pk72"]);
    assert!(mine.contains("asg131"), "{mine}");
    assert!(!mine.contains("asg143") && !mine.contains("Debra Berger  delivered"), "{mine}");
    // A plain member sees Megan's profile, not what she holds.
    let raul = env.ok(&["--as", "Raul Razo", "user", "show", "Megan Bowen"]);
    assert!(raul.contains("meganb@contoso.com") && raul.contains("Debra Berger"), "{raul}");
    assert!(!raul.contains("SOX") && !raul.contains("asg131"), "{raul}");
    // An outsider and a blocked guest are refused, with the rule.
    let e = env.fails(&["--as", "mallory@evil.example", "user", "show", "Megan Bowen"], 1);
    assert!(e.contains("not in the directory"), "{e}");
    env.ok(&["user", "update", "Kai Carter", "--block"]);
    let e = env.fails(&["--as", "Kai Carter", "package", "show", "pk72"], 1);
    assert!(e.contains("blocked") && e.contains("reads included"), "{e}");
}

fn boss(env: &Env, args: &[&str]) -> Out {
    env.run_with(args, &[("ENTITLE_LOGIN", "boss")])
}

fn adele(env: &Env, args: &[&str]) -> Out {
    env.run_with(args, &[("ENTITLE_LOGIN", "adele")])
}

#[test]
fn team_mode_signs_in_by_login_and_only_an_administrator_acts_as_others() {
    let env = Env::new();
    let init = env.run_with(&["init", "--empty", "--admin", "admin@contoso.com"], &[("ENTITLE_LOGIN", "boss")]);
    assert!(init.stdout.contains("Team mode: your login 'boss'"), "{}", init.stdout);
    assert_eq!(boss(&env, &["user", "create", "Adele", "adele@contoso.com"]).code, 0);
    assert_eq!(boss(&env, &["user", "update", "Adele", "--login", "adele"]).code, 0);
    // Adele is Adele: her login says so, and --as someone else is refused.
    let me = adele(&env, &["--json", "settings", "show"]);
    assert_eq!(me.code, 1, "Adele has no role to read settings");
    let e = adele(&env, &["--as", "admin@contoso.com", "user", "create", "Eve", "eve@contoso.com"]);
    assert_eq!(e.code, 1);
    assert!(e.stderr.contains("only a global administrator may act as someone else"), "{}", e.stderr);
    let e = adele(&env, &["settings", "set", "--mode", "lab"]);
    assert_eq!(e.code, 1, "only an administrator changes the mode");
    assert!(e.stderr.contains("Only a global administrator"), "{}", e.stderr);
    // A login that maps to nobody is told whom to ask.
    let e = env.run_with(&["clock", "show"], &[("ENTITLE_LOGIN", "stranger")]);
    assert_eq!(e.code, 1);
    assert!(e.stderr.contains("'stranger' is not linked") && e.stderr.contains("--login stranger"), "{}", e.stderr);
    // The administrator acts as Adele; the audit says both.
    assert_eq!(boss(&env, &["--as", "Adele", "catalog", "list"]).code, 0);
    assert_eq!(boss(&env, &["user", "update", "Adele", "--department", "IT"]).code, 0);
    assert_eq!(boss(&env, &["settings", "set", "--add-catalog-creator", "Adele"]).code, 0);
    let made = boss(&env, &["--as", "Adele", "catalog", "create", "Adele's"]);
    assert_eq!(made.code, 0, "{}", made.stderr);
    let audit = boss(&env, &["audit", "--activity", "catalog.created"]).stdout;
    assert!(audit.contains("Administrator (u") && audit.contains("acting as Adele"), "{audit}");
    // Back to lab mode, by the administrator.
    assert_eq!(boss(&env, &["settings", "set", "--mode", "lab"]).code, 0);
    assert_eq!(adele(&env, &["--as", "admin@contoso.com", "clock", "show"]).code, 0);
}

#[test]
fn team_mode_needs_an_administrator_with_a_login() {
    let env = Env::new();
    let e = env.fails(&["settings", "set", "--mode", "team"], 1);
    assert!(e.contains("needs a global administrator with a login"), "{e}");
    env.ok(&["user", "update", "MOD Administrator", "--login", "mod"]);
    env.ok(&["settings", "set", "--mode", "team"]);
    // Taking the last administrator's login away would lock everyone out.
    let e = env.run_with(&["user", "update", "MOD Administrator", "--no-login"], &[("ENTITLE_LOGIN", "mod")]);
    assert_eq!(e.code, 1);
    assert!(e.stderr.contains("no global administrator with a login"), "{}", e.stderr);
}

#[test]
fn escape_codes_in_a_justification_never_reach_the_terminal_raw() {
    let env = Env::new();
    let hostile = "\x1b[2J\x1b]0;pwned\x07 please";
    // The domain refuses control characters in a justification now, and says so cleanly...
    let e = env.fails(&["--as", "Delia Dennis", "request", "Project Alpha", "--justification", hostile], 1);
    assert!(e.contains("control character") && !e.contains('\x1b'), "{e:?}");
    // ...but an older version accepted them, and its journal is replayed as written.
    let out = env.ok(&["--as", "Delia Dennis", "--json", "request", "Project Alpha", "--justification", "MARK please"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let id = created_id(&v["created"]).expect("a request");
    let journal = env.data().join("journal.jsonl");
    let text = std::fs::read_to_string(&journal).expect("journal");
    assert!(text.contains("MARK please"), "the request is in the journal");
    std::fs::write(&journal, text.replace("MARK please", "\\u001b[2J\\u001b]0;pwned\\u0007 please")).expect("write");
    for who in ["Delia Dennis", "Miriam Graham"] {
        let text = env.ok(&["--as", who, "request", "show", &id]);
        assert!(!text.contains('\x1b') && !text.contains('\x07'), "{who}: {text:?}");
        assert!(text.contains("\u{FFFD}[2J"), "{text}");
    }
    let inbox = env.ok(&["--as", "Miriam Graham", "approvals"]);
    assert!(!inbox.contains('\x1b'), "{inbox:?}");
    // JSON keeps the text, escaped by the JSON itself.
    let json = env.ok(&["--as", "Delia Dennis", "--json", "request", "show", &id]);
    assert!(json.contains("\\u001b[2J") && !json.contains('\x1b'), "{json}");
    // Errors that quote a name are cleaned too.
    let e = env.fails(&["package", "show", "no\x1b[31msuch"], 1);
    assert!(!e.contains('\x1b'), "{e:?}");
}
