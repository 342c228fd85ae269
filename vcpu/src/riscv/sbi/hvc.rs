//! hvsim's hypercall extension, EID 0x485643 ("HVC"): every FID is a hypercall number
//! for the VMM, with a0..a5 as arguments.

use hw_models::riscv::hw::RiscvHardware;

use super::{SbiCall, SbiOutcome, success};
use crate::ExitReason;
use crate::riscv::vcpu::{Completion, RiscvVCpu};

impl<H: RiscvHardware> RiscvVCpu<H> {
    pub(crate) fn sbi_hvc(&mut self, call: SbiCall) -> SbiOutcome {
        self.completion = Completion::Hypercall;
        SbiOutcome::Exit(
            success(0),
            ExitReason::Hypercall {
                nr: call.fid,
                args: call.args,
            },
        )
    }
}
