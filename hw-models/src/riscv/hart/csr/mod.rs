//! The CSR file.
//!
//! Each CSR is a `CsrDef`: a read function and (unless read-only) a write function that
//! owns the CSR's write mask and side effects, in the manner of Spike's CSR objects. `lookup`
//! maps a CSR number to its definition for the implemented features; a number with no
//! definition does not exist and raises illegal-instruction. The access rules common to all
//! CSRs (privilege, read-only, counter enables) live in `access`.

pub(crate) mod access;
pub mod counters;
mod machine;
/// Constants of the M-mode CSRs.
pub mod machine_consts {
    pub use super::machine::{
        MARCHID, MENVCFG_FIOM, MIMPID, MTVEC_MODE_MASK, MTVEC_VECTORED, MVENDORID,
    };
}
pub mod mip;
pub mod mstatus;
pub mod pmp;

use super::config::Features;
use super::state::ArchState;
use counters::Counter;
use pmp::Pmp;

/// Reads a CSR.
pub(crate) type ReadFn = fn(&ArchState) -> u64;
/// Writes a CSR: applies the WARL mask and any side effect.
pub(crate) type WriteFn = fn(&mut ArchState, u64);

/// One CSR's behaviour.
#[derive(Clone, Copy)]
pub(crate) struct CsrDef {
    /// Read.
    pub read: ReadFn,
    /// Write; `None` for read-only CSRs.
    pub write: Option<WriteFn>,
    /// For the unprivileged counter shadows: the mcounteren/scounteren bit that gates access
    /// from below M (norm:mcounteren_clr_ill_inst_exc).
    pub counter_bit: Option<u32>,
}

impl core::fmt::Debug for CsrDef {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CsrDef")
            .field("writable", &self.write.is_some())
            .field("counter_bit", &self.counter_bit)
            .finish()
    }
}

/// Storage for the CSRs that hold state. Reset values follow the priv spec's reset rules
/// (norm:warl_rst: WARL fields reset to legal values).
#[derive(Clone, Debug)]
pub(crate) struct CsrFile {
    pub mhartid: u64,
    pub mstatus: u64,
    pub medeleg: u64,
    pub mideleg: u64,
    pub mie: u64,
    /// Software-written mip bits (SSIP, STIP, the software SEIP).
    pub mip_sw: u64,
    /// Interrupt lines driven by the board (MSIP, MTIP, MEIP, external SEIP).
    pub lines: u64,
    /// The lines that reach mip: SEIP only when S exists (absent interrupts read 0,
    /// norm:mip_bits_rdonly_op).
    pub line_mask: u64,
    pub mtvec: u64,
    pub mscratch: u64,
    pub mepc: u64,
    pub mcause: u64,
    pub mtval: u64,
    pub mcounteren: u64,
    pub menvcfg: u64,
    pub mcountinhibit: u64,
    pub mcycle: Counter,
    pub minstret: Counter,
    pub pmp: Pmp,
}

impl CsrFile {
    pub(crate) fn new(hart_id: u64, f: Features) -> Self {
        Self {
            mhartid: hart_id,
            mstatus: mstatus::fixed_bits(f),
            medeleg: 0,
            mideleg: mip::mideleg_ones(f),
            mie: 0,
            mip_sw: 0,
            lines: 0,
            line_mask: if f.s { mip::LINE_BITS } else { mip::M_BITS },
            mtvec: 0,
            mscratch: 0,
            mepc: 0,
            // norm:mcause_rst_zero
            mcause: 0,
            mtval: 0,
            mcounteren: 0,
            menvcfg: 0,
            mcountinhibit: 0,
            mcycle: Counter::default(),
            minstret: Counter::default(),
            pmp: Pmp::default(),
        }
    }

    /// The effective mip value: lines ORed with the software-written bits.
    #[inline]
    pub(crate) fn mip(&self) -> u64 {
        (self.lines & self.line_mask) | self.mip_sw
    }
}

/// The definition of CSR `num` on a hart with features `f`, or `None` if it does not exist.
pub(crate) fn lookup(num: u16, f: Features) -> Option<CsrDef> {
    machine::lookup(num, f)
}
