//! Traps that reach M-mode while a lower mode runs, handled as OpenSBI's `sbi_trap_handler`
//! handles them on a hart with the H extension.
//!
//! - MTI: [`timer::handle_mti`] (MTIE masked, STIP raised). MSI: [`ipi::handle_msi`] (msip
//!   acknowledged, SSIP raised). Any other interrupt has no M-level source on this board;
//!   its enable bit is cleared so it cannot storm.
//! - Exceptions (those medeleg keeps in M: illegal instruction, access faults,
//!   load/store-misaligned): OpenSBI first tries to emulate (misaligned accesses, some CSRs);
//!   the hart model implements `time` in hardware and performs misaligned RAM accesses
//!   itself, so the only ones left are genuine faults, which are redirected to the lower
//!   privilege as `sbi_trap_redirect` does: to VS-mode if the trap came from V=1 and hedeleg
//!   delegates the cause, otherwise to HS-mode, writing the trap CSRs the way a hardware
//!   trap entry would (norm:H_trap_hs_csrwrites, norm:H_trap_vs_csrwrites), then MRET to the
//!   handler.

use super::SbiEnv;
use super::{ipi, timer};
use crate::riscv::PrivLevel;
use crate::riscv::cause::{INTERRUPT_BIT, irq};
use crate::riscv::csr_num;

/// mstatus fields (priv "Machine Status Register").
mod mstatus {
    pub const SIE: u64 = 1 << 1;
    pub const SPIE: u64 = 1 << 5;
    pub const SPP: u64 = 1 << 8;
    pub const MPP_SHIFT: u32 = 11;
    pub const MPP: u64 = 3 << MPP_SHIFT;
    pub const GVA: u64 = 1 << 38;
    pub const MPV: u64 = 1 << 39;
}

/// hstatus fields (priv "Hypervisor Status Register").
mod hstatus {
    pub const GVA: u64 = 1 << 6;
    pub const SPV: u64 = 1 << 7;
    pub const SPVP: u64 = 1 << 8;
}

/// xtvec MODE bits: exceptions always go to BASE.
const TVEC_MODE: u64 = 3;

/// What the board must do after the firmware handled an M-mode trap.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MTrapAction {
    /// Execute MRET: the firmware set mepc/mstatus for where execution continues — the
    /// interrupted instruction, or the HS/VS trap handler of a redirected exception. If the
    /// hart lands in HS-mode, a trap into HS has been delivered.
    Mret,
    /// The trap cannot be handled: it came from M-mode itself, or from HS-mode, which runs no
    /// code on the model's harts (HS is the Rust caller). The board records it as a fault.
    Fatal {
        /// mcause.
        cause: u64,
        /// mepc.
        epc: u64,
    },
}

/// Handles the trap the hart just took into M-mode (mcause, mepc, mtval, mtval2, mtinst and
/// mstatus.MPP/MPV/GVA as the trap entry wrote them).
pub(crate) fn handle_mtrap<E: SbiEnv + ?Sized>(env: &mut E, hart: usize) -> MTrapAction {
    let mcause = env.csr_read(hart, csr_num::MCAUSE);
    if mcause & INTERRUPT_BIT != 0 {
        handle_interrupt(env, hart, mcause & !INTERRUPT_BIT);
        return MTrapAction::Mret;
    }
    let mstatus = env.csr_read(hart, csr_num::MSTATUS);
    let prev = PrivLevel::from_bits((mstatus & mstatus::MPP) >> mstatus::MPP_SHIFT);
    let prev_virt = mstatus & mstatus::MPV != 0;
    if prev == PrivLevel::Machine || (prev == PrivLevel::Supervisor && !prev_virt) {
        return MTrapAction::Fatal {
            cause: mcause,
            epc: env.csr_read(hart, csr_num::MEPC),
        };
    }
    redirect(env, hart, mcause, mstatus, prev, prev_virt);
    MTrapAction::Mret
}

