//! Random commands with extreme values, every `Command` variant, sent by various actors and
//! interleaved with clock moves: `Tenant::apply` never panics, a refused command changes nothing,
//! the invariants of tests/invariants.rs hold after every step, and the tenant survives a save and
//! load with its indexes rebuilt. Values: 0, negative, u32::MAX, i64::MAX, 1969 and the years 9999
//! and beyond, empty, very long and control-character strings, ids that do not exist.
//!
//! Valid clock jumps stay within a few years: how long a jump of centuries takes is the clock's
//! own concern (issue 6 §2), not this test's.

use crate::common;
use crate::fuzz_support;

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use common::random::{Setup, check, round_trip, setup, users_index_view};
use common::*;
use entitle::domain::auto_assign::AutomaticSettings;
use entitle::domain::extension_calls::{CallbackAnswer, CalloutResult, CalloutStatus};
use entitle::domain::extensions::{ExtensionSpec, ExtensionStage, StageSetting};
use entitle::domain::*;
use fuzz_support::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use strum::IntoEnumIterator;

/// The policy's review settings, a monthly self-review when it has none.
fn review_of(spec: &mut PolicySpec, now: Time) -> &mut ReviewSettings {
    spec.review.get_or_insert(ReviewSettings {
        frequency: ReviewFrequency::Monthly,
        starts_on: now,
        duration_days: 5,
        reviewers: vec![Reviewer::SelfReview],
        fallback: vec![],
        no_response: NoResponse::Keep,
        before_expiry_days: None,
    })
}

/// The policy's first approval stage, a named approver's when it has none.
fn first_stage(spec: &mut PolicySpec, approver: UserId) -> &mut ApprovalStage {
    if spec.stages.is_empty() {
        spec.stages.push(stage(vec![by(approver)]));
    }
    &mut spec.stages[0]
}

