//! The calls of custom extensions: queued as state by the commit in which their stage happens
//! (so that a crash between the commit and the call loses none), taken by a runner outside the
//! domain (`ClaimCallout`), made after the commit with the store's lock released, and their
//! outcome recorded by a command of its own (`RecordCallout`). A request that waits for an
//! extension [callbackConfiguration] stays `waitingForCallback` until the answer, or its
//! deadline on the in-app clock, decides it.

use serde::{Deserialize, Serialize};
use strum::Display;

use super::Time;
use super::bounds::{self, Field};
use super::command::{Outcome, done};
use super::error::DomainResult;
use super::extension_event::Happened;
use super::extensions::{ExtensionRefusal, ExtensionStage, refused};
use super::flow::RequestState;
use super::ids::*;
use super::rights::Actor;
use super::serde_util::{secs, secs_opt};
use super::tenant::Tenant;
use super::timers::{Fired, Timer};

/// The most of a call's stdout and of its stderr the audit log keeps, in characters.
pub const OUTPUT_CHARS: usize = 2000;
/// A call taken by a runner is taken again by another only this long after its own timeout
/// (the first runner died, say), by the wall clock.
pub const CLAIM_GRACE_SECONDS: i64 = 60;

/// One call to make [a custom extension stage instance].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Callout {
    pub id: CalloutId,
    pub extension: ExtensionId,
    pub stage: ExtensionStage,
    pub policy: PolicyId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment: Option<AssignmentId>,
    /// The request waits for this call's answer until `deadline` (in-app time).
    #[serde(default, with = "secs_opt", skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Time>,
    #[serde(with = "secs")]
    pub queued_at: Time,
    /// The command line and timeout as they were when the stage happened.
    pub program: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arguments: Vec<String>,
    pub timeout_seconds: u32,
    /// The event, as JSON: what the program reads on its stdin.
    pub event: String,
    /// When (wall clock) a runner took it.
    #[serde(default, with = "secs_opt", skip_serializing_if = "Option::is_none")]
    pub claimed: Option<Time>,
}

impl Callout {
    pub fn waits(&self) -> bool {
        self.deadline.is_some()
    }
}

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Display)]
#[serde(rename_all = "camelCase")]
#[strum(serialize_all = "camelCase")]
pub enum CalloutStatus {
    /// Exit status 0.
    Succeeded,
    /// Another exit status, or ended by a signal.
    Failed,
    /// Killed at its timeout.
    TimedOut,
    /// The program could not be started (not found, not executable).
    NotStarted,
}

/// What an extension waited for answered [accessPackageAssignmentRequestCallbackData.state].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum CallbackAnswer {
    /// No state: the request goes on.
    Continue {
        #[serde(default, skip_serializing_if = "String::is_empty")]
        detail: String,
    },
    Denied {
        #[serde(default, skip_serializing_if = "String::is_empty")]
        detail: String,
    },
    Canceled {
        #[serde(default, skip_serializing_if = "String::is_empty")]
        detail: String,
    },
}

/// A call's outcome, as the runner saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CalloutResult {
    pub status: CalloutStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    pub duration_ms: u64,
    /// The start of its stdout and stderr (see [`excerpt`]).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub stdout: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub stderr: String,
    /// The resume payload it printed, for a call a request waits for (see [`parse_answer`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<CallbackAnswer>,
}

/// The start of an output as text to keep: at most [`OUTPUT_CHARS`] characters, invalid UTF-8
/// replaced, control characters other than newline and tab shown as `?`.
pub fn excerpt(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .chars()
        .take(OUTPUT_CHARS)
        .map(|c| if c.is_control() && c != '\n' && c != '\t' { '?' } else { c })
        .collect()
}

