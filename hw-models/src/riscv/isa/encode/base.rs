//! 32-bit encodings, one function per instruction (unpriv "RV32/64G Instruction Set
//! Listings", priv "Privileged Instruction Set Listings", priv H "Hypervisor Instructions").

use super::super::fields::{put_b, put_i, put_j, put_regs, put_s, put_u};
use super::super::opcodes::*;
use super::super::{FENCE_FM_TSO, FENCE_R, FENCE_W};
use super::{AqRl, EncResult, Reg, check_align, check_range, check_signed};

const fn r_type(opcode: u32, f3: u32, f7: u32, rd: Reg, rs1: Reg, rs2: Reg) -> u32 {
    opcode | (f3 << 12) | (f7 << 25) | put_regs(rd.num(), rs1.num(), rs2.num())
}

fn i_type(what: &'static str, opcode: u32, f3: u32, rd: Reg, rs1: Reg, imm: i32) -> EncResult<u32> {
    check_signed(what, imm.into(), 12)?;
    Ok(opcode | (f3 << 12) | put_regs(rd.num(), rs1.num(), 0) | put_i(imm))
}

macro_rules! r_ops {
    ($($(#[$doc:meta])* $name:ident = $opcode:ident, $f3:expr, $f7:ident;)*) => {$(
        $(#[$doc])*
        pub const fn $name(rd: Reg, rs1: Reg, rs2: Reg) -> u32 {
            r_type($opcode, $f3, $f7, rd, rs1, rs2)
        }
    )*};
}

r_ops! {
    /// `add rd, rs1, rs2`
    add = OP, 0b000, F7_BASE;
    /// `sub rd, rs1, rs2`
    sub = OP, 0b000, F7_ALT;
    /// `sll rd, rs1, rs2`
    sll = OP, 0b001, F7_BASE;
    /// `slt rd, rs1, rs2`
    slt = OP, 0b010, F7_BASE;
    /// `sltu rd, rs1, rs2`
    sltu = OP, 0b011, F7_BASE;
    /// `xor rd, rs1, rs2`
    xor = OP, 0b100, F7_BASE;
    /// `srl rd, rs1, rs2`
    srl = OP, 0b101, F7_BASE;
    /// `sra rd, rs1, rs2`
    sra = OP, 0b101, F7_ALT;
    /// `or rd, rs1, rs2`
    or = OP, 0b110, F7_BASE;
    /// `and rd, rs1, rs2`
    and = OP, 0b111, F7_BASE;
    /// `addw rd, rs1, rs2`
    addw = OP_32, 0b000, F7_BASE;
    /// `subw rd, rs1, rs2`
    subw = OP_32, 0b000, F7_ALT;
    /// `sllw rd, rs1, rs2`
    sllw = OP_32, 0b001, F7_BASE;
    /// `srlw rd, rs1, rs2`
    srlw = OP_32, 0b101, F7_BASE;
    /// `sraw rd, rs1, rs2`
    sraw = OP_32, 0b101, F7_ALT;
    /// `mul rd, rs1, rs2`
    mul = OP, 0b000, F7_MULDIV;
    /// `mulh rd, rs1, rs2`
    mulh = OP, 0b001, F7_MULDIV;
    /// `mulhsu rd, rs1, rs2`
    mulhsu = OP, 0b010, F7_MULDIV;
    /// `mulhu rd, rs1, rs2`
    mulhu = OP, 0b011, F7_MULDIV;
    /// `div rd, rs1, rs2`
    div = OP, 0b100, F7_MULDIV;
    /// `divu rd, rs1, rs2`
    divu = OP, 0b101, F7_MULDIV;
    /// `rem rd, rs1, rs2`
    rem = OP, 0b110, F7_MULDIV;
    /// `remu rd, rs1, rs2`
    remu = OP, 0b111, F7_MULDIV;
    /// `mulw rd, rs1, rs2`
    mulw = OP_32, 0b000, F7_MULDIV;
    /// `divw rd, rs1, rs2`
    divw = OP_32, 0b100, F7_MULDIV;
    /// `divuw rd, rs1, rs2`
    divuw = OP_32, 0b101, F7_MULDIV;
    /// `remw rd, rs1, rs2`
    remw = OP_32, 0b110, F7_MULDIV;
    /// `remuw rd, rs1, rs2`
    remuw = OP_32, 0b111, F7_MULDIV;
}

macro_rules! i_ops {
    ($($(#[$doc:meta])* $name:ident = $opcode:ident, $f3:expr;)*) => {$(
        $(#[$doc])*
        ///
        /// `imm` must fit 12 signed bits (-2048..=2047).
        pub fn $name(rd: Reg, rs1: Reg, imm: i32) -> EncResult<u32> {
            i_type(stringify!($name), $opcode, $f3, rd, rs1, imm)
        }
    )*};
}

i_ops! {
    /// `addi rd, rs1, imm`
    addi = OP_IMM, 0b000;
    /// `slti rd, rs1, imm`
    slti = OP_IMM, 0b010;
    /// `sltiu rd, rs1, imm`
    sltiu = OP_IMM, 0b011;
    /// `xori rd, rs1, imm`
    xori = OP_IMM, 0b100;
    /// `ori rd, rs1, imm`
    ori = OP_IMM, 0b110;
    /// `andi rd, rs1, imm`
    andi = OP_IMM, 0b111;
    /// `addiw rd, rs1, imm`
    addiw = OP_IMM_32, 0b000;
    /// `jalr rd, imm(rs1)`
    jalr = JALR, 0b000;
    /// `lb rd, imm(rs1)`
    lb = LOAD, 0b000;
    /// `lh rd, imm(rs1)`
    lh = LOAD, 0b001;
    /// `lw rd, imm(rs1)`
    lw = LOAD, 0b010;
    /// `ld rd, imm(rs1)`
    ld = LOAD, 0b011;
    /// `lbu rd, imm(rs1)`
    lbu = LOAD, 0b100;
    /// `lhu rd, imm(rs1)`
    lhu = LOAD, 0b101;
    /// `lwu rd, imm(rs1)`
    lwu = LOAD, 0b110;
}

macro_rules! shift_ops {
    ($($(#[$doc:meta])* $name:ident = $opcode:ident, $f3:expr, $f7:ident, $max:expr;)*) => {$(
        $(#[$doc])*
        pub fn $name(rd: Reg, rs1: Reg, shamt: u32) -> EncResult<u32> {
            check_range(stringify!($name), shamt.into(), 0, $max)?;
            Ok($opcode | ($f3 << 12) | ($f7 << 25) | put_regs(rd.num(), rs1.num(), 0) | (shamt << 20))
        }
    )*};
}

shift_ops! {
    /// `slli rd, rs1, shamt` (shamt 0..=63)
    slli = OP_IMM, 0b001, F7_BASE, 63;
    /// `srli rd, rs1, shamt` (shamt 0..=63)
    srli = OP_IMM, 0b101, F7_BASE, 63;
    /// `srai rd, rs1, shamt` (shamt 0..=63)
    srai = OP_IMM, 0b101, F7_ALT, 63;
    /// `slliw rd, rs1, shamt` (shamt 0..=31)
    slliw = OP_IMM_32, 0b001, F7_BASE, 31;
    /// `srliw rd, rs1, shamt` (shamt 0..=31)
    srliw = OP_IMM_32, 0b101, F7_BASE, 31;
    /// `sraiw rd, rs1, shamt` (shamt 0..=31)
    sraiw = OP_IMM_32, 0b101, F7_ALT, 31;
}

macro_rules! store_ops {
    ($($(#[$doc:meta])* $name:ident = $f3:expr;)*) => {$(
        $(#[$doc])*
        ///
        /// `imm` must fit 12 signed bits.
        pub fn $name(rs2: Reg, rs1: Reg, imm: i32) -> EncResult<u32> {
            check_signed(stringify!($name), imm.into(), 12)?;
            Ok(STORE | ($f3 << 12) | put_regs(0, rs1.num(), rs2.num()) | put_s(imm))
        }
    )*};
}

store_ops! {
    /// `sb rs2, imm(rs1)`
    sb = 0b000;
    /// `sh rs2, imm(rs1)`
    sh = 0b001;
    /// `sw rs2, imm(rs1)`
    sw = 0b010;
    /// `sd rs2, imm(rs1)`
    sd = 0b011;
}

macro_rules! branch_ops {
    ($($(#[$doc:meta])* $name:ident = $f3:expr;)*) => {$(
        $(#[$doc])*
        ///
        /// `offset` (from this instruction's pc) must be even and within ±4 KiB.
        pub fn $name(rs1: Reg, rs2: Reg, offset: i32) -> EncResult<u32> {
            check_signed(stringify!($name), offset.into(), 13)?;
            check_align(stringify!($name), offset.into(), 2)?;
            Ok(BRANCH | ($f3 << 12) | put_regs(0, rs1.num(), rs2.num()) | put_b(offset))
        }
    )*};
}

branch_ops! {
    /// `beq rs1, rs2, offset`
    beq = 0b000;
    /// `bne rs1, rs2, offset`
    bne = 0b001;
    /// `blt rs1, rs2, offset`
    blt = 0b100;
    /// `bge rs1, rs2, offset`
    bge = 0b101;
    /// `bltu rs1, rs2, offset`
    bltu = 0b110;
    /// `bgeu rs1, rs2, offset`
    bgeu = 0b111;
}

/// `jal rd, offset`: `offset` (from this instruction's pc) even and within ±1 MiB.
pub fn jal(rd: Reg, offset: i32) -> EncResult<u32> {
    check_signed("jal", offset.into(), 21)?;
    check_align("jal", offset.into(), 2)?;
    Ok(JAL | put_regs(rd.num(), 0, 0) | put_j(offset))
}

/// `lui rd, imm20`: `imm20` is the 20-bit field (written to bits 31:12), accepted as
/// -0x80000..=0xfffff like assemblers do.
pub fn lui(rd: Reg, imm20: i32) -> EncResult<u32> {
    check_range("lui", imm20.into(), -0x8_0000, 0xf_ffff)?;
    Ok(LUI | put_regs(rd.num(), 0, 0) | put_u(imm20 << 12))
}

/// `auipc rd, imm20`: the 20-bit field, as for [`lui`].
pub fn auipc(rd: Reg, imm20: i32) -> EncResult<u32> {
    check_range("auipc", imm20.into(), -0x8_0000, 0xf_ffff)?;
    Ok(AUIPC | put_regs(rd.num(), 0, 0) | put_u(imm20 << 12))
}

/// `fence pred, succ`: each set a mix of [`FENCE_I`](super::super::FENCE_I), `FENCE_O`,
/// `FENCE_R`, `FENCE_W` (0..=15).
pub fn fence(pred: u8, succ: u8) -> EncResult<u32> {
    check_range("fence pred", pred.into(), 0, 15)?;
    check_range("fence succ", succ.into(), 0, 15)?;
    Ok(fence_raw(0, pred, succ))
}

/// A FENCE with an explicit fm field (0..=15); `fence_raw(8, RW, RW)` is FENCE.TSO.
pub(crate) const fn fence_raw(fm: u8, pred: u8, succ: u8) -> u32 {
    MISC_MEM
        | (F3_FENCE << 12)
        | (((fm as u32) & 0xf) << 28)
        | (((pred as u32) & 0xf) << 24)
        | (((succ as u32) & 0xf) << 20)
}

/// `fence.tso` (fm = 1000, pred = succ = RW).
pub const fn fence_tso() -> u32 {
    fence_raw(FENCE_FM_TSO, FENCE_R | FENCE_W, FENCE_R | FENCE_W)
}

/// `pause` (Zihintpause: FENCE with pred = W, succ = 0).
pub const fn pause() -> u32 {
    fence_raw(0, FENCE_W, 0)
}

/// `fence.i`
pub const fn fence_i() -> u32 {
    MISC_MEM | (F3_FENCE_I << 12)
}

/// `ecall`
pub const fn ecall() -> u32 {
    ECALL
}
/// `ebreak`
pub const fn ebreak() -> u32 {
    EBREAK
}
/// `mret`
pub const fn mret() -> u32 {
    MRET
}
/// `sret`
pub const fn sret() -> u32 {
    SRET
}
/// `wfi`
pub const fn wfi() -> u32 {
    WFI
}

/// `sfence.vma rs1, rs2` (rs1 = virtual address, rs2 = ASID; x0 means "all").
pub const fn sfence_vma(rs1: Reg, rs2: Reg) -> u32 {
    r_type(SYSTEM, F3_PRIV, F7_SFENCE_VMA, Reg::ZERO, rs1, rs2)
}
/// `hfence.vvma rs1, rs2` (rs1 = guest virtual address, rs2 = ASID).
pub const fn hfence_vvma(rs1: Reg, rs2: Reg) -> u32 {
    r_type(SYSTEM, F3_PRIV, F7_HFENCE_VVMA, Reg::ZERO, rs1, rs2)
}
/// `hfence.gvma rs1, rs2` (rs1 = guest physical address >> 2, rs2 = VMID).
pub const fn hfence_gvma(rs1: Reg, rs2: Reg) -> u32 {
    r_type(SYSTEM, F3_PRIV, F7_HFENCE_GVMA, Reg::ZERO, rs1, rs2)
}

macro_rules! hlv_ops {
    ($($(#[$doc:meta])* $name:ident = $f7:ident, $variant:ident;)*) => {$(
        $(#[$doc])*
        pub const fn $name(rd: Reg, rs1: Reg) -> u32 {
            r_type(SYSTEM, F3_HLSV, $f7, rd, rs1, Reg::from_field($variant as u8))
        }
    )*};
}

hlv_ops! {
    /// `hlv.b rd, (rs1)`
    hlv_b = F7_HLV_B, HLV_SIGNED;
    /// `hlv.bu rd, (rs1)`
    hlv_bu = F7_HLV_B, HLV_UNSIGNED;
    /// `hlv.h rd, (rs1)`
    hlv_h = F7_HLV_H, HLV_SIGNED;
    /// `hlv.hu rd, (rs1)`
    hlv_hu = F7_HLV_H, HLV_UNSIGNED;
    /// `hlvx.hu rd, (rs1)`
    hlvx_hu = F7_HLV_H, HLVX;
    /// `hlv.w rd, (rs1)`
    hlv_w = F7_HLV_W, HLV_SIGNED;
    /// `hlv.wu rd, (rs1)`
    hlv_wu = F7_HLV_W, HLV_UNSIGNED;
    /// `hlvx.wu rd, (rs1)`
    hlvx_wu = F7_HLV_W, HLVX;
    /// `hlv.d rd, (rs1)`
    hlv_d = F7_HLV_D, HLV_SIGNED;
}

macro_rules! hsv_ops {
    ($($(#[$doc:meta])* $name:ident = $f7:ident;)*) => {$(
        $(#[$doc])*
        pub const fn $name(rs2: Reg, rs1: Reg) -> u32 {
            r_type(SYSTEM, F3_HLSV, $f7, Reg::ZERO, rs1, rs2)
        }
    )*};
}

hsv_ops! {
    /// `hsv.b rs2, (rs1)`
    hsv_b = F7_HSV_B;
    /// `hsv.h rs2, (rs1)`
    hsv_h = F7_HSV_H;
    /// `hsv.w rs2, (rs1)`
    hsv_w = F7_HSV_W;
    /// `hsv.d rs2, (rs1)`
    hsv_d = F7_HSV_D;
}

macro_rules! csr_ops {
    ($($(#[$doc:meta])* $name:ident = $f3:ident;)*) => {$(
        $(#[$doc])*
        ///
        /// `csr` must be 0..=0xfff.
        pub fn $name(rd: Reg, csr: u16, rs1: Reg) -> EncResult<u32> {
            check_range(stringify!($name), csr.into(), 0, 0xfff)?;
            Ok(SYSTEM | ($f3 << 12) | put_regs(rd.num(), rs1.num(), 0) | (u32::from(csr) << 20))
        }
    )*};
}

csr_ops! {
    /// `csrrw rd, csr, rs1`
    csrrw = F3_CSRRW;
    /// `csrrs rd, csr, rs1`
    csrrs = F3_CSRRS;
    /// `csrrc rd, csr, rs1`
    csrrc = F3_CSRRC;
}

macro_rules! csri_ops {
    ($($(#[$doc:meta])* $name:ident = $f3:ident;)*) => {$(
        $(#[$doc])*
        ///
        /// `csr` must be 0..=0xfff and `uimm` 0..=31.
        pub fn $name(rd: Reg, csr: u16, uimm: u8) -> EncResult<u32> {
            check_range(stringify!($name), csr.into(), 0, 0xfff)?;
            check_range(stringify!($name), uimm.into(), 0, 31)?;
            Ok(SYSTEM | ($f3 << 12) | put_regs(rd.num(), uimm, 0) | (u32::from(csr) << 20))
        }
    )*};
}

csri_ops! {
    /// `csrrwi rd, csr, uimm`
    csrrwi = F3_CSRRWI;
    /// `csrrsi rd, csr, uimm`
    csrrsi = F3_CSRRSI;
    /// `csrrci rd, csr, uimm`
    csrrci = F3_CSRRCI;
}

const fn amo(f5: u32, f3: u32, rd: Reg, rs1: Reg, rs2: Reg, ord: AqRl) -> u32 {
    AMO | (f3 << 12) | (f5 << 27) | ord.bits() | put_regs(rd.num(), rs1.num(), rs2.num())
}

/// `lr.w rd, (rs1)`
pub const fn lr_w(rd: Reg, rs1: Reg, ord: AqRl) -> u32 {
    amo(F5_LR, F3_AMO_W, rd, rs1, Reg::ZERO, ord)
}
/// `lr.d rd, (rs1)`
pub const fn lr_d(rd: Reg, rs1: Reg, ord: AqRl) -> u32 {
    amo(F5_LR, F3_AMO_D, rd, rs1, Reg::ZERO, ord)
}

macro_rules! amo_ops {
    ($($(#[$doc:meta])* $name:ident = $f5:ident, $f3:ident;)*) => {$(
        $(#[$doc])*
        pub const fn $name(rd: Reg, rs2: Reg, rs1: Reg, ord: AqRl) -> u32 {
            amo($f5, $f3, rd, rs1, rs2, ord)
        }
    )*};
}

amo_ops! {
    /// `sc.w rd, rs2, (rs1)`
    sc_w = F5_SC, F3_AMO_W;
    /// `sc.d rd, rs2, (rs1)`
    sc_d = F5_SC, F3_AMO_D;
    /// `amoswap.w rd, rs2, (rs1)`
    amoswap_w = F5_AMOSWAP, F3_AMO_W;
    /// `amoadd.w rd, rs2, (rs1)`
    amoadd_w = F5_AMOADD, F3_AMO_W;
    /// `amoxor.w rd, rs2, (rs1)`
    amoxor_w = F5_AMOXOR, F3_AMO_W;
    /// `amoand.w rd, rs2, (rs1)`
    amoand_w = F5_AMOAND, F3_AMO_W;
    /// `amoor.w rd, rs2, (rs1)`
    amoor_w = F5_AMOOR, F3_AMO_W;
    /// `amomin.w rd, rs2, (rs1)`
    amomin_w = F5_AMOMIN, F3_AMO_W;
    /// `amomax.w rd, rs2, (rs1)`
    amomax_w = F5_AMOMAX, F3_AMO_W;
    /// `amominu.w rd, rs2, (rs1)`
    amominu_w = F5_AMOMINU, F3_AMO_W;
    /// `amomaxu.w rd, rs2, (rs1)`
    amomaxu_w = F5_AMOMAXU, F3_AMO_W;
    /// `amoswap.d rd, rs2, (rs1)`
    amoswap_d = F5_AMOSWAP, F3_AMO_D;
    /// `amoadd.d rd, rs2, (rs1)`
    amoadd_d = F5_AMOADD, F3_AMO_D;
    /// `amoxor.d rd, rs2, (rs1)`
    amoxor_d = F5_AMOXOR, F3_AMO_D;
    /// `amoand.d rd, rs2, (rs1)`
    amoand_d = F5_AMOAND, F3_AMO_D;
    /// `amoor.d rd, rs2, (rs1)`
    amoor_d = F5_AMOOR, F3_AMO_D;
    /// `amomin.d rd, rs2, (rs1)`
    amomin_d = F5_AMOMIN, F3_AMO_D;
    /// `amomax.d rd, rs2, (rs1)`
    amomax_d = F5_AMOMAX, F3_AMO_D;
    /// `amominu.d rd, rs2, (rs1)`
    amominu_d = F5_AMOMINU, F3_AMO_D;
    /// `amomaxu.d rd, rs2, (rs1)`
    amomaxu_d = F5_AMOMAXU, F3_AMO_D;
}

// Common pseudo-instructions (unpriv "Assembler pseudo-instructions" table).

/// `nop` = `addi x0, x0, 0`
pub const fn nop() -> u32 {
    OP_IMM
}
/// `mv rd, rs` = `addi rd, rs, 0`
pub const fn mv(rd: Reg, rs: Reg) -> u32 {
    OP_IMM | put_regs(rd.num(), rs.num(), 0)
}
/// `ret` = `jalr x0, 0(ra)`
pub const fn ret() -> u32 {
    JALR | put_regs(0, 1, 0)
}
/// `csrr rd, csr` = `csrrs rd, csr, x0`
pub fn csrr(rd: Reg, csr: u16) -> EncResult<u32> {
    csrrs(rd, csr, Reg::ZERO)
}
/// `csrw csr, rs` = `csrrw x0, csr, rs`
pub fn csrw(csr: u16, rs: Reg) -> EncResult<u32> {
    csrrw(Reg::ZERO, csr, rs)
}
/// `csrs csr, rs` = `csrrs x0, csr, rs`
pub fn csrs(csr: u16, rs: Reg) -> EncResult<u32> {
    csrrs(Reg::ZERO, csr, rs)
}
/// `csrc csr, rs` = `csrrc x0, csr, rs`
pub fn csrc(csr: u16, rs: Reg) -> EncResult<u32> {
    csrrc(Reg::ZERO, csr, rs)
}
