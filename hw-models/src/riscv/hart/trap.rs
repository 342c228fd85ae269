//! Trap entry, trap return and interrupt selection (priv "Machine Trap Vector", "Trap-Return
//! Instructions", "Machine Interrupt Registers"; hypervisor "Traps").
//!
//! Routing: a trap from M stays in M; otherwise an exception delegated by `medeleg` (an
//! interrupt by `mideleg`) goes to HS, and further to VS when V=1 and `hedeleg` (from any
//! mode, `hideleg`) delegates it (norm:hedeleg_op, norm:hideleg_op). Traps never go to a less
//! privileged mode (norm:trap_never_trans_lower).

use super::csr::machine_consts::{MTVEC_MODE_MASK, MTVEC_VECTORED};
use super::csr::mstatus::{self, MIE, MPIE, MPRV, MPV, SIE, SPIE, SPP};
use super::csr::{hstatus, mip};
use super::state::ArchState;
use crate::riscv::cause::{INTERRUPT_BIT, exc, irq};
use crate::riscv::privilege::{Mode, PrivLevel};

/// A synchronous exception about to be taken, with every value the trap CSRs receive.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Exception {
    /// The exception code (a [`crate::riscv::cause::exc`] value).
    pub cause: u64,
    /// The value for xtval.
    pub tval: u64,
    /// The value for htval/mtval2: the guest-physical address >> 2 for guest-page faults,
    /// else 0 (norm:htval_trapval).
    pub tval2: u64,
    /// The value for htinst/mtinst: a transformed instruction, a pseudoinstruction, or 0.
    pub tinst: u64,
    /// xtval holds a guest virtual address (hstatus.GVA / mstatus.GVA).
    pub gva: bool,
    /// The fault came from an implicit access (a page-table walk), so no transformed
    /// instruction describes it.
    pub implicit: bool,
}

impl Exception {
    /// An exception with `cause` and `tval` and nothing else.
    pub const fn new(cause: u64, tval: u64) -> Self {
        Self {
            cause,
            tval,
            tval2: 0,
            tinst: 0,
            gva: false,
            implicit: false,
        }
    }

    /// Illegal instruction; xtval gets the faulting encoding (norm:mtval_instr_bits: hvsim
    /// always reports the instruction bits, compressed ones zero-extended).
    pub const fn illegal(raw: u32) -> Self {
        Self::new(exc::ILLEGAL_INSTRUCTION, raw as u64)
    }

    /// Virtual instruction; xtval is written as for illegal-instruction
    /// (norm:H_virtinst_xtval).
    pub const fn virtual_insn(raw: u32) -> Self {
        Self::new(exc::VIRTUAL_INSTRUCTION, raw as u64)
    }
}

impl From<Exception> for crate::riscv::hw::HwTrap {
    fn from(e: Exception) -> Self {
        Self {
            cause: e.cause,
            tval: e.tval,
            htval: e.tval2,
            htinst: e.tinst,
        }
    }
}

/// Causes whose xtval is an address (a guest virtual address when taken from V=1, hypervisor
/// "hstatus" GVA: breakpoint, address misaligned, access fault, page fault, guest-page fault).
pub const fn tval_is_address(cause: u64) -> bool {
    matches!(
        cause,
        exc::INSTRUCTION_ADDRESS_MISALIGNED
            | exc::INSTRUCTION_ACCESS_FAULT
            | exc::BREAKPOINT
            | exc::LOAD_ADDRESS_MISALIGNED
            | exc::LOAD_ACCESS_FAULT
            | exc::STORE_ADDRESS_MISALIGNED
            | exc::STORE_ACCESS_FAULT
            | exc::INSTRUCTION_PAGE_FAULT
            | exc::LOAD_PAGE_FAULT
            | exc::STORE_PAGE_FAULT
            | exc::INSTRUCTION_GUEST_PAGE_FAULT
            | exc::LOAD_GUEST_PAGE_FAULT
            | exc::STORE_GUEST_PAGE_FAULT
    )
}

/// Interrupts in decreasing priority (norm:intr_M_mode_pri: MEI, MSI, MTI, SEI, SSI, STI;
/// then, per the hypervisor chapter, SGEI, VSEI, VSSI, VSTI).
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

fn highest(set: u64) -> Option<u64> {
    PRIORITY.iter().copied().find(|&i| set & (1 << i) != 0)
}

