//! Every number, date and text a command can set, with its range, in one place. Each is checked in
//! the domain when it is set, and a refusal names the field (typed: [`Field`]) and tells the range.
//!
//! Graph's bounds where it has them: an approval stage decides in 1 to 30 days, escalation comes
//! before the timeout, assignments last 0 to 3650 days (0: never), at most 3 approval stages, a
//! review fits inside its recurrence. Where Graph is silent the bound is ours and chosen so that no
//! value can make time arithmetic overflow: every date lies between 1970 and the end of year 9999,
//! and every span is at most a few thousand days, so the date of anything the clock schedules stays
//! far inside chrono's range (±262,000 years).

use std::fmt;

use chrono::{TimeDelta, TimeZone, Utc};
use serde::Serialize;

use super::Time;
use super::access::ReviewFrequency;
use super::error::{DomainError, DomainResult};

/// A field a refusal is about. Stage and question numbers are 1-based, as shown to people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase", tag = "field")]
pub enum Field {
    Name,
    Description,
    Email,
    /// A short directory attribute: department, job title, a role, a domain, a tenant id.
    Attribute,
    Stages,
    StageTimeout {
        stage: usize,
    },
    Escalation {
        stage: usize,
    },
    Approvers {
        stage: usize,
    },
    Fallback {
        stage: usize,
    },
    Alternates {
        stage: usize,
    },
    Quorum {
        stage: usize,
    },
    /// Whether the policy has approval at all.
    Approval,
    ExtensionApproval,
    ScopeUsers,
    ScopeGroups,
    ScopeOrgs,
    Reviewers,
    ReviewFallback,
    ExpirationDays,
    ExpirationHours,
    ExpirationDate,
    ReviewDuration,
    ReviewStart,
    ReviewBeforeExpiry,
    Questions,
    QuestionText {
        question: usize,
    },
    QuestionOptions {
        question: usize,
    },
    GuestRemovalDays,
    PackagesPerCatalog,
    ResourceRolesPerPackage,
    PoliciesPerPackage,
    ConnectedOrganizations,
    TimersPerClockMove,
    RequestStart,
    AssignmentStart,
    AssignmentEnd,
    ClockAdvance,
    ClockTarget,
    ReportDays,
    Justification,
    Answer,
    Reason,
    /// A user attribute an automatic policy's rule may read.
    UserAttribute {
        property: super::user_rule::Property,
    },
    /// An automatic policy's rule.
    Rule,
    /// An automatic policy's grace period before removal.
    GracePeriod,
    /// A custom extension's program, arguments, timeout, and the output kept of a call.
    ExtensionProgram,
    ExtensionArguments,
    ExtensionTimeout,
    ExtensionOutput,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Name => write!(f, "The name"),
            Field::Description => write!(f, "The description"),
            Field::Email => write!(f, "The email address"),
            Field::Attribute => write!(f, "The value"),
            Field::Stages => write!(f, "Approval"),
            Field::StageTimeout { stage } => write!(f, "Stage {stage}: decision timeout"),
            Field::Escalation { stage } => write!(f, "Stage {stage}: escalation"),
            Field::Approvers { stage } => write!(f, "Stage {stage}: approvers"),
            Field::Fallback { stage } => write!(f, "Stage {stage}: fallback approvers"),
            Field::Alternates { stage } => write!(f, "Stage {stage}: alternate approvers"),
            Field::Quorum { stage } => write!(f, "Stage {stage}: approvals needed"),
            Field::Approval => write!(f, "Approval"),
            Field::ExtensionApproval => write!(f, "Extension approval"),
            Field::ScopeUsers => write!(f, "Who can request: users"),
            Field::ScopeGroups => write!(f, "Who can request: groups"),
            Field::ScopeOrgs => write!(f, "Who can request: connected organizations"),
            Field::Reviewers => write!(f, "The reviewers"),
            Field::ReviewFallback => write!(f, "The fallback reviewers"),
            Field::ExpirationDays => write!(f, "Expiration after N days"),
            Field::ExpirationHours => write!(f, "Expiration after N hours"),
            Field::ExpirationDate => write!(f, "The expiration date"),
            Field::ReviewDuration => write!(f, "The access review's duration"),
            Field::ReviewStart => write!(f, "The first access review's date"),
            Field::ReviewBeforeExpiry => write!(f, "The review before expiry"),
            Field::Questions => write!(f, "The questions"),
            Field::QuestionText { question } => write!(f, "Question {question}"),
            Field::QuestionOptions { question } => write!(f, "Question {question}'s answers"),
            Field::GuestRemovalDays => write!(f, "Removing a blocked guest after N days"),
            Field::PackagesPerCatalog => write!(f, "The limit of access packages per catalog"),
            Field::ResourceRolesPerPackage => write!(f, "The limit of resource roles per package"),
            Field::PoliciesPerPackage => write!(f, "The limit of policies per package"),
            Field::ConnectedOrganizations => write!(f, "The limit of connected organizations"),
            Field::TimersPerClockMove => write!(f, "The limit of timers one clock move may fire"),
            Field::RequestStart => write!(f, "The start date"),
            Field::AssignmentStart => write!(f, "The start date"),
            Field::AssignmentEnd => write!(f, "The end date"),
            Field::ClockAdvance => write!(f, "Moving the clock"),
            Field::ClockTarget => write!(f, "The clock's new time"),
            Field::ReportDays => write!(f, "The number of days"),
            Field::Justification => write!(f, "The justification"),
            Field::Answer => write!(f, "The answer"),
            Field::Reason => write!(f, "The reason"),
            Field::UserAttribute { property } => write!(f, "{}", property.label()),
            Field::Rule => write!(f, "The rule"),
            Field::GracePeriod => write!(f, "The grace period before removal"),
            Field::ExtensionProgram => write!(f, "The extension's program"),
            Field::ExtensionArguments => write!(f, "The extension's arguments"),
            Field::ExtensionTimeout => write!(f, "The extension's timeout"),
            Field::ExtensionOutput => write!(f, "The extension's output"),
        }
    }
}

