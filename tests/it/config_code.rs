//! Config as code in the domain: the demo's configuration exported, applied to an empty tenant
//! with the same directory and exported again byte for byte; the plan's creates, changes and
//! deletes; a refused change that applies nothing; the Graph shape; administrators only.

use std::collections::BTreeMap;

use entitle::demo::demo_tenant;
use entitle::domain::config_graph::{ConfigFile, GraphPolicy};
use entitle::domain::config_plan::{Action, ObjectKind, Plan};
use entitle::domain::*;
use serde_json::Value;

fn demo() -> Tenant {
    demo_tenant().unwrap_or_else(|e| panic!("the demo does not load: {e:#}"))
}

/// The first active global administrator, as an actor.
fn admin(t: &Tenant) -> Actor {
    let u = t.users.values().find(|u| u.global_admin && u.is_active() && u.enabled).expect("the tenant has an admin");
    Actor::user(u.id)
}

fn run(t: &mut Tenant, actor: &Actor, command: Command) -> DomainResult<Outcome> {
    let at = t.clock.now;
    t.apply(&Entry { at, actor: actor.clone(), command })
}

/// A tenant with `src`'s directory (its users, groups, applications and sites, made through the
/// directory's commands) and none of its configuration: no catalog but General, no package, no
/// connected organization. Frozen at `src`'s time.
fn same_directory(src: &Tenant) -> Tenant {
    let mut t = Tenant::new("Copy", Clock::frozen_at(src.clock.now));
    t.install_general_catalog();
    let sys = Actor::System;
    let mut ids = BTreeMap::new();
    for u in src.users.values().filter(|u| u.is_active()) {
        let mut spec = UserSpec::from(u);
        spec.manager = None;
        spec.home_org = None;
        let out = run(&mut t, &sys, Command::CreateUser { spec }).expect("the user is made");
        let id: UserId = out.created.and_then(|c| c.user()).expect("a user id");
        ids.insert(u.id, id);
    }
    for u in src.users.values().filter(|u| u.is_active()) {
        let mut spec = UserSpec::from(u);
        spec.manager = u.manager.and_then(|m| ids.get(&m).copied());
        spec.home_org = None;
        let user = ids[&u.id];
        run(&mut t, &sys, Command::UpdateUser { user, spec, enabled: u.enabled }).expect("the user is updated");
    }
    for r in src.resources.values() {
        let spec = ResourceSpec {
            display_name: r.display_name.clone(),
            description: r.description.clone(),
            kind: r.kind.clone(),
            roles: r.roles.clone(),
            owners: Default::default(),
        };
        run(&mut t, &sys, Command::CreateResource { spec }).expect("the resource is made");
    }
    t
}

fn export(t: &Tenant, actor: &Actor) -> ConfigFile {
    t.export_config(actor, None).expect("an administrator exports")
}

fn plan(t: &Tenant, actor: &Actor, file: &ConfigFile) -> Plan {
    t.plan_config(actor, file).expect("an administrator plans")
}

/// Plan and apply `file` as one entry; the apply's outcome.
fn apply(t: &mut Tenant, actor: &Actor, file: &ConfigFile) -> DomainResult<Outcome> {
    let p = plan(t, actor, file);
    let command = p.to_command()?;
    run(t, actor, command)
}

fn edit(file: &ConfigFile, f: impl FnOnce(&mut Value)) -> ConfigFile {
    let mut v = serde_json::to_value(file).expect("to JSON");
    f(&mut v);
    serde_json::from_value(v).expect("still a configuration file")
}

fn catalog_mut<'a>(v: &'a mut Value, name: &str) -> &'a mut Value {
    let cats = v["catalogs"].as_array_mut().expect("catalogs");
    cats.iter_mut().find(|c| c["displayName"] == name).unwrap_or_else(|| panic!("no catalog {name}"))
}

/// The second approval stage of the Finance catalog's first package's first policy.
fn stage_mut(v: &mut Value) -> &mut Value {
    &mut catalog_mut(v, "Finance")["accessPackages"][0]["assignmentPolicies"][0]["requestApprovalSettings"]["stages"][1]
}

