//! Exit reasons as trace records: a stable name and a list of fields, built on the stack.
//!
//! The exit path is hot (a hypercall round trip should cost about 100 ns), so nothing here
//! allocates: each variant builds an array of exactly its fields and lends it to a closure.
//! Names and fields are part of the golden-trace format (see `docs/vcpu.md`): the record
//! name is the variant name (`MmioRead`, as sim-core's examples use); widths and register
//! indexes are decimal counts (`I64`, widths in bytes); addresses, data and guest-supplied
//! numbers are `U64` (hex in the text form, never truncated); kinds are text.

use sim_core::AccessWidth;
use sim_core::trace::{Field, TraceEvent, TraceKind};

use super::ExitReason;

/// The most fields any exit reason has (a hypercall: `nr` and `a0`..`a5`).
pub const MAX_EXIT_FIELDS: usize = 7;

const fn width_field(name: &'static str, w: AccessWidth) -> Field<'static> {
    // Sizes are 1..=8, so the conversion is exact.
    Field::i64(name, w.size() as i64)
}

fn reg_field(name: &'static str, reg: usize) -> Field<'static> {
    // Register indexes come from the architecture (< 32); saturate rather than wrap if an
    // implementation ever reports something absurd.
    Field::i64(name, i64::try_from(reg).unwrap_or(i64::MAX))
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
        match *self {
            Self::Hypercall { nr, args } => f(&[
                Field::u64("nr", nr),
                Field::u64("a0", args[0]),
                Field::u64("a1", args[1]),
                Field::u64("a2", args[2]),
                Field::u64("a3", args[3]),
                Field::u64("a4", args[4]),
                Field::u64("a5", args[5]),
            ]),
            Self::MmioRead {
                addr,
                width,
                reg,
                reg_width,
                signed_ext,
            } => f(&[
                Field::u64("addr", addr.as_u64()),
                width_field("width", width),
                reg_field("reg", reg),
                width_field("reg_width", reg_width),
                Field::bool("signed_ext", signed_ext),
            ]),
            Self::MmioWrite { addr, width, data } => f(&[
                Field::u64("addr", addr.as_u64()),
                width_field("width", width),
                Field::u64("data", data),
            ]),
            Self::SysRegRead { addr, reg } => {
                f(&[Field::u64("addr", addr.as_u64()), reg_field("reg", reg)])
            }
            Self::SysRegWrite { addr, value } => f(&[
                Field::u64("addr", addr.as_u64()),
                Field::u64("value", value),
            ]),
            Self::IoRead { port, width } => f(&[
                Field::u64("port", u64::from(port)),
                width_field("width", width),
            ]),
            Self::IoWrite { port, width, data } => f(&[
                Field::u64("port", u64::from(port)),
                width_field("width", width),
                Field::u64("data", data),
            ]),
            Self::ExternalInterrupt { vector } => f(&[Field::u64("vector", vector)]),
            Self::NestedPageFault { addr, access_flags } => f(&[
                Field::u64("addr", addr.as_u64()),
                Field::str("access", access_flags.as_str()),
            ]),
            Self::CpuUp {
                target_cpu,
                entry_point,
                arg,
            } => f(&[
                Field::u64("target_cpu", target_cpu),
                Field::u64("entry_point", entry_point.as_u64()),
                Field::u64("arg", arg),
            ]),
            Self::CpuDown { state } => f(&[Field::u64("state", state)]),
            Self::SystemDown { kind, reason } => f(&[
                Field::str("kind", kind.name()),
                Field::u64("reason", u64::from(reason)),
            ]),
            Self::FailEntry {
                hardware_entry_failure_reason,
            } => f(&[Field::u64(
                "hardware_entry_failure_reason",
                hardware_entry_failure_reason,
            )]),
            Self::SendIpi {
                target_cpu,
                target_cpu_aux,
                send_to_all,
                send_to_self,
                vector,
            } => f(&[
                Field::u64("target_cpu", target_cpu),
                Field::u64("target_cpu_aux", target_cpu_aux),
                Field::bool("send_to_all", send_to_all),
                Field::bool("send_to_self", send_to_self),
                Field::u64("vector", vector),
            ]),
            Self::Halt | Self::Nothing | Self::Preempted => f(&[]),
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
