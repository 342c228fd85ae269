//! SBI v2.0 for guests (docs/sbi.md): the guest's ECALL from VS-mode arrives here.
//!
//! Each extension has its own file. A handler returns an [`SbiOutcome`]; this module turns
//! it into registers (a0 = error, a1 = value; legacy calls write a0 only), advances sepc
//! past the ECALL, and returns the exit.

pub mod base;
pub mod console;
pub mod consts;
pub mod hartmask;
pub mod hsm;
pub mod hvc;
pub mod ipi;
pub mod pmu;
pub mod rfence;
pub mod srst;
pub mod time;

use hw_models::riscv::hw::{RiscvHardware, SbiRet};

use super::error::Result;
use super::regs::GprIndex;
use super::vcpu::RiscvVCpu;
use crate::ExitReason;
use consts::{eid, err};

/// The length of ECALL.
const ECALL_LEN: u64 = 4;

/// One SBI call as the guest made it: a7 = EID, a6 = FID, a0..a5 = arguments.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SbiCall {
    /// a7.
    pub eid: u64,
    /// a6.
    pub fid: u64,
    /// a0..a5.
    pub args: [u64; 6],
}

/// What a handler decided.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SbiOutcome {
    /// Return `a0 = error, a1 = value` to the guest and resume it.
    Ret(SbiRet),
    /// A legacy call: return `a0` only; all other registers are preserved.
    Legacy(i64),
    /// Preset the return registers, then hand `exit` to the VMM. The preset is what the
    /// guest sees if the VMM resumes it without changing a0/a1.
    Exit(SbiRet, ExitReason),
    /// The handler already placed the guest (pc and registers); hand `exit` to the VMM.
    Placed(ExitReason),
}

/// An `SbiRet` with an error and no value.
pub const fn error(code: i64) -> SbiRet {
    SbiRet {
        error: code,
        value: 0,
    }
}

/// A successful `SbiRet` carrying `value`.
pub const fn success(value: u64) -> SbiRet {
    SbiRet {
        error: err::SUCCESS,
        value,
    }
}

/// `SBI_ERR_NOT_SUPPORTED`: the answer for every unknown EID or FID.
pub const NOT_SUPPORTED: SbiOutcome = SbiOutcome::Ret(error(err::NOT_SUPPORTED));

impl<H: RiscvHardware> RiscvVCpu<H> {
    /// Handles an ECALL from VS-mode.
    pub(crate) fn handle_sbi(&mut self, hw: &mut H) -> Result<ExitReason> {
        let g = &self.regs.guest_regs;
        let call = SbiCall {
            eid: g.abi(GprIndex::A7),
            fid: g.abi(GprIndex::A6),
            args: [
                g.abi(GprIndex::A0),
                g.abi(GprIndex::A1),
                g.abi(GprIndex::A2),
                g.abi(GprIndex::A3),
                g.abi(GprIndex::A4),
                g.abi(GprIndex::A5),
            ],
        };
        let outcome = self.dispatch_sbi(hw, call)?;
        let g = &mut self.regs.guest_regs;
        let set_ret = |g: &mut super::regs::GuestCpuState, r: SbiRet| {
            g.set_abi(GprIndex::A0, r.error as u64);
            g.set_abi(GprIndex::A1, r.value);
            // sepc holds the ECALL itself (norm:sepc_op_trap_write); the call returns after it.
            g.ctx.sepc = g.ctx.sepc.wrapping_add(ECALL_LEN);
        };
        Ok(match outcome {
            SbiOutcome::Ret(r) => {
                set_ret(g, r);
                ExitReason::Nothing
            }
            SbiOutcome::Legacy(a0) => {
                g.set_abi(GprIndex::A0, a0 as u64);
                g.ctx.sepc = g.ctx.sepc.wrapping_add(ECALL_LEN);
                ExitReason::Nothing
            }
            SbiOutcome::Exit(r, exit) => {
                set_ret(g, r);
                exit
            }
            SbiOutcome::Placed(exit) => exit,
        })
    }

    fn dispatch_sbi(&mut self, hw: &mut H, call: SbiCall) -> Result<SbiOutcome> {
        Ok(match call.eid {
            eid::BASE => self.sbi_base(hw, call),
            eid::LEGACY_CONSOLE_PUTCHAR => self.sbi_legacy_putchar(hw, call),
            eid::LEGACY_CONSOLE_GETCHAR => self.sbi_legacy_getchar(hw),
            eid::DBCN => self.sbi_dbcn(hw, call)?,
            eid::TIME => self.sbi_time(hw, call)?,
            eid::IPI => self.sbi_ipi(call),
            eid::RFENCE => self.sbi_rfence(hw, call),
            eid::HSM => self.sbi_hsm(hw, call)?,
            eid::SRST => self.sbi_srst(call),
            eid::PMU => self.sbi_pmu(call),
            eid::HVC => self.sbi_hvc(call),
            _ => NOT_SUPPORTED,
        })
    }
}
