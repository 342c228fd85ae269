//! The disassembler: a [`Display`] view of an [`Insn`] at a pc, in the
//! style of GNU objdump / LLVM: standard mnemonics, ABI register names, CSR names,
//! absolute branch/jump targets, the common pseudo-instructions, and `c.` mnemonics for
//! compressed encodings (re-derived from `raw`, since the `Insn` holds the expansion).
//!
//! ```
//! use hw_models::riscv::isa::{decode, disasm::disasm};
//! assert_eq!(disasm(&decode(0xff01_0113), 0).to_string(), "addi sp, sp, -16");
//! assert_eq!(disasm(&decode(0x6805_c573), 0).to_string(), "hlv.w a0, (a1)");
//! assert_eq!(disasm(&decode(0x00b5_0463), 0x1000).to_string(), "beq a0, a1, 0x1008");
//! ```
//!
//! Conventions (`docs/riscv-isa.md` lists them all): operands separated by `", "`; integer
//! immediates in decimal; LUI/AUIPC fields, CSR numbers without a name and targets in hex;
//! illegal encodings as `.4byte 0x…` / `.2byte 0x…`.

use core::fmt::{self, Display, Formatter};

use super::disasm_c::fmt_compressed;
use super::insn::{FENCE_I, FENCE_O, FENCE_R, FENCE_W, Insn, Op};
use crate::riscv::csr_num;

/// ABI names of x0..x31 (psABI "Integer Register Convention").
pub const ABI_NAMES: [&str; 32] = [
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4",
    "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
    "t5", "t6",
];

/// A register operand, printed with its ABI name.
#[derive(Clone, Copy, Debug)]
pub(crate) struct R(pub u8);

impl Display for R {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match ABI_NAMES.get(usize::from(self.0)) {
            Some(name) => f.write_str(name),
            None => write!(f, "x{}", self.0),
        }
    }
}

/// A CSR operand: its spec name, or the number in hex.
#[derive(Clone, Copy, Debug)]
struct Csr(u16);

impl Display for Csr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match csr_num::name(self.0) {
            Some(name) => f.write_str(name),
            None => write!(f, "{:#x}", self.0),
        }
    }
}

/// A FENCE predecessor/successor set, as `iorw` letters (`0` for the empty set).
#[derive(Clone, Copy, Debug)]
struct FenceSet(u8);

