//! The scale benchmark's measurements at smoke size (what CI runs; the figures themselves are
//! not asserted: speed belongs to the benchmark). It proves the instrument measures what it says:
//! the parts of the snapshot add up, the year really runs on the work copy and never on the
//! cached tenant, commits reach the journal, a whole-process figure is a median of several runs,
//! and a second run reuses the cache.

#[path = "../../benches/scale/measure.rs"]
mod measure;
#[path = "../../benches/scale/table.rs"]
mod table;
#[path = "../../benches/scale/waits.rs"]
mod waits;

use std::fs;
use std::path::Path;

use entitle::domain::Tenant;
use entitle::scale::{SMOKE, ScaleParams};
use entitle::store::Store;

fn now_of(dir: &Path) -> entitle::domain::Time {
    Store::<Tenant>::open(dir).expect("opens").expect("holds a tenant").state().now()
}

/// Where the commit waits' roles run: this test binary again, this test only (see `waits`).
const ROLE_TEST: &str = "a_role_of_the_commit_waits";

#[test]
fn a_role_of_the_commit_waits() {
    if measure::decode_role().expect("the decode runs") || waits::role().expect("the role runs") {
        std::process::exit(0);
    }
}

#[test]
fn a_whole_process_figure_is_the_run_of_median_wall_time_with_the_range_of_all() {
    let at = |ms: u64, kib: u64| measure::Run {
        time: std::time::Duration::from_millis(ms),
        cpu: std::time::Duration::from_millis(ms / 2),
        sys: std::time::Duration::from_millis(ms / 4),
        peak_kib: kib,
        range: None,
    };
    let m = measure::median_run(vec![at(900, 3), at(700, 1), at(800, 2)]).expect("a median");
    assert_eq!((m.time, m.peak_kib), (std::time::Duration::from_millis(800), 2), "the middle run, whole");
    let range = (std::time::Duration::from_millis(700), std::time::Duration::from_millis(900));
    assert_eq!(m.range, Some(range));
    assert_eq!(measure::median_run(vec![at(5, 1)]).expect("one run").range, None, "one run has no range");
    assert!(measure::median_run(vec![]).is_err(), "no run, no median");
}

#[test]
fn the_smoke_table_measures_the_cached_tenant_on_copies_and_prints_every_row() {
    let root = tempfile::tempdir().expect("a temp dir");
    let bin = Path::new(env!("CARGO_BIN_EXE_entitle"));
    let params = ScaleParams::for_assignments(SMOKE);
    let role = crate::harness_name(module_path!(), ROLE_TEST);
    waits::run_roles_as(&[&role, "--exact", "--nocapture", "--test-threads=1", "--quiet"]);
    let first = measure::table(bin, root.path(), params).expect("measures");
    assert!(first.generate.is_some(), "the first run generates");
    assert!(first.generated.contains("2000 active assignments"), "{}", first.generated);

    let data = root.path().join("cache").join(format!("{SMOKE}-seed{}", params.seed)).join("data");
    let cached = fs::read(data.join("tenant.json")).expect("the cached snapshot");
    let work = root.path().join("work").join("scale");
    assert_eq!(now_of(&work), now_of(&data) + chrono::Duration::days(365), "the year ran on the copy");

    for f in [&first.scale, &first.demo] {
        let names: Vec<&str> = f.parts.iter().map(|(k, _)| k.as_str()).collect();
        for part in ["requests", "assignments", "users"] {
            assert!(names.contains(&part), "{part} in {names:?}");
        }
        // The audit log and the mailboxes are history, in files of their own.
        assert!(!names.contains(&"audit") && !names.contains(&"notifications"), "{names:?}");
        assert!(f.history_bytes > 0, "the history is on disk");
        let sum: u64 = f.parts.iter().map(|(_, n)| n).sum();
        assert!(sum <= f.snapshot_bytes && sum * 100 >= f.snapshot_bytes * 99, "{sum} of {}", f.snapshot_bytes);
        assert!(f.commit_line_bytes > 20, "a journal line per commit");
        assert!(f.commit_during_compaction.1 >= 1 && f.commit_during_open.1 >= 1, "commits were made meanwhile");
        assert!(f.compacting_commit.1 > 0, "the compacting process said how big it was");
        assert!(f.read.peak_kib > 0 && f.year.peak_kib > 0);
        // The decode was timed in fresh processes too (the reference of the CLI read's ratio).
        assert!(f.bare_decode_fresh > std::time::Duration::ZERO && f.bare_decode > std::time::Duration::ZERO);
        for r in [f.read, f.year, f.read_after_year] {
            let (low, high) = r.range.expect("a whole-process figure is the median of several runs");
            assert!(low <= r.time && r.time <= high, "{r:?}");
        }
    }
    assert!(first.scale.snapshot_bytes > first.demo.snapshot_bytes * 5);

    let text = table::render(&first);
    for row in [
        "snapshot on disk",
        "history on disk",
        "bare typed parse",
        "`clock show`",
        "clock advance 365d",
        "after that advance",
        "while another handle compacts",
        "the compacting process's own commit",
        "while another handle opens",
        "the same decode in a fresh process",
        "x the fresh decode",
    ] {
        assert!(text.contains(row), "{row} in\n{text}");
    }
    assert!(text.contains("commit through the store API") && text.contains("bare append+fsync"), "{text}");
    assert!(text.contains(&format!("median of {}", measure::PROCESS_RUNS)), "{text}");

    let second = measure::table(bin, root.path(), params).expect("measures again");
    assert!(second.generate.is_none(), "the second run reuses the cache");
    assert_eq!(fs::read(data.join("tenant.json")).expect("the cached snapshot"), cached, "the cache is never changed");
}
