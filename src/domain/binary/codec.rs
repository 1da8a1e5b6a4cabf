//! The primitives of the tenant's binary cache layout: integers as LEB128 varints (seven bits
//! a byte, low first: an id of a few million takes three bytes), signed ones zigzagged first,
//! times as seconds, strings and lists prefixed by their length. Reading never panics:
//! anything short or out of range is a [`Bad`], and the caller falls back to the JSON.

use chrono::{DateTime, NaiveDate, NaiveTime};

use crate::domain::Time;

/// Why bytes do not decode: the cache is then ignored (and rewritten), never trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bad(pub String);

impl std::fmt::Display for Bad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Bad {}

pub type Got<T> = Result<T, Bad>;

pub fn bad<T>(what: impl Into<String>) -> Got<T> {
    Err(Bad(what.into()))
}

/// Bytes being written.
#[derive(Default)]
pub struct Out {
    pub buf: Vec<u8>,
}

impl Out {
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    pub fn bool(&mut self, v: bool) {
        self.u8(u8::from(v));
    }
    pub fn u32(&mut self, v: u32) {
        self.u64(u64::from(v));
    }
    pub fn u64(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.buf.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.buf.push(v as u8);
    }
    pub fn i64(&mut self, v: i64) {
        self.u64(zigzag(v));
    }
    /// A length or count (lists and strings are far below 4 GB; a longer one is written as
    /// `u32::MAX`, which no reader accepts, so the cache is refused and the JSON read).
    pub fn len(&mut self, n: usize) {
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }
    pub fn str(&mut self, s: &str) {
        self.len(s.len());
        self.buf.extend_from_slice(s.as_bytes());
    }
    pub fn time(&mut self, t: Time) {
        self.i64(t.timestamp());
    }
    /// An optional id (ids start at 1; 0 stands for none).
    pub fn opt_id(&mut self, v: Option<u64>) {
        self.u64(v.unwrap_or(0));
    }
    /// An optional time (0 stands for none, a time is its zigzagged seconds plus one).
    pub fn opt_time(&mut self, t: Option<Time>) {
        self.u64(t.map_or(0, |t| zigzag(t.timestamp()).saturating_add(1)));
    }
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// Bytes being read.
pub struct In<'a> {
    rest: &'a [u8],
    /// The day of the last time read, by its number since 1970: times come in runs of one day
    /// (a queue of timers is in time order), and a day's date costs more to make than the rest.
    day: Option<(i64, NaiveDate)>,
}

/// Seconds in a day.
const DAY: i64 = 86_400;