impl Display for FenceSet {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("0");
        }
        for (bit, c) in [
            (FENCE_I, 'i'),
            (FENCE_O, 'o'),
            (FENCE_R, 'r'),
            (FENCE_W, 'w'),
        ] {
            if self.0 & bit != 0 {
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

/// The absolute target of a pc-relative offset.
pub(crate) fn target(pc: u64, off: i32) -> u64 {
    pc.wrapping_add(i64::from(off) as u64)
}

/// An instruction at an address, ready to print.
#[derive(Clone, Copy, Debug)]
pub struct Disasm {
    insn: Insn,
    pc: u64,
}

/// Views `insn`, located at `pc`, as assembly text.
pub fn disasm(insn: &Insn, pc: u64) -> Disasm {
    Disasm { insn: *insn, pc }
}

impl Display for Disasm {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let i = &self.insn;
        if i.op == Op::Illegal {
            return if i.len == 2 {
                write!(f, ".2byte {:#06x}", i.raw & 0xffff)
            } else {
                write!(f, ".4byte {:#010x}", i.raw)
            };
        }
        if i.len == 2 {
            return fmt_compressed(f, i, self.pc);
        }
        fmt_base(f, i, self.pc)
    }
}

/// The spec mnemonic of a 32-bit operation (no pseudo-instruction, no aq/rl suffix).
pub fn mnemonic(op: Op) -> &'static str {
    use Op::*;
    match op {
        Illegal => "illegal",
        Lui => "lui",
        Auipc => "auipc",
        Jal => "jal",
        Jalr => "jalr",
        Beq => "beq",
        Bne => "bne",
        Blt => "blt",
        Bge => "bge",
        Bltu => "bltu",
        Bgeu => "bgeu",
        Lb => "lb",
        Lh => "lh",
        Lw => "lw",
        Ld => "ld",
        Lbu => "lbu",
        Lhu => "lhu",
        Lwu => "lwu",
        Sb => "sb",
        Sh => "sh",
        Sw => "sw",
        Sd => "sd",
        Addi => "addi",
        Slti => "slti",
        Sltiu => "sltiu",
        Xori => "xori",
        Ori => "ori",
        Andi => "andi",
        Slli => "slli",
        Srli => "srli",
        Srai => "srai",
        Add => "add",
        Sub => "sub",
        Sll => "sll",
        Slt => "slt",
        Sltu => "sltu",
        Xor => "xor",
        Srl => "srl",
        Sra => "sra",
        Or => "or",
        And => "and",
        Addiw => "addiw",
        Slliw => "slliw",
        Srliw => "srliw",
        Sraiw => "sraiw",
        Addw => "addw",
        Subw => "subw",
        Sllw => "sllw",
        Srlw => "srlw",
        Sraw => "sraw",
        Fence => "fence",
        Ecall => "ecall",
        Ebreak => "ebreak",
        FenceI => "fence.i",
        Csrrw => "csrrw",
        Csrrs => "csrrs",
        Csrrc => "csrrc",
        Csrrwi => "csrrwi",
        Csrrsi => "csrrsi",
        Csrrci => "csrrci",
        Mul => "mul",
        Mulh => "mulh",
        Mulhsu => "mulhsu",
        Mulhu => "mulhu",
        Div => "div",
        Divu => "divu",
        Rem => "rem",
        Remu => "remu",
        Mulw => "mulw",
        Divw => "divw",
        Divuw => "divuw",
        Remw => "remw",
        Remuw => "remuw",
        LrW => "lr.w",
        ScW => "sc.w",
        AmoswapW => "amoswap.w",
        AmoaddW => "amoadd.w",
        AmoxorW => "amoxor.w",
        AmoandW => "amoand.w",
        AmoorW => "amoor.w",
        AmominW => "amomin.w",
        AmomaxW => "amomax.w",
        AmominuW => "amominu.w",
        AmomaxuW => "amomaxu.w",
        LrD => "lr.d",
        ScD => "sc.d",
        AmoswapD => "amoswap.d",
        AmoaddD => "amoadd.d",
        AmoxorD => "amoxor.d",
        AmoandD => "amoand.d",
        AmoorD => "amoor.d",
        AmominD => "amomin.d",
        AmomaxD => "amomax.d",
        AmominuD => "amominu.d",
        AmomaxuD => "amomaxu.d",
        Mret => "mret",
        Sret => "sret",
        Wfi => "wfi",
        SfenceVma => "sfence.vma",
        HfenceVvma => "hfence.vvma",
        HfenceGvma => "hfence.gvma",
        HlvB => "hlv.b",
        HlvBu => "hlv.bu",
        HlvH => "hlv.h",
        HlvHu => "hlv.hu",
        HlvW => "hlv.w",
        HlvWu => "hlv.wu",
        HlvD => "hlv.d",
        HlvxHu => "hlvx.hu",
        HlvxWu => "hlvx.wu",
        HsvB => "hsv.b",
        HsvH => "hsv.h",
        HsvW => "hsv.w",
        HsvD => "hsv.d",
    }
}

