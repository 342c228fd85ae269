//! The encoder: build RV64IMAC + Zicsr + Zifencei + privileged/H instructions from Rust, so
//! tests and users can write guest programs without a cross toolchain.
//!
//! - One function per instruction, named after the mnemonic (`addi`, `hlv_w`, `c_addi`,
//!   `fence_tso`, ...). Operands come in assembly order; a memory operand `off(base)` is
//!   passed as `(base, off)`: `ld(rd, rs1, off)`, `sd(rs2, rs1, off)`,
//!   `amoadd_w(rd, rs2, rs1, aqrl)`, `hsv_w(rs2, rs1)`. `lui`/`auipc`/`c_lui` take the
//!   immediate *field* (as assemblers do), branches and jumps a byte offset from the pc.
//! - Registers are [`Reg`] values, valid by construction. Immediates are range-checked:
//!   a value that does not fit gives an [`EncodeError`], never a panic. Functions whose
//!   operands cannot be out of range return the word directly.
//! - [`encode()`] re-encodes any decoded [`Insn`](super::Insn) (16-bit form for `len == 2`).
//! - [`Assembler`] appends instructions to a byte buffer with labels, branch fixups and
//!   `li`/`la`/`call`.
//!
//! ```
//! use hw_models::riscv::isa::{decode, encode::{self, Reg}, Op};
//! let word = encode::addi(Reg::A0, Reg::ZERO, 42).unwrap();
//! let insn = decode(word);
//! assert_eq!((insn.op, insn.rd, insn.imm), (Op::Addi, 10, 42));
//! ```

mod asm;
mod base;
mod compressed;
mod generic;
mod reg;
#[cfg(test)]
mod tests;

pub use asm::{Assembler, Label, li_sequence};
pub use base::*;
pub use compressed::*;
pub use generic::encode;
pub use reg::Reg;

/// Why an instruction could not be encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// A register number outside x0..=x31.
    #[error("register number {0} is not x0..x31")]
    BadRegister(u8),
    /// An immediate outside the range of its field.
    #[error("{what}: immediate {value} is out of range")]
    ImmOutOfRange {
        /// Instruction and field.
        what: &'static str,
        /// The rejected value.
        value: i64,
    },
    /// An offset that is not a multiple of the field's scale.
    #[error("{what}: {value} is not a multiple of {align}")]
    Misaligned {
        /// Instruction and field.
        what: &'static str,
        /// The rejected value.
        value: i64,
        /// The required multiple.
        align: u32,
    },
    /// A register the compressed form cannot name (x8..x15 only, or not x0/x2, ...).
    #[error("{what}: register x{reg} is not allowed here")]
    BadCompressedRegister {
        /// Instruction and operand.
        what: &'static str,
        /// The rejected register.
        reg: u8,
    },
    /// The operands name a reserved code point (e.g. C.LUI with imm = 0).
    #[error("{0}: these operands select a reserved encoding")]
    Reserved(&'static str),
    /// [`Op::Illegal`](super::Op::Illegal) has no encoding of its own.
    #[error("an illegal instruction has no encoding")]
    Illegal,
    /// An `Insn` with `len == 2` whose operands fit no compressed instruction.
    #[error("{0:?} with these operands has no compressed form")]
    NotCompressible(super::Op),
    /// An `Insn` with a `len` other than 2 or 4.
    #[error("instruction length {0} is not 2 or 4")]
    BadLength(u8),
    /// A label used by the assembler was never bound.
    #[error("label {0} is used but never bound")]
    UnboundLabel(usize),
    /// A label was bound twice, or belongs to another assembler.
    #[error("label {0} is bound twice or unknown")]
    BadLabel(usize),
    /// A label is too far from the instruction that refers to it.
    #[error("{what}: label {label} is {distance} bytes away, out of range")]
    LabelOutOfRange {
        /// The referring instruction.
        what: &'static str,
        /// The label.
        label: usize,
        /// Target minus pc.
        distance: i64,
    },
}

/// Result of an encoder function.
pub type EncResult<T> = Result<T, EncodeError>;

/// Checks that `value` fits a `bits`-wide two's-complement field.
pub(crate) fn check_signed(what: &'static str, value: i64, bits: u32) -> EncResult<()> {
    let min = -(1i64 << (bits - 1));
    let max = (1i64 << (bits - 1)) - 1;
    if value < min || value > max {
        Err(EncodeError::ImmOutOfRange { what, value })
    } else {
        Ok(())
    }
}

/// Checks `min <= value <= max`.
pub(crate) fn check_range(what: &'static str, value: i64, min: i64, max: i64) -> EncResult<()> {
    if value < min || value > max {
        Err(EncodeError::ImmOutOfRange { what, value })
    } else {
        Ok(())
    }
}

/// Checks that `value` is a multiple of `align` (a power of two).
pub(crate) fn check_align(what: &'static str, value: i64, align: u32) -> EncResult<()> {
    if value & (i64::from(align) - 1) != 0 {
        Err(EncodeError::Misaligned { what, value, align })
    } else {
        Ok(())
    }
}

/// The aq/rl ordering bits of an A-extension instruction (unpriv "A" chapter, "Specifying
/// Ordering of Atomic Instructions").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct AqRl {
    /// Acquire.
    pub aq: bool,
    /// Release.
    pub rl: bool,
}

impl AqRl {
    /// No ordering bits.
    pub const NONE: Self = Self {
        aq: false,
        rl: false,
    };
    /// `.aq`
    pub const AQ: Self = Self {
        aq: true,
        rl: false,
    };
    /// `.rl`
    pub const RL: Self = Self {
        aq: false,
        rl: true,
    };
    /// `.aqrl` (sequentially consistent).
    pub const AQRL: Self = Self { aq: true, rl: true };

    pub(crate) const fn bits(self) -> u32 {
        ((self.aq as u32) << super::AQ_BIT) | ((self.rl as u32) << super::RL_BIT)
    }
}
