//! The TIME extension (SBI v2.0 §6) over the ACLINT MTIMER, and the M-level timer interrupt
//! handler that turns MTIP into STIP — OpenSBI's `sbi_timer` without Sstc.

use super::{SbiEnv, ok};
use crate::riscv::cause::irq;
use crate::riscv::csr_num;
use crate::riscv::hw::SbiRet;

const MIP_STIP: u64 = 1 << irq::STI;
const MIE_MTIE: u64 = 1 << irq::MTI;

/// sbi_set_timer(stime_value): programs the hart's mtimecmp, clears the pending supervisor
/// timer interrupt (§6.1: "this function must clear the pending timer interrupt bit") and
/// enables MTI so the firmware sees the deadline. A value in the past fires at once (the
/// board raises MTIP and the firmware's handler sets STIP before HS runs again).
///
/// With Sstc enabled the firmware writes stimecmp instead, as OpenSBI does: the hart then
/// raises and clears STIP itself (stimecmp <= time), and no M-level interrupt is involved.
pub(crate) fn set_timer<E: SbiEnv + ?Sized>(
    env: &mut E,
    hart: usize,
    value: u64,
    sstc: bool,
) -> SbiRet {
    if sstc {
        env.csr_write(hart, csr_num::STIMECMP, value);
        return ok(0);
    }
    env.set_mtimecmp(hart, value);
    let mip = env.csr_read(hart, csr_num::MIP);
    env.csr_write(hart, csr_num::MIP, mip & !MIP_STIP);
    let mie = env.csr_read(hart, csr_num::MIE);
    env.csr_write(hart, csr_num::MIE, mie | MIE_MTIE);
    ok(0)
}

/// The M-level MTI handler: masks MTIE (mtimecmp stays where S put it, so MTIP stays high
/// until the next set_timer) and raises STIP for S-mode.
pub(crate) fn handle_mti<E: SbiEnv + ?Sized>(env: &mut E, hart: usize) {
    let mie = env.csr_read(hart, csr_num::MIE);
    env.csr_write(hart, csr_num::MIE, mie & !MIE_MTIE);
    let mip = env.csr_read(hart, csr_num::MIP);
    env.csr_write(hart, csr_num::MIP, mip | MIP_STIP);
}
