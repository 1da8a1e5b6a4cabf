//! Time travel: every date the clock computes is checked (nothing panics, whatever is stored),
//! firing costs the events fired (a century of weekly reviews is one cheap jump), a jump that
//! would fire too much is refused before anything changes, and what fired is told by kind.

use crate::common;

use chrono::{Datelike, TimeZone, Utc};
use common::*;
use entitle::domain::*;

fn weekly(starts_on: Time) -> ReviewSettings {
    ReviewSettings {
        frequency: ReviewFrequency::Weekly,
        starts_on,
        duration_days: 3,
        reviewers: vec![Reviewer::SelfReview],
        fallback: vec![],
        no_response: NoResponse::Keep,
        before_expiry_days: None,
    }
}

/// A lab whose policy never expires and is reviewed weekly from day 1, with one member assigned.
fn weekly_lab(w: &mut World) -> (Lab, UserId) {
    let mut spec = members_policy("Weekly");
    spec.lifecycle.expiration = Expiration::Never;
    spec.review = Some(weekly(t0() + days(1)));
    let lab = w.lab(spec);
    let mia = w.user("Mia");
    w.request(&u(mia), lab.package);
    (lab, mia)
}

fn admin(w: &World) -> Actor {
    u(w.admin)
}

/// Weekly occurrences from `start` up to and including `to`.
fn weeks_through(start: Time, to: Time) -> usize {
    let n = to.signed_duration_since(start).num_weeks() + 1;
    usize::try_from(n).unwrap()
}

/// A policy as an older version or a hand edit left it, values the commands refuse included: its
/// spec and its current revision (what a migrated file holds) both say `edit`.
fn stored_as(w: &mut World, policy: PolicyId, edit: impl FnOnce(&mut PolicySpec)) {
    let p = w.t.policies.get_mut(&policy).unwrap();
    edit(&mut p.spec);
    let key = (policy, p.revision);
    let terms = PolicyTerms::of(&p.spec);
    w.t.policy_revisions.insert(key, std::sync::Arc::new(terms));
    w.t.rebuild_indexes();
}

#[test]
fn a_stored_review_duration_past_the_calendar_opens_no_review_and_panics_nothing() {
    let mut w = World::new();
    let (lab, _) = weekly_lab(&mut w);
    // As an older version or a hand edit left it: the commands refuse it now.
    w.t.policies.get_mut(&lab.policy).unwrap().spec.review.as_mut().unwrap().duration_days = 99_999_999;
    w.t.rebuild_indexes();

    let fired = w.advance(20);
    assert_eq!(fired.reviews_opened, 0, "a review that would end past the year 9999 is not opened");
    assert!(w.t.reviews.is_empty());
    assert_eq!(w.t.policy(lab.policy).unwrap().next_review_at, Some(t0() + days(22)), "the schedule goes on");

    let problems = w.t.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!((problems[0].object, problems[0].field.as_str()), (ObjectRef::from(lab.policy), "review.durationDays"));
    assert!(
        problems[0].message.contains("9999") && problems[0].message.contains("--no-review"),
        "{}",
        problems[0].message
    );
    let lint = w.t.lint();
    assert_eq!((lint[0].severity, lint[0].code), (entitle::domain::lint::Severity::Error, "cannot-evaluate"));

    // Turning reviews off mends it.
    w.update_policy(lab.policy, |s| s.review = None);
    assert!(w.t.problems().is_empty());
    assert!(w.t.problems_summary().is_none());
}

