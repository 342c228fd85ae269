//! Timer extension (EID "TIME").

use hw_models::riscv::csr_num;
use hw_models::riscv::hw::RiscvHardware;

use super::consts::{eid, time};
use super::{NOT_SUPPORTED, SbiCall, SbiOutcome, success};
use crate::riscv::bits::hvip;
use crate::riscv::csr;
use crate::riscv::error::Result;
use crate::riscv::vcpu::RiscvVCpu;

impl<H: RiscvHardware> RiscvVCpu<H> {
    /// sbi_set_timer: arms the guest deadline and clears the guest's pending timer
    /// interrupt, as the SBI spec requires of set_timer ("clear the pending timer
    /// interrupt bit"); the deadline goes to the firmware's timer of this hart.
    pub(crate) fn sbi_time(&mut self, hw: &mut H, call: SbiCall) -> Result<SbiOutcome> {
        if call.fid != time::SET_TIMER {
            return Ok(NOT_SUPPORTED);
        }
        let deadline = call.args[0];
        self.timer.arm(deadline);
        csr::clear(hw, csr_num::HVIP, hvip::VSTIP)?;
        self.pending_hvip.set &= !hvip::VSTIP;
        self.forward_timer(hw, deadline);
        Ok(SbiOutcome::Ret(success(0)))
    }

    /// Programs the hart's S-level timer through the firmware (all ones disarms it and,
    /// like any set_timer, clears STIP).
    pub(crate) fn forward_timer(&mut self, hw: &mut H, deadline: u64) {
        // sbi_set_timer has no failure code to act on (SBI spec, "Timer Extension").
        let _ = hw.sbi_call(eid::TIME, time::SET_TIMER, [deadline, 0, 0, 0, 0, 0]);
    }
}
