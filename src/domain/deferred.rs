//! The history a long clock jump makes by the million (two expiry notices, an expiry's notice
//! and an expiry's audit event for every assignment that ends), handed to the store typed while
//! the jump runs in a store: a few words each (whom, which package, when), which the store's
//! writer thread turns into their lines on the other core, instead of the thread that fires the
//! timers looking up names and writing a couple of hundred bytes of JSON each into cold memory.
//!
//! The lines are the bytes the plain writers (`notify`, `audit_typed`) write for the same
//! records, and a stream's lines keep their order: a stream's typed records queue after its
//! lines, and a line written while some are queued queues behind them (see [`Queued`]); a run
//! is handed over with the lines before it. A jump that hands nothing over writes the queue
//! here, at its end, as lines like any others. See `deferred_notice` and `deferred_audit`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::Time;
use super::ids::{IdHash, PackageId, PolicyId, UserId};
use super::json_line::{needs_escaping, push_escaped};
use super::tail::{Batch, Lines, Spill};
use super::tenant::Tenant;
use super::timers::push_minute;

/// About a notification's line, in bytes: typed records are handed over once a jump makes
/// enough to fill a buffer of lines (`SpillSlot::at`), and a run once it would fill one.
pub(super) const LINE_BYTES: usize = 224;

/// From this many buffers' worth of records in a jump (four full runs for each mailbox shard:
/// every shard is staged anyway), the shards' first runs are short (see `deferred_notice`).
const SHORT_FIRST_RUNS_FROM: usize = 4 * super::history::NOTICE_SHARDS as usize;

/// A name as the lines write it, with whether JSON escapes any of it (asked once per name, not
/// once per line: a year's jump writes a name into three million lines).
#[derive(Debug)]
pub(super) struct Name {
    text: Box<str>,
    plain: bool,
}

impl Name {
    fn new(s: &str) -> Self {
        Name { text: s.into(), plain: !needs_escaping(s) }
    }

    /// Appends it inside a JSON string.
    pub fn push_json(&self, out: &mut Vec<u8>) {
        if self.plain {
            out.extend_from_slice(self.text.as_bytes());
        } else {
            push_escaped(out, &self.text);
        }
    }
}

/// The names the records are written with, as the jump began (a jump renames nothing and
/// adds no package), shared with the writer.
#[derive(Debug, Default)]
pub(crate) struct Names {
    packages: HashMap<PackageId, Name, IdHash>,
    users: HashMap<UserId, Name, IdHash>,
    /// The policy revisions that allow an extension (revisions never change): the exceptions
    /// only, a table small enough to stay in the writer's cache when few do.
    extendable: HashSet<(PolicyId, u32), IdHash>,
}

impl Names {
    fn of(t: &Tenant) -> Self {
        Names {
            packages: t.packages.iter().map(|(id, p)| (*id, Name::new(&p.display_name))).collect(),
            users: t.users.iter().map(|(id, u)| (*id, Name::new(&u.display_name))).collect(),
            extendable: t
                .policy_revisions
                .iter()
                .filter(|(_, terms)| terms.lifecycle.allow_extension)
                .map(|(k, _)| *k)
                .collect(),
        }
    }

    /// Names given outright, for the tests of the lines written with them.
    #[cfg(test)]
    pub(super) fn given(
        packages: &[(PackageId, &str)],
        users: &[(UserId, &str)],
        extendable: &[((PolicyId, u32), bool)],
    ) -> Self {
        Names {
            packages: packages.iter().map(|(id, n)| (*id, Name::new(n))).collect(),
            users: users.iter().map(|(id, n)| (*id, Name::new(n))).collect(),
            extendable: extendable.iter().filter(|(_, yes)| *yes).map(|(k, _)| *k).collect(),
        }
    }

    pub(super) fn extendable(&self, terms: (PolicyId, u32)) -> bool {
        self.extendable.contains(&terms)
    }

    /// The package's name (empty for a package the tenant lacks).
    #[cfg(test)]
    pub(super) fn package(&self, id: PackageId) -> &str {
        self.packages.get(&id).map_or("", |n| &n.text)
    }

    /// Appends the package's name inside a JSON string (nothing for a package the tenant lacks).
    pub(super) fn push_package(&self, id: PackageId, out: &mut Vec<u8>) {
        if let Some(n) = self.packages.get(&id) {
            n.push_json(out);
        }
    }

    #[cfg(test)]
    pub(super) fn user(&self, id: UserId) -> Option<&str> {
        self.users.get(&id).map(|n| &*n.text)
    }

    /// The user's name, to append inside a JSON string.
    pub(super) fn user_name(&self, id: UserId) -> Option<&Name> {
        self.users.get(&id)
    }
}

/// What writing lines reuses from one line to the next: a user's id as text, and the last
/// minute written with the time it is (a day's expiries end at the same minute: the year's 1.5
/// million expiry notices at a million assignments name a few hundred, and writing each took
/// 8% of the writer's time).
#[derive(Debug, Default)]
pub(super) struct LineText {
    pub id: String,
    minute: String,
    minute_of: Option<Time>,
}

impl LineText {
    /// `t` as `push_minute` writes it.
    pub fn minute(&mut self, t: Time) -> &str {
        if self.minute_of != Some(t) {
            self.minute.clear();
            push_minute(&mut self.minute, t);
            self.minute_of = Some(t);
        }
        &self.minute
    }
}