/// A policy spec changed in one field by an extreme value.
fn policy_spec(mut spec: PolicySpec, b: &Bag, now: Time, approver: UserId) -> PolicySpec {
    let frequencies = [
        ReviewFrequency::Weekly,
        ReviewFrequency::Monthly,
        ReviewFrequency::Quarterly,
        ReviewFrequency::SemiAnnually,
        ReviewFrequency::Annually,
    ];
    match b.picks[2] % 13 {
        0 => first_stage(&mut spec, approver).timeout_days = u32_of(b.n),
        1 => {
            first_stage(&mut spec, approver).escalation =
                Some(Escalation { after_days: u32_of(b.n), alternates: vec![by(approver)] })
        }
        2 => spec.stages = vec![stage(vec![by(approver)]); usize_of(b.n).min(6)],
        3 => spec.lifecycle.expiration = Expiration::AfterDays(u32_of(b.n)),
        4 => spec.lifecycle.expiration = Expiration::AfterHours(u32_of(b.n)),
        5 => spec.lifecycle.expiration = Expiration::OnDate(resolve(b.when, now)),
        6 => spec.lifecycle.expiration = Expiration::Never,
        7 => {
            let r = review_of(&mut spec, now);
            r.frequency = frequencies[b.picks[1] as usize % frequencies.len()];
            r.duration_days = u32_of(b.n);
        }
        8 => {
            review_of(&mut spec, now).starts_on = resolve(b.when, now);
        }
        9 => {
            review_of(&mut spec, now).before_expiry_days = Some(u32_of(b.n));
        }
        11 => {
            // An automatic policy: a rule that parses or a hostile text, any grace period.
            let rule = if b.flag { r#"user.department -eq "Sales""#.to_string() } else { b.text.clone() };
            spec = PolicySpec::new("Automatic", RequestScope::AdminOnly);
            spec.lifecycle.expiration = Expiration::Never;
            spec.automatic = Some(AutomaticSettings { rule, grace_period_hours: u32_of(b.n) });
        }
        10 => {
            spec.questions = (0..usize_of(b.n).min(25) as u64)
                .map(|i| Question {
                    id: QuestionId(i + 1),
                    text: if i == 0 { b.text.clone() } else { format!("Question {i}") },
                    kind: if b.flag {
                        QuestionKind::Choice { options: vec![b.text2.clone(); usize_of(b.m).min(40)] }
                    } else {
                        QuestionKind::Text
                    },
                    required: false,
                })
                .collect();
        }
        _ => {
            spec.display_name = b.text.clone();
            spec.description = b.text2.clone();
            spec.allow_on_behalf = b.flag;
        }
    }
    spec
}

fn user_spec(b: &Bag) -> UserSpec {
    let mut spec = member_spec("Fuzzed", None);
    spec.display_name = b.text.clone();
    spec.email = if b.flag { b.text2.clone() } else { format!("f{}@contoso.com", b.picks[0]) };
    spec.department = b.text2.clone();
    spec
}

/// The command the ingredients make against the current tenant, with its actor.
fn materialize(s: &Setup, first: u64, b: &Bag) -> Entry {
    let t = &s.w.t;
    let now = t.clock.now;
    let [p0, p1, _] = b.picks;
    let stray = b.stray;
    let users = || choose(t.users.keys().copied().collect(), p0, stray, UserId);
    let resource = || choose(t.resources.keys().copied().collect(), p1, stray, ResourceId);
    let org = || choose(t.orgs.keys().copied().collect(), p0, stray, OrgId);
    let catalog = || choose(t.catalogs.keys().copied().collect(), p0, stray, CatalogId);
    let package = || choose(t.packages.keys().copied().collect(), p0, stray, PackageId);
    let policy = || choose(t.policies.keys().copied().collect(), p1, stray, PolicyId);
    // Deletions aim at what the run created, so that the fixed cast keeps its packages.
    let created = |id: u64| id >= first;
    let open: Vec<&Request> = t.requests.values().filter(|r| r.state.is_open()).collect();
    let request = if open.is_empty() { None } else { Some(open[p0 as usize % open.len()]) };
    let request_id = choose(request.map(|r| r.id).into_iter().collect(), p0, stray, RequestId);
    let active: Vec<&Assignment> = t.assignments.values().filter(|a| a.is_active()).collect();
    let assignment = if active.is_empty() { None } else { Some(active[p1 as usize % active.len()]) };
    let assignment_id = choose(assignment.map(|a| a.id).into_iter().collect(), p1, stray, AssignmentId);
    let items: Vec<(ReviewId, &ReviewItem)> = t
        .reviews
        .values()
        .filter(|r| r.state == ReviewState::InProgress)
        .flat_map(|r| r.items.iter().map(move |i| (r.id, i)))
        .collect();
    let item = if items.is_empty() { None } else { Some(items[p0 as usize % items.len()]) };
    let review_id = choose(item.map(|(r, _)| r).into_iter().collect(), p0, stray, ReviewId);
    let cast_package = choose(s.packages.clone(), p0, stray, PackageId);
    let cast_policy = t.packages.get(&cast_package).and_then(|p| pick(&p.policies, p1)).unwrap_or(PolicyId(0));
    let user_actor = |x: Option<UserId>| x.map(u);
    let role =
        || if b.flag { b.text.clone() } else { ["Member", "Owner", "User", "Visitor"][p1 as usize % 4].to_string() };
    let approver = pick(&s.users, p1).unwrap_or(s.w.admin);
    let org_spec = || OrgSpec {
        display_name: b.text.clone(),
        description: b.text2.clone(),
        domains: vec![if b.flag { b.text2.clone() } else { format!("d{p0}.example") }],
        tenant_id: None,
        state: OrgState::Configured,
        internal_sponsors: Default::default(),
        external_sponsors: Default::default(),
    };
    let catalog_spec = || CatalogSpec {
        display_name: b.text.clone(),
        description: b.text2.clone(),
        enabled: b.flag,
        external: !b.flag,
    };
    let package_spec =
        || PackageSpec { display_name: b.text.clone(), description: b.text2.clone(), hidden: false, sensitive: b.flag };
    let base_spec = || t.policies.get(&policy()).map_or(members_policy("Fuzzed"), |p| p.spec.clone());
    let catalog_role = [CatalogRole::Owner, CatalogRole::Reader, CatalogRole::AccessPackageManager][p1 as usize % 3];
    let mut at = now;
    let mut natural: Option<Actor> = None;
    let command = match b.variant {
        // A tick to an absolute edge would stop at the end of 9999 after a jump of millennia: it
        // ticks backwards instead (a no-op); rules_bounds.rs covers the stop.
        0 => {
            at = match b.clock {
                When::In(s) => resolve(When::In(s), now),
                When::At(_) => resolve(When::In(-3_600), now),
            };
            Command::Tick
        }
        1 => Command::AdvanceClock {
            seconds: match b.clock {
                When::In(s) => s,
                When::At(t) => t.signed_duration_since(now).num_seconds(),
            },
        },
        2 => Command::SetClock { to: resolve(b.clock, now) },
        3 => Command::FreezeClock { frozen: b.flag, wall: resolve(b.when, now) },
        4 => Command::CreateUser { spec: user_spec(b) },
        5 => Command::UpdateUser { user: users(), spec: user_spec(b), enabled: b.flag },
        6 => Command::CreateResource {
            spec: ResourceSpec {
                display_name: b.text.clone(),
                description: b.text2.clone(),
                kind: ResourceKind::Application,
                roles: vec![b.text2.clone()],
                owners: Default::default(),
            },
        },
        7 => Command::AddDirectGrant { user: users(), resource: resource(), role: role() },
        8 => Command::RemoveDirectGrant { user: users(), resource: resource(), role: role() },
        9 => Command::CreateOrg { spec: org_spec() },
        10 => Command::UpdateOrg { org: org(), spec: org_spec() },
        11 => Command::DeleteOrg {
            org: choose(t.orgs.keys().copied().filter(|k| created(k.0)).collect(), p0, stray, OrgId),
        },
        12 => {
            let mut settings = t.settings.clone();
            match p1 % 5 {
                0 => settings.external_lifecycle = ExternalLifecycle::BlockThenRemove(u32_of(b.n)),
                1 => settings.limits.packages_per_catalog = usize_of(b.n),
                2 => settings.limits.resource_roles_per_package = usize_of(b.n),
                3 => settings.limits.policies_per_package = usize_of(b.n),
                _ => settings.limits.connected_organizations = usize_of(b.n),
            }
            Command::UpdateSettings { settings }
        }
        13 => Command::CreateCatalog { spec: catalog_spec() },
        14 => Command::UpdateCatalog { catalog: catalog(), spec: catalog_spec() },
        15 => Command::DeleteCatalog {
            catalog: choose(t.catalogs.keys().copied().filter(|k| created(k.0)).collect(), p0, stray, CatalogId),
        },
        16 => Command::AddCatalogResource { catalog: catalog(), resource: resource() },
        17 => Command::RemoveCatalogResource { catalog: catalog(), resource: resource() },
        18 => Command::GrantCatalogRole { catalog: catalog(), user: users(), role: catalog_role },
        19 => Command::RevokeCatalogRole { catalog: catalog(), user: users(), role: catalog_role },
        20 => Command::CreatePackage { catalog: catalog(), spec: package_spec() },
        21 => Command::UpdatePackage { package: package(), spec: package_spec() },
        22 => Command::DeletePackage {
            package: choose(t.packages.keys().copied().filter(|k| created(k.0)).collect(), p0, stray, PackageId),
        },
        23 => Command::AddResourceRole { package: package(), resource: resource(), role: role() },
        24 => Command::RemoveResourceRole {
            package: package(),
            resource: resource(),
            role: role(),
            revoke_existing: b.flag,
        },
        25 => Command::CreatePolicy { package: package(), spec: policy_spec(base_spec(), b, now, approver) },
        26 => Command::UpdatePolicy { policy: policy(), spec: policy_spec(base_spec(), b, now, approver) },
        27 => Command::DeletePolicy {
            policy: choose(t.policies.keys().copied().filter(|k| created(k.0)).collect(), p1, stray, PolicyId),
        },
        28 => {
            natural = s.actors.get(p1 as usize % s.actors.len()).cloned();
            Command::SubmitRequest {
                package: cast_package,
                policy: None,
                justification: b.text.clone(),
                answers: if b.flag { BTreeMap::from([(QuestionId(1), b.text2.clone())]) } else { BTreeMap::new() },
                start: b.when2.map(|w| resolve(w, now)),
            }
        }
        29 => {
            natural = user_actor(request.and_then(|r| r.requestor));
            Command::CancelRequest { request: request_id }
        }
        30 => {
            natural = user_actor(request.and_then(|r| pick(&r.approvers, p1)));
            Command::Decide { request: request_id, approve: b.flag, reason: b.text.clone() }
        }
        31 => {
            natural = user_actor(assignment.map(|a| a.target));
            Command::RequestExtension { assignment: assignment_id, justification: b.text.clone() }
        }
        32 => {
            natural = user_actor(assignment.map(|a| a.target));
            Command::RemoveOwnAssignment { assignment: assignment_id }
        }
        33 => Command::AdminAssign {
            package: cast_package,
            policy: cast_policy,
            user: pick(&s.users, p1).unwrap_or(UserId(0)),
            start: b.when2.map(|w| resolve(w, now)),
            end: b.flag.then(|| resolve(b.when, now)),
            justification: b.text.clone(),
        },
        34 => Command::AdminRemove { assignment: assignment_id, reason: b.text.clone() },
        35 => {
            natural = user_actor(item.and_then(|(_, i)| pick(&i.reviewers, p1)));
            let decision = [ReviewDecision::Approve, ReviewDecision::Deny, ReviewDecision::DontKnow][p1 as usize % 3];
            Command::DecideReview {
                review: review_id,
                assignment: item.map_or(assignment_id, |(_, i)| i.assignment),
                decision,
                justification: b.text.clone(),
            }
        }
        36 => Command::EndReview { review: review_id },
        37 => {
            let me = pick(&s.users, p0).unwrap_or(s.w.admin);
            natural = Some(u(me));
            Command::MarkRead { notification: stray.or_else(|| t.notifications_of(me).next().map(|n| n.seq)) }
        }
        38 => {
            Command::SetMode { mode: if b.flag { entitle::domain::identity::Mode::Team } else { Default::default() } }
        }
        39 => Command::SetLogin {
            user: pick(&s.users, p1).unwrap_or(UserId(0)),
            login: (!b.flag).then(|| b.text.clone()),
        },
        41 | 42 => {
            let with = if b.flag {
                Incompatible::Package { package: cast_package }
            } else {
                Incompatible::Group { group: resource() }
            };
            if b.variant == 41 {
                Command::AddIncompatible { package: package(), with }
            } else {
                Command::RemoveIncompatible { package: package(), with }
            }
        }
        43 => {
            // Mostly the target's manager asks; the others are refused.
            let target = users();
            natural = t.users.get(&target).and_then(|x| x.manager).map(u);
            Command::RequestFor {
                target,
                package: cast_package,
                policy: None,
                justification: b.text.clone(),
                answers: BTreeMap::new(),
                start: b.when2.map(|w| resolve(w, now)),
            }
        }
        44 => {
            let user = users();
            let mut attributes = t.users.get(&user).map(UserAttributes::from).unwrap_or_default();
            attributes.department = if b.flag { "Sales".into() } else { b.text2.clone() };
            attributes.country = b.text.clone();
            attributes.user_type = if p1 % 3 == 0 { UserType::Guest } else { UserType::Member };
            attributes.manager = stray.map(UserId).or(attributes.manager);
            Command::SetUserAttributes { user, attributes }
        }
        45 | 46 => {
            // A custom extension of a catalog, with bounded or absurd values; attached below.
            let mut spec = ExtensionSpec::new(&b.text, if b.flag { "true" } else { &b.text2 }, vec![b.text2.clone()]);
            spec.timeout_seconds = u32::try_from(b.n).unwrap_or(u32::MAX);
            spec.wait_for_callback = p1 % 5 == 0;
            match (b.variant, pick(&t.extensions.keys().copied().collect::<Vec<_>>(), p0)) {
                (46, Some(extension)) => Command::UpdateExtension { extension, spec },
                _ => Command::AddExtension { catalog: catalog(), spec },
            }
        }
        47 => {
            // Attach an extension of the policy's catalog (of any, now and then) to it at a
            // stage, or remove one.
            let policy = policy();
            let cat = t.policies.get(&policy).and_then(|p| t.packages.get(&p.package)).map(|p| p.catalog);
            let exts: Vec<ExtensionId> =
                t.extensions.values().filter(|e| p0 % 5 == 0 || Some(e.catalog) == cat).map(|e| e.id).collect();
            let extension = choose(exts, p0, stray, ExtensionId);
            if b.flag {
                Command::RemoveExtension { extension }
            } else {
                let mut spec = t.policies.get(&policy).map_or(members_policy("Fuzzed"), |p| p.spec.clone());
                let stage =
                    ExtensionStage::iter().nth(p1 as usize % 6).unwrap_or(ExtensionStage::AssignmentRequestCreated);
                spec.custom_extension_stage_settings = vec![StageSetting { stage, custom_extension: extension }];
                Command::UpdatePolicy { policy, spec }
            }
        }
        48 => {
            let calls: Vec<CalloutId> = t.callouts.keys().copied().collect();
            Command::ClaimCallout { call: choose(calls, p0, stray, CalloutId), wall: resolve(b.when, now) }
        }
        49 => {
            let calls: Vec<CalloutId> = t.callouts.keys().copied().collect();
            let status =
                [CalloutStatus::Succeeded, CalloutStatus::Failed, CalloutStatus::TimedOut, CalloutStatus::NotStarted]
                    [p1 as usize % 4];
            let answer = match p0 % 4 {
                0 => None,
                1 => Some(CallbackAnswer::Continue { detail: b.text.clone() }),
                2 => Some(CallbackAnswer::Denied { detail: b.text.clone() }),
                _ => Some(CallbackAnswer::Canceled { detail: b.text.clone() }),
            };
            let result = CalloutResult {
                status,
                exit_code: i32::try_from(b.n).ok(),
                duration_ms: u64::try_from(b.m).unwrap_or(0),
                stdout: b.text.clone(),
                stderr: b.text2.clone(),
                answer,
            };
            Command::RecordCallout { call: choose(calls, p0, stray, CalloutId), result }
        }
        50 => {
            // Config as code: configuration commands applied all or none; now and then one that
            // is not configuration, which refuses the whole batch.
            let spec = CatalogSpec {
                display_name: b.text.clone(),
                description: b.text2.clone(),
                enabled: b.flag,
                external: p1 % 2 == 0,
            };
            let second = match p0 % 5 {
                0 => Command::Tick,
                1 => Command::CreatePackage { catalog: catalog(), spec: package_spec() },
                _ => Command::DeletePackage { package: package() },
            };
            Command::ApplyConfig { commands: vec![Command::CreateCatalog { spec }, second] }
        }
        _ => {
            // A global administrator (or anyone: refused) acting as someone; now and then nested.
            let inner = Command::AdminRemove { assignment: assignment_id, reason: b.text.clone() };
            let inner = if p0 % 7 == 0 { Command::ActingAs { by: s.w.admin, command: Box::new(inner) } } else { inner };
            let by = if b.flag { s.w.admin } else { pick(&s.users, p1).unwrap_or(UserId(0)) };
            Command::ActingAs { by, command: Box::new(inner) }
        }
    };
    // Many commands come from the system (to reach the value checks past the rights), many from
    // whoever would naturally send them (the approver, the assignee), the rest from the cast, and
    // now and then from an outsider with a hostile name.
    let actor = match (b.actor, natural) {
        (0..=95, _) => Actor::System,
        (96..=99, _) => ext(&b.text2, &b.text),
        (100..=219, Some(a)) => a,
        (x, _) => s.actors[x as usize % s.actors.len()].clone(),
    };
    Entry { at, actor, command }
}

/// The variant's name: an exhaustive match, so a new `Command` variant fails to compile here
/// until the generator makes it.
fn variant_name(c: &Command) -> &'static str {
    match c {
        Command::Tick => "Tick",
        Command::AdvanceClock { .. } => "AdvanceClock",
        Command::SetClock { .. } => "SetClock",
        Command::FreezeClock { .. } => "FreezeClock",
        Command::CreateUser { .. } => "CreateUser",
        Command::UpdateUser { .. } => "UpdateUser",
        Command::SetUserAttributes { .. } => "SetUserAttributes",
        Command::CreateResource { .. } => "CreateResource",
        Command::AddDirectGrant { .. } => "AddDirectGrant",
        Command::RemoveDirectGrant { .. } => "RemoveDirectGrant",
        Command::CreateOrg { .. } => "CreateOrg",
        Command::UpdateOrg { .. } => "UpdateOrg",
        Command::DeleteOrg { .. } => "DeleteOrg",
        Command::UpdateSettings { .. } => "UpdateSettings",
        Command::CreateCatalog { .. } => "CreateCatalog",
        Command::UpdateCatalog { .. } => "UpdateCatalog",
        Command::DeleteCatalog { .. } => "DeleteCatalog",
        Command::AddCatalogResource { .. } => "AddCatalogResource",
        Command::RemoveCatalogResource { .. } => "RemoveCatalogResource",
        Command::GrantCatalogRole { .. } => "GrantCatalogRole",
        Command::RevokeCatalogRole { .. } => "RevokeCatalogRole",
        Command::CreatePackage { .. } => "CreatePackage",
        Command::UpdatePackage { .. } => "UpdatePackage",
        Command::DeletePackage { .. } => "DeletePackage",
        Command::AddIncompatible { .. } => "AddIncompatible",
        Command::RemoveIncompatible { .. } => "RemoveIncompatible",
        Command::RequestFor { .. } => "RequestFor",
        Command::AddResourceRole { .. } => "AddResourceRole",
        Command::RemoveResourceRole { .. } => "RemoveResourceRole",
        Command::AddExtension { .. } => "AddExtension",
        Command::UpdateExtension { .. } => "UpdateExtension",
        Command::RemoveExtension { .. } => "RemoveExtension",
        Command::ClaimCallout { .. } => "ClaimCallout",
        Command::RecordCallout { .. } => "RecordCallout",
        Command::CreatePolicy { .. } => "CreatePolicy",
        Command::UpdatePolicy { .. } => "UpdatePolicy",
        Command::DeletePolicy { .. } => "DeletePolicy",
        Command::SubmitRequest { .. } => "SubmitRequest",
        Command::CancelRequest { .. } => "CancelRequest",
        Command::Decide { .. } => "Decide",
        Command::RequestExtension { .. } => "RequestExtension",
        Command::RemoveOwnAssignment { .. } => "RemoveOwnAssignment",
        Command::AdminAssign { .. } => "AdminAssign",
        Command::AdminRemove { .. } => "AdminRemove",
        Command::DecideReview { .. } => "DecideReview",
        Command::EndReview { .. } => "EndReview",
        Command::MarkRead { .. } => "MarkRead",
        Command::SetMode { .. } => "SetMode",
        Command::SetLogin { .. } => "SetLogin",
        Command::ActingAs { .. } => "ActingAs",
        Command::ApplyConfig { .. } => "ApplyConfig",
    }
}