/// The interrupt to take now, if any (norm:intr_mip_mie_op, norm:intr_M_mode_highest_pri;
/// hypervisor "hvip, hip and hie" for HS and VS).
///
/// Interrupts for M are considered first, then HS, then VS: a pending-and-enabled interrupt
/// destined for a more privileged mode always wins. An interrupt destined for a mode is taken
/// when the hart runs in a less privileged mode, or in that mode with its xIE set; never when
/// the hart runs in a more privileged mode.
pub fn pending_interrupt(st: &ArchState) -> Option<u64> {
    let pending = st.csr.mip() & st.csr.mie;
    if pending == 0 {
        return None;
    }
    let Mode { privilege, virt } = st.mode;
    let m_enabled = privilege != PrivLevel::Machine || st.csr.mstatus & MIE != 0;
    if m_enabled {
        if let Some(i) = highest(pending & !st.csr.mideleg) {
            return Some(i);
        }
    }
    let hs_enabled = match privilege {
        PrivLevel::Machine => false,
        PrivLevel::Supervisor if !virt => st.csr.mstatus & SIE != 0,
        _ => true,
    };
    let delegated = pending & st.csr.mideleg;
    if hs_enabled {
        if let Some(i) = highest(delegated & !st.csr.hideleg) {
            return Some(i);
        }
    }
    let vs_enabled = virt
        && (privilege == PrivLevel::User || st.csr.vsstatus & SIE != 0)
        && privilege != PrivLevel::Machine;
    if vs_enabled {
        return highest(delegated & st.csr.hideleg);
    }
    None
}

/// Whether WFI may finish: some interrupt is pending and enabled in mie, whatever the global
/// enables and delegation say (norm:wfi_unaffected_conditions).
pub fn wfi_wakes(st: &ArchState) -> bool {
    st.csr.mip() & st.csr.mie != 0
}

/// Where a trap goes (the routing described in the module documentation).
pub fn trap_target(st: &ArchState, cause: u64, interrupt: bool) -> Mode {
    if st.mode.privilege == PrivLevel::Machine || cause >= 64 {
        return Mode::M;
    }
    let (mdeleg, hdeleg) = if interrupt {
        (st.csr.mideleg, st.csr.hideleg)
    } else {
        (st.csr.medeleg, st.csr.hedeleg)
    };
    if (mdeleg >> cause) & 1 == 0 {
        return Mode::M;
    }
    // Exceptions go to VS only from V=1 (norm:hedeleg_op); interrupts delegated by hideleg
    // are VS-level interrupts, taken only at V=1 (pending_interrupt never selects them
    // otherwise).
    if st.mode.virt && (hdeleg >> cause) & 1 != 0 {
        Mode::VS
    } else {
        Mode::HS
    }
}

/// Takes a trap and returns the mode it entered. `e.cause` is an exception code, or an
/// interrupt number when `interrupt`.
pub fn take_trap(st: &mut ArchState, e: Exception, interrupt: bool) -> Mode {
    let target = trap_target(st, e.cause, interrupt);
    let gva = !interrupt && (e.gva || (st.mode.virt && tval_is_address(e.cause)));
    match (target.privilege, target.virt) {
        (PrivLevel::Machine, _) => enter_m(st, e, interrupt, gva),
        (_, false) => enter_hs(st, e, interrupt, gva),
        (_, true) => enter_vs(st, e, interrupt),
    }
    // hvsim invalidates the reservation on every trap (documented; the A chapter lets an
    // implementation fail SC for any reason, and handlers must not rely on it surviving).
    st.reservation = None;
    target
}

fn vector(tvec: u64, cause: u64, interrupt: bool) -> u64 {
    let base = tvec & !MTVEC_MODE_MASK;
    if interrupt && tvec & MTVEC_MODE_MASK == MTVEC_VECTORED {
        // norm:mtvec_mode_vectored_op (and the same rule for stvec/vstvec).
        base.wrapping_add(cause.wrapping_mul(4))
    } else {
        base
    }
}

const fn with_cause(cause: u64, interrupt: bool) -> u64 {
    if interrupt {
        cause | INTERRUPT_BIT
    } else {
        cause
    }
}

/// `v` with the bits of `mask` set when `on`, else cleared.
const fn set_if(v: u64, mask: u64, on: bool) -> u64 {
    if on { v | mask } else { v & !mask }
}

fn enter_m(st: &mut ArchState, e: Exception, interrupt: bool, gva: bool) {
    let c = &mut st.csr;
    c.mepc = st.pc;
    c.mcause = with_cause(e.cause, interrupt);
    c.mtval = e.tval;
    c.mtval2 = e.tval2;
    c.mtinst = e.tinst;
    let mut s = c.mstatus;
    s = set_if(s, MPIE, s & MIE != 0);
    s &= !MIE;
    s = mstatus::with_mpp(s, st.mode.privilege);
    if st.features.h {
        s = set_if(s, MPV, st.mode.virt);
        s = set_if(s, mstatus::GVA, gva);
    }
    c.mstatus = s;
    st.pc = vector(c.mtvec, e.cause, interrupt);
    st.mode = Mode::M;
}

