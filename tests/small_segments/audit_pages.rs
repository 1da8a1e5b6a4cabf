//! The audit log read newest first, a piece at a time (`Session::audit_catch_up`,
//! `audit_read_back`, `audit_rows`, `audit_last`), over a log of many closed segments (2 KB
//! here): it is the log each reader may read whole (`Session::audit_log`), for every person
//! of the demo tenant; `--object` picks by the keys beside the log what the whole read picks
//! by the events; the last few events are read without reading back the whole log; and the
//! Audit tab shows the newest first, reads the rest while nobody types, and its filter finds
//! what a filter over the whole log finds, also as new events come in.

use std::path::Path;

use entitle::domain::read_views::AuditView;
use entitle::domain::{Actor, AuditEvent, Command, DomainError, ObjectRef, Tenant};
use entitle::session::{AuditLog, RunError, Session};
use entitle::ui::run::build_app;
use entitle::ui::{Action, App, Keymap, Tab, Theme, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn demo(dir: &Path) -> Session {
    entitle::store::history::close_segments_at(2 << 10);
    let (store, _) =
        Session::init(dir, true, "admin@example.com", entitle::store::LockWait::default()).expect("the demo");
    Session::new(store, Actor::System)
}

/// The closed segments of the audit log, and how many of them have a key file.
fn audit_segments(dir: &Path) -> (usize, usize) {
    let segs: Vec<_> = std::fs::read_dir(dir.join("history").join("audit"))
        .expect("the audit log")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    let closed = segs.len().saturating_sub(1);
    let mut sorted = segs;
    sorted.sort();
    sorted.pop();
    (closed, sorted.iter().filter(|p| p.with_extension("keys").exists()).count())
}

fn seqs(events: &[AuditEvent]) -> Vec<u64> {
    events.iter().map(|e| e.seq).collect()
}

fn refused(e: &RunError) -> bool {
    matches!(e, RunError::Refused(DomainError::Forbidden(_)))
}

#[test]
fn the_log_newest_first_is_the_log_each_reader_may_read_and_objects_are_picked_by_their_keys() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("data");
    let mut session = demo(&dir);
    let (closed, _) = audit_segments(&dir);
    assert!(closed > 20, "the demo's log has many closed segments: {closed}");
    let users: Vec<_> = session.tenant().users.keys().copied().collect();
    let mut readers = 0;
    for actor in std::iter::once(Actor::System).chain(users.into_iter().map(Actor::user)) {
        session.actor = actor.clone();
        let mut log = AuditLog::default();
        match (session.audit_log(), session.audit_last(&mut log, usize::MAX, |_| true)) {
            (Ok(whole), Ok(last)) => {
                assert_eq!(seqs(&last), whole.iter().map(|e| e.seq).collect::<Vec<_>>(), "{actor:?}");
                assert!(log.is_complete());
                readers += 1;
            }
            (Err(a), Err(b)) => assert!(refused(&a) && refused(&b), "{actor:?}: {a:?} {b:?}"),
            (a, b) => panic!("{actor:?}: {:?} but {:?}", a.map(|v| v.len()), b.map(|v| v.len())),
        }
    }
    assert!(readers > 2, "the administrators and catalog owners read it: {readers}");

    // Events about some objects, picked by the keys: what the whole read picks.
    session.actor = Actor::System;
    let whole = session.audit_log().expect("reads");
    let mut objects: Vec<ObjectRef> = whole.iter().filter_map(|e| e.object.typed()).collect();
    objects.sort();
    objects.dedup();
    for object in objects.iter().step_by(7).take(12) {
        let mut log = AuditLog::about(vec![*object]);
        let picked = session.audit_last(&mut log, usize::MAX, |_| true).expect("reads");
        let want: Vec<u64> = whole.iter().filter(|e| e.object.is(*object)).map(|e| e.seq).collect();
        assert!(!want.is_empty());
        assert_eq!(seqs(&picked), want, "{object}");
    }
}

#[test]
fn the_last_events_are_read_without_reading_the_whole_log_back() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("data");
    let session = demo(&dir);
    let whole = session.audit_log().expect("reads");
    let mut log = AuditLog::default();
    let last = session.audit_last(&mut log, 3, |_| true).expect("reads");
    let all: Vec<u64> = whole.iter().map(|e| e.seq).collect();
    assert_eq!(seqs(&last), all.get(all.len() - 3..).unwrap_or_default());
    assert!(!log.is_complete() && log.percent_read() < 10, "read back {}%", log.percent_read());

    // The command line: the same three, oldest first.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_entitle"))
        .args(["--data", dir.to_str().expect("utf-8"), "--json", "audit", "--limit", "3"])
        .env_remove("ENTITLE_DATA")
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let shown: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("json");
    let shown: Vec<u64> = shown.iter().filter_map(|e| e["seq"].as_u64()).collect();
    assert_eq!(shown, seqs(&last));
}

