//! Exit dispatch: every scause value has a defined outcome (docs/riscv-vcpu.md, "Exit
//! table"). Nothing here panics on guest-controlled values.

use hw_models::riscv::cause::{INTERRUPT_BIT, exc, irq};
use hw_models::riscv::csr_num;
use hw_models::riscv::hw::RiscvHardware;
use sim_core::GuestPhysAddr;

use super::bits::{INSN_WFI, hvip, sie};
use super::csr;
use super::error::{Result, RiscvVCpuError};
use super::fetch::{FetchOutcome, fetch_insn};
use super::mmio::{Htinst, MmioInsn, MmioOp, classify_htinst, decode};
use super::reflect::VsTrap;
use super::regs::VmCpuTrapState;
use super::timer::{NEVER, TimerVerdict};
use super::vcpu::{Completion, PendingLoad, RiscvVCpu};
use crate::{AccessFlags, ExitReason};

/// Bits 1:0 of stval that htval (GPA >> 2) drops (norm:htval_trapval).
const GPA_LOW_BITS: u64 = 3;

impl<H: RiscvHardware> RiscvVCpu<H> {
    pub(crate) fn handle_trap(&mut self, hw: &mut H, trap: VmCpuTrapState) -> Result<ExitReason> {
        let code = trap.scause & !INTERRUPT_BIT;
        if trap.scause & INTERRUPT_BIT != 0 {
            return self.handle_interrupt(hw, code);
        }
        match code {
            exc::ECALL_FROM_VS => self.handle_sbi(hw),
            exc::LOAD_GUEST_PAGE_FAULT => self.handle_guest_page_fault(hw, trap, AccessFlags::READ),
            exc::STORE_GUEST_PAGE_FAULT => {
                self.handle_guest_page_fault(hw, trap, AccessFlags::WRITE)
            }
            exc::INSTRUCTION_GUEST_PAGE_FAULT => Ok(ExitReason::NestedPageFault {
                addr: fault_gpa(&trap),
                access_flags: AccessFlags::EXECUTE,
            }),
            exc::VIRTUAL_INSTRUCTION => self.handle_virtual_instruction(hw, trap),
            // These come only from HS or M; seeing one means the hart below is broken.
            exc::ECALL_FROM_S | exc::ECALL_FROM_M => Err(RiscvVCpuError::UnexpectedTrap {
                scause: trap.scause,
                sepc: self.regs.guest_regs.ctx.sepc,
            }),
            // Everything else (access faults, misaligned accesses, and the delegable causes
            // if hedeleg did not keep them) goes to the guest as delegation would have
            // sent it (norm:H_trap_deleg, norm:H_trap_vs_csrwrites).
            _ => {
                self.reflect(
                    hw,
                    VsTrap {
                        cause: code,
                        tval: trap.stval,
                    },
                )?;
                Ok(ExitReason::Nothing)
            }
        }
    }

    fn handle_interrupt(&mut self, hw: &mut H, code: u64) -> Result<ExitReason> {
        match code {
            irq::STI => {
                let now = hw.csr_read(csr_num::TIME).ok();
                match self.timer.on_interrupt(now) {
                    TimerVerdict::Fire => {
                        csr::set(hw, csr_num::HVIP, hvip::VSTIP)?;
                        self.forward_timer(hw, NEVER);
                    }
                    TimerVerdict::Rearm(d) => self.forward_timer(hw, d),
                    TimerVerdict::Spurious => self.forward_timer(hw, NEVER),
                }
                Ok(ExitReason::Nothing)
            }
            irq::SSI => {
                // A host IPI is how another hart delivers a guest IPI to this one.
                csr::clear(hw, csr_num::SIP, sie::SSI)?;
                csr::set(hw, csr_num::HVIP, hvip::VSSIP)?;
                Ok(ExitReason::Nothing)
            }
            _ => Ok(ExitReason::ExternalInterrupt { vector: code }),
        }
    }

