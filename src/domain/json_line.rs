//! JSON objects written straight into a line buffer, for the records a clock jump makes by the
//! million (audit events, notifications): the bytes `serde_json` writes for the same fields, in
//! the same order, without its serializer's state machine and a copy per piece. A string is
//! copied in one piece unless it holds a character JSON escapes.

/// One JSON object being written into `out`: opened by [`Obj::new`], closed by [`Obj::end`].
pub(crate) struct Obj<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Obj<'a> {
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        Obj { out, first: true }
    }

    /// `"key":`, after a comma unless it is the first field. Keys are the code's own names:
    /// none needs escaping.
    fn key(&mut self, key: &str) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
    }

    pub fn int(&mut self, key: &str, v: impl itoa::Integer) -> &mut Self {
        self.key(key);
        self.out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
        self
    }

    pub fn str(&mut self, key: &str, v: &str) -> &mut Self {
        self.key(key);
        push_string(self.out, v);
        self
    }

    pub fn bool(&mut self, key: &str, v: bool) -> &mut Self {
        self.key(key);
        self.out.extend_from_slice(if v { b"true" } else { b"false" });
        self
    }

    /// A nested object, its fields written by `fields`.
    pub fn obj(&mut self, key: &str, fields: impl FnOnce(&mut Obj)) -> &mut Self {
        self.key(key);
        let mut inner = Obj::new(self.out);
        fields(&mut inner);
        inner.end();
        self
    }

    /// A value written by `serde_json`; one that does not serialize (none of the tenant's do)
    /// is written as `null`.
    pub fn value<T: serde::Serialize>(&mut self, key: &str, v: &T) -> &mut Self {
        self.key(key);
        let start = self.out.len();
        if serde_json::to_writer(&mut *self.out, v).is_err() {
            self.out.truncate(start);
            self.out.extend_from_slice(b"null");
        }
        self
    }

    pub fn end(&mut self) {
        self.out.push(b'}');
    }
}

/// `v` in decimal, as JSON writes a number.
pub(crate) fn push_int(out: &mut Vec<u8>, v: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

/// What JSON writes for the byte `b` inside a string, when it is not `b` itself: the letter after
/// a backslash, or `u` for `\u00XX`.
fn escape(b: u8) -> Option<u8> {
    match b {
        b'"' => Some(b'"'),
        b'\\' => Some(b'\\'),
        0x08 => Some(b'b'),
        0x0c => Some(b'f'),
        b'\n' => Some(b'n'),
        b'\r' => Some(b'r'),
        b'\t' => Some(b't'),
        0..=0x1f => Some(b'u'),
        _ => None,
    }
}

/// Whether JSON escapes any byte of `s`: a test of every byte with no early exit (which the
/// compiler does many bytes at a time).
pub(crate) fn needs_escaping(s: &str) -> bool {
    s.as_bytes().iter().fold(false, |any, &b| any | (b < 0x20) | (b == b'"') | (b == b'\\'))
}

/// `s` as a JSON string, quotes included.
pub(crate) fn push_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    push_escaped(out, s);
    out.push(b'"');
}

/// `s` escaped as inside a JSON string: each run of plain bytes copied at once.
pub(crate) fn push_escaped(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    // Most strings need nothing escaped: that found, the string is copied whole. A year's jump
    // writes a few million subjects and bodies.
    if !needs_escaping(s) {
        out.extend_from_slice(bytes);
        return;
    }
    let mut plain = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let Some(e) = escape(b) else { continue };
        out.extend_from_slice(bytes.get(plain..i).unwrap_or_default());
        out.push(b'\\');
        out.push(e);
        if e == b'u' {
            let hex = |n: u8| HEX.get(usize::from(n & 0xf)).copied().unwrap_or(b'0');
            out.extend_from_slice(&[b'0', b'0', hex(b >> 4), hex(b)]);
        }
        plain = i.saturating_add(1);
    }
    out.extend_from_slice(bytes.get(plain..).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn written(f: impl FnOnce(&mut Obj)) -> String {
        let mut out = Vec::new();
        let mut o = Obj::new(&mut out);
        f(&mut o);
        o.end();
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn every_escape_is_the_one_serde_json_writes() {
        let all: String = (0u32..0x80).filter_map(char::from_u32).chain("é€😀\u{7f}".chars()).collect();
        let ours = written(|o| {
            o.str("s", &all);
        });
        assert_eq!(ours, serde_json::json!({ "s": all }).to_string());
    }

    #[test]
    fn fields_of_each_kind_are_written_as_serde_json_writes_them() {
        let ours = written(|o| {
            o.int("seq", u64::MAX).int("at", i64::MIN).str("kind", "x").bool("read", false).str("object", "a\"b");
            o.value("after", &Some(3)).bool("t", true).obj("o", |o| {
                o.int("n", 1).obj("e", |_| {});
            });
        });
        let theirs = serde_json::json!({
            "seq": u64::MAX, "at": i64::MIN, "kind": "x", "read": false, "object": "a\"b", "after": 3, "t": true,
            "o": {"n": 1, "e": {}}
        });
        // serde_json's map sorts its keys; compare as values, and the text of one field order.
        assert_eq!(serde_json::from_str::<serde_json::Value>(&ours).expect("json"), theirs);
        assert!(ours.starts_with(r#"{"seq":18446744073709551615,"at":-9223372036854775808,"kind":"x""#));
    }

    proptest! {
        #![proptest_config(ProptestConfig { rng_seed: proptest::test_runner::RngSeed::Fixed(11), ..ProptestConfig::default() })]
        #[test]
        fn any_string_is_written_as_serde_json_writes_it(s in any::<String>()) {
            let mut ours = Vec::new();
            push_string(&mut ours, &s);
            prop_assert_eq!(String::from_utf8(ours).expect("utf-8"), serde_json::to_string(&s).expect("json"));
        }
    }
}
