//! The check of stored problems reads the assignments only where the ends kept by revision
//! leave a doubt (`ReviewEnds`): it answers as the check that reads every assignment, on the
//! demo and a generated tenant, loaded from the JSON or from the binary cache, before and after
//! commands.

use chrono::Duration;
use entitle::domain::{Actor, Command, Entry, NoResponse, PolicyTerms, ReviewFrequency, ReviewSettings, Tenant};
use entitle::scale::{self, ScaleParams};

/// The tenant as a load makes it from its JSON, and as one makes it from the binary cache.
fn loaded(t: &Tenant) -> [Tenant; 2] {
    let json = serde_json::to_string(t).expect("serializes");
    let mut from_json: Tenant = serde_json::from_str(&json).expect("reads back");
    from_json.rebuild_indexes();
    let sections = entitle::domain::binary::encode(t).expect("encodes");
    let from_cache = entitle::domain::binary::decode(sections.iter().map(Vec::as_slice).collect()).expect("decodes");
    [from_json, from_cache]
}

fn same_answer(t: &Tenant, when: &str) {
    assert_eq!(t.problems(), t.problems_scanning_all(), "{when}");
}

fn run(t: &mut Tenant, command: Command) -> bool {
    let at = match &command {
        Command::AdvanceClock { seconds } => t.now() + Duration::seconds(*seconds),
        _ => t.now(),
    };
    t.apply(&Entry { at, actor: Actor::System, command }).is_ok()
}

fn advance_days(t: &mut Tenant, days: i64) {
    assert!(run(t, Command::AdvanceClock { seconds: days * 86_400 }), "the clock moves");
}

fn generated() -> Tenant {
    scale::build(ScaleParams::for_assignments(300)).expect("generates").0
}

#[test]
fn the_short_check_answers_as_the_long_one_on_the_demo_and_a_generated_tenant() {
    for (name, t) in [("demo", entitle::demo::demo_tenant().expect("the demo")), ("generated", generated())] {
        same_answer(&t, name);
        for mut t in loaded(&t) {
            same_answer(&t, &format!("{name}, loaded"));
            for step in 1..=3 {
                advance_days(&mut t, 120);
                same_answer(&t, &format!("{name}, loaded, after {} days", step * 120));
            }
            for again in loaded(&t) {
                same_answer(&again, &format!("{name}, loaded again after a year"));
            }
        }
    }
}

/// Review terms counting back so many days from an assignment's end that no end of this era
/// leaves a date in the calendar (as a hand-edited file may hold).
fn unreachable_review(t: &Tenant) -> ReviewSettings {
    ReviewSettings {
        frequency: ReviewFrequency::Monthly,
        starts_on: t.now(),
        duration_days: 14,
        reviewers: vec![],
        fallback: vec![],
        no_response: NoResponse::Keep,
        before_expiry_days: Some(800_000),
    }
}

#[test]
fn old_assignments_whose_review_cannot_count_back_from_their_end_are_found_after_a_load() {
    let mut t = generated();
    let a = t.assignments.values().find(|a| a.is_active() && a.end.is_some()).expect("an active assignment").clone();
    let key = (a.policy, a.revision);
    let mut terms = PolicyTerms::clone(t.policy_revisions.get(&key).expect("its revision"));
    terms.review = Some(unreachable_review(&t));
    t.policy_revisions.insert(key, terms.into());
    let of_revision: Vec<String> = t
        .assignments
        .values()
        .filter(|x| x.is_active() && (x.policy, x.revision) == key)
        .map(|x| x.id.to_string())
        .collect();
    for mut t in loaded(&t) {
        let found = t.problems();
        assert_eq!(found, t.problems_scanning_all());
        let objects: Vec<String> = found.iter().map(|p| p.object.to_string()).collect();
        for id in &of_revision {
            assert!(objects.contains(id), "{id} is reported: {objects:?}");
        }
        // A new assignment made under those terms is reported too, and an expiry changes
        // nothing in the agreement.
        let user = t
            .users
            .keys()
            .copied()
            .find(|u| t.active_assignment(*u, a.package).is_none())
            .expect("a user without the package");
        let made = run(
            &mut t,
            Command::AdminAssign {
                package: a.package,
                policy: a.policy,
                user,
                start: None,
                end: None,
                justification: String::new(),
            },
        );
        assert!(made, "the administrator assigns {user}");
        let new = t.active_assignment(user, a.package).expect("the new assignment");
        assert_eq!((new.policy, new.revision), key, "made under the same terms");
        let id = new.id.to_string();
        let objects: Vec<String> = t.problems().into_iter().map(|p| p.object.to_string()).collect();
        assert!(objects.contains(&id), "the new {id} is reported");
        same_answer(&t, "after an assignment");
        advance_days(&mut t, 400);
        same_answer(&t, "after a year");
    }
}
