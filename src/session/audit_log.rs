//! The audit log as a screen reads it: newest first, where each event a reader may read is
//! (not the event), read back from the newest while nobody types (see
//! [`NewestFirst`](crate::store::NewestFirst)), and the events of the rows shown read from the
//! files a page at a time. The log of a tenant of a million assignments holds millions of
//! events: read whole, it took half a minute and 3 GB.

use std::ops::Range;
use std::time::Instant;

use super::{RunError, Session};
use crate::domain::audit_key::{AuditKey, KEY_FORMAT};
use crate::domain::history::AUDIT_STREAM;
use crate::domain::reads::Reader;
use crate::domain::records::AuditHead;
use crate::domain::{Actor, AuditEvent, ObjectRef, Tenant};
use crate::store::{Caught, LineKey, NewestFirst, RecordAt};

impl LineKey for AuditKey {
    const FORMAT: u32 = KEY_FORMAT;
    fn from_line(line: &[u8]) -> Result<Self, String> {
        AuditKey::from_line(line)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        AuditKey::encode(self, out);
    }
    fn decode(bytes: &[u8]) -> Option<Self> {
        AuditKey::decode(bytes)
    }
}

/// What a reader of the log holds: where the events they may read are, newest first.
#[derive(Debug, Default)]
pub struct AuditLog {
    index: NewestFirst<AuditKey>,
    /// Whom the rows were kept for: another person starts over.
    actor: Option<Actor>,
    /// Only the events about these, if given (besides the reader's rights).
    about: Option<Vec<ObjectRef>>,
    /// Events the tenant holds that the files do not yet (newest first), those the reader reads:
    /// the first rows.
    pending: Vec<AuditEvent>,
}

/// What catching up changed (see [`Session::audit_catch_up`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditChange {
    Same,
    /// This many rows came in before the newest.
    Grew(usize),
    /// Every row is new (a first read, another reader, a reset, a long run of new events).
    Restarted,
}

/// Where a row's event is.
enum Place<'a> {
    Held(&'a AuditEvent),
    File(RecordAt),
}

impl AuditLog {
    /// A log of only the events about one of `objects` (what `entitle audit --object` reads).
    pub fn about(objects: Vec<ObjectRef>) -> AuditLog {
        AuditLog { about: Some(objects), ..AuditLog::default() }
    }

    /// Rows known so far.
    pub fn len(&self) -> usize {
        self.pending.len().saturating_add(self.index.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether every event is read back (the rows are all there are).
    pub fn is_complete(&self) -> bool {
        self.index.is_complete()
    }

    /// How far the reading back is, in percent.
    pub fn percent_read(&self) -> u64 {
        let (read, total) = self.index.progress();
        read.saturating_mul(100).checked_div(total).unwrap_or(100)
    }

    fn place(&self, row: usize) -> Option<Place<'_>> {
        match self.pending.get(row) {
            Some(e) => Some(Place::Held(e)),
            None => self.index.at(row.checked_sub(self.pending.len())?).map(Place::File),
        }
    }

    /// Where row `row`'s event is in the files (None for one not written yet): the same
    /// place is the same event, however the rows moved.
    pub fn record_of(&self, row: usize) -> Option<RecordAt> {
        match self.place(row)? {
            Place::File(at) => Some(at),
            Place::Held(_) => None,
        }
    }

    /// Whether the event keyed `key` is about one of the objects asked for, if any were.
    fn is_about(&self, key: &AuditKey) -> bool {
        self.about.as_ref().is_none_or(|objects| key.object().is_some_and(|o| objects.contains(&o)))
    }
}

/// Whether a reader may read the event keyed `key`.
fn readable(t: &Tenant, reader: Reader, key: &AuditKey) -> bool {
    reader == Reader::Admin || t.reads_object(reader, key.object())
}

impl Session {
    /// The tenant and the signed-in person as a reader of the audit log; refused for one who
    /// may not read it at all.
    fn audit_reader(&self) -> Result<(&Tenant, Reader), RunError> {
        let t = self.tenant();
        t.may_read_audit(&self.actor).map_err(RunError::Refused)?;
        Ok((t, t.reader(&self.actor).map_err(RunError::Refused)?))
    }

