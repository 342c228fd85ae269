//! Where trace events go: the [`TraceSink`] trait, the stock sinks, and the [`Tracer`] a
//! machine owns.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::any::Any;
use core::fmt::{self, Write};

use super::digest::{Digest, DigestValue};
use super::event::{OwnedTraceEvent, TraceEvent, TraceKind};
use super::visit::{CollectFields, VisitFields};

/// Lets [`Tracer::sink_ref`] recover a concrete sink from a `Box<dyn TraceSink>`. Implemented
/// for every `'static` type; sink authors never implement it by hand.
pub trait AsAny: Any {
    /// `self` as `&dyn Any`.
    fn as_any(&self) -> &dyn Any;
    /// `self` as `&mut dyn Any`.
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<T: Any> AsAny for T {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Receives every event a [`Tracer`] records.
///
/// ```
/// use sim_core::trace::{TraceEvent, TraceKind, TraceSink};
///
/// /// Counts exits to MMIO.
/// #[derive(Debug, Default)]
/// struct MmioCounter(u64);
///
/// impl TraceSink for MmioCounter {
///     fn record(&mut self, ev: &TraceEvent<'_>) {
///         if ev.kind == TraceKind::Exit && ev.name.starts_with("Mmio") {
///             self.0 += 1;
///         }
///     }
/// }
/// ```
pub trait TraceSink: AsAny {
    /// Handles one event. Must not fail the simulation: a sink that can fail (I/O) keeps its
    /// first error and reports it when asked.
    fn record(&mut self, ev: &TraceEvent<'_>);
}

/// Drops everything.
#[derive(Clone, Copy, Default, Debug)]
pub struct DiscardSink;

impl TraceSink for DiscardSink {
    #[inline]
    fn record(&mut self, _ev: &TraceEvent<'_>) {}
}

/// Keeps owned copies of every event, for tests and `hvsim diff`.
#[derive(Clone, Default, Debug)]
pub struct MemorySink {
    events: Vec<OwnedTraceEvent>,
}

impl MemorySink {
    /// An empty sink.
    pub fn new() -> Self {
        Self::default()
    }

    /// The events recorded so far, in order.
    pub fn events(&self) -> &[OwnedTraceEvent] {
        &self.events
    }

    /// Removes and returns the events recorded so far.
    pub fn take(&mut self) -> Vec<OwnedTraceEvent> {
        core::mem::take(&mut self.events)
    }
}

impl TraceSink for MemorySink {
    fn record(&mut self, ev: &TraceEvent<'_>) {
        self.events.push(ev.to_owned_event());
    }
}

/// Writes one JSON object per line (see [`super::parse_json_line`] for the format) to a
/// [`core::fmt::Write`]r. After the first write error it stops writing and remembers the error.
///
/// ```
/// use sim_core::trace::{JsonLinesSink, TraceEvent, TraceKind, TraceSink};
///
/// let mut sink = JsonLinesSink::new(String::new());
/// sink.record(&TraceEvent::new(1, 0, TraceKind::Note, "boot", &[]));
/// assert_eq!(
///     sink.into_inner().unwrap(),
///     "{\"t\":1,\"cpu\":0,\"kind\":\"note\",\"name\":\"boot\",\"fields\":[]}\n"
/// );
/// ```
#[derive(Debug)]
pub struct JsonLinesSink<W: Write> {
    out: W,
    failed: bool,
}

impl<W: Write> JsonLinesSink<W> {
    /// Writes to `out`.
    pub fn new(out: W) -> Self {
        Self { out, failed: false }
    }

    /// Whether a write failed (later events were dropped).
    pub fn has_failed(&self) -> bool {
        self.failed
    }

    /// The writer.
    pub fn get_ref(&self) -> &W {
        &self.out
    }

    /// The writer, or the error if any write failed.
    pub fn into_inner(self) -> Result<W, fmt::Error> {
        if self.failed {
            Err(fmt::Error)
        } else {
            Ok(self.out)
        }
    }
}

impl<W: Write + 'static> TraceSink for JsonLinesSink<W> {
    fn record(&mut self, ev: &TraceEvent<'_>) {
        if !self.failed {
            self.failed = ev
                .write_json(&mut self.out)
                .and_then(|()| self.out.write_char('\n'))
                .is_err();
        }
    }
}

/// Writes the canonical text line of each event whose kind is selected (see
/// `docs/sim-core.md`), optionally without the time. This is what `--trace exits` prints and
/// what golden `.exits` files hold.
///
/// ```
/// use sim_core::trace::{Field, TextSink, TraceEvent, TraceKind, TraceSink};
///
/// let mut sink = TextSink::new(String::new(), &[TraceKind::Trap, TraceKind::Exit], false);
/// sink.record(&TraceEvent::new(5, 0, TraceKind::Insn, "addi", &[]));
/// sink.record(&TraceEvent::new(6, 0, TraceKind::Exit, "Halt", &[Field::u64("code", 0)]));
/// assert_eq!(sink.into_inner().unwrap(), "exit cpu=0 Halt code=0x0\n");
/// ```
#[derive(Debug)]
pub struct TextSink<W: Write> {
    out: W,
    kinds: [bool; TraceKind::COUNT],
    with_time: bool,
    failed: bool,
}

impl<W: Write> TextSink<W> {
    /// Writes events of the given kinds to `out`; `with_time` adds `t=<vtime>`.
    pub fn new(out: W, kinds: &[TraceKind], with_time: bool) -> Self {
        let mut sel = [false; TraceKind::COUNT];
        for k in kinds {
            sel[k.index()] = true;
        }
        Self {
            out,
            kinds: sel,
            with_time,
            failed: false,
        }
    }

    /// Whether a write failed (later events were dropped).
    pub fn has_failed(&self) -> bool {
        self.failed
    }

    /// The writer.
    pub fn get_ref(&self) -> &W {
        &self.out
    }

    /// The writer, or the error if any write failed.
    pub fn into_inner(self) -> Result<W, fmt::Error> {
        if self.failed {
            Err(fmt::Error)
        } else {
            Ok(self.out)
        }
    }
}

impl<W: Write + 'static> TraceSink for TextSink<W> {
    fn record(&mut self, ev: &TraceEvent<'_>) {
        if self.failed || !self.kinds[ev.kind.index()] {
            return;
        }
        let r = if self.with_time {
            writeln!(self.out, "{ev}")
        } else {
            writeln!(self.out, "{ev:#}")
        };
        self.failed = r.is_err();
    }
}

/// What a machine owns: the always-on [`Digest`], per-kind event counts, and an optional
/// sink.
///
/// The digest is updated before, and independently of, the sink, so the digest of a run is the
/// same with any sink or none.
///
/// ```
/// use sim_core::trace::{Field, MemorySink, TraceEvent, TraceKind, Tracer};
///
/// let f = [Field::u64("code", 0)];
/// let ev = TraceEvent::new(10, 0, TraceKind::Exit, "Halt", &f);
/// let mut plain = Tracer::new();
/// let mut traced = Tracer::with_sink(Box::new(MemorySink::new()));
/// plain.record(&ev);
/// traced.record(&ev);
/// assert_eq!(plain.digest(), traced.digest());
/// assert_eq!(traced.sink_ref::<MemorySink>().unwrap().events().len(), 1);
/// ```
pub struct Tracer {
    digest: Digest,
    counts: [u64; TraceKind::COUNT],
    sink: Option<Box<dyn TraceSink>>,
}

impl fmt::Debug for Tracer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tracer")
            .field("digest", &self.digest.value())
            .field("counts", &self.counts)
            .field("has_sink", &self.sink.is_some())
            .finish()
    }
}

