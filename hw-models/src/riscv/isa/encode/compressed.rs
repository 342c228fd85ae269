//! 16-bit (RV64C / Zca) encodings, one function per instruction. Each checks the operand
//! constraints the Zca chapter states: x8..x15-only fields (norm:Zca_regs8), scaled and
//! zero-extended offsets, and the reserved code points (which give
//! [`EncodeError::Reserved`]). HINT code points are encodable.

use super::super::fields::*;
use super::super::opcodes::{C_Q0, C_Q1, C_Q2};
use super::{EncResult, EncodeError, Reg, check_align, check_range, check_signed};

const fn f3(v: u32) -> u32 {
    v << 13
}

fn creg(what: &'static str, r: Reg) -> EncResult<u8> {
    if r.is_compressible() {
        Ok(r.num())
    } else {
        Err(EncodeError::BadCompressedRegister { what, reg: r.num() })
    }
}

fn nonzero(what: &'static str, r: Reg) -> EncResult<u8> {
    if r == Reg::ZERO {
        Err(EncodeError::Reserved(what))
    } else {
        Ok(r.num())
    }
}

/// Checks a zero-extended, scaled offset: `0..=max`, multiple of `align`.
fn uoff(what: &'static str, off: i32, max: i64, align: u32) -> EncResult<i32> {
    check_range(what, off.into(), 0, max)?;
    check_align(what, off.into(), align)?;
    Ok(off)
}

const fn half(x: u32) -> u16 {
    x as u16
}

/// `c.addi4spn rd', sp, nzuimm`: nzuimm a non-zero multiple of 4 up to 1020.
pub fn c_addi4spn(rd: Reg, nzuimm: i32) -> EncResult<u16> {
    let rd = creg("c.addi4spn rd", rd)?;
    if nzuimm == 0 {
        return Err(EncodeError::Reserved("c.addi4spn"));
    }
    let imm = uoff("c.addi4spn", nzuimm, 1020, 4)?;
    Ok(half(
        C_Q0 | f3(0b000) | put_c_addi4spn(imm) | put_c_rs2p(rd),
    ))
}

/// `c.lw rd', off(rs1')`: off a multiple of 4 up to 124.
pub fn c_lw(rd: Reg, rs1: Reg, off: i32) -> EncResult<u16> {
    let (rd, rs1) = (creg("c.lw rd", rd)?, creg("c.lw rs1", rs1)?);
    let off = uoff("c.lw", off, 124, 4)?;
    Ok(half(
        C_Q0 | f3(0b010) | put_cl_w(off) | put_c_rs1p(rs1) | put_c_rs2p(rd),
    ))
}

/// `c.ld rd', off(rs1')`: off a multiple of 8 up to 248.
pub fn c_ld(rd: Reg, rs1: Reg, off: i32) -> EncResult<u16> {
    let (rd, rs1) = (creg("c.ld rd", rd)?, creg("c.ld rs1", rs1)?);
    let off = uoff("c.ld", off, 248, 8)?;
    Ok(half(
        C_Q0 | f3(0b011) | put_cl_d(off) | put_c_rs1p(rs1) | put_c_rs2p(rd),
    ))
}

/// `c.sw rs2', off(rs1')`: off a multiple of 4 up to 124.
pub fn c_sw(rs2: Reg, rs1: Reg, off: i32) -> EncResult<u16> {
    let (rs2, rs1) = (creg("c.sw rs2", rs2)?, creg("c.sw rs1", rs1)?);
    let off = uoff("c.sw", off, 124, 4)?;
    Ok(half(
        C_Q0 | f3(0b110) | put_cl_w(off) | put_c_rs1p(rs1) | put_c_rs2p(rs2),
    ))
}

/// `c.sd rs2', off(rs1')`: off a multiple of 8 up to 248.
pub fn c_sd(rs2: Reg, rs1: Reg, off: i32) -> EncResult<u16> {
    let (rs2, rs1) = (creg("c.sd rs2", rs2)?, creg("c.sd rs1", rs1)?);
    let off = uoff("c.sd", off, 248, 8)?;
    Ok(half(
        C_Q0 | f3(0b111) | put_cl_d(off) | put_c_rs1p(rs1) | put_c_rs2p(rs2),
    ))
}

/// `c.nop`
pub const fn c_nop() -> u16 {
    half(C_Q1)
}

/// `c.addi rd, imm` (imm -32..=31; rd = x0 or imm = 0 are HINT code points).
pub fn c_addi(rd: Reg, imm: i32) -> EncResult<u16> {
    check_signed("c.addi", imm.into(), 6)?;
    Ok(half(
        C_Q1 | f3(0b000) | put_c_rd(rd.num()) | put_ci_imm6(imm),
    ))
}

/// `c.addiw rd, imm` (rd ≠ x0, imm -32..=31).
pub fn c_addiw(rd: Reg, imm: i32) -> EncResult<u16> {
    let rd = nonzero("c.addiw x0", rd)?;
    check_signed("c.addiw", imm.into(), 6)?;
    Ok(half(C_Q1 | f3(0b001) | put_c_rd(rd) | put_ci_imm6(imm)))
}

