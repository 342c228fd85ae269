//! The trace record types: borrowed [`TraceEvent`] for producers, [`OwnedTraceEvent`] for
//! storage and parsing.

use alloc::string::String;
use alloc::vec::Vec;

/// What an event describes. Only [`Trap`](Self::Trap) and [`Exit`](Self::Exit) feed the
/// digest.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum TraceKind {
    /// A trap taken by a hart/PE (architectural event).
    Trap,
    /// A vCPU exit seen by the Machine.
    Exit,
    /// One executed instruction (very verbose; never digested).
    Insn,
    /// Console output from a device.
    Console,
    /// Anything else worth a line: configuration, phase changes.
    Note,
}

impl TraceKind {
    /// Number of kinds.
    pub const COUNT: usize = 5;
    /// All kinds, in [`index`](Self::index) order.
    pub const ALL: [TraceKind; Self::COUNT] = [
        Self::Trap,
        Self::Exit,
        Self::Insn,
        Self::Console,
        Self::Note,
    ];

    /// The lower-case name used in text and JSON: `trap`, `exit`, `insn`, `console`, `note`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Trap => "trap",
            Self::Exit => "exit",
            Self::Insn => "insn",
            Self::Console => "console",
            Self::Note => "note",
        }
    }

    /// The kind named `s` (as written by [`as_str`](Self::as_str)).
    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Dense index 0..[`COUNT`](Self::COUNT), for per-kind tables.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// Whether events of this kind are part of the run digest.
    #[inline]
    pub const fn feeds_digest(self) -> bool {
        matches!(self, Self::Trap | Self::Exit)
    }
}

/// A typed field value.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FieldValue<'a> {
    /// Unsigned integer: addresses, register values, causes. Text form `0x` hex.
    U64(u64),
    /// Signed integer: offsets, counts meant to be read in decimal. Text form decimal.
    I64(i64),
    /// Flag. Text form `true`/`false`.
    Bool(bool),
    /// Text.
    Str(&'a str),
}

/// A named field of an event.
///
/// Build fields with the constructors ([`Field::u64`] ...): they also compute the name's
/// digest key ([`name_key`]) and, being `const fn`, let the compiler fold it for a literal
/// name, so the digest never hashes a field name at run time. The key is only read by the
/// digest; treat `name` as read-only (a field whose `name` is reassigned keeps the key of its
/// old name).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Field<'a> {
    /// Field name, an identifier such as `addr`.
    pub name: &'static str,
    /// Field value.
    pub value: FieldValue<'a>,
    /// `name_key(name)`, precomputed.
    key: u64,
}

/// Seed of [`name_key`]: the 64 fraction bits of pi after those used by the digest lanes.
const KEY_SEED: u64 = 0xa409_3822_299f_31d0;
/// Multiplier of the [`name_key`] steps (the digest's lane A multiplier).
const KEY_MUL: u64 = 0x9e37_79b9_7f4a_7c15;
/// Word size of the name packing.
const WORD_BYTES: usize = 8;

/// MurmurHash3's 64-bit finaliser (a bijection).
pub(crate) const fn fmix64(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^= x >> 33;
    x
}

/// One absorption step of [`name_key`]: a bijection of `h` for fixed `w`, injective in `w`.
#[inline(always)]
const fn key_step(h: u64, w: u64) -> u64 {
    let h = (h ^ w).wrapping_mul(KEY_MUL);
    h ^ (h >> 32)
}

/// The 64-bit digest key of a name (field names and event names; see `docs/sim-core.md`):
/// `h = KEY_SEED ^ len`; per 8-byte little-endian word `w` of the UTF-8 bytes (last word
/// zero-padded): `h = (h ^ w) * KEY_MUL; h ^= h >> 32`; result `fmix64(h)`.
///
/// Deterministic on every host (explicit little-endian packing, fixed-width wrapping
/// arithmetic) and a `const fn`, so keys of literal names are computed at compile time.
/// Names of equal length up to 8 bytes never collide (every step is injective); other
/// collisions are 64-bit hash coincidences.
///
/// ```
/// use sim_core::trace::name_key;
/// const ADDR: u64 = name_key("addr");
/// assert_ne!(ADDR, name_key("data"));
/// assert_eq!(ADDR, name_key(&String::from("addr")));
/// ```
// Always inlined so a call with a literal name folds to a constant; run-time names go
// through `name_key_rt`, the same function written with word loads.
#[inline(always)]
pub const fn name_key(name: &str) -> u64 {
    let b = name.as_bytes();
    let len = b.len();
    let mut h = KEY_SEED ^ (len as u64);
    let mut i = 0;
    while i + WORD_BYTES <= len {
        let w = u64::from_le_bytes([
            b[i],
            b[i + 1],
            b[i + 2],
            b[i + 3],
            b[i + 4],
            b[i + 5],
            b[i + 6],
            b[i + 7],
        ]);
        h = key_step(h, w);
        i += WORD_BYTES;
    }
    if i < len {
        // Tail: bytes i..len as the low bytes of a little-endian word, the rest zero.
        let mut w = 0u64;
        let mut j = len;
        while j > i {
            j -= 1;
            w = (w << 8) | b[j] as u64;
        }
        h = key_step(h, w);
    }
    fmix64(h)
}

