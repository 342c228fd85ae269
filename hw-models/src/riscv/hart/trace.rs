//! Per-instruction trace events for [`super::Hart::run_traced`] (`--trace insn`).

use crate::riscv::isa::Insn;

/// One thing the hart did.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum HartEvent {
    /// An instruction retired.
    Retired {
        /// Its pc.
        pc: u64,
        /// The instruction.
        insn: Insn,
        /// The register it wrote and the value, if it wrote one (x0 writes are omitted).
        rd: Option<(u8, u64)>,
    },
    /// A synchronous exception was taken instead of retiring an instruction.
    Exception {
        /// The pc of the trapping instruction.
        pc: u64,
        /// The instruction, when the fetch itself did not fault.
        insn: Option<Insn>,
        /// The exception code.
        cause: u64,
        /// The xtval value.
        tval: u64,
    },
    /// An interrupt was taken before the instruction at `pc`.
    Interrupt {
        /// The interrupted pc.
        pc: u64,
        /// The interrupt number.
        cause: u64,
    },
}