#[test]
fn a_stored_review_before_expiry_past_the_calendar_schedules_nothing_and_panics_nothing() {
    let mut w = World::new();
    let mut spec = members_policy("Reviewed before expiry");
    spec.review = Some(ReviewSettings { before_expiry_days: Some(7), ..weekly(t0()) });
    let lab = w.lab(spec);
    stored_as(&mut w, lab.policy, |s| s.review.as_mut().unwrap().before_expiry_days = Some(99_999_999));

    // Delivery schedules the assignment's timers from these terms.
    let mia = w.user("Mia");
    w.request(&u(mia), lab.package);
    assert!(w.active(mia, lab.package).is_some());
    let fired = w.advance(400);
    assert_eq!((fired.reviews_opened, fired.expired), (0, 1), "it still expires; no review opens");
    assert!(w.t.reviews.is_empty());

    let found: Vec<(ObjectRef, String)> = w.t.problems().into_iter().map(|p| (p.object, p.field)).collect();
    assert_eq!(found, vec![(lab.policy.into(), "review.beforeExpiryDays".to_string())]);
    // While it was active, the terms of the revision it was granted under were reported too.
    let mut w2 = World::new();
    let mut spec = members_policy("Reviewed before expiry");
    spec.review = Some(ReviewSettings { before_expiry_days: Some(7), ..weekly(t0()) });
    let lab2 = w2.lab(spec);
    let bob = w2.user("Bob");
    let r2 = w2.request(&u(bob), lab2.package);
    let a2 = w2.asg_of(r2).id;
    // (Only a hand-edited file holds such a revision: the commands refuse the value.)
    let key = (w2.asg(a2).policy, w2.asg(a2).revision);
    let terms = std::sync::Arc::make_mut(w2.t.policy_revisions.get_mut(&key).unwrap());
    terms.review.as_mut().unwrap().before_expiry_days = Some(99_999_999);
    w2.t.rebuild_indexes();
    let found: Vec<(ObjectRef, String)> = w2.t.problems().into_iter().map(|p| (p.object, p.field)).collect();
    assert_eq!(found, vec![(a2.into(), "reviewTerms.beforeExpiryDays".to_string())]);
    assert_eq!(w2.advance(400).expired, 1);
}

#[test]
fn moving_the_clock_past_the_year_9999_is_refused_and_changes_nothing() {
    let mut w = World::new();
    weekly_lab(&mut w);
    let admin = admin(&w);
    let e = w.refuse(&admin, Command::AdvanceClock { seconds: 99_999_999 * 86_400 });
    assert!(matches!(&e, DomainError::OutOfRange { message: m, .. } if m.contains("past the year 9999")), "{e:?}");
    let e = w.refuse(&admin, Command::AdvanceClock { seconds: i64::MAX });
    assert!(matches!(&e, DomainError::OutOfRange { message: m, .. } if m.contains("past the year 9999")), "{e:?}");
    let far = Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).unwrap();
    let e = w.refuse(&admin, Command::SetClock { to: far });
    assert!(matches!(&e, DomainError::OutOfRange { message: m, .. } if m.contains("past the year 9999")), "{e:?}");
    assert_eq!(w.now(), t0());
}

#[test]
fn a_century_of_weekly_reviews_is_one_jump_that_fires_every_one() {
    let mut w = World::new();
    let (lab, mia) = weekly_lab(&mut w);
    let admin = admin(&w);
    let to = Utc.with_ymd_and_hms(2126, 1, 5, 9, 0, 0).unwrap();
    let out = w.run(&admin, Command::SetClock { to });

    let start = t0() + days(1);
    let expected = weeks_through(start, to);
    assert!(expected > 5_200, "a century of weeks: {expected}");
    assert_eq!(out.fired.reviews_opened, expected, "{}", out.message);
    let open_at_end = usize::from(w.t.reviews.values().any(|r| r.state == ReviewState::InProgress));
    assert_eq!(out.fired.reviews_completed, expected - open_at_end);
    assert_eq!(w.t.reviews.len(), expected);
    assert_eq!(out.fired.removed_by_review, 0, "nobody answered, and the policy keeps access then");
    assert!(w.active(mia, lab.package).is_some());
    // The schedule stays on its weekday, one week after the last.
    let next = w.t.policy(lab.policy).unwrap().next_review_at.unwrap();
    assert_eq!(next.weekday(), start.weekday());
    assert!(next > to && next.signed_duration_since(to).num_days() < 7);
    // The summary counts; it does not name thousands of reviews.
    assert!(out.message.contains(&format!("{expected} reviews opened")), "{}", out.message);
    assert!(!out.message.contains("Weekly 20"), "{}", out.message);

    // The same century in yearly steps fires the same reviews.
    let mut w2 = World::new();
    weekly_lab(&mut w2);
    let mut stepped = 0;
    while w2.now() < to {
        let next = (w2.now() + days(365)).min(to);
        stepped += w2.run(&admin, Command::SetClock { to: next }).fired.reviews_opened;
    }
    assert_eq!(stepped, expected);
}