fn fmt_base(f: &mut Formatter<'_>, i: &Insn, pc: u64) -> fmt::Result {
    use Op::*;
    let (rd, rs1, rs2, imm) = (R(i.rd), R(i.rs1), R(i.rs2), i.imm);
    let m = mnemonic(i.op);
    match i.op {
        Illegal => write!(f, ".4byte {:#010x}", i.raw),
        // U-type: the 20-bit field, as assemblers write it.
        Lui | Auipc => write!(f, "{m} {rd}, {:#x}", (imm as u32) >> 12),
        Jal => match i.rd {
            0 => write!(f, "j {:#x}", target(pc, imm)),
            1 => write!(f, "jal {:#x}", target(pc, imm)),
            _ => write!(f, "jal {rd}, {:#x}", target(pc, imm)),
        },
        Jalr => match (i.rd, i.rs1, imm) {
            (0, 1, 0) => f.write_str("ret"),
            (0, _, 0) => write!(f, "jr {rs1}"),
            (1, _, 0) => write!(f, "jalr {rs1}"),
            _ => write!(f, "jalr {rd}, {imm}({rs1})"),
        },
        Beq | Bne | Blt | Bge | Bltu | Bgeu => fmt_branch(f, i, pc),
        Lb | Lh | Lw | Ld | Lbu | Lhu | Lwu => write!(f, "{m} {rd}, {imm}({rs1})"),
        Sb | Sh | Sw | Sd => write!(f, "{m} {rs2}, {imm}({rs1})"),
        Addi => match (i.rd, i.rs1, imm) {
            (0, 0, 0) => f.write_str("nop"),
            (_, 0, _) => write!(f, "li {rd}, {imm}"),
            (_, _, 0) => write!(f, "mv {rd}, {rs1}"),
            _ => write!(f, "addi {rd}, {rs1}, {imm}"),
        },
        Addiw if imm == 0 => write!(f, "sext.w {rd}, {rs1}"),
        Xori if imm == -1 => write!(f, "not {rd}, {rs1}"),
        Sltiu if imm == 1 => write!(f, "seqz {rd}, {rs1}"),
        Slti | Sltiu | Xori | Ori | Andi | Addiw | Slli | Srli | Srai | Slliw | Srliw | Sraiw => {
            write!(f, "{m} {rd}, {rs1}, {imm}")
        }
        Sub if i.rs1 == 0 => write!(f, "neg {rd}, {rs2}"),
        Subw if i.rs1 == 0 => write!(f, "negw {rd}, {rs2}"),
        Sltu if i.rs1 == 0 => write!(f, "snez {rd}, {rs2}"),
        Slt if i.rs2 == 0 => write!(f, "sltz {rd}, {rs1}"),
        Slt if i.rs1 == 0 => write!(f, "sgtz {rd}, {rs2}"),
        Add | Sub | Sll | Slt | Sltu | Xor | Srl | Sra | Or | And | Addw | Subw | Sllw | Srlw
        | Sraw | Mul | Mulh | Mulhsu | Mulhu | Div | Divu | Rem | Remu | Mulw | Divw | Divuw
        | Remw | Remuw => write!(f, "{m} {rd}, {rs1}, {rs2}"),
        Fence => fmt_fence(f, i),
        FenceI | Ecall | Ebreak | Mret | Sret | Wfi => f.write_str(m),
        Csrrw | Csrrs | Csrrc | Csrrwi | Csrrsi | Csrrci => fmt_csr(f, i),
        LrW | LrD => write!(f, "{m}{} {rd}, ({rs1})", AqRlSuffix(i)),
        ScW | ScD | AmoswapW | AmoaddW | AmoxorW | AmoandW | AmoorW | AmominW | AmomaxW
        | AmominuW | AmomaxuW | AmoswapD | AmoaddD | AmoxorD | AmoandD | AmoorD | AmominD
        | AmomaxD | AmominuD | AmomaxuD => {
            write!(f, "{m}{} {rd}, {rs2}, ({rs1})", AqRlSuffix(i))
        }
        // binutils prints the VMA fences with their operands omitted from the right when x0.
        SfenceVma | HfenceVvma | HfenceGvma => match (i.rs1, i.rs2) {
            (0, 0) => f.write_str(m),
            (_, 0) => write!(f, "{m} {rs1}"),
            _ => write!(f, "{m} {rs1}, {rs2}"),
        },
        HlvB | HlvBu | HlvH | HlvHu | HlvW | HlvWu | HlvD | HlvxHu | HlvxWu => {
            write!(f, "{m} {rd}, ({rs1})")
        }
        HsvB | HsvH | HsvW | HsvD => write!(f, "{m} {rs2}, ({rs1})"),
    }
}

