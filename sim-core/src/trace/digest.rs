//! The run digest: a 128-bit fingerprint of the ordered Trap and Exit events.
//!
//! Algorithm (also in `docs/sim-core.md`, with `docs/digest_reference.py` as an independent
//! reference; any change is a format change):
//!
//! 1. Each digested event is encoded as a sequence of 64-bit *pairs* of words, independent of
//!    host endianness, pointer width and build profile:
//!    - `(kind_code | (cpu << 32), vtime)`, `kind_code` 1 for Trap and 2 for Exit;
//!    - `(name_key(name), number of fields)`;
//!    - per field: `((name_key(field name) & !3) | tag, value)`, tag 0 = U64 (the u64),
//!      1 = I64 (two's complement), 2 = Bool (0 or 1), 3 = Str (the byte length); a Str value
//!      is followed by its UTF-8 bytes packed eight per word little-endian, sixteen per pair,
//!      the last pair zero-padded.
//!
//!    [`name_key`] is a 64-bit hash of a name; for [`Field`](super::Field)s it is computed
//!    when the field is built (at compile time for literal names), so the hot path never
//!    hashes a name. Names are thus covered up to 64-bit key coincidences; everything else
//!    is encoded exactly, and the lengths make the encoding prefix-free.
//! 2. Two 64-bit lanes absorb the pairs: the first word of each pair goes to lane A, the
//!    second to lane B (equivalently: word number `i` of the run goes to A when `i` is even):
//!    - lane A: `a = (a ^ w) * K1; a ^= a >> 32`
//!    - lane B: `b = (b + w) * K2; b ^= b >> 29`
//!
//!    (wrapping arithmetic), starting from `a = A0`, `b = B0`; `n` counts the words. Each step
//!    is a bijection of the lane for a fixed word and injective in the word for a fixed lane,
//!    so a change in any one word always changes the result. The lanes are two independent
//!    dependency chains, so the CPU overlaps them: about half a multiply latency per word.
//! 3. The value is `f1 = fmix64(a ^ n)`, `f2 = fmix64(b ^ f1)`, `f3 = fmix64(f1 ^ f2)`,
//!    digest = `(f2 << 64) | f3`, where `fmix64` is the MurmurHash3 64-bit finaliser. Displayed
//!    as 32 lower-case hex digits.

use core::fmt;

use super::event::{
    EventView, FieldValue, OwnedTraceEvent, TraceEvent, TraceKind, fmix64, name_key_rt,
};
use super::visit::{CountFields, FieldSink, VisitFields};

/// Lane A multiplier: 2^64 / golden ratio (odd).
const K1: u64 = 0x9e37_79b9_7f4a_7c15;
/// Lane B multiplier (odd).
const K2: u64 = 0xc2b2_ae3d_27d4_eb4f;
/// Lane A initial value: the first 64 fraction bits of pi.
const A0: u64 = 0x243f_6a88_85a3_08d3;
/// Lane B initial value: the next 64 fraction bits of pi.
const B0: u64 = 0x1319_8a2e_0370_7344;

const TAG_U64: u64 = 0;
const TAG_I64: u64 = 1;
const TAG_BOOL: u64 = 2;
const TAG_STR: u64 = 3;
/// The low key bits replaced by the type tag.
const TAG_MASK: u64 = 3;

const CPU_SHIFT: u32 = 32;
/// Bytes per pair of words in a packed string.
const PAIR_BYTES: usize = 16;
const WORD_BYTES: usize = 8;

const fn kind_code(kind: TraceKind) -> Option<u64> {
    match kind {
        TraceKind::Trap => Some(1),
        TraceKind::Exit => Some(2),
        _ => None,
    }
}

/// Little-endian word of up to eight bytes, zero-padded.
#[inline(always)]
fn pack_le(bytes: &[u8]) -> u64 {
    // Byte loop rather than a variable-length copy: no memcpy call for short tails.
    bytes
        .iter()
        .rev()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
}

/// A finished digest value.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct DigestValue(pub u128);

impl fmt::Display for DigestValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

/// The two hash lanes and the word count: the whole mixing state.
#[derive(Clone, Copy, Debug)]
struct Lanes {
    a: u64,
    b: u64,
    words: u64,
}

