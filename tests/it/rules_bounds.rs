//! Every number, date and text a command sets has a range, checked by the domain when it is set;
//! the refusal names the field (typed) and tells the range, and changes nothing. The values of
//! issue 6 §1 that bricked a tenant or panicked are each refused here.

use crate::common;

use chrono::{TimeZone, Utc};
use common::*;
use entitle::domain::bounds::{self, Field};
use entitle::domain::*;

fn review(frequency: ReviewFrequency, duration_days: u32) -> ReviewSettings {
    ReviewSettings {
        frequency,
        starts_on: t0() + days(10),
        duration_days,
        reviewers: vec![Reviewer::SelfReview],
        fallback: vec![],
        no_response: NoResponse::Keep,
        before_expiry_days: None,
    }
}

/// The field and message of a refusal that must change nothing.
#[track_caller]
fn refused(w: &mut World, command: Command) -> (Option<Field>, String) {
    let e = w.refuse(&sys(), command);
    assert_eq!(kind(&e), "Invalid", "{e}");
    (e.field(), e.to_string())
}

fn year(y: i32) -> Time {
    Utc.with_ymd_and_hms(y, 1, 1, 0, 0, 0).unwrap()
}

#[test]
fn a_review_lasting_99999999_days_is_refused_with_its_range() {
    let mut w = World::new();
    let lab = w.lab(members_policy("Staff"));
    let mut spec = members_policy("Reviewed");
    spec.review = Some(review(ReviewFrequency::Quarterly, 99_999_999));
    let (field, msg) = refused(&mut w, Command::CreatePolicy { package: lab.package, spec: spec.clone() });
    assert_eq!(field, Some(Field::ReviewDuration));
    assert_eq!(
        msg,
        "The access review's duration must be 1 to 89 days (a quarterly review ends before the next one opens); you gave 99999999"
    );
    // Each recurrence has its own: a review ends before the next one opens.
    for (frequency, max) in [
        (ReviewFrequency::Weekly, 7),
        (ReviewFrequency::Monthly, 28),
        (ReviewFrequency::Quarterly, 89),
        (ReviewFrequency::SemiAnnually, 181),
        (ReviewFrequency::Annually, 365),
    ] {
        spec.review = Some(review(frequency, max + 1));
        let (field, _) = refused(&mut w, Command::UpdatePolicy { policy: lab.policy, spec: spec.clone() });
        assert_eq!(field, Some(Field::ReviewDuration), "{frequency}");
        spec.review = Some(review(frequency, max));
        w.run(&sys(), Command::UpdatePolicy { policy: lab.policy, spec: spec.clone() });
    }
}

#[test]
fn a_review_before_expiry_must_come_within_the_assignments_lifetime() {
    let mut w = World::new();
    let lab = w.lab(members_policy("Staff"));
    let mut spec = w.t.policy(lab.policy).unwrap().spec.clone();
    let mut r = review(ReviewFrequency::Quarterly, 14);
    r.before_expiry_days = Some(99_999_999);
    spec.review = Some(r.clone());
    let (field, msg) = refused(&mut w, Command::UpdatePolicy { policy: lab.policy, spec: spec.clone() });
    assert_eq!(field, Some(Field::ReviewBeforeExpiry));
    assert!(msg.contains("must be 1 to 3650 days; you gave 99999999"), "{msg}");
    // Within the 365-day default lifetime: 364 is fine, 365 is not.
    r.before_expiry_days = Some(365);
    spec.review = Some(r.clone());
    let (_, msg) = refused(&mut w, Command::UpdatePolicy { policy: lab.policy, spec: spec.clone() });
    assert!(msg.contains("1 to 364 days (less than the assignments' 365-day lifetime); you gave 365"), "{msg}");
    r.before_expiry_days = Some(364);
    spec.review = Some(r);
    w.run(&sys(), Command::UpdatePolicy { policy: lab.policy, spec });
}

