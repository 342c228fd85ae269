//! The board side of the hart's [`Bus`]: RAM, the device windows and virtual time.

use sim_core::clock::VirtualClock;
use sim_core::mem::PhysMem;
use sim_core::{AccessWidth, HostPhysAddr};

use super::map::{DeviceId, device_at};
use crate::dev::{Clint, MmioDevice, TestFinisher, Uart16550};
use crate::riscv::hart::{Bus, BusError, MmioEffect};

/// Memory, devices and the clock, as the hart sees them.
#[derive(Debug)]
pub struct BoardBus {
    /// RAM.
    pub mem: PhysMem,
    /// The CLINT.
    pub clint: Clint,
    /// The UART.
    pub uart: Uart16550,
    /// The test finisher.
    pub finisher: TestFinisher,
    /// Virtual time.
    pub clock: VirtualClock,
    /// The hart's retired count the clock has accounted for.
    synced: u64,
    /// A CLINT register was written since the board last looked (lines and the timer event
    /// must be recomputed).
    pub clint_dirty: bool,
}

impl BoardBus {
    /// A bus over `mem` with fresh devices.
    pub fn new(mem: PhysMem, clint: Clint, clock: VirtualClock) -> Self {
        Self {
            mem,
            clint,
            uart: Uart16550::new(),
            finisher: TestFinisher::new(),
            clock,
            synced: 0,
            clint_dirty: false,
        }
    }

    /// Brings the clock up to `retired` instructions (the hart's monotonic count) and returns
    /// the time in ticks.
    #[inline]
    pub fn sync(&mut self, retired: u64) -> u64 {
        if retired > self.synced {
            self.clock.retire(retired - self.synced);
            self.synced = retired;
        }
        self.clock.ticks()
    }

    fn device(&mut self, id: DeviceId) -> &mut dyn MmioDevice {
        match id {
            DeviceId::Finisher => &mut self.finisher,
            DeviceId::Clint => &mut self.clint,
            DeviceId::Uart => &mut self.uart,
        }
    }
}

impl Bus for BoardBus {
    #[inline]
    fn mem(&mut self) -> &mut PhysMem {
        &mut self.mem
    }

    fn mmio_read(
        &mut self,
        addr: HostPhysAddr,
        width: AccessWidth,
        retired: u64,
    ) -> Result<u64, BusError> {
        let (id, off) = device_at(addr.as_u64()).ok_or(BusError::Unmapped(addr))?;
        let now = self.sync(retired);
        let dev = self.device(id);
        dev.set_time(now);
        dev.read(off, width)
            .map_err(|_| BusError::Rejected(addr, width))
    }

    fn mmio_write(
        &mut self,
        addr: HostPhysAddr,
        width: AccessWidth,
        value: u64,
        retired: u64,
    ) -> Result<MmioEffect, BusError> {
        let (id, off) = device_at(addr.as_u64()).ok_or(BusError::Unmapped(addr))?;
        let now = self.sync(retired);
        let dev = self.device(id);
        dev.set_time(now);
        dev.write(off, width, value)
            .map_err(|_| BusError::Rejected(addr, width))?;
        // Everything a device write changes that the board acts on ends the slice: interrupt
        // lines and the timer deadline (CLINT), output to forward (UART), the end of the run
        // (finisher).
        Ok(match id {
            DeviceId::Clint => {
                self.clint_dirty = true;
                MmioEffect::Attention
            }
            DeviceId::Uart if !self.uart.output().is_empty() => MmioEffect::Attention,
            DeviceId::Finisher if self.finisher.status().is_some() => MmioEffect::Attention,
            DeviceId::Uart | DeviceId::Finisher => MmioEffect::None,
        })
    }

    fn time(&mut self, retired: u64) -> u64 {
        let now = self.sync(retired);
        self.clint.mtime(now)
    }
}