impl Lanes {
    /// Absorbs one pair: `x` into lane A, `y` into lane B.
    #[inline(always)]
    fn pair(&mut self, x: u64, y: u64) {
        let a = (self.a ^ x).wrapping_mul(K1);
        self.a = a ^ (a >> 32);
        let b = self.b.wrapping_add(y).wrapping_mul(K2);
        self.b = b ^ (b >> 29);
        self.words = self.words.wrapping_add(2);
    }

    /// The packed bytes of a string value (its length is already absorbed), sixteen per
    /// pair, the last pair zero-padded.
    fn string_bytes(&mut self, s: &str) {
        let mut pairs = s.as_bytes().chunks(PAIR_BYTES);
        for p in &mut pairs {
            let (lo, hi) = p.split_at(p.len().min(WORD_BYTES));
            self.pair(pack_le(lo), pack_le(hi));
        }
    }

    #[inline(always)]
    fn value(&mut self, key: u64, value: FieldValue<'_>) {
        let key = key & !TAG_MASK;
        match value {
            FieldValue::U64(v) => self.pair(key | TAG_U64, v),
            FieldValue::I64(v) => self.pair(key | TAG_I64, v as u64),
            FieldValue::Bool(v) => self.pair(key | TAG_BOOL, u64::from(v)),
            FieldValue::Str(s) => {
                self.pair(key | TAG_STR, s.len() as u64);
                self.string_bytes(s);
            }
        }
    }

    #[inline(always)]
    fn event<E: EventView>(&mut self, code: u64, ev: &E) {
        self.pair(code | (u64::from(ev.cpu()) << CPU_SHIFT), ev.vtime());
        self.pair(name_key_rt(ev.name()), ev.field_count() as u64);
        for (key, value) in ev.keyed_fields() {
            self.value(key, value);
        }
    }
}

/// Streaming digest of the ordered Trap/Exit events of a run. Other kinds are ignored.
///
/// ```
/// use sim_core::trace::{Digest, Field, TraceEvent, TraceKind};
///
/// let f = [Field::u64("code", 0)];
/// let (mut a, mut b) = (Digest::new(), Digest::new());
/// a.record(&TraceEvent::new(5, 0, TraceKind::Exit, "Halt", &f));
/// b.record(&TraceEvent::new(1, 0, TraceKind::Insn, "addi", &[]));
/// b.record(&TraceEvent::new(5, 0, TraceKind::Exit, "Halt", &f));
/// assert_eq!(a.value(), b.value());
/// assert_eq!(a.value().to_string().len(), 32);
/// ```
impl FieldSink<'_> for Lanes {
    #[inline(always)]
    fn field(&mut self, _: &'static str, key: u64, value: FieldValue<'_>) {
        self.value(key, value);
    }
}

#[derive(Clone, Debug)]
pub struct Digest {
    lanes: Lanes,
    events: u64,
}

impl Default for Digest {
    fn default() -> Self {
        Self::new()
    }
}

impl Digest {
    /// The digest of the empty run.
    pub const fn new() -> Self {
        Self {
            lanes: Lanes {
                a: A0,
                b: B0,
                words: 0,
            },
            events: 0,
        }
    }

    /// Absorbs `ev` if it is a Trap or Exit event.
    #[inline]
    pub fn record(&mut self, ev: &TraceEvent<'_>) {
        self.absorb_event(ev);
    }

    /// Absorbs an owned event if it is a Trap or Exit event (e.g. one parsed back from JSON).
    pub fn record_owned(&mut self, ev: &OwnedTraceEvent) {
        self.absorb_event(ev);
    }

    /// Absorbs a record through its field visitor: the same words, so the same value, as
    /// [`Digest::record`] of the equivalent [`TraceEvent`], without building one (the
    /// exit path's case, see [`VisitFields`]).
    #[inline]
    pub fn record_visit<R: VisitFields>(&mut self, vtime: u64, cpu: u32, rec: &R) {
        let Some(code) = kind_code(rec.record_kind()) else {
            return;
        };
        self.events = self.events.wrapping_add(1);
        let mut count = CountFields(0);
        rec.visit_fields(&mut count);
        let (_, name_key) = rec.record_name();
        let mut lanes = self.lanes;
        lanes.pair(code | (u64::from(cpu) << CPU_SHIFT), vtime);
        lanes.pair(name_key, count.0 as u64);
        rec.visit_fields(&mut lanes);
        self.lanes = lanes;
    }

