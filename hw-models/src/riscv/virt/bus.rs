//! The board side of the harts' [`Bus`], for both boards: RAM, the device windows and
//! virtual time.
//!
//! Virtual time is one [`VirtualClock`] for the board, advanced by the instructions every
//! hart retires (a board runs one hart at a time, so the sum is the board's own progress).
//! Each hart's monotonic retired count is folded into the clock once.

use alloc::vec;
use alloc::vec::Vec;

use sim_core::clock::VirtualClock;
use sim_core::mem::PhysMem;
use sim_core::{AccessWidth, HostPhysAddr};

use super::map::{DeviceId, device_at};
use crate::dev::{Clint, FinisherStatus, MmioDevice, TestFinisher, Uart16550};
use crate::riscv::hart::{Bus, BusError, MmioEffect};

/// Memory, devices and the clock, as the harts see them.
#[derive(Debug)]
pub struct VirtBus {
    /// Host-physical memory.
    pub mem: PhysMem,
    /// The CLINT.
    pub clint: Clint,
    /// The UART (also the firmware's console).
    pub uart: Uart16550,
    /// The test finisher.
    pub finisher: TestFinisher,
    /// Virtual time, in timebase ticks.
    pub clock: VirtualClock,
    /// Per hart: its retired count the clock has accounted for.
    synced: Vec<u64>,
    /// The hart currently running (whose `retired` the hart passes in).
    pub(crate) current: usize,
    /// A CLINT register was written by a hart since the board last looked (lines and the
    /// timer event must be recomputed).
    pub(crate) clint_dirty: bool,
    /// Whether UART output ends the slice (`MmioEffect::Attention`): the bare board
    /// forwards output as it comes; the platform drains it after each slice instead.
    uart_attention: bool,
}

impl VirtBus {
    /// A bus for `harts` harts over `mem`, with fresh UART and finisher.
    pub(crate) fn new(mem: PhysMem, clint: Clint, clock: VirtualClock, harts: usize) -> Self {
        Self {
            mem,
            clint,
            uart: Uart16550::new(),
            finisher: TestFinisher::new(),
            clock,
            synced: vec![0; harts],
            current: 0,
            clint_dirty: false,
            uart_attention: false,
        }
    }

    /// UART output ends the slice (the bare board's choice).
    pub(crate) fn with_uart_attention(mut self) -> Self {
        self.uart_attention = true;
        self
    }

    /// Folds the current hart's retired count into the clock; returns the time in ticks.
    pub(crate) fn sync(&mut self, retired: u64) -> u64 {
        if let Some(s) = self.synced.get_mut(self.current) {
            if retired > *s {
                self.clock.retire(retired - *s);
                *s = retired;
            }
        }
        self.clock.ticks()
    }

    /// The finisher's status, once a guest wrote it.
    pub fn finisher_status(&self) -> Option<FinisherStatus> {
        self.finisher.status()
    }

    fn device(&mut self, id: DeviceId) -> &mut dyn MmioDevice {
        match id {
            DeviceId::Finisher => &mut self.finisher,
            DeviceId::Clint => &mut self.clint,
            DeviceId::Uart => &mut self.uart,
        }
    }
}

impl Bus for VirtBus {
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
        // Interrupt lines and timer deadlines (CLINT), the end of the run (finisher) and, on
        // the bare board, output to forward (UART) are the board's to act on before the hart
        // goes on.
        Ok(match id {
            DeviceId::Clint => {
                self.clint_dirty = true;
                MmioEffect::Attention
            }
            DeviceId::Uart if self.uart_attention && !self.uart.output().is_empty() => {
                MmioEffect::Attention
            }
            DeviceId::Finisher if self.finisher.status().is_some() => MmioEffect::Attention,
            DeviceId::Uart | DeviceId::Finisher => MmioEffect::None,
        })
    }

    fn time(&mut self, retired: u64) -> u64 {
        let now = self.sync(retired);
        self.clint.mtime(now)
    }
}
