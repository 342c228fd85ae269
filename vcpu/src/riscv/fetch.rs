//! Reading the trapping guest instruction with HLVX (hypervisor spec, "Hypervisor
//! Virtual-Machine Load and Store Instructions").
//!
//! The instruction is read as 16-bit parcels with HLVX.HU, so a 32-bit instruction that
//! straddles a page boundary is translated page by page, exactly as the fetch was, and no
//! misaligned HLVX.WU is ever issued.

use hw_models::riscv::hw::{HwTrap, RiscvHardware};
use sim_core::AccessWidth;

use super::mmio::{LEN_FULL, insn_len};

/// Bytes in one instruction parcel.
const PARCEL_BYTES: u64 = 2;
const PARCEL_BITS: u32 = 16;

/// The result of reading the instruction at the guest pc.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FetchOutcome {
    /// The instruction bits: a 16-bit parcel zero-extended, or a 32-bit instruction.
    /// Encodings longer than 32 bits come back as their first parcel.
    Insn(u32),
    /// HLVX trapped; the trap describes why (an HLVX fault is a load fault).
    Fault(HwTrap),
}

/// Reads the instruction at guest-virtual `pc` with the guest's translation and privilege
/// (hstatus.SPVP as the trap left it).
pub fn fetch_insn<H: RiscvHardware>(hw: &mut H, pc: u64) -> FetchOutcome {
    let lo = match hw.hlvx(pc, AccessWidth::Word) {
        Ok(v) => v as u16,
        Err(t) => return FetchOutcome::Fault(t),
    };
    if insn_len(lo) != Some(LEN_FULL) {
        return FetchOutcome::Insn(u32::from(lo));
    }
    match hw.hlvx(pc.wrapping_add(PARCEL_BYTES), AccessWidth::Word) {
        Ok(hi) => FetchOutcome::Insn(u32::from(lo) | (u32::from(hi as u16) << PARCEL_BITS)),
        Err(t) => FetchOutcome::Fault(t),
    }
}
