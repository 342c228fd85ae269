//! The RV64 instruction set as data: the decoded form ([`Insn`]), the decoder, the encoder
//! and the disassembler.

mod insn;

pub use insn::{Insn, Op};