/// What the runs did, to show they are not vacuous.
#[derive(Default)]
struct Tally {
    commands: usize,
    accepted: usize,
    refused: usize,
    out_of_range: usize,
    variants: BTreeMap<&'static str, usize>,
    accepted_variants: BTreeMap<&'static str, usize>,
}

/// Apply each step, checking everything after it. A refused step must leave the JSON and the
/// indexes as they were; an accepted one must survive a save and load with its indexes rebuilt.
fn run(steps: &[Bag], tally: &mut Tally) -> Result<(), TestCaseError> {
    let mut s = setup();
    let resources = s.resources.clone();
    let (mut json, mut view) = round_trip(&s.w.t, &resources)?;
    let first = s.w.t.next_id;
    for b in steps {
        let entry = materialize(&s, first, b);
        let t = &mut s.w.t;
        let result = catch_unwind(AssertUnwindSafe(|| t.apply(&entry)))
            .map_err(|_| TestCaseError::fail(format!("Tenant::apply panicked on {entry:?}")))?;
        tally.commands += 1;
        *tally.variants.entry(variant_name(&entry.command)).or_default() += 1;
        match &result {
            Ok(_) => {
                tally.accepted += 1;
                *tally.accepted_variants.entry(variant_name(&entry.command)).or_default() += 1;
                (json, view) =
                    round_trip(&s.w.t, &resources).map_err(|e| TestCaseError::fail(format!("after {entry:?}: {e}")))?;
            }
            Err(e) => {
                tally.refused += 1;
                tally.out_of_range += usize::from(e.field().is_some());
                let after = serde_json::to_string(&s.w.t).unwrap_or_default();
                prop_assert!(json == after, "the refused {entry:?} ({e}) changed the tenant");
                prop_assert!(view == users_index_view(&s.w.t, &resources), "the refused {entry:?} changed an index");
            }
        }
        check(&s.w.t, &resources).map_err(|e| TestCaseError::fail(format!("after {entry:?}: {e}")))?;
    }
    Ok(())
}

