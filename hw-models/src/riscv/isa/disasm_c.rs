//! Disassembly of compressed instructions with their `c.` mnemonics. The decoded [`Insn`]
//! holds the 32-bit expansion, so the compressed form (C.LI vs C.ADDI vs C.ADDI16SP ...) is
//! re-derived from `raw` with the same quadrant/funct3 split as the decoder (Zca opcode map).

use core::fmt::{self, Formatter};

use super::disasm::{R, target};
use super::fields::{bit, bits};
use super::insn::{Insn, Op};

pub(crate) fn fmt_compressed(f: &mut Formatter<'_>, i: &Insn, pc: u64) -> fmt::Result {
    let x = i.raw & 0xffff;
    let (rd, rs1, rs2, imm) = (R(i.rd), R(i.rs1), R(i.rs2), i.imm);
    match (x & 0b11, bits(x, 15, 13)) {
        (0b00, 0b000) => write!(f, "c.addi4spn {rd}, sp, {imm}"),
        (0b00, 0b010) => write!(f, "c.lw {rd}, {imm}({rs1})"),
        (0b00, 0b011) => write!(f, "c.ld {rd}, {imm}({rs1})"),
        (0b00, 0b110) => write!(f, "c.sw {rs2}, {imm}({rs1})"),
        (0b00, 0b111) => write!(f, "c.sd {rs2}, {imm}({rs1})"),
        (0b01, 0b000) if i.rd == 0 && imm == 0 => f.write_str("c.nop"),
        (0b01, 0b000) if i.rd == 0 => write!(f, "c.nop {imm}"),
        (0b01, 0b000) => write!(f, "c.addi {rd}, {imm}"),
        (0b01, 0b001) => write!(f, "c.addiw {rd}, {imm}"),
        (0b01, 0b010) => write!(f, "c.li {rd}, {imm}"),
        (0b01, 0b011) if i.op == Op::Lui => {
            // The 20-bit U-immediate field, as objdump prints it (C.LUI loads nzimm[17:12]).
            write!(f, "c.lui {rd}, {:#x}", ((imm as u32) >> 12) & 0xf_ffff)
        }
        (0b01, 0b011) => write!(f, "c.addi16sp sp, {imm}"),
        (0b01, 0b100) => match (bits(x, 11, 10), bit(x, 12), bits(x, 6, 5)) {
            (0b00, _, _) => write!(f, "c.srli {rd}, {imm}"),
            (0b01, _, _) => write!(f, "c.srai {rd}, {imm}"),
            (0b10, _, _) => write!(f, "c.andi {rd}, {imm}"),
            (_, 0, 0b00) => write!(f, "c.sub {rd}, {rs2}"),
            (_, 0, 0b01) => write!(f, "c.xor {rd}, {rs2}"),
            (_, 0, 0b10) => write!(f, "c.or {rd}, {rs2}"),
            (_, 0, _) => write!(f, "c.and {rd}, {rs2}"),
            (_, _, 0b00) => write!(f, "c.subw {rd}, {rs2}"),
            _ => write!(f, "c.addw {rd}, {rs2}"),
        },
        (0b01, 0b101) => write!(f, "c.j {:#x}", target(pc, imm)),
        (0b01, 0b110) => write!(f, "c.beqz {rs1}, {:#x}", target(pc, imm)),
        (0b01, 0b111) => write!(f, "c.bnez {rs1}, {:#x}", target(pc, imm)),
        (0b10, 0b000) => write!(f, "c.slli {rd}, {imm}"),
        (0b10, 0b010) => write!(f, "c.lwsp {rd}, {imm}(sp)"),
        (0b10, 0b011) => write!(f, "c.ldsp {rd}, {imm}(sp)"),
        (0b10, 0b100) => match i.op {
            Op::Ebreak => f.write_str("c.ebreak"),
            Op::Jalr if i.rd == 0 => write!(f, "c.jr {rs1}"),
            Op::Jalr => write!(f, "c.jalr {rs1}"),
            _ if bit(x, 12) == 0 => write!(f, "c.mv {rd}, {rs2}"),
            _ => write!(f, "c.add {rd}, {rs2}"),
        },
        (0b10, 0b110) => write!(f, "c.swsp {rs2}, {imm}(sp)"),
        (0b10, 0b111) => write!(f, "c.sdsp {rs2}, {imm}(sp)"),
        _ => write!(f, ".2byte {x:#06x}"),
    }
}
