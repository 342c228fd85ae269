//! mstatus (priv "Machine Status (mstatus) Register"): bit fields and the WARL write rule.

use crate::riscv::hart::config::Features;
use crate::riscv::privilege::PrivLevel;

/// Supervisor interrupt enable.
pub const SIE: u64 = 1 << 1;
/// Machine interrupt enable.
pub const MIE: u64 = 1 << 3;
/// Previous SIE.
pub const SPIE: u64 = 1 << 5;
/// Previous MIE.
pub const MPIE: u64 = 1 << 7;
/// Previous privilege for SRET (1 bit).
pub const SPP: u64 = 1 << 8;
/// Shift of the 2-bit MPP field.
pub const MPP_SHIFT: u32 = 11;
/// The MPP field.
pub const MPP: u64 = 3 << MPP_SHIFT;
/// The FS field (hardwired Off: F/D are not modelled).
pub const FS: u64 = 3 << 13;
/// Modify privilege.
pub const MPRV: u64 = 1 << 17;
/// Permit supervisor user memory access.
pub const SUM: u64 = 1 << 18;
/// Make executable readable.
pub const MXR: u64 = 1 << 19;
/// Trap virtual memory.
pub const TVM: u64 = 1 << 20;
/// Timeout wait.
pub const TW: u64 = 1 << 21;
/// Trap SRET.
pub const TSR: u64 = 1 << 22;
/// Shift of UXL.
pub const UXL_SHIFT: u32 = 32;
/// Shift of SXL.
pub const SXL_SHIFT: u32 = 34;
/// Guest virtual address (H).
pub const GVA: u64 = 1 << 38;
/// Machine previous virtualization mode (H).
pub const MPV: u64 = 1 << 39;
/// State dirty summary (read-only; 0 because FS, VS and XS are all hardwired Off).
pub const SD: u64 = 1 << 63;
/// XLEN encoding 2 = 64 bits (norm:misa_mxl_enc).
pub const XL_64: u64 = 2;

/// The bits software can write, given the implemented features.
///
/// - M with U: MIE, MPIE, MPP, MPRV, TW (norm:mstatus_mprv_rdonly0_no_umode: writable since
///   U exists).
/// - S adds SIE, SPIE, SPP, SUM, MXR, TVM, TSR (norm:mstatus_sum_rdonly0,
///   norm:mstatus_mxr_rdonly0_no_smode: read-only 0 without S).
/// - H adds MPV and GVA.
pub(crate) fn write_mask(f: Features) -> u64 {
    let mut m = MIE | MPIE | MPP | MPRV | TW;
    if f.s {
        m |= SIE | SPIE | SPP | SUM | MXR | TVM | TSR;
    }
    if f.h {
        m |= MPV | GVA;
    }
    m
}

/// The read-only fields: UXL = 64 (U present) and SXL = 64 when S exists
/// (norm:mstatus_uxl_rdonly_mxlen64, norm:MSTATUS_SXL_RDONLY_MXLEN64). FS/VS/XS/SD/xBE read 0.
pub(crate) fn fixed_bits(f: Features) -> u64 {
    let mut v = XL_64 << UXL_SHIFT;
    if f.s {
        v |= XL_64 << SXL_SHIFT;
    }
    v
}

/// MPP is WARL over the implemented modes (norm:MSTATUS_XPP_WARL). The reserved encoding 2
/// and S on a hart without S both become U (matching [`PrivLevel::from_bits`]).
pub(crate) fn legalize_mpp(bits: u64, f: Features) -> PrivLevel {
    match PrivLevel::from_bits(bits) {
        PrivLevel::Supervisor if !f.s => PrivLevel::User,
        p => p,
    }
}

/// The value of mstatus after software writes `value` over `old`.
pub(crate) fn write(old: u64, value: u64, f: Features) -> u64 {
    let mask = write_mask(f);
    let v = (old & !mask) | (value & mask);
    let mpp = legalize_mpp(v >> MPP_SHIFT, f);
    (v & !MPP) | (mpp.bits() << MPP_SHIFT) | fixed_bits(f)
}

/// The MPP field as a privilege level.
pub fn mpp(v: u64) -> PrivLevel {
    PrivLevel::from_bits(v >> MPP_SHIFT)
}

/// `v` with MPP replaced.
pub fn with_mpp(v: u64, p: PrivLevel) -> u64 {
    (v & !MPP) | (p.bits() << MPP_SHIFT)
}

/// The `sstatus` view of `mstatus` (priv "Supervisor Status (sstatus) Register"): the fields
/// S-mode can write.
pub const SSTATUS_WRITE: u64 = SIE | SPIE | SPP | SUM | MXR;
/// The `sstatus` view: writable fields plus the read-only UXL, FS and SD (both 0 here).
pub const SSTATUS_READ: u64 = SSTATUS_WRITE | (3 << UXL_SHIFT) | FS | SD;

/// `vsstatus` after reset: UXL = 64 is read-only (hypervisor "vsstatus": UXL may be a
/// read-only copy of VSXL).
pub const VSSTATUS_FIXED: u64 = XL_64 << UXL_SHIFT;

/// The value of `vsstatus` after software writes `value` over `old` (same fields as
/// `sstatus`).
pub fn write_vsstatus(old: u64, value: u64) -> u64 {
    (old & !SSTATUS_WRITE) | (value & SSTATUS_WRITE) | VSSTATUS_FIXED
}
