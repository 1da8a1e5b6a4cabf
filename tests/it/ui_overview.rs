//! The Overview tab: what an administrator, an approver and a requester land on, at 80x24 and
//! 200x50, its figures following the in-app clock, and Enter opening the matching list.

use crate::common;

use common::demo_ui::{demo_app, screen};
use entitle::ui::App;
use entitle::ui::app::Tab;
use entitle::ui::ctx::Ctx;
use entitle::ui::{Action, update};

#[test]
fn administrators_and_approvers_land_on_the_overview_requesters_on_my_access() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(demo_app(dir.path(), None).current_tab(), Tab::Overview);
    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(demo_app(dir.path(), Some("adelev@contoso.com")).current_tab(), Tab::Overview);
    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(demo_app(dir.path(), Some("allande@contoso.com")).current_tab(), Tab::MyAccess);
}

#[test]
fn the_overview_of_each_person_at_both_sizes() {
    for (name, who) in [("admin", None), ("adele", Some("adelev@contoso.com")), ("allan", Some("allande@contoso.com"))]
    {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut app = demo_app(dir.path(), who);
        app.switch_tab(Tab::Overview);
        for (w, h) in [(80, 24), (200, 50)] {
            insta::assert_snapshot!(format!("overview_{name}_{w}x{h}"), screen(&mut app, w, h));
        }
    }
}

/// Every figure is also text: the charts read without colour.
#[test]
fn the_charts_say_their_figures_in_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(dir.path(), Some("adelev@contoso.com"));
    let s = screen(&mut app, 200, 50);
    for text in ["Waiting for my decision (1)", "<1d", "decided", "left"] {
        assert!(s.contains(text), "{text:?} missing:\n{s}");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let mut admin = demo_app(dir.path(), None);
    let s = screen(&mut admin, 200, 50);
    for text in ["Lint:", "delivered", "decided"] {
        assert!(s.contains(text), "{text:?} missing:\n{s}");
    }
}

/// The tenant-wide figures are a global administrator's read: Adele, who owns a catalog, sees
/// her decisions and reviews, not every package's expiries and requests; the domain refuses her.
#[test]
fn the_tenant_wide_figures_are_for_global_administrators() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(dir.path(), Some("adelev@contoso.com"));
    assert!(app.ctx.tenant().admin_overview(app.ctx.actor()).is_err(), "the domain refuses");
    let s = screen(&mut app, 200, 50);
    assert!(!s.contains("Assignments expiring per week") && !s.contains("Lint:"), "{s}");
}

/// Move the clock and the charts move: a month on, the week-1 expiries of today have expired.
#[test]
fn the_figures_follow_the_in_app_clock() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(dir.path(), None);
    let before = app.ctx.tenant().admin_overview(app.ctx.actor()).expect("the administrator's overview");
    let s_before = screen(&mut app, 200, 50);
    update(&mut app, Action::ClockMonth);
    update(&mut app, Action::Back);
    let after = app.ctx.tenant().admin_overview(app.ctx.actor()).expect("the administrator's overview");
    assert_ne!(before.expiring, after.expiring, "the weeks ahead are other weeks now");
    let s_after = screen(&mut app, 200, 50);
    assert_ne!(s_before, s_after, "and the screen shows it");
}

/// The Overview as an administrator sees it, at a size that shows six panels.
fn at(app: &mut App<Ctx>, keys: &[Action]) -> String {
    app.switch_tab(Tab::Overview);
    update(app, Action::Home);
    for k in keys {
        update(app, *k);
    }
    screen(app, 200, 50)
}

fn times(action: Action, n: usize) -> Vec<Action> {
    vec![action; n]
}

/// Each bar of the expiring chart opens the expiring report kept to that week: as many rows as
/// the bar says, and the part named under the list; Esc shows the whole report again.
#[test]
fn each_week_of_the_expiring_chart_opens_that_weeks_expiries() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut admin = demo_app(dir.path(), None);
    let weeks = admin.ctx.tenant().admin_overview(admin.ctx.actor()).expect("an administrator").expiring;
    assert!(weeks.iter().filter(|n| **n > 0).count() >= 2, "the demo has expiries in several weeks: {weeks:?}");
    for (w, n) in weeks.iter().enumerate() {
        // To the first bar (Left stops there on the first panel), then w bars right.
        let keys = [times(Action::Left, 12), times(Action::Right, w)].concat();
        let s = at(&mut admin, &keys);
        assert!(s.contains(&format!("› week {} (days {}-{}): {n} ending", w + 1, w * 7 + 1, w * 7 + 7)), "{s}");
        update(&mut admin, Action::Open);
        assert_eq!(admin.current_tab(), Tab::Reports);
        let s = screen(&mut admin, 200, 50);
        assert!(s.contains(&format!("within {} days", (w + 1) * 7)), "{s}");
        assert!(s.contains(&format!("ending in week {} (days {}-{}) · esc: all", w + 1, w * 7 + 1, w * 7 + 7)), "{s}");
        assert!(s.contains(&format!(") ({n}) ")), "{n} rows for week {}:\n{s}", w + 1);
    }
    update(&mut admin, Action::Back);
    let s = screen(&mut admin, 200, 50);
    assert!(!s.contains("esc: all"), "Esc shows the whole report again:\n{s}");
}