/// Little-endian value of exactly eight bytes.
#[inline(always)]
fn le64(b: &[u8]) -> u64 {
    let mut w = [0u8; WORD_BYTES];
    w.copy_from_slice(b);
    u64::from_le_bytes(w)
}

/// Little-endian value of exactly four bytes.
#[inline(always)]
fn le32(b: &[u8]) -> u64 {
    let mut w = [0u8; 4];
    w.copy_from_slice(b);
    u64::from(u32::from_le_bytes(w))
}

/// [`name_key`] for names only known at run time (event names, owned events): the same
/// result, computed with whole-word loads instead of a byte loop.
#[inline]
pub(crate) fn name_key_rt(name: &str) -> u64 {
    let b = name.as_bytes();
    let len = b.len();
    let mut h = KEY_SEED ^ (len as u64);
    let mut words = b.chunks_exact(WORD_BYTES);
    for w in &mut words {
        h = key_step(h, le64(w));
    }
    let r = words.remainder().len();
    if r != 0 {
        // Zero-padded tail word of the last `r` bytes (1..=7), built from overlapping loads
        // so there is no per-byte loop: shifting a load right drops the bytes it shares with
        // what is already covered.
        let w = if len >= WORD_BYTES {
            le64(&b[len - WORD_BYTES..]) >> (8 * (WORD_BYTES - r))
        } else if r >= 4 {
            le32(&b[..4]) | ((le32(&b[r - 4..]) >> (8 * (WORD_BYTES - r))) << 32)
        } else {
            b.iter()
                .rev()
                .fold(0u64, |acc, &x| (acc << 8) | u64::from(x))
        };
        h = key_step(h, w);
    }
    fmix64(h)
}

impl<'a> Field<'a> {
    /// A field with any value.
    #[inline(always)]
    pub const fn new(name: &'static str, value: FieldValue<'a>) -> Self {
        Self {
            name,
            value,
            key: name_key(name),
        }
    }

    /// A [`FieldValue::U64`] field.
    #[inline(always)]
    pub const fn u64(name: &'static str, v: u64) -> Self {
        Self::new(name, FieldValue::U64(v))
    }

    /// A [`FieldValue::I64`] field.
    #[inline(always)]
    pub const fn i64(name: &'static str, v: i64) -> Self {
        Self::new(name, FieldValue::I64(v))
    }

    /// A [`FieldValue::Bool`] field.
    #[inline(always)]
    pub const fn bool(name: &'static str, v: bool) -> Self {
        Self::new(name, FieldValue::Bool(v))
    }

    /// A [`FieldValue::Str`] field.
    #[inline(always)]
    pub const fn str(name: &'static str, v: &'a str) -> Self {
        Self::new(name, FieldValue::Str(v))
    }

    /// The digest key of the name, [`name_key`]`(self.name)` as computed at construction.
    #[inline]
    pub const fn name_key(&self) -> u64 {
        self.key
    }
}

/// One trace record, borrowed: building it allocates nothing.
///
/// ```
/// use sim_core::trace::{Field, TraceEvent, TraceKind};
///
/// let f = [Field::u64("cause", 0x14), Field::u64("tval", 0x8000_1000)];
/// let ev = TraceEvent::new(7, 1, TraceKind::Trap, "GuestPageFault", &f);
/// assert_eq!(ev.to_string(), "trap t=7 cpu=1 GuestPageFault cause=0x14 tval=0x80001000");
/// // The alternate form leaves the time out.
/// assert_eq!(format!("{ev:#}"), "trap cpu=1 GuestPageFault cause=0x14 tval=0x80001000");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct TraceEvent<'a> {
    /// Virtual time in timebase ticks.
    pub vtime: u64,
    /// The physical CPU (hart/PE) or vCPU index the event belongs to.
    pub cpu: u32,
    /// What the event describes.
    pub kind: TraceKind,
    /// Event name, e.g. the exit reason `MmioRead`.
    pub name: &'a str,
    /// Typed fields, in a fixed order chosen by the producer.
    pub fields: &'a [Field<'a>],
}

impl<'a> TraceEvent<'a> {
    /// Builds an event.
    pub const fn new(
        vtime: u64,
        cpu: u32,
        kind: TraceKind,
        name: &'a str,
        fields: &'a [Field<'a>],
    ) -> Self {
        Self {
            vtime,
            cpu,
            kind,
            name,
            fields,
        }
    }

    /// An owned copy.
    pub fn to_owned_event(&self) -> OwnedTraceEvent {
        OwnedTraceEvent::from(self)
    }
}

