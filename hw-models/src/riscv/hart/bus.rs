//! The seam between a hart and the board around it.
//!
//! The hart serves RAM itself, straight out of the board's [`PhysMem`], and calls the board
//! only for addresses that are not RAM (device MMIO) and for the value of `time`.

use sim_core::mem::PhysMem;
use sim_core::{AccessWidth, HostPhysAddr};

/// Why a non-RAM access failed. The hart turns it into an access fault (cause 1, 5 or 7).
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum BusError {
    /// Nothing answers at the address.
    #[error("no device at host-physical address {0}")]
    Unmapped(HostPhysAddr),
    /// A device is there but refuses this width or offset.
    #[error("device at {0} rejects a {1}-bit access")]
    Rejected(HostPhysAddr, AccessWidth),
}

/// What an MMIO write asks of the hart.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MmioEffect {
    /// Nothing: keep running.
    None,
    /// The device changed state the board must act on before the hart continues (an
    /// interrupt line, a power-off request ...). The hart finishes the storing instruction
    /// and [`super::Hart::run`] returns [`super::StopReason::Attention`].
    Attention,
}

/// What a board provides to the hart it drives.
///
/// `retired` is the hart's monotonic count of retired instructions (never reset, not the
/// writable `minstret`), so a board can derive virtual time deterministically in the middle of
/// a slice.
pub trait Bus {
    /// Host-physical memory. Addresses that are RAM in it are served by the hart directly.
    fn mem(&mut self) -> &mut PhysMem;

    /// A load from a non-RAM address.
    fn mmio_read(
        &mut self,
        addr: HostPhysAddr,
        width: AccessWidth,
        retired: u64,
    ) -> Result<u64, BusError>;

    /// A store to a non-RAM address.
    fn mmio_write(
        &mut self,
        addr: HostPhysAddr,
        width: AccessWidth,
        value: u64,
        retired: u64,
    ) -> Result<MmioEffect, BusError>;

    /// The current value of the platform timer (`mtime`), read by the `time` CSR.
    fn time(&mut self, retired: u64) -> u64;
}

/// A bus with RAM only: every other address faults and `time` counts retired instructions.
/// Handy for tests and benchmarks.
#[derive(Debug)]
pub struct RamBus {
    /// The memory.
    pub mem: PhysMem,
}

impl RamBus {
    /// `size` bytes of RAM at `base` (both page-aligned).
    pub fn new(base: u64, size: u64) -> Result<Self, sim_core::mem::MemError> {
        let mut mem = PhysMem::new(size);
        mem.add_ram(HostPhysAddr::new(base), size)?;
        Ok(Self { mem })
    }
}

impl Bus for RamBus {
    fn mem(&mut self) -> &mut PhysMem {
        &mut self.mem
    }

    fn mmio_read(&mut self, addr: HostPhysAddr, _: AccessWidth, _: u64) -> Result<u64, BusError> {
        Err(BusError::Unmapped(addr))
    }

    fn mmio_write(
        &mut self,
        addr: HostPhysAddr,
        _: AccessWidth,
        _: u64,
        _: u64,
    ) -> Result<MmioEffect, BusError> {
        Err(BusError::Unmapped(addr))
    }

    fn time(&mut self, retired: u64) -> u64 {
        retired
    }
}
