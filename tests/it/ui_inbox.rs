//! The Approvals, Reviews and Notifications tabs over a real session: a tenant built with domain
//! commands on a frozen clock, stored in a temp dir, driven with `update` and typed text, checked
//! on the domain state and on the rendered screen.

use std::path::Path;

use entitle::domain::*;
use entitle::session::Session;
use entitle::store::Store;
use entitle::ui::ctx::Ctx;
use entitle::ui::layers::Layer;
use entitle::ui::run::build_app;
use entitle::ui::{Action, App, Keymap, Tab, Theme, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn at(s: &str) -> Time {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn run(t: &mut Tenant, actor: &Actor, command: Command) -> Outcome {
    let entry = Entry { at: t.clock.now, actor: actor.clone(), command: command.clone() };
    t.apply(&entry).unwrap_or_else(|e| panic!("{command:?}: {e}"))
}

fn id<T: std::str::FromStr>(out: &Outcome) -> T {
    out.created.and_then(|c| c.to_string().parse().ok()).unwrap_or_else(|| panic!("no id in {out:?}"))
}

fn set_clock(t: &mut Tenant, when: &str) {
    run(t, &Actor::System, Command::SetClock { to: at(when) });
}

fn user(t: &mut Tenant, name: &str, email: &str, manager: Option<UserId>, f: impl FnOnce(&mut UserSpec)) -> UserId {
    let mut spec = UserSpec {
        display_name: name.into(),
        email: email.into(),
        user_type: UserType::Member,
        manager,
        department: String::new(),
        job_title: String::new(),
        home_org: None,
        global_admin: false,
    };
    f(&mut spec);
    id(&run(t, &Actor::System, Command::CreateUser { spec }))
}

fn package(
    t: &mut Tenant,
    cat: CatalogId,
    name: &str,
    spec: ResourceSpec,
    role: &str,
    policy: PolicySpec,
) -> PackageId {
    let sys = Actor::System;
    let res: ResourceId = id(&run(t, &sys, Command::CreateResource { spec }));
    run(t, &sys, Command::AddCatalogResource { catalog: cat, resource: res });
    let spec = PackageSpec { display_name: name.into(), description: String::new(), hidden: false, sensitive: false };
    let pkg: PackageId = id(&run(t, &sys, Command::CreatePackage { catalog: cat, spec }));
    run(t, &sys, Command::AddResourceRole { package: pkg, resource: res, role: role.into() });
    run(t, &sys, Command::CreatePolicy { package: pkg, spec: policy });
    pkg
}

fn request(t: &mut Tenant, who: UserId, pkg: PackageId, why: &str, answers: &[(u64, &str)]) -> RequestId {
    let answers = answers.iter().map(|(q, a)| (QuestionId(*q), a.to_string())).collect();
    let cmd = Command::SubmitRequest { package: pkg, policy: None, justification: why.into(), answers, start: None };
    id(&run(t, &Actor::user(who), cmd))
}

fn decide(t: &mut Tenant, by: UserId, request: RequestId, approve: bool, reason: &str) {
    run(t, &Actor::user(by), Command::Decide { request, approve, reason: reason.into() });
}

struct World {
    adele: UserId,
    nestor: UserId,
    lee: UserId,
    megan: UserId,
    /// Megan's request for Project Alpha, approved by Adele and Nestor and delivered.
    megan_alpha: RequestId,
    /// Megan's request for the Partner portal, denied by Adele.
    megan_portal: RequestId,
    /// Lee's two-stage request for Project Alpha, at stage 1 with Adele.
    alpha: RequestId,
    /// Rob's (a guest's) request for the Partner portal, with Adele; her reason is required.
    portal: RequestId,
    review: ReviewId,
    tenant: Tenant,
}

/// Contoso on 2026-01-05 09:00: Adele approves stage 1 of Project Alpha (Nestor stage 2) and the
/// Partner portal, and reviews Sales reports; she has already decided two of Megan's requests.
fn world() -> World {
    let mut t = Tenant::new("Contoso", Clock::frozen_at(at("2026-01-01T09:00:00Z")));
    let general = t.install_general_catalog();
    let sys = Actor::System;
    user(&mut t, "MOD Administrator", "admin@contoso.com", None, |s| s.global_admin = true);
    let nestor = user(&mut t, "Nestor Wilke", "nestorw@contoso.com", None, |s| s.job_title = "Director".into());
    let adele = user(&mut t, "Adele Vance", "adelev@contoso.com", Some(nestor), |s| {
        s.department = "IT".into();
        s.job_title = "Identity & Access Manager".into();
    });
    let lee = user(&mut t, "Lee Gu", "leeg@contoso.com", Some(adele), |s| {
        s.department = "Sales".into();
        s.job_title = "Account manager".into();
    });
    let megan = user(&mut t, "Megan Bowen", "meganb@contoso.com", Some(nestor), |_| {});
    let org_spec = OrgSpec {
        display_name: "Azureblog".into(),
        description: String::new(),
        domains: vec!["azureblog.net".into()],
        tenant_id: None,
        state: OrgState::Configured,
        internal_sponsors: [adele].into(),
        external_sponsors: Default::default(),
    };
    let org: OrgId = id(&run(&mut t, &sys, Command::CreateOrg { spec: org_spec }));
    let rob = user(&mut t, "Rob Young", "rob@azureblog.net", None, |s| {
        s.user_type = UserType::Guest;
        s.home_org = Some(org);
    });
    let cat_spec =
        CatalogSpec { display_name: "Partners".into(), description: String::new(), enabled: true, external: true };
    let partners: CatalogId = id(&run(&mut t, &sys, Command::CreateCatalog { spec: cat_spec }));

    let mut two_stage = PolicySpec::new("Two-stage (SOX)", RequestScope::AllMembers);
    let mut second = ApprovalStage::new(vec![Approver::User { user: nestor }]);
    second.justification_required = false;
    two_stage.stages = vec![ApprovalStage::new(vec![Approver::User { user: adele }]), second];
    two_stage.questions =
        vec![Question { id: QuestionId(1), text: "Project code".into(), kind: QuestionKind::Text, required: true }];
    let team = ResourceSpec::group("Project Alpha team", GroupType::Team);
    let alpha_pkg = package(&mut t, general, "Project Alpha", team, "Member", two_stage);

    let mut guests = PolicySpec::new("Guests and members", RequestScope::AllDirectoryUsers);
    guests.stages = vec![ApprovalStage::new(vec![Approver::User { user: adele }])];
    let mut app = ResourceSpec::group("Partner portal", GroupType::Security);
    app.kind = ResourceKind::Application;
    let portal_pkg = package(&mut t, partners, "Partner portal", app, "User", guests);

    let mut reviewed = PolicySpec::new("Members, monthly review", RequestScope::AllMembers);
    reviewed.review = Some(ReviewSettings {
        frequency: ReviewFrequency::Monthly,
        starts_on: at("2026-01-02T09:00:00Z"),
        duration_days: 14,
        reviewers: vec![Reviewer::User { user: adele }, Reviewer::User { user: nestor }],
        fallback: vec![],
        no_response: NoResponse::Keep,
        before_expiry_days: None,
    });
    let mut site = ResourceSpec::group("Sales reports", GroupType::Security);
    site.kind = ResourceKind::Site { url: "https://contoso.sharepoint.com/sites/sales".into() };
    let sales = package(&mut t, general, "Sales reports", site, "Visitor", reviewed);

    request(&mut t, lee, sales, "Quarterly pipeline reviews", &[]);
    request(&mut t, megan, sales, "Sales forecasts", &[]);
    set_clock(&mut t, "2026-01-02T09:00:00Z");
    let review = *t.reviews.keys().next().expect("the monthly review opened");
    let megan_alpha = request(&mut t, megan, alpha_pkg, "I lead the launch", &[(1, "ALPHA-1")]);
    decide(&mut t, adele, megan_alpha, true, "Launch lead");
    decide(&mut t, nestor, megan_alpha, true, "");
    set_clock(&mut t, "2026-01-03T09:00:00Z");
    let megan_portal = request(&mut t, megan, portal_pkg, "Vendor onboarding", &[]);
    decide(&mut t, adele, megan_portal, false, "Use the internal vendor site");
    let alpha = request(&mut t, lee, alpha_pkg, "Joining the Alpha launch", &[(1, "ALPHA-7")]);
    set_clock(&mut t, "2026-01-04T15:00:00Z");
    let portal = request(&mut t, rob, portal_pkg, "Statement of work AB-117", &[]);
    set_clock(&mut t, "2026-01-05T09:00:00Z");
    // Adele has read the notices about Megan's requests, which she decided.
    let read: Vec<u64> =
        t.notifications_of(adele).filter(|n| n.subject.contains("Megan Bowen")).map(|n| n.seq).collect();
    for seq in read {
        run(&mut t, &Actor::user(adele), Command::MarkRead { notification: Some(seq) });
    }
    World { adele, nestor, lee, megan, megan_alpha, megan_portal, alpha, portal, review, tenant: t }
}

/// The app over a store in `dir`, signed in as `who`. The status bar shows a fixed location so
/// that snapshots do not depend on the temp dir's name.
fn app_as(dir: &Path, tenant: Tenant, who: UserId) -> App<Ctx> {
    let store = Store::create(dir, tenant).unwrap_or_else(|e| panic!("store: {e}"));
    let session = Session::new(store, Actor::user(who));
    build_app(session, Path::new("/data/contoso"), Keymap::defaults(), Theme::monochrome())
}

fn reopen(dir: &Path, who: UserId) -> App<Ctx> {
    let store = Store::<Tenant>::open(dir).ok().flatten().unwrap_or_else(|| panic!("no store in {dir:?}"));
    build_app(
        Session::new(store, Actor::user(who)),
        Path::new("/data/contoso"),
        Keymap::defaults(),
        Theme::monochrome(),
    )
}

fn typ(app: &mut App<Ctx>, text: &str) {
    for c in text.chars() {
        app.type_char(c);
    }
}

fn terminal(app: &mut App<Ctx>, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap_or_else(|e| panic!("{e}"));
    term.draw(|f| app.draw(f)).unwrap_or_else(|e| panic!("{e}"));
    term
}

fn screen(app: &mut App<Ctx>, w: u16, h: u16) -> String {
    let term = terminal(app, w, h);
    let buf = term.backend().buffer();
    (0..h).map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>()).collect::<Vec<_>>().join("\n")
}

fn badge(app: &App<Ctx>, tab: Tab) -> Option<String> {
    app.view(tab).and_then(|v| v.badge(&app.ctx))
}

fn prompt(app: &App<Ctx>) -> Option<(&str, Option<&str>)> {
    match app.top_layer() {
        Some(Layer::Prompt(p)) => Some((p.title.as_str(), p.error.as_deref())),
        _ => None,
    }
}

#[test]
fn approving_stage_one_sends_the_request_to_stage_two_and_out_of_my_inbox() {
    let w = world();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut app = app_as(dir.path(), w.tenant, w.adele);
    app.switch_tab(Tab::Approvals);
    assert_eq!(badge(&app, Tab::Approvals).as_deref(), Some("2"));
    let s = screen(&mut app, 120, 35);
    // My decisions are read from the history files only once the History list is shown.
    assert!(s.contains("Pending (2)") && s.contains("History (…)"), "{s}");
    assert!(s.contains("Project code → ALPHA-7"), "the answers are shown\n{s}");
    assert!(s.contains("12d left"), "the time left before the timeout\n{s}");

    // The first row is Lee's (it times out first); approve it with a reason.
    update(&mut app, Action::Approve);
    let (title, _) = prompt(&app).expect("a reason prompt");
    assert!(title.contains("stage 1 of 2") && title.contains("reason required"), "{title}");
    typ(&mut app, "Alpha launch confirmed");
    update(&mut app, Action::Open);
    assert!(app.top_layer().is_none(), "the prompt closed");

    let t = app.ctx.tenant();
    let r = &t.requests[&w.alpha];
    assert_eq!((r.state, r.stage, r.approvers.clone()), (RequestState::PendingApproval, 1, vec![w.nestor]));
    assert_eq!(
        r.decisions.last().map(|d| (d.by, d.approved, d.reason.as_str())),
        Some((w.adele, true, "Alpha launch confirmed"))
    );
    assert!(t.inbox(w.adele).all(|r| r.id != w.alpha), "gone from Adele's inbox");
    assert_eq!(badge(&app, Tab::Approvals).as_deref(), Some("1"));
    let s = screen(&mut app, 120, 35);
    assert!(s.contains("Pending (1)"), "{s}");
    assert!(s.contains("Stage 1 of 2 approved; it now waits for Nestor Wilke"), "in people's words\n{s}");
    update(&mut app, Action::NextPane);
    assert!(screen(&mut app, 120, 35).contains("History (3)"));

    // Nestor sees it at stage 2 with Adele's decision, and needs no reason there.
    drop(app);
    let mut app = reopen(dir.path(), w.nestor);
    app.switch_tab(Tab::Approvals);
    let s = screen(&mut app, 120, 35);
    assert!(s.contains("2 of 2"), "{s}");
    assert!(s.contains("approved by Adele Vance"), "earlier stages are shown\n{s}");
    update(&mut app, Action::Approve);
    assert!(prompt(&app).is_some_and(|(t, _)| t.contains("stage 2 of 2") && t.contains("reason optional")));
    update(&mut app, Action::Open);
    assert!(app.top_layer().is_none());
    assert_eq!(app.ctx.request(w.alpha).expect("the request").state, RequestState::Delivered);
    assert!(
        app.ctx.tenant().active_assignment(w.lee, app.ctx.request(w.alpha).expect("the request").package).is_some()
    );
}

#[test]
fn denying_without_a_required_reason_keeps_the_prompt_open_with_the_rule() {
    let w = world();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut app = app_as(dir.path(), w.tenant, w.adele);
    app.switch_tab(Tab::Approvals);
    update(&mut app, Action::Down); // Rob's request
    let s = screen(&mut app, 120, 35);
    assert!(s.contains("Rob Young · rob@azureblog.net"), "{s}");
    assert!(s.contains("guest") && s.contains("Azureblog (connected organization)"), "{s}");

    update(&mut app, Action::Deny);
    update(&mut app, Action::Open);
    let (title, error) = prompt(&app).expect("the prompt stays open");
    assert!(title.starts_with("Deny") && title.contains("reason required"), "{title}");
    let error = error.expect("the rule's message");
    assert_eq!(error, "Policy 'Guests and members' requires a reason from the approver at stage 1: give one");
    let s = screen(&mut app, 120, 35);
    assert!(s.contains("requires a reason from the") && s.contains("approver at stage 1: give one"), "all of it\n{s}");
    let term = terminal(&mut app, 80, 24);
    insta::assert_snapshot!("approvals_deny_refused_80x24", term.backend());
    assert_eq!(app.ctx.request(w.portal).expect("the request").state, RequestState::PendingApproval);

    typ(&mut app, "No statement of work on file");
    update(&mut app, Action::Open);
    assert!(app.top_layer().is_none());
    let r = &app.ctx.request(w.portal).expect("the request");
    assert_eq!(r.state, RequestState::Denied);
    assert_eq!(r.decisions.last().map(|d| d.reason.as_str()), Some("No statement of work on file"));
}

#[test]
fn a_review_decision_is_recorded() {
    let w = world();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut app = app_as(dir.path(), w.tenant, w.adele);
    app.switch_tab(Tab::Reviews);
    assert_eq!(badge(&app, Tab::Reviews).as_deref(), Some("2"));
    let s = screen(&mut app, 120, 35);
    assert!(s.contains("To review (2)"), "{s}");
    assert!(s.contains("Quarterly pipeline reviews"), "how Lee got it\n{s}");
    assert!(s.contains("you, Nestor Wilke"), "who else reviews\n{s}");

    // Denying needs a reason: the domain says so inside the prompt.
    update(&mut app, Action::Deny);
    update(&mut app, Action::Open);
    assert_eq!(prompt(&app).and_then(|(_, e)| e), Some("Give a reason when you deny access in a review"));
    update(&mut app, Action::Back);

    update(&mut app, Action::Approve);
    assert!(prompt(&app).is_some_and(|(t, _)| t.contains("Lee Gu")));
    typ(&mut app, "Still on the pipeline reviews");
    update(&mut app, Action::Open);
    assert!(app.top_layer().is_none());
    let review = &app.ctx.tenant().reviews[&w.review];
    let item = review.items.iter().find(|i| i.user == w.lee).expect("Lee is under review");
    assert_eq!(item.decision, Some(ReviewDecision::Approve));
    assert_eq!(item.decided_by, Some(w.adele));
    assert_eq!(item.justification, "Still on the pipeline reviews");
    assert_eq!(badge(&app, Tab::Reviews).as_deref(), Some("1"));

    // The selection moved on to the next person nobody has decided: Don't know on Megan, then
    // both show under Decided.
    update(&mut app, Action::DontKnow);
    assert!(prompt(&app).is_some_and(|(t, _)| t.contains("Megan")), "the next person, without a key");
    update(&mut app, Action::Open);
    assert!(app.top_layer().is_none());
    assert_eq!(badge(&app, Tab::Reviews), None);
    update(&mut app, Action::NextPane);
    let s = screen(&mut app, 120, 35);
    assert!(s.contains("Decided (2)") && s.contains("don't know"), "{s}");
}

#[test]
fn marking_read_drops_the_badge() {
    let w = world();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut app = app_as(dir.path(), w.tenant, w.adele);
    app.switch_tab(Tab::Notifications);
    assert_eq!(badge(&app, Tab::Notifications).as_deref(), Some("3"));
    let s = screen(&mut app, 120, 35);
    let bar = s.lines().next().unwrap_or_default();
    assert!(bar.contains("Notifications (3)"), "{bar}");
    assert!(s.contains("A mark all read"), "the footer names what A does here\n{s}");

    // Enter on the newest (Rob's request) marks it read.
    update(&mut app, Action::Open);
    assert_eq!(app.ctx.tenant().unread_count(w.adele), 2);
    assert_eq!(badge(&app, Tab::Notifications).as_deref(), Some("2"));
    update(&mut app, Action::Open);
    assert_eq!(app.ctx.tenant().unread_count(w.adele), 2, "marking a read one again changes nothing");

    update(&mut app, Action::Assign);
    assert_eq!(app.ctx.tenant().unread_count(w.adele), 0);
    assert_eq!(badge(&app, Tab::Notifications), None);
    let s = screen(&mut app, 120, 35);
    let bar = s.lines().next().unwrap_or_default();
    assert!(
        bar.contains("Notifications") && !bar.contains("Notifications 3") && !bar.contains("Notifications 2"),
        "{bar}"
    );
}

/// The detail pane of each of `count` notifications in `who`'s mailbox, newest first.
fn messages(dir: &Path, tenant: Option<Tenant>, who: UserId, count: usize) -> Vec<String> {
    let mut app = match tenant {
        Some(t) => app_as(dir, t, who),
        None => reopen(dir, who),
    };
    app.switch_tab(Tab::Notifications);
    let mut out = vec![];
    for _ in 0..count {
        let pane = |l: &str| l.split('│').nth(3).unwrap_or_default().trim().to_string();
        out.push(screen(&mut app, 120, 35).lines().map(pane).collect::<Vec<_>>().join("\n"));
        update(&mut app, Action::Down);
    }
    out
}

/// Whether a message whose text holds `text` shows "`about` now" ending in `now`.
fn shows_now(shown: &[String], text: &str, about: impl Into<ObjectRef>, now: &str) -> bool {
    let label = format!("{} now", about.into());
    shown.iter().any(|m| m.contains(text) && m.lines().any(|l| l.starts_with(&label) && l.ends_with(now)))
}

#[test]
fn a_notification_shows_where_what_it_is_about_stands_now() {
    let w = world();
    let granted = w.tenant.assignments.values().find(|a| a.request == w.megan_alpha).map(|a| a.id).expect("delivered");
    let about = |t: &Tenant, u: UserId, kind: &str| -> Vec<Option<ObjectRef>> {
        t.notifications_of(u).filter(|n| n.kind == kind).map(|n| n.about).collect()
    };
    assert_eq!(about(&w.tenant, w.megan, "approved"), [Some(w.megan_alpha.into())]);
    assert_eq!(about(&w.tenant, w.megan, "denied"), [Some(w.megan_portal.into())]);
    assert!(about(&w.tenant, w.megan, "granted").contains(&Some(granted.into())));
    assert_eq!(about(&w.tenant, w.adele, "reviewOpened"), [Some(w.review.into())]);
    let (dir, mail) =
        (tempfile::tempdir().unwrap_or_else(|e| panic!("{e}")), w.tenant.notifications_of(w.megan).count());
    let shown = messages(dir.path(), Some(w.tenant), w.megan, mail);
    // The approval's text names no request: where it stands comes from what it is about.
    assert!(shows_now(&shown, "was approved", w.megan_alpha, "delivered on 2026-01-02"), "{shown:#?}");
    assert!(shows_now(&shown, "was denied", w.megan_portal, "denied on 2026-01-03"), "{shown:#?}");
    // "You now have access": the assignment, and how long it runs.
    assert!(shows_now(&shown, "access to 'Project Alpha'", granted, "delivered until 2027-01-02"), "{shown:#?}");
    let (w, dir) = (world(), tempfile::tempdir().unwrap_or_else(|e| panic!("{e}")));
    let shown = messages(dir.path(), Some(w.tenant), w.adele, 5);
    assert!(shows_now(&shown, "needs you", w.review, "in progress"), "{shown:#?}");
}

#[test]
fn a_notification_an_older_version_wrote_shows_no_now_line_and_its_text_is_not_read() {
    let w = world();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    drop(app_as(dir.path(), w.tenant, w.adele));
    // What an older version wrote: the mailboxes' lines (history/notices-NN/*.jsonl) without `about`.
    let mut changed = 0;
    let shards = std::fs::read_dir(dir.path().join("history")).unwrap_or_else(|e| panic!("{e}")).flatten();
    for file in shards
        .filter(|d| d.file_name().to_string_lossy().starts_with("notices"))
        .flat_map(|d| std::fs::read_dir(d.path()).unwrap_or_else(|e| panic!("{e}")).flatten().map(|f| f.path()))
    {
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let old: String = text
            .lines()
            .map(|line| {
                let mut v: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
                changed += usize::from(v.as_object_mut().and_then(|o| o.remove("about")).is_some());
                format!("{v}\n")
            })
            .collect();
        std::fs::write(&file, old).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    }
    assert!(changed > 0, "the mailboxes are in the history files");
    let shown = messages(dir.path(), None, w.adele, 5);
    // Rob's request, newest: its body names it ("Decide by ... (reqN)"), yet nothing is parsed.
    assert!(shown.first().is_some_and(|m| m.contains(&format!("({})", w.portal))), "{shown:#?}");
    assert!(shown.iter().all(|m| !m.contains(" now ")), "{shown:#?}");
}

#[test]
fn snapshots() {
    let w = world();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut app = app_as(dir.path(), w.tenant, w.adele);
    for (tab, name) in [(Tab::Approvals, "approvals"), (Tab::Reviews, "reviews"), (Tab::Notifications, "notifications")]
    {
        app.switch_tab(tab);
        for (wd, ht) in [(120, 35), (80, 24)] {
            let term = terminal(&mut app, wd, ht);
            insta::assert_snapshot!(format!("{name}_{wd}x{ht}"), term.backend());
        }
    }
}

#[test]
fn my_finished_requests_show_in_my_access_after_a_reopen() {
    let w = world();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // The store writes Lee's delivered request to the history; the snapshot keeps it no more.
    drop(app_as(dir.path(), w.tenant, w.lee));
    let mut app = reopen(dir.path(), w.lee);
    let delivered: Vec<RequestId> = app.ctx.tenant().finished.keys().copied().collect();
    assert!(!delivered.is_empty() && delivered.iter().all(|id| !app.ctx.tenant().requests.contains_key(id)));
    app.switch_tab(Tab::MyAccess);
    let s = screen(&mut app, 120, 35);
    assert!(s.contains("Requests (2)"), "the open one and the delivered one\n{s}");
    update(&mut app, Action::NextPane);
    let s = screen(&mut app, 120, 35);
    assert!(s.contains(&delivered[0].to_string()) && s.contains("delivered"), "read from Lee's shard\n{s}");
    assert!(s.contains(&w.alpha.to_string()), "and the open one\n{s}");
}
