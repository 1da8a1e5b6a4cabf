//! The notifications a long clock jump sends by the million (two expiry notices and an expiry's
//! notice for every assignment that ends), handed to the store typed while the jump runs in a
//! store: a few words each (whom, which package, when), which the store's writer thread turns
//! into their lines on the other core, instead of the thread that fires the timers writing a
//! couple of hundred bytes of JSON each into cold memory. The lines are the bytes `notify` writes
//! for the same notification, and a mailbox's lines keep their order: what a mailbox holds as
//! lines is spilled before a typed notice follows it, and its typed notices before a line does.
//! A jump that spills nothing writes them here, at its end, as lines like any others.

use std::collections::HashMap;
use std::sync::Arc;

use super::Time;
use super::history::notice_shard_stream;
use super::ids::{AssignmentId, IdHash, PackageId, UserId};
use super::log::NoticeLine;
use super::tail::{Batch, NoticeTail, Spill, shard_of};
use super::tenant::Tenant;
use super::timers::{push_minute, push_number};

/// About a notification's line, in bytes: a run of typed notices is handed over once it would
/// fill a buffer of lines (`SpillSlot::at`).
const NOTICE_LINE_BYTES: usize = 224;

/// The packages' names as the jump began (a jump renames nothing), shared with the writer.
#[derive(Debug, Default)]
pub(crate) struct PackageNames(HashMap<PackageId, Box<str>, IdHash>);

impl PackageNames {
    fn of(t: &Tenant) -> Self {
        PackageNames(t.packages.iter().map(|(id, p)| (*id, p.display_name.as_str().into())).collect())
    }

    fn get(&self, id: PackageId) -> &str {
        self.0.get(&id).map_or("", |n| n)
    }
}

/// What a typed notification says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Notice {
    /// "Your access to 'P' expires in N days" (or "tomorrow"), with the end and whether the
    /// policy lets it be extended.
    ExpiresSoon { end: Option<Time>, extendable: bool, days: u32 },
    /// "Your access to 'P' has expired": an expiry's notice (no body).
    Expired,
}

/// One notification handed over typed (see the module docs): about an assignment to a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DeferredNotice {
    seq: u64,
    to: UserId,
    at: Time,
    assignment: AssignmentId,
    package: PackageId,
    what: Notice,
}

/// What a mailbox shard holds after its lines while a jump hands notices over typed: typed
/// notices, and the lines of other notifications sent after them (kept behind them, in order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Queued {
    Typed(DeferredNotice),
    Written { seq: u64, line: Box<[u8]> },
}

impl Queued {
    fn seq(&self) -> u64 {
        match self {
            Queued::Typed(n) => n.seq,
            Queued::Written { seq, .. } => *seq,
        }
    }

    /// The line (without its newline); `text` is lent.
    fn line(&self, names: &PackageNames, text: &mut [String; 2], out: &mut Vec<u8>) {
        match self {
            Queued::Typed(n) => n.line(names, text, out),
            Queued::Written { line, .. } => out.extend_from_slice(line),
        }
    }
}

impl Notice {
    /// The notification's subject and body about package `pname`, written over the two; gives
    /// its kind.
    fn texts(self, pname: &str, subject: &mut String, body: &mut String) -> &'static str {
        match self {
            Notice::ExpiresSoon { end, extendable, days } => {
                expiry_notice_text(pname, end, extendable, days, subject, body);
                "expiresSoon"
            }
            Notice::Expired => {
                access_subject(pname, "' has expired", subject);
                body.clear();
                "expired"
            }
        }
    }
}

impl DeferredNotice {
    /// The notification's line (without its newline), as `notify` writes it; `text` is lent.
    fn line(&self, names: &PackageNames, text: &mut [String; 2], out: &mut Vec<u8>) {
        let [subject, body] = text;
        let kind = self.what.texts(names.get(self.package), subject, body);
        let about = Some(self.assignment.into());
        let line = NoticeLine { seq: self.seq, to: self.to, at: self.at, kind, about, subject, body, read: false };
        line.write(out);
    }
}

/// "Your access to 'P" followed by `ending`, written over `out`.
pub(super) fn access_subject(pname: &str, ending: &str, out: &mut String) {
    out.clear();
    out.push_str("Your access to '");
    out.push_str(pname);
    out.push_str(ending);
}

/// The subject and body of the notice sent `days` before an assignment to package `pname` ends
/// (at `end`), written over `subject` and `body` with no format machinery.
pub(super) fn expiry_notice_text(
    pname: &str,
    end: Option<Time>,
    extendable: bool,
    days: u32,
    subject: &mut String,
    body: &mut String,
) {
    if days == 1 {
        access_subject(pname, "' expires tomorrow", subject);
    } else {
        access_subject(pname, "' expires in ", subject);
        push_number(subject, days);
        subject.push_str(" days");
    }
    body.clear();
    body.push_str("Ends ");
    if let Some(end) = end {
        push_minute(body, end);
    }
    body.push('.');
    if extendable {
        body.push_str(" You can extend it in My Access.");
    }
}

