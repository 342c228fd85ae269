//! Trap entry, trap return and interrupt selection (priv "Machine Trap Vector", "Trap-Return
//! Instructions", "Machine Interrupt Registers").

use super::csr::machine_consts::{MTVEC_MODE_MASK, MTVEC_VECTORED};
use super::csr::mstatus::{self, MIE, MPIE, MPRV};
use super::state::ArchState;
use crate::riscv::cause::{INTERRUPT_BIT, exc, irq};
use crate::riscv::privilege::{Mode, PrivLevel};

/// A synchronous exception about to be taken.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Exception {
    /// The exception code (a [`crate::riscv::cause::exc`] value).
    pub cause: u64,
    /// The value for xtval.
    pub tval: u64,
}

impl Exception {
    /// An exception with `cause` and `tval`.
    pub const fn new(cause: u64, tval: u64) -> Self {
        Self { cause, tval }
    }

    /// Illegal instruction; xtval gets the faulting encoding (norm:mtval_instr_bits: hvsim
    /// always reports the instruction bits, compressed ones zero-extended).
    pub const fn illegal(raw: u32) -> Self {
        Self::new(exc::ILLEGAL_INSTRUCTION, raw as u64)
    }
}

/// Interrupts in decreasing priority (norm:intr_M_mode_pri: MEI, MSI, MTI, SEI, SSI, STI;
/// the VS interrupts and SGEI follow, per the hypervisor chapter, for part 2).
pub const PRIORITY: [u64; 10] = [
    irq::MEI,
    irq::MSI,
    irq::MTI,
    irq::SEI,
    irq::SSI,
    irq::STI,
    irq::SGEI,
    irq::VSEI,
    irq::VSSI,
    irq::VSTI,
];

/// The interrupt to take now, if any (norm:intr_mip_mie_op, norm:intr_M_mode_highest_pri).
///
/// An interrupt i traps to M if bit i is set in mip and mie, it is not delegated, and either
/// the hart is below M or mstatus.MIE is set. Delegated interrupts go to S, which part 2 adds;
/// without S mideleg is read-only zero.
pub fn pending_interrupt(st: &ArchState) -> Option<u64> {
    let pending = st.csr.mip() & st.csr.mie;
    if pending == 0 {
        return None;
    }
    let m_enabled = st.mode.privilege != PrivLevel::Machine || st.csr.mstatus & MIE != 0;
    let to_m = if m_enabled {
        pending & !st.csr.mideleg
    } else {
        0
    };
    if to_m == 0 {
        return None;
    }
    PRIORITY.iter().copied().find(|&i| to_m & (1 << i) != 0)
}

/// Whether WFI may finish: some interrupt is pending and enabled in mie, whatever the global
/// enables and delegation say (norm:wfi_unaffected_conditions).
pub fn wfi_wakes(st: &ArchState) -> bool {
    st.csr.mip() & st.csr.mie != 0
}

/// Takes a trap: `cause` is an exception code, or an interrupt number when `interrupt`.
/// Only M-mode is a trap target until S arrives (norm:trap_def_M_mode); the structure of
/// [`trap_target`] is where delegation will route to HS/VS.
pub fn take_trap(st: &mut ArchState, cause: u64, tval: u64, interrupt: bool) {
    match trap_target(st, cause, interrupt) {
        // Part 2 delivers delegated traps to HS (and, with H, to VS). medeleg and mideleg are
        // read-only zero while S is absent, so only M is reachable in part 1.
        PrivLevel::Supervisor | PrivLevel::User | PrivLevel::Machine => {
            enter_m(st, cause, tval, interrupt)
        }
    }
}

/// Where a trap goes: M unless delegated by medeleg/mideleg and the hart is below M
/// (norm:trap_never_trans_lower).
fn trap_target(st: &ArchState, cause: u64, interrupt: bool) -> PrivLevel {
    let deleg = if interrupt {
        st.csr.mideleg
    } else {
        st.csr.medeleg
    };
    if st.mode.privilege != PrivLevel::Machine && cause < 64 && (deleg >> cause) & 1 != 0 {
        PrivLevel::Supervisor
    } else {
        PrivLevel::Machine
    }
}

fn enter_m(st: &mut ArchState, cause: u64, tval: u64, interrupt: bool) {
    let c = &mut st.csr;
    c.mepc = st.pc;
    c.mcause = if interrupt {
        cause | INTERRUPT_BIT
    } else {
        cause
    };
    c.mtval = tval;
    let mut s = c.mstatus;
    s = if s & MIE != 0 { s | MPIE } else { s & !MPIE };
    s &= !MIE;
    s = mstatus::with_mpp(s, st.mode.privilege);
    c.mstatus = s;
    let base = c.mtvec & !MTVEC_MODE_MASK;
    st.pc = if interrupt && c.mtvec & MTVEC_MODE_MASK == MTVEC_VECTORED {
        // norm:mtvec_mode_vectored_op
        base.wrapping_add(cause.wrapping_mul(4))
    } else {
        base
    };
    st.mode = Mode::M;
    // hvsim invalidates the reservation on every trap (documented; the A chapter lets an
    // implementation fail SC for any reason, and handlers must not rely on it surviving).
    st.reservation = None;
}

/// MRET (norm:mstatus_xie_intr_en_dis; norm:mstatus_mprv_clr_mret_sret_less_priv).
pub fn mret(st: &mut ArchState) {
    let mut s = st.csr.mstatus;
    let mpp = mstatus::mpp(s);
    s = if s & MPIE != 0 { s | MIE } else { s & !MIE };
    s |= MPIE;
    if mpp != PrivLevel::Machine {
        s &= !MPRV;
    }
    // xPP is set to the least-privileged supported mode (U).
    s = mstatus::with_mpp(s, PrivLevel::User);
    st.csr.mstatus = s;
    st.mode = Mode {
        privilege: mpp,
        virt: false,
    };
    st.pc = st.csr.mepc;
    st.reservation = None;
}
