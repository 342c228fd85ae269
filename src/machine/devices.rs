//! The devices behind MMIO and port exits: the 16550 UART, the test finisher, user devices
//! and user handlers.

use std::fmt;

use hw_models::dev::{DevError, FinisherStatus, MmioDevice, TestFinisher, Uart16550};
use sim_core::{AccessWidth, GuestPhysAddr};

use super::handlers::{MmioAccess, MmioHandler, PortAccess, PortHandler, Reply};

/// The UART's window on the bus (QEMU `virt` reserves 0x100; the registers are the first 8).
pub const UART_WINDOW: u64 = 0x100;

/// What sits in one window.
pub(crate) enum Slot {
    Uart(Uart16550),
    Finisher(TestFinisher),
    Device(Box<dyn MmioDevice>),
    Handler(MmioHandler),
}

pub(crate) struct Window {
    pub(crate) name: String,
    pub(crate) base: u64,
    pub(crate) size: u64,
    pub(crate) slot: Slot,
}

impl Window {
    fn contains(&self, addr: u64) -> bool {
        addr.wrapping_sub(self.base) < self.size
    }
}

/// The result of one bus access.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum BusReply {
    /// Done; for reads, the value.
    Value(u64),
    /// A handler asked to stop.
    Stop(u64),
    /// Nothing at the address, or the handler declined.
    Unhandled,
    /// A device model refused.
    Rejected(&'static str, DevError),
}

/// The MMIO bus: windows sorted by base, never overlapping.
#[derive(Default)]
pub(crate) struct MmioBus {
    windows: Vec<Window>,
}

impl fmt::Debug for MmioBus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(
                self.windows
                    .iter()
                    .map(|w| format!("{} {:#x}+{:#x}", w.name, w.base, w.size)),
            )
            .finish()
    }
}

impl MmioBus {
    /// The window overlapping `[base, base+size)`, if any.
    pub(crate) fn overlapping(&self, base: u64, size: u64) -> Option<&str> {
        let end = base.saturating_add(size);
        self.windows
            .iter()
            .find(|w| w.base < end && base < w.base.saturating_add(w.size))
            .map(|w| w.name.as_str())
    }

    pub(crate) fn insert(&mut self, w: Window) {
        let at = self.windows.partition_point(|o| o.base < w.base);
        self.windows.insert(at, w);
    }

    pub(crate) fn windows(&self) -> impl Iterator<Item = (&str, u64, u64)> {
        self.windows
            .iter()
            .map(|w| (w.name.as_str(), w.base, w.size))
    }

    pub(crate) fn uart_mut(&mut self) -> Option<&mut Uart16550> {
        self.windows.iter_mut().find_map(|w| match &mut w.slot {
            Slot::Uart(u) => Some(u),
            _ => None,
        })
    }

    pub(crate) fn finisher_status(&self) -> Option<FinisherStatus> {
        self.windows.iter().find_map(|w| match &w.slot {
            Slot::Finisher(f) => f.status(),
            _ => None,
        })
    }

    /// One access. `write` is `Some(value)` for stores.
    pub(crate) fn access(
        &mut self,
        vcpu: usize,
        addr: GuestPhysAddr,
        width: AccessWidth,
        write: Option<u64>,
        now_ticks: u64,
    ) -> BusReply {
        let a = addr.as_u64();
        let Some(w) = self.windows.iter_mut().find(|w| w.contains(a)) else {
            return BusReply::Unhandled;
        };
        let offset = a - w.base;
        let dev: (&'static str, &mut dyn MmioDevice) = match &mut w.slot {
            Slot::Uart(u) => ("uart", u),
            Slot::Finisher(f) => ("test-finisher", f),
            Slot::Device(d) => ("device", d.as_mut()),
            Slot::Handler(h) => {
                let acc = MmioAccess {
                    vcpu,
                    addr,
                    offset,
                    width,
                    write,
                };
                return match h(&acc) {
                    Reply::Value(v) => BusReply::Value(v),
                    Reply::Done => BusReply::Value(0),
                    Reply::Unhandled => BusReply::Unhandled,
                    Reply::Stop(c) => BusReply::Stop(c),
                };
            }
        };
        let (name, d) = dev;
        d.set_time(now_ticks);
        let r = match write {
            Some(v) => d.write(offset, width, v).map(|()| 0),
            None => d.read(offset, width),
        };
        match r {
            Ok(v) => BusReply::Value(v),
            Err(e) => BusReply::Rejected(name, e),
        }
    }
}

/// I/O-port ranges (x86 `IN`/`OUT`).
#[derive(Default)]
pub(crate) struct PortBus {
    ranges: Vec<(u16, u16, PortHandler)>,
}

impl fmt::Debug for PortBus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.ranges.iter().map(|(b, n, _)| (b, n)))
            .finish()
    }
}

impl PortBus {
    pub(crate) fn overlaps(&self, base: u16, count: u16) -> bool {
        let end = u32::from(base) + u32::from(count);
        self.ranges
            .iter()
            .any(|(b, n, _)| u32::from(*b) < end && u32::from(base) < u32::from(*b) + u32::from(*n))
    }

    pub(crate) fn insert(&mut self, base: u16, count: u16, h: PortHandler) {
        self.ranges.push((base, count, h));
    }

    pub(crate) fn access(
        &mut self,
        vcpu: usize,
        port: u16,
        width: AccessWidth,
        write: Option<u64>,
    ) -> Reply {
        let found = self
            .ranges
            .iter_mut()
            .find(|(b, n, _)| port.wrapping_sub(*b) < *n);
        match found {
            Some((b, _, h)) => h(&PortAccess {
                vcpu,
                port,
                offset: port.wrapping_sub(*b),
                width,
                write,
            }),
            None => Reply::Unhandled,
        }
    }
}
