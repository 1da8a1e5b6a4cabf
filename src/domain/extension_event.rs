//! The event a custom extension's call sends on its program's stdin: Graph-shaped JSON, one line,
//! built when the stage happens from the objects as they are then, at the in-app time.

use super::Time;
use super::extensions::{CustomExtension, ExtensionStage};
use super::flow::Target;
use super::ids::*;
use super::tenant::Tenant;

/// A stage that happened: for which policy, request and assignment.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Happened {
    pub stage: ExtensionStage,
    pub policy: PolicyId,
    pub request: Option<RequestId>,
    pub assignment: Option<AssignmentId>,
}

impl Tenant {
    fn subject(&self, target: &Target) -> serde_json::Value {
        match target {
            Target::User { user } => {
                let u = self.users.get(user);
                serde_json::json!({
                    "id": user.to_string(),
                    "displayName": u.map(|u| u.display_name.as_str()).unwrap_or_default(),
                    "email": u.map(|u| u.email.as_str()).unwrap_or_default(),
                    "subjectType": "user",
                })
            }
            Target::External { email, display_name, .. } => serde_json::json!({
                "displayName": display_name,
                "email": email,
                "subjectType": "notYetInDirectory",
            }),
        }
    }

    /// The event a call sends, Graph-shaped: the stage, the request and the assignment as they
    /// are, the package, its catalog, the policy and the person, at the in-app time.
    pub(crate) fn event_json(&self, id: CalloutId, at: Happened, ext: &CustomExtension, waits: bool) -> String {
        let Happened { stage, policy, request, assignment } = at;
        use serde_json::{Value, json};
        let time = |t: Time| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let pol = self.policies.get(&policy);
        let pkg = pol.and_then(|p| self.packages.get(&p.package));
        let cat = pkg.and_then(|p| self.catalogs.get(&p.catalog));
        let req = request.and_then(|r| self.requests.get(&r));
        let asg = assignment.and_then(|a| self.assignments.get(&a));
        let mut data = json!({
            "stage": stage,
            "customExtensionStageInstanceId": id.to_string(),
            "customExtensionStageInstanceDetail": stage.label(),
            "customExtension": { "id": ext.id.to_string(), "displayName": ext.spec.display_name },
            "accessPackage": pkg.map_or(Value::Null, |p| json!({
                "id": p.id.to_string(), "displayName": p.display_name, "description": p.description })),
            "accessPackageCatalog": cat.map_or(Value::Null, |c| json!({ "id": c.id.to_string(), "displayName": c.display_name })),
            "assignmentPolicy": pol.map_or(Value::Null, |p| json!({ "id": p.id.to_string(), "displayName": p.spec.display_name })),
        });
        let Some(obj) = data.as_object_mut() else { return String::new() };
        if let Some(r) = req {
            obj.insert(
                "accessPackageAssignmentRequest".into(),
                json!({
                    "id": r.id.to_string(),
                    "requestType": r.request_type,
                    "state": r.state,
                    "createdDateTime": time(r.created_at),
                    "justification": r.justification,
                    "requestor": r.requestor.map_or(Value::Null, |u| self.subject(&Target::User { user: u })),
                }),
            );
            obj.insert("target".into(), self.subject(&r.target));
        }
        if let Some(a) = asg {
            obj.insert(
                "accessPackageAssignment".into(),
                json!({
                    "id": a.id.to_string(),
                    "state": a.state,
                    "schedule": { "startDateTime": time(a.start), "expiration": { "endDateTime": a.end.map(time) } },
                }),
            );
            obj.insert("target".into(), self.subject(&Target::User { user: a.target }));
        }
        if waits {
            let timeout = format!("PT{}S", ext.spec.timeout_seconds);
            obj.insert("callbackConfiguration".into(), json!({ "durationBeforeTimeout": timeout }));
        }
        let event = json!({
            "id": id.to_string(),
            "source": format!("entitle/{}", self.display_name),
            "type": format!("microsoft.graph.accessPackageCustomExtensionStage.{stage}"),
            "time": time(self.clock.now),
            "datacontenttype": "application/json",
            "data": data,
        });
        // One line each: a program that appends events to a file keeps them one to a line.
        let mut line = event.to_string();
        line.push('\n');
        line
    }
}
