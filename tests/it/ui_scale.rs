//! The terminal app over a directory of 20,000 users (the scale generator's tenant, built through
//! domain commands on its frozen clock): the right rows show after moving to the end, a filter
//! narrows as it is typed, the details open for the right user, a frame builds only the rows it
//! shows and the filter indexes the rows once. The Directory's per-user reads agree with the
//! whole-list reads they replace, for every user and three kinds of reader. The other list tabs
//! (My access, Approvals, Reviews, Notifications, Organizations, Settings), each as the person
//! with the most rows in it: the right rows show at the top and after moving to the end, and
//! neither a frame nor a change of the data builds more rows than fit on screen.

use crate::common;

use common::keys::press;
use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use entitle::domain::*;
use entitle::scale::{ScaleParams, build};
use entitle::session::Session;
use entitle::store::Store;
use entitle::ui::ctx::Ctx;
use entitle::ui::run::build_app;
use entitle::ui::widgets::table::{ROWS_PER_LOOK, rows_materialized};
use entitle::ui::{App, Keymap, Tab, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const USERS: usize = 20_000;
const W: u16 = 120;
const H: u16 = 35;

/// 20,000 users (and the generator's administrator), 2,000 assignments; built once.
fn tenant() -> &'static Tenant {
    static T: OnceLock<Tenant> = OnceLock::new();
    T.get_or_init(|| {
        let params = ScaleParams { users: USERS, ..ScaleParams::for_assignments(2_000) };
        build(params).expect("the scale tenant builds").0
    })
}

fn admin() -> UserId {
    tenant().users.values().find(|u| u.global_admin).map(|u| u.id).expect("an administrator")
}

struct Fixture {
    _dir: tempfile::TempDir,
    app: App<Ctx>,
}

fn app_as(user: UserId, tab: Tab) -> Fixture {
    app_of(tenant().clone(), user, tab)
}

fn app_of(t: Tenant, user: UserId, tab: Tab) -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::create(dir.path().join("data"), t).expect("store");
    let session = Session::new(store, Actor::user(user));
    let mut app = build_app(session, Path::new("/data/scale"), Keymap::defaults(), Theme::monochrome());
    app.switch_tab(tab);
    assert_eq!(app.current_tab(), tab, "{tab} is visible");
    Fixture { _dir: dir, app }
}

/// The screen, and how many rows the tables asked for while drawing it.
fn frame(app: &mut App<Ctx>) -> (String, u64) {
    let before = rows_materialized();
    let mut t = Terminal::new(TestBackend::new(W, H)).expect("test backend");
    t.draw(|f| app.draw(f)).expect("draw");
    let built = rows_materialized() - before;
    let buf = t.backend().buffer();
    let s = (0..H).map(|y| (0..W).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n").collect();
    (s, built)
}

/// "filter: 01999 (11 of 20001)" → 11.
fn filtered_count(screen: &str) -> usize {
    let line = screen.lines().find(|l| l.contains("filter: ")).unwrap_or_else(|| panic!("a filter line:\n{screen}"));
    let after = line.split_once("filter: ").map_or(line, |(_, a)| a);
    let open = after.find('(').expect("a count");
    after[open + 1..].split(' ').next().and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("{line}"))
}

#[test]
fn moving_to_the_last_of_twenty_thousand_users_shows_it_and_a_frame_builds_only_its_rows() {
    let mut fx = app_as(admin(), Tab::Directory);
    let (s, built) = frame(&mut fx.app);
    assert!(s.contains(&format!("Users ({})", USERS + 1)), "{s}");
    assert!(built <= u64::from(H), "the first frame built {built} rows of {}", USERS + 1);

    press(&mut fx.app, &["end"]);
    let (s, built) = frame(&mut fx.app);
    let last = format!("User {USERS:06}");
    assert!(s.contains(&format!("{last} (u")), "the details are the last user's:\n{s}");
    assert!(s.contains(&format!("│{last} user{USERS}@sca")), "the last row shows:\n{s}");
    assert!(!s.contains("│Scale Admin"), "the first row scrolled away:\n{s}");
    assert!(built <= u64::from(H), "a frame at the end built {built} rows");

    press(&mut fx.app, &["k", "k"]);
    let (s, built) = frame(&mut fx.app);
    assert!(s.contains(&format!("User {:06} (u", USERS - 2)), "two up:\n{s}");
    assert!(built <= u64::from(H), "{built}");
}

