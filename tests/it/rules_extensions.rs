//! Custom extensions [accessPackageAssignmentRequestWorkflowExtension] in the domain: the
//! catalog's registry and its typed refusals, the stage settings of a policy, the calls each
//! stage queues (as state, after which a runner makes them), and a request that waits for an
//! extension's answer: let go on, denied, or denied when the in-app clock passes its deadline.

use crate::common;

use chrono::Duration;
use common::*;
use entitle::domain::extension_calls::{CallbackAnswer, CalloutResult, CalloutStatus, parse_answer};
use entitle::domain::extensions::{ExtensionRefusal, ExtensionSpec, ExtensionStage, StageSetting};
use entitle::domain::*;

struct Setup {
    cat: CatalogId,
    pkg: PackageId,
    pol: PolicyId,
    ext: ExtensionId,
}

fn spec(name: &str, wait: bool) -> ExtensionSpec {
    let mut s = ExtensionSpec::new(name, "tee", vec!["-a".into(), "/tmp/events".into()]);
    s.wait_for_callback = wait;
    s.timeout_seconds = 60;
    s
}

fn add(w: &mut World, cat: CatalogId, s: ExtensionSpec) -> ExtensionId {
    let o = w.sys(Command::AddExtension { catalog: cat, spec: s });
    o.created.and_then(|c| c.extension()).expect("an extension id")
}

fn at(stage: ExtensionStage, ext: ExtensionId) -> StageSetting {
    StageSetting { stage, custom_extension: ext }
}

/// A catalog with one package whose policy (members, no approval) calls `ext` at `stage`.
fn setup(wait: bool, stage: ExtensionStage) -> (World, Setup) {
    let mut w = World::new();
    let cat = w.catalog("Sales");
    let pkg = w.package(cat, "CRM");
    let ext = add(&mut w, cat, spec("Check", wait));
    let mut p = members_policy("Members");
    p.custom_extension_stage_settings = vec![at(stage, ext)];
    let pol = w.policy(pkg, p);
    (w, Setup { cat, pkg, pol, ext })
}

fn refusal(e: &DomainError) -> Option<&ExtensionRefusal> {
    match e {
        DomainError::Extension { refusal, .. } => Some(refusal),
        _ => None,
    }
}

fn result(status: CalloutStatus, answer: Option<CallbackAnswer>) -> CalloutResult {
    CalloutResult { status, exit_code: Some(0), duration_ms: 5, stdout: String::new(), stderr: String::new(), answer }
}

fn only_call(w: &World) -> extension_calls::Callout {
    let calls: Vec<_> = w.t.pending_callouts().cloned().collect();
    assert_eq!(calls.len(), 1, "{calls:?}");
    calls.into_iter().next().expect("one call")
}