#[test]
fn the_demo_config_applied_to_an_empty_tenant_with_its_directory_exports_the_same_bytes() {
    let mut src = demo();
    // What the demo does not use, changed through a file first: a quorum, an escalation, an
    // expiry in hours, an organization known by tenant id.
    let a = admin(&src);
    let richer = edit(&export(&src, &a), |v| {
        stage_mut(v)["entitle"]["quorum"] = "all".into();
        let pol = &mut catalog_mut(v, "Finance")["accessPackages"][0]["assignmentPolicies"][0];
        pol["expiration"] = serde_json::json!({"type": "afterDuration", "duration": "PT8H", "endDateTime": null});
        let first = &mut pol["requestApprovalSettings"]["stages"][0];
        first["isEscalationEnabled"] = true.into();
        first["durationBeforeEscalation"] = "P3D".into();
        first["escalationApprovers"] =
            serde_json::json!([{"@odata.type": "#microsoft.graph.singleUser", "userId": "jonis@contoso.com"}]);
        let sources = v["connectedOrganizations"][0]["identitySources"].as_array_mut().expect("sources");
        sources.push(serde_json::json!({
            "@odata.type": "#microsoft.graph.azureActiveDirectoryTenant",
            "tenantId": "11111111-2222-3333-4444-555555555555",
            "displayName": "Acme Corp"
        }));
    });
    let p = plan(&src, &a, &richer);
    assert_eq!(p.changes.len(), 2, "{:#?}", p.lines());
    apply(&mut src, &a, &richer).expect("the richer file applies");
    let first = export(&src, &a).to_text();
    for said in ["\"quorum\": \"all\"", "\"PT8H\"", "\"durationBeforeEscalation\": \"P3D\"", "55555555"] {
        assert!(first.contains(said), "the export lacks {said}");
    }
    let mut dst = same_directory(&src);
    let actor = admin(&dst);
    let file = ConfigFile::parse(&first).expect("the export reads back");
    let p = plan(&dst, &actor, &file);
    assert!(p.errors.is_empty(), "{:#?}", p.errors);
    assert!(p.changes.iter().any(|c| c.action == Action::Create && c.kind == ObjectKind::AssignmentPolicy));
    apply(&mut dst, &actor, &file).expect("the demo's configuration applies");
    let second = export(&dst, &actor).to_text();
    if first != second {
        let diff: Vec<(&str, &str)> = first.lines().zip(second.lines()).filter(|(a, b)| a != b).take(5).collect();
        panic!("the second export differs: {diff:#?}");
    }
}

#[test]
fn applying_the_same_file_twice_changes_nothing_the_second_time() {
    let src = demo();
    let file = export(&src, &admin(&src));
    let mut dst = same_directory(&src);
    let actor = admin(&dst);
    apply(&mut dst, &actor, &file).expect("the first apply");
    let again = plan(&dst, &actor, &file);
    assert!(again.is_empty(), "the second plan: {:#?}", again.lines());
    assert!(again.commands.is_empty());
    // On the source itself the export is already true.
    assert!(plan(&src, &admin(&src), &file).is_empty());
}

