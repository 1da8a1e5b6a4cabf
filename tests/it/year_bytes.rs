//! A year's jump writes exactly the files it wrote before the jump was made fast (the history
//! written as it is made, typed before/after values, keyed grant removal): the snapshot after
//! the jump, the journal and every history file, byte for byte. The digests below were taken
//! with this same test on commit cda5b7e (the code before that work), on the demo tenant and on
//! the smoke-sized generated tenant, each jumping 365 days and then compacting.

use std::path::Path;

use entitle::domain::{Actor, Command, Entry, Tenant};
use entitle::store::Store;

/// FNV-1a, 64 bits: enough to tell two files apart, and the same on every build.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// Every file under `dir` but the lock and the cache, by path, with its size and digest, in path order.
fn digests(dir: &Path) -> Vec<(String, usize, u64)> {
    let mut out = vec![];
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).expect("a directory") {
            let p = e.expect("an entry").path();
            if p.is_dir() {
                todo.push(p);
                continue;
            }
            let name = p.strip_prefix(dir).expect("under the dir").to_string_lossy().into_owned();
            // The lock, and the binary cache: derived from the files compared, in its own layout.
            if name == "entitle.lock" || name == "tenant.cache" {
                continue;
            }
            let bytes = std::fs::read(&p).expect("a file");
            out.push((name, bytes.len(), fnv(&bytes)));
        }
    }
    out.sort();
    out
}

/// Stores `tenant` in `dir` and jumps a year as its first global administrator.
fn jump(dir: &Path, tenant: Tenant) -> Store<Tenant> {
    let admin = tenant.users.values().find(|u| u.global_admin).map(|u| u.id).expect("an administrator");
    let mut store = Store::create(dir, tenant).expect("stored");
    store.set_background_compaction(false);
    // The store compacts after an entry that took long by the wall clock (a loaded machine
    // makes the smoke year take that long): never here, so the files do not depend on the
    // machine's load.
    store.set_heavy_entry(std::time::Duration::MAX);
    let seconds = 365 * 24 * 3600;
    store
        .commit(|t| Entry { at: t.now(), actor: Actor::user(admin), command: Command::AdvanceClock { seconds } })
        .expect("the year");
    store
}

/// Stores `tenant`, jumps a year, compacts, and digests.
fn year(tenant: Tenant) -> Vec<(String, usize, u64)> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut store = jump(dir.path(), tenant);
    store.compact().expect("compacted");
    digests(dir.path())
}

/// The digests as text, one file a line (what a failure prints, to compare or to record).
fn listing(d: &[(String, usize, u64)]) -> String {
    d.iter().map(|(n, len, h)| format!("{n} {len} {h:016x}\n")).collect()
}

/// The whole listing folded into one digest, with the number of files.
fn summary(d: &[(String, usize, u64)]) -> (usize, u64) {
    (d.len(), fnv(listing(d).as_bytes()))
}

#[test]
fn the_demo_tenant_s_year_writes_the_same_bytes_as_before() {
    let tenant = entitle::demo::demo_tenant().expect("the demo");
    let d = year(tenant);
    assert_eq!(summary(&d), DEMO, "{}", listing(&d));
}

#[test]
fn a_generated_tenant_s_year_writes_the_same_bytes_as_before() {
    let (tenant, _) = entitle::scale::build(entitle::scale::ScaleParams::smoke()).expect("generated");
    let d = year(tenant);
    assert_eq!(summary(&d), SMOKE, "{}", listing(&d));
}

#[test]
fn replaying_the_year_leaves_out_of_memory_what_the_history_files_hold_and_changes_nothing() {
    let (tenant, _) = entitle::scale::build(entitle::scale::ScaleParams::smoke()).expect("generated");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = jump(dir.path(), tenant);
    assert!(store.journal_lines() > 0, "the year is in the journal, not compacted");
    drop(store);
    // Opening replays the year: its thousands of events and notices are in the files already.
    let mut store = Store::<Tenant>::open(dir.path()).expect("opens").expect("a tenant");
    let t = store.state();
    assert!(
        t.audit.is_empty() && t.notifications.is_empty(),
        "{} events, {} notices",
        t.audit.len(),
        t.notifications.len()
    );
    assert!(t.unread.values().map(|s| s.len()).sum::<usize>() > 3000, "the year's notices are unread");
    // The state is the one the year left: compacting it writes the same files.
    store.set_background_compaction(false);
    store.compact().expect("compacted");
    let d = digests(dir.path());
    assert_eq!(summary(&d), SMOKE, "{}", listing(&d));
}

/// Recorded on commit cda5b7e. The demo's since: its snapshot keeps the email of the request
/// Alex made from outside the directory and canceled (`finishedEmails`, 59 bytes of
/// tenant.json); every other file is the same byte for byte. Recorded again when the demo
/// gained separation of duties, a manager's request for a report and guest block and removal
/// events with their before/after, then Sales Essentials and its automatic policy (its
/// assignments, requests, audit events and notices: one more file), then the custom extension
/// of the Projects catalog (its audit events, and the calls the year's removals of Project
/// Alpha assignments queue in the snapshot). Both recorded again when the snapshot gained the
/// point-in-time records (`pit` in tenant.json: the packages' role changes and direct
/// memberships, dated), and again when the JSON was made camelCase throughout (a group's
/// `groupType`, in the snapshot and in the audit events' before and after), and again when the
/// audit events' actor and object were written typed (`{"type": "system"}`, `{"assignment": 14}`,
/// in the audit log's history files only), and again when notifications named what they are
/// about typed (`"about": {"request": 12}`, in the mailboxes' history files only: every other
/// file is the same byte for byte).
const DEMO: (usize, u64) = (65, 3038942130234586846);
const SMOKE: (usize, u64) = (156, 9431077378991665275);
