//! Why `run` returned: the exit reasons a VMM handles.

mod flags;
mod trace;

use core::fmt;

use sim_core::{AccessWidth, GuestPhysAddr};

pub use flags::AccessFlags;
pub use trace::MAX_EXIT_FIELDS;

/// The address of a trapped system-register access.
///
/// The encoding is the architecture's own: the 12-bit CSR number on RISC-V, the
/// `op0:op1:CRn:CRm:op2` ISS encoding of `ESR_EL2` (EC 0x18) on AArch64, the MSR index
/// (`ECX`) on x86.
///
/// ```
/// use vcpu::SysRegAddr;
/// assert_eq!(SysRegAddr::new(0x180).as_u64(), 0x180);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SysRegAddr(u64);

impl SysRegAddr {
    /// Wraps an architecture-encoded register address.
    pub const fn new(raw: u64) -> Self {
        Self(raw)
    }

    /// The raw encoding.
    pub const fn as_u64(self) -> u64 {
        self.0
    }
}

impl fmt::Debug for SysRegAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SysRegAddr({:#x})", self.0)
    }
}

/// What a guest asked for when it took the whole system down.
///
/// The three kinds are the SBI SRST `reset_type` values (shutdown, cold reboot, warm
/// reboot); PSCI `SYSTEM_OFF`/`SYSTEM_RESET`/`SYSTEM_RESET2` and an x86 triple fault map
/// onto them (see `docs/vcpu.md`).
///
/// ```
/// use vcpu::ShutdownKind;
/// assert_eq!(ShutdownKind::from_sbi_reset_type(1), Some(ShutdownKind::ColdReboot));
/// assert_eq!(ShutdownKind::from_sbi_reset_type(3), None);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum ShutdownKind {
    /// Power off.
    Shutdown,
    /// Reset everything, as from power-on.
    ColdReboot,
    /// Reset the processors, keep memory and some devices.
    WarmReboot,
}

impl ShutdownKind {
    /// Maps an SBI SRST `reset_type`; `None` for reserved and vendor values.
    pub const fn from_sbi_reset_type(reset_type: u32) -> Option<Self> {
        match reset_type {
            0 => Some(Self::Shutdown),
            1 => Some(Self::ColdReboot),
            2 => Some(Self::WarmReboot),
            _ => None,
        }
    }

    /// The lower-case name used in traces.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Shutdown => "shutdown",
            Self::ColdReboot => "cold_reboot",
            Self::WarmReboot => "warm_reboot",
        }
    }
}

/// `SystemDown::reason` when the guest gave no reason (SBI SRST `reset_reason` 0).
pub const SHUTDOWN_REASON_NONE: u32 = 0;
/// `SystemDown::reason` for a system failure (SBI SRST `reset_reason` 1); also used for an
/// x86 triple fault.
pub const SHUTDOWN_REASON_SYSTEM_FAILURE: u32 = 1;