#[test]
fn the_registry_refuses_duplicates_bad_values_outsiders_and_removal_while_used() {
    let (mut w, s) = setup(false, ExtensionStage::AssignmentRequestGranted);
    // A name is unique in its catalog, whatever its case.
    let e = w.refuse(&sys(), Command::AddExtension { catalog: s.cat, spec: spec("check", false) });
    assert_eq!(refusal(&e), Some(&ExtensionRefusal::NameTaken { extension: s.ext }), "{e}");
    // ...but another catalog may use it.
    let other = w.catalog("Finance");
    add(&mut w, other, spec("Check", false));
    // The timeout has a range, and the refusal names the field.
    let mut slow = spec("Slow", false);
    slow.timeout_seconds = 301;
    let e = w.refuse(&sys(), Command::AddExtension { catalog: s.cat, spec: slow });
    assert_eq!(e.field(), Some(bounds::Field::ExtensionTimeout), "{e}");
    let e =
        w.refuse(&sys(), Command::AddExtension { catalog: s.cat, spec: ExtensionSpec::new("No program", " ", vec![]) });
    assert_eq!(e.field(), Some(bounds::Field::ExtensionProgram), "{e}");
    // Someone without the catalog's ownership may not register programs to run.
    let mallory = w.user("Mallory");
    let e = w.refuse(&u(mallory), Command::AddExtension { catalog: s.cat, spec: spec("Mine", false) });
    assert_eq!(kind(&e), "Forbidden", "{e}");
    // Removal is refused while a policy calls it, naming the policy; allowed once detached.
    let e = w.refuse(&sys(), Command::RemoveExtension { extension: s.ext });
    assert_eq!(refusal(&e), Some(&ExtensionRefusal::InUse { policies: vec![s.pol] }), "{e}");
    assert!(msg(&e).contains("'Members'"), "{e}");
    w.update_policy(s.pol, |p| p.custom_extension_stage_settings.clear());
    w.sys(Command::RemoveExtension { extension: s.ext });
    assert!(!w.t.extensions.contains_key(&s.ext));
    // Each change is audited.
    let acts: Vec<String> = w.t.audit.to_vec().into_iter().map(|e| e.activity).collect();
    assert!(acts.iter().any(|a| a == "customExtension.created") && acts.iter().any(|a| a == "customExtension.deleted"));
}

#[test]
fn a_policy_calls_only_its_catalogs_extensions_and_waits_only_when_a_request_is_created() {
    let (mut w, s) = setup(false, ExtensionStage::AssignmentRequestGranted);
    let finance = w.catalog("Finance");
    let foreign = add(&mut w, finance, spec("Foreign", false));
    let mut p = members_policy("Other");
    p.custom_extension_stage_settings = vec![at(ExtensionStage::AssignmentRequestRemoved, foreign)];
    let e = w.refuse(&sys(), Command::CreatePolicy { package: s.pkg, spec: p });
    assert_eq!(refusal(&e), Some(&ExtensionRefusal::OtherCatalog { extension: foreign, catalog: finance }), "{e}");
    // A waiting extension at a later stage.
    let waits = add(&mut w, s.cat, spec("Gate", true));
    let mut p = members_policy("Other");
    p.custom_extension_stage_settings = vec![at(ExtensionStage::AssignmentRequestApproved, waits)];
    let e = w.refuse(&sys(), Command::CreatePolicy { package: s.pkg, spec: p });
    let later =
        ExtensionRefusal::WaitingAtLaterStage { extension: waits, stage: ExtensionStage::AssignmentRequestApproved };
    assert_eq!(refusal(&e), Some(&later), "{e}");
    // Nor can an extension called at a later stage become one to wait for.
    let e = w.refuse(&sys(), Command::UpdateExtension { extension: s.ext, spec: spec("Check", true) });
    assert!(matches!(refusal(&e), Some(ExtensionRefusal::WaitingAtLaterStage { .. })), "{e}");
    // At "request created" it may.
    w.update_policy(s.pol, |p| {
        p.custom_extension_stage_settings = vec![at(ExtensionStage::AssignmentRequestCreated, waits)]
    });
}