impl Default for Tracer {
    fn default() -> Self {
        Self::new()
    }
}

impl Tracer {
    /// A tracer with no sink.
    pub fn new() -> Self {
        Self {
            digest: Digest::new(),
            counts: [0; TraceKind::COUNT],
            sink: None,
        }
    }

    /// A tracer forwarding to `sink`.
    pub fn with_sink(sink: Box<dyn TraceSink>) -> Self {
        Self {
            sink: Some(sink),
            ..Self::new()
        }
    }

    /// Installs (or replaces) the sink, returning the previous one.
    pub fn set_sink(&mut self, sink: Box<dyn TraceSink>) -> Option<Box<dyn TraceSink>> {
        self.sink.replace(sink)
    }

    /// Removes the sink.
    pub fn take_sink(&mut self) -> Option<Box<dyn TraceSink>> {
        self.sink.take()
    }

    /// Whether a sink is installed. Producers of costly events (per-instruction traces) check
    /// this and skip building them when nobody listens.
    #[inline]
    pub fn has_sink(&self) -> bool {
        self.sink.is_some()
    }

    /// The installed sink, if it is an `S`.
    pub fn sink_ref<S: TraceSink>(&self) -> Option<&S> {
        let sink: &dyn TraceSink = self.sink.as_deref()?;
        AsAny::as_any(sink).downcast_ref::<S>()
    }

