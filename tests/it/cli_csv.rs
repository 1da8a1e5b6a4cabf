//! `--csv` on every list and report of the command line, over the demo tenant (its clock is
//! frozen): each CSV parsed back by a CSV reader has the table's header and rows, ISO 8601 times
//! and empty (not "-") blanks; awkward text round-trips; formulas are guarded.

use crate::cli_support;

use cli_support::{Env, with};

fn demo() -> Env {
    let env = Env::new();
    env.ok(&["init"]);
    env
}

/// The header and records of a CSV text, read by the `csv` crate (strict: every record as long
/// as the header, or an error).
fn parse(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().expect("a header row").iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap_or_else(|e| panic!("not CSV ({e}):\n{text}")).iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// The columns of an aligned table's header line (columns are two or more spaces apart).
fn columns(line: &str) -> Vec<String> {
    line.split("  ").map(str::trim).filter(|c| !c.is_empty()).map(str::to_string).collect()
}

/// The table's header and its row count, found in a command's text output by the header the
/// CSV has (some commands print a title or a summary around their table).
fn table_in(text: &str, header: &[String]) -> Option<(Vec<String>, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| columns(l) == header)?;
    let rows = lines.iter().skip(at + 1).take_while(|l| !l.trim().is_empty()).count();
    Some((columns(lines.get(at)?), rows))
}

const TIME_COLUMNS: &[&str] = &["START", "END", "CREATED", "COMPLETED", "SUBMITTED", "AT", "TIME", "ENDS", "WHEN"];

/// Runs `args` as text and as CSV and holds the CSV to the table; returns the CSV's rows.
fn check(env: &Env, args: &[&str]) -> (Vec<String>, Vec<Vec<String>>) {
    let text = env.ok(args);
    let csv_text = env.ok(&[args, &["--csv"]].concat());
    assert!(csv_text.ends_with("\r\n"), "{args:?}: records end with CRLF:\n{csv_text:?}");
    let (header, rows) = parse(&csv_text);
    let (shown, count) = table_in(&text, &header)
        .unwrap_or_else(|| panic!("{args:?}: no table with the CSV's header {header:?} in:\n{text}"));
    assert_eq!(shown, header, "{args:?}: the CSV header is the table's");
    assert_eq!(rows.len(), count, "{args:?}: as many records as table rows\n{text}\n{csv_text}");
    assert!(!rows.is_empty(), "{args:?}: the demo has rows here, so the test can fail");
    for row in &rows {
        assert_eq!(row.len(), header.len(), "{args:?}: every record as long as the header: {row:?}");
        assert!(!row.iter().any(|f| f == "-"), "{args:?}: a blank is empty, not '-': {row:?}");
    }
    for (i, h) in header.iter().enumerate() {
        if !TIME_COLUMNS.contains(&h.as_str()) {
            continue;
        }
        let times: Vec<&String> = rows.iter().filter_map(|r| r.get(i)).filter(|f| !f.is_empty()).collect();
        for f in &times {
            let t = chrono::DateTime::parse_from_rfc3339(f)
                .unwrap_or_else(|e| panic!("{args:?}: {h} '{f}' is not ISO 8601 ({e})"));
            assert_eq!(f.len(), "2026-09-01T09:00:00Z".len(), "{args:?}: {h} '{f}' in UTC to the second");
            assert!(text.contains(&t.format("%Y-%m-%d %H:%M").to_string()), "{args:?}: the table shows {f}");
        }
    }
    (header, rows)
}

