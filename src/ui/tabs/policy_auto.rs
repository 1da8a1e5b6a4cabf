//! The policy editor's automatic assignment: its fields (`automatic`, `auto_rule`, `auto_grace`)
//! both ways, and the preview the editor shows before saving (who gains the package, who loses it
//! after the grace period, who keeps it), worked out by the domain once per submit, never per key.

use crate::domain::auto_assign::{AutoPreview, AutomaticSettings};
use crate::domain::{Expiration, PolicySpec, RequestScope, Tenant, UserId};
use crate::ui::widgets::form::{FormValues, Value};

/// The form fields the engine's automatic-policy issues are shown under.
pub const FIELDS: [&str; 2] = ["auto_rule", "auto_grace"];

/// The values of a spec's automatic settings (a request policy: off, an example rule, no grace).
pub fn values(spec: &PolicySpec) -> [(&'static str, Value); 3] {
    let (on, rule, grace) = match &spec.automatic {
        Some(a) => (true, a.rule.clone(), a.grace_period_hours),
        None => (false, r#"user.department -eq "Sales" -and user.userType -eq "Member""#.to_string(), 0),
    };
    [
        ("automatic", Value::Bool(on)),
        ("auto_rule", Value::Text(rule)),
        ("auto_grace", Value::Number(Some(i64::from(grace)))),
    ]
}

/// Makes `spec` automatic when the values say so, with what an automatic policy is: nobody
/// requests it, no approval, no questions, no review, assignments that never expire. A grace
/// period that cannot be read is noted as `(field, message)`.
pub fn apply(v: &FormValues, spec: &mut PolicySpec, errors: &mut Vec<(String, String)>) {
    if !v.bool("automatic") {
        spec.automatic = None;
        return;
    }
    let grace = match v.number("auto_grace").map(u32::try_from) {
        Some(Ok(h)) => h,
        Some(Err(_)) => {
            errors.push(("auto_grace".into(), "The grace period is out of range".into()));
            0
        }
        None => 0,
    };
    spec.automatic = Some(AutomaticSettings { rule: v.text("auto_rule").to_string(), grace_period_hours: grace });
    spec.scope = RequestScope::AdminOnly;
    spec.stages.clear();
    spec.questions.clear();
    spec.review = None;
    spec.lifecycle.expiration = Expiration::Never;
}

/// The preview in words, with the first names of each list.
pub fn preview_text(t: &Tenant, p: &AutoPreview, grace_hours: u32) -> String {
    let names = |list: &[UserId]| {
        let mut shown: Vec<String> = list.iter().take(5).map(|u| t.user_name(*u)).collect();
        if list.len() > 5 {
            shown.push(format!("{} more", list.len() - 5));
        }
        if shown.is_empty() { String::new() } else { format!(" ({})", shown.join(", ")) }
    };
    format!(
        "Before saving: {} gain it{} · {} lose it after the {grace_hours}-hour grace period{} · {} keep it{}. Submit again to save.",
        p.gains.len(),
        names(&p.gains),
        p.losses.len(),
        names(&p.losses),
        p.keeps.len(),
        names(&p.keeps),
    )
}
