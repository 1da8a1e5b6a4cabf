//! Times as people type them, read the same way by the command line and the terminal app: a
//! date (`2027-01-31`, `2027-01-31 09:00`, `2027-01-31T09:00`), `now`, or an offset from the
//! tenant's now (`+7d`, `+1w2d`, `+90min`). Ranges are the commands' to check.

use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};

use super::Time;

/// Why a typed time was not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeInputError {
    #[error("'{0}' is not a duration: use a number and a unit, like 2h, 3d, 1w or 30d")]
    NotADuration(String),
    #[error("'{0}' is not a positive duration")]
    NotPositive(String),
    #[error("'{0}' is not a date: use YYYY-MM-DD, YYYY-MM-DD HH:MM, or +DURATION like +7d")]
    NotADate(String),
}

/// A point in time as typed: an absolute date, or an offset from the tenant's now (`+7d`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    At(Time),
    In(chrono::Duration),
}

impl When {
    /// The instant meant. An offset past the end of time saturates there: the domain then refuses
    /// it by its range ("that date is past the year 9999") with the field it was given for.
    pub fn resolve(self, now: Time) -> Time {
        match self {
            When::At(t) => t,
            When::In(d) => now.checked_add_signed(d).unwrap_or(if d < chrono::Duration::zero() {
                Time::MIN_UTC
            } else {
                Time::MAX_UTC
            }),
        }
    }
}

/// `2h`, `3d`, `1w`, `30d`, `90min`, or several at once (`1d12h`).
pub fn duration(s: &str) -> Result<chrono::Duration, TimeInputError> {
    let bad = || TimeInputError::NotADuration(s.to_string());
    let text = s.trim().to_ascii_lowercase();
    if text.is_empty() {
        return Err(bad());
    }
    let mut total = chrono::Duration::zero();
    let mut rest = text.as_str();
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if digits == 0 {
            return Err(bad());
        }
        let n: i64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let part = match unit {
            "min" | "mins" | "minute" | "minutes" => chrono::Duration::try_minutes(n),
            "h" | "hour" | "hours" => chrono::Duration::try_hours(n),
            "d" | "day" | "days" => chrono::Duration::try_days(n),
            "w" | "week" | "weeks" => chrono::Duration::try_weeks(n),
            _ => None,
        };
        total = part.and_then(|p| total.checked_add(&p)).ok_or_else(bad)?;
    }
    if total <= chrono::Duration::zero() {
        return Err(TimeInputError::NotPositive(s.to_string()));
    }
    Ok(total)
}

/// `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM` (tenant time, UTC), `now`, or `+DURATION` from the tenant's now.
pub fn when(s: &str) -> Result<When, TimeInputError> {
    let text = s.trim();
    if text.eq_ignore_ascii_case("now") {
        return Ok(When::In(chrono::Duration::zero()));
    }
    if let Some(rel) = text.strip_prefix('+') {
        return duration(rel).map(When::In);
    }
    for fmt in ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, fmt) {
            return Ok(When::At(Utc.from_utc_datetime(&t)));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        && let Some(t) = d.and_hms_opt(0, 0, 0)
    {
        return Ok(When::At(Utc.from_utc_datetime(&t)));
    }
    Err(TimeInputError::NotADate(s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration("2h"), Ok(chrono::Duration::hours(2)));
        assert_eq!(duration("30d"), Ok(chrono::Duration::days(30)));
        assert_eq!(duration("1w"), Ok(chrono::Duration::weeks(1)));
        assert_eq!(duration("1d12h"), Ok(chrono::Duration::hours(36)));
        assert!(duration("3x").is_err());
        assert!(duration("d").is_err());
        assert!(duration("0d").is_err());
        assert!(duration("").is_err());
    }

    #[test]
    fn dates() {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().unwrap_or_default();
        let d = when("2026-03-04").map(|w| w.resolve(now));
        assert_eq!(d.map(|t| t.format("%Y-%m-%d %H:%M").to_string()), Ok("2026-03-04 00:00".into()));
        let d = when("2026-03-04T09:30").map(|w| w.resolve(now));
        assert_eq!(d.map(|t| t.format("%Y-%m-%d %H:%M").to_string()), Ok("2026-03-04 09:30".into()));
        let d = when("+7d").map(|w| w.resolve(now));
        assert_eq!(d.map(|t| t.format("%Y-%m-%d").to_string()), Ok("2026-01-08".into()));
        // Far beyond the end of time: no panic, the domain refuses it by its range.
        assert_eq!(when("+99999999999d").map(|w| w.resolve(now)), Ok(Time::MAX_UTC));
        assert!(when("+999999999999999999d").is_err());
        assert!(when("04/03/2026").is_err());
        assert!(when("2026-13-01").is_err());
    }
}
