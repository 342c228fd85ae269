//! A minimal test-only RV64 encoder (standard formats from the unpriv "Base Instruction
//! Formats" section). The riscv-isa branch owns the real encoder.
#![allow(dead_code)]

pub const WFI: u32 = 0x1050_0073;
pub const ECALL: u32 = 0x0000_0073;
pub const EBREAK: u32 = 0x0010_0073;
pub const MRET: u32 = 0x3020_0073;
pub const SRET: u32 = 0x1020_0073;
pub const FENCE_I: u32 = 0x0000_100f;
pub const FENCE: u32 = 0x0ff0_000f;

pub const fn r(op: u32, f3: u32, f7: u32, rd: u32, rs1: u32, rs2: u32) -> u32 {
    (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op
}
pub const fn i(op: u32, f3: u32, rd: u32, rs1: u32, imm: i32) -> u32 {
    (((imm as u32) & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op
}
pub const fn s(op: u32, f3: u32, rs1: u32, rs2: u32, imm: i32) -> u32 {
    let imm = imm as u32;
    (((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 0x1f) << 7) | op
}
pub const fn b(f3: u32, rs1: u32, rs2: u32, off: i32) -> u32 {
    let o = off as u32;
    (((o >> 12) & 1) << 31)
        | (((o >> 5) & 0x3f) << 25)
        | (rs2 << 20)
        | (rs1 << 15)
        | (f3 << 12)
        | (((o >> 1) & 0xf) << 8)
        | (((o >> 11) & 1) << 7)
        | 0x63
}
pub const fn jal(rd: u32, off: i32) -> u32 {
    let o = off as u32;
    (((o >> 20) & 1) << 31)
        | (((o >> 1) & 0x3ff) << 21)
        | (((o >> 11) & 1) << 20)
        | (((o >> 12) & 0xff) << 12)
        | (rd << 7)
        | 0x6f
}
pub const fn jalr(rd: u32, rs1: u32, imm: i32) -> u32 {
    i(0x67, 0, rd, rs1, imm)
}
pub const fn lui(rd: u32, imm20: u32) -> u32 {
    (imm20 << 12) | (rd << 7) | 0x37
}
pub const fn auipc(rd: u32, imm20: u32) -> u32 {
    (imm20 << 12) | (rd << 7) | 0x17
}
pub const fn addi(rd: u32, rs1: u32, imm: i32) -> u32 {
    i(0x13, 0, rd, rs1, imm)
}
pub const fn addiw(rd: u32, rs1: u32, imm: i32) -> u32 {
    i(0x1b, 0, rd, rs1, imm)
}
pub const fn slli(rd: u32, rs1: u32, sh: i32) -> u32 {
    i(0x13, 1, rd, rs1, sh)
}
pub const fn srai(rd: u32, rs1: u32, sh: i32) -> u32 {
    i(0x13, 5, rd, rs1, 0x400 | sh)
}
pub const fn add(rd: u32, rs1: u32, rs2: u32) -> u32 {
    r(0x33, 0, 0, rd, rs1, rs2)
}
pub const fn sub(rd: u32, rs1: u32, rs2: u32) -> u32 {
    r(0x33, 0, 0x20, rd, rs1, rs2)
}
pub const fn sll(rd: u32, rs1: u32, rs2: u32) -> u32 {
    r(0x33, 1, 0, rd, rs1, rs2)
}
pub const fn slt(rd: u32, rs1: u32, rs2: u32) -> u32 {
    r(0x33, 2, 0, rd, rs1, rs2)
}
pub const fn sltu(rd: u32, rs1: u32, rs2: u32) -> u32 {
    r(0x33, 3, 0, rd, rs1, rs2)
}
pub const fn sra(rd: u32, rs1: u32, rs2: u32) -> u32 {
    r(0x33, 5, 0x20, rd, rs1, rs2)
}
pub const fn sllw(rd: u32, rs1: u32, rs2: u32) -> u32 {
    r(0x3b, 1, 0, rd, rs1, rs2)
}
pub const fn srlw(rd: u32, rs1: u32, rs2: u32) -> u32 {
    r(0x3b, 5, 0, rd, rs1, rs2)
}
pub const fn sraw(rd: u32, rs1: u32, rs2: u32) -> u32 {
    r(0x3b, 5, 0x20, rd, rs1, rs2)
}
pub const fn addw(rd: u32, rs1: u32, rs2: u32) -> u32 {
    r(0x3b, 0, 0, rd, rs1, rs2)
}
/// M extension, funct3 selects the op: mul 0, mulh 1, mulhsu 2, mulhu 3, div 4, divu 5,
/// rem 6, remu 7.
pub const fn m(f3: u32, rd: u32, rs1: u32, rs2: u32) -> u32 {
    r(0x33, f3, 1, rd, rs1, rs2)
}
/// M extension W forms: mulw 0, divw 4, divuw 5, remw 6, remuw 7.
pub const fn mw(f3: u32, rd: u32, rs1: u32, rs2: u32) -> u32 {
    r(0x3b, f3, 1, rd, rs1, rs2)
}
/// Loads: f3 lb 0, lh 1, lw 2, ld 3, lbu 4, lhu 5, lwu 6.
pub const fn load(f3: u32, rd: u32, rs1: u32, imm: i32) -> u32 {
    i(0x03, f3, rd, rs1, imm)
}
/// Stores: f3 sb 0, sh 1, sw 2, sd 3.
pub const fn store(f3: u32, rs1: u32, rs2: u32, imm: i32) -> u32 {
    s(0x23, f3, rs1, rs2, imm)
}
/// AMOs: funct5 lr 2, sc 3, swap 1, add 0, xor 4, and 12, or 8, min 16, max 20, minu 24,
/// maxu 28; f3 2 = W, 3 = D.
pub const fn amo(f5: u32, f3: u32, rd: u32, rs1: u32, rs2: u32) -> u32 {
    r(0x2f, f3, f5 << 2, rd, rs1, rs2)
}
/// CSR ops: f3 csrrw 1, csrrs 2, csrrc 3, csrrwi 5, csrrsi 6, csrrci 7.
pub const fn csr(f3: u32, rd: u32, csr: u16, rs1: u32) -> u32 {
    ((csr as u32) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | 0x73
}
/// Loads a 32-bit sign-extended constant into `rd` (lui + addiw).
pub fn li32(rd: u32, v: i32) -> [u32; 2] {
    let lo = (v << 20) >> 20;
    let hi = ((v as i64 - lo as i64) >> 12) as u32 & 0xf_ffff;
    [lui(rd, hi), addiw(rd, rd, lo)]
}
/// Two compressed instructions packed into one word (first in the low half).
pub const fn c2(first: u16, second: u16) -> u32 {
    (first as u32) | ((second as u32) << 16)
}
