//! The in-app clock. The domain never reads the system time: the caller hands it the wall time and
//! the clock turns that into the tenant's time. Live: wall time plus however far the user moved it
//! ahead. Frozen: a fixed instant that only moves when told (the demo and the tests).

use serde::{Deserialize, Serialize};

use super::Time;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Clock {
    /// The time up to which every timer has fired. Never moves backwards.
    pub now: Time,
    /// Some(t): frozen at t. None: live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
    /// The tenant's time for a given wall time; never earlier than what already happened.
    pub fn time_at(&self, wall: Time) -> Time {
        let t = match self.frozen {
            Some(f) => f,
            // A stored offset that would overflow (a hand edit) saturates instead of panicking.
            None => chrono::TimeDelta::try_seconds(self.offset_secs)
                .and_then(|d| wall.checked_add_signed(d))
                .unwrap_or(if self.offset_secs < 0 { Time::MIN_UTC } else { Time::MAX_UTC }),
        };
        t.max(self.now)
    }
}
