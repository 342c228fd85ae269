//! The decoded form of one instruction.
//!
//! Every encoding the decoder accepts — 32-bit or compressed — becomes one [`Insn`]: an
//! operation plus operands. Compressed instructions expand to the operation of their 32-bit
//! equivalent (C.ADDI becomes [`Op::Addi`]) with `len == 2`, exactly as the spec defines them
//! by expansion (unpriv "C" chapter), so the engine executes one form only.
//!
//! The struct is 16 bytes and `Copy` so the decoded-instruction cache stays dense.

/// One operation. Names follow the spec mnemonics, CamelCased.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[repr(u8)]
pub enum Op {
    /// An encoding the hart does not implement, or a reserved one. Executing it raises
    /// illegal-instruction with `tval` = the encoding. Kept as an op so the decode cache can
    /// hold it too.
    Illegal,
    // RV64I
    Lui,
    Auipc,
    Jal,
    Jalr,
    Beq,
    Bne,
    Blt,
    Bge,
    Bltu,
    Bgeu,
    Lb,
    Lh,
    Lw,
    Ld,
    Lbu,
    Lhu,
    Lwu,
    Sb,
    Sh,
    Sw,
    Sd,
    Addi,
    Slti,
    Sltiu,
    Xori,
    Ori,
    Andi,
    Slli,
    Srli,
    Srai,
    Add,
    Sub,
    Sll,
    Slt,
    Sltu,
    Xor,
    Srl,
    Sra,
    Or,
    And,
    Addiw,
    Slliw,
    Srliw,
    Sraiw,
    Addw,
    Subw,
    Sllw,
    Srlw,
    Sraw,
    /// FENCE (including FENCE.TSO and PAUSE, which are FENCE encodings); `imm` holds
    /// fm/pred/succ (bits 31:20 of the encoding).
    Fence,
    Ecall,
    Ebreak,
    // Zifencei
    FenceI,
    // Zicsr: `imm` is the CSR number; for the *i forms `rs1` is the 5-bit uimm.
    Csrrw,
    Csrrs,
    Csrrc,
    Csrrwi,
    Csrrsi,
    Csrrci,
    // M
    Mul,
    Mulh,
    Mulhsu,
    Mulhu,
    Div,
    Divu,
    Rem,
    Remu,
    Mulw,
    Divw,
    Divuw,
    Remw,
    Remuw,
    // A: aq/rl are bits 26/25 of `raw`.
    LrW,
    ScW,
    AmoswapW,
    AmoaddW,
    AmoxorW,
    AmoandW,
    AmoorW,
    AmominW,
    AmomaxW,
    AmominuW,
    AmomaxuW,
    LrD,
    ScD,
    AmoswapD,
    AmoaddD,
    AmoxorD,
    AmoandD,
    AmoorD,
    AmominD,
    AmomaxD,
    AmominuD,
    AmomaxuD,
    // Privileged
    Mret,
    Sret,
    Wfi,
    /// rs1 = vaddr register, rs2 = asid register.
    SfenceVma,
    // H extension
    /// rs1 = guest-virtual address register, rs2 = asid register.
    HfenceVvma,
    /// rs1 = guest-physical address (>> 2) register, rs2 = vmid register.
    HfenceGvma,
    HlvB,
    HlvBu,
    HlvH,
    HlvHu,
    HlvW,
    HlvWu,
    HlvD,
    HlvxHu,
    HlvxWu,
    /// rs1 = address, rs2 = data.
    HsvB,
    HsvH,
    HsvW,
    HsvD,
}

