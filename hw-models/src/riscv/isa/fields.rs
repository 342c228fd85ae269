//! Instruction field layouts: where each operand lives in an encoding, in both directions.
//!
//! The decoder extracts with the `get_*` functions and the encoder places with the `put_*`
//! functions; keeping each layout's pair side by side makes a scrambling mistake visible in
//! one place. 32-bit layouts: unpriv "Base Instruction Formats" and "Immediate Encoding
//! Variants". Compressed layouts: unpriv "Zca" chapter, "Compressed Instruction Formats" and
//! the per-instruction figures.
//!
//! Every `put_*` function expects an already range-checked value; it masks rather than
//! panics, so a wrong value yields a wrong encoding, never a crash.

/// Bits `hi..=lo` of `x`, shifted down.
#[inline(always)]
pub(crate) const fn bits(x: u32, hi: u32, lo: u32) -> u32 {
    (x >> lo) & ((1u32 << (hi - lo + 1)) - 1)
}

/// Bit `n` of `x`.
#[inline(always)]
pub(crate) const fn bit(x: u32, n: u32) -> u32 {
    (x >> n) & 1
}

/// Sign-extends the low `width` bits of `x`.
#[inline(always)]
pub(crate) const fn sext(x: u32, width: u32) -> i32 {
    let shift = 32 - width;
    ((x << shift) as i32) >> shift
}

// ---- 32-bit formats ----------------------------------------------------------------------

pub(crate) const OPCODE_MASK: u32 = 0x7f;

#[inline(always)]
pub(crate) const fn rd(raw: u32) -> u8 {
    bits(raw, 11, 7) as u8
}
#[inline(always)]
pub(crate) const fn rs1(raw: u32) -> u8 {
    bits(raw, 19, 15) as u8
}
#[inline(always)]
pub(crate) const fn rs2(raw: u32) -> u8 {
    bits(raw, 24, 20) as u8
}
#[inline(always)]
pub(crate) const fn funct3(raw: u32) -> u32 {
    bits(raw, 14, 12)
}
#[inline(always)]
pub(crate) const fn funct7(raw: u32) -> u32 {
    bits(raw, 31, 25)
}

/// R-type register fields.
#[inline(always)]
pub(crate) const fn put_regs(rd: u8, rs1: u8, rs2: u8) -> u32 {
    ((rd as u32 & 0x1f) << 7) | ((rs1 as u32 & 0x1f) << 15) | ((rs2 as u32 & 0x1f) << 20)
}

/// I-type: imm[11:0] in bits 31:20, sign-extended.
#[inline(always)]
pub(crate) const fn get_i(raw: u32) -> i32 {
    (raw as i32) >> 20
}
#[inline(always)]
pub(crate) const fn put_i(imm: i32) -> u32 {
    (imm as u32 & 0xfff) << 20
}

/// S-type: imm[11:5] in 31:25, imm[4:0] in 11:7.
#[inline(always)]
pub(crate) const fn get_s(raw: u32) -> i32 {
    (((raw as i32) >> 25) << 5) | bits(raw, 11, 7) as i32
}
#[inline(always)]
pub(crate) const fn put_s(imm: i32) -> u32 {
    let u = imm as u32;
    (bits(u, 11, 5) << 25) | (bits(u, 4, 0) << 7)
}

/// B-type: imm[12|10:5] in 31:25, imm[4:1|11] in 11:7.
#[inline(always)]
pub(crate) const fn get_b(raw: u32) -> i32 {
    let u = (bit(raw, 31) << 12)
        | (bit(raw, 7) << 11)
        | (bits(raw, 30, 25) << 5)
        | (bits(raw, 11, 8) << 1);
    sext(u, 13)
}
#[inline(always)]
pub(crate) const fn put_b(imm: i32) -> u32 {
    let u = imm as u32;
    (bit(u, 12) << 31) | (bits(u, 10, 5) << 25) | (bits(u, 4, 1) << 8) | (bit(u, 11) << 7)
}

/// U-type: imm[31:12] in 31:12; the value is the sign-extended 32-bit quantity.
#[inline(always)]
pub(crate) const fn get_u(raw: u32) -> i32 {
    (raw & 0xffff_f000) as i32
}
#[inline(always)]
pub(crate) const fn put_u(imm: i32) -> u32 {
    imm as u32 & 0xffff_f000
}

/// J-type: imm[20|10:1|11|19:12] in 31:12.
#[inline(always)]
pub(crate) const fn get_j(raw: u32) -> i32 {
    let u = (bit(raw, 31) << 20)
        | (bits(raw, 19, 12) << 12)
        | (bit(raw, 20) << 11)
        | (bits(raw, 30, 21) << 1);
    sext(u, 21)
}
#[inline(always)]
pub(crate) const fn put_j(imm: i32) -> u32 {
    let u = imm as u32;
    (bit(u, 20) << 31) | (bits(u, 10, 1) << 21) | (bit(u, 11) << 20) | (bits(u, 19, 12) << 12)
}

