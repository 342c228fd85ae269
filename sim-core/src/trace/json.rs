//! The JSON Lines form of an event, and a strict parser for exactly that form.
//!
//! One object per line, keys always in this order:
//!
//! ```text
//! {"t":1200,"cpu":0,"kind":"exit","name":"MmioRead","fields":[["addr","u64",268435456],["off","i64",-8],["signed_ext","bool",false],["dev","str","uart0"]]}
//! ```
//!
//! Integers are JSON numbers (u64 values are written in full decimal; readers that lose
//! precision above 2^53 are the reader's problem, the format is exact). Each field is a
//! `[name, type, value]` triple so the type survives a round trip and the digest of parsed
//! events equals the digest of the originals.
//!
//! The parser accepts JSON whitespace between tokens but nothing else beyond what the writer
//! produces: fixed key order, integers only (no fraction, exponent, `+` or leading zeros), and
//! the four type names `u64`, `i64`, `bool`, `str`.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Write};

use super::event::{
    EventView, FieldValue, OwnedField, OwnedFieldValue, OwnedTraceEvent, TraceEvent, TraceKind,
};
use super::text::write_json_str;

pub(crate) fn write_json<E: EventView, W: Write + ?Sized>(ev: &E, w: &mut W) -> fmt::Result {
    write!(w, "{{\"t\":{},\"cpu\":{},\"kind\":", ev.vtime(), ev.cpu())?;
    write_json_str(w, ev.kind().as_str())?;
    w.write_str(",\"name\":")?;
    write_json_str(w, ev.name())?;
    w.write_str(",\"fields\":[")?;
    for (i, (name, value)) in ev.fields().enumerate() {
        if i > 0 {
            w.write_char(',')?;
        }
        w.write_char('[')?;
        write_json_str(w, name)?;
        match value {
            FieldValue::U64(v) => write!(w, ",\"u64\",{v}]")?,
            FieldValue::I64(v) => write!(w, ",\"i64\",{v}]")?,
            FieldValue::Bool(v) => write!(w, ",\"bool\",{v}]")?,
            FieldValue::Str(s) => {
                w.write_str(",\"str\",")?;
                write_json_str(w, s)?;
                w.write_char(']')?;
            }
        }
    }
    w.write_str("]}")
}

impl TraceEvent<'_> {
    /// Writes the JSON object form (no trailing newline).
    ///
    /// ```
    /// use sim_core::trace::{Field, TraceEvent, TraceKind};
    ///
    /// let f = [Field::u64("code", 3)];
    /// let mut s = String::new();
    /// TraceEvent::new(9, 0, TraceKind::Exit, "Halt", &f).write_json(&mut s).unwrap();
    /// assert_eq!(s, r#"{"t":9,"cpu":0,"kind":"exit","name":"Halt","fields":[["code","u64",3]]}"#);
    /// ```
    pub fn write_json<W: Write + ?Sized>(&self, w: &mut W) -> fmt::Result {
        write_json(self, w)
    }
}

impl OwnedTraceEvent {
    /// Writes the JSON object form (no trailing newline); see [`TraceEvent::write_json`].
    pub fn write_json<W: Write + ?Sized>(&self, w: &mut W) -> fmt::Result {
        write_json(self, w)
    }
}

/// Why a JSON trace line was rejected. `pos` is the byte offset in the line.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum TraceParseError {
    /// Something other than what the format requires at this point.
    #[error("at byte {pos}: expected {expected}")]
    Expected {
        /// Byte offset.
        pos: usize,
        /// What was required.
        expected: &'static str,
    },
    /// A number that is not a plain integer or does not fit its type.
    #[error("at byte {pos}: bad or out-of-range integer for {ty}")]
    BadNumber {
        /// Byte offset.
        pos: usize,
        /// The type it had to fit.
        ty: &'static str,
    },
    /// A malformed string escape or an unpaired surrogate.
    #[error("at byte {pos}: bad string escape")]
    BadEscape {
        /// Byte offset.
        pos: usize,
    },
    /// A raw control character inside a string.
    #[error("at byte {pos}: unescaped control character in string")]
    ControlChar {
        /// Byte offset.
        pos: usize,
    },
    /// An unknown event kind.
    #[error("at byte {pos}: unknown event kind {kind:?}")]
    UnknownKind {
        /// Byte offset.
        pos: usize,
        /// The kind found.
        kind: String,
    },
    /// An unknown field type.
    #[error("at byte {pos}: unknown field type {ty:?} (want u64, i64, bool or str)")]
    UnknownType {
        /// Byte offset.
        pos: usize,
        /// The type found.
        ty: String,
    },
    /// The line ended early.
    #[error("unexpected end of line")]
    Eof,
    /// Something follows the closing brace.
    #[error("at byte {pos}: trailing characters after the event")]
    Trailing {
        /// Byte offset.
        pos: usize,
    },
}

