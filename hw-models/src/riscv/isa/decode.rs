//! The decoder: raw encoding → [`Insn`]. Total (every input decodes; reserved and
//! unimplemented encodings give [`Op::Illegal`]) and allocation-free; it runs on every
//! decode-cache miss, so it is a flat match on the major opcode.
//!
//! Operand conventions are those of [`Insn`]; `docs/riscv-isa.md` has the per-op table.

use super::decode_c::decode_c;
use super::fields::{
    OPCODE_MASK, bits, funct3, funct7, get_b, get_i, get_j, get_s, get_u, rd, rs1, rs2,
};
use super::insn::{Insn, Op};
use super::opcodes::*;

/// Length in bytes of the instruction whose first (lowest-addressed) halfword is given:
/// 2 when bits 1:0 ≠ 11 (unpriv "Expanded Instruction-Length Encoding"), otherwise 4.
///
/// hvsim's ILEN is 32: the ≥48-bit encodings (bits 4:2 = 111) are all unimplemented, so they
/// are fetched as 32 bits and decode to [`Op::Illegal`]; that is why this never returns more
/// than 4.
#[inline(always)]
pub const fn insn_len(first_halfword: u16) -> usize {
    if first_halfword & 0b11 == 0b11 { 4 } else { 2 }
}

/// Decodes one instruction from a 32-bit fetch (the halfword at the pc in bits 15:0).
///
/// When bits 1:0 ≠ 11 only the low halfword is a (compressed) instruction and bits 31:16
/// are ignored; the result then has `len == 2` and `raw` = the 16-bit encoding.
#[inline]
pub fn decode(raw: u32) -> Insn {
    if raw & 0b11 != 0b11 {
        decode_c(raw as u16)
    } else {
        decode32(raw)
    }
}

/// An [`Op::Illegal`] for a 32-bit encoding.
#[inline(always)]
pub(crate) const fn illegal32(raw: u32) -> Insn {
    Insn {
        op: Op::Illegal,
        rd: 0,
        rs1: 0,
        rs2: 0,
        len: 4,
        imm: 0,
        raw,
    }
}

#[inline(always)]
const fn mk(op: Op, rd: u8, rs1: u8, rs2: u8, imm: i32, raw: u32) -> Insn {
    Insn {
        op,
        rd,
        rs1,
        rs2,
        len: 4,
        imm,
        raw,
    }
}