#[test]
fn an_update_mends_a_stored_policy_whose_values_are_out_of_range() {
    let mut w = World::new();
    let lab = w.lab(members_policy("Staff"));
    // As an older version or a hand edit could have left it.
    let mut spec = w.t.policy(lab.policy).unwrap().spec.clone();
    spec.review = Some(review(ReviewFrequency::Monthly, 99_999_999));
    spec.lifecycle.expiration = Expiration::AfterDays(u32::MAX);
    if let Some(p) = w.t.policies.get_mut(&lab.policy) {
        p.spec = spec.clone();
    }
    // Renaming alone keeps the bad values and is refused, naming one...
    spec.display_name = "Renamed".into();
    assert!(w.apply(&sys(), Command::UpdatePolicy { policy: lab.policy, spec: spec.clone() }).is_err());
    // ...and bringing them into range is accepted.
    spec.review = Some(review(ReviewFrequency::Monthly, 14));
    spec.lifecycle.expiration = Expiration::AfterDays(90);
    w.run(&sys(), Command::UpdatePolicy { policy: lab.policy, spec });
    assert_eq!(w.t.policy(lab.policy).unwrap().spec.lifecycle.expiration, Expiration::AfterDays(90));
}

#[test]
fn policy_numbers_tell_their_range_and_field() {
    let mut w = World::new();
    let approver = w.user("Carl");
    let lab = w.lab(members_policy("Staff"));
    let base = w.t.policy(lab.policy).unwrap().spec.clone();
    let mut cases: Vec<(PolicySpec, Field, &str)> = vec![];
    let mut s = base.clone();
    s.stages = vec![stage(vec![by(approver)]); 4];
    cases.push((s, Field::Stages, "Approval must be 0 to 3 stages; you gave 4"));
    let mut s = base.clone();
    let mut st = stage(vec![by(approver)]);
    st.timeout_days = 99_999_999;
    s.stages = vec![stage(vec![by(approver)]), st.clone()];
    cases.push((
        s,
        Field::StageTimeout { stage: 2 },
        "Stage 2: decision timeout must be 1 to 30 days; you gave 99999999",
    ));
    let mut s = base.clone();
    st.timeout_days = 14;
    st.escalation = Some(Escalation { after_days: u32::MAX, alternates: vec![by(approver)] });
    s.stages = vec![st];
    cases.push((
        s,
        Field::Escalation { stage: 1 },
        "Stage 1: escalation must be 1 to 13 days (before the 14-day timeout)",
    ));
    let mut s = base.clone();
    s.lifecycle.expiration = Expiration::AfterDays(u32::MAX);
    cases.push((s, Field::ExpirationDays, "must be 0 to 3650 days (0 means never); you gave 4294967295"));
    let mut s = base.clone();
    s.lifecycle.expiration = Expiration::AfterHours(0);
    cases.push((s, Field::ExpirationHours, "must be 1 to 87600 hours; you gave 0"));
    let mut s = base.clone();
    s.lifecycle.expiration = Expiration::OnDate(Time::MAX_UTC);
    cases.push((s, Field::ExpirationDate, "that date is past the year 9999"));
    let mut s = base.clone();
    let mut r = review(ReviewFrequency::Annually, 14);
    r.starts_on = year(10_000);
    s.review = Some(r);
    cases.push((s, Field::ReviewStart, "that date is past the year 9999"));
    let mut s = base.clone();
    s.questions = (1..=21)
        .map(|i| Question { id: QuestionId(i), text: format!("Q{i}"), kind: QuestionKind::Text, required: false })
        .collect();
    cases.push((s, Field::Questions, "The questions must be 0 to 20 questions; you gave 21"));
    for (spec, field, text) in cases {
        let (got, msg) = refused(&mut w, Command::UpdatePolicy { policy: lab.policy, spec });
        assert_eq!(got, Some(field), "{msg}");
        assert!(msg.contains(text), "{msg}");
    }
}