impl NoticeTail {
    /// Queues a typed notice after what its mailbox shard holds, and hands the shard's lines and
    /// queue over once the queue is `run` long.
    fn push_deferred(&mut self, n: DeferredNotice, names: &Arc<PackageNames>, spill: &mut Spill, run: usize) {
        let shard = shard_of(n.to);
        if self.deferred.len() <= shard {
            self.deferred.resize_with(shard.saturating_add(1), Vec::new);
        }
        let Some(queue) = self.deferred.get_mut(shard) else { return };
        queue.push(Queued::Typed(n));
        self.count = self.count.saturating_add(1);
        if queue.len() >= run {
            self.spill_deferred(shard, names, spill);
        }
    }

    /// Hands a shard's lines over, then its queue, to be written as lines by the spill's writer.
    fn spill_deferred(&mut self, shard: usize, names: &Arc<PackageNames>, spill: &mut Spill) {
        let stream = || notice_shard_stream(u64::try_from(shard).unwrap_or(0));
        if let Some(lines) = self.shards.get_mut(shard).filter(|l| !l.is_empty()) {
            lines.spill(stream, spill);
        }
        let Some(queue) = self.deferred.get_mut(shard).filter(|q| !q.is_empty()) else { return };
        let run = std::mem::replace(queue, Vec::with_capacity(queue.capacity()));
        let (Some(first), Some(last)) = (run.first().map(Queued::seq), run.last().map(Queued::seq)) else { return };
        let names = names.clone();
        let write = move |out: &mut Vec<u8>| {
            let mut text = [String::new(), String::new()];
            for n in &run {
                n.line(&names, &mut text, out);
                out.push(b'\n');
            }
        };
        let spare = spill(&stream(), Batch::Later(Box::new(write)), first, last);
        if self.shards.len() <= shard {
            self.shards.resize_with(shard.saturating_add(1), Default::default);
        }
        if let Some(lines) = self.shards.get_mut(shard) {
            lines.spilled_to(last, spare);
        }
    }

    /// At the end of a jump: each shard's queue is handed over when any of its stream was (a
    /// stream spilled at all is spilled whole), else written here as lines after its lines.
    fn settle_deferred(&mut self, names: &Arc<PackageNames>, mut spill: Option<&mut Spill>) {
        let mut text = [String::new(), String::new()];
        for shard in 0..self.deferred.len() {
            let spilled = self.shards.get(shard).is_some_and(|l| l.was_spilled());
            match spill.as_deref_mut() {
                Some(spill) if spilled => self.spill_deferred(shard, names, spill),
                _ => {
                    if self.shards.len() <= shard {
                        self.shards.resize_with(shard.saturating_add(1), Default::default);
                    }
                    let (Some(queue), Some(lines)) = (self.deferred.get_mut(shard), self.shards.get_mut(shard)) else {
                        continue;
                    };
                    for n in queue.drain(..) {
                        lines.push_with(n.seq(), |out| n.line(names, &mut text, out));
                    }
                }
            }
        }
        self.deferred.clear();
    }
}

impl Tenant {
    /// From here until `settle_deferred`: the notices of a jump that makes about `notices` of
    /// them are handed over typed, when the command runs in a store and they would fill a
    /// buffer of lines at least.
    pub(super) fn defer_notices(&mut self, notices: usize) {
        let Some((_, at)) = self.idx.spill.get() else { return };
        if notices.saturating_mul(NOTICE_LINE_BYTES) >= at {
            self.idx.deferring = Some(Arc::new(PackageNames::of(self)));
        }
    }

    /// The notices handed over typed since `defer_notices` are spilled or written as lines:
    /// none is left typed once the jump is over.
    pub(super) fn settle_deferred(&mut self) {
        let Some(names) = self.idx.deferring.take() else { return };
        let spill = self.idx.spill.get().map(|(s, _)| s);
        self.notifications.settle_deferred(&names, spill);
    }

    /// Sends `to` a notice about their assignment `aid` to `package`: typed while the jump
    /// defers notices, else written as `notify` writes it.
    pub(super) fn notify_about(&mut self, to: UserId, aid: AssignmentId, package: PackageId, what: Notice) {
        let Some(names) = self.idx.deferring.clone() else {
            let [mut subject, mut body] = std::mem::take(&mut self.idx.scratch);
            let pname = self.packages.get(&package).map_or("", |p| p.display_name.as_str());
            let kind = what.texts(pname, &mut subject, &mut body);
            self.notify(to, kind, aid, &subject, &body);
            self.idx.scratch = [subject, body];
            return;
        };
        self.notice_seq = self.notice_seq.saturating_add(1);
        let seq = self.notice_seq;
        // Marked unread when the command settles (`settle_unread`).
        self.idx.unread_new.push((to, seq));
        if self.idx.on_disk.as_mut().is_some_and(|d| d.notices_hold(to, seq)) {
            return;
        }
        let n = DeferredNotice { seq, to, at: self.clock.now, assignment: aid, package, what };
        match self.idx.spill.get() {
            Some((spill, at)) => {
                let run = (at / NOTICE_LINE_BYTES).max(1);
                self.notifications.push_deferred(n, &names, spill, run);
            }
            // Deferring is only ever set with a spill; written at once all the same.
            None => {
                let mut text = [String::new(), String::new()];
                self.notifications.push_with(to, seq, |out| n.line(&names, &mut text, out));
            }
        }
    }
}