/// An inclusive range of whole numbers with its unit, e.g. 1 to 30 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub min: u64,
    pub max: u64,
    pub unit: &'static str,
}

impl Span {
    pub const fn new(min: u64, max: u64, unit: &'static str) -> Self {
        Span { min, max, unit }
    }

    pub fn contains(self, got: i128) -> bool {
        i128::from(self.min) <= got && got <= i128::from(self.max)
    }

    /// Refuse a value outside the range, naming the field and the range.
    pub fn check(self, field: Field, got: impl Into<i128>) -> DomainResult<()> {
        let got = got.into();
        if self.contains(got) { Ok(()) } else { Err(self.refusal(field, got, "")) }
    }

    /// The refusal for `got`, with an optional hint after the range.
    pub fn refusal(self, field: Field, got: i128, hint: &str) -> DomainError {
        let hint = if hint.is_empty() { String::new() } else { format!(" ({hint})") };
        out_of_range(field, format!("{field} must be {self}{hint}; you gave {got}"))
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.min == self.max {
            write!(f, "{} {}", self.min, self.unit)
        } else {
            write!(f, "{} to {} {}", self.min, self.max, self.unit)
        }
    }
}

/// How long an approval stage waits for a decision (Graph: durationBeforeAutomaticDenial).
pub const STAGE_TIMEOUT_DAYS: Span = Span::new(1, 30, "days");
/// How many approvals a stage may require (a quorum of N).
pub const QUORUM: Span = Span::new(1, 25, "approvals");
/// Approval stages of a policy; none means no approval.
pub const STAGES: Span = Span::new(0, 3, "stages");
/// Assignments expire after this many days; 0 means never (the portal's 0–3650).
pub const EXPIRATION_DAYS: Span = Span::new(0, 3650, "days");
/// Assignments expire after this many hours: at least one, at most the 3650 days above.
pub const EXPIRATION_HOURS: Span = Span::new(1, 3650 * 24, "hours");
/// Questions a policy asks a requestor.
pub const QUESTIONS: Span = Span::new(0, 20, "questions");
/// Answers of a multiple-choice question.
pub const CHOICES: Span = Span::new(2, 30, "answers");
/// How long a review before expiry opens ahead of the end; capped like assignments.
pub const REVIEW_BEFORE_EXPIRY_DAYS: Span = Span::new(1, 3650, "days");
/// A guest that lost its last assignment is removed this many days after being blocked.
pub const GUEST_REMOVAL_DAYS: Span = Span::new(0, 3650, "days");
/// The tenant's configurable limits (settings).
pub const PACKAGES_PER_CATALOG: Span = Span::new(1, 1000, "packages");
pub const RESOURCE_ROLES_PER_PACKAGE: Span = Span::new(1, 1000, "resource roles");
pub const POLICIES_PER_PACKAGE: Span = Span::new(1, 1000, "policies");
pub const CONNECTED_ORGANIZATIONS: Span = Span::new(1, 10_000, "organizations");
/// Timers one clock move may fire: from a hundred to a hundred million (a tenant of a million
/// assignments fires a few million in a year).
/// The last id the tenant's counter (`Tenant::next_id`) hands out: far past what any tenant
/// makes (one id per object), and far enough below `u64::MAX` that no command, however many
/// objects it makes, takes the counter past its end. A counter past it (a file edited by hand)
/// refuses every command instead.
pub const LAST_ID: u64 = 1 << 62;

