//! The lists of a long history a page at a time: my requests (open and finished) and the
//! decisions I made. The session keeps an index of each finished-request stream it has read
//! (where each record is, and its key: see `domain::finished_pages`), brought up to date on
//! each listing, so a list counts, orders and picks its rows from memory and reads from the
//! files only the records of the page shown.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::{RunError, Session};
use crate::domain::finished::{FinishedRecord, request_stream};
use crate::domain::finished_keys::KEY_FORMAT;
use crate::domain::finished_pages::{FinishedKey, ListRow, Source};
use crate::domain::{Request, RequestId, StageDecision, UserId};
use crate::store::{LineKey, RecordAt, StreamIndex};

impl LineKey for FinishedKey {
    const FORMAT: u32 = KEY_FORMAT;
    fn from_line(line: &[u8]) -> Result<Self, String> {
        FinishedKey::from_line(line)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        FinishedKey::encode(self, out);
    }
    fn decode(bytes: &[u8]) -> Option<Self> {
        FinishedKey::decode(bytes)
    }
}

/// Rows a page holds: what is read from the files at once when a row not yet read is shown.
pub const PAGE: usize = 64;

/// A row's place: which of the listing's streams, and where in it.
type Place = (usize, RecordAt);

/// The rows of one list, newest first, and the streams their records are in (shared: a
/// copy costs nothing).
#[derive(Debug, Clone, Default)]
pub struct Listing {
    streams: Arc<[String]>,
    rows: Arc<[ListRow<Place>]>,
}

impl Listing {
    /// How many rows the list has.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Its rows' requests, in order (known without reading a record).
    pub fn ids(&self) -> impl Iterator<Item = RequestId> + '_ {
        self.rows.iter().map(|r| r.id)
    }

    /// Its rows' requests with their decisions (a listing of decisions).
    pub fn decided(&self) -> impl Iterator<Item = (RequestId, StageDecision)> + '_ {
        self.rows.iter().filter_map(|r| r.decision.as_deref().map(|d| (r.id, d.clone())))
    }
}

/// What a session keeps of the finished-request streams between reads, and the listings last
/// made (whose pages [`Session::page_holding`] reads).
#[derive(Debug, Default)]
pub struct FinishedPages {
    streams: Mutex<BTreeMap<String, StreamIndex<FinishedKey>>>,
    shown: Mutex<Vec<Listing>>,
    /// How many records the pages read from the files, all told.
    read: AtomicUsize,
    /// How many streams were read whole (a list that is not paged, a record looked up alone).
    pub(super) whole: AtomicUsize,
}

impl FinishedPages {
    /// How many records the pages of this session read from the files so far (whole records:
    /// the keys the listings read are not counted).
    pub fn records_read(&self) -> usize {
        self.read.load(Ordering::Relaxed)
    }

    /// How many finished-request streams this session read whole so far.
    pub fn streams_read_whole(&self) -> usize {
        self.whole.load(Ordering::Relaxed)
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Which list: my requests, or the decisions a user made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Requests,
    Decisions(UserId),
}

impl Kind {
    /// Where a session keeps its last listing (see [`Session::page_holding`]).
    fn slot(self) -> usize {
        match self {
            Kind::Requests => 0,
            Kind::Decisions(_) => 1,
        }
    }
}

impl Session {
    /// My requests, open and finished, newest first, as rows (the same as
    /// [`Session::my_requests`] gives, without reading a record): reads only what my streams
    /// gained since the last listing.
    pub fn my_requests_listing(&self) -> Result<Listing, RunError> {
        let t = self.tenant();
        if t.reader(&self.actor).is_err() {
            return Ok(Listing::default());
        }
        let streams = t.own_request_streams(&self.actor);
        let listing = self.listing(streams, Kind::Requests)?;
        self.keep_shown(Kind::Requests, &listing);
        Ok(listing)
    }

    /// The decisions I made, newest first, as rows (as [`Session::approval_history`] gives).
    pub fn my_decisions_listing(&self) -> Result<Listing, RunError> {
        let t = self.tenant();
        let Some(me) = self.actor.user_id() else { return Ok(Listing::default()) };
        t.may_read(&self.actor, crate::domain::reads::Read::Own).map_err(RunError::Refused)?;
        let listing = self.listing(vec![request_stream(me)], Kind::Decisions(me))?;
        self.keep_shown(Kind::Decisions(me), &listing);
        Ok(listing)
    }

