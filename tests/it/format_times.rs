//! How times are persisted: integer seconds since the Unix epoch, in the snapshot's state and in
//! journal entries alike. The RFC 3339 text that earlier versions wrote still reads, and a time
//! outside the years 1970 to 9999 is refused by the parse, never a panic.

use chrono::{TimeZone, Utc};
use entitle::domain::*;
use serde_json::Value;

/// The first RFC 3339-looking timestamp (`2026-01-05T09:00`) in a text, if any.
fn first_text_time(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    let shape = b"dddd-dd-ddTdd:dd";
    (0..b.len().saturating_sub(shape.len())).find_map(|i| {
        let fits = shape.iter().zip(&b[i..]).all(|(want, got)| match want {
            b'd' => got.is_ascii_digit(),
            w => got == w,
        });
        fits.then(|| &s[i..i + shape.len()])
    })
}

/// Every field that holds a time, as the files name it.
const TIME_KEYS: [&str; 15] = [
    "at",
    "now",
    "frozen",
    "createdAt",
    "modifiedAt",
    "startsOn",
    "start",
    "end",
    "endedAt",
    "completedAt",
    "stageStarted",
    "decidedAt",
    "deletedAt",
    "removeAt",
    "nextReviewAt",
];

/// Rewrite every integer time below `v` as RFC 3339 text, as earlier versions wrote it; returns
/// how many it rewrote.
fn times_to_text(v: &mut Value) -> usize {
    match v {
        Value::Object(o) => {
            let mut n = 0;
            let on_date = o.get("type").and_then(Value::as_str) == Some("onDate");
            // The audit's before and after are free-form JSON, kept as written.
            for (k, x) in o.iter_mut().filter(|(k, _)| !matches!(k.as_str(), "before" | "after")) {
                let is_time = TIME_KEYS.contains(&k.as_str()) || (on_date && k == "value");
                match x.as_i64() {
                    Some(secs) if is_time => {
                        *x = Value::String(Utc.timestamp_opt(secs, 0).unwrap().to_rfc3339());
                        n += 1;
                    }
                    _ => n += times_to_text(x),
                }
            }
            n
        }
        Value::Array(a) => a.iter_mut().map(times_to_text).sum(),
        _ => 0,
    }
}

fn demo() -> Tenant {
    entitle::demo::demo_tenant().expect("the demo builds")
}

#[test]
fn the_demo_tenant_is_written_with_integer_times_and_reads_back_equal() {
    let t = demo();
    let json = serde_json::to_string(&t).unwrap();
    assert_eq!(first_text_time(&json), None, "no RFC 3339 timestamp is written");
    let now = serde_json::to_value(&t).unwrap()["clock"]["now"].clone();
    assert_eq!(now.as_i64(), Some(t.clock.now.timestamp()), "the clock is integer seconds: {now}");
    let mut back: Tenant = serde_json::from_str(&json).expect("reads back");
    back.rebuild_indexes();
    assert!(serde_json::to_string(&back).unwrap() == json, "reads back equal");
    assert_eq!(back.clock, t.clock);
    for (a, b) in t.assignments.values().zip(back.assignments.values()) {
        assert_eq!(a, b, "an assignment reads back equal, its terms resolved from its revision");
    }
    assert_eq!(back.requests, t.requests);
}

#[test]
fn a_tenant_written_with_text_times_reads_back_the_same() {
    let t = demo();
    let mut v = serde_json::to_value(&t).unwrap();
    let rewritten = times_to_text(&mut v);
    assert!(rewritten > 100, "the demo holds many times: {rewritten}");
    let text = v.to_string();
    assert!(first_text_time(&text).is_some());
    let mut back: Tenant = serde_json::from_str(&text).expect("text times read");
    back.rebuild_indexes();
    let (back, t) = (serde_json::to_string(&back).unwrap(), serde_json::to_string(&t).unwrap());
    let differs = back.bytes().zip(t.bytes()).position(|(a, b)| a != b);
    assert!(back == t, "differs at {differs:?}: {}", &back[differs.unwrap_or(0).saturating_sub(200)..][..400]);
}

#[test]
fn journal_entries_are_written_with_integer_times_and_old_text_entries_still_read() {
    let at = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
    let later = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    let commands = vec![
        Command::Tick,
        Command::SetClock { to: later },
        Command::FreezeClock { frozen: true, wall: later },
        Command::SubmitRequest {
            package: PackageId(3),
            policy: None,
            justification: "x".into(),
            answers: Default::default(),
            start: Some(later),
        },
        Command::AdminAssign {
            package: PackageId(3),
            policy: PolicyId(4),
            user: UserId(5),
            start: Some(at),
            end: Some(later),
            justification: String::new(),
        },
    ];
    for command in commands {
        let entry = Entry { at, actor: Actor::System, command };
        let line = serde_json::to_string(&entry).unwrap();
        assert_eq!(first_text_time(&line), None, "{line}");
        assert!(line.starts_with(&format!("{{\"at\":{},", at.timestamp())), "{line}");
        assert_eq!(serde_json::from_str::<Entry>(&line).unwrap(), entry);
        let mut old = serde_json::to_value(&entry).unwrap();
        times_to_text(&mut old);
        assert!(first_text_time(&old.to_string()).is_some());
        let cmd = &mut old["command"];
        for k in ["to", "wall"] {
            if let Some(secs) = cmd.get(k).and_then(Value::as_i64) {
                cmd[k] = Utc.timestamp_opt(secs, 0).unwrap().to_rfc3339().into();
            }
        }
        assert_eq!(serde_json::from_value::<Entry>(old.clone()).unwrap(), entry, "old line {old}");
    }
}

#[test]
fn a_stored_time_outside_1970_to_9999_is_refused_by_the_parse() {
    let clock = |now: Value| serde_json::from_value::<Clock>(serde_json::json!({ "now": now }));
    let ok = clock(Value::from(0)).expect("1970-01-01 reads");
    assert_eq!(ok.now.timestamp(), 0);
    let last = Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap().timestamp();
    assert_eq!(clock(Value::from(last)).unwrap().now.timestamp(), last);
    for bad in [
        Value::from(-1),
        Value::from(last + 1),
        Value::from(i64::MIN),
        Value::from(i64::MAX),
        Value::from(u64::MAX),
        Value::from("1969-12-31T23:59:59Z"),
    ] {
        let e = clock(bad.clone()).expect_err("refused").to_string();
        assert!(e.contains("outside the years 1970 to 9999"), "{bad}: {e}");
    }
    for bad in [Value::from("yesterday"), Value::from(1.5), Value::Null] {
        assert!(clock(bad.clone()).is_err(), "{bad}");
    }
    let e = serde_json::from_str::<Entry>(r#"{"at":99999999999999,"actor":{"type":"system"},"command":{"op":"tick"}}"#)
        .expect_err("refused")
        .to_string();
    assert!(e.contains("outside the years 1970 to 9999"), "{e}");
}