#[test]
fn a_plan_lists_a_created_a_changed_with_old_and_new_and_a_deleted_object() {
    let t = demo();
    let actor = admin(&t);
    let file = export(&t, &actor);
    let edited = edit(&file, |v| {
        let cat = catalog_mut(v, "Finance");
        let pkgs = cat["accessPackages"].as_array_mut().expect("packages");
        let mut new = pkgs[0].clone();
        new["displayName"] = "Audit Evidence".into();
        new["incompatibleAccessPackages"] = Value::Array(vec![]);
        new["assignmentPolicies"] = Value::Array(vec![]);
        pkgs[0]["isHidden"] = true.into();
        pkgs[0]["incompatibleAccessPackages"] = Value::Array(vec![]);
        pkgs[0]["assignmentPolicies"][0]["requestApprovalSettings"]["stages"][0]["durationBeforeAutomaticDenial"] =
            "P10D".into();
        pkgs.push(new);
        let roles = catalog_mut(v, "Roles")["accessPackages"].as_array_mut().expect("packages");
        roles.retain(|p| p["displayName"] != "Sales Representative");
    });
    let p = plan(&t, &actor, &edited);
    assert!(p.errors.is_empty(), "{:#?}", p.errors);
    let find = |kind: ObjectKind, object: &str| {
        p.changes.iter().find(|c| c.kind == kind && c.object == object).unwrap_or_else(|| panic!("{object}: {p:#?}"))
    };
    let created = find(ObjectKind::AccessPackage, "Finance / Audit Evidence");
    assert_eq!(created.action, Action::Create);
    assert!(
        created
            .properties
            .iter()
            .any(|x| x.property == "displayName" && x.new == Some(serde_json::json!("Audit Evidence")))
    );
    let hidden = find(ObjectKind::AccessPackage, "Finance / SOX Finance Reporting");
    assert_eq!(hidden.action, Action::Change);
    let prop = hidden.properties.iter().find(|x| x.property == "isHidden").expect("isHidden changes");
    assert_eq!((prop.old.clone(), prop.new.clone()), (Some(false.into()), Some(true.into())));
    let pol =
        find(ObjectKind::AssignmentPolicy, "Finance / SOX Finance Reporting / Employees (manager, then compliance)");
    let stage = pol
        .properties
        .iter()
        .find(|x| x.property == "requestApprovalSettings.stages[0].durationBeforeAutomaticDenial")
        .expect("the stage's timeout changes");
    assert_eq!((stage.old.clone(), stage.new.clone()), (Some("P7D".into()), Some("P10D".into())));
    let gone = find(ObjectKind::AccessPackage, "Roles / Sales Representative");
    assert_eq!(gone.action, Action::Delete);
    // The domain allows it, and says what becomes of the assignments.
    assert!(gone.note.as_deref().is_some_and(|n| n.contains("run to their end")), "{gone:?}");
    // The SOX package no longer lists it as incompatible: one more property of the same change.
    assert!(hidden.properties.iter().any(|x| x.property == "incompatibleAccessPackages"), "{hidden:?}");
    assert_eq!(p.changes.len(), 4, "{:#?}", p.lines());
    // Applied, the same file plans nothing more.
    let mut t = t;
    apply(&mut t, &actor, &edited).expect("applies");
    assert!(plan(&t, &actor, &edited).is_empty(), "{:#?}", plan(&t, &actor, &edited).lines());
}

#[test]
fn a_file_that_deletes_a_package_another_still_names_as_incompatible_is_an_error() {
    let t = demo();
    let actor = admin(&t);
    let file = export(&t, &actor);
    let edited = edit(&file, |v| {
        let roles = catalog_mut(v, "Roles")["accessPackages"].as_array_mut().expect("packages");
        roles.retain(|p| p["displayName"] != "Sales Representative");
    });
    let p = plan(&t, &actor, &edited);
    assert_eq!(p.errors.len(), 1, "{:#?}", p.lines());
    let e = &p.errors[0];
    assert_eq!((e.kind, e.object.as_str()), (ObjectKind::AccessPackage, "Finance / SOX Finance Reporting"));
    assert!(e.message.contains("'Sales Representative', which this file deletes"), "{}", e.message);
}

