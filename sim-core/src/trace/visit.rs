//! Records that hand over their fields one at a time: the digest's fast path.
//!
//! Every exit is digested (by design), so building a [`TraceEvent`] per exit — an array of
//! fields, the name's digest key computed at run time, an iteration with a match per field
//! — is a real share of an exit's cost when no sink listens. A producer that implements
//! [`VisitFields`] instead passes each field straight to a [`FieldSink`], with a digest key
//! it computed at compile time; [`Digest::record_visit`](super::Digest::record_visit)
//! absorbs exactly the words [`Digest::record`](super::Digest::record) would for the
//! equivalent event, so the digest value does not depend on the path.

use alloc::vec::Vec;

use super::event::{Field, FieldValue, TraceKind};

/// Receives a record's fields in order.
pub trait FieldSink<'a> {
    /// One field: its name, `name_key(name)`, and its value.
    fn field(&mut self, name: &'static str, key: u64, value: FieldValue<'a>);
}

/// A trace record that can visit its fields without building a [`TraceEvent`].
///
/// The contract, checked by each implementor's tests: the kind, name, key and fields are
/// exactly those of the record's [`TraceEvent`] form, with every key equal to
/// [`name_key`](super::name_key) of its name.
///
/// [`TraceEvent`]: super::TraceEvent
pub trait VisitFields {
    /// The record's kind.
    fn record_kind(&self) -> TraceKind;
    /// The record's name and `name_key(name)`.
    fn record_name(&self) -> (&'static str, u64);
    /// Passes every field, in order, to `sink`.
    fn visit_fields<'a, S: FieldSink<'a>>(&'a self, sink: &mut S);
}

/// Counts fields (the digest absorbs the count before the fields).
pub(crate) struct CountFields(pub usize);

impl FieldSink<'_> for CountFields {
    #[inline(always)]
    fn field(&mut self, _: &'static str, _: u64, _: FieldValue<'_>) {
        self.0 += 1;
    }
}

/// Collects the fields as [`Field`]s (the path with a sink, which needs a `TraceEvent`).
pub(crate) struct CollectFields<'a>(pub Vec<Field<'a>>);

impl<'a> FieldSink<'a> for CollectFields<'a> {
    fn field(&mut self, name: &'static str, _: u64, value: FieldValue<'a>) {
        self.0.push(Field::new(name, value));
    }
}