#[test]
fn a_jump_that_would_fire_too_much_is_refused_with_its_count_and_changes_nothing() {
    let mut w = World::new();
    let (lab, _) = weekly_lab(&mut w);
    let admin = admin(&w);
    let to = Utc.with_ymd_and_hms(2326, 1, 5, 9, 0, 0).unwrap();
    let due = weeks_through(t0() + days(1), to);
    assert_eq!(w.t.timers_due_by(to, u64::MAX), u64::try_from(due).unwrap(), "one timer per weekly review");
    let e = w.refuse(&admin, Command::SetClock { to });
    let DomainError::Limit(m) = &e else { panic!("{e:?}") };
    let count = format!("{},{:03}", due / 1000, due % 1000);
    assert!(m.contains(&count) && m.contains("smaller steps") && m.contains("clock advance"), "{m}");
    let e = w.refuse(&admin, Command::AdvanceClock { seconds: 300 * 365 * 86_400 });
    assert!(matches!(e, DomainError::Limit(_)), "{e:?}");
    assert_eq!(w.now(), t0());
    assert!(w.t.reviews.is_empty());
    assert_eq!(w.t.policy(lab.policy).unwrap().next_review_at, Some(t0() + days(1)));

    // The step it suggests is taken.
    let step: i64 = m.split("`clock advance ").nth(1).and_then(|x| x.split('d').next()).unwrap().parse().unwrap();
    assert!(step > 365, "{m}");
    let fired = w.run(&admin, Command::AdvanceClock { seconds: step * 86_400 }).fired;
    assert!(fired.reviews_opened > 0);
}

#[test]
fn reviews_of_a_policy_nobody_holds_do_not_count_against_a_long_jump() {
    let mut w = World::new();
    let mut spec = members_policy("Weekly, unused");
    spec.lifecycle.expiration = Expiration::Never;
    spec.review = Some(weekly(t0() + days(1)));
    w.lab(spec);
    let admin = admin(&w);
    // Three centuries of weekly dates, but no assignment to review: nothing would open.
    let to = Utc.with_ymd_and_hms(2326, 1, 5, 9, 0, 0).unwrap();
    assert!(w.t.timers_due_by(to, u64::MAX) <= 1, "only the queued date, not 15,000 later ones");
    let fired = w.run(&admin, Command::SetClock { to }).fired;
    assert_eq!((fired.reviews_opened, w.now()), (0, to));
}

#[test]
fn what_fired_is_told_in_counts_by_kind() {
    let fired = Fired { reviews_opened: 3, reviews_completed: 2, expired: 14, notices: 1, ..Fired::default() };
    assert_eq!(
        fired.to_string(),
        "3 reviews opened, 2 reviews completed, 14 assignments expired, 1 expiry notice sent"
    );
    assert_eq!(fired.parts().len(), 4);
    assert_eq!(Fired::default().to_string(), "nothing was due");
    let json = serde_json::to_value(&fired).unwrap();
    assert_eq!((json["reviewsOpened"].as_u64(), json["expired"].as_u64()), (Some(3), Some(14)));
}

#[test]
fn every_stored_day_count_past_the_calendar_is_reported_and_panics_nothing() {
    let mut w = World::new();
    let boss = w.user("Boss");
    let mut spec = members_policy("Approved");
    spec.stages = vec![stage(vec![by(boss)])];
    spec.stages[0].escalation = Some(Escalation { after_days: 3, alternates: vec![by(w.admin)] });
    let lab = w.lab(spec);
    w.settings(|s| s.external_lifecycle = ExternalLifecycle::BlockThenRemove(3));
    // As an older version or a hand edit left them.
    stored_as(&mut w, lab.policy, |p| {
        p.lifecycle.expiration = Expiration::AfterDays(u32::MAX);
        p.stages[0].timeout_days = u32::MAX;
        if let Some(e) = p.stages[0].escalation.as_mut() {
            e.after_days = u32::MAX;
        }
    });
    w.t.settings.external_lifecycle = ExternalLifecycle::BlockThenRemove(u32::MAX);
    w.t.rebuild_indexes();

    let fields: Vec<String> = w.t.problems().into_iter().map(|p| format!("{} {}", p.object, p.field)).collect();
    let pol = lab.policy.to_string();
    assert_eq!(
        fields,
        [
            format!("{pol} expiration"),
            format!("{pol} stages[0].timeoutDays"),
            format!("{pol} stages[0].escalation.afterDays"),
            "settings externalLifecycle.days".to_string(),
        ]
    );
    // Submitting, waiting and approving all work; what cannot be dated is not scheduled.
    let mia = w.user("Mia");
    let r = w.request(&u(mia), lab.package);
    assert_eq!(w.state(r), RequestState::PendingApproval);
    let fired = w.advance(400);
    assert_eq!((fired.escalated, fired.timed_out), (0, 0));
    w.approve(boss, r);
    assert!(w.asg_of(r).end.is_none(), "an end past the calendar is never reached");
    assert_eq!(w.t.next_timer(), None);
}

