//! IPI extension (EID "sPI").

use hw_models::riscv::hw::RiscvHardware;

use super::consts::{err, ipi};
use super::{NOT_SUPPORTED, SbiCall, SbiOutcome, error, hartmask, success};
use crate::riscv::exit::RiscvExit;
use crate::riscv::vcpu::RiscvVCpu;

impl<H: RiscvHardware> RiscvVCpu<H> {
    /// sbi_send_ipi: a `SendIpi` exit; the VMM injects VSSIP into each target, this vCPU
    /// included when it is named. A hart id outside the VM is SBI_ERR_INVALID_PARAM; an
    /// empty mask succeeds without an exit.
    pub(crate) fn sbi_ipi(&mut self, call: SbiCall) -> SbiOutcome {
        if call.fid != ipi::SEND_IPI {
            return NOT_SUPPORTED;
        }
        let [hart_mask, hart_mask_base, ..] = call.args;
        if !hartmask::valid(hart_mask, hart_mask_base, self.config.hart_count) {
            return SbiOutcome::Ret(error(err::INVALID_PARAM));
        }
        if hartmask::is_empty(hart_mask, hart_mask_base) {
            return SbiOutcome::Ret(success(0));
        }
        SbiOutcome::Exit(
            success(0),
            RiscvExit::SendIpi {
                hart_mask,
                hart_mask_base,
            },
        )
    }
}