impl Op {
    /// Every operation, in declaration order (`Op::ALL[n] as usize == n`); for tests and
    /// tools that enumerate the instruction set.
    pub const ALL: [Op; 114] = [
        Op::Illegal,
        Op::Lui,
        Op::Auipc,
        Op::Jal,
        Op::Jalr,
        Op::Beq,
        Op::Bne,
        Op::Blt,
        Op::Bge,
        Op::Bltu,
        Op::Bgeu,
        Op::Lb,
        Op::Lh,
        Op::Lw,
        Op::Ld,
        Op::Lbu,
        Op::Lhu,
        Op::Lwu,
        Op::Sb,
        Op::Sh,
        Op::Sw,
        Op::Sd,
        Op::Addi,
        Op::Slti,
        Op::Sltiu,
        Op::Xori,
        Op::Ori,
        Op::Andi,
        Op::Slli,
        Op::Srli,
        Op::Srai,
        Op::Add,
        Op::Sub,
        Op::Sll,
        Op::Slt,
        Op::Sltu,
        Op::Xor,
        Op::Srl,
        Op::Sra,
        Op::Or,
        Op::And,
        Op::Addiw,
        Op::Slliw,
        Op::Srliw,
        Op::Sraiw,
        Op::Addw,
        Op::Subw,
        Op::Sllw,
        Op::Srlw,
        Op::Sraw,
        Op::Fence,
        Op::Ecall,
        Op::Ebreak,
        Op::FenceI,
        Op::Csrrw,
        Op::Csrrs,
        Op::Csrrc,
        Op::Csrrwi,
        Op::Csrrsi,
        Op::Csrrci,
        Op::Mul,
        Op::Mulh,
        Op::Mulhsu,
        Op::Mulhu,
        Op::Div,
        Op::Divu,
        Op::Rem,
        Op::Remu,
        Op::Mulw,
        Op::Divw,
        Op::Divuw,
        Op::Remw,
        Op::Remuw,
        Op::LrW,
        Op::ScW,
        Op::AmoswapW,
        Op::AmoaddW,
        Op::AmoxorW,
        Op::AmoandW,
        Op::AmoorW,
        Op::AmominW,
        Op::AmomaxW,
        Op::AmominuW,
        Op::AmomaxuW,
        Op::LrD,
        Op::ScD,
        Op::AmoswapD,
        Op::AmoaddD,
        Op::AmoxorD,
        Op::AmoandD,
        Op::AmoorD,
        Op::AmominD,
        Op::AmomaxD,
        Op::AmominuD,
        Op::AmomaxuD,
        Op::Mret,
        Op::Sret,
        Op::Wfi,
        Op::SfenceVma,
        Op::HfenceVvma,
        Op::HfenceGvma,
        Op::HlvB,
        Op::HlvBu,
        Op::HlvH,
        Op::HlvHu,
        Op::HlvW,
        Op::HlvWu,
        Op::HlvD,
        Op::HlvxHu,
        Op::HlvxWu,
        Op::HsvB,
        Op::HsvH,
        Op::HsvW,
        Op::HsvD,
    ];
}

/// A decoded instruction.
///
/// Operand conventions:
/// - `rd`, `rs1`, `rs2` are register numbers 0..=31 (0 where the form has no such operand).
/// - `imm` is the sign-extended immediate (I/S/B/U/J), the shift amount, the CSR number
///   (Zicsr), or the FENCE fm/pred/succ field, as each [`Op`] documents.
/// - `len` is 2 for compressed encodings and 4 otherwise.
///
/// Per-op `imm` (the decoder guarantees these; `docs/riscv-isa.md` has the full table):
/// - LUI/AUIPC: the 32-bit value `imm[31:12] << 12` as an `i32` (sign-extend it to XLEN);
///   C.LUI gives `nzimm[17:12] << 12` sign-extended the same way.
/// - JAL, branches: the byte offset from the instruction's pc; JALR, loads, stores: the
///   byte offset added to `rs1`; compressed forms give the unscaled byte offset too.
/// - Shifts (SLLI/SRLI/SRAI and the W forms, C.SLLI/C.SRLI/C.SRAI): the shift amount.
/// - Zicsr: the CSR number 0..=0xfff (use [`Insn::csr`]); the *I forms carry the uimm in `rs1`.
/// - FENCE / FENCE.I: bits 31:20 zero-extended (fm/pred/succ; see [`Insn::fence_pred`]);
///   their reserved `rd`/`rs1` fields are kept as encoded (the spec says to ignore them).
/// - Everything else: 0. AMOs keep aq/rl in `raw` ([`Insn::aq`], [`Insn::rl`]).
/// - HLV/HLVX: `rd`, `rs1` = address. HSV, stores: `rs1` = address, `rs2` = data.
/// - `raw` is the original encoding (a compressed one in the low 16 bits). It is what
///   illegal-instruction traps report in `tval`, and what htinst transforms.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Insn {
    /// The operation.
    pub op: Op,
    /// Destination register.
    pub rd: u8,
    /// First source register (or the Zicsr uimm).
    pub rs1: u8,
    /// Second source register.
    pub rs2: u8,
    /// Encoding length in bytes: 2 or 4.
    pub len: u8,
    /// Immediate, shift amount, CSR number or FENCE field.
    pub imm: i32,
    /// The encoding as fetched.
    pub raw: u32,
}

