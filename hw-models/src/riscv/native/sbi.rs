//! ECALL to the SBI firmware below HS (SBI spec, "Binary Encoding": a7 = EID, a6 = FID,
//! a0..a5 = arguments; a0 = error and a1 = value on return; every other register is
//! preserved).

use crate::riscv::hw::SbiRet;

/// One SBI call.
pub(super) fn ecall(eid: u64, fid: u64, args: [u64; 6]) -> SbiRet {
    let (error, value): (u64, u64);
    // SAFETY: the SBI calling convention preserves every register but a0/a1, which are
    // outputs here. The firmware may read or write memory named by the arguments (DBCN
    // buffers, shared memory): callers pass only addresses they own for that purpose.
    unsafe {
        core::arch::asm!(
            "ecall",
            inlateout("a0") args[0] => error,
            inlateout("a1") args[1] => value,
            in("a2") args[2],
            in("a3") args[3],
            in("a4") args[4],
            in("a5") args[5],
            in("a6") fid,
            in("a7") eid,
            options(nostack),
        );
    }
    SbiRet {
        error: error as i64,
        value,
    }
}