/// The answer in a call's stdout: the resume payload [accessPackageAssignmentRequest: resume],
/// the whole output or its last line that is JSON:
/// `{"type": "microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestCreated",
///   "data": {"stage": "assignmentRequestCreated", "customExtensionStageInstanceId": "call12",
///   "customExtensionStageInstanceDetail": "why", "state": "denied"}}`.
/// No `state` lets the request go on; `denied` denies it, `canceled` cancels it. A payload for
/// another call or stage, or with another state, is no answer.
pub fn parse_answer(stdout: &str, call: CalloutId) -> Option<CallbackAnswer> {
    let whole = serde_json::from_str::<serde_json::Value>(stdout.trim()).ok();
    let value = whole.or_else(|| stdout.lines().rev().find_map(|l| serde_json::from_str(l.trim()).ok()))?;
    let data = value.get("data")?;
    let text = |k: &str| data.get(k).and_then(|v| v.as_str());
    if text("stage").is_some_and(|s| !s.eq_ignore_ascii_case("assignmentRequestCreated")) {
        return None;
    }
    if text("customExtensionStageInstanceId").is_some_and(|s| s != call.to_string()) {
        return None;
    }
    let detail = text("customExtensionStageInstanceDetail").map(excerpt_str).unwrap_or_default();
    match text("state").map(str::to_ascii_lowercase).as_deref() {
        None => Some(CallbackAnswer::Continue { detail }),
        Some("denied") => Some(CallbackAnswer::Denied { detail }),
        Some("canceled") => Some(CallbackAnswer::Canceled { detail }),
        Some(_) => None,
    }
}

fn excerpt_str(s: &str) -> String {
    excerpt(s.as_bytes())
}

fn check_result(r: &CalloutResult) -> DomainResult<()> {
    bounds::check_text(Field::ExtensionOutput, &r.stdout, OUTPUT_CHARS)?;
    bounds::check_text(Field::ExtensionOutput, &r.stderr, OUTPUT_CHARS)?;
    if let Some(
        CallbackAnswer::Continue { detail } | CallbackAnswer::Denied { detail } | CallbackAnswer::Canceled { detail },
    ) = &r.answer
    {
        bounds::check_text(Field::ExtensionOutput, detail, OUTPUT_CHARS)?;
    }
    Ok(())
}

/// The audit event's record of a call.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Made<'a> {
    call: CalloutId,
    extension: ExtensionId,
    stage: ExtensionStage,
    #[serde(skip_serializing_if = "Option::is_none")]
    request: Option<RequestId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    assignment: Option<AssignmentId>,
    #[serde(flatten)]
    result: &'a CalloutResult,
}

impl Tenant {
    /// The calls not yet made, oldest first.
    pub fn pending_callouts(&self) -> impl Iterator<Item = &Callout> {
        self.callouts.values()
    }

    fn ext_call(&self, id: CalloutId) -> DomainResult<&Callout> {
        self.callouts.get(&id).ok_or_else(|| {
            refused(ExtensionRefusal::CallGone, format!("Call {id} was made already: its outcome is in the audit log"))
        })
    }

    /// A runner takes a call before making it (`wall`: its wall clock), so that no other runner
    /// makes it too; a call taken longer ago than its timeout and a grace is free again.
    pub(crate) fn cmd_claim_callout(&mut self, actor: &Actor, id: CalloutId, wall: Time) -> DomainResult<Outcome> {
        self.require_admin(actor, "run custom extensions")?;
        let call = self.ext_call(id)?;
        let grace = i64::from(call.timeout_seconds).saturating_add(CLAIM_GRACE_SECONDS);
        let busy_until = |c: Time| chrono::TimeDelta::try_seconds(grace).and_then(|d| c.checked_add_signed(d));
        if let Some(c) = call.claimed
            && busy_until(c).is_none_or(|until| wall < until)
        {
            return Err(refused(
                ExtensionRefusal::CallRunning,
                format!("Call {id} is being made by another entitle: its outcome will be in the audit log"),
            ));
        }
        if let Some(c) = self.callouts.get_mut(&id) {
            c.claimed = Some(wall);
        }
        done(format!("Call {id} taken"))
    }

