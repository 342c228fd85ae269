//! The bare board's physical address map (the QEMU `virt` layout for the devices it has).
//!
//! | base          | size      | what                                   |
//! |---------------|-----------|----------------------------------------|
//! | `0x0010_0000` | 4 KiB     | SiFive test finisher                   |
//! | `0x0200_0000` | 64 KiB    | CLINT (ACLINT MSWI + MTIMER layout)    |
//! | `0x1000_0000` | 4 KiB     | NS16550A UART (8 byte registers)       |
//! | `0x8000_0000` | `--ram`   | RAM                                    |

use crate::dev::{CLINT_SIZE, FINISHER_SIZE};

/// The SiFive test finisher.
pub const FINISHER_BASE: u64 = 0x0010_0000;
/// The CLINT.
pub const CLINT_BASE: u64 = 0x0200_0000;
/// The 16550 UART.
pub const UART_BASE: u64 = 0x1000_0000;
/// The UART's window in the address map: one page (the registers are its first 8 bytes;
/// the rest of the page answers with an access fault).
pub const UART_WINDOW: u64 = 0x1000;
/// The start of RAM.
pub const RAM_BASE: u64 = 0x8000_0000;
/// Default RAM size: 128 MiB.
pub const DEFAULT_RAM_SIZE: u64 = 128 << 20;
/// Largest RAM the board accepts: 16 GiB (the page table of a bank costs 8 bytes per 4 KiB
/// page, so this bounds host memory at 32 MiB even before any page is touched).
pub const MAX_RAM_SIZE: u64 = 16 << 30;

/// A device on the board.
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
    }
}
