//! Trace records, sinks and the run digest.
//!
//! A machine describes what happens as [`TraceEvent`]s: borrowed records (no allocation on the
//! exit path) with a virtual time, a CPU, a [`TraceKind`], a name and typed [`Field`]s. It hands
//! each one to its [`Tracer`], which
//! - feeds Trap and Exit events into the always-on [`Digest`] (the run's fingerprint),
//! - counts events per kind,
//! - forwards the event to an optional [`TraceSink`] ([`MemorySink`], [`JsonLinesSink`],
//!   [`TextSink`], or the caller's own).
//!
//! The digest is computed before and independently of the sink, so a run has the same digest
//! with tracing on or off, by construction.
//!
//! Two serialisations exist, both documented in `docs/sim-core.md`:
//! - the canonical one-line text form ([`core::fmt::Display`] on [`TraceEvent`] and
//!   [`OwnedTraceEvent`]), used for `--trace exits` and golden `.exits` files;
//! - JSON Lines ([`JsonLinesSink`], [`TraceEvent::write_json`]), which [`parse_json_line`]
//!   reads back.
//!
//! ```
//! use sim_core::trace::{Field, MemorySink, TraceEvent, TraceKind, Tracer};
//!
//! let mut tracer = Tracer::new();
//! tracer.set_sink(Box::new(MemorySink::new()));
//! let fields = [Field::u64("addr", 0x1000_0000), Field::bool("signed_ext", false)];
//! tracer.record(&TraceEvent::new(42, 0, TraceKind::Exit, "MmioRead", &fields));
//! assert_eq!(
//!     tracer.sink_ref::<MemorySink>().unwrap().events()[0].to_string(),
//!     "exit t=42 cpu=0 MmioRead addr=0x10000000 signed_ext=false"
//! );
//! assert_eq!(tracer.count(TraceKind::Exit), 1);
//! ```

mod digest;
mod event;
mod json;
mod sink;
mod text;
mod visit;

pub use digest::{Digest, DigestValue};
pub use event::{
    Field, FieldValue, OwnedField, OwnedFieldValue, OwnedTraceEvent, TraceEvent, TraceKind,
    name_key,
};
pub use json::{TraceParseError, parse_json_line};
pub use sink::{AsAny, DiscardSink, JsonLinesSink, MemorySink, TextSink, TraceSink, Tracer};
pub use visit::{FieldSink, VisitFields};