    /// A call's outcome, into the audit log; the answer of one a request waits for decides it
    /// (no answer denies it).
    pub(crate) fn cmd_record_callout(
        &mut self,
        actor: &Actor,
        id: CalloutId,
        result: &CalloutResult,
    ) -> DomainResult<Outcome> {
        self.require_admin(actor, "record a custom extension's outcome")?;
        self.within(check_result(result))?;
        let call = self.ext_call(id)?.clone();
        self.callouts.remove(&id);
        let name = self
            .extensions
            .get(&call.extension)
            .map_or_else(|| call.extension.to_string(), |e| e.spec.display_name.clone());
        let how = match (result.status, result.exit_code) {
            (CalloutStatus::Succeeded, _) => "succeeded".to_string(),
            (CalloutStatus::Failed, Some(code)) => format!("failed with exit status {code}"),
            (CalloutStatus::Failed, None) => "failed (ended by a signal)".to_string(),
            (CalloutStatus::TimedOut, _) => format!("timed out after {} s and was stopped", call.timeout_seconds),
            (CalloutStatus::NotStarted, _) => "could not be started".to_string(),
        };
        let on = call.request.map(|r| r.to_string()).or(call.assignment.map(|a| a.to_string())).unwrap_or_default();
        let summary = format!("Custom extension '{name}' at {} for {on} {how} ({} ms)", call.stage, result.duration_ms);
        let made = Made {
            call: id,
            extension: call.extension,
            stage: call.stage,
            request: call.request,
            assignment: call.assignment,
            result,
        };
        let activity = match result.status {
            CalloutStatus::Succeeded => "customExtension.calloutSucceeded",
            CalloutStatus::TimedOut => "customExtension.calloutTimedOut",
            CalloutStatus::Failed | CalloutStatus::NotStarted => "customExtension.calloutFailed",
        };
        // Filed under the extension, so that its catalog's role holders read it.
        self.audit_change(actor, activity, call.extension, &summary, None, Some(&made));
        if let Some(req) = call.request.filter(|_| call.waits()) {
            self.answer_waiting(req, &name, result);
        }
        done(summary)
    }

    /// A request waiting for `name`'s answer goes on, or is denied or canceled.
    fn answer_waiting(&mut self, id: RequestId, name: &str, result: &CalloutResult) {
        if self.requests.get(&id).is_none_or(|r| r.state != RequestState::WaitingForCallback) {
            return;
        }
        match &result.answer {
            Some(CallbackAnswer::Continue { detail }) => {
                self.set_request_state(id, RequestState::Submitted);
                self.push_history(id, with_detail(format!("Custom extension '{name}' let it go on"), detail));
                self.route(id);
            }
            Some(CallbackAnswer::Canceled { detail }) => {
                let history = with_detail(format!("Canceled by custom extension '{name}'"), detail);
                self.cancel_request(&Actor::System, id, history, format!("Custom extension '{name}' canceled {id}"));
            }
            Some(CallbackAnswer::Denied { detail }) => {
                self.deny_by_system(id, with_detail(format!("Denied by custom extension '{name}'"), detail));
            }
            None => {
                let why = match result.status {
                    CalloutStatus::Succeeded => "gave no answer",
                    CalloutStatus::Failed => "failed",
                    CalloutStatus::TimedOut => "timed out",
                    CalloutStatus::NotStarted => "could not be started",
                };
                self.deny_by_system(id, format!("Denied: custom extension '{name}' {why}"));
            }
        }
    }

    /// When a waiting request's wait ends (in-app time), if it waits.
    pub(crate) fn callback_deadline(&self, id: RequestId) -> Option<Time> {
        if self.requests.get(&id)?.state != RequestState::WaitingForCallback {
            return None;
        }
        self.callouts.values().find(|c| c.request == Some(id)).and_then(|c| c.deadline)
    }

    /// Every waiting request's deadline (for the timers a load schedules).
    pub(crate) fn callback_deadlines(&self) -> Vec<(Time, RequestId)> {
        self.callouts
            .values()
            .filter_map(|c| Some((c.deadline?, c.request?)))
            .filter(|(at, r)| self.callback_deadline(*r) == Some(*at))
            .collect()
    }

    /// The in-app clock passed a waiting request's deadline: denied, and its call dropped.
    pub(crate) fn fire_callback_timeout(&mut self, t: Time, id: RequestId, fired: &mut Fired) {
        if self.callback_deadline(id) != Some(t) {
            return;
        }
        let calls: Vec<CalloutId> =
            self.callouts.values().filter(|c| c.request == Some(id) && c.waits()).map(|c| c.id).collect();
        let mut name = String::new();
        for c in calls {
            if let Some(call) = self.callouts.remove(&c) {
                name = self.extensions.get(&call.extension).map(|e| e.spec.display_name.clone()).unwrap_or_default();
                let summary = format!("Custom extension '{name}' gave no answer for {id} before its deadline");
                self.audit(&Actor::System, "customExtension.callbackTimedOut", call.extension, summary);
            }
        }
        self.deny_by_system(id, format!("Denied: no answer from custom extension '{name}' in time"));
        fired.timed_out = fired.timed_out.saturating_add(1);
    }

