//! Trace field types.
//!
//! NOTE: a stand-in with exactly the shape of `sim_core::trace::{Field, FieldValue}`,
//! which is being written on branch `sim-core`. When that lands, this file becomes
//! `pub use sim_core::trace::{Field, FieldValue};` and nothing else changes.

/// One named value of a trace record.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Field<'a> {
    /// The field name.
    pub name: &'static str,
    /// The value.
    pub value: FieldValue<'a>,
}

/// The value of a [`Field`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FieldValue<'a> {
    /// An unsigned integer.
    U64(u64),
    /// A signed integer.
    I64(i64),
    /// A flag.
    Bool(bool),
    /// Text.
    Str(&'a str),
}
