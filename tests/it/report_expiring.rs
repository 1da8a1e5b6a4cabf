//! The expiring report reads the timer queue instead of every assignment: it must list exactly
//! what a scan of every assignment finds (active, ending by the horizon, soonest first), on the
//! demo tenant (whose history extended some assignments) and on a generated one, now and after
//! the clock has moved and assignments expired on the way.

use entitle::domain::{Actor, Assignment, Command, Entry, Tenant};

/// What the report must hold, by scanning every assignment.
fn scanned(t: &Tenant, days: i64) -> Vec<entitle::domain::AssignmentId> {
    let until = t.now() + chrono::Duration::days(days);
    let mut v: Vec<&Assignment> =
        t.assignments.values().filter(|a| a.is_active() && a.end.is_some_and(|e| e <= until)).collect();
    v.sort_by_key(|a| (a.end, a.id));
    v.into_iter().map(|a| a.id).collect()
}

fn check(t: &Tenant) {
    for days in [0, 1, 7, 30, 84, 365, 3650] {
        let report: Vec<_> = t.report_expiring(days).expect("in range").into_iter().map(|a| a.id).collect();
        assert_eq!(report, scanned(t, days), "within {days} days at {}", t.now());
    }
}

fn advance(t: &mut Tenant, days: i64) {
    let entry = Entry { at: t.now(), actor: Actor::System, command: Command::AdvanceClock { seconds: days * 86_400 } };
    t.apply(&entry).expect("the clock moves");
}

#[test]
fn the_expiring_report_is_the_scan_of_every_assignment() {
    let demo = entitle::demo::demo_tenant().expect("the demo");
    let (generated, _) = entitle::scale::build(entitle::scale::ScaleParams::smoke()).expect("generated");
    for mut t in [demo, generated] {
        check(&t);
        for step in [3, 30, 90] {
            advance(&mut t, step);
            check(&t);
        }
    }
}