struct AqRlSuffix<'a>(&'a Insn);

impl Display for AqRlSuffix<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match (self.0.aq(), self.0.rl()) {
            (false, false) => Ok(()),
            (true, false) => f.write_str(".aq"),
            (false, true) => f.write_str(".rl"),
            (true, true) => f.write_str(".aqrl"),
        }
    }
}

fn fmt_branch(f: &mut Formatter<'_>, i: &Insn, pc: u64) -> fmt::Result {
    use Op::*;
    let (rs1, rs2, t) = (R(i.rs1), R(i.rs2), target(pc, i.imm));
    match (i.op, i.rs1, i.rs2) {
        // With both operands x0 binutils' alias order applies: beqz, bnez, blez, bltz.
        (Beq, _, 0) => write!(f, "beqz {rs1}, {t:#x}"),
        (Bne, _, 0) => write!(f, "bnez {rs1}, {t:#x}"),
        (Bge, 0, _) => write!(f, "blez {rs2}, {t:#x}"),
        (Bge, _, 0) => write!(f, "bgez {rs1}, {t:#x}"),
        (Blt, _, 0) => write!(f, "bltz {rs1}, {t:#x}"),
        (Blt, 0, _) => write!(f, "bgtz {rs2}, {t:#x}"),
        _ => write!(f, "{} {rs1}, {rs2}, {t:#x}", mnemonic(i.op)),
    }
}

fn fmt_fence(f: &mut Formatter<'_>, i: &Insn) -> fmt::Result {
    let (fm, pred, succ) = (i.fence_fm(), i.fence_pred(), i.fence_succ());
    let rw = FENCE_R | FENCE_W;
    let plain_fields = i.rd == 0 && i.rs1 == 0;
    let all = FENCE_I | FENCE_O | rw;
    match (fm, pred, succ) {
        (8, p, s) if p == rw && s == rw && plain_fields => f.write_str("fence.tso"),
        (0, FENCE_W, 0) if plain_fields => f.write_str("pause"),
        (0, p, s) if p == all && s == all => f.write_str("fence"),
        _ => write!(f, "fence {}, {}", FenceSet(pred), FenceSet(succ)),
    }
}

fn fmt_csr(f: &mut Formatter<'_>, i: &Insn) -> fmt::Result {
    use Op::*;
    let (rd, csr, rs1, uimm) = (R(i.rd), Csr(i.csr()), R(i.rs1), i.rs1);
    match (i.op, i.rd, i.rs1) {
        // Zicntr's counter-read pseudo-instructions (unpriv "Zicntr").
        (Csrrs, _, 0) if i.csr() == csr_num::CYCLE => write!(f, "rdcycle {rd}"),
        (Csrrs, _, 0) if i.csr() == csr_num::TIME => write!(f, "rdtime {rd}"),
        (Csrrs, _, 0) if i.csr() == csr_num::INSTRET => write!(f, "rdinstret {rd}"),
        (Csrrs, _, 0) => write!(f, "csrr {rd}, {csr}"),
        (Csrrw, 0, _) => write!(f, "csrw {csr}, {rs1}"),
        (Csrrs, 0, _) => write!(f, "csrs {csr}, {rs1}"),
        (Csrrc, 0, _) => write!(f, "csrc {csr}, {rs1}"),
        (Csrrwi, 0, _) => write!(f, "csrwi {csr}, {uimm}"),
        (Csrrsi, 0, _) => write!(f, "csrsi {csr}, {uimm}"),
        (Csrrci, 0, _) => write!(f, "csrci {csr}, {uimm}"),
        (Csrrw | Csrrs | Csrrc, _, _) => write!(f, "{} {rd}, {csr}, {rs1}", mnemonic(i.op)),
        _ => write!(f, "{} {rd}, {csr}, {uimm}", mnemonic(i.op)),
    }
}