#[test]
fn every_list_and_report_prints_csv_matching_its_table() {
    let env = demo();
    let lists: &[&[&str]] = &[
        &["catalog", "list"],
        &["package", "list"],
        &["package", "incompatible", "list", "SOX Finance Reporting"],
        &["policy", "list"],
        &["--as", "u5", "available"],
        &["requests", "--all"],
        &["--as", "u5", "approvals"],
        &["--as", "u7", "approvals", "history"],
        &["assignments"],
        &["reviews", "--all"],
        &["--as", "u5", "reviews"],
        &["review", "show", "rev110"],
        &["user", "list"],
        &["group", "list"],
        &["app", "list"],
        &["site", "list"],
        &["org", "list"],
        &["report", "packages", "u9"],
        &["report", "access", "u9"],
        &["report", "holders", "Project Alpha"],
        &["report", "holders", "Project Alpha", "--at", "2026-09-01"],
        &["report", "access", "u9", "--at", "2026-09-01"],
        &["assignments", "--at", "2026-09-01"],
        &["report", "expiring", "365"],
        &["report", "requests"],
        &["report", "drift"],
        &["lint"],
        &["audit"],
        &["--as", "u7", "notifications"],
        &["extension", "list"],
        &["clock", "advance", "90d", "--dry-run"],
    ];
    let mut timed = 0;
    for args in lists {
        let (header, rows) = check(&env, args);
        if header.iter().any(|h| TIME_COLUMNS.contains(&h.as_str()))
            && rows.iter().any(|r| r.iter().any(|f| f.ends_with('Z')))
        {
            timed += 1;
        }
    }
    assert!(timed >= 10, "most lists have a time column, written in ISO 8601 ({timed})");
    // An empty list is its header alone (the table says "Nobody holds ...").
    let (header, rows) = parse(&env.ok(&["report", "incompatible", "--csv"]));
    assert_eq!((header, rows.len()), (vec!["USER".to_string(), "PACKAGE".into(), "INCOMPATIBLE WITH".into()], 0));
}

#[test]
fn a_package_report_is_one_csv_of_every_state() {
    let env = demo();
    let json = env.json(&["report", "package", "Project Alpha"]);
    let total: usize = json.as_object().expect("states").values().map(|v| v.as_array().map_or(0, Vec::len)).sum();
    let (header, rows) = parse(&env.ok(&["report", "package", "Project Alpha", "--csv"]));
    assert_eq!(header, ["ID", "PACKAGE", "USER", "STATE", "START", "END", "POLICY"]);
    assert_eq!(rows.len(), total);
    let states: std::collections::BTreeSet<&str> = rows.iter().map(|r| r[3].as_str()).collect();
    assert!(states.len() > 1, "several states in one file: {states:?}");
}

#[test]
fn awkward_text_round_trips_and_formulas_are_guarded() {
    let env = demo();
    let name = r#"Ops, "Night" shift"#;
    let description = "Pager duty\nsecond line, with \"quotes\", and a tab\there";
    env.ok(&["package", "create", name, "--description", description]);
    env.ok(&["policy", "create", name, "--scope", "all-members"]);
    let formula = r#"=HYPERLINK("http://example.com/x","click")"#;
    env.ok(&["user", "create", formula, "eve@contoso.com"]);
    env.ok(&["user", "create", "--", "-1+2", "minus@contoso.com"]);

    let text = env.ok(&["--as", "u5", "available", "--csv"]);
    let (header, rows) = parse(&text);
    let at = |h: &str| header.iter().position(|x| x == h).expect(h);
    let row = rows.iter().find(|r| r[at("PACKAGE")] == name).unwrap_or_else(|| panic!("{name} listed:\n{text}"));
    assert_eq!(row[at("DESCRIPTION")], description, "the raw text, line break and tab kept");
    assert!(text.contains("\"Ops, \"\"Night\"\" shift\""), "quoted, quotes doubled:\n{text}");

    let (header, rows) = parse(&env.ok(&["user", "list", "--csv"]));
    let name_at = header.iter().position(|h| h == "NAME").expect("NAME");
    let names: Vec<&str> = rows.iter().map(|r| r[name_at].as_str()).collect();
    assert!(names.contains(&format!("'{formula}").as_str()), "a formula gets a leading quote: {names:?}");
    assert!(names.contains(&"'-1+2"), "so does a leading minus: {names:?}");
    assert!(!names.contains(&formula), "never the bare formula");
    // The table shows the name as it is.
    assert!(env.ok(&["user", "list"]).contains(formula));
}

#[test]
fn csv_with_json_or_on_a_single_object_is_refused() {
    let env = demo();
    let err = env.fails(&["assignments", "--csv", "--json"], 2);
    assert!(err.contains("--csv") && err.contains("--json") && err.contains("cannot be used with"), "{err}");
    let err = env.fails(&["catalog", "show", "General", "--csv"], 2);
    assert!(err.contains("--csv writes lists and reports") && err.contains("--json"), "{err}");
    // A change is refused before it is made.
    let before = env.ok(&["user", "list"]);
    let err = env.fails(&with(&["user", "create", "Zed", "zed@contoso.com"], &["--csv"]), 2);
    assert!(err.contains("--csv writes lists and reports"), "{err}");
    assert_eq!(env.ok(&["user", "list"]), before, "nothing was created");
    env.fails(&["init", "--csv"], 2);
}
