//! The terminal app's rows of the scale benchmark at smoke size (what CI runs; the times are not
//! asserted: speed belongs to the benchmark). It proves the instrument drives what it says: the
//! keys reach the Directory of a tenant with the wanted number of users, every figure counts its
//! presses, the first frames are drawn for both sign-ins, and every row is printed with its target.

#[path = "../../benches/scale/ui.rs"]
mod ui;

use entitle::scale::{ScaleParams, generate};

#[test]
fn the_smoke_ui_rows_drive_the_directory_of_a_generated_tenant_and_print_every_figure() {
    let root = tempfile::tempdir().expect("a temp dir");
    let params = ScaleParams::smoke();
    let data = root.path().join("scale");
    generate(&data, params).expect("the smoke tenant");

    let kp = ui::key_params(params);
    assert_eq!(kp.users, params.assignments, "as many users as assignments below 100,000");
    assert_eq!(ui::key_params(ScaleParams::full()), ScaleParams::full(), "the full tenant has 100,000 users");

    let f = ui::measure(&data, root.path(), params).expect("measures");
    assert_eq!(f.users, kp.users + 1, "the generator's administrator and its users");
    let names: Vec<&str> = f.keys.iter().map(|(k, _)| k.as_str()).collect();
    for key in ["Directory: move (j)", "Directory: open the details (Enter)", "Directory: clear the filter (Esc)"] {
        assert!(names.contains(&key), "{key} in {names:?}");
    }
    assert!(names.iter().any(|n| n.starts_with("Access packages")), "{names:?}");
    // The audit log's rows: read back and searched in idle slices, a filter of 14 characters.
    let log_rows =
        ["Audit: every event read back", "Audit: filter, each character typed", "Audit: every event searched"];
    for row in log_rows {
        assert!(names.iter().any(|n| n.starts_with(row)), "{row}: {names:?}");
    }
    // The app's idle work after its first frame, sliced; then the Directory chosen.
    let idle = "the app's idle work after its first frame";
    assert!(names.iter().any(|n| n.starts_with(idle)), "{names:?}");
    assert!(f.switches.iter().any(|(n, _)| n.ends_with("once the app was idle")), "{:?}", f.switches);
    for (name, l) in &f.keys {
        let sliced = name.starts_with(idle) || log_rows.iter().any(|r| name.starts_with(r));
        let least = if sliced { 1 } else { ui::PRESSES };
        assert!(l.presses >= least, "{name}: {} presses", l.presses);
        assert!(l.p50 <= l.p99 && l.p99 <= l.max, "{name}: {l:?}");
    }
    for ff in [f.first_frame_user, f.first_frame_admin] {
        assert!(ff.store_open + ff.app_built <= ff.total, "{ff:?}");
    }

    // The `first` mode: each first frame as a row, after the parts of the app's build.
    let first = ui::first_frames(&data, params, 1).expect("first frames");
    assert!(first.contains("user0@scale.example: problems_summary"), "{first}");
    assert_eq!(first.lines().filter(|l| l.contains("open to first frame")).count(), 2, "{first}");

    // The `requests` mode: My Access > Requests shown, its first page read (not the whole list).
    let requests = ui::requests_first_open(&data, 1).expect("my requests");
    assert!(requests.starts_with("My Access > Requests, first open, as the administrator (run 1)"), "{requests}");
    assert!(!requests.contains("; 0 records read"), "{requests}");

    let rows = ui::rows(&f);
    assert_eq!(rows.lines().count(), f.keys.len() + f.changes.len() + f.switches.len() + 2 + 3, "{rows}");
    // Every tab the keys were timed on was chosen once, timed to its first frame.
    for tab in ["Directory, as the administrator", "Audit, as the administrator", "My access, as the administrator"] {
        assert!(f.switches.iter().any(|(n, _)| n.starts_with(tab)), "{tab}: {:?}", f.switches);
    }
    assert!(rows.contains("| a tab chosen to its first frame, Audit, as the administrator |"), "{rows}");
    // The first `/` after a change: the idle slices indexed every row, each slice ended.
    let ff = &f.first_filter;
    assert!(ff.slices.presses >= 1 && ff.slices.p50 <= ff.slices.max, "{ff:?}");
    assert!(rows.contains("once the app was idle"), "{rows}");
    for who in ["as the administrator", "as the user with most assignments", "as the approver with most waiting"] {
        assert!(names.iter().any(|n| n.starts_with("My access: move (j)") && n.contains(who)), "{who}: {names:?}");
        assert!(f.changes.iter().any(|(n, _)| n.starts_with("My access: data change") && n.contains(who)), "{who}");
    }
    assert!(f.changes.iter().any(|(n, _)| n.starts_with("Approvals: data change, as the approver")), "{:?}", f.changes);
    for (name, l) in &f.changes {
        assert!(l.presses == ui::CHANGES && l.p50 <= l.p99 && l.p99 <= l.max, "{name}: {l:?}");
    }
    assert!(rows.contains("open to first frame, a plain user") && rows.contains("the administrator"), "{rows}");
    assert!(
        rows.lines().all(|l| l.ends_with("target p99 <= 16 ms |")
            || l.ends_with("target <= 1 s |")
            || l.ends_with("target <= 16 ms |")
            || l.ends_with("no stated target |")
            || l.ends_with("(the time between key presses indexes first, below) |")),
        "{rows}"
    );
}
