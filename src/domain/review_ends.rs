//! [`ReviewEnds`]: what the check of stored problems (`Tenant::problems`, run on every open)
//! needs to know of a million assignments without reading them: for each policy revision they
//! were made under, the earliest of their ends and whether every end is in the calendar. With
//! it, the check reads the revisions' review terms once each, and the assignments one by one
//! only when a revision's terms and the ends it holds leave a doubt (a hand-edited file), or
//! for the assignments made since it was built.
//!
//! It is derived: built from the assignments when a tenant is loaded from its JSON, kept in
//! the binary cache (written from the assignments with it), and widened when an extension
//! moves an end (`ReviewEnds::note`). It never narrows: an assignment that ends stays counted,
//! which can only make the check read the assignments when it need not.

use std::collections::HashMap;
use std::ops::Bound;

use super::Time;
use super::clock;
use super::flow::Assignment;
use super::ids::{AssignmentId, PolicyId};
use super::table::Table;

/// The ends of the assignments up to an id, by the policy revision each was made under.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReviewEnds {
    /// Every assignment up to this id is counted (ids only grow: those made since are above).
    pub upto: u64,
    /// How many assignments were counted.
    pub count: usize,
    pub by_revision: HashMap<(PolicyId, u32), EndRange>,
}

/// The ends of the assignments of one policy revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndRange {
    /// The earliest end (`None`: none of them has an end).
    pub earliest: Option<Time>,
    /// Whether every end is a date of the calendar.
    pub in_calendar: bool,
}

impl Default for EndRange {
    fn default() -> Self {
        EndRange { earliest: None, in_calendar: true }
    }
}

impl ReviewEnds {
    /// The ends of every assignment of `assignments`.
    pub fn of(assignments: &Table<AssignmentId, Assignment>) -> ReviewEnds {
        let mut ends = ReviewEnds {
            upto: assignments.last_key_value().map_or(0, |(id, _)| id.0),
            count: assignments.len(),
            by_revision: HashMap::new(),
        };
        // Assignments made one after the other mostly share a revision: the last one's range
        // is kept at hand and folded in when the revision changes.
        let mut run: Option<((PolicyId, u32), EndRange)> = None;
        for a in assignments.values() {
            let key = (a.policy, a.revision);
            match &mut run {
                Some((k, range)) if *k == key => range.widen(a.end),
                _ => {
                    if let Some((k, range)) = run.take() {
                        ends.fold(k, range);
                    }
                    let mut range = EndRange::default();
                    range.widen(a.end);
                    run = Some((key, range));
                }
            }
        }
        if let Some((k, range)) = run {
            ends.fold(k, range);
        }
        ends
    }

    fn fold(&mut self, key: (PolicyId, u32), range: EndRange) {
        let at = self.by_revision.entry(key).or_default();
        at.in_calendar &= range.in_calendar;
        at.earliest = match (at.earliest, range.earliest) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }

    /// An assignment's end has moved (an extension): its revision's range takes it in.
    pub fn note(&mut self, a: &Assignment) {
        if a.id.0 <= self.upto {
            self.by_revision.entry((a.policy, a.revision)).or_default().widen(a.end);
        }
    }

    /// The assignments of `all` this does not count, in id order, if it counts all the others
    /// (else `None`: the check reads them all).
    pub fn since<'a>(&self, all: &'a Table<AssignmentId, Assignment>) -> Option<super::table::Iter<'a, Assignment>> {
        let since = all.range((Bound::Excluded(AssignmentId(self.upto)), Bound::Unbounded));
        let newer = since.clone().count();
        (self.count.checked_add(newer) == Some(all.len())).then_some(since)
    }
}

impl EndRange {
    fn widen(&mut self, end: Option<Time>) {
        let Some(end) = end else { return };
        self.in_calendar &= clock::in_range(end);
        self.earliest = Some(self.earliest.map_or(end, |e| e.min(end)));
    }
}