/// Parses one line written by [`TraceEvent::write_json`] / [`super::JsonLinesSink`] (a
/// trailing `\n` or `\r\n` is allowed).
///
/// ```
/// use sim_core::trace::{parse_json_line, FieldValue, TraceKind};
///
/// let ev = parse_json_line(r#"{"t":9,"cpu":0,"kind":"exit","name":"Halt","fields":[["code","u64",3]]}"#)
///     .unwrap();
/// assert_eq!(ev.kind, TraceKind::Exit);
/// assert_eq!(ev.field("code"), Some(FieldValue::U64(3)));
/// assert!(parse_json_line(r#"{"t":-1}"#).is_err());
/// ```
pub fn parse_json_line(line: &str) -> Result<OwnedTraceEvent, TraceParseError> {
    let line = line
        .strip_suffix('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .unwrap_or(line);
    let mut p = Parser {
        s: line.as_bytes(),
        pos: 0,
    };
    let ev = p.event()?;
    p.ws();
    if p.pos != p.s.len() {
        return Err(TraceParseError::Trailing { pos: p.pos });
    }
    Ok(ev)
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\r' | b'\n') = self.s.get(self.pos) {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.s.get(self.pos).copied()
    }

    fn expect(&mut self, c: u8, expected: &'static str) -> Result<(), TraceParseError> {
        match self.peek() {
            Some(b) if b == c => {
                self.pos += 1;
                Ok(())
            }
            Some(_) => Err(TraceParseError::Expected {
                pos: self.pos,
                expected,
            }),
            None => Err(TraceParseError::Eof),
        }
    }

    fn key(&mut self, key: &'static str, expected: &'static str) -> Result<(), TraceParseError> {
        self.ws();
        let at = self.pos;
        let k = self.string()?;
        if k != key {
            return Err(TraceParseError::Expected { pos: at, expected });
        }
        self.expect(b':', "':'")
    }

    fn event(&mut self) -> Result<OwnedTraceEvent, TraceParseError> {
        self.expect(b'{', "'{'")?;
        self.key("t", "key \"t\"")?;
        let vtime = self.unsigned("t")?;
        self.expect(b',', "','")?;
        self.key("cpu", "key \"cpu\"")?;
        let at = self.pos;
        let cpu = u32::try_from(self.unsigned("cpu")?)
            .map_err(|_| TraceParseError::BadNumber { pos: at, ty: "cpu" })?;
        self.expect(b',', "','")?;
        self.key("kind", "key \"kind\"")?;
        self.ws();
        let at = self.pos;
        let k = self.string()?;
        let kind =
            TraceKind::from_name(&k).ok_or(TraceParseError::UnknownKind { pos: at, kind: k })?;
        self.expect(b',', "','")?;
        self.key("name", "key \"name\"")?;
        let name = self.string()?;
        self.expect(b',', "','")?;
        self.key("fields", "key \"fields\"")?;
        self.expect(b'[', "'['")?;
        let mut fields = Vec::new();
        if self.peek() == Some(b']') {
            self.pos += 1;
        } else {
            loop {
                fields.push(self.field()?);
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b']') => {
                        self.pos += 1;
                        break;
                    }
                    Some(_) => {
                        return Err(TraceParseError::Expected {
                            pos: self.pos,
                            expected: "',' or ']'",
                        });
                    }
                    None => return Err(TraceParseError::Eof),
                }
            }
        }
        self.expect(b'}', "'}'")?;
        Ok(OwnedTraceEvent {
            vtime,
            cpu,
            kind,
            name,
            fields,
        })
    }

    fn field(&mut self) -> Result<OwnedField, TraceParseError> {
        self.expect(b'[', "'[' opening a field")?;
        let name = self.string()?;
        self.expect(b',', "','")?;
        self.ws();
        let at = self.pos;
        let ty = self.string()?;
        self.expect(b',', "','")?;
        let value = match ty.as_str() {
            "u64" => OwnedFieldValue::U64(self.unsigned("u64")?),
            "i64" => OwnedFieldValue::I64(self.signed()?),
            "bool" => OwnedFieldValue::Bool(self.boolean()?),
            "str" => OwnedFieldValue::Str(self.string()?),
            _ => return Err(TraceParseError::UnknownType { pos: at, ty }),
        };
        self.expect(b']', "']' closing a field")?;
        Ok(OwnedField { name, value })
    }

    fn boolean(&mut self) -> Result<bool, TraceParseError> {
        self.ws();
        let rest = &self.s[self.pos..];
        if rest.starts_with(b"true") {
            self.pos += 4;
            Ok(true)
        } else if rest.starts_with(b"false") {
            self.pos += 5;
            Ok(false)
        } else {
            Err(TraceParseError::Expected {
                pos: self.pos,
                expected: "true or false",
            })
        }
    }

    /// Digits of a JSON integer without sign: `0` or `[1-9][0-9]*`, as a u64 magnitude.
    fn magnitude(&mut self, ty: &'static str) -> Result<u64, TraceParseError> {
        let start = self.pos;
        let bad = TraceParseError::BadNumber { pos: start, ty };
        let mut v: u64 = 0;
        while let Some(&d @ b'0'..=b'9') = self.s.get(self.pos) {
            v = v
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(d - b'0')))
                .ok_or(bad.clone())?;
            self.pos += 1;
        }
        let digits = self.pos - start;
        let leading_zero = digits > 1 && self.s[start] == b'0';
        let continues = matches!(self.s.get(self.pos), Some(b'.' | b'e' | b'E'));
        if digits == 0 || leading_zero || continues {
            return Err(bad);
        }
        Ok(v)
    }

    fn unsigned(&mut self, ty: &'static str) -> Result<u64, TraceParseError> {
        self.ws();
        if self.pos >= self.s.len() {
            return Err(TraceParseError::Eof);
        }
        self.magnitude(ty)
    }

    fn signed(&mut self) -> Result<i64, TraceParseError> {
        self.ws();
        let at = self.pos;
        let neg = self.s.get(self.pos) == Some(&b'-');
        if neg {
            self.pos += 1;
        }
        let m = self.magnitude("i64")?;
        let bad = TraceParseError::BadNumber { pos: at, ty: "i64" };
        if neg {
            // -2^63 has magnitude 2^63, one more than i64::MAX.
            0i64.checked_sub_unsigned(m).ok_or(bad)
        } else {
            i64::try_from(m).map_err(|_| bad)
        }
    }

    fn hex4(&mut self) -> Result<u32, TraceParseError> {
        let at = self.pos;
        let digits = self
            .s
            .get(self.pos..self.pos + 4)
            .ok_or(TraceParseError::BadEscape { pos: at })?;
        let mut v = 0u32;
        for &d in digits {
            let x = char::from(d)
                .to_digit(16)
                .ok_or(TraceParseError::BadEscape { pos: at })?;
            v = v * 16 + x;
        }
        self.pos += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, TraceParseError> {
        self.expect(b'"', "'\"' opening a string")?;
        let mut out = String::new();
        loop {
            // Copy the run of plain bytes up to the next quote, backslash or control byte.
            let start = self.pos;
            while let Some(&b) = self.s.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // The input is a &str and the run stops only at ASCII bytes, so it is valid UTF-8.
            out.push_str(core::str::from_utf8(&self.s[start..self.pos]).map_err(|_| {
                TraceParseError::Expected {
                    pos: start,
                    expected: "UTF-8",
                }
            })?);
            let Some(&b) = self.s.get(self.pos) else {
                return Err(TraceParseError::Eof);
            };
            let at = self.pos;
            self.pos += 1;
            match b {
                b'"' => return Ok(out),
                b'\\' => {
                    let Some(&e) = self.s.get(self.pos) else {
                        return Err(TraceParseError::Eof);
                    };
                    self.pos += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'u' => self.unicode_escape(at)?,
                        _ => return Err(TraceParseError::BadEscape { pos: at }),
                    };
                    out.push(c);
                }
                _ => return Err(TraceParseError::ControlChar { pos: at }),
            }
        }
    }

    /// After `\u`: one BMP scalar, or a surrogate pair `\uD8xx\uDCxx` (RFC 8259 section 7).
    fn unicode_escape(&mut self, at: usize) -> Result<char, TraceParseError> {
        let bad = TraceParseError::BadEscape { pos: at };
        let hi = self.hex4()?;
        let cp = if (0xd800..0xdc00).contains(&hi) {
            if self.s.get(self.pos..self.pos + 2) != Some(b"\\u") {
                return Err(bad);
            }
            self.pos += 2;
            let lo = self.hex4()?;
            if !(0xdc00..0xe000).contains(&lo) {
                return Err(bad);
            }
            0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
        } else {
            hi
        };
        char::from_u32(cp).ok_or(bad)
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;

    use proptest::prelude::*;

    use super::super::event::Field;
    use super::*;

    fn json(ev: &TraceEvent<'_>) -> String {
        let mut s = String::new();
        ev.write_json(&mut s).unwrap();
        s
    }

    #[test]
    fn exact_layout() {
        let f = [
            Field::u64("addr", u64::MAX),
            Field::i64("off", i64::MIN),
            Field::bool("signed_ext", false),
            Field::str("s", "a\"\\\n\u{1f}é"),
        ];
        let ev = TraceEvent::new(1200, 7, TraceKind::Exit, "MmioRead", &f);
        assert_eq!(
            json(&ev),
            r#"{"t":1200,"cpu":7,"kind":"exit","name":"MmioRead","fields":[["addr","u64",18446744073709551615],["off","i64",-9223372036854775808],["signed_ext","bool",false],["s","str","a\"\\\n\u001fé"]]}"#
        );
        assert_eq!(parse_json_line(&json(&ev)), Ok(ev.to_owned_event()));
    }

    #[test]
    fn whitespace_and_newline_tolerated() {
        let ev = parse_json_line(
            " { \"t\" : 1 , \"cpu\":0,\"kind\":\"note\",\"name\":\"x\",\"fields\":[ ] }\r\n",
        )
        .unwrap();
        assert_eq!(ev.kind, TraceKind::Note);
        assert!(ev.fields.is_empty());
    }

    #[test]
    fn escapes_decode() {
        let ev = parse_json_line(
            r#"{"t":0,"cpu":0,"kind":"console","name":"\u0041\/\ud83d\ude00","fields":[]}"#,
        )
        .unwrap();
        assert_eq!(ev.name, "A/\u{1f600}");
    }

    #[test]
    fn rejections() {
        let ok = r#"{"t":0,"cpu":0,"kind":"exit","name":"n","fields":[["a","u64",1]]}"#;
        assert!(parse_json_line(ok).is_ok());
        let cases: &[(&str, TraceParseError)] = &[
            ("", TraceParseError::Eof),
            (
                r#"{"cpu":0}"#,
                TraceParseError::Expected {
                    pos: 1,
                    expected: "key \"t\"",
                },
            ),
            (r#"{"t":01"#, TraceParseError::BadNumber { pos: 5, ty: "t" }),
            (
                r#"{"t":1.5"#,
                TraceParseError::BadNumber { pos: 5, ty: "t" },
            ),
            (
                r#"{"t":18446744073709551616"#,
                TraceParseError::BadNumber { pos: 5, ty: "t" },
            ),
            (
                r#"{"t":0,"cpu":4294967296"#,
                TraceParseError::BadNumber { pos: 13, ty: "cpu" },
            ),
            (
                r#"{"t":0,"cpu":0,"kind":"exits""#,
                TraceParseError::UnknownKind {
                    pos: 22,
                    kind: "exits".to_string(),
                },
            ),
            (
                r#"{"t":0,"cpu":0,"kind":"exit","name":"n","fields":[["a","u32",1]]}"#,
                TraceParseError::UnknownType {
                    pos: 55,
                    ty: "u32".to_string(),
                },
            ),
            (
                r#"{"t":0,"cpu":0,"kind":"exit","name":"n","fields":[["a","u64",-1]]}"#,
                TraceParseError::BadNumber { pos: 61, ty: "u64" },
            ),
            (
                r#"{"t":0,"cpu":0,"kind":"exit","name":"n","fields":[["a","i64",9223372036854775808]]}"#,
                TraceParseError::BadNumber { pos: 61, ty: "i64" },
            ),
            (
                r#"{"t":0,"cpu":0,"kind":"exit","name":"n","fields":[["a","bool",1]]}"#,
                TraceParseError::Expected {
                    pos: 62,
                    expected: "true or false",
                },
            ),
            (
                r#"{"t":0,"cpu":0,"kind":"exit","name":"\q""#,
                TraceParseError::BadEscape { pos: 37 },
            ),
            (
                r#"{"t":0,"cpu":0,"kind":"exit","name":"\ud800x""#,
                TraceParseError::BadEscape { pos: 37 },
            ),
            (
                "{\"t\":0,\"cpu\":0,\"kind\":\"exit\",\"name\":\"a\tb\"",
                TraceParseError::ControlChar { pos: 38 },
            ),
            (
                &[ok, "x"].concat(),
                TraceParseError::Trailing { pos: ok.len() },
            ),
        ];
        for (line, want) in cases {
            assert_eq!(parse_json_line(line).as_ref().err(), Some(want), "{line}");
        }
    }

    fn owned_event() -> impl Strategy<Value = OwnedTraceEvent> {
        let value = prop_oneof![
            any::<u64>().prop_map(OwnedFieldValue::U64),
            any::<i64>().prop_map(OwnedFieldValue::I64),
            any::<bool>().prop_map(OwnedFieldValue::Bool),
            any::<String>().prop_map(OwnedFieldValue::Str),
        ];
        let field = (any::<String>(), value).prop_map(|(name, value)| OwnedField { name, value });
        (
            any::<u64>(),
            any::<u32>(),
            prop::sample::select(TraceKind::ALL.to_vec()),
            any::<String>(),
            prop::collection::vec(field, 0..6),
        )
            .prop_map(|(vtime, cpu, kind, name, fields)| OwnedTraceEvent {
                vtime,
                cpu,
                kind,
                name,
                fields,
            })
    }

    proptest! {
        /// Round trip (needed by `hvsim diff`): parsing what the writer wrote gives back the
        /// same event for any values, any Unicode strings and any field types, and the JSON
        /// is a single line.
        #[test]
        fn prop_round_trip(ev in owned_event()) {
            let mut s = String::new();
            ev.write_json(&mut s).unwrap();
            prop_assert!(!s.contains('\n'));
            prop_assert_eq!(parse_json_line(&s), Ok(ev.clone()));
            // The text form is a single line too.
            prop_assert!(!ev.to_string().contains('\n'));
        }

        /// The parser never panics on arbitrary input (bad files give errors, not panics).
        #[test]
        fn prop_parser_total(s in any::<String>(), cut in any::<prop::sample::Index>()) {
            let _ = parse_json_line(&s);
            let ok = r#"{"t":1,"cpu":2,"kind":"trap","name":"n","fields":[["a","str","\u00e9x"]]}"#;
            let mut truncated = ok.as_bytes().to_vec();
            truncated.truncate(cut.index(ok.len()));
            if let Ok(t) = core::str::from_utf8(&truncated) {
                prop_assert!(parse_json_line(t).is_err());
            }
        }
    }
}
