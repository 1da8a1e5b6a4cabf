//! The ingredients of tests/fuzz_commands.rs: which command, numbers at the edges of their ranges
//! and absurd ones, hostile texts, dates from 1969 to beyond the year 9999, and ids that do not exist.
#![allow(dead_code)]

use chrono::{Duration, TimeZone, Utc};
use entitle::domain::Time;
use proptest::prelude::*;

/// How many variants `materialize` knows; each index below it makes one variant.
pub const VARIANTS: u8 = 51;

/// Which command: any, with the request flow (request, decide, assign, review) and the clock more often.
pub fn variant() -> impl Strategy<Value = u8> {
    prop_oneof![3 => 0..VARIANTS, 2 => prop::sample::select(vec![0u8, 1, 28, 28, 28, 30, 30, 33, 35, 35])]
}

/// A number as a field would get it: small, at the edge of a range, or absurd.
pub fn number() -> impl Strategy<Value = i64> {
    prop_oneof![
        3 => prop::sample::select(vec![
            0i64, -1, 1, 2, 3, 7, 8, 13, 14, 20, 21, 28, 29, 30, 31, 89, 90, 181, 182, 365, 366, 1000, 1001, 3650,
            3651, 10_000, 10_001, 87_600, 87_601, 99_999_999, u32::MAX as i64, i64::MAX, i64::MIN,
        ]),
        1 => 0i64..100,
    ]
}

/// A text as a field would get it.
pub fn text() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        String::new(),
        " ".to_string(),
        "Fine words".to_string(),
        "line\nbreak\tand tab".to_string(),
        "\u{1b}[31mred\u{1b}[0m".to_string(),
        "\u{1b}]0;title\u{7}".to_string(),
        "nul\0byte".to_string(),
        "carriage\rreturn".to_string(),
        "é✓ 名前 🙂".to_string(),
        "x".repeat(256),
        "x".repeat(257),
        "y".repeat(4001),
        "z@fabrikam.com".to_string(),
        "fabrikam.org".to_string(),
    ])
}

/// A date: relative to now (seconds), or an absolute edge.
#[derive(Debug, Clone, Copy)]
pub enum When {
    In(i64),
    At(Time),
}

pub fn edge(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Time {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).single().unwrap_or(Time::MAX_UTC)
}

pub fn when() -> impl Strategy<Value = When> {
    prop::sample::select(vec![
        When::In(-86_400),
        When::In(0),
        When::In(3_600),
        When::In(86_400 * 3),
        When::In(86_400 * 40),
        When::In(86_400 * 400),
        When::At(edge(1969, 12, 31, 23, 59, 59)),
        When::At(edge(1970, 1, 1, 0, 0, 0)),
        When::At(edge(9999, 12, 31, 23, 59, 59)),
        When::At(edge(10_000, 1, 1, 0, 0, 0)),
        When::At(Time::MIN_UTC),
        When::At(Time::MAX_UTC),
    ])
}

/// Where a clock command aims: a modest step, or something to refuse (backwards, past 9999).
pub fn clock_target() -> impl Strategy<Value = When> {
    prop::sample::select(vec![
        When::In(-60),
        When::In(0),
        When::In(60),
        When::In(3_600 * 5),
        When::In(86_400 * 2),
        When::In(86_400 * 35),
        When::In(86_400 * 200),
        When::At(edge(1969, 12, 31, 23, 59, 59)),
        When::At(edge(10_000, 1, 1, 0, 0, 0)),
        When::At(Time::MIN_UTC),
        When::At(Time::MAX_UTC),
    ])
}

pub fn resolve(w: When, now: Time) -> Time {
    match w {
        When::At(t) => t,
        When::In(s) => now.checked_add_signed(Duration::seconds(s)).unwrap_or(Time::MAX_UTC),
    }
}

/// One random command's ingredients; `materialize` turns them into a command against the tenant.
#[derive(Debug, Clone)]
pub struct Bag {
    pub variant: u8,
    pub actor: u8,
    pub picks: [u8; 3],
    /// An id that does not exist, sometimes.
    pub stray: Option<u64>,
    pub n: i64,
    pub m: i64,
    pub text: String,
    pub text2: String,
    pub when: When,
    pub when2: Option<When>,
    pub clock: When,
    pub flag: bool,
}

pub fn bag() -> impl Strategy<Value = Bag> {
    (
        (
            variant(),
            any::<u8>(),
            any::<[u8; 3]>(),
            prop::option::weighted(0.1, prop::sample::select(vec![0u64, 7, u64::MAX])),
        ),
        (number(), number(), text(), text()),
        (when(), prop::option::of(when()), clock_target(), any::<bool>()),
    )
        .prop_map(|((variant, actor, picks, stray), (n, m, text, text2), (when, when2, clock, flag))| Bag {
            variant,
            actor,
            picks,
            stray,
            n,
            m,
            text,
            text2,
            when,
            when2,
            clock,
            flag,
        })
}

pub fn pick<T: Copy>(list: &[T], i: u8) -> Option<T> {
    (!list.is_empty()).then(|| list[i as usize % list.len()])
}

pub fn u32_of(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

pub fn usize_of(n: i64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// The ids of a kind: the tenant's own, or a stray one.
pub fn choose<K: Copy>(ids: Vec<K>, i: u8, stray: Option<u64>, make: fn(u64) -> K) -> K {
    match stray {
        Some(x) => make(x),
        None => pick(&ids, i).unwrap_or(make(0)),
    }
}
