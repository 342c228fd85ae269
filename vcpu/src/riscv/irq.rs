//! Interrupt injection: which vectors the VMM may inject and which hvip bit each one sets.

use hw_models::riscv::cause::irq;

use super::bits::hvip;
use super::error::{Result, RiscvVCpuError};

/// The hvip bit for an injectable vector.
///
/// Vectors are interrupt codes. The VS-level codes (VSSI=2, VSTI=6, VSEI=10) name the hvip
/// bits directly; the S-level codes (SSI=1, STI=5, SEI=9) are what the guest sees in its
/// own scause after hideleg translation (norm:hideleg_trans), so they name the same bits.
/// Every other vector is rejected.
pub fn hvip_bit(vector: usize) -> Result<u64> {
    match vector as u64 {
        irq::SSI | irq::VSSI => Ok(hvip::VSSIP),
        irq::STI | irq::VSTI => Ok(hvip::VSTIP),
        irq::SEI | irq::VSEI => Ok(hvip::VSEIP),
        _ => Err(RiscvVCpuError::BadVector { vector }),
    }
}

/// hvip changes queued while the vCPU is not running; `run` applies them before entry.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct PendingHvip {
    /// Bits to set.
    pub set: u64,
    /// Bits to clear (applied before `set`).
    pub clear: u64,
}

impl PendingHvip {
    /// Queues an assertion.
    pub fn assert(&mut self, bit: u64) {
        self.clear &= !bit;
        self.set |= bit;
    }

    /// Queues a deassertion.
    pub fn deassert(&mut self, bit: u64) {
        self.set &= !bit;
        self.clear |= bit;
    }

    /// Whether anything is queued.
    pub fn is_empty(&self) -> bool {
        self.set == 0 && self.clear == 0
    }

    /// Applies the queue to a saved hvip value.
    pub fn apply_to(&self, hvip: u64) -> u64 {
        (hvip & !self.clear) | self.set
    }
}