#[test]
fn random_commands_with_extreme_values_never_panic_and_keep_every_invariant() {
    const STEPS: usize = 40;
    let cases: u32 = std::env::var("ENTITLE_FUZZ_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(200);
    let config = Config { cases, failure_persistence: None, max_shrink_iters: 200, ..Config::default() };
    // A fixed seed, so that a failure (and the counts asserted below) can be had again; another
    // with ENTITLE_FUZZ_SEED. A failing run prints it with its output.
    let seed: u64 = std::env::var("ENTITLE_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_0e50);
    eprintln!("fuzz seed {seed} (ENTITLE_FUZZ_SEED), {cases} cases (ENTITLE_FUZZ_CASES)");
    let bytes: Vec<u8> = seed.to_le_bytes().iter().copied().cycle().take(32).collect();
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &bytes);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let tally = std::cell::RefCell::new(Tally::default());
    let result = runner.run(&prop::collection::vec(bag(), STEPS), |steps| run(&steps, &mut tally.borrow_mut()));
    if let Err(e) = result {
        panic!("{e}");
    }
    let tally = tally.into_inner();
    // Not vacuous: most steps ran, some were accepted and many refused by a range, every variant came.
    assert!(tally.commands >= (cases as usize) * STEPS / 2, "only {} commands ran", tally.commands);
    assert!(tally.accepted * 20 > tally.commands, "{} of {} accepted", tally.accepted, tally.commands);
    assert!(tally.out_of_range * 20 > tally.commands, "{} of {} out of range", tally.out_of_range, tally.commands);
    assert!(tally.refused > tally.out_of_range);
    assert_eq!(tally.variants.len(), VARIANTS as usize, "variants never generated: {:?}", tally.variants.keys());
    for v in ["SubmitRequest", "Decide", "AdminAssign", "UpdatePolicy", "UpdateSettings", "AdvanceClock", "SetClock"] {
        assert!(tally.accepted_variants.contains_key(v), "no {v} was ever accepted: {:?}", tally.accepted_variants);
    }
    if std::env::var_os("ENTITLE_FUZZ_STATS").is_some() {
        eprintln!(
            "{} commands: {} accepted, {} refused ({} out of range)",
            tally.commands, tally.accepted, tally.refused, tally.out_of_range
        );
        eprintln!("accepted: {:?}", tally.accepted_variants);
    }
}
