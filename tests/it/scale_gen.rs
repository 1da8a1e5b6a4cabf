//! The scale tenant's generator: deterministic from its seed, the sizes asked for, built through
//! the domain's commands, saved as a normal data directory; and `entitle gen`.

use crate::cli_support;

use cli_support::Env;
use entitle::domain::history::{AUDIT_STREAM, NOTICE_SHARDS};
use entitle::domain::{AuditEvent, Notification, RequestState, RequestType, Tenant};
use entitle::scale::{self, Scale, ScaleParams};
use entitle::store::Store;

fn json(t: &Tenant) -> String {
    serde_json::to_string(t).expect("the tenant serializes")
}

#[test]
fn the_same_seed_builds_the_same_tenant_and_another_seed_another() {
    let p = ScaleParams::for_assignments(600);
    let (a, ra) = scale::build(p).expect("builds");
    let (b, rb) = scale::build(p).expect("builds");
    let (c, _) = scale::build(p.with_seed(p.seed + 1)).expect("builds");
    assert_eq!(json(&a), json(&b));
    assert_eq!(ra, rb);
    assert_ne!(json(&a), json(&c));
}

#[test]
fn the_tenant_has_the_sizes_asked_for_with_history_from_its_commands() {
    let p = ScaleParams::for_assignments(1_000);
    let (t, report) = scale::build(p).expect("builds");
    // The administrator who set it up, and the users asked for.
    assert_eq!(t.users.len(), p.users + 1);
    assert_eq!(report.users, t.users.len());
    assert_eq!(t.packages.len(), p.packages);
    assert_eq!(t.assignments.values().filter(|a| a.is_active()).count(), p.assignments);
    assert_eq!(report.active_assignments, p.assignments);
    let by_users: Vec<_> = t.requests_in_memory().filter(|r| r.request_type == RequestType::UserAdd).collect();
    assert_eq!(by_users.len(), p.requests);
    let pending: Vec<_> = by_users.iter().filter(|r| r.state == RequestState::PendingApproval).collect();
    assert_eq!(pending.len(), p.pending);
    assert_eq!(report.pending_requests, p.pending);
    // Pending at both stages of two-stage policies.
    for stage in [0, 1] {
        assert!(pending.iter().any(|r| r.stage == stage), "some request waits at stage {}", stage + 1);
    }
    assert!(pending.iter().all(|r| t.policies.get(&r.policy).is_some_and(|p| p.spec.stages.len() == 2)));
    assert!(by_users.iter().any(|r| r.state == RequestState::Denied));
    // Open review decisions near the number asked for (whole packages of ~50 assignments are
    // reviewed, so it is rounded by one package).
    let open = report.open_review_decisions;
    assert!(open >= p.reviews * 9 / 10 && open <= p.reviews + 100, "{open} open review decisions for {}", p.reviews);
    // History comes from the commands: every command is audited, deliveries are notified.
    assert_eq!(report.audit_events, t.audit.len());
    assert!(t.audit.len() as u64 >= report.commands / 2, "{} audit events", t.audit.len());
    assert!(report.notifications > p.assignments);
}

#[test]
fn generate_writes_a_data_directory_the_store_opens_as_the_same_tenant() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let p = ScaleParams::for_assignments(300);
    let report = scale::generate(dir.path(), p).expect("generates");
    let store = Store::<Tenant>::open(dir.path()).expect("opens").expect("holds a tenant");
    let (mut built, _) = scale::build(p).expect("builds");
    // The audit log and the mailboxes went to the history files, every record once.
    let audit: Vec<AuditEvent> = store.history(AUDIT_STREAM).expect("the audit log reads");
    assert_eq!(audit, built.audit.to_vec());
    let notices: usize = (0..NOTICE_SHARDS)
        .map(|shard| store.history::<Notification>(&format!("notices-{shard:02}")).expect("a mailbox reads").len())
        .sum();
    assert_eq!(notices, built.notifications.len());
    built.history_written();
    assert_eq!(json(store.state()), json(&built));
    assert_eq!(report.active_assignments, 300);
    // Never over existing data.
    assert!(scale::generate(dir.path(), p).is_err());
}

#[test]
fn scale_sizes_are_full_smoke_or_a_number_of_assignments() {
    assert_eq!("full".parse::<Scale>(), Ok(Scale(scale::FULL)));
    assert_eq!("Smoke".parse::<Scale>(), Ok(Scale(scale::SMOKE)));
    assert_eq!("100_000".parse::<Scale>(), Ok(Scale(100_000)));
    assert!("12".parse::<Scale>().is_err());
    assert!("big".parse::<Scale>().is_err());
    let full = ScaleParams::full();
    assert_eq!((full.users, full.packages, full.assignments), (100_000, 20_000, 1_000_000));
    assert_eq!((full.requests, full.pending, full.reviews), (200_000, 50_000, 20_000));
}

#[test]
fn entitle_gen_writes_a_tenant_the_cli_reads_and_refuses_to_write_over_one() {
    let env = Env::new();
    let out = env.ok(&["gen", "--scale", "500", "--seed", "3"]);
    assert!(out.contains("500 active assignments"), "{out}");
    let json = env.json(&["clock", "show"]);
    // 2026-05-05 09:00 UTC, in seconds.
    assert_eq!(json["now"].as_i64(), Some(1_777_971_600), "{json}");
    let err = env.fails(&["gen", "--scale", "500"], 1);
    assert!(err.contains("already holds a tenant"), "{err}");
    let err = env.fails(&["gen", "--scale", "lots"], 2);
    assert!(err.contains("not a scale"), "{err}");
}