#[test]
fn a_filter_over_twenty_thousand_users_narrows_as_typed_and_opens_the_right_user() {
    let mut fx = app_as(admin(), Tab::Directory);
    frame(&mut fx.app);
    let before = rows_materialized();
    press(&mut fx.app, &["/"]);
    let indexed = rows_materialized() - before;
    assert_eq!(indexed, USERS as u64 + 1, "starting a filter indexes every row once");

    let mut counts = vec![];
    let mut built = 0;
    for c in ["0", "1", "9", "9", "9"] {
        let before = rows_materialized();
        press(&mut fx.app, &[c]);
        let (s, drawn) = frame(&mut fx.app);
        built += rows_materialized() - before - drawn;
        counts.push(filtered_count(&s));
    }
    assert_eq!(built, 0, "typing filters the index: no row is built again");
    assert!(counts.windows(2).all(|w| w[1] <= w[0]), "each character narrows: {counts:?}");
    let expected = users_matching("01999");
    assert_eq!(counts.last().copied(), Some(expected), "{counts:?}");
    assert!(expected > 1 && expected < 100, "{expected}");

    // Enter ends the typing; Enter again gives the first match's details the whole tab.
    press(&mut fx.app, &["enter"]);
    let (s, _) = frame(&mut fx.app);
    assert!(s.contains("User 001999") && s.contains("User 019999") && !s.contains("User 001998"), "{s}");
    press(&mut fx.app, &["enter"]);
    let (s, _) = frame(&mut fx.app);
    assert!(s.contains("(esc back") && s.contains("│User 001999 (u"), "the details fill the tab:\n{s}");

    // Esc leaves the details, Esc again clears the filter: every user is back, that one selected.
    press(&mut fx.app, &["esc", "esc"]);
    let (s, _) = frame(&mut fx.app);
    assert!(!s.contains("filter: "), "{s}");
    assert!(s.contains(&format!("Users ({})", USERS + 1)) && s.contains("User 001999 (u"), "{s}");
}

/// How many users' name, email, department or manager's name hold `needle` (lower case).
fn users_matching(needle: &str) -> usize {
    let t = tenant();
    t.users
        .values()
        .filter(|u| {
            let manager = u.manager.map(|m| t.user_name(m)).unwrap_or_default();
            [u.display_name.as_str(), u.email.as_str(), u.department.as_str(), manager.as_str()]
                .iter()
                .any(|s| s.to_lowercase().contains(needle))
        })
        .count()
}

/// While nobody types, the app indexes the Directory for its filter a slice at a time (the first
/// `/` at 100,000 users took 133 ms when it indexed every row itself); the first `/` then
/// indexes nothing, and after a change of the data the rows are indexed again.
#[test]
fn the_directory_is_indexed_while_nobody_types_and_the_first_filter_builds_no_row() {
    let mut fx = app_as(admin(), Tab::Directory);
    frame(&mut fx.app);
    let past = std::time::Instant::now();
    let (mut slices, mut indexed) = (0, 0);
    loop {
        let before = rows_materialized();
        let more = fx.app.idle(past);
        let made = rows_materialized() - before;
        assert!(made <= ROWS_PER_LOOK as u64, "a slice past its deadline indexed {made} rows");
        indexed += made;
        slices += 1;
        if !more {
            break;
        }
        assert!(slices <= USERS, "idle work ends");
    }
    assert_eq!(indexed, USERS as u64 + 1, "every row once, in {slices} slices");
    let before = rows_materialized();
    press(&mut fx.app, &["/", "0", "1", "9", "9", "9"]);
    assert_eq!(rows_materialized() - before, 0, "the filter found its index made");
    let (s, _) = frame(&mut fx.app);
    assert_eq!(filtered_count(&s), users_matching("01999"));
    assert!(!fx.app.idle(past), "nothing left to do");

    // A change of the data: the rows are indexed again, while nobody types.
    press(&mut fx.app, &["esc", "esc"]);
    let u = tenant().users.values().next_back().expect("a user");
    let block = Command::UpdateUser { user: u.id, spec: UserSpec::from(u), enabled: false };
    fx.app.ctx.run(block).expect("the admin blocks a user");
    fx.app.refresh_views();
    let before = rows_materialized();
    while fx.app.idle(past) {}
    assert_eq!(rows_materialized() - before, USERS as u64 + 1, "indexed again");
}

#[test]
fn a_change_reaches_a_hidden_tab_when_it_is_shown() {
    let mut fx = app_as(admin(), Tab::Audit);
    let (s, _) = frame(&mut fx.app);
    assert!(!s.contains(&format!("User {USERS:06}")), "not in the newest events yet:\n{s}");
    fx.app.switch_tab(Tab::Directory);
    frame(&mut fx.app);
    let u = tenant().users.values().next_back().expect("a user");
    let spec = UserSpec::from(u);
    let block = Command::UpdateUser { user: u.id, spec, enabled: false };
    let out = fx.app.ctx.run(block).expect("the admin blocks a user");
    assert!(!out.message.is_empty());
    fx.app.refresh_views();
    press(&mut fx.app, &["end"]);
    let (s, _) = frame(&mut fx.app);
    assert!(s.contains("blocked"), "the Directory, on screen, shows it at once:\n{s}");
    // The audit log was not on screen when the change came: it shows it when switched to.
    fx.app.switch_tab(Tab::Audit);
    let (s, _) = frame(&mut fx.app);
    assert!(s.contains(&format!("User {USERS:06}")), "the audit log has the new event:\n{s}");
}

