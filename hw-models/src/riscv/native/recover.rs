//! Recovering from a trap taken by one HS-mode instruction (a CSR access, HLV/HLVX/HSV).
//!
//! The instruction runs inside an asm block that points stvec (direct mode) at a label
//! right after it for its duration. If it traps, the hart (or the firmware redirecting an
//! exception it did not delegate, e.g. illegal-instruction or an access fault) enters HS at
//! that label with scause/stval/htval/htinst written (priv spec, "Trap entry";
//! norm:H_trap_hs_csrwrites); the block sets a flag and puts stvec back. The flag turns
//! into the same [`HwTrap`] value the model returns.
//!
//! The trap also writes sepc, sstatus.SPP/SPIE and hstatus.SPV/GVA as any trap would;
//! the vCPU rewrites all of them before its next guest entry, so they are left as the trap
//! wrote them (what silicon does too). sstatus.SIE is 0 in host code (see
//! `NativeHart::new`), so no interrupt can arrive at the label.

use crate::riscv::hw::HwTrap;

/// Expands to an asm block that runs `$insn` (a template using the operands given after
/// it) with stvec pointing at a recovery label, and evaluates to `true` if it trapped.
macro_rules! guarded_asm {
    ($insn:literal $(, $($operands:tt)*)?) => {{
        let trapped: u64;
        // SAFETY: the block only saves stvec, points it at a 4-byte aligned label inside
        // the block, runs the one instruction and restores stvec on both paths; a trap
        // changes no general-purpose register, so every operand is intact at the label.
        // The instruction itself is an HS-mode CSR access or hypervisor load/store whose
        // effects the caller's SAFETY comment covers.
        unsafe {
            core::arch::asm!(
                "csrr {saved}, stvec",
                "la {tmp}, 2f",
                "csrw stvec, {tmp}",
                "li {trapped}, 0",
                $insn,
                "j 3f",
                ".balign 4",
                "2:",
                "li {trapped}, 1",
                "3:",
                "csrw stvec, {saved}",
                $($($operands)*,)?
                saved = out(reg) _,
                tmp = out(reg) _,
                trapped = out(reg) trapped,
                options(nostack),
            );
        }
        trapped != 0
    }};
}
pub(crate) use guarded_asm;

/// The trap a guarded instruction just took, from the trap CSRs.
///
/// scause and stval are read first: htval and htinst are read guarded, because on a hart
/// without the H extension (the `hstatus` probe) they do not exist either, and such a read
/// traps and overwrites scause. A missing htval/htinst reads as 0 ("no information").
pub(crate) fn last_trap() -> HwTrap {
    let (cause, tval): (u64, u64);
    // SAFETY: reading scause and stval has no side effect; both exist in every S-mode.
    unsafe {
        core::arch::asm!(
            "csrr {0}, scause",
            "csrr {1}, stval",
            out(reg) cause,
            out(reg) tval,
            options(nomem, nostack, preserves_flags),
        );
    }
    let mut htval: u64 = 0;
    let mut htinst: u64 = 0;
    // SAFETY (both): a guarded read of an HS CSR; it has no side effect.
    if guarded_asm!("csrr {v}, 0x643", v = inout(reg) htval) {
        htval = 0;
    }
    if guarded_asm!("csrr {v}, 0x64a", v = inout(reg) htinst) {
        htinst = 0;
    }
    HwTrap {
        cause: cause & !crate::riscv::cause::INTERRUPT_BIT,
        tval,
        htval,
        htinst,
    }
}