#[test]
fn settings_numbers_are_bounded() {
    let mut w = World::new();
    let mut s = w.t.settings.clone();
    s.external_lifecycle = ExternalLifecycle::BlockThenRemove(99_999_999);
    let (field, msg) = refused(&mut w, Command::UpdateSettings { settings: s.clone() });
    assert_eq!(field, Some(Field::GuestRemovalDays));
    assert!(msg.contains("must be 0 to 3650 days; you gave 99999999"), "{msg}");
    s.external_lifecycle = ExternalLifecycle::BlockThenRemove(30);
    s.limits.packages_per_catalog = usize::MAX;
    let (field, _) = refused(&mut w, Command::UpdateSettings { settings: s.clone() });
    assert_eq!(field, Some(Field::PackagesPerCatalog));
    s.limits.packages_per_catalog = 1000;
    w.run(&sys(), Command::UpdateSettings { settings: s });
}

#[test]
fn the_clock_refuses_to_pass_the_year_9999() {
    let mut w = World::new();
    // clock advance 99999999d and beyond: refused, not a panic.
    for seconds in [99_999_999i64 * 86_400, i64::MAX] {
        let (field, msg) = refused(&mut w, Command::AdvanceClock { seconds });
        assert_eq!(field, Some(Field::ClockAdvance));
        assert!(msg.contains("that date is past the year 9999"), "{msg}");
    }
    // clock set +99999999999d resolves to the end of chrono's time; the domain refuses it.
    for to in [Time::MAX_UTC, year(10_000)] {
        let (field, msg) = refused(&mut w, Command::SetClock { to });
        assert_eq!(field, Some(Field::ClockTarget));
        assert!(msg.contains("that date is past the year 9999"), "{msg}");
    }
    // The last second of 9999 is as far as it goes, and a tick past it stops there.
    w.run(&sys(), Command::SetClock { to: bounds::latest() });
    w.tick_to(Time::MAX_UTC);
    assert_eq!(w.now(), bounds::latest());
}

#[test]
fn a_start_or_end_past_the_year_9999_is_refused() {
    let mut w = World::new();
    let mia = w.user("Mia");
    let mut spec = members_policy("Staff");
    spec.lifecycle.expiration = Expiration::Never;
    let lab = w.lab(spec);
    // request --start +99999999999d
    let mut cmd = submit_cmd(lab.package, None);
    if let Command::SubmitRequest { start, .. } = &mut cmd {
        *start = Some(Time::MAX_UTC);
    }
    let e = w.refuse(&u(mia), cmd);
    assert_eq!(e.field(), Some(Field::RequestStart), "{e}");
    assert!(e.to_string().contains("that date is past the year 9999"), "{e}");
    // assign --end far in the future, under a policy that never expires.
    let assign = |start: Option<Time>, end: Option<Time>| Command::AdminAssign {
        package: lab.package,
        policy: lab.policy,
        user: mia,
        start,
        end,
        justification: String::new(),
    };
    let e = w.refuse(&sys(), assign(None, Some(Time::MAX_UTC)));
    assert_eq!(e.field(), Some(Field::AssignmentEnd), "{e}");
    let e = w.refuse(&sys(), assign(Some(year(12_000)), None));
    assert_eq!(e.field(), Some(Field::AssignmentStart), "{e}");
    // The year 9999 itself is still a date the tenant keeps.
    w.run(&sys(), assign(None, Some(year(9999))));
    assert_eq!(w.active(mia, lab.package).and_then(|a| a.end), Some(year(9999)));
}

#[test]
fn report_expiring_takes_0_to_3650_days() {
    let w = World::new();
    let e = w.t.report_expiring(4_294_967_295).err();
    assert_eq!(e.as_ref().and_then(DomainError::field), Some(Field::ReportDays));
    assert_eq!(
        e.map(|e| e.to_string()).as_deref(),
        Some("The number of days must be 0 to 3650 days; you gave 4294967295")
    );
    assert!(w.t.report_expiring(-1).is_err());
    assert!(w.t.report_expiring(i64::MAX).is_err());
    assert!(w.t.report_expiring(3650).is_ok());
}