#[test]
fn an_unknown_approver_or_a_timeout_out_of_range_is_an_error_naming_the_object_and_nothing_applies() {
    let mut t = demo();
    let actor = admin(&t);
    let file = export(&t, &actor);
    let before = serde_json::to_string(&t).expect("JSON");
    // A timeout past 30 days: the policy's range refuses it.
    let long = edit(&file, |v| stage_mut(v)["durationBeforeAutomaticDenial"] = "P45D".into());
    let p = plan(&t, &actor, &long);
    assert_eq!(p.errors.len(), 1, "{:#?}", p.errors);
    let err = apply(&mut t, &actor, &long).expect_err("refused");
    match &err {
        DomainError::Config { object, refusal } => {
            assert!(object.contains("Employees (manager, then compliance)"), "{object}");
            assert!(matches!(**refusal, DomainError::OutOfRange { .. }), "{refusal:?}");
        }
        other => panic!("not a configuration error: {other:?}"),
    }
    assert!(err.to_string().contains("30"), "the message gives the range: {err}");
    assert_eq!(serde_json::to_string(&t).expect("JSON"), before, "nothing was applied");

    // An approver nobody in the directory has.
    let unknown = edit(&file, |v| stage_mut(v)["primaryApprovers"][0]["userId"] = "nobody@nowhere.example".into());
    let err = apply(&mut t, &actor, &unknown).expect_err("refused");
    assert!(matches!(&err, DomainError::Config { refusal, .. } if matches!(**refusal, DomainError::NotFound(_))));
    assert!(err.to_string().contains("nobody@nowhere.example"), "{err}");
    assert_eq!(serde_json::to_string(&t).expect("JSON"), before, "nothing was applied");
}

#[test]
fn one_refused_command_in_the_batch_undoes_the_ones_before_it() {
    let mut t = demo();
    let actor = admin(&t);
    let before = serde_json::to_string(&t).expect("JSON");
    let commands = vec![
        Command::CreateCatalog {
            spec: CatalogSpec {
                display_name: "Scratch".into(),
                description: String::new(),
                enabled: true,
                external: false,
            },
        },
        Command::DeleteOrg { org: OrgId(u64::MAX) },
    ];
    let err = run(&mut t, &actor, Command::ApplyConfig { commands }).expect_err("the second is refused");
    assert!(matches!(&err, DomainError::Config { object, .. } if object == "change 2 of 2"), "{err:?}");
    assert_eq!(serde_json::to_string(&t).expect("JSON"), before, "the catalog was not kept");
    // Requests and clock moves are not configuration.
    let tick = Command::ApplyConfig { commands: vec![Command::Tick] };
    assert!(matches!(run(&mut t, &actor, tick), Err(DomainError::Invalid(_))));
}

#[test]
fn the_export_is_in_graph_shape_with_iso_8601_durations() {
    let t = demo();
    let file = export(&t, &admin(&t));
    let v: Value = serde_json::from_str(&file.to_text()).expect("JSON");
    let cat = v["catalogs"].as_array().and_then(|c| c.iter().find(|c| c["displayName"] == "Finance")).expect("Finance");
    assert_eq!(cat["state"], "published");
    assert!(cat["isExternallyVisible"].is_boolean());
    let pkg = &cat["accessPackages"][0];
    assert_eq!(pkg["resourceRoleScopes"][0]["role"]["resource"]["originSystem"], "AadGroup");
    let pol = &pkg["assignmentPolicies"][0];
    // accessPackageAssignmentPolicy's documented properties.
    for key in [
        "displayName",
        "description",
        "allowedTargetScope",
        "specificAllowedTargets",
        "automaticRequestSettings",
        "expiration",
        "requestorSettings",
        "requestApprovalSettings",
        "reviewSettings",
        "questions",
        "customExtensionStageSettings",
    ] {
        assert!(pol.get(key).is_some(), "the policy has no {key}: {pol}");
    }
    assert_eq!(pol["allowedTargetScope"], "allMemberUsers");
    assert_eq!(pol["expiration"]["type"], "afterDuration");
    assert_eq!(pol["expiration"]["duration"], "P90D");
    let stage = &pol["requestApprovalSettings"]["stages"][0];
    assert_eq!(stage["durationBeforeAutomaticDenial"], "P7D");
    assert_eq!(stage["primaryApprovers"][0]["@odata.type"], "#microsoft.graph.requestorManager");
    assert_eq!(pol["reviewSettings"]["expirationBehavior"], "removeAccess");
    assert_eq!(pol["reviewSettings"]["schedule"]["expiration"]["duration"], "P14D");
    // Every duration anywhere in the file is ISO 8601.
    let mut durations = vec![];
    collect(&v, &mut durations);
    assert!(durations.len() > 10, "{durations:?}");
    for d in &durations {
        let ok = d.starts_with('P')
            && (d[1..].strip_suffix('D').is_some_and(|n| n.parse::<u32>().is_ok())
                || d[1..].strip_prefix('T').is_some_and(|x| x.len() > 1 && x[..x.len() - 1].parse::<u32>().is_ok()));
        assert!(ok, "{d} is not ISO 8601");
    }
    // A policy reads back as a policy.
    let _: GraphPolicy = serde_json::from_value(pol.clone()).expect("a Graph policy");
    // No internal id anywhere: directory objects go by email or name.
    assert!(!file.to_text().contains("\"u1"), "an internal user id leaked");
}