    /// Events absorbed so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// The digest of the events absorbed so far. Does not end the stream.
    pub fn value(&self) -> DigestValue {
        let Lanes { a, b, words } = self.lanes;
        let f1 = fmix64(a ^ words);
        let f2 = fmix64(b ^ f1);
        let f3 = fmix64(f1 ^ f2);
        DigestValue((u128::from(f2) << 64) | u128::from(f3))
    }

    #[inline]
    fn absorb_event<E: EventView>(&mut self, ev: &E) {
        let Some(code) = kind_code(ev.kind()) else {
            return;
        };
        self.events = self.events.wrapping_add(1);
        // Work on a local copy so the lanes stay in registers for the whole event.
        let mut lanes = self.lanes;
        lanes.event(code, ev);
        self.lanes = lanes;
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;

    use super::super::event::{Field, name_key};
    use super::*;

    /// Values computed by `docs/digest_reference.py`, an independent implementation of the
    /// algorithm as documented above and in docs/sim-core.md.
    #[test]
    fn known_values() {
        assert_eq!(Digest::new().value().to_string(), EMPTY, "empty run");
        let mut d = Digest::new();
        let f = [
            Field::u64("addr", 0x1000_0000),
            Field::i64("off", -8),
            Field::bool("signed_ext", false),
            Field::str("dev", "uart0"),
        ];
        d.record(&TraceEvent::new(1200, 0, TraceKind::Exit, "MmioRead", &f));
        d.record(&TraceEvent::new(1250, 0, TraceKind::Insn, "addi", &[]));
        d.record(&TraceEvent::new(
            1300,
            1,
            TraceKind::Trap,
            "VirtualInstruction",
            &[Field::u64("cause", 22)],
        ));
        assert_eq!(d.value().to_string(), TWO_EVENTS);
        assert_eq!(d.events(), 2);

        // A string value longer than one pair, an 8+ byte event name, a 29-byte field name.
        let mut d = Digest::new();
        let f = [
            Field::u64("nr", 1),
            Field::str("msg", "seventeen bytes!!"),
            Field::u64("hardware_entry_failure_reason", u64::MAX),
        ];
        d.record(&TraceEvent::new(7, 3, TraceKind::Exit, "Hypercall", &f));
        assert_eq!(d.value().to_string(), LONG_STR);
    }

    /// The run-time evaluation of `name_key` agrees with the `const fn` one on every string
    /// (every length class of the tail: 0, 1..=3, 4..=7 bytes, with and without full words).
    #[test]
    fn prop_name_key_rt_agrees() {
        proptest::proptest!(|(s in ".{0,40}")| {
            proptest::prop_assert_eq!(name_key_rt(&s), name_key(&s));
        });
        for len in 0..=40 {
            let s: alloc::string::String = (0..len)
                .map(|i| char::from(b'a' + (i % 26) as u8))
                .collect();
            assert_eq!(name_key_rt(&s), name_key(&s), "len {len}");
        }
    }

    /// `name_key` against `docs/digest_reference.py`; the compile-time and run-time
    /// evaluations agree.
    #[test]
    fn name_key_known_values() {
        const ADDR: u64 = name_key("addr");
        assert_eq!(ADDR, 0x7241_e11d_124d_603c);
        assert_eq!(name_key(""), 0xa3ed_002e_8360_6a64);
        let long = alloc::string::String::from("hardware_entry_failure_reason");
        assert_eq!(name_key(&long), 0x15a8_749d_6ac4_57bf);
        assert_eq!(Field::u64("addr", 0).name_key(), name_key("addr"));
    }

    const EMPTY: &str = "a880bb603e6b4361026fe21a3fcc5a1e";
    const TWO_EVENTS: &str = "ade79327cebc2a75fa3bf7c982b248b0";
    const LONG_STR: &str = "babc6d2943b6f287977c33f627c5e49a";

    fn digest_of(evs: &[TraceEvent<'_>]) -> DigestValue {
        let mut d = Digest::new();
        for e in evs {
            d.record(e);
        }
        d.value()
    }

    #[test]
    fn order_and_every_component_matter() {
        let f1 = [Field::u64("x", 1)];
        let f2 = [Field::u64("x", 2)];
        let a = TraceEvent::new(1, 0, TraceKind::Exit, "A", &f1);
        let b = TraceEvent::new(2, 0, TraceKind::Exit, "B", &f2);
        let base = digest_of(&[a, b]);
        assert_ne!(base, digest_of(&[b, a]), "order");
        let variants = [
            TraceEvent { vtime: 9, ..a },
            TraceEvent { cpu: 1, ..a },
            TraceEvent {
                kind: TraceKind::Trap,
                ..a
            },
            TraceEvent { name: "C", ..a },
            TraceEvent { fields: &f2, ..a },
            TraceEvent { fields: &[], ..a },
        ];
        for v in variants {
            assert_ne!(base, digest_of(&[v, b]), "{v}");
        }
        // Same value, different type.
        let fi = [Field::i64("x", 1)];
        assert_ne!(base, digest_of(&[TraceEvent { fields: &fi, ..a }, b]));
        // Field name matters.
        let fy = [Field::u64("y", 1)];
        assert_ne!(base, digest_of(&[TraceEvent { fields: &fy, ..a }, b]));
    }

    #[test]
    fn length_prefix_separates_strings() {
        // "ab" + "" vs "a" + "b" packed naively would collide.
        let f1 = [Field::str("s", "ab"), Field::str("t", "")];
        let f2 = [Field::str("s", "a"), Field::str("t", "b")];
        let e1 = TraceEvent::new(0, 0, TraceKind::Exit, "E", &f1);
        let e2 = TraceEvent::new(0, 0, TraceKind::Exit, "E", &f2);
        assert_ne!(digest_of(&[e1]), digest_of(&[e2]));
        // Zero padding vs explicit NUL bytes.
        let n1 = TraceEvent::new(0, 0, TraceKind::Exit, "E\0", &[]);
        let n2 = TraceEvent::new(0, 0, TraceKind::Exit, "E", &[]);
        assert_ne!(digest_of(&[n1]), digest_of(&[n2]));
        let v1 = [Field::str("s", "E\0")];
        let v2 = [Field::str("s", "E")];
        let e1 = TraceEvent::new(0, 0, TraceKind::Exit, "E", &v1);
        let e2 = TraceEvent::new(0, 0, TraceKind::Exit, "E", &v2);
        assert_ne!(digest_of(&[e1]), digest_of(&[e2]));
        // A Str value's padding vs a following scalar field.
        let p1 = [Field::str("s", "abcdefgh"), Field::u64("x", 0)];
        let p2 = [Field::str("s", "abcdefgh\0"), Field::u64("x", 0)];
        let e1 = TraceEvent::new(0, 0, TraceKind::Exit, "E", &p1);
        let e2 = TraceEvent::new(0, 0, TraceKind::Exit, "E", &p2);
        assert_ne!(digest_of(&[e1]), digest_of(&[e2]));
    }

    #[test]
    fn non_digest_kinds_are_ignored() {
        let e = TraceEvent::new(3, 0, TraceKind::Exit, "Halt", &[]);
        let mut d = Digest::new();
        for k in [TraceKind::Insn, TraceKind::Console, TraceKind::Note] {
            d.record(&TraceEvent::new(1, 0, k, "x", &[]));
        }
        assert_eq!(d.value(), Digest::new().value());
        assert_eq!(d.events(), 0);
        d.record(&e);
        assert_eq!(d.value(), digest_of(&[e]));
    }

    #[test]
    fn owned_and_borrowed_agree() {
        let f = [Field::str("s", "hello, world!"), Field::i64("n", i64::MIN)];
        let e = TraceEvent::new(u64::MAX, u32::MAX, TraceKind::Trap, "T", &f);
        let mut d = Digest::new();
        d.record_owned(&e.to_owned_event());
        assert_eq!(d.value(), digest_of(&[e]));
    }
}
