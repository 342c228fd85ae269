//! Reflecting an exception into the guest: the hypervisor performs the trap into VS-mode
//! that delegation through hedeleg would have performed in hardware.

use hw_models::riscv::cause::exc;
use hw_models::riscv::csr_num;
use hw_models::riscv::hw::{HwTrap, RiscvHardware};

use super::bits::{sstatus, tvec};
use super::csr;
use super::error::Result;
use super::regs::VmCpuTrapState;
use super::trap::fault_gpa;
use super::vcpu::RiscvVCpu;
use crate::{AccessFlags, ExitReason};

/// An exception to deliver to VS-mode.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct VsTrap {
    /// The exception code written to vscause.
    pub cause: u64,
    /// The value written to vstval.
    pub tval: u64,
}

/// vsstatus after a trap into VS-mode (norm:H_trap_vs_csrwrites, Table "Value of vsstatus
/// field SPP after a trap into VS-mode"; priv spec, supervisor trap entry): SPP = the
/// previous mode (1 for VS, 0 for VU), SPIE = SIE, SIE = 0. Nothing else changes.
pub fn vsstatus_on_trap(vsstatus: u64, from_vs: bool) -> u64 {
    let mut v = vsstatus & !(sstatus::SPP | sstatus::SPIE | sstatus::SIE);
    if from_vs {
        v |= sstatus::SPP;
    }
    if vsstatus & sstatus::SIE != 0 {
        v |= sstatus::SPIE;
    }
    v
}

impl<H: RiscvHardware> RiscvVCpu<H> {
    /// Takes `trap` into VS-mode: vsepc = the guest pc, vscause, vstval, vsstatus as
    /// [`vsstatus_on_trap`], and the guest resumes in VS-mode at vstvec.BASE (synchronous
    /// exceptions ignore the vectored mode). hstatus and the HS sstatus are not the guest's
    /// business and stay as they are; V stays 1.
    pub(crate) fn reflect(&mut self, hw: &mut H, trap: VsTrap) -> Result<()> {
        let g = &mut self.regs.guest_regs;
        let vsstatus = csr::read(hw, csr_num::VSSTATUS)?;
        csr::write(hw, csr_num::VSSTATUS, vsstatus_on_trap(vsstatus, g.in_vs))?;
        csr::write(hw, csr_num::VSEPC, g.ctx.sepc)?;
        csr::write(hw, csr_num::VSCAUSE, trap.cause)?;
        csr::write(hw, csr_num::VSTVAL, trap.tval)?;
        let vstvec = csr::read(hw, csr_num::VSTVEC)?;
        g.ctx.sepc = vstvec & !tvec::MODE_MASK;
        g.in_vs = true;
        Ok(())
    }

    /// The outcome of an HLVX fetch that trapped. HLVX reports fetch problems as load
    /// faults; they are what the guest's own fetch would have met, so:
    /// - a G-stage fault is a nested page fault on execute for the VMM (the guest retries);
    /// - a VS-stage page fault is an instruction page fault for the guest;
    /// - anything else is an instruction access fault for the guest.
    pub(crate) fn fetch_fault(&mut self, hw: &mut H, fault: HwTrap) -> Result<ExitReason> {
        let cause = match fault.cause {
            exc::LOAD_GUEST_PAGE_FAULT | exc::INSTRUCTION_GUEST_PAGE_FAULT => {
                let t = VmCpuTrapState {
                    scause: fault.cause,
                    stval: fault.tval,
                    htval: fault.htval,
                    htinst: fault.htinst,
                };
                return Ok(ExitReason::NestedPageFault {
                    addr: fault_gpa(&t),
                    access_flags: AccessFlags::EXECUTE,
                });
            }
            exc::LOAD_PAGE_FAULT | exc::INSTRUCTION_PAGE_FAULT => exc::INSTRUCTION_PAGE_FAULT,
            _ => exc::INSTRUCTION_ACCESS_FAULT,
        };
        self.reflect(
            hw,
            VsTrap {
                cause,
                tval: fault.tval,
            },
        )?;
        Ok(ExitReason::Nothing)
    }
}