    /// Load/store guest-page faults: MMIO when the access is a plain integer load/store,
    /// otherwise a nested page fault for the VMM.
    fn handle_guest_page_fault(
        &mut self,
        hw: &mut H,
        trap: VmCpuTrapState,
        access: AccessFlags,
    ) -> Result<ExitReason> {
        let addr = fault_gpa(&trap);
        let insn = match classify_htinst(trap.htinst) {
            Htinst::VsStagePteAccess { write } => {
                let access_flags = if write {
                    AccessFlags::WRITE
                } else {
                    AccessFlags::READ
                };
                return Ok(ExitReason::NestedPageFault { addr, access_flags });
            }
            Htinst::Transformed(insn) => Some(insn),
            Htinst::Unknown => match fetch_insn(hw, self.regs.guest_regs.ctx.sepc) {
                FetchOutcome::Insn(bits) => decode(bits),
                FetchOutcome::Fault(f) => return self.fetch_fault(hw, f),
            },
        };
        let Some(insn) = insn else {
            return Ok(ExitReason::NestedPageFault {
                addr,
                access_flags: access,
            });
        };
        Ok(self.mmio_exit(addr, access, insn))
    }

    fn mmio_exit(
        &mut self,
        addr: GuestPhysAddr,
        access: AccessFlags,
        insn: MmioInsn,
    ) -> ExitReason {
        let g = &mut self.regs.guest_regs;
        match (insn.op, access) {
            (MmioOp::Load { rd, signed }, AccessFlags::READ) => {
                g.ctx.sepc = g.ctx.sepc.wrapping_add(insn.len);
                self.completion = Completion::Load(PendingLoad {
                    rd,
                    width: insn.width,
                    signed,
                });
                ExitReason::MmioRead {
                    addr,
                    width: insn.width,
                    reg: rd,
                    reg_width: sim_core::AccessWidth::Qword,
                    signed_ext: signed,
                }
            }
            (MmioOp::Store { rs2 }, AccessFlags::WRITE) => {
                let data = insn.width.zero_extend(g.gpr(rs2));
                g.ctx.sepc = g.ctx.sepc.wrapping_add(insn.len);
                ExitReason::MmioWrite {
                    addr,
                    width: insn.width,
                    data,
                }
            }
            // The instruction does not match the fault (the guest changed the code or its
            // mappings since the access): let the VMM map the page and retry.
            _ => ExitReason::NestedPageFault {
                addr,
                access_flags: access,
            },
        }
    }

    /// Virtual-instruction exceptions: WFI from VS is emulated as `Halt`; everything else
    /// is what an illegal instruction would be on a machine without the H extension, so
    /// the guest gets illegal-instruction with the instruction bits in vstval.
    fn handle_virtual_instruction(
        &mut self,
        hw: &mut H,
        trap: VmCpuTrapState,
    ) -> Result<ExitReason> {
        // stval holds the instruction bits, or zero if the hart does not provide them
        // (norm:H_virtinst_xtval).
        let bits = if trap.stval != 0 {
            trap.stval
        } else {
            match fetch_insn(hw, self.regs.guest_regs.ctx.sepc) {
                FetchOutcome::Insn(bits) => u64::from(bits),
                FetchOutcome::Fault(f) => return self.fetch_fault(hw, f),
            }
        };
        if bits == u64::from(INSN_WFI) && self.regs.guest_regs.in_vs {
            let g = &mut self.regs.guest_regs;
            g.ctx.sepc = g.ctx.sepc.wrapping_add(super::mmio::LEN_FULL);
            return Ok(ExitReason::Halt);
        }
        self.reflect(
            hw,
            VsTrap {
                cause: exc::ILLEGAL_INSTRUCTION,
                tval: bits,
            },
        )?;
        Ok(ExitReason::Nothing)
    }
}

/// The faulting guest-physical address: htval holds bits 63:2, stval the low two bits
/// (norm:htval_trapval, norm:H_tinst_addr_offset).
pub(crate) fn fault_gpa(trap: &VmCpuTrapState) -> GuestPhysAddr {
    GuestPhysAddr::new((trap.htval << 2) | (trap.stval & GPA_LOW_BITS))
}