/// The values of every key named like a Graph duration.
fn collect(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let is_duration =
                    k == "duration" || k.starts_with("durationBefore") || k == "gracePeriodBeforeAccessRemoval";
                match x {
                    Value::String(s) if is_duration => out.push(s.clone()),
                    _ => collect(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
        _ => {}
    }
}

#[test]
fn only_a_global_administrator_may_export_plan_or_apply() {
    let mut t = demo();
    let file = export(&t, &admin(&t));
    let member =
        t.users.values().find(|u| !u.global_admin && u.is_active()).map(|u| Actor::user(u.id)).expect("a member");
    assert!(matches!(t.export_config(&member, None), Err(DomainError::Forbidden(_))));
    assert!(matches!(t.plan_config(&member, &file), Err(DomainError::Forbidden(_))));
    let commands =
        plan(&t, &admin(&t), &edit(&file, |v| catalog_mut(v, "Finance")["description"] = "x".into())).commands;
    assert_eq!(commands.len(), 1);
    let err = run(&mut t, &member, Command::ApplyConfig { commands }).expect_err("refused");
    assert!(matches!(err, DomainError::Forbidden(_)), "{err:?}");
}

#[test]
fn a_journaled_batch_that_todays_ranges_refuse_still_replays() {
    let mut t = demo();
    let actor = admin(&t);
    let pol = t.policies.values().find(|p| !p.spec.stages.is_empty()).expect("a policy with approval");
    let (policy, mut spec) = (pol.id, pol.spec.clone());
    spec.stages[0].timeout_days = 45;
    let command = Command::ApplyConfig { commands: vec![Command::UpdatePolicy { policy, spec }] };
    let entry = Entry { at: t.clock.now, actor, command };
    // Refused today, with the range's own error (what replaying looks for)...
    assert!(matches!(t.clone().apply(&entry), Err(DomainError::OutOfRange { .. })));
    // ...and read back from a journal written under wider ranges, it still applies.
    t.replay(&entry).expect("replayed");
    assert_eq!(t.policies.get(&policy).map(|p| p.spec.stages[0].timeout_days), Some(45));
}

#[test]
fn a_file_of_another_format_or_with_a_catalog_twice_is_refused_before_any_plan() {
    let t = demo();
    let actor = admin(&t);
    let file = export(&t, &actor);
    let newer = edit(&file, |v| v["entitle"]["format"] = 2.into());
    assert!(matches!(t.plan_config(&actor, &newer), Err(DomainError::Invalid(m)) if m.contains("format 2")));
    let twice = edit(&file, |v| {
        let cats = v["catalogs"].as_array_mut().expect("catalogs");
        let first = cats[0].clone();
        cats.push(first);
    });
    assert!(matches!(t.plan_config(&actor, &twice), Err(DomainError::Invalid(m)) if m.contains("two catalogs")));
    let scoped = edit(&file, |v| v["entitle"]["scope"] = "catalog".into());
    assert!(
        matches!(t.plan_config(&actor, &scoped), Err(DomainError::Invalid(m)) if m.contains("exactly one catalog"))
    );
}
