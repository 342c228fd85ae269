//! The RV64 instruction set as data: the decoded form ([`Insn`]), the decoder, the encoder
//! and the disassembler.

mod decode;
mod decode_c;
pub mod disasm;
mod disasm_c;
pub mod encode;
mod fields;
mod insn;
mod opcodes;

#[cfg(test)]
mod decode_tests;
#[cfg(test)]
mod disasm_tests;
#[cfg(test)]
mod roundtrip_tests;

pub use decode::{decode, insn_len};
pub use insn::{AQ_BIT, FENCE_FM_TSO, FENCE_I, FENCE_O, FENCE_R, FENCE_W, Insn, Op, RL_BIT};
