//! Transformed instructions for `htinst`/`mtinst` (hypervisor "Transformed Instruction or
//! Pseudoinstruction for mtinst or htinst").
//!
//! hvsim writes a transformed instruction for every exception raised by the explicit memory
//! access of a load, store, LR/SC/AMO, HLV/HLVX or HSV (causes 4-7, 13, 15, 21, 23) that is
//! taken into HS or M; the pseudoinstructions 0x3000/0x3020 for guest-page faults of implicit
//! VS-stage accesses (from the MMU); zero for everything else (norm:H_trap_xtinst).

use crate::riscv::cause::exc;
use crate::riscv::isa::{Insn, Op};

const LOAD_OPCODE: u32 = 0x03;
const STORE_OPCODE: u32 = 0x23;
/// Bits 19:15: rs1, replaced by the address offset.
const RS1_FIELD: u32 = 0x1f << 15;
/// Bit 1, cleared for a compressed origin.
const BIT1: u32 = 1 << 1;

/// Whether an exception cause comes from an explicit memory access.
const fn memory_cause(cause: u64) -> bool {
    matches!(
        cause,
        exc::LOAD_ADDRESS_MISALIGNED
            | exc::LOAD_ACCESS_FAULT
            | exc::STORE_ADDRESS_MISALIGNED
            | exc::STORE_ACCESS_FAULT
            | exc::LOAD_PAGE_FAULT
            | exc::STORE_PAGE_FAULT
            | exc::LOAD_GUEST_PAGE_FAULT
            | exc::STORE_GUEST_PAGE_FAULT
    )
}

/// The transformed instruction for `insn` trapping with `cause` at faulting address `tval`,
/// where the instruction's own address was `va` (norm:H_tinst_addr_offset: the offset is the
/// positive difference, nonzero only for misaligned accesses). 0 when no transformation is
/// defined.
pub(crate) fn transform(insn: Insn, cause: u64, tval: u64, va: u64) -> u64 {
    if !memory_cause(cause) {
        return 0;
    }
    let off = (tval.wrapping_sub(va) as u32 & 0x1f) << 15;
    let rd = u32::from(insn.rd & 31) << 7;
    let rs2 = u32::from(insn.rs2 & 31) << 20;
    let load = |f3: u32| off | (f3 << 12) | rd | LOAD_OPCODE;
    let store = |f3: u32| rs2 | off | (f3 << 12) | STORE_OPCODE;
    let v = match insn.op {
        Op::Lb => load(0),
        Op::Lh => load(1),
        Op::Lw => load(2),
        Op::Ld => load(3),
        Op::Lbu => load(4),
        Op::Lhu => load(5),
        Op::Lwu => load(6),
        Op::Sb => store(0),
        Op::Sh => store(1),
        Op::Sw => store(2),
        Op::Sd => store(3),
        Op::LrW
        | Op::LrD
        | Op::ScW
        | Op::ScD
        | Op::AmoswapW
        | Op::AmoaddW
        | Op::AmoxorW
        | Op::AmoandW
        | Op::AmoorW
        | Op::AmominW
        | Op::AmomaxW
        | Op::AmominuW
        | Op::AmomaxuW
        | Op::AmoswapD
        | Op::AmoaddD
        | Op::AmoxorD
        | Op::AmoandD
        | Op::AmoorD
        | Op::AmominD
        | Op::AmomaxD
        | Op::AmominuD
        | Op::AmomaxuD
        | Op::HlvB
        | Op::HlvBu
        | Op::HlvH
        | Op::HlvHu
        | Op::HlvW
        | Op::HlvWu
        | Op::HlvD
        | Op::HlvxHu
        | Op::HlvxWu
        | Op::HsvB
        | Op::HsvH
        | Op::HsvW
        | Op::HsvD => (insn.raw & !RS1_FIELD) | off,
        _ => return 0,
    };
    // A compressed origin is the expanded instruction with bit 1 cleared.
    let v = if insn.len == 2 { v & !BIT1 } else { v };
    u64::from(v)
}

/// The original virtual address of a memory instruction: rs1 + imm for loads and stores,
/// rs1 for atomics and HLV/HSV (whose `imm` is 0).
pub(crate) fn original_va(insn: Insn, x: &[u64; 32]) -> u64 {
    let base = x[usize::from(insn.rs1 & 31)];
    match insn.op {
        Op::Lb
        | Op::Lh
        | Op::Lw
        | Op::Ld
        | Op::Lbu
        | Op::Lhu
        | Op::Lwu
        | Op::Sb
        | Op::Sh
        | Op::Sw
        | Op::Sd => base.wrapping_add(insn.imm as i64 as u64),
        _ => base,
    }
}