    /// Catches `log` up with the events written since it was last read, for the signed-in
    /// person: their rights decide which are rows (as the command line's `audit` does).
    /// Refused for one who may not read the audit log at all.
    pub fn audit_catch_up(&self, log: &mut AuditLog) -> Result<AuditChange, RunError> {
        let (t, reader) = self.audit_reader()?;
        if log.actor.as_ref() != Some(&self.actor) {
            *log = AuditLog { actor: Some(self.actor.clone()), about: log.about.take(), ..AuditLog::default() };
        }
        let mut index = std::mem::take(&mut log.index);
        let keep = |k: &AuditKey| readable(t, reader, k) && log.is_about(k);
        let caught = self.store.history_catch_up(AUDIT_STREAM, &mut index, &keep);
        log.index = index;
        let caught = caught?;
        // What the tenant holds that the files do not (usually nothing: a commit writes its
        // events before it returns).
        let before = log.pending.len();
        log.pending.clear();
        if !t.audit.is_empty() {
            let last = self.store.history_last_seq(AUDIT_STREAM)?;
            let mut held = t.audit_visible_after(&self.actor, vec![], last).map_err(RunError::Refused)?;
            held.retain(|e| log.is_about(&AuditKey::of(e.object.typed())));
            held.reverse();
            log.pending = held;
        }
        Ok(match caught {
            Caught::Restarted => AuditChange::Restarted,
            _ if before != log.pending.len() => AuditChange::Restarted,
            Caught::Same => AuditChange::Same,
            Caught::Grew(n) => AuditChange::Grew(n),
        })
    }

    /// Reads `log` back towards the oldest event until `until` (at least a piece), or to the
    /// end without it. Whether more is left to read.
    pub fn audit_read_back(&self, log: &mut AuditLog, until: Option<Instant>) -> Result<bool, RunError> {
        let (t, reader) = self.audit_reader()?;
        let mut index = std::mem::take(&mut log.index);
        let keep = |k: &AuditKey| readable(t, reader, k) && log.is_about(k);
        let more = self.store.history_read_back(&mut index, &keep, until);
        log.index = index;
        Ok(more?)
    }

    /// The events of `log`'s rows in `rows` (clipped to those known), newest first.
    pub fn audit_rows(&self, log: &AuditLog, rows: Range<usize>) -> Result<Vec<AuditEvent>, RunError> {
        self.rows_as::<AuditEvent>(log, rows)
    }

    /// [`Session::audit_rows`] without the events' before and after (what a search of the log
    /// looks through: read in half the time).
    pub fn audit_heads(&self, log: &AuditLog, rows: Range<usize>) -> Result<Vec<AuditEvent>, RunError> {
        self.rows_as::<AuditHead>(log, rows)
    }

    fn rows_as<T: serde::de::DeserializeOwned + Into<AuditEvent>>(
        &self,
        log: &AuditLog,
        rows: Range<usize>,
    ) -> Result<Vec<AuditEvent>, RunError> {
        let end = rows.end.min(log.len());
        let places: Vec<Place<'_>> = (rows.start.min(end)..end).filter_map(|r| log.place(r)).collect();
        let at: Vec<RecordAt> = places
            .iter()
            .filter_map(|p| match p {
                Place::File(at) => Some(*at),
                Place::Held(_) => None,
            })
            .collect();
        let mut read = self.store.history_at::<T>(AUDIT_STREAM, &at)?.into_iter();
        Ok(places
            .into_iter()
            .filter_map(|p| match p {
                Place::Held(e) => Some(e.clone()),
                Place::File(_) => read.next().map(Into::into),
            })
            .collect())
    }
}

impl Session {
    /// The newest `limit` events of `log` that `want` keeps, oldest first: read newest first,
    /// only as far back as it takes (the command line's `audit`, whose 50 last events of a log
    /// of millions are read in milliseconds).
    pub fn audit_last(
        &self,
        log: &mut AuditLog,
        limit: usize,
        want: impl Fn(&AuditEvent) -> bool,
    ) -> Result<Vec<AuditEvent>, RunError> {
        self.audit_catch_up(log)?;
        let mut out = Vec::new();
        let mut row = 0usize;
        while out.len() < limit {
            if row >= log.len() {
                if log.is_complete() {
                    break;
                }
                // One more piece.
                self.audit_read_back(log, Some(Instant::now()))?;
                continue;
            }
            let to = row.saturating_add(256).min(log.len());
            for e in self.audit_rows(log, row..to)? {
                if out.len() < limit && want(&e) {
                    out.push(e);
                }
            }
            row = to;
        }
        out.reverse();
        Ok(out)
    }
}
