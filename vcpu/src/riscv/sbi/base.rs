//! Base extension (EID 0x10).

use hw_models::riscv::hw::RiscvHardware;

use super::consts::{IMPL_ID, IMPL_VERSION, SPEC_VERSION, base, eid};
use super::{NOT_SUPPORTED, SbiCall, SbiOutcome, success};
use crate::riscv::vcpu::RiscvVCpu;

/// The extensions hvsim implements for guests: probe_extension returns 1 for these and 0
/// for everything else (SUSP, CPPC, NACL, STA, SSE, FWFT, DBTR, legacy set_timer ...).
pub const IMPLEMENTED: [u64; 11] = [
    eid::BASE,
    eid::LEGACY_CONSOLE_PUTCHAR,
    eid::LEGACY_CONSOLE_GETCHAR,
    eid::TIME,
    eid::IPI,
    eid::RFENCE,
    eid::HSM,
    eid::SRST,
    eid::PMU,
    eid::DBCN,
    eid::HVC,
];

impl<H: RiscvHardware> RiscvVCpu<H> {
    pub(crate) fn sbi_base(&mut self, hw: &mut H, call: SbiCall) -> SbiOutcome {
        let machine_id = |v: Option<u64>, hw: &mut H| match v {
            Some(v) => SbiOutcome::Ret(success(v)),
            // Forwarded: the firmware below answers for the physical hart.
            None => SbiOutcome::Ret(hw.sbi_call(eid::BASE, call.fid, [0; 6])),
        };
        match call.fid {
            base::GET_SPEC_VERSION => SbiOutcome::Ret(success(SPEC_VERSION)),
            base::GET_IMPL_ID => SbiOutcome::Ret(success(IMPL_ID)),
            base::GET_IMPL_VERSION => SbiOutcome::Ret(success(IMPL_VERSION)),
            base::PROBE_EXTENSION => {
                SbiOutcome::Ret(success(u64::from(IMPLEMENTED.contains(&call.args[0]))))
            }
            base::GET_MVENDORID => machine_id(self.config.mvendorid, hw),
            base::GET_MARCHID => machine_id(self.config.marchid, hw),
            base::GET_MIMPID => machine_id(self.config.mimpid, hw),
            _ => NOT_SUPPORTED,
        }
    }
}
