//! Exit reasons as trace records: a stable name and a list of fields, built on the stack.
//!
//! The exit path is hot (a hypercall round trip should cost about 100 ns), so nothing here
//! allocates: each variant builds an array of exactly its fields and lends it to a closure.
//! Field names and units are part of the golden-trace format (see `docs/vcpu.md`):
//! widths are in bytes, addresses and data are `U64`, kinds are lower-case text.

use sim_core::AccessWidth;

use super::ExitReason;
use crate::fields::{Field, FieldValue};

/// The most fields any exit reason has (a hypercall: `nr` and `a0`..`a5`).
pub const MAX_EXIT_FIELDS: usize = 7;

const fn u64_field(name: &'static str, v: u64) -> Field<'static> {
    Field {
        name,
        value: FieldValue::U64(v),
    }
}

const fn bool_field(name: &'static str, v: bool) -> Field<'static> {
    Field {
        name,
        value: FieldValue::Bool(v),
    }
}

const fn str_field(name: &'static str, v: &'static str) -> Field<'static> {
    Field {
        name,
        value: FieldValue::Str(v),
    }
}

const fn width_field(name: &'static str, w: AccessWidth) -> Field<'static> {
    // usize -> u64 is lossless on every target hvsim builds for (sizes are 1..=8).
    u64_field(name, w.size() as u64)
}

impl ExitReason {
    /// The stable, snake-case name of the variant, used as the trace record name.
    ///
    /// ```
    /// use vcpu::ExitReason;
    /// assert_eq!(ExitReason::Halt.name(), "halt");
    /// assert_eq!(ExitReason::Preempted.name(), "preempted");
    /// ```
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Hypercall { .. } => "hypercall",
            Self::MmioRead { .. } => "mmio_read",
            Self::MmioWrite { .. } => "mmio_write",
            Self::SysRegRead { .. } => "sysreg_read",
            Self::SysRegWrite { .. } => "sysreg_write",
            Self::IoRead { .. } => "io_read",
            Self::IoWrite { .. } => "io_write",
            Self::ExternalInterrupt { .. } => "external_interrupt",
            Self::NestedPageFault { .. } => "nested_page_fault",
            Self::Halt => "halt",
            Self::CpuUp { .. } => "cpu_up",
            Self::CpuDown { .. } => "cpu_down",
            Self::SystemDown { .. } => "system_down",
            Self::Nothing => "nothing",
            Self::Preempted => "preempted",
            Self::FailEntry { .. } => "fail_entry",
            Self::SendIpi { .. } => "send_ipi",
        }
    }

    /// Lends the exit's fields, in a fixed order, to `f` and returns what `f` returns.
    /// The fields live in a stack array; nothing is allocated. Text values are `'static`,
    /// so a closure may copy fields out.
    ///
    /// ```
    /// use sim_core::GuestPhysAddr;
    /// use vcpu::{AccessFlags, ExitReason, FieldValue};
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
                u64_field("nr", nr),
                u64_field("a0", args[0]),
                u64_field("a1", args[1]),
                u64_field("a2", args[2]),
                u64_field("a3", args[3]),
                u64_field("a4", args[4]),
                u64_field("a5", args[5]),
            ]),
            Self::MmioRead {
                addr,
                width,
                reg,
                reg_width,
                signed_ext,
            } => f(&[
                u64_field("addr", addr.as_u64()),
                width_field("width", width),
                u64_field("reg", reg as u64),
                width_field("reg_width", reg_width),
                bool_field("signed_ext", signed_ext),
            ]),
            Self::MmioWrite { addr, width, data } => f(&[
                u64_field("addr", addr.as_u64()),
                width_field("width", width),
                u64_field("data", data),
            ]),
            Self::SysRegRead { addr, reg } => f(&[
                u64_field("addr", addr.as_u64()),
                u64_field("reg", reg as u64),
            ]),
            Self::SysRegWrite { addr, value } => {
                f(&[u64_field("addr", addr.as_u64()), u64_field("value", value)])
            }
            Self::IoRead { port, width } => f(&[
                u64_field("port", u64::from(port)),
                width_field("width", width),
            ]),
            Self::IoWrite { port, width, data } => f(&[
                u64_field("port", u64::from(port)),
                width_field("width", width),
                u64_field("data", data),
            ]),
            Self::ExternalInterrupt { vector } => f(&[u64_field("vector", vector)]),
            Self::NestedPageFault { addr, access_flags } => f(&[
                u64_field("addr", addr.as_u64()),
                str_field("access", access_flags.as_str()),
            ]),
            Self::CpuUp {
                target_cpu,
                entry_point,
                arg,
            } => f(&[
                u64_field("target_cpu", target_cpu),
                u64_field("entry_point", entry_point.as_u64()),
                u64_field("arg", arg),
            ]),
            Self::CpuDown { state } => f(&[u64_field("state", state)]),
            Self::SystemDown { kind, reason } => f(&[
                str_field("kind", kind.name()),
                u64_field("reason", u64::from(reason)),
            ]),
            Self::FailEntry {
                hardware_entry_failure_reason,
            } => f(&[u64_field(
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
                u64_field("target_cpu", target_cpu),
                u64_field("target_cpu_aux", target_cpu_aux),
                bool_field("send_to_all", send_to_all),
                bool_field("send_to_self", send_to_self),
                u64_field("vector", vector),
            ]),
            Self::Halt | Self::Nothing | Self::Preempted => f(&[]),
        }
    }
}
