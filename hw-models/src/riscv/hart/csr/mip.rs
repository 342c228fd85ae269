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

/// Bits of mip M-mode software can write into the software-pending word: SSIP, STIP (while
/// Sstc's `menvcfg`.STCE is clear; the caller removes it otherwise) and the software SEIP bit
/// (norm:mip_seip_wrcsr, norm:mip_stip_no_stimecmp_acc). Nothing without S. VSSIP is writable
/// too but lives in `hvip` (it is an alias, hypervisor "hvip, hip and hie").
pub(crate) fn mip_write_mask(f: Features) -> u64 {
    if f.s { S_BITS } else { 0 }
}

/// STIP.
pub const STI_BIT: u64 = bit(irq::STI);
/// VSTIP.
pub const VSTI_BIT: u64 = bit(irq::VSTI);
/// VSEIP.
pub const VSEI_BIT: u64 = bit(irq::VSEI);
/// Supervisor guest external interrupt bit (SGEIP/SGEIE).
pub const SGEI_BIT: u64 = bit(irq::SGEI);
/// The bits of `hip`/`hie` (hypervisor "hvip, hip and hie"): VSSIP, VSTIP, VSEIP, SGEIP.
pub const H_BITS: u64 = VS_BITS | SGEI_BIT;
/// VSSIP: the only VS bit writable in `mip`/`hip` (alias of `hvip`.VSSIP).
pub const VSSI_BIT: u64 = bit(irq::VSSI);
/// The writable bits of `hvip`: VSEIP, VSTIP, VSSIP.
pub const HVIP_MASK: u64 = VS_BITS;
/// `hideleg`: only the VS-level interrupts (10, 6, 2) can be delegated to VS-mode; the S-level
/// ones and SGEI are read-only zero (norm:hideleg_acc).
pub const HIDELEG_MASK: u64 = VS_BITS;

/// Number of guest external interrupt lines (GEILEN). hvsim implements 7: hgeip/hgeie bits
/// 7:1 (bit 0 is never implemented, hypervisor "hgeip and hgeie").
pub const GEILEN: u32 = 7;
/// The implemented bits of `hgeip`/`hgeie`: GEILEN:1.
pub const HGEI_MASK: u64 = ((1 << (GEILEN + 1)) - 1) & !1;

/// A VS-level interrupt number translated to the S-level code VS-mode sees: 10→9, 6→5, 2→1
/// (norm:hideleg_trans). Other numbers are unchanged.
pub const fn vs_cause(i: u64) -> u64 {
    match i {
        irq::VSEI => irq::SEI,
        irq::VSTI => irq::STI,
        irq::VSSI => irq::SSI,
        other => other,
    }
}

/// VS-level bits (hip layout, bits 10/6/2) shifted to their S-level positions (vsip layout,
/// bits 9/5/1).
pub const fn vs_to_s(bits: u64) -> u64 {
    (bits & VS_BITS) >> 1
}

/// S-level bits (vsip layout) shifted to the VS positions (hip layout).
pub const fn s_to_vs(bits: u64) -> u64 {
    (bits & S_BITS) << 1
}

/// mideleg: the S-level interrupts are delegable (norm:mideleg_no_rd1: M-level bits never
/// read 1; they are read-only 0 here). With H, the VS bits are read-only 1 (hypervisor spec).
pub(crate) fn mideleg_mask(f: Features) -> u64 {
    if f.s { S_BITS } else { 0 }
}

/// mideleg bits that read as one.
/// With H, bits 10, 6 and 2 are read-only one, and bit 12 (SGEI) too because GEILEN is
/// nonzero (hypervisor "Machine Interrupt Delegation (mideleg) Register").
pub(crate) fn mideleg_ones(f: Features) -> u64 {
    if f.h { VS_BITS | bit(irq::SGEI) } else { 0 }
}

/// `hedeleg`: the bits the hypervisor chapter's table requires writable (0-8, 12, 13, 15, 18,
/// 19; bit 0 is optional with IALIGN=16 and hvsim makes it writable). 9, 10, 11, 16 and 20-23
/// are read-only zero (norm:hedeleg_acc). 18/19 (software check, hardware error) are writable
/// as the table says, although hvsim never raises those exceptions.
pub const HEDELEG_MASK: u64 = bit(exc::INSTRUCTION_ADDRESS_MISALIGNED)
    | bit(exc::INSTRUCTION_ACCESS_FAULT)
    | bit(exc::ILLEGAL_INSTRUCTION)
    | bit(exc::BREAKPOINT)
    | bit(exc::LOAD_ADDRESS_MISALIGNED)
    | bit(exc::LOAD_ACCESS_FAULT)
    | bit(exc::STORE_ADDRESS_MISALIGNED)
    | bit(exc::STORE_ACCESS_FAULT)
    | bit(exc::ECALL_FROM_U)
    | bit(exc::INSTRUCTION_PAGE_FAULT)
    | bit(exc::LOAD_PAGE_FAULT)
    | bit(exc::STORE_PAGE_FAULT)
    | bit(SOFTWARE_CHECK)
    | bit(HARDWARE_ERROR);

/// Exception code 18 (software check, Zicfilp/Zicfiss); never raised by hvsim.
const SOFTWARE_CHECK: u64 = 18;
/// Exception code 19 (hardware error); never raised by hvsim.
const HARDWARE_ERROR: u64 = 19;

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
