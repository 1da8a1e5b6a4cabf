//! `ctrl-e` in the terminal app, on the demo tenant (its clock is frozen): the list on screen, as
//! filtered, written to a CSV file in the export directory, never over an earlier one; an error
//! writing is said on the status line, naming the path.

use crate::common;

use common::demo_ui::{demo_app, screen};
use common::keys::{press, settle, typ};
use entitle::ui::app::{App, Tab};
use entitle::ui::ctx::Ctx;
use entitle::ui::widgets::status::MessageKind;

/// The header and records of a CSV file, read by the `csv` crate (strict about lengths).
fn read(path: &std::path::Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = r.headers().expect("a header").iter().map(str::to_string).collect();
    let rows = r.records().map(|rec| rec.expect("a record").iter().map(str::to_string).collect()).collect();
    (header, rows)
}

/// The CSV files in `dir`, by name.
fn files(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("the export dir")
        .map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn status(app: &App<Ctx>) -> (MessageKind, String) {
    let m = app.message().expect("a status message");
    (m.kind, m.text.clone())
}

#[test]
fn ctrl_e_writes_the_filtered_list_and_never_overwrites() {
    let data = tempfile::tempdir().expect("tempdir");
    let out = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(data.path(), None);
    app.ctx.export_dir = out.path().to_path_buf();
    app.switch_tab(Tab::Directory);
    press(&mut app, &["/"]);
    typ(&mut app, "finance");
    press(&mut app, &["enter"]);
    let shown = screen(&mut app, 160, 50);

    press(&mut app, &["ctrl-e"]);
    let first = out.path().join("entitle-users-2026-11-16.csv");
    let (kind, said) = status(&app);
    assert_eq!(kind, MessageKind::Ok, "{said}");
    let (header, rows) = read(&first);
    assert_eq!(said, format!("Wrote {} rows to {}", rows.len(), first.display()));

    // The screen's columns; the rows the filter lets through, each on screen, and only those.
    assert_eq!(header, ["Name", "Email", "Type", "Sign-in", "Manager", "Department", "Asg"]);
    let total = app.ctx.tenant().users.len();
    assert!(rows.len() > 1 && rows.len() < total, "a part of the list: {} of {total}", rows.len());
    assert!(shown.contains(&format!("({} of ", rows.len())), "the title counts what was written:\n{shown}");
    for r in &rows {
        assert_eq!(r.len(), header.len());
        assert!(r.iter().any(|f| f.to_lowercase().contains("finance")), "the filter holds: {r:?}");
        assert!(shown.contains(&r[0]), "{} is on screen", r[0]);
    }

    // Again: a new file beside the first, which stays as it was.
    let before = std::fs::read(&first).expect("the first file");
    press(&mut app, &["ctrl-e"]);
    let second = out.path().join("entitle-users-2026-11-16-2.csv");
    assert_eq!(status(&app).1, format!("Wrote {} rows to {}", rows.len(), second.display()));
    assert_eq!(std::fs::read(&first).expect("the first file"), before, "not overwritten");
    assert_eq!(std::fs::read(&second).expect("the second file"), before, "the same list");
    assert_eq!(files(out.path()), ["entitle-users-2026-11-16-2.csv", "entitle-users-2026-11-16.csv"]);
}

#[test]
fn times_are_iso_8601_and_every_row_is_written_not_only_those_on_screen() {
    let data = tempfile::tempdir().expect("tempdir");
    let out = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(data.path(), None);
    app.ctx.export_dir = out.path().to_path_buf();
    app.switch_tab(Tab::Audit);
    let shown = screen(&mut app, 120, 35);
    press(&mut app, &["ctrl-e"]);
    let (kind, said) = status(&app);
    assert_eq!(kind, MessageKind::Ok, "{said}");
    let (header, rows) = read(&out.path().join("entitle-audit-log-2026-11-16.csv"));
    assert_eq!(header, ["Time", "Actor", "Activity", "Object", "Summary"]);
    let total = app.ctx.session.audit_log().expect("the log").len();
    assert_eq!(rows.len(), total, "the whole log, far more than a screen");
    assert!(total > 35, "{total}");
    assert!(shown.contains(&format!("Audit log ({total})")), "{shown}");
    for r in &rows {
        let t = chrono::DateTime::parse_from_rfc3339(&r[0]).unwrap_or_else(|e| panic!("{}: {e}", r[0]));
        assert!(r[0].ends_with('Z'), "UTC: {}", r[0]);
        assert_eq!(t.timestamp() % 60, 0, "whole minutes in the demo");
    }
    let top = &rows[0][0];
    let on_screen = chrono::DateTime::parse_from_rfc3339(top).expect("a time").format("%Y-%m-%d %H:%M").to_string();
    assert!(shown.contains(&on_screen), "the first row's time as the screen shows it: {on_screen}");
}

#[test]
fn an_unwritable_directory_is_an_error_naming_the_path() {
    let data = tempfile::tempdir().expect("tempdir");
    let out = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(data.path(), None);
    let missing = out.path().join("no-such-dir");
    app.ctx.export_dir = missing.clone();
    app.switch_tab(Tab::Packages);
    press(&mut app, &["ctrl-e"]);
    let (kind, said) = status(&app);
    assert_eq!(kind, MessageKind::Error, "{said}");
    assert!(
        said.starts_with(&format!(
            "Could not write {}",
            missing.join("entitle-access-packages-2026-11-16.csv").display()
        )),
        "{said}"
    );
    assert!(!missing.exists());
    // The app goes on: the next export, to a directory that exists, works.
    app.ctx.export_dir = out.path().to_path_buf();
    press(&mut app, &["ctrl-e"]);
    assert_eq!(status(&app).0, MessageKind::Ok);
}

#[test]
fn a_screen_without_a_list_says_so() {
    let data = tempfile::tempdir().expect("tempdir");
    let out = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(data.path(), None);
    app.ctx.export_dir = out.path().to_path_buf();
    app.switch_tab(Tab::Overview);
    press(&mut app, &["ctrl-e"]);
    assert_eq!(status(&app), (MessageKind::Info, "This screen shows no list to write to a CSV file".into()));
    assert!(files(out.path()).is_empty());
}

#[test]
fn every_tab_with_a_list_writes_it_with_its_rows_and_no_dashes() {
    let data = tempfile::tempdir().expect("tempdir");
    let out = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(data.path(), None);
    app.ctx.export_dir = out.path().to_path_buf();
    let tabs: Vec<Tab> = app.visible_tabs().iter().copied().filter(|t| *t != Tab::Overview).collect();
    let mut written = 0;
    for tab in tabs {
        app.switch_tab(tab);
        // The tab's first list, then the next one (`]`: a sub-list or the next pane).
        for step in 0..2 {
            if step == 1 {
                press(&mut app, &["]"]);
            }
            let shown = screen(&mut app, 160, 50);
            press(&mut app, &["ctrl-e"]);
            let (kind, said) = status(&app);
            assert_eq!(kind, MessageKind::Ok, "{tab}: {said}");
            let path = said.rsplit(" to ").next().map(std::path::PathBuf::from).expect("a path");
            let (header, rows) = read(&path);
            assert!(!header.is_empty(), "{tab}");
            let n = said.split_whitespace().nth(1).and_then(|n| n.parse::<usize>().ok()).expect("a count");
            assert_eq!(rows.len(), n, "{tab}: {said}");
            if n > 0 {
                assert!(
                    shown.contains(&format!("({n})")) || shown.contains(&format!("({n} of")),
                    "{tab}: {n} rows\n{shown}"
                );
            }
            for r in &rows {
                assert_eq!(r.len(), header.len(), "{tab}: {r:?}");
                assert!(!r.iter().any(|f| f == "—" || f == "-"), "{tab}: a dash is an empty field: {r:?}");
                assert!(!r.iter().any(|f| f.starts_with('⚠')), "{tab}: a count, without the screen's mark: {r:?}");
                assert!(
                    !r.iter().any(|f| f.len() == 10
                        && f.as_bytes().get(4) == Some(&b'-')
                        && f.as_bytes().get(7) == Some(&b'-')),
                    "{tab}: a day is written as a full ISO 8601 time: {r:?}"
                );
            }
            written += 1;
        }
    }
    assert_eq!(files(out.path()).len(), written, "one new file per press");
}

/// The generated tenant at the smoke size (its audit log far longer than a key press writes),
/// in the terminal app as its administrator, writing to `out`.
fn generated_app(data: &std::path::Path, out: &std::path::Path) -> App<Ctx> {
    entitle::scale::generate(data, entitle::scale::ScaleParams::smoke()).expect("the smoke tenant");
    let store = entitle::store::Store::<entitle::domain::Tenant>::open(data).expect("opens").expect("a tenant");
    let admin = store.state().users.values().find(|u| u.global_admin && u.enabled).expect("an administrator").id;
    let session = entitle::session::Session::new(store, entitle::domain::Actor::user(admin));
    let mut app = entitle::ui::run::build_app(
        session,
        data,
        entitle::ui::keymap::Keymap::defaults(),
        entitle::ui::theme::Theme::monochrome(),
    );
    app.ctx.export_dir = out.to_path_buf();
    app
}

#[test]
fn a_long_list_is_written_while_nobody_types_keys_wait_and_esc_stops_it() {
    let data = tempfile::tempdir().expect("tempdir");
    let out = tempfile::tempdir().expect("tempdir");
    let mut app = generated_app(&data.path().join("scale"), out.path());
    app.switch_tab(Tab::Audit);
    settle(&mut app);
    let total = app.ctx.session.audit_log().expect("the log").len();
    assert!(total > 2 * entitle::ui::export::AT_ONCE, "{total}");
    let before = screen(&mut app, 160, 50);

    // The key press writes a part; the status line says how far, and how to stop.
    press(&mut app, &["ctrl-e"]);
    assert!(app.is_writing(), "{total} rows are not written on the key press");
    let name = files(out.path()).pop().expect("the file is there from the start");
    let (kind, said) = status(&app);
    assert_eq!(kind, MessageKind::Info);
    assert!(said.starts_with("Writing ") && said.contains("% ("), "{said}");
    assert!(said.ends_with(&format!(" of {total} rows) · esc stops · {name}")), "{said}");
    // Meanwhile keys change nothing: not the row, not the tab, not the filter.
    press(&mut app, &["j", "j", "2", "/"]);
    typ(&mut app, "zzz");
    assert_eq!(app.current_tab(), Tab::Audit);
    assert_eq!(screen(&mut app, 160, 50).lines().skip(1).take(45).collect::<Vec<_>>(), {
        before.lines().skip(1).take(45).collect::<Vec<_>>()
    });

    settle(&mut app);
    assert!(!app.is_writing());
    let path = out.path().join(&name);
    assert_eq!(status(&app), (MessageKind::Ok, format!("Wrote {total} rows to {}", path.display())));
    let (header, rows) = read(&path);
    assert_eq!(header, ["Time", "Actor", "Activity", "Object", "Summary"]);
    assert_eq!(rows.len(), total, "every event, not only those read for the screen");
    let log = app.ctx.session.audit_log().expect("the log");
    let newest = log.iter().last().expect("events");
    assert_eq!(rows[0][4], newest.summary, "newest first, as on screen");
    let oldest = log.iter().next().expect("events");
    assert_eq!(rows[total - 1][4], oldest.summary);

    // Again, stopped with esc: the part written is taken away, and the keys work again.
    press(&mut app, &["ctrl-e"]);
    assert!(app.is_writing());
    assert_eq!(files(out.path()).len(), 2);
    press(&mut app, &["esc"]);
    assert!(!app.is_writing());
    let (kind, said) = status(&app);
    assert_eq!(kind, MessageKind::Info);
    assert!(said.starts_with("Stopped writing ") && said.ends_with(": the part written was removed"), "{said}");
    assert_eq!(files(out.path()), [name], "only the whole file is left");
    press(&mut app, &["2"]);
    assert_ne!(app.current_tab(), Tab::Audit, "keys act again");
}