/// `c.li rd, imm` (imm -32..=31; rd = x0 is a HINT).
pub fn c_li(rd: Reg, imm: i32) -> EncResult<u16> {
    check_signed("c.li", imm.into(), 6)?;
    Ok(half(
        C_Q1 | f3(0b010) | put_c_rd(rd.num()) | put_ci_imm6(imm),
    ))
}

/// `c.addi16sp sp, nzimm`: a non-zero multiple of 16 in -512..=496.
pub fn c_addi16sp(nzimm: i32) -> EncResult<u16> {
    if nzimm == 0 {
        return Err(EncodeError::Reserved("c.addi16sp"));
    }
    check_signed("c.addi16sp", nzimm.into(), 10)?;
    check_align("c.addi16sp", nzimm.into(), 16)?;
    Ok(half(C_Q1 | f3(0b011) | put_c_rd(2) | put_c_addi16sp(nzimm)))
}

/// `c.lui rd, imm6`: `imm6` is the field (-32..=31, non-zero), loaded into bits 17:12;
/// rd ≠ x2 (that code point is C.ADDI16SP).
pub fn c_lui(rd: Reg, imm6: i32) -> EncResult<u16> {
    if rd == Reg::SP {
        return Err(EncodeError::BadCompressedRegister {
            what: "c.lui rd",
            reg: 2,
        });
    }
    if imm6 == 0 {
        return Err(EncodeError::Reserved("c.lui"));
    }
    check_signed("c.lui", imm6.into(), 6)?;
    Ok(half(
        C_Q1 | f3(0b011) | put_c_rd(rd.num()) | put_c_lui(imm6 << 12),
    ))
}

fn c_shift_q1(what: &'static str, funct2: u32, rd: Reg, shamt: u32) -> EncResult<u16> {
    let rd = creg(what, rd)?;
    check_range(what, shamt.into(), 0, 63)?;
    Ok(half(
        C_Q1 | f3(0b100) | (funct2 << 10) | put_c_rs1p(rd) | put_c_shamt(shamt as i32),
    ))
}

/// `c.srli rd', shamt` (0..=63; 0 is a HINT).
pub fn c_srli(rd: Reg, shamt: u32) -> EncResult<u16> {
    c_shift_q1("c.srli", 0b00, rd, shamt)
}

/// `c.srai rd', shamt` (0..=63; 0 is a HINT).
pub fn c_srai(rd: Reg, shamt: u32) -> EncResult<u16> {
    c_shift_q1("c.srai", 0b01, rd, shamt)
}

/// `c.andi rd', imm` (imm -32..=31).
pub fn c_andi(rd: Reg, imm: i32) -> EncResult<u16> {
    let rd = creg("c.andi rd", rd)?;
    check_signed("c.andi", imm.into(), 6)?;
    Ok(half(
        C_Q1 | f3(0b100) | (0b10 << 10) | put_c_rs1p(rd) | put_ci_imm6(imm),
    ))
}

fn c_arith(what: &'static str, bit12: u32, funct2: u32, rd: Reg, rs2: Reg) -> EncResult<u16> {
    let (rd, rs2) = (creg(what, rd)?, creg(what, rs2)?);
    Ok(half(
        C_Q1 | f3(0b100)
            | (bit12 << 12)
            | (0b11 << 10)
            | put_c_rs1p(rd)
            | (funct2 << 5)
            | put_c_rs2p(rs2),
    ))
}

/// `c.sub rd', rs2'`
pub fn c_sub(rd: Reg, rs2: Reg) -> EncResult<u16> {
    c_arith("c.sub", 0, 0b00, rd, rs2)
}
/// `c.xor rd', rs2'`
pub fn c_xor(rd: Reg, rs2: Reg) -> EncResult<u16> {
    c_arith("c.xor", 0, 0b01, rd, rs2)
}
/// `c.or rd', rs2'`
pub fn c_or(rd: Reg, rs2: Reg) -> EncResult<u16> {
    c_arith("c.or", 0, 0b10, rd, rs2)
}
/// `c.and rd', rs2'`
pub fn c_and(rd: Reg, rs2: Reg) -> EncResult<u16> {
    c_arith("c.and", 0, 0b11, rd, rs2)
}
/// `c.subw rd', rs2'`
pub fn c_subw(rd: Reg, rs2: Reg) -> EncResult<u16> {
    c_arith("c.subw", 1, 0b00, rd, rs2)
}
/// `c.addw rd', rs2'`
pub fn c_addw(rd: Reg, rs2: Reg) -> EncResult<u16> {
    c_arith("c.addw", 1, 0b01, rd, rs2)
}

/// `c.j offset`: even, within ±2 KiB of this instruction.
pub fn c_j(offset: i32) -> EncResult<u16> {
    check_signed("c.j", offset.into(), 12)?;
    check_align("c.j", offset.into(), 2)?;
    Ok(half(C_Q1 | f3(0b101) | put_cj(offset)))
}

