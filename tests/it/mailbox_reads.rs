//! A mailbox read on from where the last read stopped (`Session::mailbox_since`, what the
//! Notifications tab does on every change of the data) is the mailbox read whole
//! (`Session::mailbox`): on the demo tenant, after notices are made and written, after a
//! compaction, for another user; and it reads only what the files added since (a line it had
//! read, then damaged, is not read again), parsing only the lines of its user.

use std::path::{Path, PathBuf};

use entitle::domain::history::{notice_line_recipient, notice_stream};
use entitle::domain::{Actor, Command, Notification, UserId};
use entitle::session::{MailboxRead, Session};

/// The demo tenant in `dir`, with a session of the system.
fn demo(dir: &Path) -> Session {
    let (store, _) =
        Session::init(dir, true, "admin@example.com", entitle::store::LockWait::default()).expect("the demo");
    Session::new(store, Actor::System)
}

/// The users of the tenant whose mailbox holds something, by id.
fn with_mail(s: &Session) -> Vec<UserId> {
    let ids: Vec<UserId> = s.store.state().users.keys().copied().collect();
    ids.into_iter().filter(|u| !s.mailbox(*u).expect("a mailbox").is_empty()).collect()
}

/// The mailbox from every line of its shard, each parsed (what reading it did before).
fn parsed_whole(s: &Session, user: UserId) -> Vec<Notification> {
    let lines = s.store.history::<Notification>(&notice_stream(user)).expect("the shard reads");
    s.store.state().mailbox(user, lines)
}

/// Reading on with `read` gives what parsing the whole shard gives, and so does a fresh read.
fn same(s: &Session, user: UserId, read: &mut MailboxRead) -> usize {
    let whole = parsed_whole(s, user);
    assert_eq!(s.mailbox_since(user, read).expect("read on"), whole, "{user}");
    assert_eq!(s.mailbox(user).expect("read afresh"), whole, "{user}");
    whole.len()
}

/// The administrator moves the clock on by `days`: notices of expiries and reviews come.
fn days_pass(s: &mut Session, days: i64) {
    let admin = s.store.state().users.values().find(|u| u.global_admin).map(|u| u.id).expect("an administrator");
    s.run_as(Actor::user(admin), Command::AdvanceClock { seconds: days * 24 * 3600 }).expect("the clock moves");
}

/// The demo tenant in a temporary directory a month on, and a user with mail then.
fn demo_a_month_on() -> (tempfile::TempDir, PathBuf, Session, UserId) {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("data");
    let mut s = demo(&dir);
    days_pass(&mut s, 30);
    let user = *with_mail(&s).first().expect("someone has mail");
    (tmp, dir, s, user)
}

/// The last segment of the user's mailbox shard.
fn last_segment(dir: &Path, user: UserId) -> PathBuf {
    let stream = dir.join("history").join(notice_stream(user));
    let mut segments: Vec<PathBuf> =
        std::fs::read_dir(stream).expect("the shard").flatten().map(|e| e.path()).collect();
    segments.retain(|p| p.extension().is_some_and(|e| e == "jsonl"));
    segments.sort();
    segments.pop().expect("a segment")
}

#[test]
fn a_mailbox_read_on_is_the_mailbox_read_whole_as_notices_come_and_go_to_the_files() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("data");
    let mut s = demo(&dir);
    let users = with_mail(&s);
    let user = *users.first().expect("someone in the demo has mail");
    let mut read = MailboxRead::default();
    let first = same(&s, user, &mut read);

    // Notices made by a clock jump, written to the files by its commit: read on, the same.
    days_pass(&mut s, 200);
    let later = same(&s, user, &mut read);
    assert!(later >= first, "{first} then {later}");
    let most = users.iter().map(|u| s.mailbox(*u).expect("a mailbox").len()).max().unwrap_or(0);
    assert!(most > first.min(later), "the jump sent someone notices");

    // After a compaction, and for every other user with the same reader (it starts over).
    s.store.compact().expect("compacts");
    same(&s, user, &mut read);
    for other in with_mail(&s) {
        same(&s, other, &mut read);
    }
    same(&s, user, &mut read);
}

#[test]
fn a_mailbox_read_on_reads_only_what_the_files_added_since() {
    let (_tmp, dir, mut s, user) = demo_a_month_on();
    let mut read = MailboxRead::default();
    let before = same(&s, user, &mut read);

    // The shard's first line damaged (same length, so nothing after it moves): reading whole
    // now fails on it, reading on never looks at it again.
    let segment = last_segment(&dir, user);
    let mut bytes = std::fs::read(&segment).expect("the segment");
    let end = bytes.iter().position(|b| *b == b'\n').expect("a line");
    bytes[..end].fill(b'#');
    std::fs::write(&segment, &bytes).expect("damaged");
    assert!(s.mailbox(user).is_err(), "a whole read meets the damaged line");
    let on = s.mailbox_since(user, &mut read).expect("read on");
    assert_eq!(on.len(), before, "nothing new: the same mailbox");

    // New notices after it are read on too.
    days_pass(&mut s, 200);
    let more = s.mailbox_since(user, &mut read).expect("read on past the damage");
    assert!(more.len() >= before, "{before} then {}", more.len());
    assert_eq!(&more[..before], &on[..], "what was read stays, oldest first");
}

#[test]
fn a_notice_line_names_its_recipient_only_in_the_form_this_program_writes() {
    let line = br#"{"seq":58,"to":832,"at":1767603600,"kind":"granted","subject":"x","read":false}"#;
    assert_eq!(notice_line_recipient(line), Some(UserId(832)));
    assert_eq!(notice_line_recipient(br#"{"seq":1,"to":7}"#), Some(UserId(7)));
    // Any other beginning is parsed, not guessed: keys in another order, spaces, a number cut
    // short or too long, text in quotes.
    for other in [
        &br#"{"to":832,"seq":58}"#[..],
        br#"{ "seq":58,"to":832}"#,
        br#"{"seq":58, "to":832}"#,
        br#"{"seq":,"to":832}"#,
        br#"{"seq":58,"to":}"#,
        br#"{"seq":58,"to":832.5}"#,
        br#"{"seq":58,"to":99999999999999999999999,"at":1}"#,
        br#"{"seq":58,"to":"832"}"#,
        b"",
    ] {
        assert_eq!(notice_line_recipient(other), None, "{}", String::from_utf8_lossy(other));
    }
}

#[test]
fn a_hand_edited_notice_line_is_still_read_for_its_recipient() {
    let (_tmp, dir, s, user) = demo_a_month_on();
    let before = parsed_whole(&s, user);
    // The user's first line rewritten with its keys in another order.
    let segment = last_segment(&dir, user);
    let text = std::fs::read_to_string(&segment).expect("the segment");
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let at =
        lines.iter().position(|l| notice_line_recipient(l.as_bytes()) == Some(user)).expect("a line of the user's");
    let value: serde_json::Value = serde_json::from_str(&lines[at]).expect("json");
    let (seq, to) = (value["seq"].clone(), value["to"].clone());
    let mut moved = serde_json::Map::new();
    moved.insert("to".into(), to);
    moved.insert("seq".into(), seq);
    for (k, v) in value.as_object().expect("an object") {
        moved.entry(k.clone()).or_insert_with(|| v.clone());
    }
    lines[at] = serde_json::Value::Object(moved).to_string();
    assert_eq!(notice_line_recipient(lines[at].as_bytes()), None, "not in the written form");
    std::fs::write(&segment, lines.join("\n") + "\n").expect("edited");
    assert_eq!(s.mailbox(user).expect("reads"), before, "the edited line is read, parsed");
}