// ---- Compressed formats ------------------------------------------------------------------

/// Full 5-bit rd/rs1 field of CR/CI formats (bits 11:7).
#[inline(always)]
pub(crate) const fn c_rd(x: u32) -> u8 {
    bits(x, 11, 7) as u8
}
/// Full 5-bit rs2 field of CR/CSS formats (bits 6:2).
#[inline(always)]
pub(crate) const fn c_rs2(x: u32) -> u8 {
    bits(x, 6, 2) as u8
}
/// 3-bit rs1'/rd' field in bits 9:7, mapped to x8..x15 (Zca "registers" table).
#[inline(always)]
pub(crate) const fn c_rs1p(x: u32) -> u8 {
    8 + bits(x, 9, 7) as u8
}
/// 3-bit rd'/rs2' field in bits 4:2, mapped to x8..x15.
#[inline(always)]
pub(crate) const fn c_rs2p(x: u32) -> u8 {
    8 + bits(x, 4, 2) as u8
}
#[inline(always)]
pub(crate) const fn put_c_rd(r: u8) -> u32 {
    (r as u32 & 0x1f) << 7
}
#[inline(always)]
pub(crate) const fn put_c_rs2(r: u8) -> u32 {
    (r as u32 & 0x1f) << 2
}
#[inline(always)]
pub(crate) const fn put_c_rs1p(r: u8) -> u32 {
    ((r as u32).wrapping_sub(8) & 0x7) << 7
}
#[inline(always)]
pub(crate) const fn put_c_rs2p(r: u8) -> u32 {
    ((r as u32).wrapping_sub(8) & 0x7) << 2
}

/// CI signed 6-bit immediate: imm[5] in 12, imm[4:0] in 6:2 (C.ADDI, C.LI, C.ADDIW, C.ANDI).
#[inline(always)]
pub(crate) const fn get_ci_imm6(x: u32) -> i32 {
    sext((bit(x, 12) << 5) | bits(x, 6, 2), 6)
}
#[inline(always)]
pub(crate) const fn put_ci_imm6(imm: i32) -> u32 {
    let u = imm as u32;
    (bit(u, 5) << 12) | (bits(u, 4, 0) << 2)
}

/// CI unsigned 6-bit shift amount: shamt[5] in 12, shamt[4:0] in 6:2.
#[inline(always)]
pub(crate) const fn get_c_shamt(x: u32) -> i32 {
    ((bit(x, 12) << 5) | bits(x, 6, 2)) as i32
}
#[inline(always)]
pub(crate) const fn put_c_shamt(sh: i32) -> u32 {
    put_ci_imm6(sh)
}

/// C.LUI: nzimm[17] in 12, nzimm[16:12] in 6:2; value sign-extended from bit 17.
#[inline(always)]
pub(crate) const fn get_c_lui(x: u32) -> i32 {
    get_ci_imm6(x) << 12
}
#[inline(always)]
pub(crate) const fn put_c_lui(imm: i32) -> u32 {
    put_ci_imm6(imm >> 12)
}

/// C.ADDI16SP: nzimm[9] in 12, nzimm[4|6|8:7|5] in 6:2.
#[inline(always)]
pub(crate) const fn get_c_addi16sp(x: u32) -> i32 {
    let u = (bit(x, 12) << 9)
        | (bit(x, 6) << 4)
        | (bit(x, 5) << 6)
        | (bits(x, 4, 3) << 7)
        | (bit(x, 2) << 5);
    sext(u, 10)
}
#[inline(always)]
pub(crate) const fn put_c_addi16sp(imm: i32) -> u32 {
    let u = imm as u32;
    (bit(u, 9) << 12)
        | (bit(u, 4) << 6)
        | (bit(u, 6) << 5)
        | (bits(u, 8, 7) << 3)
        | (bit(u, 5) << 2)
}

/// C.ADDI4SPN (CIW): nzuimm[5:4|9:6|2|3] in 12:5.
#[inline(always)]
pub(crate) const fn get_c_addi4spn(x: u32) -> i32 {
    ((bits(x, 12, 11) << 4) | (bits(x, 10, 7) << 6) | (bit(x, 6) << 2) | (bit(x, 5) << 3)) as i32
}
#[inline(always)]
pub(crate) const fn put_c_addi4spn(imm: i32) -> u32 {
    let u = imm as u32;
    (bits(u, 5, 4) << 11) | (bits(u, 9, 6) << 7) | (bit(u, 2) << 6) | (bit(u, 3) << 5)
}

