//! Plain device models, wired to a board's bus or emulated behind MMIO exits.
//!
//! Every model implements [`MmioDevice`]: register reads and writes at an offset inside the
//! device's window, with an [`AccessWidth`]. Models know nothing about exits, SBI or traps; a
//! rejected access comes back as a [`DevError`] and the board decides what the guest sees
//! (typically an access fault).
//!
//! **Time.** Models never read a clock. A time-dependent model (the [`Clint`]) is told the
//! current virtual time, in timebase ticks, through [`MmioDevice::set_time`], which the board
//! calls before every access to that device and before asking for its outputs; output queries
//! such as [`Clint::mtip`] also take the time explicitly. Models that do not care about time
//! ignore it.
//!
//! See `docs/devices.md` for the register maps and every choice the specs leave open.
//!
//! ```
//! use hw_models::dev::{Clint, MmioDevice, Uart16550};
//! use sim_core::AccessWidth;
//!
//! // A tiny bus: (base, device) pairs, as a board would hold them.
//! let mut bus: Vec<(u64, Box<dyn MmioDevice>)> = vec![
//!     (0x0200_0000, Box::new(Clint::new(1).unwrap())),
//!     (0x1000_0000, Box::new(Uart16550::new())),
//! ];
//! let addr = 0x0200_bff8; // CLINT mtime
//! let (base, dev) = bus
//!     .iter_mut()
//!     .find(|(b, d)| addr >= *b && addr - *b < d.size())
//!     .unwrap();
//! dev.set_time(1234);
//! assert_eq!(dev.read(addr - *base, AccessWidth::Qword), Ok(1234));
//! ```

mod clint;
mod test_finisher;
mod uart16550;

pub use clint::{CLINT_MAX_HARTS, CLINT_SIZE, Clint};
pub use test_finisher::{FINISHER_SIZE, FinisherStatus, TestFinisher};
pub use uart16550::{UART_OUTPUT_LIMIT, UART_SIZE, Uart16550};

use sim_core::AccessWidth;

/// Why a device rejected an access.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum DevError {
    /// No register at this offset (outside the window, a reserved hole, or misaligned for the
    /// register there).
    #[error("no device register at offset {offset:#x} for a {width}-bit access")]
    BadOffset {
        /// Offset inside the device window.
        offset: u64,
        /// Width of the access.
        width: AccessWidth,
    },
    /// The register exists but does not support this access width.
    #[error("register at offset {offset:#x} does not support {width}-bit accesses")]
    BadWidth {
        /// Offset inside the device window.
        offset: u64,
        /// Width of the access.
        width: AccessWidth,
    },
    /// The device cannot be built with this configuration; the string says why.
    #[error("invalid device configuration: {0}")]
    BadConfig(&'static str),
}

/// A device behind a window of memory-mapped registers.
pub trait MmioDevice {
    /// Reads the register at `offset` (from the start of the device window). Reads may have
    /// side effects (popping a receive FIFO, clearing status bits), as on hardware.
    fn read(&mut self, offset: u64, width: AccessWidth) -> Result<u64, DevError>;

    /// Writes the low `width` bits of `value` to the register at `offset`.
    fn write(&mut self, offset: u64, width: AccessWidth, value: u64) -> Result<(), DevError>;

    /// Size of the register window in bytes.
    fn size(&self) -> u64;

    /// Tells the device the current virtual time in timebase ticks. The board calls this
    /// before each access; devices without a notion of time ignore it.
    fn set_time(&mut self, _now_ticks: u64) {}
}
