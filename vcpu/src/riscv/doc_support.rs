//! A hart without the H extension, for documentation examples: every CSR access raises
//! illegal-instruction and the guest never runs.

use hw_models::riscv::cause::exc;
use hw_models::riscv::hw::{GuestContext, GuestRunEnd, HwTrap, RiscvHardware, SbiRet};
use sim_core::AccessWidth;

/// A hart that refuses everything.
#[derive(Debug, Default)]
pub struct NoHart;

const ILLEGAL: HwTrap = HwTrap {
    cause: exc::ILLEGAL_INSTRUCTION,
    tval: 0,
    htval: 0,
    htinst: 0,
};

impl RiscvHardware for NoHart {
    fn csr_read(&mut self, _: u16) -> Result<u64, HwTrap> {
        Err(ILLEGAL)
    }
    fn csr_write(&mut self, _: u16, _: u64) -> Result<(), HwTrap> {
        Err(ILLEGAL)
    }
    fn csr_set(&mut self, _: u16, _: u64) -> Result<u64, HwTrap> {
        Err(ILLEGAL)
    }
    fn csr_clear(&mut self, _: u16, _: u64) -> Result<u64, HwTrap> {
        Err(ILLEGAL)
    }
    fn hfence_vvma(&mut self, _: Option<u64>, _: Option<u64>) {}
    fn hfence_gvma(&mut self, _: Option<u64>, _: Option<u64>) {}
    fn hlv(&mut self, _: u64, _: AccessWidth, _: bool) -> Result<u64, HwTrap> {
        Err(ILLEGAL)
    }
    fn hlvx(&mut self, _: u64, _: AccessWidth) -> Result<u64, HwTrap> {
        Err(ILLEGAL)
    }
    fn hsv(&mut self, _: u64, _: AccessWidth, _: u64) -> Result<(), HwTrap> {
        Err(ILLEGAL)
    }
    fn run_guest(&mut self, _: &mut GuestContext) -> GuestRunEnd {
        GuestRunEnd::SliceEnd
    }
    fn sbi_call(&mut self, _: u64, _: u64, _: [u64; 6]) -> SbiRet {
        SbiRet {
            error: -2,
            value: 0,
        }
    }
}
