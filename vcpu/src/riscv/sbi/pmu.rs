//! Performance monitoring extension (EID "PMU"), minimal: the guest has no counters.
//!
//! With zero counters every counter index and every non-empty counter set is invalid, so
//! the spec's answers follow: num_counters = 0; get_info, start, stop, fw_read and
//! fw_read_hi are SBI_ERR_INVALID_PARAM; config_matching is SBI_ERR_INVALID_PARAM for a
//! non-empty set and SBI_ERR_NOT_SUPPORTED ("none of the counters can monitor the event")
//! for an empty one; snapshot_set_shmem is SBI_ERR_NOT_SUPPORTED (no snapshot support).

use hw_models::riscv::hw::RiscvHardware;

use super::consts::{err, pmu};
use super::{NOT_SUPPORTED, SbiCall, SbiOutcome, error, success};
use crate::riscv::vcpu::RiscvVCpu;

impl<H: RiscvHardware> RiscvVCpu<H> {
    pub(crate) fn sbi_pmu(&mut self, call: SbiCall) -> SbiOutcome {
        let invalid = SbiOutcome::Ret(error(err::INVALID_PARAM));
        match call.fid {
            pmu::NUM_COUNTERS => SbiOutcome::Ret(success(0)),
            pmu::COUNTER_GET_INFO
            | pmu::COUNTER_START
            | pmu::COUNTER_STOP
            | pmu::COUNTER_FW_READ
            | pmu::COUNTER_FW_READ_HI => invalid,
            pmu::COUNTER_CONFIG_MATCHING => {
                // (counter_idx_base, counter_idx_mask): an empty set names no counter.
                if call.args[1] == 0 {
                    NOT_SUPPORTED
                } else {
                    invalid
                }
            }
            pmu::SNAPSHOT_SET_SHMEM => NOT_SUPPORTED,
            _ => NOT_SUPPORTED,
        }
    }
}