/// A day and an outcome of the requests chart open the requests report kept to them.
#[test]
fn a_day_and_outcome_of_the_requests_chart_open_those_requests() {
    use entitle::domain::overview::{DAYS_BACK, Finish};
    let dir = tempfile::tempdir().expect("tempdir");
    let mut admin = demo_app(dir.path(), None);
    let days = admin.ctx.tenant().admin_overview(admin.ctx.actor()).expect("an administrator").requests;
    let mut seen = 0;
    for (row, finish) in Finish::ALL.iter().enumerate() {
        for (day, figures) in days.iter().enumerate() {
            let n = figures.count(*finish);
            if n == 0 && day + 1 != DAYS_BACK {
                continue;
            }
            seen += usize::from(n > 0);
            // The requests panel is the third; its days start at the latest.
            let keys = [times(Action::PageDown, 2), times(Action::Down, row), times(Action::Left, DAYS_BACK - 1 - day)]
                .concat();
            let s = at(&mut admin, &keys);
            assert!(s.contains(&format!("› {}", finish.label())) && s.contains(&format!(": {n} · enter")), "{s}");
            update(&mut admin, Action::Open);
            assert_eq!(admin.current_tab(), Tab::Reports);
            let s = screen(&mut admin, 200, 50);
            assert!(s.contains(&format!("{} ", finish.label())) && s.contains("esc: all"), "{s}");
            assert!(s.contains(&format!(" ({n}) ")) || s.contains(&format!(" ({n} of ")), "{n} rows:\n{s}");
        }
    }
    assert!(seen > 0, "the demo finished requests in the last days: {days:?}");
}

/// A bar of the waiting decisions by age opens the inbox kept to that age; an empty bar opens
/// an empty part, and Esc shows everything waiting again.
#[test]
fn an_age_bar_opens_the_decisions_of_that_age() {
    use entitle::domain::overview::AGE_BUCKETS;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut adele = demo_app(dir.path(), Some("adelev@contoso.com"));
    let me = adele.ctx.me().expect("Adele is in the directory");
    let by_age = adele.ctx.tenant().approver_overview(me).by_age;
    let total: u64 = by_age.iter().sum();
    assert!(total > 0, "Adele has a decision waiting");
    for (b, n) in by_age.iter().enumerate() {
        let keys = [times(Action::Left, AGE_BUCKETS.len()), times(Action::Right, b)].concat();
        at(&mut adele, &keys);
        update(&mut adele, Action::Open);
        assert_eq!(adele.current_tab(), Tab::Approvals);
        let s = screen(&mut adele, 200, 50);
        let label = AGE_BUCKETS[b].0;
        assert!(s.contains(&format!("waiting {label} · esc: all")), "{s}");
        assert!(s.contains(&format!("Waiting for my decision ({n})")), "{n} waiting {label}:\n{s}");
        update(&mut adele, Action::Back);
        let s = screen(&mut adele, 200, 50);
        assert!(s.contains(&format!("Waiting for my decision ({total})")) && !s.contains("esc: all"), "{s}");
    }
}

