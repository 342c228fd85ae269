//! Guest entry and exit: `run` programs the entry state, enters the guest through the
//! hardware's `run_guest` (SRET into V=1), reads the trap CSRs and dispatches the exit.

use hw_models::riscv::csr_num;
use hw_models::riscv::hw::{GuestRunEnd, RiscvHardware};

use super::bits::{hstatus, sstatus};
use super::csr;
use super::error::{Result, RiscvVCpuError};
use super::regs::VmCpuTrapState;
use super::vcpu::{Completion, RiscvVCpu};
use crate::ExitReason;

impl<H: RiscvHardware> RiscvVCpu<H> {
    /// Runs the guest until its next exit.
    ///
    /// Before entry: queued interrupt changes go to hvip; sstatus.SPP and hstatus.SPVP
    /// select VS or VU (norm:sret_v1), hstatus.SPV=1 selects V=1 (norm:hstatus_spv_sret),
    /// sepc is the guest pc. After the trap: sepc, scause, stval, htval, htinst, sstatus and
    /// hstatus describe it (norm:H_trap_hs_csrwrites); the hypervisor's own sstatus and
    /// hstatus are restored, and the trap is dispatched (docs/riscv-vcpu.md, exit table).
    pub fn run(&mut self, hw: &mut H) -> Result<ExitReason> {
        if !self.set_up {
            return Err(RiscvVCpuError::NotSetUp);
        }
        if !self.bound {
            return Err(RiscvVCpuError::NotBound);
        }
        // Remote SBI fences other vCPUs requested for this one (sbi/rfence.rs).
        self.apply_remote_fences(hw);
        // An exit not completed by now is abandoned (its register keeps its old value).
        self.completion = Completion::None;
        if !self.pending_hvip.is_empty() {
            let p = core::mem::take(&mut self.pending_hvip);
            if p.clear != 0 {
                csr::clear(hw, csr_num::HVIP, p.clear)?;
            }
            if p.set != 0 {
                csr::set(hw, csr_num::HVIP, p.set)?;
            }
        }

        let hyp_sstatus = csr::read(hw, csr_num::SSTATUS)?;
        let hyp_hstatus = csr::read(hw, csr_num::HSTATUS)?;
        self.regs.hyp_regs.sstatus = hyp_sstatus;
        self.regs.hyp_regs.hstatus = hyp_hstatus;

        let g = &self.regs.guest_regs;
        let (entry_sstatus, entry_hstatus) = if g.in_vs {
            (
                hyp_sstatus | sstatus::SPP,
                g.hstatus | hstatus::SPV | hstatus::SPVP,
            )
        } else {
            (
                hyp_sstatus & !sstatus::SPP,
                (g.hstatus | hstatus::SPV) & !hstatus::SPVP,
            )
        };
        csr::write(hw, csr_num::SSTATUS, entry_sstatus)?;
        csr::write(hw, csr_num::HSTATUS, entry_hstatus)?;
        csr::write(hw, csr_num::SEPC, g.sepc)?;

        let end = hw.run_guest(&mut self.regs.guest_regs.gprs);
        self.regs.guest_regs.gprs.x[0] = 0;
        self.regs.guest_regs.sepc = csr::read(hw, csr_num::SEPC)?;

        let exit = match end {
            GuestRunEnd::SliceEnd => {
                csr::write(hw, csr_num::SSTATUS, hyp_sstatus)?;
                csr::write(hw, csr_num::HSTATUS, hyp_hstatus)?;
                return Ok(ExitReason::Preempted);
            }
            GuestRunEnd::Trap => {
                let trap = VmCpuTrapState {
                    scause: csr::read(hw, csr_num::SCAUSE)?,
                    stval: csr::read(hw, csr_num::STVAL)?,
                    htval: csr::read(hw, csr_num::HTVAL)?,
                    htinst: csr::read(hw, csr_num::HTINST)?,
                };
                self.regs.trap_csrs = trap;
                let trap_sstatus = csr::read(hw, csr_num::SSTATUS)?;
                let trap_hstatus = csr::read(hw, csr_num::HSTATUS)?;
                self.regs.guest_regs.in_vs = trap_sstatus & sstatus::SPP != 0;
                // The guest's hstatus keeps SPVP as the hardware wrote it (the guest's
                // privilege, norm:hstatus_spvp_op): HLV/HLVX below use it.
                csr::write(hw, csr_num::SSTATUS, hyp_sstatus)?;
                let hlv_hstatus = (hyp_hstatus & !hstatus::SPVP) | (trap_hstatus & hstatus::SPVP);
                csr::write(hw, csr_num::HSTATUS, hlv_hstatus)?;
                let exit = self.handle_trap(hw, trap);
                csr::write(hw, csr_num::HSTATUS, hyp_hstatus)?;
                exit?
            }
        };
        Ok(exit)
    }
}