    /// The installed sink, mutably, if it is an `S`.
    pub fn sink_mut<S: TraceSink>(&mut self) -> Option<&mut S> {
        let sink: &mut dyn TraceSink = self.sink.as_deref_mut()?;
        AsAny::as_any_mut(sink).downcast_mut::<S>()
    }

    /// Records one event: digest (Trap/Exit only), count, then sink.
    #[inline]
    pub fn record(&mut self, ev: &TraceEvent<'_>) {
        self.digest.record(ev);
        let c = &mut self.counts[ev.kind.index()];
        *c = c.wrapping_add(1);
        if let Some(sink) = self.sink.as_deref_mut() {
            sink.record(ev);
        }
    }

    /// Records a record that visits its fields ([`VisitFields`]): with no sink, straight
    /// into the digest without building a [`TraceEvent`] (the exit path's case); with a
    /// sink, as the equivalent event. Digest and counts are the same either way.
    #[inline]
    pub fn record_visit<R: VisitFields>(&mut self, vtime: u64, cpu: u32, rec: &R) {
        if self.sink.is_none() {
            self.digest.record_visit(vtime, cpu, rec);
            let c = &mut self.counts[rec.record_kind().index()];
            *c = c.wrapping_add(1);
            return;
        }
        let mut fields = CollectFields(Vec::new());
        rec.visit_fields(&mut fields);
        let (name, _) = rec.record_name();
        self.record(&TraceEvent::new(
            vtime,
            cpu,
            rec.record_kind(),
            name,
            &fields.0,
        ));
    }

    /// The digest of the Trap/Exit events so far.
    pub fn digest(&self) -> DigestValue {
        self.digest.value()
    }