#[test]
fn an_assignment_under_review_gets_no_second_review_before_expiry_until_that_one_ends() {
    let mut w = World::new();
    let mut spec = members_policy("Short, reviewed before expiry");
    spec.lifecycle.expiration = Expiration::AfterDays(30);
    spec.lifecycle.allow_extension = true;
    // The longest review before expiry a 30-day lifetime allows, a week long.
    spec.review = Some(ReviewSettings { before_expiry_days: Some(29), duration_days: 7, ..weekly(t0()) });
    let lab = w.lab(spec);
    let mia = w.user("Mia");
    let r = w.request(&u(mia), lab.package);
    let a = w.asg_of(r).id;
    assert_eq!(w.advance(1).reviews_opened, 1, "29 days before a 30-day end");
    let extend = |w: &mut World| {
        w.run(&u(mia), Command::RequestExtension { assignment: a, justification: "still needed".into() });
    };

    // Extending moves the end; the review before the new end falls due while the first is open.
    w.advance(4);
    extend(&mut w);
    assert_eq!(w.asg(a).end, Some(t0() + days(35)));
    w.advance(1);
    assert_eq!(w.t.reviews.len(), 1, "no second review while the first is in progress");

    // Once it has ended (day 8), an extension opens a new one.
    assert_eq!(w.advance(3).reviews_completed, 1);
    extend(&mut w);
    assert_eq!(w.advance(1).reviews_opened, 1);
    assert_eq!(w.t.reviews.len(), 2);
    // Saved and loaded, the tenant knows which assignment is under review.
    let mut back: Tenant = serde_json::from_str(&serde_json::to_string(&w.t).unwrap()).unwrap();
    back.rebuild_indexes();
    w.t = back;
    extend(&mut w);
    w.advance(1);
    assert_eq!(w.t.reviews.len(), 2, "the loaded index still sees the open review");
}

#[test]
fn an_administrator_may_raise_the_limit_of_one_clock_move_within_its_range() {
    let mut w = World::new();
    weekly_lab(&mut w);
    let admin = admin(&w);
    let to = Utc.with_ymd_and_hms(2326, 1, 5, 9, 0, 0).unwrap();
    assert!(matches!(w.refuse(&admin, Command::SetClock { to }), DomainError::Limit(_)));
    // Out of its range: refused with the field.
    let mut s = w.t.settings.clone();
    s.limits.timers_per_clock_move = 10;
    let e = w.refuse(&admin, Command::UpdateSettings { settings: s.clone() });
    assert_eq!(e.field(), Some(entitle::domain::bounds::Field::TimersPerClockMove), "{e:?}");
    // Raised, the same jump goes through in one move.
    s.limits.timers_per_clock_move = 100_000;
    w.run(&admin, Command::UpdateSettings { settings: s });
    let fired = w.run(&admin, Command::SetClock { to }).fired;
    assert_eq!(fired.reviews_opened, weeks_through(t0() + days(1), to));
}

#[test]
fn a_schedule_counts_only_while_someone_holds_an_assignment_under_it() {
    let mut w = World::new();
    let mut spec = members_policy("Weekly, 30 days");
    spec.lifecycle.expiration = Expiration::AfterDays(30);
    spec.review = Some(weekly(t0() + days(1)));
    let lab = w.lab(spec);
    let mia = w.user("Mia");
    w.request(&u(mia), lab.package);
    let admin = admin(&w);
    // Three centuries of weekly dates, but Mia's access ends after 30 days: a handful of reviews.
    let to = Utc.with_ymd_and_hms(2326, 1, 5, 9, 0, 0).unwrap();
    assert!(w.t.timers_due_by(to, u64::MAX) < 20, "{}", w.t.timers_due_by(to, u64::MAX));
    let fired = w.run(&admin, Command::SetClock { to }).fired;
    assert!((1..=5).contains(&fired.reviews_opened), "{fired:?}");
    assert_eq!((fired.expired, w.now()), (1, to));
}
