//! Requesting a package from My Access: the form (a policy to choose when several let the person
//! ask, the justification, each policy's questions, a start), a package by its link, and the
//! submitted form as the domain's `SubmitRequest`.

use std::collections::BTreeMap;

use chrono::TimeZone;

use super::MyAccess;
use crate::domain::{Actor, Command, Intent, PackageId, PolicyId, Question, QuestionId, QuestionKind, UserId};
use crate::ui::app::Effect;
use crate::ui::ask::Ask;
use crate::ui::ctx::Ctx;
use crate::ui::layers::Layer;
use crate::ui::tabs::lists::Switched;
use crate::ui::widgets::form::{Field, Form};

/// A question of the request form: its field, and the policy and question it answers, asked of
/// the requestor themselves (`for_user` None) or when requesting for a direct report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct QuestionField {
    field: String,
    policy: PolicyId,
    question: QuestionId,
    for_user: Option<UserId>,
}

/// The value of the "For" field that means the requestor themselves.
const MYSELF: &str = "me";

/// A question's field: text or a choice, required or not.
fn question_field(id: String, q: &Question) -> Field {
    let f = match &q.kind {
        QuestionKind::Text => Field::text(id, q.text.clone()),
        QuestionKind::Choice { options } => {
            let mut opts: Vec<String> = vec![];
            if !q.required {
                opts.push(String::new());
            }
            opts.extend(options.iter().cloned());
            Field::choice(id, q.text.clone(), opts)
        }
    };
    if q.required { f.required() } else { f }
}

impl MyAccess {
    /// The direct reports the actor may request this package for, each with the policy it would
    /// go through (the first that allows requests on behalf and includes them): the domain's
    /// answer, as the screen shows only what it would accept.
    fn reports_for(ctx: &Ctx, pkg: PackageId) -> Vec<(UserId, String, PolicyId)> {
        let t = ctx.tenant();
        let Some(me) = ctx.actor().user_id() else { return vec![] };
        let Some(p) = t.packages.get(&pkg) else { return vec![] };
        t.direct_reports(me)
            .into_iter()
            .filter(|r| ctx.refusal(&Intent::RequestFor { package: pkg, target: *r }).is_none())
            .filter_map(|r| {
                let who = t.requester(&Actor::user(r))?;
                let pol = t.policies_of(pkg).find(|x| x.spec.allow_on_behalf && t.policy_admits(p, x, &who))?;
                Some((r, t.user_name(r), pol.id))
            })
            .collect()
    }

    /// Why the request form for a package may not open: the domain's refusal of a request for
    /// oneself, unless the actor may still request it for a direct report (a manager who holds
    /// the package asks for the report), asked through the same rule the command checks.
    pub(super) fn form_refusal(ctx: &Ctx, pkg: PackageId) -> Option<String> {
        let mine = ctx.refusal(&Intent::Request { package: pkg })?;
        Self::reports_for(ctx, pkg).is_empty().then_some(mine)
    }

    /// The request form for a package, and its question fields.
    fn request_form(ctx: &Ctx, pkg: PackageId) -> Option<(Form, Vec<QuestionField>)> {
        let t = ctx.tenant();
        let p = t.packages.get(&pkg)?;
        let pols = t.matching_policies(ctx.actor(), p);
        let reports = Self::reports_for(ctx, pkg);
        let mut questions = Vec::new();
        let mut form = Form::new(Ask::Request(pkg), format!("Request '{}'", p.display_name)).step("Request");
        if !reports.is_empty() {
            let mut opts: Vec<(String, String)> = vec![];
            // Myself only where the domain would take a request for oneself.
            if !pols.is_empty() && ctx.refusal(&Intent::Request { package: pkg }).is_none() {
                opts.push((MYSELF.to_string(), "Myself".to_string()));
            }
            opts.extend(reports.iter().map(|(u, name, _)| (u.to_string(), format!("{name} (your report)"))));
            form = form.field(
                Field::choice("for", "For", opts).help("As their manager, you may request it for a direct report"),
            );
        }
        let for_me = |v: &crate::ui::widgets::form::FormValues| v.choice("for").is_none_or(|f| f == MYSELF);
        if pols.len() > 1 {
            let opts: Vec<(String, String)> =
                pols.iter().map(|p| (p.id.to_string(), p.spec.display_name.clone())).collect();
            form = form.field(
                Field::choice("policy", "Policy", opts)
                    .help("Several policies let you ask; pick the one that fits you")
                    .visible_if(for_me),
            );
        }
        let justification_required = pols.iter().any(|p| p.spec.justification_required)
            || reports.iter().any(|(_, _, pol)| t.policies.get(pol).is_some_and(|p| p.spec.justification_required));
        let mut just = Field::text("justification", "Business justification")
            .help("Why you need it: the approver and the audit log read this");
        if justification_required {
            just = just.required();
        }
        form = form.field(just);
        // Questions of every matching policy, each shown only when its policy (and person) is chosen.
        for pol in &pols {
            let pid = pol.id.to_string();
            let single = pols.len() == 1;
            for q in &pol.spec.questions {
                let id = format!("answer{}", questions.len() + 1);
                questions.push(QuestionField { field: id.clone(), policy: pol.id, question: q.id, for_user: None });
                let pid = pid.clone();
                let f = question_field(id, q)
                    .visible_if(move |v| for_me(v) && (single || v.choice("policy") == Some(pid.as_str())));
                form = form.field(f);
            }
        }
        // The questions of the policy each report would be requested through.
        for (user, _, pol) in &reports {
            let Some(pol) = t.policies.get(pol) else { continue };
            let key = user.to_string();
            for q in &pol.spec.questions {
                let id = format!("answer{}", questions.len() + 1);
                questions.push(QuestionField {
                    field: id.clone(),
                    policy: pol.id,
                    question: q.id,
                    for_user: Some(*user),
                });
                let key = key.clone();
                form = form.field(question_field(id, q).visible_if(move |v| v.choice("for") == Some(key.as_str())));
            }
        }
        form = form.field(
            Field::date("start", "Start (optional)", true).help("Leave empty to start as soon as it is approved"),
        );
        Some((form, questions))
    }