    /// Events of `kind` recorded so far.
    pub fn count(&self, kind: TraceKind) -> u64 {
        self.counts[kind.index()]
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::String;
    use alloc::string::ToString;

    use super::super::event::Field;
    use super::super::parse_json_line;
    use super::*;

    fn events() -> [TraceEvent<'static>; 4] {
        const F: [Field<'static>; 2] = [Field::u64("addr", 0x1000), Field::str("s", "x y")];
        [
            TraceEvent::new(1, 0, TraceKind::Insn, "addi", &[]),
            TraceEvent::new(2, 0, TraceKind::Exit, "MmioWrite", &F),
            TraceEvent::new(3, 1, TraceKind::Trap, "Ecall", &[]),
            TraceEvent::new(4, 1, TraceKind::Console, "uart", &F),
        ]
    }

    #[test]
    fn digest_independent_of_sink() {
        let mut a = Tracer::new();
        let mut b = Tracer::with_sink(Box::new(JsonLinesSink::new(String::new())));
        let mut c = Tracer::with_sink(Box::new(DiscardSink));
        for e in events() {
            a.record(&e);
            b.record(&e);
            c.record(&e);
        }
        assert_eq!(a.digest(), b.digest());
        assert_eq!(a.digest(), c.digest());
        assert_ne!(a.digest(), Tracer::new().digest());
        for k in TraceKind::ALL {
            let want = u64::from(k != TraceKind::Note);
            assert_eq!(a.count(k), want, "{k:?}");
        }
    }

    #[test]
    fn json_sink_round_trips_to_the_same_digest() {
        let mut t = Tracer::with_sink(Box::new(JsonLinesSink::new(String::new())));
        for e in events() {
            t.record(&e);
        }
        let text = t
            .sink_ref::<JsonLinesSink<String>>()
            .unwrap()
            .get_ref()
            .clone();
        assert_eq!(text.lines().count(), 4);
        let mut d = Digest::new();
        for (line, e) in text.lines().zip(events()) {
            let parsed = parse_json_line(line).unwrap();
            assert_eq!(parsed, e.to_owned_event());
            d.record_owned(&parsed);
        }
        assert_eq!(d.value(), t.digest());
    }

    #[test]
    fn memory_sink_and_downcast() {
        let mut t = Tracer::with_sink(Box::new(MemorySink::new()));
        assert!(t.sink_ref::<DiscardSink>().is_none());
        for e in events() {
            t.record(&e);
        }
        let got = t.sink_mut::<MemorySink>().unwrap().take();
        assert_eq!(got.len(), 4);
        assert_eq!(
            got[1].to_string(),
            "exit t=2 cpu=0 MmioWrite addr=0x1000 s=\"x y\""
        );
        assert!(t.sink_ref::<MemorySink>().unwrap().events().is_empty());
        assert!(t.take_sink().is_some());
        assert!(!t.has_sink());
    }

    /// A writer that fails after `n` bytes.
    #[derive(Debug)]
    struct Failing(usize);
    impl Write for Failing {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            self.0 = self.0.checked_sub(s.len()).ok_or(fmt::Error)?;
            Ok(())
        }
    }

    #[test]
    fn write_errors_are_kept_not_panicked() {
        let mut s = JsonLinesSink::new(Failing(10));
        for e in events() {
            s.record(&e);
        }
        assert!(s.has_failed());
        assert!(s.into_inner().is_err());
        let mut s = TextSink::new(Failing(10), &TraceKind::ALL, true);
        for e in events() {
            s.record(&e);
        }
        assert!(s.has_failed());
    }

    #[test]
    fn text_sink_filters_kinds() {
        let mut s = TextSink::new(String::new(), &[TraceKind::Trap, TraceKind::Exit], true);
        for e in events() {
            s.record(&e);
        }
        assert_eq!(
            s.into_inner().unwrap(),
            "exit t=2 cpu=0 MmioWrite addr=0x1000 s=\"x y\"\ntrap t=3 cpu=1 Ecall\n"
        );
    }

    /// A generated event: kind, vtime, cpu, name, and fields over a fixed name set.
    type GenEvent = (
        TraceKind,
        u64,
        u32,
        &'static str,
        Vec<(&'static str, u64, u8)>,
    );

    fn gen_events() -> impl proptest::strategy::Strategy<Value = Vec<GenEvent>> {
        use proptest::prelude::*;
        let field = (
            prop::sample::select(alloc::vec!["addr", "val", "s"]),
            any::<u64>(),
            0u8..4,
        );
        let ev = (
            prop::sample::select(TraceKind::ALL.to_vec()),
            any::<u64>(),
            0u32..4,
            prop::sample::select(alloc::vec!["MmioRead", "Ecall", "x y", ""]),
            prop::collection::vec(field, 0..4),
        );
        prop::collection::vec(ev, 0..20)
    }

    fn with_fields<R>(g: &GenEvent, f: impl FnOnce(&TraceEvent<'_>) -> R) -> R {
        let strs: Vec<alloc::string::String> =
            g.4.iter()
                .map(|(_, v, _)| alloc::format!("{v:x}"))
                .collect();
        let fields: Vec<Field<'_>> =
            g.4.iter()
                .zip(&strs)
                .map(|(&(name, v, ty), s)| match ty {
                    0 => Field::u64(name, v),
                    1 => Field::i64(name, v as i64),
                    2 => Field::bool(name, v & 1 == 1),
                    _ => Field::str(name, s),
                })
                .collect();
        f(&TraceEvent::new(g.1, g.2, g.0, g.3, &fields))
    }

    proptest::proptest! {
        /// DESIGN.md determinism rule: the digest is a function of the ordered Trap/Exit events
        /// only. It is the same with the sink on or off, equals a digest fed only the
        /// Trap/Exit events, and equals the digest of the events parsed back from JSON Lines.
        #[test]
        fn prop_digest_is_sink_independent(evs in gen_events()) {
            let mut plain = Tracer::new();
            let mut traced = Tracer::with_sink(Box::new(JsonLinesSink::new(String::new())));
            let mut filtered = Digest::new();
            for g in &evs {
                with_fields(g, |e| {
                    plain.record(e);
                    traced.record(e);
                    if e.kind.feeds_digest() {
                        filtered.record(e);
                    }
                });
            }
            proptest::prop_assert_eq!(plain.digest(), traced.digest());
            proptest::prop_assert_eq!(plain.digest(), filtered.value());
            let text = traced.sink_ref::<JsonLinesSink<String>>().unwrap().get_ref().clone();
            let mut reparsed = Digest::new();
            for line in text.lines() {
                reparsed.record_owned(&parse_json_line(line).unwrap());
            }
            proptest::prop_assert_eq!(reparsed.value(), plain.digest());
            proptest::prop_assert_eq!(text.lines().count(), evs.len());
        }
    }
}
