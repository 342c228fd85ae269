//! What a RISC-V guest exit means to the VMM.
//!
//! [`RiscvExit`] is this architecture's exit vocabulary; the `ArchVCpu` implementation maps
//! it onto the shared `ExitReason` one-to-one (docs/riscv-vcpu.md has the table).

use sim_core::{AccessWidth, GuestPhysAddr};

/// The access that took a G-stage (nested) page fault.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FaultAccess {
    /// A load, or a VS-stage page-table read (pseudo-instruction 0x3000).
    Read,
    /// A store/AMO, or a VS-stage A/D update (pseudo-instruction 0x3020).
    Write,
    /// An instruction fetch.
    Execute,
}

/// SRST reset types (SBI spec, "System Reset Extension", Table "SRST System Reset Types").
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ResetKind {
    /// 0x0000_0000: shutdown.
    Shutdown,
    /// 0x0000_0001: cold reboot.
    ColdReboot,
    /// 0x0000_0002: warm reboot.
    WarmReboot,
}

/// SRST reset reasons (SBI spec, Table "SRST System Reset Reasons").
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ResetReason {
    /// 0x0000_0000: no reason.
    NoReason,
    /// 0x0000_0001: system failure.
    SystemFailure,
    /// 0xE000_0000..=0xEFFF_FFFF: SBI-implementation specific, carried raw.
    SbiSpecific(u32),
    /// 0xF000_0000..=0xFFFF_FFFF: vendor or platform specific, carried raw.
    VendorSpecific(u32),
}

/// A reason for `run` to return to the VMM.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RiscvExit {
    /// SBI extension 0x485643 ("HVC"): a hypercall for the VMM. a0/a1 are already set to
    /// SBI_SUCCESS/0 and sepc advanced; `set_return_value` supplies a1.
    Hypercall {
        /// The hypercall number (the SBI FID in a6).
        nr: u64,
        /// a0..a5.
        args: [u64; 6],
    },
    /// A guest load from an address with no G-stage mapping. sepc is already past the load;
    /// complete it with `set_return_value` (which applies the extension) before running.
    MmioRead {
        /// The guest-physical address (htval << 2 | stval & 3).
        addr: GuestPhysAddr,
        /// The access width.
        width: AccessWidth,
        /// The destination register (0 discards the value).
        reg: usize,
        /// The register width (always 64 bits on RV64).
        reg_width: AccessWidth,
        /// Whether the load sign-extends (LB/LH/LW) or zero-extends (LBU/LHU/LWU).
        signed_ext: bool,
    },
    /// A guest store to an address with no G-stage mapping. sepc is already past the store.
    MmioWrite {
        /// The guest-physical address.
        addr: GuestPhysAddr,
        /// The access width.
        width: AccessWidth,
        /// The stored value, truncated to `width`.
        data: u64,
    },
    /// A host interrupt that the VMM owns (S-level external, guest external, or any other
    /// non-timer, non-software interrupt): the scause interrupt code.
    ExternalInterrupt {
        /// The interrupt code.
        vector: u64,
    },
    /// A G-stage fault that is not emulated MMIO. sepc still points at the faulting
    /// instruction, so mapping the page and running again retries it.
    NestedPageFault {
        /// The faulting guest-physical address.
        addr: GuestPhysAddr,
        /// The access kind.
        access: FaultAccess,
    },
    /// The guest waits for an interrupt (WFI in VS, or an SBI HSM retentive or
    /// non-retentive suspend); sepc is where it resumes.
    Halt,
    /// SBI HSM hart_start: the VMM starts the target vCPU at `entry_point` with
    /// a0 = target hart id and a1 = `arg` (and reports failures by setting a0).
    CpuUp {
        /// The target guest hart id.
        target_cpu: u64,
        /// The guest-physical start address.
        entry_point: GuestPhysAddr,
        /// The opaque value for a1.
        arg: u64,
    },
    /// SBI HSM hart_stop: this vCPU stops; it does not return to the guest.
    CpuDown,
    /// SBI SRST system_reset.
    SystemDown {
        /// Shutdown, cold or warm reboot.
        kind: ResetKind,
        /// The guest's reason.
        reason: ResetReason,
    },
    /// SBI IPI send_ipi: the VMM injects VSSIP into each target (hart ids from the SBI hart
    /// mask). a0 is already SBI_SUCCESS.
    SendIpi {
        /// The hart mask (a0).
        hart_mask: u64,
        /// The hart mask base (a1); `u64::MAX` means every hart.
        hart_mask_base: u64,
    },
    /// Nothing for the VMM to do: run again.
    Nothing,
}
