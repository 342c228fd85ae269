//! The guest's devices behind MMIO exits, at the addresses the Machine uses for riscv64
//! (QEMU virt's): the NS16550A UART at 0x1000_0000 (window 0x100) and the SiFive test
//! finisher at 0x10_0000. The device models are hw-models' own (`hw_models::dev`), the
//! same the Machine puts behind its MMIO exits, so the guest sees the same registers.

use hw_models::dev::{
    DevError, FINISHER_SIZE, FinisherStatus, MmioDevice, TestFinisher, Uart16550,
};
use sim_core::{AccessWidth, GuestPhysAddr};

pub const UART_BASE: u64 = 0x1000_0000;
/// QEMU virt reserves 0x100 for the UART (the Machine's UART_WINDOW).
pub const UART_WINDOW: u64 = 0x100;
pub const FINISHER_BASE: u64 = 0x0010_0000;

/// What one access did.
#[derive(Debug)]
pub enum Access {
    Value(u64),
    Unhandled,
    Rejected(&'static str, DevError),
}

#[derive(Debug, Default)]
pub struct Bus {
    pub uart: Uart16550,
    pub finisher: TestFinisher,
}

impl Bus {
    pub fn access(
        &mut self,
        addr: GuestPhysAddr,
        width: AccessWidth,
        write: Option<u64>,
        now: u64,
    ) -> Access {
        let a = addr.as_u64();
        let (name, dev, off): (&'static str, &mut dyn MmioDevice, u64) =
            if a.wrapping_sub(UART_BASE) < UART_WINDOW {
                ("uart", &mut self.uart, a - UART_BASE)
            } else if a.wrapping_sub(FINISHER_BASE) < FINISHER_SIZE {
                ("test-finisher", &mut self.finisher, a - FINISHER_BASE)
            } else {
                return Access::Unhandled;
            };
        dev.set_time(now);
        let r = match write {
            Some(v) => dev.write(off, width, v).map(|()| 0),
            None => dev.read(off, width),
        };
        match r {
            Ok(v) => Access::Value(v),
            Err(e) => Access::Rejected(name, e),
        }
    }

    pub fn finisher_status(&self) -> Option<FinisherStatus> {
        self.finisher.status()
    }
}
