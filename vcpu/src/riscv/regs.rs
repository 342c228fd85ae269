//! The vCPU's register state, grouped as upstream `VmCpuRegisters`: guest GPRs and status,
//! the hypervisor's own status saved around guest entry, the VS CSRs (live in hardware
//! while bound), the virtual HS CSRs, and the trap CSRs of the last exit.

use hw_models::riscv::hw::{GuestContext, TrapCsrs};

/// ABI names of the argument registers used by the SBI calling convention.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(usize)]
pub enum GprIndex {
    /// x1.
    Ra = 1,
    /// x2.
    Sp = 2,
    /// x10.
    A0 = 10,
    /// x11.
    A1 = 11,
    /// x12.
    A2 = 12,
    /// x13.
    A3 = 13,
    /// x14.
    A4 = 14,
    /// x15.
    A5 = 15,
    /// x16.
    A6 = 16,
    /// x17.
    A7 = 17,
}

/// The number of general-purpose registers.
pub const GPR_COUNT: usize = 32;

/// Guest state that `run_guest` and SRET consume.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct GuestCpuState {
    /// What the world switch loads and saves (the seed's `GuestCpuState`): x0..x31;
    /// sstatus while the guest runs (HS's sstatus at bind, SPP = the guest's privilege);
    /// hstatus while the guest runs (SPV=1, SPVP = the guest's privilege, VSXL, VTW); sepc =
    /// the guest pc; and the last trap's CSRs.
    pub ctx: GuestContext,
    /// Whether the guest was (and SRET returns it) in VS-mode rather than VU-mode:
    /// sstatus.SPP at the last trap (norm:sret_v1).
    pub in_vs: bool,
}

impl GuestCpuState {
    /// Reads register `idx` (x0 reads 0; an index above 31 reads 0 too).
    pub fn gpr(&self, idx: usize) -> u64 {
        if idx == 0 {
            0
        } else {
            self.ctx.gprs.x.get(idx).copied().unwrap_or(0)
        }
    }

    /// Writes register `idx`; writes to x0 (and to indices above 31) are discarded.
    pub fn set_gpr(&mut self, idx: usize, value: u64) {
        if idx != 0 {
            if let Some(r) = self.ctx.gprs.x.get_mut(idx) {
                *r = value;
            }
        }
    }

    /// Reads an ABI register.
    pub fn abi(&self, r: GprIndex) -> u64 {
        self.gpr(r as usize)
    }

    /// Writes an ABI register.
    pub fn set_abi(&mut self, r: GprIndex, value: u64) {
        self.set_gpr(r as usize, value);
    }
}

/// The hypervisor's sstatus and hstatus as `bind` read them (the world switch saves and
/// restores the live values itself): sstatus seeds the guest's sstatus; hstatus, with SPVP
/// set by `bind`, is what HS code runs with between exits, so HLV/HLVX act with VS
/// privilege unless the exit came from VU (docs/riscv-vcpu.md, "Guest entry and exit").
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct HypervisorCpuState {
    /// HS sstatus.
    pub sstatus: u64,
    /// HS hstatus.
    pub hstatus: u64,
}

/// The VS CSRs: loaded by `bind`, saved by `unbind`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct GuestVsCsrs {
    /// vsstatus.
    pub vsstatus: u64,
    /// vsie.
    pub vsie: u64,
    /// vstvec.
    pub vstvec: u64,
    /// vsscratch.
    pub vsscratch: u64,
    /// vsepc.
    pub vsepc: u64,
    /// vscause.
    pub vscause: u64,
    /// vstval.
    pub vstval: u64,
    /// vsatp.
    pub vsatp: u64,
    /// vstimecmp, when the hart implements Sstc (`None` otherwise).
    pub vstimecmp: Option<u64>,
}

/// The per-vCPU HS-level CSRs the hypervisor virtualizes for this guest.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct GuestVirtualHsCsrs {
    /// hvip while unbound (the pending VS-level interrupts).
    pub hvip: u64,
    /// hgatp for this guest (MODE, VMID, root PPN); 0 until `set_ept_root`.
    pub hgatp: u64,
}

/// The trap CSRs of the last exit (scause, stval, htval, htinst).
pub type VmCpuTrapState = TrapCsrs;

/// All register state of one RISC-V vCPU.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct VmCpuRegisters {
    /// The hypervisor's status as of `bind`.
    pub hyp_regs: HypervisorCpuState,
    /// Guest GPRs, pc and mode.
    pub guest_regs: GuestCpuState,
    /// VS CSRs.
    pub vs_csrs: GuestVsCsrs,
    /// Virtual HS CSRs.
    pub virtual_hs_csrs: GuestVirtualHsCsrs,
    /// The last exit's trap CSRs.
    pub trap_csrs: VmCpuTrapState,
}