impl<'a> In<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        In { rest: bytes, day: None }
    }
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }
    pub fn take(&mut self, n: usize) -> Got<&'a [u8]> {
        if self.rest.len() < n {
            return bad(format!("{n} bytes wanted, {} left", self.rest.len()));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }
    pub fn u8(&mut self) -> Got<u8> {
        let (first, rest) = self.rest.split_first().ok_or_else(|| Bad("a byte wanted, none left".into()))?;
        self.rest = rest;
        Ok(*first)
    }
    pub fn bool(&mut self) -> Got<bool> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            b => bad(format!("{b} is not a boolean")),
        }
    }
    pub fn u32(&mut self) -> Got<u32> {
        let v = self.u64()?;
        u32::try_from(v).map_err(|_| Bad(format!("{v} does not fit 32 bits")))
    }
    pub fn u64(&mut self) -> Got<u64> {
        let mut v: u64 = 0;
        for (i, b) in self.rest.iter().enumerate().take(10) {
            v |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                self.rest = self.rest.get(i + 1..).unwrap_or_default();
                return Ok(v);
            }
        }
        bad("a number that does not end")
    }
    pub fn i64(&mut self) -> Got<i64> {
        self.u64().map(unzigzag)
    }
    /// A count of items, each at least `min_item` bytes long: a count the bytes left cannot
    /// hold is refused before anything is allocated for it.
    pub fn len(&mut self, min_item: usize) -> Got<usize> {
        let n = usize::try_from(self.u32()?).map_err(|_| Bad("a count too large".into()))?;
        if n.saturating_mul(min_item.max(1)) > self.rest.len() && min_item > 0 {
            return bad(format!("a count of {n} that the {} bytes left cannot hold", self.rest.len()));
        }
        Ok(n)
    }
    pub fn str(&mut self) -> Got<&'a str> {
        let n = self.len(1)?;
        let bytes = self.take(n)?;
        std::str::from_utf8(bytes).map_err(|e| Bad(format!("a string that is not UTF-8: {e}")))
    }
    pub fn string(&mut self) -> Got<String> {
        self.str().map(str::to_owned)
    }
    pub fn time(&mut self) -> Got<Time> {
        let secs = self.i64()?;
        self.time_at(secs).ok_or_else(|| Bad(format!("{secs} is not a time")))
    }
    /// `DateTime::from_timestamp(secs, 0)`, with the day kept for the next.
    fn time_at(&mut self, secs: i64) -> Option<Time> {
        let (day, of_day) = (secs.div_euclid(DAY), secs.rem_euclid(DAY));
        let date = match self.day {
            Some((d, date)) if d == day => date,
            _ => {
                let date = DateTime::from_timestamp(day.checked_mul(DAY)?, 0)?.date_naive();
                self.day = Some((day, date));
                date
            }
        };
        let time = NaiveTime::from_num_seconds_from_midnight_opt(u32::try_from(of_day).ok()?, 0)?;
        Some(date.and_time(time).and_utc())
    }
    pub fn opt_id(&mut self) -> Got<Option<u64>> {
        self.u64().map(|v| (v != 0).then_some(v))
    }
    pub fn opt_time(&mut self) -> Got<Option<Time>> {
        let v = self.u64()?;
        let Some(z) = v.checked_sub(1) else { return Ok(None) };
        let secs = unzigzag(z);
        self.time_at(secs).map(Some).ok_or_else(|| Bad(format!("{secs} is not a time")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A time read with the day of the time before kept is the time `from_timestamp` gives,
    /// whether the day is the same, the next, an earlier one, or past what a time can be.
    #[test]
    fn a_time_read_after_another_is_the_time_written() {
        let max = DateTime::<chrono::Utc>::MAX_UTC.timestamp();
        let min = DateTime::<chrono::Utc>::MIN_UTC.timestamp();
        let t = 1_777_971_600;
        let all = [
            t,
            t + 1,
            t + DAY - t % DAY - 1,
            t + DAY,
            t,
            -1,
            0,
            -DAY,
            -DAY - 1,
            max,
            max - 1,
            max + 1,
            min,
            min - 1,
            min + 1,
            i64::MIN,
            i64::MAX,
            t - 7 * DAY,
            5,
        ];
        let mut r = In::new(&[]);
        for secs in all {
            assert_eq!(r.time_at(secs), DateTime::from_timestamp(secs, 0), "{secs}");
        }
    }

    #[test]
    fn primitives_round_trip_and_short_input_is_refused() {
        let mut out = Out::default();
        out.u8(7);
        out.bool(true);
        out.u64(u64::MAX);
        out.str("rôle");
        out.opt_id(None);
        out.opt_id(Some(12));
        out.opt_time(None);
        let t = DateTime::from_timestamp(1_777_971_600, 0).expect("a time");
        out.time(t);
        let mut r = In::new(&out.buf);
        assert_eq!(r.u8(), Ok(7));
        assert_eq!(r.bool(), Ok(true));
        assert_eq!(r.u64(), Ok(u64::MAX));
        assert_eq!(r.str(), Ok("rôle"));
        assert_eq!(r.opt_id(), Ok(None));
        assert_eq!(r.opt_id(), Ok(Some(12)));
        assert_eq!(r.opt_time(), Ok(None));
        assert_eq!(r.time(), Ok(t));
        assert!(r.is_empty());
        assert!(r.u8().is_err(), "nothing left");
        // A count larger than the bytes can hold is refused before allocating.
        let mut huge = In::new(&[0xff, 0xff, 0xff, 0x7f, 1, 2]);
        let mut out = Out::default();
        for v in [0i64, -1, 1, i64::MIN, i64::MAX, 1_777_971_600] {
            out.i64(v);
        }
        let mut back = In::new(&out.buf);
        for v in [0i64, -1, 1, i64::MIN, i64::MAX, 1_777_971_600] {
            assert_eq!(back.i64(), Ok(v));
        }
        assert!(In::new(&[0x80, 0x80]).u64().is_err(), "a number cut short");
        assert!(huge.len(8).is_err());
        assert!(In::new(&[2]).bool().is_err());
    }
}
