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
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Field<'a> {
    /// Field name, an identifier such as `addr`.
    pub name: &'static str,
    /// Field value.
    pub value: FieldValue<'a>,
}

impl<'a> Field<'a> {
    /// A [`FieldValue::U64`] field.
    pub const fn u64(name: &'static str, v: u64) -> Self {
        Self {
            name,
            value: FieldValue::U64(v),
        }
    }

    /// A [`FieldValue::I64`] field.
    pub const fn i64(name: &'static str, v: i64) -> Self {
        Self {
            name,
            value: FieldValue::I64(v),
        }
    }

    /// A [`FieldValue::Bool`] field.
    pub const fn bool(name: &'static str, v: bool) -> Self {
        Self {
            name,
            value: FieldValue::Bool(v),
        }
    }

    /// A [`FieldValue::Str`] field.
    pub const fn str(name: &'static str, v: &'a str) -> Self {
        Self {
            name,
            value: FieldValue::Str(v),
        }
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
}