/// A record handed over typed: its number in its stream, and its line.
pub(super) trait Typed: Send + 'static {
    fn seq(&self) -> u64;
    /// The record's line (without its newline); `text` is lent.
    fn line(&self, names: &Names, text: &mut LineText, out: &mut Vec<u8>);
}

/// What a stream holds after its lines while a jump hands records over typed: typed records,
/// and the lines of others made after them (kept behind them, in order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Queued<T> {
    Typed(T),
    Written { seq: u64, line: Box<[u8]> },
}

impl<T: Typed> Queued<T> {
    fn seq(&self) -> u64 {
        match self {
            Queued::Typed(r) => r.seq(),
            Queued::Written { seq, .. } => *seq,
        }
    }

    fn line(&self, names: &Names, text: &mut LineText, out: &mut Vec<u8>) {
        match self {
            Queued::Typed(r) => r.line(names, text, out),
            Queued::Written { line, .. } => out.extend_from_slice(line),
        }
    }
}

/// Queues the line `write` writes behind a stream's typed records (a stream with none takes
/// it among its lines, as usual).
pub(super) fn queue_line<T>(queue: &mut Vec<Queued<T>>, seq: u64, write: impl FnOnce(&mut Vec<u8>)) {
    // Made at a line's usual size: grown from nothing, each of a year's lines queued so (the
    // timeouts' and the reviews' notices and events) was copied six times as it was written.
    let mut line = Vec::with_capacity(LINE_BYTES);
    write(&mut line);
    queue.push(Queued::Written { seq, line: line.into_boxed_slice() });
}

/// One stream's lines and queue, and its name.
pub(super) struct Stream<'a, T> {
    pub lines: &'a mut Lines,
    pub queue: &'a mut Vec<Queued<T>>,
    pub name: &'a dyn Fn() -> String,
}

impl<T: Typed> Stream<'_, T> {
    /// Hands the stream's lines over, then its queue, to be written as lines by the spill's writer.
    pub fn spill(self, names: &Arc<Names>, spill: &mut Spill) {
        if !self.lines.is_empty() {
            self.lines.spill(self.name, spill);
        }
        if self.queue.is_empty() {
            return;
        }
        let run = std::mem::replace(self.queue, Vec::with_capacity(self.queue.capacity()));
        let (Some(first), Some(last)) = (run.first().map(Queued::seq), run.last().map(Queued::seq)) else { return };
        let names = names.clone();
        let write = move |out: &mut Vec<u8>| {
            let mut text = LineText::default();
            for r in &run {
                r.line(&names, &mut text, out);
                out.push(b'\n');
            }
        };
        let spare = spill(&(self.name)(), Batch::Later(Box::new(write)), first, last);
        self.lines.spilled_to(last, spare);
    }

    /// At the end of a jump: the queue is handed over when any of the stream was (a stream
    /// spilled at all is spilled whole), else written here as lines after its lines.
    pub fn settle(self, names: &Arc<Names>, spill: Option<&mut Spill>) {
        match spill {
            Some(spill) if self.lines.was_spilled() => self.spill(names, spill),
            _ => {
                let mut text = LineText::default();
                for r in self.queue.drain(..) {
                    self.lines.push_with(r.seq(), |out| r.line(names, &mut text, out));
                }
            }
        }
    }
}

impl Tenant {
    /// From here until `settle_deferred`: the records of a jump that makes about `records` of
    /// them are handed over typed, when the command runs in a store and they would fill a
    /// buffer of lines at least.
    pub(super) fn defer_history(&mut self, records: usize) {
        let Some((_, at)) = self.idx.spill.get() else { return };
        if records.saturating_mul(LINE_BYTES) >= at {
            self.idx.deferring = Some(Arc::new(Names::of(self)));
            let runs = records.saturating_mul(LINE_BYTES) / at.max(1);
            self.idx.short_first_runs = runs >= SHORT_FIRST_RUNS_FROM;
        }
    }

    /// The records handed over typed since `defer_history` are spilled or written as lines:
    /// none is left typed once the jump is over.
    pub(super) fn settle_deferred(&mut self) {
        self.idx.short_first_runs = false;
        let Some(names) = self.idx.deferring.take() else { return };
        let mut spill = self.idx.spill.get().map(|(s, _)| s);
        self.notifications.settle_deferred(&names, spill.as_deref_mut());
        self.audit.settle_deferred(&names, spill);
    }

    /// How many typed records make a run handed over at once (a buffer's worth of lines).
    pub(super) fn deferred_run(&mut self) -> usize {
        self.idx.spill.get().map_or(usize::MAX, |(_, at)| (at / LINE_BYTES).max(1))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn the_kept_minute_is_the_minute_of_the_time_asked_for_each_time() {
        let at = |d: u32, h: u32, m: u32, s: u32| {
            chrono::Utc.with_ymd_and_hms(2027, 1, d, h, m, s).single().expect("a time")
        };
        // Repeats, a change of day, of minute, a second within the same minute, and back.
        let times = [at(4, 9, 0, 0), at(4, 9, 0, 0), at(5, 9, 0, 0), at(4, 9, 0, 0), at(4, 9, 1, 0), at(4, 9, 1, 30)];
        let mut text = LineText::default();
        for t in times {
            let mut fresh = String::new();
            push_minute(&mut fresh, t);
            assert_eq!(text.minute(t), fresh, "{t}");
        }
    }
}
