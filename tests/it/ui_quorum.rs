//! The approvals inbox of a stage that needs two of its three approvers: the row and the
//! request say how many approvals it has and whom it still waits for.

use crate::common;

use common::demo_ui::{app_over, screen};
use common::*;
use entitle::domain::*;
use entitle::ui::Theme;
use entitle::ui::app::Tab;

#[test]
fn the_inbox_shows_one_of_two_approvals_and_who_is_left() {
    let mut w = World::new();
    let approvers = [w.user("Ann Approver"), w.user("Bob Approver"), w.user("Cy Approver")];
    let rae = w.user("Rae Requestor");
    let mut spec = members_policy("Two of three");
    let mut st = stage(approvers.iter().map(|a| by(*a)).collect());
    st.quorum = Quorum::Count(2);
    spec.stages = vec![st];
    let lab = w.lab(spec);
    let id = w.request(&u(rae), lab.package);
    w.approve(approvers[0], id);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = app_over(dir.path(), w.t, Some("bob.approver@contoso.com"), Theme::monochrome());
    app.switch_tab(Tab::Approvals);
    let s = screen(&mut app, 120, 35);
    assert!(s.contains("Approvals"), "{s}");
    assert!(s.contains("1 of 1 1 of 2"), "{s}");
    // The request beside the list says who has approved and who is left.
    assert!(s.contains("1 of 2 approvals; waiting for you,"), "{s}");
    let wide = screen(&mut app, 200, 50);
    assert!(wide.contains("1 of 2 approvals; waiting for you, Cy Approver"), "{wide}");
    assert!(s.contains("approved by Ann Approver"), "{s}");
}

/// A policy edited while a request waits changes neither the request's stages nor their terms:
/// the inbox says what the command will hold the approver to (the revision the request was made
/// under), not what the policy says now.
#[test]
fn the_inbox_shows_the_terms_the_request_was_made_under() {
    let mut w = World::new();
    let ann = w.user("Ann Approver");
    let cy = w.user("Cy Approver");
    let rae = w.user("Rae Requestor");
    let mut spec = members_policy("One stage");
    let mut st = stage(vec![by(ann)]);
    st.timeout_days = 7;
    spec.stages = vec![st];
    let lab = w.lab(spec);
    let id = w.request(&u(rae), lab.package);
    w.update_policy(lab.policy, |p| {
        let mut first = stage(vec![by(ann)]);
        first.justification_required = false;
        p.stages = vec![first, stage(vec![by(cy)])];
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = app_over(dir.path(), w.t, Some("ann.approver@contoso.com"), Theme::monochrome());
    app.switch_tab(Tab::Approvals);
    let s = screen(&mut app, 200, 50);
    assert!(s.contains(&format!("{id} · Lab Access · stage 1 of 1")), "{s}");
    assert!(s.contains("reason required at this stage"), "{s}");
    assert!(s.contains("7d left"), "{s}");
}