pub const TIMERS_PER_CLOCK_MOVE: Span = Span::new(100, 100_000_000, "timers");
/// How long someone who stops matching an automatic policy's rule keeps the assignment (Graph:
/// gracePeriodBeforeAccessRemoval): up to a year.
pub const GRACE_PERIOD_HOURS: Span = Span::new(0, 365 * 24, "hours");
/// `report expiring N`: assignments ending within N days.
pub const REPORT_DAYS: Span = Span::new(0, 3650, "days");

/// Display names (Graph's displayName is at most 256 characters); no control characters.
pub const NAME_CHARS: usize = 256;
/// Descriptions, emails and other directory attributes.
pub const DESCRIPTION_CHARS: usize = 1024;
/// Justifications, reasons and answers: newlines and tabs are kept, other control characters refused.
pub const TEXT_CHARS: usize = 4000;

/// How long a review may stay open: it must end before the next one of its recurrence opens (a
/// monthly review lasts at most 28 days, since February has 28; a quarterly one 89, the shortest
/// three months; and so on).
pub fn review_duration_days(frequency: ReviewFrequency) -> Span {
    let max = match frequency {
        ReviewFrequency::Weekly => 7,
        ReviewFrequency::Monthly => 28,
        ReviewFrequency::Quarterly => 89,
        ReviewFrequency::SemiAnnually => 181,
        ReviewFrequency::Annually => 365,
    };
    Span::new(1, max, "days")
}

/// The earliest date a command may set: 1970-01-01 00:00 UTC.
pub fn earliest() -> Time {
    Utc.timestamp_opt(0, 0).single().unwrap_or(Time::MIN_UTC)
}

/// The latest date a command may set, or the clock reach: the end of the year 9999.
pub fn latest() -> Time {
    Utc.with_ymd_and_hms(super::clock::LAST_YEAR, 12, 31, 23, 59, 59).single().unwrap_or(Time::MAX_UTC)
}

/// Refuse a date outside 1970 to 9999.
pub fn check_date(field: Field, t: Time) -> DomainResult<()> {
    if t > latest() {
        return Err(out_of_range(
            field,
            format!(
                "{field}: that date is past the year 9999, the latest date the tenant keeps; choose an earlier one"
            ),
        ));
    }
    if t < earliest() {
        return Err(out_of_range(
            field,
            format!("{field}: that date is before 1970, the earliest date the tenant keeps; choose a later one"),
        ));
    }
    Ok(())
}

/// `from` moved `seconds` ahead, refused when it overflows or passes the year 9999.
pub fn later_by_seconds(field: Field, from: Time, seconds: i64) -> DomainResult<Time> {
    // Past what the calendar holds: as far as it goes that way, which `check_date` refuses.
    let to = super::clock::plus_secs(from, seconds).unwrap_or(if seconds < 0 { Time::MIN_UTC } else { Time::MAX_UTC });
    check_date(field, to)?;
    Ok(to)
}

/// `from` moved `days` ahead, refused when it overflows or passes the year 9999.
pub fn later_by_days(field: Field, from: Time, days: i64) -> DomainResult<Time> {
    later_by_seconds(field, from, days.checked_mul(86_400).unwrap_or(i64::MAX))
}

