//! A policy's numbers, dates and texts against their ranges (see `bounds`): stages and their
//! timeouts, escalation before the timeout, how long assignments last, the questions, and a review
//! that fits inside its recurrence and within the assignments' lifetime. The rules that are not
//! ranges (approvers, scope, reviewers) are `policy_rules`'.

use super::access::{Expiration, PolicySpec, QuestionKind, ReviewSettings};
use super::bounds::{self, Field, Span};
use super::error::{DomainError, DomainResult};

/// The first value of the spec outside its range.
pub(crate) fn check(spec: &PolicySpec) -> DomainResult<()> {
    match issues(spec).into_iter().next() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Every value of the spec outside its range, each refusal naming its field (`DomainError::field`).
pub(crate) fn issues(spec: &PolicySpec) -> Vec<DomainError> {
    let mut out = Vec::new();
    let mut keep = |r: DomainResult<()>| {
        if let Err(e) = r {
            out.push(e);
        }
    };
    keep(bounds::check_name(Field::Name, &spec.display_name, "A policy"));
    keep(bounds::check_text(Field::Description, &spec.description, bounds::DESCRIPTION_CHARS));
    keep(bounds::STAGES.check(Field::Stages, spec.stages.len() as u64));
    for (i, st) in spec.stages.iter().enumerate() {
        let n = i + 1;
        keep(bounds::STAGE_TIMEOUT_DAYS.check(Field::StageTimeout { stage: n }, st.timeout_days));
        if let Some(e) = &st.escalation {
            keep(check_escalation(n, st.timeout_days, e.after_days));
        }
        if let super::access::Quorum::Count(q) = st.quorum {
            keep(check_quorum(n, st, q));
        }
    }
    keep(match spec.lifecycle.expiration {
        Expiration::AfterDays(d) if !bounds::EXPIRATION_DAYS.contains(d.into()) => {
            Err(bounds::EXPIRATION_DAYS.refusal(Field::ExpirationDays, d.into(), "0 means never"))
        }
        Expiration::AfterHours(h) => bounds::EXPIRATION_HOURS.check(Field::ExpirationHours, h),
        Expiration::OnDate(t) => bounds::check_date(Field::ExpirationDate, t),
        _ => Ok(()),
    });
    check_questions(spec, &mut keep);
    if let Some(r) = &spec.review {
        keep(check_review(r, &spec.lifecycle.expiration));
    }
    out
}

/// A quorum of `q` is in its range, and no more than a stage naming only people names.
fn check_quorum(stage: usize, st: &super::access::ApprovalStage, q: u32) -> DomainResult<()> {
    let field = Field::Quorum { stage };
    bounds::QUORUM.check(field, q)?;
    let named = st.approvers.iter().all(|a| matches!(a, super::access::Approver::User { .. }));
    let people = st.approvers.len();
    if named && usize::try_from(q).is_ok_and(|q| q > people) {
        return Err(bounds::out_of_range(
            field,
            format!(
                "{field}: {q} approvals needed, but the stage names only {people} approver(s); add approvers or need fewer"
            ),
        ));
    }
    Ok(())
}

/// Escalation comes after a day at least and before the stage's timeout.
fn check_escalation(stage: usize, timeout_days: u32, after_days: u32) -> DomainResult<()> {
    let field = Field::Escalation { stage };
    let before = Span::new(1, u64::from(timeout_days.saturating_sub(1)), "days");
    if before.max < before.min {
        return Err(bounds::out_of_range(
            field,
            format!("{field} needs a decision timeout of at least 2 days: it must come before the timeout"),
        ));
    }
    if !before.contains(after_days.into()) {
        let hint = format!("before the {timeout_days}-day timeout");
        return Err(before.refusal(field, after_days.into(), &hint));
    }
    Ok(())
}

/// How many questions, how long their text, how many answers a multiple choice offers.
fn check_questions(spec: &PolicySpec, keep: &mut impl FnMut(DomainResult<()>)) {
    keep(bounds::QUESTIONS.check(Field::Questions, spec.questions.len() as u64));
    for (i, q) in spec.questions.iter().enumerate() {
        keep(bounds::check_text(Field::QuestionText { question: i + 1 }, &q.text, bounds::DESCRIPTION_CHARS));
        if let QuestionKind::Choice { options } = &q.kind {
            let field = Field::QuestionOptions { question: i + 1 };
            // Fewer than two answers is a rule of its own (`policy_rules` says so).
            if options.len() > 1 {
                keep(bounds::CHOICES.check(field, options.len() as u64));
            }
            keep(options.iter().try_for_each(|o| bounds::check_name(field, o, "An answer")));
        }
    }
}

/// A review fits inside its recurrence, starts on a date the tenant keeps, and a review before
/// expiry opens within the assignment's lifetime.
fn check_review(r: &ReviewSettings, expiration: &Expiration) -> DomainResult<()> {
    let span = bounds::review_duration_days(r.frequency);
    if !span.contains(r.duration_days.into()) {
        let hint = format!("a {} review ends before the next one opens", r.frequency);
        return Err(span.refusal(Field::ReviewDuration, r.duration_days.into(), &hint));
    }
    bounds::check_date(Field::ReviewStart, r.starts_on)?;
    let Some(d) = r.before_expiry_days else { return Ok(()) };
    let field = Field::ReviewBeforeExpiry;
    bounds::REVIEW_BEFORE_EXPIRY_DAYS.check(field, d)?;
    let lifetime = match *expiration {
        Expiration::AfterDays(days) if days > 0 => Some(days),
        Expiration::AfterHours(h) => Some(h / 24),
        _ => None,
    };
    match lifetime {
        Some(days) if days < 2 => Err(bounds::out_of_range(
            field,
            format!("{field} needs assignments that last at least 2 days; these {}", expiration.label()),
        )),
        Some(days) if d >= days => {
            let span = Span::new(1, u64::from(days - 1), "days");
            Err(span.refusal(field, d.into(), &format!("less than the assignments' {days}-day lifetime")))
        }
        _ => Ok(()),
    }
}