#[test]
fn names_are_one_line_of_at_most_256_characters() {
    let mut w = World::new();
    let spec =
        |name: String| CatalogSpec { display_name: name, description: String::new(), enabled: true, external: false };
    for bad in ["Sales\u{1b}[2J".to_string(), "two\nlines".to_string(), "x".repeat(257)] {
        let (field, msg) = refused(&mut w, Command::CreateCatalog { spec: spec(bad) });
        assert_eq!(field, Some(Field::Name), "{msg}");
    }
    w.run(&sys(), Command::CreateCatalog { spec: spec("x".repeat(256)) });
    let mut user = member_spec("Eve", None);
    user.display_name = "Eve\u{7}".into();
    assert_eq!(refused(&mut w, Command::CreateUser { spec: user }).0, Some(Field::Name));
    // Someone signing in by email cannot smuggle escape codes into the guest they would become.
    let lab = w.lab(PolicySpec::new("Partners", RequestScope::AllExternal));
    let e = w.refuse(&ext("eve@fabrikam.com", "Eve\u{1b}]0;owned\u{7}"), submit_cmd(lab.package, None));
    assert_eq!(e.field(), Some(Field::Name), "{e}");
}

#[test]
fn justifications_keep_line_breaks_but_refuse_escape_codes_and_floods() {
    let mut w = World::new();
    let mia = w.user("Mia");
    let lab = w.lab(members_policy("Staff"));
    let with = |text: String| {
        let mut cmd = submit_cmd(lab.package, None);
        if let Command::SubmitRequest { justification, .. } = &mut cmd {
            *justification = text;
        }
        cmd
    };
    let e = w.refuse(&u(mia), with("Need it\u{1b}[31m now".into()));
    assert_eq!(e.field(), Some(Field::Justification), "{e}");
    let e = w.refuse(&u(mia), with("x".repeat(bounds::TEXT_CHARS + 1)));
    assert!(e.to_string().contains("at most 4000 characters long; you gave 4001"), "{e}");
    let r: RequestId = id_of(&w.run(&u(mia), with("Quarter close:\n\tledger access".into())));
    assert_eq!(w.req(r).justification, "Quarter close:\n\tledger access");
}

#[test]
fn a_journaled_entry_out_of_todays_range_replays_but_other_rules_still_hold() {
    let mut w = World::new();
    let mia = w.user("Mia");
    let lab = w.lab(members_policy("Staff"));
    let mut spec = members_policy("Weekly");
    spec.review = Some(review(ReviewFrequency::Weekly, 14));
    let entry = |actor: Actor, spec: PolicySpec| Entry {
        at: t0(),
        actor,
        command: Command::CreatePolicy { package: lab.package, spec },
    };
    // Today it is refused...
    assert_eq!(w.t.apply(&entry(sys(), spec.clone())).err().and_then(|e| e.field()), Some(Field::ReviewDuration));
    // ...but an older version journaled it, and reading the journal back applies it as it was.
    let created: PolicyId = id_of(&w.t.replay(&entry(sys(), spec.clone())).expect("replayed"));
    assert_eq!(w.t.policy(created).unwrap().spec.review.as_ref().map(|r| r.duration_days), Some(14));
    // Rights and the other rules are not waived, and the waiver ends with the entry.
    spec.display_name = "Mine".into();
    assert_eq!(kind(&w.t.replay(&entry(u(mia), spec.clone())).unwrap_err()), "Forbidden");
    spec.stages = vec![stage(vec![])];
    assert!(w.t.replay(&entry(sys(), spec.clone())).is_err());
    assert!(w.t.apply(&entry(sys(), members_policy("Weekly again"))).is_ok());
    let mut again = members_policy("Weekly twice");
    again.review = Some(review(ReviewFrequency::Weekly, 14));
    assert!(w.t.apply(&entry(sys(), again)).is_err());
}
