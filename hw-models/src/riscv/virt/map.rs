//! The physical address map of both boards: the QEMU `virt` addresses of the devices they
//! have. RAM starts at `RAM_BASE`; its size is each board's configuration.
//!
//! | base          | size      | what                                   |
//! |---------------|-----------|----------------------------------------|
//! | `0x0010_0000` | 4 KiB     | SiFive test finisher                   |
//! | `0x0200_0000` | 64 KiB    | CLINT (ACLINT MSWI + MTIMER layout)    |
//! | `0x1000_0000` | 4 KiB     | NS16550A UART (8 byte registers)       |
//! | `0x8000_0000` | config    | RAM                                    |

use crate::dev::{CLINT_SIZE, FINISHER_SIZE};

/// The SiFive test finisher.
pub const FINISHER_BASE: u64 = 0x0010_0000;
/// The CLINT.
pub const CLINT_BASE: u64 = 0x0200_0000;
/// The 16550 UART.
pub const UART_BASE: u64 = 0x1000_0000;
/// The UART's window: one page (registers in its first 8 bytes, the rest faults).
pub const UART_WINDOW: u64 = 0x1000;
/// The default start of RAM.
pub const RAM_BASE: u64 = 0x8000_0000;

/// A device on the board; the value is its MMIO region id in `PhysMem`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u32)]
pub enum DeviceId {
    /// The SiFive test finisher.
    Finisher = 0,
    /// The CLINT.
    Clint = 1,
    /// The UART.
    Uart = 2,
}

/// Every device window: id, base, size.
pub const DEVICES: [(DeviceId, u64, u64); 3] = [
    (DeviceId::Finisher, FINISHER_BASE, FINISHER_SIZE),
    (DeviceId::Clint, CLINT_BASE, CLINT_SIZE),
    (DeviceId::Uart, UART_BASE, UART_WINDOW),
];

/// The device whose window holds `addr`, and the offset inside it.
#[inline]
pub fn device_at(addr: u64) -> Option<(DeviceId, u64)> {
    DEVICES.iter().find_map(|&(id, base, size)| {
        let off = addr.wrapping_sub(base);
        (off < size).then_some((id, off))
    })
}

/// Whether `[base, base + size)` overlaps a device window.
pub fn overlaps_device(base: u64, size: u64) -> bool {
    let end = base.saturating_add(size);
    DEVICES
        .iter()
        .any(|&(_, b, s)| base < b.saturating_add(s) && b < end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_decode_to_their_device_and_offset() {
        assert_eq!(device_at(0x0010_0000), Some((DeviceId::Finisher, 0)));
        assert_eq!(device_at(0x0200_bff8), Some((DeviceId::Clint, 0xbff8)));
        assert_eq!(device_at(0x1000_0005), Some((DeviceId::Uart, 5)));
        assert_eq!(device_at(0x0210_0000), None);
        assert_eq!(device_at(0x000f_ffff), None);
        assert_eq!(device_at(RAM_BASE), None);
        assert!(overlaps_device(0x0200_f000, 0x2000));
        assert!(!overlaps_device(RAM_BASE, 1 << 20));
    }
}