/// C.LW/C.SW (CL/CS, word): offset[5:3] in 12:10, offset[2] in 6, offset[6] in 5.
#[inline(always)]
pub(crate) const fn get_cl_w(x: u32) -> i32 {
    ((bits(x, 12, 10) << 3) | (bit(x, 6) << 2) | (bit(x, 5) << 6)) as i32
}
#[inline(always)]
pub(crate) const fn put_cl_w(imm: i32) -> u32 {
    let u = imm as u32;
    (bits(u, 5, 3) << 10) | (bit(u, 2) << 6) | (bit(u, 6) << 5)
}

/// C.LD/C.SD (CL/CS, doubleword): offset[5:3] in 12:10, offset[7:6] in 6:5.
#[inline(always)]
pub(crate) const fn get_cl_d(x: u32) -> i32 {
    ((bits(x, 12, 10) << 3) | (bits(x, 6, 5) << 6)) as i32
}
#[inline(always)]
pub(crate) const fn put_cl_d(imm: i32) -> u32 {
    let u = imm as u32;
    (bits(u, 5, 3) << 10) | (bits(u, 7, 6) << 5)
}

/// C.LWSP: offset[5] in 12, offset[4:2|7:6] in 6:2.
#[inline(always)]
pub(crate) const fn get_c_lwsp(x: u32) -> i32 {
    ((bit(x, 12) << 5) | (bits(x, 6, 4) << 2) | (bits(x, 3, 2) << 6)) as i32
}
#[inline(always)]
pub(crate) const fn put_c_lwsp(imm: i32) -> u32 {
    let u = imm as u32;
    (bit(u, 5) << 12) | (bits(u, 4, 2) << 4) | (bits(u, 7, 6) << 2)
}

/// C.LDSP: offset[5] in 12, offset[4:3|8:6] in 6:2.
#[inline(always)]
pub(crate) const fn get_c_ldsp(x: u32) -> i32 {
    ((bit(x, 12) << 5) | (bits(x, 6, 5) << 3) | (bits(x, 4, 2) << 6)) as i32
}
#[inline(always)]
pub(crate) const fn put_c_ldsp(imm: i32) -> u32 {
    let u = imm as u32;
    (bit(u, 5) << 12) | (bits(u, 4, 3) << 5) | (bits(u, 8, 6) << 2)
}

/// C.SWSP (CSS): offset[5:2|7:6] in 12:7.
#[inline(always)]
pub(crate) const fn get_c_swsp(x: u32) -> i32 {
    ((bits(x, 12, 9) << 2) | (bits(x, 8, 7) << 6)) as i32
}
#[inline(always)]
pub(crate) const fn put_c_swsp(imm: i32) -> u32 {
    let u = imm as u32;
    (bits(u, 5, 2) << 9) | (bits(u, 7, 6) << 7)
}

/// C.SDSP (CSS): offset[5:3|8:6] in 12:7.
#[inline(always)]
pub(crate) const fn get_c_sdsp(x: u32) -> i32 {
    ((bits(x, 12, 10) << 3) | (bits(x, 9, 7) << 6)) as i32
}
#[inline(always)]
pub(crate) const fn put_c_sdsp(imm: i32) -> u32 {
    let u = imm as u32;
    (bits(u, 5, 3) << 10) | (bits(u, 8, 6) << 7)
}

/// C.J (CJ): offset[11|4|9:8|10|6|7|3:1|5] in 12:2.
#[inline(always)]
pub(crate) const fn get_cj(x: u32) -> i32 {
    let u = (bit(x, 12) << 11)
        | (bit(x, 11) << 4)
        | (bits(x, 10, 9) << 8)
        | (bit(x, 8) << 10)
        | (bit(x, 7) << 6)
        | (bit(x, 6) << 7)
        | (bits(x, 5, 3) << 1)
        | (bit(x, 2) << 5);
    sext(u, 12)
}
#[inline(always)]
pub(crate) const fn put_cj(imm: i32) -> u32 {
    let u = imm as u32;
    (bit(u, 11) << 12)
        | (bit(u, 4) << 11)
        | (bits(u, 9, 8) << 9)
        | (bit(u, 10) << 8)
        | (bit(u, 6) << 7)
        | (bit(u, 7) << 6)
        | (bits(u, 3, 1) << 3)
        | (bit(u, 5) << 2)
}

/// C.BEQZ/C.BNEZ (CB): offset[8|4:3] in 12:10, offset[7:6|2:1|5] in 6:2.
#[inline(always)]
pub(crate) const fn get_cb(x: u32) -> i32 {
    let u = (bit(x, 12) << 8)
        | (bits(x, 11, 10) << 3)
        | (bits(x, 6, 5) << 6)
        | (bits(x, 4, 3) << 1)
        | (bit(x, 2) << 5);
    sext(u, 9)
}
#[inline(always)]
pub(crate) const fn put_cb(imm: i32) -> u32 {
    let u = imm as u32;
    (bit(u, 8) << 12)
        | (bits(u, 4, 3) << 10)
        | (bits(u, 7, 6) << 5)
        | (bits(u, 2, 1) << 3)
        | (bit(u, 5) << 2)
}
