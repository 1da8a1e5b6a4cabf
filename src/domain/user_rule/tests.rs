use proptest::prelude::*;

use super::*;
use crate::domain::ids::UserId;

fn user(department: &str, user_type: UserType) -> User {
    User {
        id: UserId(7),
        display_name: "Ann".into(),
        email: "ann@contoso.com".into(),
        user_type,
        enabled: true,
        manager: Some(UserId(3)),
        department: department.into(),
        job_title: "Account Executive".into(),
        company_name: "Contoso".into(),
        country: "France".into(),
        employee_type: "Employee".into(),
        home_org: None,
        created_by_em: false,
        global_admin: false,
        login: None,
        deleted_at: None,
        remove_at: None,
    }
}

fn holds(rule: &str, u: &User) -> bool {
    match parse(rule) {
        Ok(r) => r.matches(u),
        Err(e) => panic!("{rule}: {e}"),
    }
}

fn error(rule: &str) -> RuleError {
    match parse(rule) {
        Ok(r) => panic!("{rule} parsed as {r:?}"),
        Err(e) => e,
    }
}

#[test]
fn each_operator_compares_without_regard_to_case() {
    let ann = user("Sales", UserType::Member);
    assert!(holds(r#"user.department -eq "sales""#, &ann));
    assert!(!holds(r#"user.department -eq "Sale""#, &ann));
    assert!(holds(r#"user.department -ne "Finance""#, &ann));
    assert!(!holds(r#"user.department -ne "SALES""#, &ann));
    assert!(holds(r#"user.jobTitle -startsWith "account""#, &ann));
    assert!(!holds(r#"user.jobTitle -startsWith "Executive""#, &ann));
    assert!(holds(r#"user.country -in ["Spain", "france"]"#, &ann));
    assert!(!holds(r#"user.country -in ["Spain","Italy"]"#, &ann));
    assert!(holds(r#"user.companyName -eq "CONTOSO""#, &ann));
    assert!(holds(r#"user.employeeType -eq "employee""#, &ann));
    assert!(holds(r#"user.manager -eq "u3""#, &ann));
    assert!(holds(r#"user.userType -eq "member""#, &ann));
    assert!(holds(r#"user.userType -eq "Guest""#, &user("Sales", UserType::Guest)));
    // Property names and operators are not case-sensitive either.
    assert!(holds(r#"USER.Department -EQ "Sales" -AND user.usertype -Eq "Member""#, &ann));
}

#[test]
fn and_binds_tighter_than_or_and_parentheses_change_it() {
    let ann = user("Sales", UserType::Member);
    // false -and false -or true: (false and false) or true.
    let r = r#"user.department -eq "HR" -and user.country -eq "Spain" -or user.userType -eq "Member""#;
    assert!(holds(r, &ann));
    // false -and (false -or true): false.
    let r = r#"user.department -eq "HR" -and (user.country -eq "Spain" -or user.userType -eq "Member")"#;
    assert!(!holds(r, &ann));
    // true -or false -and false: true or (false and false).
    let r = r#"user.userType -eq "Member" -or user.department -eq "HR" -and user.country -eq "Spain""#;
    assert!(holds(r, &ann));
    let r = r#"(user.userType -eq "Member" -or user.department -eq "HR") -and user.country -eq "Spain""#;
    assert!(!holds(r, &ann));
}

#[test]
fn a_rule_prints_as_text_that_parses_back_to_it() {
    let text = r#"user.department -eq "Sales" -and (user.country -in ["France", "Spa\"in"] -or user.jobTitle -startsWith "Acc")"#;
    let r = parse(text).expect("parses");
    assert_eq!(r.to_string(), text);
    assert_eq!(parse(&r.to_string()), Ok(r));
}

#[test]
fn a_parse_error_names_the_character_and_what_was_expected() {
    let e = error(r#"user.department -equals "Sales""#);
    assert_eq!(e.at, 17);
    assert_eq!(e.problem, RuleProblem::Expected { expected: Expected::Operator, found: "-equals".into() });
    assert!(e.to_string().contains("character 17"), "{e}");
    let e = error(r#"user.department -eq Sales"#);
    assert_eq!((e.at, e.problem), (21, RuleProblem::Expected { expected: Expected::Value, found: "Sales".into() }));
    let e = error(r#"user.department -eq "Sales" -and"#);
    assert_eq!((e.at, e.problem), (33, RuleProblem::Expected { expected: Expected::Property, found: String::new() }));
    let e = error(r#"(user.department -eq "Sales""#);
    assert_eq!(e.problem, RuleProblem::Expected { expected: Expected::Close, found: String::new() });
    let e = error(r#"user.department -eq "Sales" user.country -eq "x""#);
    assert_eq!(
        (e.at, e.problem),
        (29, RuleProblem::Expected { expected: Expected::Connector, found: "user.country".into() })
    );
    let e = error(r#"user.city -eq "Lagos""#);
    assert_eq!((e.at, e.problem), (1, RuleProblem::UnknownProperty("user.city".into())));
    let e = error(r#"user.country -in ["a" "b"]"#);
    assert_eq!(e.problem, RuleProblem::Expected { expected: Expected::ListNext, found: "\"b\"".into() });
    let e = error(r#"user.country -in "a""#);
    assert_eq!(e.problem, RuleProblem::Expected { expected: Expected::List, found: "\"a\"".into() });
    let e = error(r#"user.country -eq "a"#);
    assert_eq!((e.at, e.problem), (18, RuleProblem::Unterminated));
    let e = error("user.country -eq \"a\u{1b}[31m\"");
    assert_eq!(e.problem, RuleProblem::ControlCharacter);
    assert_eq!(error("").problem, RuleProblem::Expected { expected: Expected::Property, found: String::new() });
}

#[test]
fn length_and_depth_are_bounded() {
    let deep = |n: usize| format!("{}user.country -eq \"a\"{}", "(".repeat(n), ")".repeat(n));
    assert!(parse(&deep(RULE_DEPTH)).is_ok());
    assert_eq!(error(&deep(RULE_DEPTH + 1)).problem, RuleProblem::TooDeep);
    // A hostile nesting stops at the limit instead of overflowing the stack.
    assert_eq!(error(&"(".repeat(1_000_000)).problem, RuleProblem::TooLong { chars: 1_000_000 });
    assert_eq!(error(&"(".repeat(RULE_CHARS)).problem, RuleProblem::TooDeep);
    let long = format!("user.country -eq \"{}\"", "x".repeat(RULE_CHARS));
    assert!(matches!(error(&long).problem, RuleProblem::TooLong { .. }));
    // A long flat chain is fine up to the length limit.
    let chain = vec![r#"user.country -eq "a""#; 120].join(" -or ");
    assert!(chain.chars().count() <= RULE_CHARS);
    assert!(parse(&chain).is_ok());
}

/// Pieces of rules, so that random input gets past the first token often.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("user.department".to_string()),
        Just("user.userType".to_string()),
        Just("user.nope".to_string()),
        Just("-eq".to_string()),
        Just("-ne".to_string()),
        Just("-startsWith".to_string()),
        Just("-in".to_string()),
        Just("-and".to_string()),
        Just("-or".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just(",".to_string()),
        Just("\"".to_string()),
        Just("\\".to_string()),
        "\"[a-zé ]{0,6}\"",
        any::<String>(),
    ]
}

proptest! {
    #[test]
    fn the_parser_never_panics_and_what_parses_prints_back(
        text in proptest::collection::vec(piece(), 0..40).prop_map(|v| v.join(" ")),
        raw in any::<String>(),
    ) {
        for t in [&text, &raw] {
            match parse(t) {
                Ok(rule) => {
                    prop_assert_eq!(parse(&rule.to_string()), Ok(rule.clone()));
                    let _ = rule.matches(&user("Sales", UserType::Member));
                }
                Err(e) => {
                    prop_assert!(e.at >= 1);
                    prop_assert!(e.at <= t.chars().count().saturating_add(1));
                    prop_assert!(!e.to_string().is_empty());
                }
            }
        }
    }
}
