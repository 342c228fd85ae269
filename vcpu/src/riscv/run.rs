//! Guest entry and exit: `run` applies queued interrupt changes, enters the guest through
//! the hardware's world switch (`run_guest`: SRET into V=1, back at the next trap into HS),
//! and dispatches the trap.

use hw_models::riscv::csr_num;
use hw_models::riscv::hw::{GuestRunEnd, RiscvHardware};

use super::bits::{hstatus, sstatus};
use super::csr;
use super::error::{Result, RiscvVCpuError};
use super::vcpu::{Completion, RiscvVCpu};
use crate::ExitReason;

impl<H: RiscvHardware> RiscvVCpu<H> {
    /// Runs the guest until its next exit.
    ///
    /// Before entry: queued interrupt changes go to hvip; sstatus.SPP and hstatus.SPVP
    /// select VS or VU (norm:sret_v1), hstatus.SPV=1 selects V=1 (norm:hstatus_spv_sret),
    /// sepc is the guest pc. The world switch swaps sstatus, hstatus and sepc, so the exit
    /// path makes no CSR access of its own unless the exit needs one. After the trap:
    /// sepc, scause, stval, htval, htinst, sstatus and hstatus describe it
    /// (norm:H_trap_hs_csrwrites), and the trap is dispatched (docs/riscv-vcpu.md, exit
    /// table).
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

        let g = &mut self.regs.guest_regs;
        let (spp, spvp) = if g.in_vs {
            (sstatus::SPP, hstatus::SPVP)
        } else {
            (0, 0)
        };
        let ctx = &mut g.ctx;
        ctx.sstatus = (ctx.sstatus & !sstatus::SPP) | spp;
        ctx.hstatus = (ctx.hstatus & !hstatus::SPVP) | hstatus::SPV | spvp;

        let end = hw.run_guest(ctx);
        ctx.gprs.x[0] = 0;
        // Both ends leave sstatus.SPP naming the mode the guest was in: a trap writes it
        // (norm:H_trap_hs_csrwrites), and so does a preemption (sim only), which the guest
        // may meet in another mode than its last trap (a VS kernel that SRET'd to VU).
        g.in_vs = ctx.sstatus & sstatus::SPP != 0;
        match end {
            GuestRunEnd::SliceEnd => Ok(ExitReason::Preempted),
            GuestRunEnd::Trap => {
                let trap = ctx.trap;
                let guest_spvp = ctx.hstatus & hstatus::SPVP;
                self.regs.trap_csrs = trap;
                // HLV/HLVX in the handlers act with hstatus.SPVP (norm:hstatus_spvp_op),
                // which must name the guest's privilege. `bind` left it at VS; only an exit
                // from VU pays for switching it.
                let hyp_hstatus = self.regs.hyp_regs.hstatus;
                let switch = guest_spvp != hyp_hstatus & hstatus::SPVP;
                if switch {
                    csr::write(
                        hw,
                        csr_num::HSTATUS,
                        (hyp_hstatus & !hstatus::SPVP) | guest_spvp,
                    )?;
                }
                let exit = self.handle_trap(hw, trap);
                if switch {
                    csr::write(hw, csr_num::HSTATUS, hyp_hstatus)?;
                }
                exit
            }
        }
    }
}
