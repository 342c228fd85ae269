//! IPI extension (EID "sPI").

use hw_models::riscv::cause::irq;
use hw_models::riscv::hw::RiscvHardware;

use super::consts::{HART_MASK_BASE_ALL, err, ipi};
use super::{NOT_SUPPORTED, SbiCall, SbiOutcome, error, hartmask, success};
use crate::ExitReason;
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
        let send_to_all = hart_mask_base == HART_MASK_BASE_ALL;
        let own = self.config.hart_id;
        let send_to_self = send_to_all
            || own
                .checked_sub(hart_mask_base)
                .is_some_and(|bit| bit < u64::BITS.into() && hart_mask >> bit & 1 == 1);
        SbiOutcome::Exit(
            success(0),
            ExitReason::SendIpi {
                target_cpu: hart_mask_base,
                target_cpu_aux: hart_mask,
                send_to_all,
                send_to_self,
                vector: irq::SSI,
            },
        )
    }
}