/// An owned field value.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum OwnedFieldValue {
    /// See [`FieldValue::U64`].
    U64(u64),
    /// See [`FieldValue::I64`].
    I64(i64),
    /// See [`FieldValue::Bool`].
    Bool(bool),
    /// See [`FieldValue::Str`].
    Str(String),
}

impl OwnedFieldValue {
    /// Borrowed view.
    pub fn as_value(&self) -> FieldValue<'_> {
        match self {
            Self::U64(v) => FieldValue::U64(*v),
            Self::I64(v) => FieldValue::I64(*v),
            Self::Bool(v) => FieldValue::Bool(*v),
            Self::Str(s) => FieldValue::Str(s),
        }
    }
}

impl From<FieldValue<'_>> for OwnedFieldValue {
    fn from(v: FieldValue<'_>) -> Self {
        match v {
            FieldValue::U64(v) => Self::U64(v),
            FieldValue::I64(v) => Self::I64(v),
            FieldValue::Bool(v) => Self::Bool(v),
            FieldValue::Str(s) => Self::Str(String::from(s)),
        }
    }
}

/// An owned field.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct OwnedField {
    /// Field name.
    pub name: String,
    /// Field value.
    pub value: OwnedFieldValue,
}

/// An owned trace record, as stored by [`super::MemorySink`] and returned by
/// [`super::parse_json_line`]. Same text, JSON and digest encodings as [`TraceEvent`].
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct OwnedTraceEvent {
    /// Virtual time in timebase ticks.
    pub vtime: u64,
    /// The CPU index.
    pub cpu: u32,
    /// What the event describes.
    pub kind: TraceKind,
    /// Event name.
    pub name: String,
    /// Fields, in producer order.
    pub fields: Vec<OwnedField>,
}

impl OwnedTraceEvent {
    /// The value of the first field called `name`.
    pub fn field(&self, name: &str) -> Option<FieldValue<'_>> {
        self.fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.as_value())
    }
}

impl From<&TraceEvent<'_>> for OwnedTraceEvent {
    fn from(ev: &TraceEvent<'_>) -> Self {
        Self {
            vtime: ev.vtime,
            cpu: ev.cpu,
            kind: ev.kind,
            name: String::from(ev.name),
            fields: ev
                .fields
                .iter()
                .map(|f| OwnedField {
                    name: String::from(f.name),
                    value: f.value.into(),
                })
                .collect(),
        }
    }
}

/// What the encoders (text, JSON, digest) need from an event, borrowed or owned.
pub(crate) trait EventView {
    fn vtime(&self) -> u64;
    fn cpu(&self) -> u32;
    fn kind(&self) -> TraceKind;
    fn name(&self) -> &str;
    fn field_count(&self) -> usize;
    fn fields(&self) -> impl Iterator<Item = (&str, FieldValue<'_>)>;
    /// The fields with their names' digest keys ([`name_key`]) instead of the names.
    fn keyed_fields(&self) -> impl Iterator<Item = (u64, FieldValue<'_>)>;
}

impl EventView for TraceEvent<'_> {
    #[inline]
    fn vtime(&self) -> u64 {
        self.vtime
    }
    #[inline]
    fn cpu(&self) -> u32 {
        self.cpu
    }
    #[inline]
    fn kind(&self) -> TraceKind {
        self.kind
    }
    #[inline]
    fn name(&self) -> &str {
        self.name
    }
    #[inline]
    fn field_count(&self) -> usize {
        self.fields.len()
    }
    #[inline]
    fn fields(&self) -> impl Iterator<Item = (&str, FieldValue<'_>)> {
        self.fields.iter().map(|f| (f.name, f.value))
    }
    #[inline]
    fn keyed_fields(&self) -> impl Iterator<Item = (u64, FieldValue<'_>)> {
        self.fields.iter().map(|f| (f.key, f.value))
    }
}

impl EventView for OwnedTraceEvent {
    fn vtime(&self) -> u64 {
        self.vtime
    }
    fn cpu(&self) -> u32 {
        self.cpu
    }
    fn kind(&self) -> TraceKind {
        self.kind
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn field_count(&self) -> usize {
        self.fields.len()
    }
    fn fields(&self) -> impl Iterator<Item = (&str, FieldValue<'_>)> {
        self.fields
            .iter()
            .map(|f| (f.name.as_str(), f.value.as_value()))
    }
    fn keyed_fields(&self) -> impl Iterator<Item = (u64, FieldValue<'_>)> {
        self.fields
            .iter()
            .map(|f| (name_key_rt(&f.name), f.value.as_value()))
    }
}
