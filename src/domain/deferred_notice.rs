//! The notifications a long clock jump hands over typed (see `deferred`): the two notices
//! before an assignment expires and the one when it has.

use std::sync::Arc;

use super::Time;
use super::deferred::{LineText, Names, Queued, Stream, Typed};
use super::history::notice_shard_stream;
use super::ids::{AssignmentId, PackageId, PolicyId, UserId};
use super::json_line::push_int;
use super::tail::{NoticeTail, Spill, shard_of};
use super::tenant::Tenant;
use super::timers::{push_minute, push_number};

/// What a typed notification says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Notice {
    /// "Your access to 'P' expires in N days" (or "tomorrow"), with the end and the policy
    /// revision it was granted under (the text says whether that lets it be extended: asked
    /// where the text is written, which for a jump's notices is the writer's thread).
    ExpiresSoon { end: Option<Time>, terms: (PolicyId, u32), days: u32 },
    /// "Your access to 'P' has expired": an expiry's notice (no body).
    Expired,
}

/// One notification handed over typed: about an assignment to a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DeferredNotice {
    seq: u64,
    to: UserId,
    at: Time,
    assignment: AssignmentId,
    package: PackageId,
    what: Notice,
}

impl Notice {
    /// The notification's subject and body about package `pname`, written over the two; gives
    /// its kind.
    fn texts(
        self,
        pname: &str,
        extendable: impl FnOnce((PolicyId, u32)) -> bool,
        subject: &mut String,
        body: &mut String,
    ) -> &'static str {
        match self {
            Notice::ExpiresSoon { end, terms, days } => {
                expiry_notice_text(pname, end, extendable(terms), days, subject, body);
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

impl Typed for DeferredNotice {
    fn seq(&self) -> u64 {
        self.seq
    }

    /// The notification's line, as `notify` writes it (the texts as `Notice::texts` words
    /// them): what is the same for every notice of its kind is written as one piece (a year's
    /// jump writes two and a half million).
    fn line(&self, names: &Names, text: &mut LineText, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"seq\":");
        push_int(out, self.seq);
        out.extend_from_slice(b",\"to\":");
        push_int(out, self.to.0);
        out.extend_from_slice(b",\"at\":");
        push_int(out, self.at.timestamp());
        match self.what {
            Notice::ExpiresSoon { end, terms, days } => {
                out.extend_from_slice(b",\"kind\":\"expiresSoon\",\"about\":{\"assignment\":");
                push_int(out, self.assignment.0);
                out.extend_from_slice(b"},\"subject\":\"Your access to '");
                names.push_package(self.package, out);
                if days == 1 {
                    out.extend_from_slice(b"' expires tomorrow");
                } else {
                    out.extend_from_slice(b"' expires in ");
                    push_int(out, days);
                    out.extend_from_slice(b" days");
                }
                out.extend_from_slice(b"\",\"body\":\"Ends ");
                if let Some(end) = end {
                    out.extend_from_slice(text.minute(end).as_bytes());
                }
                out.push(b'.');
                if names.extendable(terms) {
                    out.extend_from_slice(b" You can extend it in My Access.");
                }
                out.extend_from_slice(b"\",\"read\":false}");
            }
            Notice::Expired => {
                out.extend_from_slice(b",\"kind\":\"expired\",\"about\":{\"assignment\":");
                push_int(out, self.assignment.0);
                out.extend_from_slice(b"},\"subject\":\"Your access to '");
                names.push_package(self.package, out);
                out.extend_from_slice(b"' has expired\",\"read\":false}");
            }
        }
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

/// In a jump long enough that every shard fills several runs (`Indexes::short_first_runs`), a
/// shard's first run of typed notices is handed over at this many, so that the writer starts on
/// the other core at once: with only full runs (a buffer's worth, about 4,700 notices) it had
/// nothing to do until 64 shards had filled theirs, 300,000 notices into a year's jump. (In a
/// shorter jump a shard that fills no run is written with its stream's other lines, not staged
/// as a segment of its own: short runs there would change the files.)
const FIRST_RUN: usize = 256;

/// After the first, a shard is handed over once it queued one notice for every this many the
/// command sent (up to a full run): a shard's runs double, as each fills in the time the last
/// took and the command's notices, spread over the 64 shards, double meanwhile. (A year's jump
/// first sends 50,000 timeouts' notices as lines, so its first runs are not short: counted
/// among the typed notices only, they were, and the year took 0.1 to 0.3 s longer in paired
/// runs on a directory without history files, as the benchmark's are: small staged writes.)
const RUN_GROWS_BY: usize = 128;

impl NoticeTail {
    /// One mailbox shard's lines and queue (made if need be).
    fn stream<'a>(&'a mut self, shard: usize, name: &'a dyn Fn() -> String) -> Option<Stream<'a, DeferredNotice>> {
        if self.shards.len() <= shard {
            self.shards.resize_with(shard.saturating_add(1), Default::default);
        }
        if self.deferred.len() <= shard {
            self.deferred.resize_with(shard.saturating_add(1), Vec::new);
        }
        let (lines, queue) = (self.shards.get_mut(shard)?, self.deferred.get_mut(shard)?);
        Some(Stream { lines, queue, name })
    }

    /// Queues a typed notice in its mailbox shard, and hands the shard over once `run` are queued.
    fn push_deferred(&mut self, n: DeferredNotice, names: &Arc<Names>, spill: &mut Spill, run: usize) {
        let shard = shard_of(n.to);
        let name = || notice_shard_stream(u64::try_from(shard).unwrap_or(0));
        let Some(s) = self.stream(shard, &name) else { return };
        // A run's queue is made at its size: grown by doubling, the runs of a year's jump
        // were copied and their fresh pages faulted in again and again (the runs grow).
        if s.queue.is_empty() && s.queue.capacity() < run {
            *s.queue = Vec::with_capacity(run);
            super::prefault::prefault(s.queue);
        }
        s.queue.push(Queued::Typed(n));
        // Handed over full rather than grown: `run` grows with the command's notices, past
        // the room the queue was made with (the copies of a year's growing queues were 1% of
        // the main thread's firing, their fresh pages faulted in again).
        if s.queue.len() >= run || s.queue.len() == s.queue.capacity() {
            s.spill(names, spill);
        }
        self.count = self.count.saturating_add(1);
    }

    /// At the end of a jump: every shard's queue handed over or written as lines.
    pub(super) fn settle_deferred(&mut self, names: &Arc<Names>, mut spill: Option<&mut Spill>) {
        for shard in 0..self.deferred.len() {
            let name = || notice_shard_stream(u64::try_from(shard).unwrap_or(0));
            if let Some(s) = self.stream(shard, &name) {
                s.settle(names, spill.as_deref_mut());
            }
        }
        self.deferred.clear();
    }
}

impl Tenant {
    /// Sends `to` a notice about their assignment `aid` to `package`: typed while the jump
    /// hands records over, else written as `notify` writes it.
    pub(super) fn notify_about(&mut self, to: UserId, aid: AssignmentId, package: PackageId, what: Notice) {
        if self.idx.deferring.is_none() {
            let [mut subject, mut body] = std::mem::take(&mut self.idx.scratch);
            let extendable = match what {
                Notice::ExpiresSoon { terms, .. } => self.extendable(terms),
                Notice::Expired => false,
            };
            let pname = self.packages.get(&package).map_or("", |p| p.display_name.as_str());
            let kind = what.texts(pname, |_| extendable, &mut subject, &mut body);
            self.notify(to, kind, aid, &subject, &body);
            self.idx.scratch = [subject, body];
            return;
        };
        self.notice_seq = self.notice_seq.saturating_add(1);
        let seq = self.notice_seq;
        // Marked unread when the command settles (`mark_unread`).
        self.idx.unread_new.push((to, seq));
        if self.idx.on_disk.as_mut().is_some_and(|d| d.notices_hold(to, seq)) {
            return;
        }
        let n = DeferredNotice { seq, to, at: self.clock.now, assignment: aid, package, what };
        let mut run = self.deferred_run();
        if self.idx.short_first_runs {
            run = run.min((self.notifications.len() / RUN_GROWS_BY).max(FIRST_RUN));
        }
        // The names are borrowed, not cloned: their count is written by no one but a run's
        // hand-over (the writer thread reads next to it all the time).
        let Some(names) = self.idx.deferring.as_ref() else { return };
        match self.idx.spill.get() {
            Some((spill, _)) => self.notifications.push_deferred(n, names, spill, run),
            // Records are only handed over with a spill; written at once all the same.
            None => {
                let mut text = LineText::default();
                self.notifications.push_with(to, seq, |out| n.line(names, &mut text, out));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::domain::log::NoticeLine;

    /// The line as `notify` writes it: the texts of `Notice::texts`, written by `NoticeLine`.
    fn by_parts(n: &DeferredNotice, names: &Names) -> Vec<u8> {
        let (mut subject, mut body) = (String::new(), String::new());
        let kind = n.what.texts(names.package(n.package), |terms| names.extendable(terms), &mut subject, &mut body);
        let about = Some(n.assignment.into());
        let line =
            NoticeLine { seq: n.seq, to: n.to, at: n.at, kind, about, subject: &subject, body: &body, read: false };
        let mut out = Vec::new();
        line.write(&mut out);
        out
    }

    #[test]
    fn a_typed_notice_s_line_is_the_line_notify_writes() {
        let names = Names::given(
            &[(PackageId(3), "Sales \"EMEA\" \\ tools\n"), (PackageId(4), "Café – 😀"), (PackageId(5), "")],
            &[],
            &[((PolicyId(7), 1), true), ((PolicyId(7), 2), false)],
        );
        let at = chrono::Utc.with_ymd_and_hms(2027, 1, 31, 23, 59, 0).single().expect("a time");
        let ends =
            [None, Some(at), Some(chrono::Utc.with_ymd_and_hms(9999, 12, 31, 0, 5, 0).single().expect("a time"))];
        let mut whats = vec![Notice::Expired];
        for end in ends {
            for days in [1, 2, 14, 100, u32::MAX] {
                for terms in [(PolicyId(7), 1), (PolicyId(7), 2), (PolicyId(8), 1)] {
                    whats.push(Notice::ExpiresSoon { end, terms, days });
                }
            }
        }
        let mut seen = 0;
        for what in whats {
            for package in [PackageId(3), PackageId(4), PackageId(5), PackageId(6)] {
                let n =
                    DeferredNotice { seq: u64::MAX, to: UserId(12), at, assignment: AssignmentId(0), package, what };
                let mut typed = Vec::new();
                n.line(&names, &mut LineText::default(), &mut typed);
                assert_eq!(String::from_utf8_lossy(&typed), String::from_utf8_lossy(&by_parts(&n, &names)), "{n:?}");
                seen += 1;
            }
        }
        assert_eq!(seen, 4 * (1 + 3 * 5 * 3));
    }
}
