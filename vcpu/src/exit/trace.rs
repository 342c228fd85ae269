//! Exit reasons as trace records: a stable name and a list of fields, built on the stack.
//!
//! The exit path is hot (a hypercall round trip should cost about 100 ns), so nothing here
//! allocates: each variant builds an array of exactly its fields and lends it to a closure.
//! Names and fields are part of the golden-trace format (see `docs/vcpu.md`): the record
//! name is the variant name (`MmioRead`, as sim-core's examples use); widths and register
//! indexes are decimal counts (`I64`, widths in bytes); addresses, data and guest-supplied
//! numbers are `U64` (hex in the text form, never truncated); kinds are text.

use sim_core::AccessWidth;
use sim_core::trace::{Field, FieldSink, FieldValue, TraceEvent, TraceKind, VisitFields, name_key};

use super::ExitReason;

/// The most fields any exit reason has (a hypercall: `nr` and `a0`..`a5`).
pub const MAX_EXIT_FIELDS: usize = 7;

/// Passes one field to a sink with its name's digest key computed at compile time.
macro_rules! put {
    ($s:expr, $name:literal, $value:expr) => {
        $s.field($name, const { name_key($name) }, $value)
    };
}

/// Widths are byte counts (1..=8), so the conversion is exact.
const fn width_value(w: AccessWidth) -> FieldValue<'static> {
    FieldValue::I64(w.size() as i64)
}

/// Register indexes come from the architecture (< 32); saturate rather than wrap if an
/// implementation ever reports something absurd.
fn reg_value(reg: usize) -> FieldValue<'static> {
    FieldValue::I64(i64::try_from(reg).unwrap_or(i64::MAX))
}

/// [`ExitReason::with_fields`]'s stack array.
struct StackFields {
    fields: [Field<'static>; MAX_EXIT_FIELDS],
    len: usize,
}

impl StackFields {
    const fn new() -> Self {
        Self {
            fields: [Field::u64("", 0); MAX_EXIT_FIELDS],
            len: 0,
        }
    }

    fn fields(&self) -> &[Field<'static>] {
        self.fields.get(..self.len).unwrap_or(&[])
    }
}

impl FieldSink<'static> for StackFields {
    fn field(&mut self, name: &'static str, _: u64, value: FieldValue<'static>) {
        // No variant has more than MAX_EXIT_FIELDS fields (exit_fields.rs checks it).
        if let Some(f) = self.fields.get_mut(self.len) {
            *f = Field::new(name, value);
            self.len += 1;
        }
    }
}

