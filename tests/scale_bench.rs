//! The scale benchmark's measurements at smoke size (what CI runs; the figures themselves are
//! not asserted: speed belongs to the benchmark). It proves the instrument measures what it says:
//! the parts of the snapshot add up, the year really runs on the work copy and never on the
//! cached tenant, commits reach the journal, and a second run reuses the cache.

#[path = "../benches/scale/measure.rs"]
mod measure;
#[path = "../benches/scale/table.rs"]
mod table;
#[path = "../benches/scale/waits.rs"]
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
    if waits::role().expect("the role runs") {
        std::process::exit(0);
    }
}

#[test]
fn the_smoke_table_measures_the_cached_tenant_on_copies_and_prints_every_row() {
    let root = tempfile::tempdir().expect("a temp dir");
    let bin = Path::new(env!("CARGO_BIN_EXE_entitle"));
    let params = ScaleParams::for_assignments(SMOKE);
    waits::run_roles_as(&[ROLE_TEST, "--exact", "--nocapture", "--test-threads=1", "--quiet"]);
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
    ] {
        assert!(text.contains(row), "{row} in\n{text}");
    }
    assert!(text.contains("commit through the store API") && text.contains("bare append+fsync"), "{text}");

    let second = measure::table(bin, root.path(), params).expect("measures again");
    assert!(second.generate.is_none(), "the second run reuses the cache");
    assert_eq!(fs::read(data.join("tenant.json")).expect("the cached snapshot"), cached, "the cache is never changed");
}