    /// Opens the request form for a package (its questions remembered for the submit).
    pub(super) fn open_request_form(&mut self, ctx: &Ctx, pkg: PackageId) -> Effect {
        match Self::request_form(ctx, pkg) {
            Some((form, questions)) => {
                self.questions = questions;
                Effect::Open(Layer::form(form))
            }
            None => Effect::Reject("That package is gone".into()),
        }
    }

    /// A package by its direct link (the id at its end): hidden packages can be requested this way.
    pub(super) fn open_link(&mut self, ctx: &Ctx, text: &str) -> Effect {
        let t = ctx.tenant();
        let key = text.trim().rsplit(['/', '=']).next().unwrap_or_default();
        let Some(pkg) = key.parse::<PackageId>().ok().and_then(|p| t.packages.get(&p)).filter(|p| !p.is_deleted())
        else {
            return Effect::Reject(format!(
                "No access package '{}': a link ends with the package id, like pk12",
                text.trim()
            ));
        };
        // The domain's answer, as for a package picked from the list.
        let pkg = pkg.id;
        if let Some(why) = Self::form_refusal(ctx, pkg) {
            return Effect::Reject(why);
        }
        self.open_request_form(ctx, pkg)
    }

    pub(super) fn submit_request(
        &mut self,
        ctx: &mut Ctx,
        pkg: PackageId,
        values: &crate::ui::widgets::form::FormValues,
    ) -> Effect {
        let target = match values.choice("for").filter(|f| *f != MYSELF) {
            Some(s) => match s.parse::<UserId>() {
                Ok(u) => Some(u),
                Err(e) => return Effect::Reject(e),
            },
            None => None,
        };
        let policy = match (target, values.choice("policy")) {
            // For a report: the policy the form showed their questions of.
            (Some(t), _) => self.questions.iter().find(|q| q.for_user == Some(t)).map(|q| q.policy),
            (None, Some(s)) => match s.parse::<PolicyId>() {
                Ok(p) => Some(p),
                Err(e) => return Effect::Reject(e),
            },
            (None, None) => None,
        };
        // The answers to the chosen policy's questions (all the form shows when only one fits).
        let mut answers = BTreeMap::new();
        for q in self.questions.iter().filter(|q| q.for_user == target && policy.is_none_or(|p| p == q.policy)) {
            let text = values.text(&q.field);
            if !text.trim().is_empty() {
                answers.insert(q.question, text.to_string());
            }
        }
        let start = values.datetime("start").map(|d| chrono::Utc.from_utc_datetime(&d));
        let justification = values.text("justification").to_string();
        let cmd = match target {
            Some(target) => Command::RequestFor { target, package: pkg, policy, justification, answers, start },
            None => Command::SubmitRequest { package: pkg, policy, justification, answers, start },
        };
        match ctx.run(cmd) {
            Ok(out) => {
                self.questions.clear();
                self.show(super::REQUESTS);
                // The list follows its selection through a change: show the new request instead.
                self.submitted = out.created.and_then(|c| c.request());
                Effect::Batch(vec![Effect::ok(crate::ui::ctx::outcome_text(&out)), Effect::Refresh])
            }
            Err(e) => Effect::Reject(e),
        }
    }
}