fn screen(app: &mut App<entitle::ui::ctx::Ctx>) -> String {
    let mut t = Terminal::new(TestBackend::new(160, 40)).expect("test backend");
    t.draw(|f| app.draw(f)).expect("draw");
    let buf = t.backend().buffer();
    (0..40).map(|y| (0..160).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n").collect()
}

/// What the terminal loop does while nobody types, until nothing is left.
fn settle(app: &mut App<entitle::ui::ctx::Ctx>) {
    for _ in 0..100_000 {
        if !app.idle(std::time::Instant::now() + std::time::Duration::from_millis(50)) {
            return;
        }
    }
    panic!("still working");
}

/// The demo in `dir`, signed in as an administrator, and the whole log they read.
fn demo_as_admin(dir: &Path) -> (Session, AuditView) {
    let mut session = demo(dir);
    let admin = session.tenant().users.values().find(|u| u.global_admin && u.enabled).expect("an administrator").id;
    session.actor = Actor::user(admin);
    let whole = session.audit_log().expect("reads");
    (session, whole)
}

/// The rows of the audit list on screen that name `text`.
fn rows_naming(screen: &str, text: &str) -> usize {
    screen.lines().filter(|l| l.contains(text)).count()
}

#[test]
fn the_audit_tab_shows_the_newest_first_reads_the_rest_while_idle_and_searches_every_segment() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("data");
    let (session, whole) = demo_as_admin(&dir);
    let newest = whole.iter().last().expect("events").clone();
    let mut app = build_app(session, Path::new("/data"), Keymap::defaults(), Theme::monochrome());
    app.switch_tab(Tab::Audit);
    let first = screen(&mut app);
    assert!(first.contains(&format!("#{}", newest.seq)), "the newest event is selected at once:\n{first}");

    settle(&mut app);
    let s = screen(&mut app);
    assert!(s.contains(&format!("Audit log ({})", whole.len())), "every event is a row:\n{s}");
    let (closed, keyed) = audit_segments(&dir);
    assert_eq!(keyed, closed, "reading the log back made the key files of its closed segments");

    // A filter that only an activity matches: the events of that activity, from every segment.
    let activity = "membership.added";
    let count = |events: &AuditView| events.iter().filter(|e| e.activity.contains(activity)).count();
    let want = count(&whole);
    assert!(want > 1, "{want}");
    update(&mut app, Action::Filter);
    for c in activity.chars() {
        app.type_char(c);
    }
    settle(&mut app);
    update(&mut app, Action::Open);
    let s = screen(&mut app);
    assert!(s.contains(&format!("Audit log ({want} of {})", whole.len())), "{s}");

    // New events come in while the filter is set: the new match goes on top, the others stay.
    let t: &Tenant = app.ctx.tenant();
    let (user, resource) = t
        .resources
        .values()
        .filter(|r| r.is_group() && r.has_role("Member"))
        .find_map(|r| t.users.values().find(|u| u.enabled && !t.holds(u.id, r.id, "Member")).map(|u| (u.id, r.id)))
        .expect("a user outside a group");
    app.ctx.run(Command::AddDirectGrant { user, resource, role: "Member".into() }).expect("added");
    app.refresh_views();
    settle(&mut app);
    let now = app.ctx.session.audit_log().expect("reads");
    assert_eq!(count(&now), want + 1);
    let s = screen(&mut app);
    assert!(s.contains(&format!("Audit log ({} of {})", want + 1, now.len())), "{s}");
    let newest = now.iter().last().expect("events");
    assert_eq!(newest.activity, activity);
    assert!(s.contains(&format!("#{}", newest.seq)), "the new match is on top, selected:\n{s}");
    assert!(rows_naming(&s, activity) > 1, "{s}");
}

#[test]
fn the_audit_log_written_to_a_file_while_it_is_read_back_holds_every_event() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("data");
    let (session, whole) = demo_as_admin(&dir);
    let mut app = build_app(session, Path::new("/data"), Keymap::defaults(), Theme::monochrome());
    app.ctx.export_dir = tmp.path().to_path_buf();
    app.switch_tab(Tab::Audit);
    let first = screen(&mut app);
    assert!(first.contains("reading"), "the log is not read back yet:\n{first}");

    update(&mut app, Action::Export);
    if app.is_writing() {
        // Of a log still read back, no share is told: the rows found so far.
        let said = app.message().map(|m| m.text.clone()).unwrap_or_default();
        assert!(said.starts_with("Writing ") && said.contains(" rows found so far · esc stops · "), "{said}");
    }
    settle(&mut app);
    let path = tmp.path().join("entitle-audit-log-2026-11-16.csv");
    let said = app.message().map(|m| m.text.clone()).unwrap_or_default();
    assert_eq!(said, format!("Wrote {} rows to {}", whole.len(), path.display()));
    let text = std::fs::read_to_string(&path).expect("the file");
    let rows: Vec<&str> = text.split("\r\n").skip(1).filter(|l| !l.is_empty()).collect();
    assert_eq!(rows.len(), whole.len(), "every event, also those not read when ctrl-e was pressed");
    let oldest = whole.iter().next().expect("events");
    assert!(rows.last().is_some_and(|r| r.contains(&oldest.activity)), "the oldest last: {:?}", rows.last());
}