/// Services the M-level interrupts pending and enabled on `hart` while it is not executing
/// (its HS code is the Rust caller): on silicon they would preempt HS at once, and leave only
/// their S-level effects behind. Returns whether one was handled.
pub(crate) fn service_interrupts<E: SbiEnv + ?Sized>(env: &mut E, hart: usize) -> bool {
    let pending = env.csr_read(hart, csr_num::MIP) & env.csr_read(hart, csr_num::MIE);
    let mut any = false;
    for code in [irq::MTI, irq::MSI] {
        if pending & (1 << code) != 0 {
            handle_interrupt(env, hart, code);
            any = true;
        }
    }
    any
}

fn handle_interrupt<E: SbiEnv + ?Sized>(env: &mut E, hart: usize, code: u64) {
    match code {
        irq::MTI => timer::handle_mti(env, hart),
        irq::MSI => ipi::handle_msi(env, hart),
        _ => {
            // No M-level source for it: stop it from re-firing.
            if code < u64::from(u64::BITS) {
                let mie = env.csr_read(hart, csr_num::MIE);
                env.csr_write(hart, csr_num::MIE, mie & !(1 << code));
            }
        }
    }
}

/// `sbi_trap_redirect`: delivers the exception to VS or HS and points MRET at its handler.
fn redirect<E: SbiEnv + ?Sized>(
    env: &mut E,
    hart: usize,
    mcause: u64,
    mstatus: u64,
    prev: PrivLevel,
    prev_virt: bool,
) {
    let mepc = env.csr_read(hart, csr_num::MEPC);
    let mtval = env.csr_read(hart, csr_num::MTVAL);
    let hedeleg = env.csr_read(hart, csr_num::HEDELEG);
    let to_vs = prev_virt && mcause < u64::from(u64::BITS) && hedeleg & (1 << mcause) != 0;
    let spp = if prev == PrivLevel::Supervisor {
        mstatus::SPP
    } else {
        0
    };
    // xPIE <- xIE, xIE <- 0, xPP <- previous privilege: the same bits in sstatus/vsstatus.
    let enter = |s: u64| {
        let spie = if s & mstatus::SIE != 0 {
            mstatus::SPIE
        } else {
            0
        };
        (s & !(mstatus::SIE | mstatus::SPIE | mstatus::SPP)) | spie | spp
    };
    let mut new_mstatus = mstatus & !(mstatus::MPP | mstatus::MPV);
    new_mstatus |= PrivLevel::Supervisor.bits() << mstatus::MPP_SHIFT;
    let handler;
    if to_vs {
        env.csr_write(hart, csr_num::VSEPC, mepc);
        env.csr_write(hart, csr_num::VSCAUSE, mcause);
        env.csr_write(hart, csr_num::VSTVAL, mtval);
        let vs = env.csr_read(hart, csr_num::VSSTATUS);
        env.csr_write(hart, csr_num::VSSTATUS, enter(vs));
        handler = env.csr_read(hart, csr_num::VSTVEC) & !TVEC_MODE;
        new_mstatus |= mstatus::MPV;
    } else {
        let mut hs = env.csr_read(hart, csr_num::HSTATUS);
        hs &= !(hstatus::SPV | hstatus::GVA);
        if prev_virt {
            hs |= hstatus::SPV;
            hs = (hs & !hstatus::SPVP) | if spp != 0 { hstatus::SPVP } else { 0 };
        }
        if mstatus & mstatus::GVA != 0 {
            hs |= hstatus::GVA;
        }
        env.csr_write(hart, csr_num::HSTATUS, hs);
        let (mtval2, mtinst) = (
            env.csr_read(hart, csr_num::MTVAL2),
            env.csr_read(hart, csr_num::MTINST),
        );
        env.csr_write(hart, csr_num::HTVAL, mtval2);
        env.csr_write(hart, csr_num::HTINST, mtinst);
        env.csr_write(hart, csr_num::SEPC, mepc);
        env.csr_write(hart, csr_num::SCAUSE, mcause);
        env.csr_write(hart, csr_num::STVAL, mtval);
        new_mstatus = enter(new_mstatus);
        handler = env.csr_read(hart, csr_num::STVEC) & !TVEC_MODE;
    }
    env.csr_write(hart, csr_num::MSTATUS, new_mstatus);
    env.csr_write(hart, csr_num::MEPC, handler);
}