#[test]
fn each_stage_queues_a_call_with_the_event_and_a_recorded_outcome_keeps_the_commit() {
    let (mut w, s) = setup(false, ExtensionStage::AssignmentRequestGranted);
    let ann = w.user("Ann");
    let req = w.request(&u(ann), s.pkg);
    // Delivered at once: the call waits in the queue, made by nobody yet.
    assert_eq!(w.state(req), RequestState::Delivered);
    let call = only_call(&w);
    assert_eq!((call.stage, call.program.as_str()), (ExtensionStage::AssignmentRequestGranted, "tee"));
    let event: serde_json::Value = serde_json::from_str(&call.event).expect("the event is JSON");
    assert_eq!(event["type"], "microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestGranted");
    assert_eq!(event["data"]["target"]["email"], "ann@contoso.com", "{event}");
    assert_eq!(event["data"]["accessPackage"]["displayName"], "CRM");
    assert_eq!(event["data"]["accessPackageAssignment"]["state"], "delivered");
    assert_eq!(event["time"], "2026-01-05T09:00:00Z", "the in-app time");
    // A failure is recorded, and the assignment stays.
    let mut failed = result(CalloutStatus::Failed, None);
    failed.exit_code = Some(1);
    failed.stderr = "oops".into();
    w.sys(Command::RecordCallout { call: call.id, result: failed.clone() });
    assert!(w.active(ann, s.pkg).is_some());
    assert!(w.t.pending_callouts().next().is_none());
    let last = w.t.audit.to_vec().into_iter().last().expect("an event");
    assert_eq!(last.activity, "customExtension.calloutFailed");
    assert_eq!(last.after.as_ref().map(|a| a["exitCode"].clone()), Some(serde_json::json!(1)));
    // A second outcome for the same call is refused, typed.
    let e = w.refuse(&sys(), Command::RecordCallout { call: call.id, result: failed });
    assert_eq!(refusal(&e), Some(&ExtensionRefusal::CallGone));
    // Removal and the notices before expiry queue theirs.
    w.update_policy(s.pol, |p| {
        p.custom_extension_stage_settings = vec![
            at(ExtensionStage::AssignmentRequestRemoved, s.ext),
            at(ExtensionStage::AssignmentOneDayBeforeExpiration, s.ext),
        ]
    });
    let bob = w.user("Bob");
    w.request(&u(bob), s.pkg);
    assert!(w.t.pending_callouts().next().is_none(), "no call at a stage the policy does not call at");
    w.advance(365);
    let stages: Vec<ExtensionStage> = w.t.pending_callouts().map(|c| c.stage).collect();
    assert!(stages.contains(&ExtensionStage::AssignmentOneDayBeforeExpiration), "{stages:?}");
    assert!(stages.contains(&ExtensionStage::AssignmentRequestRemoved), "{stages:?}");
}

#[test]
fn a_runner_takes_a_call_once_until_its_timeout_and_a_grace_have_passed() {
    let (mut w, s) = setup(false, ExtensionStage::AssignmentRequestGranted);
    let ann = w.user("Ann");
    w.request(&u(ann), s.pkg);
    let call = only_call(&w);
    let wall = t0();
    w.sys(Command::ClaimCallout { call: call.id, wall });
    let e = w.refuse(&sys(), Command::ClaimCallout { call: call.id, wall: wall + Duration::seconds(30) });
    assert_eq!(refusal(&e), Some(&ExtensionRefusal::CallRunning));
    // The first runner died: after its timeout (60 s) and the grace, another takes it.
    w.sys(Command::ClaimCallout { call: call.id, wall: wall + Duration::seconds(121) });
    // Only the system (or an administrator) runs and records calls.
    let e = w.refuse(&u(ann), Command::ClaimCallout { call: call.id, wall: wall + Duration::seconds(999) });
    assert_eq!(kind(&e), "Forbidden", "{e}");
}

fn waiting() -> (World, Setup, UserId, RequestId, CalloutId) {
    let (mut w, s) = setup(true, ExtensionStage::AssignmentRequestCreated);
    let ann = w.user("Ann");
    let req = w.request(&u(ann), s.pkg);
    assert_eq!(w.state(req), RequestState::WaitingForCallback);
    assert!(w.active(ann, s.pkg).is_none());
    let call = only_call(&w);
    assert_eq!(call.deadline, Some(t0() + Duration::seconds(60)));
    let event: serde_json::Value = serde_json::from_str(&call.event).expect("JSON");
    assert_eq!(event["data"]["callbackConfiguration"]["durationBeforeTimeout"], "PT60S");
    (w, s, ann, req, call.id)
}

