//! HLV, HLVX and HSV: guest-memory access with the guest's translation (vsatp, hgatp,
//! hstatus.SPVP; priv spec, "Hypervisor Virtual-Machine Load and Store Instructions").
//!
//! Encoded with `.insn r` (OP = SYSTEM 0x73, funct3 = 0b100): funct7 selects the width
//! (0x30 B, 0x32 H, 0x34 W, 0x36 D; +1 for the HSV store form), and rs2 selects the
//! variant for loads (x0 signed, x1 unsigned, x3 HLVX). They may trap (guest-page fault,
//! page fault, access fault); the trap comes back through `recover.rs` as the same
//! [`HwTrap`] the model returns.

use sim_core::AccessWidth;

use super::recover::{guarded_asm, last_trap};
use crate::riscv::cause::exc;
use crate::riscv::hw::HwTrap;

/// HLV.{B,BU,H,HU,W,WU,D}.
pub(super) fn hlv(addr: u64, width: AccessWidth, signed: bool) -> Result<u64, HwTrap> {
    let mut v: u64 = 0;
    // Each arm: a guarded hypervisor load; it reads guest memory through the guest's
    // translation and writes only `v`.
    let trapped = match (width, signed) {
        (AccessWidth::Byte, true) => {
            guarded_asm!(".insn r 0x73, 4, 0x30, {v}, {a}, x0", v = inout(reg) v, a = in(reg) addr)
        }
        (AccessWidth::Byte, false) => {
            guarded_asm!(".insn r 0x73, 4, 0x30, {v}, {a}, x1", v = inout(reg) v, a = in(reg) addr)
        }
        (AccessWidth::Word, true) => {
            guarded_asm!(".insn r 0x73, 4, 0x32, {v}, {a}, x0", v = inout(reg) v, a = in(reg) addr)
        }
        (AccessWidth::Word, false) => {
            guarded_asm!(".insn r 0x73, 4, 0x32, {v}, {a}, x1", v = inout(reg) v, a = in(reg) addr)
        }
        (AccessWidth::Dword, true) => {
            guarded_asm!(".insn r 0x73, 4, 0x34, {v}, {a}, x0", v = inout(reg) v, a = in(reg) addr)
        }
        (AccessWidth::Dword, false) => {
            guarded_asm!(".insn r 0x73, 4, 0x34, {v}, {a}, x1", v = inout(reg) v, a = in(reg) addr)
        }
        // HLV.D has no unsigned form: the value fills the register either way.
        (AccessWidth::Qword, _) => {
            guarded_asm!(".insn r 0x73, 4, 0x36, {v}, {a}, x0", v = inout(reg) v, a = in(reg) addr)
        }
    };
    if trapped { Err(last_trap()) } else { Ok(v) }
}

/// HLVX.HU (`Word`, 16 bits) / HLVX.WU (`Dword`, 32 bits). Any other width has no HLVX encoding and is an illegal
/// instruction, not executed.
pub(super) fn hlvx(addr: u64, width: AccessWidth) -> Result<u64, HwTrap> {
    let mut v: u64 = 0;
    // Each arm: a guarded hypervisor load with execute permission; it writes only `v`.
    let trapped = match width {
        AccessWidth::Word => {
            guarded_asm!(".insn r 0x73, 4, 0x32, {v}, {a}, x3", v = inout(reg) v, a = in(reg) addr)
        }
        AccessWidth::Dword => {
            guarded_asm!(".insn r 0x73, 4, 0x34, {v}, {a}, x3", v = inout(reg) v, a = in(reg) addr)
        }
        AccessWidth::Byte | AccessWidth::Qword => {
            return Err(HwTrap {
                cause: exc::ILLEGAL_INSTRUCTION,
                tval: 0,
                htval: 0,
                htinst: 0,
            });
        }
    };
    if trapped { Err(last_trap()) } else { Ok(v) }
}

/// HSV.{B,H,W,D}.
pub(super) fn hsv(addr: u64, width: AccessWidth, value: u64) -> Result<(), HwTrap> {
    // Each arm: a guarded hypervisor store; it writes guest memory through the guest's
    // translation, which only reaches memory the G-stage maps (NativeHart::new's contract).
    let trapped = match width {
        AccessWidth::Byte => {
            guarded_asm!(".insn r 0x73, 4, 0x31, x0, {a}, {v}", v = in(reg) value, a = in(reg) addr)
        }
        AccessWidth::Word => {
            guarded_asm!(".insn r 0x73, 4, 0x33, x0, {a}, {v}", v = in(reg) value, a = in(reg) addr)
        }
        AccessWidth::Dword => {
            guarded_asm!(".insn r 0x73, 4, 0x35, x0, {a}, {v}", v = in(reg) value, a = in(reg) addr)
        }
        AccessWidth::Qword => {
            guarded_asm!(".insn r 0x73, 4, 0x37, x0, {a}, {v}", v = in(reg) value, a = in(reg) addr)
        }
    };
    if trapped { Err(last_trap()) } else { Ok(()) }
}
