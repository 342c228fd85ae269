//! System reset extension (EID "SRST").

use hw_models::riscv::hw::RiscvHardware;

use super::consts::{err, srst};
use super::{NOT_SUPPORTED, SbiCall, SbiOutcome, error};
use crate::riscv::vcpu::RiscvVCpu;
use crate::{ExitReason, ShutdownKind};

/// reset_type and reset_reason are 32-bit values (SBI spec, sbi_system_reset).
const U32_MAX: u64 = u32::MAX as u64;

/// The reset kind, or `None` for reserved and unimplemented vendor types.
pub fn reset_kind(reset_type: u64) -> Option<ShutdownKind> {
    match reset_type {
        srst::TYPE_SHUTDOWN => Some(ShutdownKind::Shutdown),
        srst::TYPE_COLD_REBOOT => Some(ShutdownKind::ColdReboot),
        srst::TYPE_WARM_REBOOT => Some(ShutdownKind::WarmReboot),
        _ => None,
    }
}

/// The reset reason as carried by `SystemDown`, or `None` for reserved values. No reason
/// (0), system failure (1), and the SBI-implementation-specific (0xE000_0000..) and
/// vendor-specific (0xF000_0000..) ranges are passed through raw.
pub fn reset_reason(reason: u64) -> Option<u32> {
    match reason {
        srst::REASON_NONE | srst::REASON_SYSTEM_FAILURE => Some(reason as u32),
        r if (srst::REASON_SBI_FIRST..=U32_MAX).contains(&r) => Some(r as u32),
        _ => None,
    }
}

impl<H: RiscvHardware> RiscvVCpu<H> {
    /// sbi_system_reset: a `SystemDown` exit for the three standard types. Reserved types
    /// and reasons, and the vendor types hvsim does not implement, are
    /// SBI_ERR_INVALID_PARAM ("reserved or platform-specific and unimplemented"). The call
    /// does not return on success, so the preset a0 is SBI_ERR_FAILED: what the guest sees
    /// if the VMM resumes it instead of resetting.
    pub(crate) fn sbi_srst(&mut self, call: SbiCall) -> SbiOutcome {
        if call.fid != srst::SYSTEM_RESET {
            return NOT_SUPPORTED;
        }
        // Both parameters are uint32_t: only the low 32 bits count (as in OpenSBI).
        let low32 = |v: u64| v & U32_MAX;
        match (
            reset_kind(low32(call.args[0])),
            reset_reason(low32(call.args[1])),
        ) {
            (Some(kind), Some(reason)) => {
                SbiOutcome::Exit(error(err::FAILED), ExitReason::SystemDown { kind, reason })
            }
            _ => SbiOutcome::Ret(error(err::INVALID_PARAM)),
        }
    }
}
