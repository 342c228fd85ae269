//! The SRST extension (SBI v2.0 §10): the reset is recorded as the board's stop.

use super::env::{ResetKind, SystemReset};
use super::sbi::{err, srst};
use super::{Firmware, SbiEnv, fail, ok};
use crate::riscv::hw::SbiRet;

impl Firmware {
    /// sbi_system_reset(reset_type, reset_reason). Both are uint32_t: upper register bits
    /// are ignored (OpenSBI truncates the same way). Reserved and vendor-specific types and
    /// reasons are SBI_ERR_INVALID_PARAM (§10.1: "reserved or is platform-specific and
    /// unimplemented"); SBI-implementation-specific reasons (0xE000_0000..=0xEFFF_FFFF) are
    /// accepted and recorded. On success the board stops; the model returns SBI_SUCCESS to
    /// the Rust caller instead of not returning, and every later SBI call fails.
    pub(crate) fn system_reset_call<E: SbiEnv + ?Sized>(
        &mut self,
        env: &mut E,
        hart: usize,
        a0: u64,
        a1: u64,
    ) -> SbiRet {
        let kind = match a0 as u32 {
            srst::TYPE_SHUTDOWN => ResetKind::Shutdown,
            srst::TYPE_COLD_REBOOT => ResetKind::ColdReboot,
            srst::TYPE_WARM_REBOOT => ResetKind::WarmReboot,
            _ => return fail(err::INVALID_PARAM),
        };
        let reason = a1 as u32;
        let reason_ok = reason == srst::REASON_NONE
            || reason == srst::REASON_SYSTEM_FAILURE
            || (srst::REASON_SBI_IMPL_FIRST..=srst::REASON_SBI_IMPL_LAST).contains(&reason);
        if !reason_ok {
            return fail(err::INVALID_PARAM);
        }
        let reset = SystemReset { kind, reason, hart };
        self.reset = Some(reset);
        env.system_reset(reset);
        ok(0)
    }
}
