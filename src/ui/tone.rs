//! States as a person reads them in a table or a details pane: a word and a tone (done and
//! good, waiting, refused or over, plain), both from the state's type. Nothing here reads a
//! state back from its text; the enum names (`pendingApproval`) stay in the files, the JSON
//! output and the audit log.

use crate::domain::{AssignmentState, RequestState, RequestType, ReviewDecision, ReviewState};

/// How a state reads: the theme gives each tone its style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Waiting,
    Bad,
    Neutral,
}

/// A state with its word and tone.
pub trait Toned {
    fn word(&self) -> &'static str;
    fn tone(&self) -> Tone;
}

impl Toned for RequestState {
    fn word(&self) -> &'static str {
        match self {
            RequestState::Submitted => "submitted",
            RequestState::PendingApproval => "pending approval",
            RequestState::Scheduled => "scheduled",
            RequestState::WaitingForCallback => "waiting for extension",
            RequestState::Delivering => "delivering",
            RequestState::Delivered => "delivered",
            RequestState::Denied => "denied",
            RequestState::Canceled => "canceled",
            RequestState::Expired => "expired",
            RequestState::DeliveryFailed => "delivery failed",
        }
    }
    fn tone(&self) -> Tone {
        match self {
            RequestState::Delivered => Tone::Good,
            RequestState::Submitted
            | RequestState::PendingApproval
            | RequestState::Scheduled
            | RequestState::WaitingForCallback
            | RequestState::Delivering => Tone::Waiting,
            RequestState::Denied | RequestState::Canceled | RequestState::Expired | RequestState::DeliveryFailed => {
                Tone::Bad
            }
        }
    }
}

/// What a request asked for, as a person says it (`userAdd` is "request").
impl Toned for RequestType {
    fn word(&self) -> &'static str {
        match self {
            RequestType::UserAdd => "request",
            RequestType::UserExtend => "extension",
            RequestType::UserRemove => "self-removal",
            RequestType::AdminAdd => "admin assignment",
            RequestType::AdminRemove => "admin removal",
            RequestType::SystemAdd => "automatic assignment",
            RequestType::SystemRemove => "system removal",
        }
    }
    fn tone(&self) -> Tone {
        Tone::Neutral
    }
}

impl Toned for AssignmentState {
    fn word(&self) -> &'static str {
        (*self).into()
    }
    fn tone(&self) -> Tone {
        match self {
            AssignmentState::Delivered => Tone::Good,
            AssignmentState::Delivering => Tone::Waiting,
            AssignmentState::Expired | AssignmentState::Removed => Tone::Bad,
        }
    }
}

impl Toned for ReviewDecision {
    fn word(&self) -> &'static str {
        match self {
            ReviewDecision::Approve => "approve",
            ReviewDecision::Deny => "deny",
            ReviewDecision::DontKnow => "don't know",
        }
    }
    fn tone(&self) -> Tone {
        match self {
            ReviewDecision::Approve => Tone::Good,
            ReviewDecision::Deny => Tone::Bad,
            ReviewDecision::DontKnow => Tone::Waiting,
        }
    }
}

impl Toned for ReviewState {
    fn word(&self) -> &'static str {
        match self {
            ReviewState::InProgress => "in progress",
            ReviewState::Completed => "completed",
        }
    }
    fn tone(&self) -> Tone {
        match self {
            ReviewState::InProgress => Tone::Waiting,
            ReviewState::Completed => Tone::Good,
        }
    }
}

/// The other states a table shows: of a package, a user, an approver's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A package that can be requested or assigned.
    Active,
    /// A user who may sign in.
    Enabled,
    /// A user removed from the directory.
    Removed,
    /// An approver's decision on a request.
    Approved,
    Denied,
}

impl Toned for Mark {
    fn word(&self) -> &'static str {
        match self {
            Mark::Active => "active",
            Mark::Enabled => "enabled",
            Mark::Removed => "removed",
            Mark::Approved => "approved",
            Mark::Denied => "denied",
        }
    }
    fn tone(&self) -> Tone {
        match self {
            Mark::Active | Mark::Enabled | Mark::Approved => Tone::Good,
            Mark::Removed | Mark::Denied => Tone::Bad,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every request state has its own word, none of them the enum's name.
    #[test]
    fn request_states_read_as_words() {
        use RequestState::*;
        let all =
            [Submitted, PendingApproval, Scheduled, Delivering, Delivered, Denied, Canceled, Expired, DeliveryFailed];
        let words: Vec<&str> = all.iter().map(|s| s.word()).collect();
        for (s, w) in all.iter().zip(&words) {
            assert_eq!(words.iter().filter(|x| *x == w).count(), 1, "{w} twice");
            assert!(w.chars().all(|c| c.is_lowercase() || c == ' '), "{s:?} reads {w}");
        }
    }
}