/// Why [`crate::ArchVCpu::run`] returned to the VMM. The vocabulary is axvcpu's
/// `AxVCpuExitReason`, plus [`ExitReason::Preempted`] and a richer
/// [`ExitReason::SystemDown`].
///
/// Contract for architectures: when an exit asks the VMM to *complete* an instruction
/// (`Hypercall`, `MmioRead`, `MmioWrite`, `SysRegRead`, `SysRegWrite`, `IoRead`, `IoWrite`),
/// the architecture has already moved the guest program counter past it. The VMM only
/// supplies the result, with `set_gpr` (reads) or `set_return_value` (hypercalls), and
/// calls `run` again.
///
/// ```
/// use sim_core::{AccessWidth, GuestPhysAddr};
/// use vcpu::ExitReason;
/// let exit = ExitReason::MmioWrite {
///     addr: GuestPhysAddr::new(0x1000_0000),
///     width: AccessWidth::Byte,
///     data: b'A'.into(),
/// };
/// assert_eq!(exit.name(), "MmioWrite");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ExitReason {
    /// A hypercall to the VMM (`ecall` from VS with the hypervisor's SBI extension,
    /// `HVC`, `VMCALL`).
    Hypercall {
        /// The call number.
        nr: u64,
        /// The arguments, in the architecture's argument registers order.
        args: [u64; 6],
    },
    /// A guest load from an address with no memory behind it.
    MmioRead {
        /// The guest-physical address.
        addr: GuestPhysAddr,
        /// The width of the access.
        width: AccessWidth,
        /// The destination general-purpose register.
        reg: usize,
        /// The width of the destination register.
        reg_width: AccessWidth,
        /// Whether the value must be sign-extended (`lb`, `LDRSB` ...).
        signed_ext: bool,
    },
    /// A guest store to an address with no memory behind it.
    MmioWrite {
        /// The guest-physical address.
        addr: GuestPhysAddr,
        /// The width of the access.
        width: AccessWidth,
        /// The stored value, zero-extended from `width`.
        data: u64,
    },
    /// A trapped system-register read (RISC-V CSR, AArch64 `MRS`, x86 `RDMSR`).
    SysRegRead {
        /// The register.
        addr: SysRegAddr,
        /// The destination general-purpose register.
        reg: usize,
    },
    /// A trapped system-register write (RISC-V CSR, AArch64 `MSR`, x86 `WRMSR`).
    SysRegWrite {
        /// The register.
        addr: SysRegAddr,
        /// The value written.
        value: u64,
    },
    /// An x86 `IN`; the result goes to `AL`/`AX`/`EAX` by `width`.
    IoRead {
        /// The port.
        port: u16,
        /// The width of the access.
        width: AccessWidth,
    },
    /// An x86 `OUT`.
    IoWrite {
        /// The port.
        port: u16,
        /// The width of the access.
        width: AccessWidth,
        /// The value written, zero-extended from `width`.
        data: u64,
    },
    /// A host (physical) interrupt arrived while the guest ran.
    ExternalInterrupt {
        /// The interrupt number (RISC-V `scause` interrupt code, GIC INTID, x86 vector).
        vector: u64,
    },
    /// A stage-2 fault the architecture could not decode as MMIO (for example an
    /// instruction fetch from an unmapped guest-physical page).
    NestedPageFault {
        /// The faulting guest-physical address.
        addr: GuestPhysAddr,
        /// The kinds of access that faulted.
        access_flags: AccessFlags,
    },
    /// The guest waits for an interrupt (`WFI`, `HLT`) and none is pending.
    Halt,
    /// The guest asks to start another vCPU (SBI HSM `hart_start`, PSCI `CPU_ON`,
    /// INIT-SIPI).
    CpuUp {
        /// The vCPU to start (hart id, MPIDR affinity, APIC id).
        target_cpu: u64,
        /// Where it starts.
        entry_point: GuestPhysAddr,
        /// The argument it receives (`opaque` in `a1`, `context_id` in `x0`).
        arg: u64,
    },
    /// The calling vCPU stops itself (SBI HSM `hart_stop`, PSCI `CPU_OFF`).
    CpuDown {
        /// Architecture-specific power state (PSCI `power_state`; 0 when none).
        state: u64,
    },
    /// The guest shuts down or resets the whole system.
    SystemDown {
        /// Shutdown or which reboot.
        kind: ShutdownKind,
        /// Why, as the guest said it: SBI SRST `reset_reason`
        /// ([`SHUTDOWN_REASON_NONE`], [`SHUTDOWN_REASON_SYSTEM_FAILURE`], or an
        /// implementation-defined value).
        reason: u32,
    },
    /// The exit was handled inside the architecture layer; nothing for the VMM to do.
    Nothing,
    /// The run slice (instruction budget or host timer) expired with the guest still
    /// runnable. Distinct from `Nothing` so schedulers and traces can tell a quantum end
    /// from a handled trap.
    Preempted,
    /// Guest entry failed (x86 VM-entry failure, invalid guest state).
    FailEntry {
        /// The hardware's reason code (x86 exit reason with bit 31 set, for example).
        hardware_entry_failure_reason: u64,
    },
    /// The guest sends an inter-processor interrupt (SBI IPI `send_ipi`, ICC_SGI1R_EL1,
    /// x2APIC ICR).
    SendIpi {
        /// The target, or the base of the target set (SBI `hart_mask_base`).
        target_cpu: u64,
        /// Extra target information (SBI `hart_mask`, SGI target list).
        target_cpu_aux: u64,
        /// Send to every vCPU of the VM.
        send_to_all: bool,
        /// Send to the sender too.
        send_to_self: bool,
        /// The interrupt vector (SGI INTID, x86 vector; RISC-V: the supervisor software
        /// interrupt code).
        vector: u64,
    },
}
