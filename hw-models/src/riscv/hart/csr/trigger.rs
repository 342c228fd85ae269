//! The trigger CSRs of Sdtrig (RISC-V Debug Specification, "Trigger Module"), with zero
//! triggers implemented.
//!
//! M-mode software (riscv-tests' rv64mi `breakpoint`, OpenSBI) discovers triggers by writing
//! `tselect` and reading it and `tdata1` back. Trapping on these CSRs would make such
//! software fail, so the hart implements the registers with no trigger behind them:
//! - `tselect` is WARL with the single legal value 0 (writes are ignored);
//! - `tdata1` reads 0: type 0, "there is no trigger at this tselect";
//! - `tdata2`/`tdata3` read 0 and ignore writes;
//! - `tinfo` reads 1: for a nonexistent trigger the spec defines the value 1.
//!
//! Their numbers (0x7a0..0x7a4) encode M-level access, so lower modes get
//! illegal-instruction through the common access rules.

use super::machine::{ignore, zero};
use super::{CsrDef, rw};
use crate::riscv::csr_num as n;
use crate::riscv::hart::state::ArchState;

/// `tinfo` for a nonexistent trigger (Debug spec, `tinfo`.info).
const TINFO_NO_TRIGGER: u64 = 1;

fn read_tinfo(_: &ArchState) -> u64 {
    TINFO_NO_TRIGGER
}

pub(super) fn lookup(num: u16) -> Option<CsrDef> {
    match num {
        n::TSELECT | n::TDATA1 | n::TDATA2 | n::TDATA3 => Some(rw(zero, ignore)),
        n::TINFO => Some(rw(read_tinfo, ignore)),
        _ => None,
    }
}
