//! The canonical one-line text form of an event.
//!
//! `<kind> t=<vtime> cpu=<cpu> <name>[ <field>=<value>]*`, e.g.
//! `exit t=1200 cpu=0 MmioRead addr=0x10000000 width=0x1 signed_ext=false`.
//! With the alternate flag (`{:#}`) the `t=<vtime> ` part is left out.
//!
//! - `vtime` and `cpu`: decimal.
//! - [`FieldValue::U64`]: lower-case hex with `0x` (`0x0` for zero).
//! - [`FieldValue::I64`]: signed decimal.
//! - [`FieldValue::Bool`]: `true` / `false`.
//! - [`FieldValue::Str`], the event name and field names: written bare if non-empty and made
//!   only of ASCII letters, digits and `_ . : / @ + -`; otherwise quoted and escaped exactly as a
//!   JSON string, so a line never contains a raw space-splitting ambiguity or a newline.

use core::fmt::{self, Write};

use super::event::{EventView, FieldValue, OwnedTraceEvent, TraceEvent};

fn is_bare_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '/' | '@' | '+' | '-')
}

/// Writes `s` as a JSON string literal, quotes included (RFC 8259 section 7).
pub(crate) fn write_json_str<W: Write + ?Sized>(w: &mut W, s: &str) -> fmt::Result {
    w.write_char('"')?;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let esc: Option<&str> = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            '\u{8}' => Some("\\b"),
            '\u{c}' => Some("\\f"),
            _ => None,
        };
        if esc.is_none() && u32::from(c) >= 0x20 {
            continue;
        }
        w.write_str(&s[start..i])?;
        match esc {
            Some(e) => w.write_str(e)?,
            None => write!(w, "\\u{:04x}", u32::from(c))?,
        }
        start = i + c.len_utf8();
    }
    w.write_str(&s[start..])?;
    w.write_char('"')
}

fn write_token<W: Write + ?Sized>(w: &mut W, s: &str) -> fmt::Result {
    if !s.is_empty() && s.chars().all(is_bare_char) {
        w.write_str(s)
    } else {
        write_json_str(w, s)
    }
}

fn write_line<E: EventView>(ev: &E, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str(ev.kind().as_str())?;
    if !f.alternate() {
        write!(f, " t={}", ev.vtime())?;
    }
    write!(f, " cpu={} ", ev.cpu())?;
    write_token(f, ev.name())?;
    for (name, value) in ev.fields() {
        f.write_char(' ')?;
        write_token(f, name)?;
        f.write_char('=')?;
        match value {
            FieldValue::U64(v) => write!(f, "{v:#x}")?,
            FieldValue::I64(v) => write!(f, "{v}")?,
            FieldValue::Bool(v) => write!(f, "{v}")?,
            FieldValue::Str(s) => write_token(f, s)?,
        }
    }
    Ok(())
}

impl fmt::Display for TraceEvent<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_line(self, f)
    }
}

impl fmt::Display for OwnedTraceEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_line(self, f)
    }
}

#[cfg(test)]
mod tests {
    use alloc::format;
    use alloc::string::ToString;

    use super::super::event::{Field, TraceKind};
    use super::*;

    #[test]
    fn value_rules() {
        let f = [
            Field::u64("addr", 0x1000_0000),
            Field::u64("zero", 0),
            Field::i64("off", -8),
            Field::i64("n", 12),
            Field::bool("signed_ext", true),
            Field::str("dev", "uart0"),
        ];
        let ev = TraceEvent::new(1200, 3, TraceKind::Exit, "MmioRead", &f);
        assert_eq!(
            ev.to_string(),
            "exit t=1200 cpu=3 MmioRead addr=0x10000000 zero=0x0 off=-8 n=12 signed_ext=true dev=uart0"
        );
        assert_eq!(ev.to_owned_event().to_string(), ev.to_string());
    }

    #[test]
    fn odd_strings_are_quoted_and_escaped() {
        let f = [
            Field::str("text", "hello world\n"),
            Field::str("empty", ""),
            Field::str("q", "a\"b\\c\u{1}"),
            Field::str("utf8", "é"),
        ];
        let ev = TraceEvent::new(0, 0, TraceKind::Console, "out put", &f);
        assert_eq!(
            format!("{ev:#}"),
            r#"console cpu=0 "out put" text="hello world\n" empty="" q="a\"b\\c\u0001" utf8="é""#
        );
    }
}
