//! mip/mie/mideleg/medeleg bit rules (priv "Machine Interrupt Registers", "Machine Trap
//! Delegation Registers").

use crate::riscv::cause::{exc, irq};
use crate::riscv::hart::config::Features;

const fn bit(n: u64) -> u64 {
    1 << n
}

/// The machine-level interrupt bits.
pub const M_BITS: u64 = bit(irq::MSI) | bit(irq::MTI) | bit(irq::MEI);
/// The supervisor-level interrupt bits.
pub const S_BITS: u64 = bit(irq::SSI) | bit(irq::STI) | bit(irq::SEI);
/// The VS-level interrupt bits (H).
pub const VS_BITS: u64 = bit(irq::VSSI) | bit(irq::VSTI) | bit(irq::VSEI);

/// The interrupt lines a board drives: MSIP, MTIP, MEIP (read-only in mip,
/// norm:mip_msip_rdonly, norm:mip_mtip_rdonly, norm:mip_meip_rdonly) and the external SEIP
/// signal that is ORed into mip.SEIP (norm:mip_seip_rdcsr).
pub const LINE_BITS: u64 = M_BITS | bit(irq::SEI);

/// Bits of mie that exist (norm:mie_bits_rdonly0: absent interrupts read 0).
pub(crate) fn mie_mask(f: Features) -> u64 {
    let mut m = M_BITS;
    if f.s {
        m |= S_BITS;
    }
    if f.h {
        m |= VS_BITS | bit(irq::SGEI);
    }
    m
}

/// Bits of mip M-mode software can write: SSIP, STIP (no Sstc) and the software SEIP bit
/// (norm:mip_seip_wrcsr, norm:mip_stip_no_stimecmp_acc). Nothing without S.
pub(crate) fn mip_write_mask(f: Features) -> u64 {
    if f.s { S_BITS } else { 0 }
}

/// mideleg: the S-level interrupts are delegable (norm:mideleg_no_rd1: M-level bits never
/// read 1; they are read-only 0 here). With H, the VS bits are read-only 1 (hypervisor spec).
pub(crate) fn mideleg_mask(f: Features) -> u64 {
    if f.s { S_BITS } else { 0 }
}

/// mideleg bits that read as one.
pub(crate) fn mideleg_ones(f: Features) -> u64 {
    if f.h { VS_BITS | bit(irq::SGEI) } else { 0 }
}

/// medeleg: every exception that can occur below M is delegable; ecall-from-M (11) and
/// double trap (16) are read-only 0 (norm:medeleg_when_rd0, norm:medeleg_16_no_rd0).
/// Ecall-from-VS and the guest-page faults exist only with H.
pub(crate) fn medeleg_mask(f: Features) -> u64 {
    if !f.s {
        return 0;
    }
    let mut m = bit(exc::INSTRUCTION_ADDRESS_MISALIGNED)
        | bit(exc::INSTRUCTION_ACCESS_FAULT)
        | bit(exc::ILLEGAL_INSTRUCTION)
        | bit(exc::BREAKPOINT)
        | bit(exc::LOAD_ADDRESS_MISALIGNED)
        | bit(exc::LOAD_ACCESS_FAULT)
        | bit(exc::STORE_ADDRESS_MISALIGNED)
        | bit(exc::STORE_ACCESS_FAULT)
        | bit(exc::ECALL_FROM_U)
        | bit(exc::ECALL_FROM_S)
        | bit(exc::INSTRUCTION_PAGE_FAULT)
        | bit(exc::LOAD_PAGE_FAULT)
        | bit(exc::STORE_PAGE_FAULT);
    if f.h {
        m |= bit(exc::ECALL_FROM_VS)
            | bit(exc::INSTRUCTION_GUEST_PAGE_FAULT)
            | bit(exc::LOAD_GUEST_PAGE_FAULT)
            | bit(exc::VIRTUAL_INSTRUCTION)
            | bit(exc::STORE_GUEST_PAGE_FAULT);
    }
    m
}