#[test]
fn a_waiting_request_goes_on_when_its_extension_lets_it() {
    let (mut w, s, ann, req, call) = waiting();
    let answer = CallbackAnswer::Continue { detail: "verified".into() };
    w.sys(Command::RecordCallout { call, result: result(CalloutStatus::Succeeded, Some(answer)) });
    assert_eq!(w.state(req), RequestState::Delivered);
    assert!(w.active(ann, s.pkg).is_some());
    assert!(w.req(req).history.iter().any(|h| h.text.contains("let it go on: verified")));
    // Its deadline passing later changes nothing.
    w.advance(1);
    assert!(w.active(ann, s.pkg).is_some());
}

#[test]
fn a_waiting_request_is_denied_by_its_extensions_answer_or_by_no_answer() {
    let (mut w, _, ann, req, call) = waiting();
    let answer = CallbackAnswer::Denied { detail: "fails the SoD check".into() };
    w.sys(Command::RecordCallout { call, result: result(CalloutStatus::Succeeded, Some(answer)) });
    assert_eq!(w.state(req), RequestState::Denied);
    assert!(w.mail(ann, "denied").iter().any(|n| n.body.contains("fails the SoD check")));

    // A call that timed out (or failed, or printed no answer) denies too.
    let (mut w, _, _, req, call) = waiting();
    w.sys(Command::RecordCallout { call, result: result(CalloutStatus::TimedOut, None) });
    assert_eq!(w.state(req), RequestState::Denied);
    assert!(w.req(req).history.iter().any(|h| h.text.contains("timed out")));
}

#[test]
fn a_waiting_request_is_denied_when_the_in_app_clock_passes_its_deadline() {
    let (mut w, _, _, req, call) = waiting();
    // Just before the deadline nothing happens.
    w.advance_by(Duration::seconds(59));
    assert_eq!(w.state(req), RequestState::WaitingForCallback);
    let fired = w.advance_by(Duration::seconds(120));
    assert_eq!(fired.timed_out, 1, "{fired:?}");
    assert_eq!(w.state(req), RequestState::Denied);
    // Its call is dropped: no runner makes it, and a late outcome is refused.
    assert!(w.t.pending_callouts().next().is_none());
    let e = w.refuse(&sys(), Command::RecordCallout { call, result: result(CalloutStatus::Succeeded, None) });
    assert_eq!(refusal(&e), Some(&ExtensionRefusal::CallGone));
}

#[test]
fn a_waiting_request_survives_a_save_and_load_with_its_deadline() {
    let (w, _, _, req, _) = waiting();
    let json = serde_json::to_string(&w.t).expect("saves");
    let mut back: Tenant = serde_json::from_str(&json).expect("loads");
    back.rebuild_indexes();
    assert_eq!(back.next_timer(), Some(t0() + Duration::seconds(60)));
    let late = t0() + Duration::seconds(61);
    back.apply(&Entry { at: late, actor: sys(), command: Command::Tick }).expect("ticks");
    assert_eq!(back.requests.get(&req).map(|r| r.state), None, "finished and out of the live state");
    assert!(back.pending_callouts().next().is_none());
}

#[test]
fn the_answer_is_read_from_the_resume_payload() {
    let call = CalloutId(12);
    let ok = r#"{"data":{"stage":"assignmentRequestCreated","customExtensionStageInstanceId":"call12"}}"#;
    assert_eq!(parse_answer(ok, call), Some(CallbackAnswer::Continue { detail: String::new() }));
    let deny = "checking...\n{\"data\":{\"state\":\"Denied\",\"customExtensionStageInstanceDetail\":\"no\"}}\n";
    assert_eq!(parse_answer(deny, call), Some(CallbackAnswer::Denied { detail: "no".into() }));
    let other = r#"{"data":{"customExtensionStageInstanceId":"call13"}}"#;
    assert_eq!(parse_answer(other, call), None, "an answer for another call");
    assert_eq!(parse_answer(r#"{"data":{"state":"approved!"}}"#, call), None);
    assert_eq!(parse_answer("done", call), None);
}
