//! Compressed (RV64C / Zca) decoding: each 16-bit encoding expands to the [`Insn`] of its
//! 32-bit equivalent with `len == 2` (unpriv "Zca" chapter: "each Zca instruction expands
//! into a single 32-bit instruction in the base ISA").
//!
//! Reserved code points decode to [`Op::Illegal`]; HINT code points decode to the operation
//! they expand to (they change no architectural state by construction, norm:Zca_hints).
//! FP loads/stores (C.FLD, C.FSD, C.FLDSP, C.FSDSP) are illegal because hvsim has no F/D.

use super::fields::*;
use super::insn::{Insn, Op};
use super::opcodes::{C_Q0, C_Q1, C_Q2};

const SP: u8 = 2;
const RA: u8 = 1;

#[inline(always)]
const fn c(op: Op, rd: u8, rs1: u8, rs2: u8, imm: i32, x: u32) -> Insn {
    Insn {
        op,
        rd,
        rs1,
        rs2,
        len: 2,
        imm,
        raw: x,
    }
}

/// An [`Op::Illegal`] for a 16-bit encoding (`raw` = the halfword, so tval is exact).
#[inline(always)]
pub(crate) const fn illegal16(x: u32) -> Insn {
    c(Op::Illegal, 0, 0, 0, 0, x)
}

/// Decodes one compressed instruction.
pub(crate) fn decode_c(half: u16) -> Insn {
    let x = half as u32;
    let f3 = bits(x, 15, 13);
    match (x & 0b11, f3) {
        (C_Q0, 0b000) => {
            // C.ADDI4SPN; nzuimm = 0 is reserved (norm:c-addi4spn_rsv), which includes the
            // all-zero halfword (norm:Zca_illegal).
            let imm = get_c_addi4spn(x);
            if imm == 0 {
                illegal16(x)
            } else {
                c(Op::Addi, c_rs2p(x), SP, 0, imm, x)
            }
        }
        (C_Q0, 0b010) => c(Op::Lw, c_rs2p(x), c_rs1p(x), 0, get_cl_w(x), x),
        (C_Q0, 0b011) => c(Op::Ld, c_rs2p(x), c_rs1p(x), 0, get_cl_d(x), x),
        (C_Q0, 0b110) => c(Op::Sw, 0, c_rs1p(x), c_rs2p(x), get_cl_w(x), x),
        (C_Q0, 0b111) => c(Op::Sd, 0, c_rs1p(x), c_rs2p(x), get_cl_d(x), x),
        // 001 C.FLD, 100 reserved, 101 C.FSD.
        (C_Q0, _) => illegal16(x),

        (C_Q1, 0b000) => {
            // C.ADDI / C.NOP (HINTs when rd = x0 with imm ≠ 0, or rd ≠ x0 with imm = 0).
            let rd = c_rd(x);
            c(Op::Addi, rd, rd, 0, get_ci_imm6(x), x)
        }
        (C_Q1, 0b001) => {
            // C.ADDIW (RV64; C.JAL is RV32-only); rd = x0 reserved (norm:c-addiw_rsv).
            let rd = c_rd(x);
            if rd == 0 {
                illegal16(x)
            } else {
                c(Op::Addiw, rd, rd, 0, get_ci_imm6(x), x)
            }
        }
        (C_Q1, 0b010) => c(Op::Addi, c_rd(x), 0, 0, get_ci_imm6(x), x),
        (C_Q1, 0b011) => {
            let rd = c_rd(x);
            if rd == SP {
                // C.ADDI16SP; nzimm = 0 reserved (norm:c-addi16sp_rsv).
                let imm = get_c_addi16sp(x);
                if imm == 0 {
                    illegal16(x)
                } else {
                    c(Op::Addi, SP, SP, 0, imm, x)
                }
            } else {
                // C.LUI; imm = 0 reserved (norm:c-lui_rsv); rd = x0 is a HINT.
                let imm = get_c_lui(x);
                if imm == 0 {
                    illegal16(x)
                } else {
                    c(Op::Lui, rd, 0, 0, imm, x)
                }
            }
        }
        (C_Q1, 0b100) => {
            let rd = c_rs1p(x);
            match bits(x, 11, 10) {
                // C.SRLI / C.SRAI: shamt = 0 is a HINT (norm:c-srli_hint); RV64 allows
                // shamt[5] = 1.
                0b00 => c(Op::Srli, rd, rd, 0, get_c_shamt(x), x),
                0b01 => c(Op::Srai, rd, rd, 0, get_c_shamt(x), x),
                0b10 => c(Op::Andi, rd, rd, 0, get_ci_imm6(x), x),
                _ => {
                    let op = match (bit(x, 12), bits(x, 6, 5)) {
                        (0, 0b00) => Op::Sub,
                        (0, 0b01) => Op::Xor,
                        (0, 0b10) => Op::Or,
                        (0, 0b11) => Op::And,
                        (1, 0b00) => Op::Subw,
                        (1, 0b01) => Op::Addw,
                        // 10, 11 with bit 12 set: reserved in RV64C.
                        _ => return illegal16(x),
                    };
                    c(op, rd, rd, c_rs2p(x), 0, x)
                }
            }
        }
        (C_Q1, 0b101) => c(Op::Jal, 0, 0, 0, get_cj(x), x),
        (C_Q1, 0b110) => c(Op::Beq, 0, c_rs1p(x), 0, get_cb(x), x),
        (C_Q1, 0b111) => c(Op::Bne, 0, c_rs1p(x), 0, get_cb(x), x),

        (C_Q2, 0b000) => {
            // C.SLLI: shamt = 0 or rd = x0 are HINTs (norm:c-slli_hint).
            let rd = c_rd(x);
            c(Op::Slli, rd, rd, 0, get_c_shamt(x), x)
        }
        (C_Q2, 0b010) => {
            // C.LWSP: rd = x0 reserved (norm:c-lwsp_rsv).
            let rd = c_rd(x);
            if rd == 0 {
                illegal16(x)
            } else {
                c(Op::Lw, rd, SP, 0, get_c_lwsp(x), x)
            }
        }
        (C_Q2, 0b011) => {
            // C.LDSP: rd = x0 reserved (norm:c-ldsp_rsv).
            let rd = c_rd(x);
            if rd == 0 {
                illegal16(x)
            } else {
                c(Op::Ld, rd, SP, 0, get_c_ldsp(x), x)
            }
        }
        (C_Q2, 0b100) => {
            let (rd, rs2) = (c_rd(x), c_rs2(x));
            match (bit(x, 12), rd, rs2) {
                // C.JR with rs1 = x0 is reserved (norm:c-jr_rsv).
                (0, 0, 0) => illegal16(x),
                (0, _, 0) => c(Op::Jalr, 0, rd, 0, 0, x),
                // C.MV (rd = x0 is a HINT).
                (0, _, _) => c(Op::Add, rd, 0, rs2, 0, x),
                (_, 0, 0) => c(Op::Ebreak, 0, 0, 0, 0, x),
                (_, _, 0) => c(Op::Jalr, RA, rd, 0, 0, x),
                // C.ADD (rd = x0 is a HINT).
                _ => c(Op::Add, rd, rd, rs2, 0, x),
            }
        }
        (C_Q2, 0b110) => c(Op::Sw, 0, SP, c_rs2(x), get_c_swsp(x), x),
        (C_Q2, 0b111) => c(Op::Sd, 0, SP, c_rs2(x), get_c_sdsp(x), x),
        // 001 C.FLDSP, 101 C.FSDSP.
        _ => illegal16(x),
    }
}
