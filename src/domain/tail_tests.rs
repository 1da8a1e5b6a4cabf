use chrono::TimeZone;

use super::*;
use crate::domain::Time;

fn at() -> Time {
    chrono::Utc.with_ymd_and_hms(2026, 11, 16, 9, 0, 0).single().expect("a time")
}

fn notice(seq: u64, to: u64) -> Notification {
    Notification {
        seq,
        to: UserId(to),
        at: at(),
        kind: "granted".into(),
        about: None,
        subject: format!("n{seq}"),
        body: String::new(),
        read: false,
    }
}

#[test]
fn lines_hold_each_record_once_as_its_json_line_and_read_back() {
    let mut l = Lines::default();
    l.push(4, &notice(4, 1));
    l.push(9, &notice(9, 2));
    let text = String::from_utf8(l.bytes().to_vec()).expect("text");
    let expected = format!(
        "{}\n{}\n",
        serde_json::to_string(&notice(4, 1)).expect("json"),
        serde_json::to_string(&notice(9, 2)).expect("json")
    );
    assert_eq!(text, expected);
    assert_eq!(l.ends().iter().map(|e| e.0).collect::<Vec<_>>(), [4, 9]);
    assert_eq!(l.ends().last().map(|e| e.1), Some(text.len()));
    assert_eq!(l.records::<Notification>().collect::<Vec<_>>(), [notice(4, 1), notice(9, 2)]);
    assert_eq!(l.records::<Notification>().next_back(), Some(notice(9, 2)), "read from the end too");
    assert_eq!(l.last_seq(), Some(9));
}

#[test]
fn mailboxes_go_to_their_shard_and_read_back_per_user_and_in_order() {
    let mut t = NoticeTail::default();
    // Users 1 and 65 share a shard; 2 has its own.
    for (seq, to) in [(1, 1), (2, 65), (3, 2), (4, 1)] {
        t.push(UserId(to), seq, &notice(seq, to));
    }
    assert_eq!(t.len(), 4);
    assert_eq!(t.of(UserId(1)).map(|n| n.seq).collect::<Vec<_>>(), [1, 4]);
    assert_eq!(t.of(UserId(65)).map(|n| n.seq).collect::<Vec<_>>(), [2]);
    assert_eq!(t.to_vec().iter().map(|n| n.seq).collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert_eq!(t.shards().map(|(s, l)| (s, l.len())).collect::<Vec<_>>(), [(1, 3), (2, 1)]);
    assert_eq!(t.last_seq(), Some(4));
    // As a list and back: the same notifications.
    let json = serde_json::to_string(&t).expect("json");
    let back: NoticeTail = serde_json::from_str(&json).expect("reads");
    assert_eq!(back.to_vec(), t.to_vec());
}

#[test]
fn a_rewrite_changes_only_the_user_s_lines_it_is_asked_to() {
    let mut t = NoticeTail::default();
    for (seq, to) in [(1, 1), (2, 65), (3, 1)] {
        t.push(UserId(to), seq, &notice(seq, to));
    }
    t.rewrite(UserId(1), |n| {
        let mark = n.seq == 3;
        n.read |= mark;
        mark
    });
    let read: Vec<(u64, bool)> = t.to_vec().iter().map(|n| (n.seq, n.read)).collect();
    assert_eq!(read, [(1, false), (2, false), (3, true)]);
    let mut expected = notice(3, 1);
    expected.read = true;
    let last = t.shards().next().and_then(|(_, l)| l.lines().last().map(|(_, b)| b.to_vec()));
    assert_eq!(last, serde_json::to_vec(&expected).ok(), "written as the notification serializes");
}
