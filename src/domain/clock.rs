//! The in-app clock. The domain never reads the system time: the caller hands it the wall time and
//! the clock turns that into the tenant's time. Live: wall time plus however far the user moved it
//! ahead. Frozen: a fixed instant that only moves when told (the demo and the tests).
//!
//! Date arithmetic lives here too, checked: every date the tenant computes stays within the years
//! 1 to 9999, and a computation that would leave them gives `None` instead of panicking.

use chrono::{Datelike, Months, TimeDelta};
use serde::{Deserialize, Serialize};

use super::Time;
use super::serde_util::{secs, secs_opt};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Clock {
    /// The time up to which every timer has fired. Never moves backwards.
    #[serde(with = "secs")]
    pub now: Time,
    /// Some(t): frozen at t. None: live.
    #[serde(default, with = "secs_opt", skip_serializing_if = "Option::is_none")]
    pub frozen: Option<Time>,
    /// Live mode: seconds added to the wall time.
    #[serde(default)]
    pub offset_secs: i64,
}

impl Clock {
    pub fn frozen_at(t: Time) -> Self {
        Clock { now: t, frozen: Some(t), offset_secs: 0 }
    }
    pub fn live(wall: Time) -> Self {
        Clock { now: wall, frozen: None, offset_secs: 0 }
    }
    pub fn is_frozen(&self) -> bool {
        self.frozen.is_some()
    }
    /// The tenant's time for a given wall time; never earlier than what already happened. An
    /// offset that leaves the calendar (a hand-edited file) moves nothing.
    pub fn time_at(&self, wall: Time) -> Time {
        let t = match self.frozen {
            Some(f) => Some(f),
            None => plus_secs(wall, self.offset_secs),
        };
        t.map_or(self.now, |t| t.max(self.now))
    }
}

/// The last year the tenant deals in: dates past it are refused or not scheduled.
pub const LAST_YEAR: i32 = 9999;

/// Whether a date is within the years 1 to 9999.
pub fn in_range(t: Time) -> bool {
    (1..=LAST_YEAR).contains(&t.year())
}

/// The calendar's first moment: 0001-01-01 00:00 UTC.
pub fn first_moment() -> Time {
    let first = chrono::NaiveDate::from_ymd_opt(1, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0));
    first.map_or(Time::MIN_UTC, |n| n.and_utc())
}

fn checked(t: Option<Time>) -> Option<Time> {
    t.filter(|t| in_range(*t))
}

/// `t` moved by a signed number of seconds, if the result is a date the tenant can hold.
pub fn plus_secs(t: Time, secs: i64) -> Option<Time> {
    checked(TimeDelta::try_seconds(secs).and_then(|d| t.checked_add_signed(d)))
}

/// `t` plus a number of hours.
pub fn plus_hours(t: Time, hours: i64) -> Option<Time> {
    checked(TimeDelta::try_hours(hours).and_then(|d| t.checked_add_signed(d)))
}

/// `t` plus a number of days.
pub fn plus_days(t: Time, days: i64) -> Option<Time> {
    checked(TimeDelta::try_days(days).and_then(|d| t.checked_add_signed(d)))
}

/// `t` minus a number of days.
pub fn minus_days(t: Time, days: i64) -> Option<Time> {
    checked(TimeDelta::try_days(days).and_then(|d| t.checked_sub_signed(d)))
}

/// `t` plus a number of weeks.
pub fn plus_weeks(t: Time, weeks: i64) -> Option<Time> {
    checked(TimeDelta::try_weeks(weeks).and_then(|d| t.checked_add_signed(d)))
}

/// `t` plus a number of calendar months; the day is kept, or the month's last day when it is
/// shorter (Jan 31 + 1 month = Feb 28).
pub fn plus_months(t: Time, months: i64) -> Option<Time> {
    checked(u32::try_from(months).ok().and_then(|m| t.checked_add_months(Months::new(m))))
}

/// The refusal's wording for a date past the calendar.
pub fn past_last_year(what: &str) -> String {
    format!("{what} is past the year {LAST_YEAR}, the last the tenant's calendar holds")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32) -> Time {
        chrono::Utc.with_ymd_and_hms(y, 1, 31, 9, 0, 0).single().unwrap_or_default()
    }

    #[test]
    fn arithmetic_past_the_calendar_gives_none_instead_of_panicking() {
        assert_eq!(plus_days(at(2026), 99_999_999), None);
        assert_eq!(plus_days(at(2026), i64::MAX), None);
        assert_eq!(minus_days(at(2026), 99_999_999), None);
        assert_eq!(plus_secs(at(2026), i64::MAX), None);
        assert_eq!(plus_hours(at(2026), i64::MIN), None);
        assert_eq!(plus_weeks(at(9999), 52), None);
        assert_eq!(plus_months(at(2026), -1), None);
        assert_eq!(plus_months(at(2026), 1).map(|t| t.day()), Some(28));
        assert_eq!(plus_days(at(2026), 1).map(|t| t.day()), Some(1));
    }

    #[test]
    fn a_live_clock_with_an_offset_past_the_calendar_stays_where_it_is() {
        let mut c = Clock::live(at(2026));
        c.offset_secs = i64::MAX;
        assert_eq!(c.time_at(at(2027)), at(2026));
    }
}