    /// The requests of a listing's rows in `range` (clipped to it), in order.
    pub fn requests_page(&self, listing: &Listing, range: Range<usize>) -> Result<Vec<Request>, RunError> {
        let (rows, files) = self.read_rows(listing, range)?;
        Ok(self.tenant().listed_requests(rows, files))
    }

    /// The decisions of a listing's rows in `range` (clipped to it), in order.
    pub fn decisions_page(
        &self,
        listing: &Listing,
        range: Range<usize>,
    ) -> Result<Vec<(Request, StageDecision)>, RunError> {
        let (rows, files) = self.read_rows(listing, range)?;
        let page = self.tenant().listed_decisions(rows, files);
        Ok(page.into_iter().filter_map(|(r, d)| d.map(|d| (r, d))).collect())
    }

    /// The page (of [`PAGE`] rows) of the last listing made that shows request `id`: what a
    /// screen reads when it shows a row of that listing not read yet. None if no listing
    /// shows it.
    pub fn page_holding(&self, id: RequestId) -> Result<Option<Vec<Request>>, RunError> {
        let shown = lock(&self.pages.shown);
        // A walk over the listings' ids (a fraction of a millisecond for a million rows): cheaper
        // than a map of them made for every listing, most of whose rows are never shown.
        let Some((listing, row)) = shown.iter().find_map(|l| l.ids().position(|x| x == id).map(|row| (l, row))) else {
            return Ok(None);
        };
        let first = row.saturating_sub(row % PAGE);
        self.requests_page(listing, first..first.saturating_add(PAGE)).map(Some)
    }

    /// Brings the indexes of `streams` up to date and makes the rows of the `kind` of list
    /// from their keys.
    fn listing(&self, streams: Vec<String>, kind: Kind) -> Result<Listing, RunError> {
        let mut indexes = lock(&self.pages.streams);
        for s in &streams {
            self.store.history_index(s, indexes.entry(s.clone()).or_default())?;
        }
        let keys = streams.iter().enumerate().flat_map(|(i, s)| {
            indexes.get(s).into_iter().flat_map(move |x| x.rows().iter().map(move |(at, k)| ((i, *at), k)))
        });
        let t = self.tenant();
        let rows = match kind {
            Kind::Requests => t.requests_listing(&self.actor, keys),
            Kind::Decisions(me) => t.decisions_listing(me, keys),
        };
        Ok(Listing { streams: streams.into(), rows: rows.into() })
    }

    /// One finished record by id, read alone by its place in `stream` (whose index is brought
    /// up to date first: from its key files, but for its last segment). None if the stream
    /// does not hold it.
    pub(super) fn finished_record_at(&self, stream: String, id: RequestId) -> Result<Option<FinishedRecord>, RunError> {
        let at = {
            let mut indexes = lock(&self.pages.streams);
            let index = indexes.entry(stream.clone()).or_default();
            self.store.history_index(&stream, index)?;
            index.rows().iter().rev().find(|(_, k)| k.id == id).map(|(at, _)| *at)
        };
        let Some(at) = at else { return Ok(None) };
        let mut read = self.store.history_at::<FinishedRecord>(&stream, &[at])?;
        self.pages.read.fetch_add(1, Ordering::Relaxed);
        Ok(read.pop().filter(|f| f.request.id == id))
    }

    fn keep_shown(&self, kind: Kind, listing: &Listing) {
        let mut shown = lock(&self.pages.shown);
        let slot = kind.slot();
        while shown.len() <= slot {
            shown.push(Listing::default());
        }
        if let Some(s) = shown.get_mut(slot) {
            *s = listing.clone();
        }
    }

    /// A listing's rows in `range` and the records of those in the files.
    fn read_rows<'l>(
        &self,
        listing: &'l Listing,
        range: Range<usize>,
    ) -> Result<(&'l [ListRow<Place>], Vec<FinishedRecord>), RunError> {
        let end = range.end.min(listing.rows.len());
        let rows = listing.rows.get(range.start.min(end)..end).unwrap_or_default();
        let mut files = vec![];
        for (i, stream) in listing.streams.iter().enumerate() {
            let at: Vec<RecordAt> = rows
                .iter()
                .filter_map(|r| match r.source {
                    Source::File((s, at)) if s == i => Some(at),
                    _ => None,
                })
                .collect();
            if !at.is_empty() {
                files.extend(self.store.history_at::<FinishedRecord>(stream, &at)?);
                self.pages.read.fetch_add(at.len(), Ordering::Relaxed);
            }
        }
        Ok((rows, files))
    }
}