fn c_branch(what: &'static str, funct3: u32, rs1: Reg, offset: i32) -> EncResult<u16> {
    let rs1 = creg(what, rs1)?;
    check_signed(what, offset.into(), 9)?;
    check_align(what, offset.into(), 2)?;
    Ok(half(C_Q1 | f3(funct3) | put_c_rs1p(rs1) | put_cb(offset)))
}

/// `c.beqz rs1', offset`: even, within ±256 B.
pub fn c_beqz(rs1: Reg, offset: i32) -> EncResult<u16> {
    c_branch("c.beqz", 0b110, rs1, offset)
}

/// `c.bnez rs1', offset`: even, within ±256 B.
pub fn c_bnez(rs1: Reg, offset: i32) -> EncResult<u16> {
    c_branch("c.bnez", 0b111, rs1, offset)
}

/// `c.slli rd, shamt` (0..=63; rd = x0 or shamt = 0 are HINTs).
pub fn c_slli(rd: Reg, shamt: u32) -> EncResult<u16> {
    check_range("c.slli", shamt.into(), 0, 63)?;
    Ok(half(
        C_Q2 | f3(0b000) | put_c_rd(rd.num()) | put_c_shamt(shamt as i32),
    ))
}

/// `c.lwsp rd, off(sp)`: rd ≠ x0, off a multiple of 4 up to 252.
pub fn c_lwsp(rd: Reg, off: i32) -> EncResult<u16> {
    let rd = nonzero("c.lwsp x0", rd)?;
    let off = uoff("c.lwsp", off, 252, 4)?;
    Ok(half(C_Q2 | f3(0b010) | put_c_rd(rd) | put_c_lwsp(off)))
}

/// `c.ldsp rd, off(sp)`: rd ≠ x0, off a multiple of 8 up to 504.
pub fn c_ldsp(rd: Reg, off: i32) -> EncResult<u16> {
    let rd = nonzero("c.ldsp x0", rd)?;
    let off = uoff("c.ldsp", off, 504, 8)?;
    Ok(half(C_Q2 | f3(0b011) | put_c_rd(rd) | put_c_ldsp(off)))
}

/// `c.jr rs1` (rs1 ≠ x0).
pub fn c_jr(rs1: Reg) -> EncResult<u16> {
    let rs1 = nonzero("c.jr x0", rs1)?;
    Ok(half(C_Q2 | f3(0b100) | put_c_rd(rs1)))
}

/// `c.mv rd, rs2` (rs2 ≠ x0; rd = x0 is a HINT).
pub fn c_mv(rd: Reg, rs2: Reg) -> EncResult<u16> {
    if rs2 == Reg::ZERO {
        return Err(EncodeError::BadCompressedRegister {
            what: "c.mv rs2",
            reg: 0,
        });
    }
    Ok(half(
        C_Q2 | f3(0b100) | put_c_rd(rd.num()) | put_c_rs2(rs2.num()),
    ))
}

/// `c.ebreak`
pub const fn c_ebreak() -> u16 {
    half(C_Q2 | f3(0b100) | (1 << 12))
}

/// `c.jalr rs1` (rs1 ≠ x0; that code point is C.EBREAK).
pub fn c_jalr(rs1: Reg) -> EncResult<u16> {
    if rs1 == Reg::ZERO {
        return Err(EncodeError::BadCompressedRegister {
            what: "c.jalr rs1",
            reg: 0,
        });
    }
    Ok(half(C_Q2 | f3(0b100) | (1 << 12) | put_c_rd(rs1.num())))
}

/// `c.add rd, rs2` (rs2 ≠ x0; rd = x0 is a HINT).
pub fn c_add(rd: Reg, rs2: Reg) -> EncResult<u16> {
    if rs2 == Reg::ZERO {
        return Err(EncodeError::BadCompressedRegister {
            what: "c.add rs2",
            reg: 0,
        });
    }
    Ok(half(
        C_Q2 | f3(0b100) | (1 << 12) | put_c_rd(rd.num()) | put_c_rs2(rs2.num()),
    ))
}

/// `c.swsp rs2, off(sp)`: off a multiple of 4 up to 252.
pub fn c_swsp(rs2: Reg, off: i32) -> EncResult<u16> {
    let off = uoff("c.swsp", off, 252, 4)?;
    Ok(half(
        C_Q2 | f3(0b110) | put_c_rs2(rs2.num()) | put_c_swsp(off),
    ))
}

/// `c.sdsp rs2, off(sp)`: off a multiple of 8 up to 504.
pub fn c_sdsp(rs2: Reg, off: i32) -> EncResult<u16> {
    let off = uoff("c.sdsp", off, 504, 8)?;
    Ok(half(
        C_Q2 | f3(0b111) | put_c_rs2(rs2.num()) | put_c_sdsp(off),
    ))
}