/// `t` moved `days` ahead (or back), for values already stored: it saturates at chrono's ends rather
/// than panicking, and a deadline that far never comes. Values being set are checked instead.
pub fn saturating_add_days(t: Time, days: i64) -> Time {
    TimeDelta::try_days(days).and_then(|d| t.checked_add_signed(d)).unwrap_or(if days < 0 {
        Time::MIN_UTC
    } else {
        Time::MAX_UTC
    })
}

/// A display name: not blank, at most 256 characters, no control characters.
pub fn check_name(field: Field, s: &str, what: &str) -> DomainResult<()> {
    if s.trim().is_empty() {
        return Err(out_of_range(field, format!("{what} needs a name")));
    }
    check_line(field, s)
}

/// One line of plain text, possibly empty: at most 256 characters, no control characters.
pub fn check_line(field: Field, s: &str) -> DomainResult<()> {
    check_chars(field, s, NAME_CHARS)?;
    if s.chars().any(char::is_control) {
        return Err(out_of_range(
            field,
            format!(
                "{field} contains a control character (such as a line break or an escape code): it must be one line of plain text"
            ),
        ));
    }
    Ok(())
}

/// A free text: at most `max` characters; newline and tab are kept, other control characters are
/// refused (they would reach other people's terminals as escape codes).
pub fn check_text(field: Field, s: &str, max: usize) -> DomainResult<()> {
    check_chars(field, s, max)?;
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(out_of_range(
            field,
            format!(
                "{field} contains a control character (such as an escape code): only line breaks and tabs are kept"
            ),
        ));
    }
    Ok(())
}

fn check_chars(field: Field, s: &str, max: usize) -> DomainResult<()> {
    let n = s.chars().count();
    if n > max {
        return Err(out_of_range(field, format!("{field} can be at most {max} characters long; you gave {n}")));
    }
    Ok(())
}

impl super::tenant::Tenant {
    /// A range check, waived while replaying an entry that an earlier version journaled under
    /// other ranges: what was acknowledged then must open now (see `Tenant::replay`).
    pub(crate) fn within(&self, check: DomainResult<()>) -> DomainResult<()> {
        if self.lenient { Ok(()) } else { check }
    }
}

pub(crate) fn out_of_range(field: Field, message: String) -> DomainError {
    DomainError::OutOfRange { field, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_tells_its_range_and_the_value_given() {
        let e = STAGE_TIMEOUT_DAYS.check(Field::StageTimeout { stage: 2 }, 99_999_999u32);
        let e = e.err().map(|e| (e.field(), e.to_string()));
        assert_eq!(
            e,
            Some((
                Some(Field::StageTimeout { stage: 2 }),
                "Stage 2: decision timeout must be 1 to 30 days; you gave 99999999".to_string()
            ))
        );
        assert!(STAGE_TIMEOUT_DAYS.check(Field::StageTimeout { stage: 1 }, 30u32).is_ok());
        assert!(STAGE_TIMEOUT_DAYS.check(Field::StageTimeout { stage: 1 }, -1i64).is_err());
    }

    #[test]
    fn moving_a_date_never_overflows() {
        let now = earliest();
        assert!(later_by_seconds(Field::ClockAdvance, now, i64::MAX).is_err());
        assert!(later_by_days(Field::ClockAdvance, now, i64::MAX).is_err());
        assert!(later_by_days(Field::ClockAdvance, latest(), 1).is_err());
        assert_eq!(later_by_days(Field::ClockAdvance, now, 1).ok(), now.checked_add_signed(TimeDelta::days(1)));
    }

    #[test]
    fn names_refuse_control_characters_and_texts_keep_line_breaks() {
        assert!(check_name(Field::Name, "Sales\u{1b}[31m", "A package").is_err());
        assert!(check_name(Field::Name, "a\nb", "A package").is_err());
        assert!(check_name(Field::Name, &"x".repeat(NAME_CHARS + 1), "A package").is_err());
        assert!(check_name(Field::Name, "Sales – EMEA", "A package").is_ok());
        assert!(check_text(Field::Justification, "line one\nline\ttwo", TEXT_CHARS).is_ok());
        assert!(check_text(Field::Justification, "\u{1b}]0;pwned\u{7}", TEXT_CHARS).is_err());
    }
}