fn decode32(raw: u32) -> Insn {
    let (rd, rs1, rs2) = (rd(raw), rs1(raw), rs2(raw));
    let f3 = funct3(raw);
    let f7 = funct7(raw);
    let r = |op| mk(op, rd, rs1, rs2, 0, raw);
    let i = |op| mk(op, rd, rs1, 0, get_i(raw), raw);
    match raw & OPCODE_MASK {
        LUI => mk(Op::Lui, rd, 0, 0, get_u(raw), raw),
        AUIPC => mk(Op::Auipc, rd, 0, 0, get_u(raw), raw),
        JAL => mk(Op::Jal, rd, 0, 0, get_j(raw), raw),
        JALR if f3 == 0 => i(Op::Jalr),
        BRANCH => {
            let op = match f3 {
                0b000 => Op::Beq,
                0b001 => Op::Bne,
                0b100 => Op::Blt,
                0b101 => Op::Bge,
                0b110 => Op::Bltu,
                0b111 => Op::Bgeu,
                _ => return illegal32(raw),
            };
            mk(op, 0, rs1, rs2, get_b(raw), raw)
        }
        LOAD => {
            let op = match f3 {
                0b000 => Op::Lb,
                0b001 => Op::Lh,
                0b010 => Op::Lw,
                0b011 => Op::Ld,
                0b100 => Op::Lbu,
                0b101 => Op::Lhu,
                0b110 => Op::Lwu,
                _ => return illegal32(raw),
            };
            i(op)
        }
        STORE => {
            let op = match f3 {
                0b000 => Op::Sb,
                0b001 => Op::Sh,
                0b010 => Op::Sw,
                0b011 => Op::Sd,
                _ => return illegal32(raw),
            };
            mk(op, 0, rs1, rs2, get_s(raw), raw)
        }
        OP_IMM => decode_op_imm(raw, rd, rs1, f3),
        OP_IMM_32 => {
            // RV64I "Integer Register-Immediate Instructions": the *IW shifts take a 5-bit
            // shamt; encodings with imm[5] ≠ 0 are reserved (so funct7 must match exactly).
            let shamt = bits(raw, 24, 20) as i32;
            match (f3, f7) {
                (0b000, _) => i(Op::Addiw),
                (0b001, F7_BASE) => mk(Op::Slliw, rd, rs1, 0, shamt, raw),
                (0b101, F7_BASE) => mk(Op::Srliw, rd, rs1, 0, shamt, raw),
                (0b101, F7_ALT) => mk(Op::Sraiw, rd, rs1, 0, shamt, raw),
                _ => illegal32(raw),
            }
        }
        OP => {
            let op = match (f7, f3) {
                (F7_BASE, 0b000) => Op::Add,
                (F7_ALT, 0b000) => Op::Sub,
                (F7_BASE, 0b001) => Op::Sll,
                (F7_BASE, 0b010) => Op::Slt,
                (F7_BASE, 0b011) => Op::Sltu,
                (F7_BASE, 0b100) => Op::Xor,
                (F7_BASE, 0b101) => Op::Srl,
                (F7_ALT, 0b101) => Op::Sra,
                (F7_BASE, 0b110) => Op::Or,
                (F7_BASE, 0b111) => Op::And,
                (F7_MULDIV, 0b000) => Op::Mul,
                (F7_MULDIV, 0b001) => Op::Mulh,
                (F7_MULDIV, 0b010) => Op::Mulhsu,
                (F7_MULDIV, 0b011) => Op::Mulhu,
                (F7_MULDIV, 0b100) => Op::Div,
                (F7_MULDIV, 0b101) => Op::Divu,
                (F7_MULDIV, 0b110) => Op::Rem,
                (F7_MULDIV, 0b111) => Op::Remu,
                _ => return illegal32(raw),
            };
            r(op)
        }
        OP_32 => {
            let op = match (f7, f3) {
                (F7_BASE, 0b000) => Op::Addw,
                (F7_ALT, 0b000) => Op::Subw,
                (F7_BASE, 0b001) => Op::Sllw,
                (F7_BASE, 0b101) => Op::Srlw,
                (F7_ALT, 0b101) => Op::Sraw,
                (F7_MULDIV, 0b000) => Op::Mulw,
                (F7_MULDIV, 0b100) => Op::Divw,
                (F7_MULDIV, 0b101) => Op::Divuw,
                (F7_MULDIV, 0b110) => Op::Remw,
                (F7_MULDIV, 0b111) => Op::Remuw,
                _ => return illegal32(raw),
            };
            r(op)
        }
        // FENCE and FENCE.I: rd, rs1 (and FENCE.I's imm) are reserved for finer-grained
        // fences and "base implementations shall ignore these fields" (unpriv "Memory
        // Ordering Instructions", norm:fence_unused_flds_rsv; Zifencei); likewise reserved fm
        // values are normal fences.
        // They are kept in the Insn so re-encoding is exact.
        MISC_MEM => match f3 {
            F3_FENCE => mk(Op::Fence, rd, rs1, 0, bits(raw, 31, 20) as i32, raw),
            F3_FENCE_I => mk(Op::FenceI, rd, rs1, 0, bits(raw, 31, 20) as i32, raw),
            _ => illegal32(raw),
        },
        AMO => decode_amo(raw, rd, rs1, rs2, f3),
        SYSTEM => decode_system(raw, rd, rs1, rs2, f3, f7),
        _ => illegal32(raw),
    }
}

fn decode_op_imm(raw: u32, rd: u8, rs1: u8, f3: u32) -> Insn {
    let i = |op| mk(op, rd, rs1, 0, get_i(raw), raw);
    // RV64I: shamt is imm[5:0]; imm[11:6] (bits 31:26) select the shift and must be exactly
    // 000000 (SLLI/SRLI) or 010000 (SRAI); anything else is reserved.
    let shamt = bits(raw, 25, 20) as i32;
    let f6 = bits(raw, 31, 26);
    match f3 {
        0b000 => i(Op::Addi),
        0b010 => i(Op::Slti),
        0b011 => i(Op::Sltiu),
        0b100 => i(Op::Xori),
        0b110 => i(Op::Ori),
        0b111 => i(Op::Andi),
        0b001 if f6 == F6_SHIFT => mk(Op::Slli, rd, rs1, 0, shamt, raw),
        0b101 if f6 == F6_SHIFT => mk(Op::Srli, rd, rs1, 0, shamt, raw),
        0b101 if f6 == F6_SRAI => mk(Op::Srai, rd, rs1, 0, shamt, raw),
        _ => illegal32(raw),
    }
}

