//! hstatus (hypervisor "Hypervisor Status (hstatus) Register"): bit fields and the WARL write
//! rule.

use super::mip::GEILEN;

/// VSBE: read-only 0, VS-mode is little-endian like HS-mode (norm:hstatus_vsbe_op).
pub const VSBE: u64 = 1 << 5;
/// Guest virtual address: stval holds a guest virtual address (norm:hstatus_gva_op).
pub const GVA: u64 = 1 << 6;
/// Supervisor previous virtualization mode (norm:hstatus_spv_op).
pub const SPV: u64 = 1 << 7;
/// Supervisor previous virtual privilege (norm:hstatus_spvp_op).
pub const SPVP: u64 = 1 << 8;
/// Hypervisor instructions in U-mode (norm:hstatus_hu_op).
pub const HU: u64 = 1 << 9;
/// Shift of VGEIN (bits 17:12).
pub const VGEIN_SHIFT: u32 = 12;
/// The VGEIN field.
pub const VGEIN: u64 = 0x3f << VGEIN_SHIFT;
/// Trap virtual memory in VS-mode (norm:hstatus_vtvm_op).
pub const VTVM: u64 = 1 << 20;
/// Timeout wait in VS-mode (norm:hstatus_vtw_op).
pub const VTW: u64 = 1 << 21;
/// Trap SRET in VS-mode (norm:hstatus_vtsr_op).
pub const VTSR: u64 = 1 << 22;
/// Shift of VSXL (bits 33:32).
pub const VSXL_SHIFT: u32 = 32;
/// VSXL: read-only 2, VSXLEN = HSXLEN = 64 (norm:hstatus_vsxl_64, norm:vsxl_ro).
pub const VSXL_64: u64 = 2 << VSXL_SHIFT;

/// Bits software can write (VGEIN is handled separately).
const WRITE_MASK: u64 = GVA | SPV | SPVP | HU | VTVM | VTW | VTSR;

/// hstatus after reset: only the read-only VSXL.
pub const RESET: u64 = VSXL_64;

/// The value of hstatus after software writes `value` over `old`. VGEIN is WLRL over
/// 0..=GEILEN (norm:hstatus_vgein_op); hvsim keeps the old VGEIN when the written one is
/// larger than GEILEN.
pub fn write(old: u64, value: u64) -> u64 {
    let vgein_new = (value & VGEIN) >> VGEIN_SHIFT;
    let vgein = if vgein_new <= u64::from(GEILEN) {
        vgein_new << VGEIN_SHIFT
    } else {
        old & VGEIN
    };
    (value & WRITE_MASK) | vgein | VSXL_64
}

/// The VGEIN field's value.
pub const fn vgein(v: u64) -> u64 {
    (v & VGEIN) >> VGEIN_SHIFT
}