/// A row opens its list with that row selected (a waiting request, an assignment, an open
/// request) or kept to it (one review's people), and the lint line opens the lint report.
#[test]
fn a_row_opens_its_list_at_that_row() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut adele = demo_app(dir.path(), Some("adelev@contoso.com"));
    let me = adele.ctx.me().expect("Adele is in the directory");
    let approver = adele.ctx.tenant().approver_overview(me);
    // The oldest waiting decision, under the chart.
    at(&mut adele, &[Action::Down]);
    update(&mut adele, Action::Open);
    let s = screen(&mut adele, 200, 50);
    let oldest = approver.oldest.first().expect("a decision waits");
    assert!(s.contains(&format!("{} · {}", oldest.request, oldest.package)), "its details show:\n{s}");
    // A review of hers: the Reviews tab kept to it.
    let review = approver.reviews.first().expect("a review task");
    at(&mut adele, &[Action::PageDown]);
    update(&mut adele, Action::Open);
    assert_eq!(adele.current_tab(), Tab::Reviews);
    let s = screen(&mut adele, 200, 50);
    assert!(s.contains(&format!("in {} · esc: all", review.name)), "{s}");

    // Someone with several assignments: the second, selected; someone with several open
    // requests: the second, selected.
    let t = adele.ctx.tenant();
    let find = |enough: &dyn Fn(&entitle::domain::overview::RequesterOverview) -> bool| {
        t.users
            .values()
            .find(|u| enough(&t.requester_overview(&entitle::domain::Actor::user(u.id))))
            .map(|u| u.email.clone())
    };
    let holder = find(&|o| o.access.len() >= 2).expect("the demo has someone with two assignments");
    let requester = find(&|o| !o.open.is_empty()).expect("the demo has someone with a request open");
    for (who, requests) in [(holder, false), (requester, true)] {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut app = demo_app(dir.path(), Some(&who));
        let me = app.ctx.me().expect("in the directory");
        let mine = app.ctx.tenant().requester_overview(app.ctx.actor());
        let approving = app.ctx.tenant().approver_overview(me);
        let before = if approving.by_age.iter().sum::<u64>() > 0 || !approving.reviews.is_empty() { 2 } else { 0 };
        let (panel, row) = if requests { (before + 1, mine.open.len() - 1) } else { (before, 1) };
        at(&mut app, &[times(Action::PageDown, panel), times(Action::Down, row)].concat());
        update(&mut app, Action::Open);
        assert_eq!(app.current_tab(), Tab::MyAccess);
        let s = screen(&mut app, 200, 50);
        let id = if requests { mine.open[row].request.to_string() } else { mine.access[row].assignment.to_string() };
        // The details beside the list are the selected row's (headed by its id).
        assert!(s.contains(&format!("{id} · ")), "{who}: {id} selected:\n{s}");
    }

    let dir = tempfile::tempdir().expect("tempdir");
    let mut admin = demo_app(dir.path(), None);
    let busiest = admin.ctx.tenant().admin_overview(admin.ctx.actor()).expect("an administrator").busiest;
    at(&mut admin, &times(Action::PageDown, 3));
    update(&mut admin, Action::Open);
    let s = screen(&mut admin, 200, 50);
    assert!(admin.current_tab() == Tab::Reports && s.contains("› Lint"), "{s}");
    for (i, (_, name, _)) in busiest.iter().enumerate() {
        at(&mut admin, &[times(Action::PageDown, 3), times(Action::Down, i + 1)].concat());
        update(&mut admin, Action::Open);
        let s = screen(&mut admin, 200, 50);
        assert!(admin.current_tab() == Tab::Packages && s.contains(&format!("filter: {name}")), "{s}");
    }
}

/// At 80x24 the panels come a page at a time: moving on past the last panel shown turns the
/// page, and the border says there are more.
#[test]
fn a_small_screen_pages_through_the_panels() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut admin = demo_app(dir.path(), None);
    app_home(&mut admin);
    let s = screen(&mut admin, 80, 24);
    assert!(s.contains("1/2 · pgdn: more") && !s.contains("My open requests"), "{s}");
    for _ in 0..4 {
        update(&mut admin, Action::PageDown);
    }
    let s = screen(&mut admin, 80, 24);
    assert!(s.contains("My open requests") && s.contains("2/2"), "{s}");
}

fn app_home(app: &mut App<Ctx>) {
    app.switch_tab(Tab::Overview);
    update(app, Action::Home);
}

/// Someone outside the directory (Alex, signed in by email) sees the request he made waiting,
/// and Enter on it opens it in My Access.
#[test]
fn an_outsider_sees_his_open_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut alex = demo_app(dir.path(), Some("alex@azureblog.net"));
    assert!(alex.ctx.me().is_none(), "Alex is not in the directory yet");
    let open = alex.ctx.tenant().requester_overview(alex.ctx.actor()).open;
    let first = open.first().expect("Alex's request waits");
    let s = at(&mut alex, &[Action::PageDown]);
    assert!(s.contains("My open requests (1)") && s.contains(&first.package), "{s}");
    update(&mut alex, Action::Open);
    let s = screen(&mut alex, 200, 50);
    assert!(alex.current_tab() == Tab::MyAccess && s.contains(&format!("{} · ", first.request)), "{s}");
}

/// An administrator's open review (not one they review) opens among all the reviews they may
/// see, selected, its people and their decisions in the details.
#[test]
fn an_administrators_open_review_opens_among_all_reviews() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut admin = demo_app(dir.path(), None);
    let reviews = admin.ctx.tenant().admin_overview(admin.ctx.actor()).expect("an administrator").open_reviews;
    assert!(reviews.len() >= 2, "the demo has two reviews open");
    for (i, r) in reviews.iter().enumerate() {
        at(&mut admin, &[times(Action::PageDown, 1), times(Action::Down, i)].concat());
        update(&mut admin, Action::Open);
        assert_eq!(admin.current_tab(), Tab::Reviews);
        let s = screen(&mut admin, 200, 50);
        assert!(s.contains("All reviews (") && s.contains(&format!("{} · {}", r.name, r.review)), "{s}");
        assert!(s.contains(&format!("Decided       {} of {}", r.decided, r.total)), "{s}");
    }
}

/// The help on the Overview says what its keys do there: the list's pane keys choose bars.
#[test]
fn the_help_says_what_the_keys_do_on_the_overview() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut admin = demo_app(dir.path(), None);
    app_home(&mut admin);
    update(&mut admin, Action::Help);
    let s = screen(&mut admin, 120, 60);
    for text in ["Next bar", "Previous bar", "Next panel", "Open the list"] {
        assert!(s.contains(text), "{text:?}:\n{s}");
    }
    assert!(!s.contains("Next list or pane inside the tab"), "{s}");
}