impl Insn {
    /// An instruction with operation `op` and all operands zero, 4 bytes long.
    pub const fn new(op: Op) -> Self {
        Self {
            op,
            rd: 0,
            rs1: 0,
            rs2: 0,
            len: 4,
            imm: 0,
            raw: 0,
        }
    }

    /// Whether this came from a 16-bit encoding.
    pub const fn is_compressed(&self) -> bool {
        self.len == 2
    }

    /// The acquire bit of an A-extension instruction (bit 26 of `raw`, unpriv "A" chapter).
    pub const fn aq(&self) -> bool {
        (self.raw >> AQ_BIT) & 1 != 0
    }

    /// The release bit of an A-extension instruction (bit 25 of `raw`).
    pub const fn rl(&self) -> bool {
        (self.raw >> RL_BIT) & 1 != 0
    }

    /// The CSR number of a Zicsr instruction (its `imm`).
    pub const fn csr(&self) -> u16 {
        (self.imm as u32 & 0xfff) as u16
    }

    /// FENCE predecessor set (`imm` bits 7:4): a mix of [`FENCE_I`], [`FENCE_O`],
    /// [`FENCE_R`], [`FENCE_W`].
    pub const fn fence_pred(&self) -> u8 {
        ((self.imm as u32 >> 4) & 0xf) as u8
    }

    /// FENCE successor set (`imm` bits 3:0).
    pub const fn fence_succ(&self) -> u8 {
        (self.imm as u32 & 0xf) as u8
    }

    /// FENCE mode (`imm` bits 11:8): 0 normal, [`FENCE_FM_TSO`] for FENCE.TSO.
    pub const fn fence_fm(&self) -> u8 {
        ((self.imm as u32 >> 8) & 0xf) as u8
    }
}

/// Bit of `raw` holding aq in AMO/LR/SC encodings.
pub const AQ_BIT: u32 = 26;
/// Bit of `raw` holding rl in AMO/LR/SC encodings.
pub const RL_BIT: u32 = 25;
/// FENCE pred/succ bit: device input.
pub const FENCE_I: u8 = 0b1000;
/// FENCE pred/succ bit: device output.
pub const FENCE_O: u8 = 0b0100;
/// FENCE pred/succ bit: memory reads.
pub const FENCE_R: u8 = 0b0010;
/// FENCE pred/succ bit: memory writes.
pub const FENCE_W: u8 = 0b0001;
/// FENCE fm value of FENCE.TSO.
pub const FENCE_FM_TSO: u8 = 0b1000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn op_all_is_complete_and_ordered() {
        for (n, op) in Op::ALL.iter().enumerate() {
            assert_eq!(*op as usize, n);
        }
        assert_eq!(Op::ALL.last().copied(), Some(Op::HsvD));
    }

    #[test]
    fn insn_is_compact() {
        // The decode cache holds one per halfword of cached code; keep it small.
        assert!(core::mem::size_of::<Insn>() <= 16);
    }
}
