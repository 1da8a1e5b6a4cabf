//! The Overview tab: what an administrator, an approver and a requester land on, at 80x24 and
//! 200x50, its figures following the in-app clock, and Enter opening the matching list.

mod common;

use common::demo_ui::{demo_app, screen};
use entitle::ui::app::Tab;
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

#[test]
fn enter_on_a_panel_opens_the_matching_list() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(dir.path(), Some("adelev@contoso.com"));
    screen(&mut app, 120, 35);
    update(&mut app, Action::Open);
    assert_eq!(app.current_tab(), Tab::Approvals, "the first panel is the waiting decisions");
    app.switch_tab(Tab::Overview);
    update(&mut app, Action::Down);
    update(&mut app, Action::Open);
    assert_eq!(app.current_tab(), Tab::Reviews, "the second, the review tasks");
}

/// Enter opens the list that holds what the panel counts, not only its tab: the expiring
/// report, the package with most requests waiting (the list filtered to it), my requests.
#[test]
fn enter_opens_the_matching_list_filtered() {
    use entitle::ui::App;
    use entitle::ui::ctx::Ctx;
    // Where Enter on each panel leads: the tab and its screen.
    fn each_panel(app: &mut App<Ctx>) -> Vec<(Tab, String)> {
        (0..8)
            .map(|i| {
                app.switch_tab(Tab::Overview);
                update(app, Action::Home);
                for _ in 0..i {
                    update(app, Action::Down);
                }
                update(app, Action::Open);
                (app.current_tab(), screen(app, 200, 50))
            })
            .collect()
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let mut admin = demo_app(dir.path(), None);
    let busiest = admin.ctx.tenant().admin_overview(admin.ctx.actor()).expect("an administrator").busiest;
    let (_, name, _) = busiest.first().cloned().expect("a package with requests waiting in the demo");
    let landed = each_panel(&mut admin);
    assert!(
        landed.iter().any(|(t, s)| *t == Tab::Packages && s.contains(&format!("filter: {name}"))),
        "the busiest package, filtered: {landed:?}"
    );
    assert!(
        landed.iter().any(|(t, s)| *t == Tab::Reports && s.contains("› Expiring") && s.contains("within 84 days")),
        "the expiring report: {landed:?}"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let mut allan = demo_app(dir.path(), Some("allande@contoso.com"));
    let landed = each_panel(&mut allan);
    assert!(landed.iter().any(|(t, s)| *t == Tab::MyAccess && s.contains("My requests (")), "{landed:?}");
}