    /// Queue the calls `stage` makes for a policy; the waiting one's deadline is set. Returns
    /// whether the request waits.
    fn queue_callouts(&mut self, at: Happened) -> bool {
        let Happened { stage, policy, request, assignment } = at;
        let Some(pol) = self.policies.get(&policy) else { return false };
        let exts: Vec<ExtensionId> = pol
            .spec
            .custom_extension_stage_settings
            .iter()
            .filter(|s| s.stage == stage)
            .map(|s| s.custom_extension)
            .collect();
        let mut waits = false;
        for ext_id in exts {
            let Some(ext) = self.extensions.get(&ext_id).cloned() else { continue };
            let now = self.clock.now;
            let wait =
                ext.spec.wait_for_callback && stage == ExtensionStage::AssignmentRequestCreated && request.is_some();
            let deadline = if wait { super::clock::plus_secs(now, i64::from(ext.spec.timeout_seconds)) } else { None };
            let id = CalloutId(self.alloc());
            let event = self.event_json(id, at, &ext, deadline.is_some());
            let call = Callout {
                id,
                extension: ext_id,
                stage,
                policy,
                request,
                assignment,
                deadline,
                queued_at: now,
                program: ext.spec.program.clone(),
                arguments: ext.spec.arguments.clone(),
                timeout_seconds: ext.spec.timeout_seconds,
                event,
                claimed: None,
            };
            if let (Some(at), Some(r)) = (deadline, request) {
                self.add_timer(at, Timer::CallbackTimeout(r));
                waits = true;
            }
            self.callouts.insert(id, call);
        }
        waits
    }

    /// A request was created: its calls are queued; `true` when it waits for one (its state
    /// is then `waitingForCallback`, and it is routed when the answer comes).
    pub(crate) fn request_created_callouts(&mut self, id: RequestId) -> bool {
        let Some(policy) = self.requests.get(&id).map(|r| r.policy).filter(|_| !self.extensions.is_empty()) else {
            return false;
        };
        let at =
            Happened { stage: ExtensionStage::AssignmentRequestCreated, policy, request: Some(id), assignment: None };
        if !self.queue_callouts(at) {
            return false;
        }
        self.set_request_state(id, RequestState::WaitingForCallback);
        let names: Vec<String> = self
            .callouts
            .values()
            .filter(|c| c.request == Some(id) && c.waits())
            .filter_map(|c| self.extensions.get(&c.extension).map(|e| format!("'{}'", e.spec.display_name)))
            .collect();
        self.push_history(id, format!("Waiting for custom extension {}", names.join(", ")));
        true
    }

    /// A request's approval completed.
    pub(crate) fn request_approved_callouts(&mut self, id: RequestId) {
        if self.extensions.is_empty() {
            return;
        }
        if let Some(policy) = self.requests.get(&id).map(|r| r.policy) {
            let stage = ExtensionStage::AssignmentRequestApproved;
            self.queue_callouts(Happened { stage, policy, request: Some(id), assignment: None });
        }
    }

    /// An assignment was granted or removed, or will expire soon.
    pub(crate) fn assignment_callouts(&mut self, stage: ExtensionStage, aid: AssignmentId) {
        if self.extensions.is_empty() {
            return;
        }
        if let Some((policy, request)) = self.assignments.get(&aid).map(|a| (a.policy, a.request)) {
            let request = Some(request).filter(|r| self.requests.contains_key(r));
            self.queue_callouts(Happened { stage, policy, request, assignment: Some(aid) });
        }
    }

    /// The expiry notice `days` before an assignment's end went out.
    pub(crate) fn before_expiry_callouts(&mut self, aid: AssignmentId, days: u32) {
        if let Some(stage) = ExtensionStage::before_expiry(days).filter(|_| !self.extensions.is_empty()) {
            self.assignment_callouts(stage, aid);
        }
    }
}

fn with_detail(text: String, detail: &str) -> String {
    if detail.trim().is_empty() { text } else { format!("{text}: {detail}") }
}