impl ExitReason {
    /// The stable name of the variant (its Rust name, as in axvcpu), used as the trace
    /// record name.
    ///
    /// ```
    /// use vcpu::ExitReason;
    /// assert_eq!(ExitReason::Halt.name(), "Halt");
    /// assert_eq!(ExitReason::Preempted.name(), "Preempted");
    /// ```
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Hypercall { .. } => "Hypercall",
            Self::MmioRead { .. } => "MmioRead",
            Self::MmioWrite { .. } => "MmioWrite",
            Self::SysRegRead { .. } => "SysRegRead",
            Self::SysRegWrite { .. } => "SysRegWrite",
            Self::IoRead { .. } => "IoRead",
            Self::IoWrite { .. } => "IoWrite",
            Self::ExternalInterrupt { .. } => "ExternalInterrupt",
            Self::NestedPageFault { .. } => "NestedPageFault",
            Self::Halt => "Halt",
            Self::CpuUp { .. } => "CpuUp",
            Self::CpuDown { .. } => "CpuDown",
            Self::SystemDown { .. } => "SystemDown",
            Self::Nothing => "Nothing",
            Self::Preempted => "Preempted",
            Self::FailEntry { .. } => "FailEntry",
            Self::SendIpi { .. } => "SendIpi",
        }
    }

    /// Lends the exit's fields, in a fixed order, to `f` and returns what `f` returns.
    /// The fields live in a stack array; nothing is allocated. Text values are `'static`,
    /// so a closure may copy fields out.
    ///
    /// ```
    /// use sim_core::GuestPhysAddr;
    /// use sim_core::trace::FieldValue;
    /// use vcpu::{AccessFlags, ExitReason};
    /// let exit = ExitReason::NestedPageFault {
    ///     addr: GuestPhysAddr::new(0x8000_1000),
    ///     access_flags: AccessFlags::EXECUTE,
    /// };
    /// let (names, access) = exit.with_fields(|fs| (fs.len(), fs[1].value));
    /// assert_eq!(names, 2);
    /// assert_eq!(access, FieldValue::Str("--x"));
    /// ```
    pub fn with_fields<R>(&self, f: impl FnOnce(&[Field<'static>]) -> R) -> R {
        let mut c = StackFields::new();
        self.visit(&mut c);
        f(c.fields())
    }

    /// The one list of each variant's fields, in order, with their digest keys computed at
    /// compile time: [`ExitReason::with_fields`] and the digest's fast path
    /// ([`VisitFields`]) both come from here.
    #[inline(always)]
    fn visit<'a, S: FieldSink<'a>>(&self, s: &mut S) {
        use FieldValue::{Bool, Str, U64};
        match *self {
            Self::Hypercall { nr, args } => {
                put!(s, "nr", U64(nr));
                put!(s, "a0", U64(args[0]));
                put!(s, "a1", U64(args[1]));
                put!(s, "a2", U64(args[2]));
                put!(s, "a3", U64(args[3]));
                put!(s, "a4", U64(args[4]));
                put!(s, "a5", U64(args[5]));
            }
            Self::MmioRead {
                addr,
                width,
                reg,
                reg_width,
                signed_ext,
            } => {
                put!(s, "addr", U64(addr.as_u64()));
                put!(s, "width", width_value(width));
                put!(s, "reg", reg_value(reg));
                put!(s, "reg_width", width_value(reg_width));
                put!(s, "signed_ext", Bool(signed_ext));
            }
            Self::MmioWrite { addr, width, data } => {
                put!(s, "addr", U64(addr.as_u64()));
                put!(s, "width", width_value(width));
                put!(s, "data", U64(data));
            }
            Self::SysRegRead { addr, reg } => {
                put!(s, "addr", U64(addr.as_u64()));
                put!(s, "reg", reg_value(reg));
            }
            Self::SysRegWrite { addr, value } => {
                put!(s, "addr", U64(addr.as_u64()));
                put!(s, "value", U64(value));
            }
            Self::IoRead { port, width } => {
                put!(s, "port", U64(u64::from(port)));
                put!(s, "width", width_value(width));
            }
            Self::IoWrite { port, width, data } => {
                put!(s, "port", U64(u64::from(port)));
                put!(s, "width", width_value(width));
                put!(s, "data", U64(data));
            }
            Self::ExternalInterrupt { vector } => put!(s, "vector", U64(vector)),
            Self::NestedPageFault { addr, access_flags } => {
                put!(s, "addr", U64(addr.as_u64()));
                put!(s, "access", Str(access_flags.as_str()));
            }
            Self::CpuUp {
                target_cpu,
                entry_point,
                arg,
            } => {
                put!(s, "target_cpu", U64(target_cpu));
                put!(s, "entry_point", U64(entry_point.as_u64()));
                put!(s, "arg", U64(arg));
            }
            Self::CpuDown { state } => put!(s, "state", U64(state)),
            Self::SystemDown { kind, reason } => {
                put!(s, "kind", Str(kind.name()));
                put!(s, "reason", U64(u64::from(reason)));
            }
            Self::FailEntry {
                hardware_entry_failure_reason,
            } => put!(
                s,
                "hardware_entry_failure_reason",
                U64(hardware_entry_failure_reason)
            ),
            Self::SendIpi {
                target_cpu,
                target_cpu_aux,
                send_to_all,
                send_to_self,
                vector,
            } => {
                put!(s, "target_cpu", U64(target_cpu));
                put!(s, "target_cpu_aux", U64(target_cpu_aux));
                put!(s, "send_to_all", Bool(send_to_all));
                put!(s, "send_to_self", Bool(send_to_self));
                put!(s, "vector", U64(vector));
            }
            Self::Halt | Self::Nothing | Self::Preempted => {}
        }
    }

    /// The record name's digest key, computed at compile time per variant.
    const fn name_key(&self) -> u64 {
        macro_rules! k {
            ($n:literal) => {
                const { name_key($n) }
            };
        }
        match self {
            Self::Hypercall { .. } => k!("Hypercall"),
            Self::MmioRead { .. } => k!("MmioRead"),
            Self::MmioWrite { .. } => k!("MmioWrite"),
            Self::SysRegRead { .. } => k!("SysRegRead"),
            Self::SysRegWrite { .. } => k!("SysRegWrite"),
            Self::IoRead { .. } => k!("IoRead"),
            Self::IoWrite { .. } => k!("IoWrite"),
            Self::ExternalInterrupt { .. } => k!("ExternalInterrupt"),
            Self::NestedPageFault { .. } => k!("NestedPageFault"),
            Self::Halt => k!("Halt"),
            Self::CpuUp { .. } => k!("CpuUp"),
            Self::CpuDown { .. } => k!("CpuDown"),
            Self::SystemDown { .. } => k!("SystemDown"),
            Self::Nothing => k!("Nothing"),
            Self::Preempted => k!("Preempted"),
            Self::FailEntry { .. } => k!("FailEntry"),
            Self::SendIpi { .. } => k!("SendIpi"),
        }
    }

    /// Lends the exit as a complete [`TraceEvent`] of kind [`TraceKind::Exit`] to `f`.
    ///
    /// ```
    /// use sim_core::GuestPhysAddr;
    /// use sim_core::AccessWidth;
    /// use vcpu::ExitReason;
    /// let exit = ExitReason::MmioRead {
    ///     addr: GuestPhysAddr::new(0x1000_0005),
    ///     width: AccessWidth::Byte,
    ///     reg: 10,
    ///     reg_width: AccessWidth::Qword,
    ///     signed_ext: false,
    /// };
    /// let line = exit.with_trace_event(42, 0, |ev| ev.to_string());
    /// assert_eq!(
    ///     line,
    ///     "exit t=42 cpu=0 MmioRead addr=0x10000005 width=1 reg=10 reg_width=8 signed_ext=false"
    /// );
    /// ```
    pub fn with_trace_event<R>(
        &self,
        vtime: u64,
        cpu: u32,
        f: impl FnOnce(&TraceEvent<'_>) -> R,
    ) -> R {
        let name = self.name();
        self.with_fields(|fields| f(&TraceEvent::new(vtime, cpu, TraceKind::Exit, name, fields)))
    }
}

/// The digest's fast path: the Machine records every exit through this, without building a
/// [`TraceEvent`] when no sink listens (vcpu/tests/exit_fields.rs checks that both paths
/// give the same digest for every variant).
impl VisitFields for ExitReason {
    fn record_kind(&self) -> TraceKind {
        TraceKind::Exit
    }

    #[inline]
    fn record_name(&self) -> (&'static str, u64) {
        (self.name(), self.name_key())
    }

    #[inline]
    fn visit_fields<'a, S: FieldSink<'a>>(&'a self, sink: &mut S) {
        self.visit(sink);
    }
}