/// The Directory's per-user reads say what the whole-list reads say, for every user.
fn same_as_the_lists(t: &Tenant, actor: &Actor) -> usize {
    let (scope, ids) = t.directory_scope(actor).expect("may read the directory");
    let listed = t.users_visible(actor).expect("may read the directory");
    assert_eq!(ids, listed.iter().map(|v| v.profile().id).collect::<Vec<_>>());
    let mut active: HashMap<UserId, usize> = HashMap::new();
    for a in t.assignments_visible(actor).unwrap_or_default().into_iter().filter(|a| a.is_active()) {
        *active.entry(a.target).or_default() += 1;
    }
    for view in &listed {
        let id = view.profile().id;
        assert_eq!(t.scoped_user(&scope, id).as_ref(), Some(view), "{id}");
        assert_eq!(t.scoped_active_assignments(&scope, id), active.get(&id).copied().unwrap_or(0), "{id}");
    }
    active.values().sum()
}

#[test]
fn the_directorys_per_user_reads_agree_with_the_whole_lists_for_every_reader() {
    let t = tenant();
    let all = same_as_the_lists(t, &Actor::user(admin()));
    assert!(all >= 2_000, "the administrator sees every active assignment ({all})");
    // A catalog owner (the generator's first staff member) sees their catalog's assignments.
    let owner = t
        .catalogs
        .values()
        .flat_map(|c| c.roles.keys())
        .copied()
        .find(|u| t.users.get(u).is_some_and(|u| !u.global_admin))
        .expect("a catalog owner");
    let seen = same_as_the_lists(t, &Actor::user(owner));
    assert!(seen > 0 && seen < all, "{seen} of {all}");
    // A plain member sees only their own.
    let member = t
        .assignments
        .values()
        .map(|a| a.target)
        .find(|u| t.catalogs.values().all(|c| !c.roles.contains_key(u)))
        .expect("a member with an assignment");
    let own = same_as_the_lists(t, &Actor::user(member));
    assert!(own >= 1 && own < seen, "{own}");
}

/// The user with the most of something (ties to the lowest id).
fn most(count: impl Fn(UserId) -> usize) -> (UserId, usize) {
    let t = tenant();
    let best = t.users.values().map(|u| (count(u.id), std::cmp::Reverse(u.id))).max().expect("users");
    (best.1.0, best.0)
}

/// The scale tenant after the administrator assigned `n` packages (their "Direct" policy) to the
/// last user, some ending on later days: that user, and how many assignments they hold.
fn with_many_assignments(n: usize) -> (Tenant, UserId, usize) {
    let mut t = tenant().clone();
    let user = t.users.values().next_back().map(|u| u.id).expect("a user");
    let direct: Vec<(PackageId, PolicyId)> =
        t.policies.values().filter(|p| p.spec.display_name == "Direct").map(|p| (p.package, p.id)).take(n).collect();
    for (i, (package, policy)) in direct.into_iter().enumerate() {
        let end = (i % 3 > 0).then(|| t.now().checked_add_signed(chrono::TimeDelta::days(30 + i as i64))).flatten();
        let command =
            Command::AdminAssign { package, policy, user, start: None, end, justification: "at scale".into() };
        let entry = Entry { at: t.now(), actor: Actor::user(admin()), command };
        t.apply(&entry).expect("the administrator assigns");
    }
    let held = t.assignments_of_user(user).count();
    assert!(held >= n, "{held}");
    (t, user, held)
}

/// Shows a tab's list `pane` (by `]` presses), draws, and checks what every list tab must do
/// with `n` rows whose first and last rows say `first` and `last`: the count in the pane bar or
/// title, the first row on top, the last after End (and the first gone), and at most the rows
/// that fit built by a frame and by a change of the data (the tab re-reads it) with its frame.
fn a_list_at_scale(fx: &mut Fixture, pane: usize, count: &str, first: &str, last: &str) {
    for _ in 0..pane {
        press(&mut fx.app, &["]"]);
    }
    let (s, built) = frame(&mut fx.app);
    assert!(s.contains(count), "{count}:\n{s}");
    assert!(s.contains(first), "the first row, {first}, on top:\n{s}");
    assert!(built <= u64::from(H), "a frame built {built} rows");
    press(&mut fx.app, &["end"]);
    let (s, built) = frame(&mut fx.app);
    assert!(s.contains(last), "the last row, {last}, after End:\n{s}");
    assert!(first == last || !s.contains(first), "{first} scrolled away:\n{s}");
    assert!(built <= u64::from(H), "a frame at the end built {built} rows");
    let before = rows_materialized();
    fx.app.refresh_views();
    let (s, _) = frame(&mut fx.app);
    let built = rows_materialized() - before;
    assert!(s.contains(last), "the selection stays on the last row after a change:\n{s}");
    assert!(built <= u64::from(H), "a change of the data and its frame built {built} rows");
}

