//! The bare board's physical address map: the QEMU `virt` layout both boards share
//! ([`crate::riscv::virt::map`]), and the bare board's RAM size limits.
//!
//! | base          | size      | what                                   |
//! |---------------|-----------|----------------------------------------|
//! | `0x0010_0000` | 4 KiB     | SiFive test finisher                   |
//! | `0x0200_0000` | 64 KiB    | CLINT (ACLINT MSWI + MTIMER layout)    |
//! | `0x1000_0000` | 4 KiB     | NS16550A UART (8 byte registers)       |
//! | `0x8000_0000` | `--ram`   | RAM                                    |

pub use crate::riscv::virt::map::*;

/// Default RAM size: 128 MiB.
pub const DEFAULT_RAM_SIZE: u64 = 128 << 20;
/// Largest RAM the board accepts: 16 GiB (the page table of a bank costs 8 bytes per 4 KiB
/// page, so this bounds host memory at 32 MiB even before any page is touched).
pub const MAX_RAM_SIZE: u64 = 16 << 30;