fn decode_amo(raw: u32, rd: u8, rs1: u8, rs2: u8, f3: u32) -> Insn {
    let f5 = bits(raw, 31, 27);
    let double = match f3 {
        F3_AMO_W => false,
        F3_AMO_D => true,
        _ => return illegal32(raw),
    };
    let op = match (f5, double) {
        // Zalrsc: LR's rs2 field must be zero.
        (F5_LR, _) if rs2 != 0 => return illegal32(raw),
        (F5_LR, false) => Op::LrW,
        (F5_LR, true) => Op::LrD,
        (F5_SC, false) => Op::ScW,
        (F5_SC, true) => Op::ScD,
        (F5_AMOSWAP, false) => Op::AmoswapW,
        (F5_AMOSWAP, true) => Op::AmoswapD,
        (F5_AMOADD, false) => Op::AmoaddW,
        (F5_AMOADD, true) => Op::AmoaddD,
        (F5_AMOXOR, false) => Op::AmoxorW,
        (F5_AMOXOR, true) => Op::AmoxorD,
        (F5_AMOAND, false) => Op::AmoandW,
        (F5_AMOAND, true) => Op::AmoandD,
        (F5_AMOOR, false) => Op::AmoorW,
        (F5_AMOOR, true) => Op::AmoorD,
        (F5_AMOMIN, false) => Op::AmominW,
        (F5_AMOMIN, true) => Op::AmominD,
        (F5_AMOMAX, false) => Op::AmomaxW,
        (F5_AMOMAX, true) => Op::AmomaxD,
        (F5_AMOMINU, false) => Op::AmominuW,
        (F5_AMOMINU, true) => Op::AmominuD,
        (F5_AMOMAXU, false) => Op::AmomaxuW,
        (F5_AMOMAXU, true) => Op::AmomaxuD,
        _ => return illegal32(raw),
    };
    mk(op, rd, rs1, rs2, 0, raw)
}

fn decode_system(raw: u32, rd: u8, rs1: u8, rs2: u8, f3: u32, f7: u32) -> Insn {
    let csr = bits(raw, 31, 20) as i32;
    let csr_op = |op| mk(op, rd, rs1, 0, csr, raw);
    match f3 {
        F3_PRIV => match raw {
            // These are fully specified encodings; any other value in their rd/rs1/rs2
            // fields is reserved (priv "Privileged Instruction Set Listings").
            ECALL => mk(Op::Ecall, 0, 0, 0, 0, raw),
            EBREAK => mk(Op::Ebreak, 0, 0, 0, 0, raw),
            SRET => mk(Op::Sret, 0, 0, 0, 0, raw),
            MRET => mk(Op::Mret, 0, 0, 0, 0, raw),
            WFI => mk(Op::Wfi, 0, 0, 0, 0, raw),
            _ if rd != 0 => illegal32(raw),
            _ => match f7 {
                F7_SFENCE_VMA => mk(Op::SfenceVma, 0, rs1, rs2, 0, raw),
                F7_HFENCE_VVMA => mk(Op::HfenceVvma, 0, rs1, rs2, 0, raw),
                F7_HFENCE_GVMA => mk(Op::HfenceGvma, 0, rs1, rs2, 0, raw),
                _ => illegal32(raw),
            },
        },
        F3_HLSV => decode_hlsv(raw, rd, rs1, rs2, f7),
        F3_CSRRW => csr_op(Op::Csrrw),
        F3_CSRRS => csr_op(Op::Csrrs),
        F3_CSRRC => csr_op(Op::Csrrc),
        F3_CSRRWI => csr_op(Op::Csrrwi),
        F3_CSRRSI => csr_op(Op::Csrrsi),
        F3_CSRRCI => csr_op(Op::Csrrci),
        _ => illegal32(raw),
    }
}

/// HLV/HLVX/HSV (priv "Hypervisor Virtual-Machine Load and Store Instructions"): loads put
/// the variant in the rs2 field; stores have rd = 0.
fn decode_hlsv(raw: u32, rd: u8, rs1: u8, rs2: u8, f7: u32) -> Insn {
    let variant = rs2 as u32;
    let load = |op| mk(op, rd, rs1, 0, 0, raw);
    let store = |op| {
        if rd == 0 {
            mk(op, 0, rs1, rs2, 0, raw)
        } else {
            illegal32(raw)
        }
    };
    match (f7, variant) {
        (F7_HLV_B, HLV_SIGNED) => load(Op::HlvB),
        (F7_HLV_B, HLV_UNSIGNED) => load(Op::HlvBu),
        (F7_HLV_H, HLV_SIGNED) => load(Op::HlvH),
        (F7_HLV_H, HLV_UNSIGNED) => load(Op::HlvHu),
        (F7_HLV_H, HLVX) => load(Op::HlvxHu),
        (F7_HLV_W, HLV_SIGNED) => load(Op::HlvW),
        (F7_HLV_W, HLV_UNSIGNED) => load(Op::HlvWu),
        (F7_HLV_W, HLVX) => load(Op::HlvxWu),
        (F7_HLV_D, HLV_SIGNED) => load(Op::HlvD),
        (F7_HSV_B, _) => store(Op::HsvB),
        (F7_HSV_H, _) => store(Op::HsvH),
        (F7_HSV_W, _) => store(Op::HsvW),
        (F7_HSV_D, _) => store(Op::HsvD),
        _ => illegal32(raw),
    }
}