#[test]
fn my_access_lists_the_administrators_many_requests_newest_first_building_only_the_rows_shown() {
    let mut fx = app_as(admin(), Tab::MyAccess);
    // Finished ones included: read from the history as the tab reads them.
    let reqs = fx.app.ctx.session.my_requests().expect("the administrator's requests");
    assert!(reqs.len() > 1_000, "the administrator assigned by hand: {} requests", reqs.len());
    let (first, last) = (reqs.first().expect("a request"), reqs.last().expect("a request"));
    assert!(first.created_at >= last.created_at);
    let count = format!("Requests ({})", reqs.len());
    a_list_at_scale(&mut fx, 1, &count, &format!("│{:<8} ", first.id), &format!("│{:<8} ", last.id));
}

#[test]
fn my_access_lists_the_assignments_of_a_user_with_many_active_first() {
    let (t, user, n) = with_many_assignments(30);
    let asg = t.assignments_for(&Actor::user(user));
    let name = |a: &Assignment| t.packages.get(&a.package).map(|p| p.display_name.clone()).expect("a package");
    let (first, last) = (asg.first().expect("one"), asg.last().expect("one"));
    let mut fx = app_of(t.clone(), user, Tab::MyAccess);
    let (first, last) = (format!("│{}", name(first)), format!("│{}", name(last)));
    a_list_at_scale(&mut fx, 2, &format!("Access ({n})"), &first, &last);
}

#[test]
fn approvals_lists_the_busiest_approvers_inbox_first_to_time_out_first() {
    let t = tenant();
    let (approver, n) = most(|u| t.inbox(u).count());
    assert!(n >= 10, "{n} waiting");
    let mut inbox: Vec<&Request> = t.inbox(approver).collect();
    inbox.sort_by_key(|r| (t.request_deadline(r), r.id));
    let (first, last) = (inbox.first().expect("one"), inbox.last().expect("one"));
    let mut fx = app_as(approver, Tab::Approvals);
    let (first, last) = (format!("│{:<8} ", first.id), format!("│{:<8} ", last.id));
    a_list_at_scale(&mut fx, 0, &format!("Pending ({n})"), &first, &last);
}

#[test]
fn reviews_lists_the_busiest_reviewers_people_and_builds_only_the_rows_shown() {
    let t = tenant();
    let (reviewer, n) = most(|u| t.review_tasks(u).len());
    assert!(n >= 10, "{n} to review");
    let mut tasks = t.review_tasks(reviewer);
    tasks.sort_by_key(|(a, x)| (a.end, a.id, t.user_name(x.user)));
    // The names are cut in the table at this width: the details show the selected one's assignment.
    let name = |i: &ReviewItem| format!("Assignment    {} · ", i.assignment);
    let (first, last) = (name(tasks.first().expect("one").1), name(tasks.last().expect("one").1));
    let mut fx = app_as(reviewer, Tab::Reviews);
    a_list_at_scale(&mut fx, 0, &format!("To review ({n})"), &first, &last);
}

#[test]
fn notifications_list_the_biggest_mailbox_newest_first() {
    let (user, unread) = most(|u| tenant().unread_count(u));
    assert!(unread > 50, "{unread}");
    let mut fx = app_as(user, Tab::Notifications);
    let mut mail = fx.app.ctx.session.mailbox(user).expect("the mailbox reads");
    assert!(mail.len() > 50, "{} notifications", mail.len());
    mail.sort_by_key(|n| std::cmp::Reverse((n.at, n.seq)));
    let cut = |n: &Notification| n.subject.chars().take(20).collect::<String>();
    let (first, last) = (mail.first().expect("one"), mail.last().expect("one"));
    let count = format!("Notifications ({})", mail.len());
    a_list_at_scale(&mut fx, 0, &count, &cut(first), &cut(last));
}

#[test]
fn organizations_and_settings_list_what_the_tenant_holds() {
    let mut fx = app_as(admin(), Tab::Settings);
    let findings = fx.app.ctx.lint().len();
    let (s, built) = frame(&mut fx.app);
    assert!(s.contains(&format!("Lint findings ({findings})")), "{s}");
    assert!(built <= u64::from(H), "{built}");
    fx.app.switch_tab(Tab::Organizations);
    let (s, built) = frame(&mut fx.app);
    assert!(s.contains(&format!("Connected organizations ({})", tenant().orgs.len())), "{s}");
    assert!(built <= u64::from(H), "{built}");
}
