//! The run digest: a 128-bit fingerprint of the ordered Trap and Exit events.
//!
//! Algorithm (also in `docs/sim-core.md`; any change is a format change):
//!
//! 1. Each digested event is encoded as a sequence of 64-bit words, independent of host
//!    endianness, pointer width and build profile:
//!    - `kind_code | (cpu << 32)` where `kind_code` is 1 for Trap and 2 for Exit;
//!    - `vtime`;
//!    - the name as a string (below);
//!    - the number of fields;
//!    - per field: its name as a string, a type tag (0 = U64, 1 = I64, 2 = Bool, 3 = Str), then
//!      the value: the u64; the i64 as two's complement u64; 0 or 1; or a string.
//!
//!    A string is its byte length as one word, then its UTF-8 bytes packed eight per word
//!    little-endian, the last word zero-padded. Length prefixes make the encoding prefix-free,
//!    so different event sequences always give different word sequences.
//! 2. Two 64-bit lanes absorb the words alternately: word number `i` (counting from 0 over
//!    the whole run) goes to lane A if `i` is even, to lane B if odd:
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

use super::event::{EventView, FieldValue, OwnedTraceEvent, TraceEvent, TraceKind};

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

const CPU_SHIFT: u32 = 32;

const fn fmix64(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^= x >> 33;
    x
}

const fn kind_code(kind: TraceKind) -> Option<u64> {
    match kind {
        TraceKind::Trap => Some(1),
        TraceKind::Exit => Some(2),
        _ => None,
    }
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
    #[inline(always)]
    fn word(&mut self, w: u64) {
        if self.words & 1 == 0 {
            let a = (self.a ^ w).wrapping_mul(K1);
            self.a = a ^ (a >> 32);
        } else {
            let b = self.b.wrapping_add(w).wrapping_mul(K2);
            self.b = b ^ (b >> 29);
        }
        self.words = self.words.wrapping_add(1);
    }

    #[inline(always)]
    fn string(&mut self, s: &str) {
        let bytes = s.as_bytes();
        self.word(bytes.len() as u64);
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.word(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            // Byte loop rather than a variable-length copy: no memcpy call for short tails.
            let w = rest
                .iter()
                .rev()
                .fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
            self.word(w);
        }
    }

    #[inline(always)]
    fn event<E: EventView>(&mut self, code: u64, ev: &E) {
        self.word(code | (u64::from(ev.cpu()) << CPU_SHIFT));
        self.word(ev.vtime());
        self.string(ev.name());
        self.word(ev.field_count() as u64);
        for (name, value) in ev.fields() {
            self.string(name);
            match value {
                FieldValue::U64(v) => {
                    self.word(TAG_U64);
                    self.word(v);
                }
                FieldValue::I64(v) => {
                    self.word(TAG_I64);
                    self.word(v as u64);
                }
                FieldValue::Bool(v) => {
                    self.word(TAG_BOOL);
                    self.word(u64::from(v));
                }
                FieldValue::Str(s) => {
                    self.word(TAG_STR);
                    self.string(s);
                }
            }
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

    use super::super::event::Field;
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
    }

    const EMPTY: &str = "a880bb603e6b4361026fe21a3fcc5a1e";
    const TWO_EVENTS: &str = "1bbb8e8e0b637499b34c42cd175685ee";

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