fn enter_hs(st: &mut ArchState, e: Exception, interrupt: bool, gva: bool) {
    let c = &mut st.csr;
    c.sepc = st.pc;
    c.scause = with_cause(e.cause, interrupt);
    c.stval = e.tval;
    let mut s = c.mstatus;
    s = set_if(s, SPIE, s & SIE != 0);
    s &= !SIE;
    s = set_if(s, SPP, st.mode.privilege != PrivLevel::User);
    c.mstatus = s;
    if st.features.h {
        c.htval = e.tval2;
        c.htinst = e.tinst;
        let mut h = c.hstatus;
        h = set_if(h, hstatus::SPV, st.mode.virt);
        if st.mode.virt {
            // norm:hstatus_spvp_op: SPVP changes only on traps from V=1.
            h = set_if(h, hstatus::SPVP, st.mode.privilege != PrivLevel::User);
        }
        h = set_if(h, hstatus::GVA, gva);
        c.hstatus = h;
    }
    st.pc = vector(c.stvec, e.cause, interrupt);
    st.mode = Mode::HS;
}

fn enter_vs(st: &mut ArchState, e: Exception, interrupt: bool) {
    let c = &mut st.csr;
    // norm:hideleg_trans: VS-level interrupt codes become the S-level ones in vscause.
    let cause = if interrupt {
        mip::vs_cause(e.cause)
    } else {
        e.cause
    };
    c.vsepc = st.pc;
    c.vscause = with_cause(cause, interrupt);
    c.vstval = e.tval;
    let mut s = c.vsstatus;
    s = set_if(s, SPIE, s & SIE != 0);
    s &= !SIE;
    s = set_if(s, SPP, st.mode.privilege != PrivLevel::User);
    c.vsstatus = s;
    st.pc = vector(c.vstvec, cause, interrupt);
    st.mode = Mode::VS;
}

/// MRET (norm:mstatus_xie_intr_en_dis; norm:mstatus_mprv_clr_mret_sret_less_priv; hypervisor
/// "mstatus": V = MPV unless MPP = M).
pub fn mret(st: &mut ArchState) {
    let mut s = st.csr.mstatus;
    let mpp = mstatus::mpp(s);
    let virt = mpp != PrivLevel::Machine && s & MPV != 0;
    s = set_if(s, MIE, s & MPIE != 0);
    s |= MPIE;
    if mpp != PrivLevel::Machine {
        s &= !MPRV;
    }
    // xPP is set to the least-privileged supported mode (U); MPV is cleared.
    s = mstatus::with_mpp(s, PrivLevel::User);
    s &= !MPV;
    st.csr.mstatus = s;
    st.mode = Mode {
        privilege: mpp,
        virt,
    };
    st.pc = st.csr.mepc;
    st.reservation = None;
}

/// SRET executed with V=0 (from HS or M): privilege from sstatus.SPP, V from hstatus.SPV
/// (norm:hstatus_spv_sret); SPV is cleared as xPP is (hvsim's choice: the spec leaves it).
pub fn sret_hs(st: &mut ArchState) {
    let mut s = st.csr.mstatus;
    let spp = if s & SPP != 0 {
        PrivLevel::Supervisor
    } else {
        PrivLevel::User
    };
    s = set_if(s, SIE, s & SPIE != 0);
    s |= SPIE;
    s &= !SPP;
    // SRET always leaves M (its target is S or U), so MPRV clears
    // (norm:mstatus_mprv_clr_mret_sret_less_priv).
    s &= !MPRV;
    st.csr.mstatus = s;
    let virt = st.features.h && st.csr.hstatus & hstatus::SPV != 0;
    st.csr.hstatus &= !hstatus::SPV;
    st.mode = Mode {
        privilege: spp,
        virt,
    };
    st.pc = st.csr.sepc;
    st.reservation = None;
}

/// SRET executed in VS-mode: uses vsstatus and vsepc, V stays 1.
pub fn sret_vs(st: &mut ArchState) {
    let mut s = st.csr.vsstatus;
    let spp = if s & SPP != 0 {
        PrivLevel::Supervisor
    } else {
        PrivLevel::User
    };
    s = set_if(s, SIE, s & SPIE != 0);
    s |= SPIE;
    s &= !SPP;
    st.csr.vsstatus = s;
    st.mode = Mode {
        privilege: spp,
        virt: true,
    };
    st.pc = st.csr.vsepc;
    st.reservation = None;
}
