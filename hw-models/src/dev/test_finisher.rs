//! The SiFive test finisher (`sifive,test0`, QEMU `virt` at 0x10_0000): a guest ends the run by
//! writing a status word.
//!
//! One register at offset 0, written with a 16- or 32-bit store:
//! - low 16 bits `0x5555`: pass;
//! - low 16 bits `0x3333`: fail, with the exit code in bits 31:16;
//! - low 16 bits `0x7777`: reset request;
//! - anything else: ignored (no effect).
//!
//! The first pass/fail/reset is latched; later writes do not change it until the board calls
//! [`TestFinisher::clear`]. Reads return 0. Byte and 64-bit accesses are rejected, as are
//! accesses to any other offset of the 4 KiB window.

use sim_core::AccessWidth;

use super::{DevError, MmioDevice};

/// Size of the register window.
pub const FINISHER_SIZE: u64 = 0x1000;
/// Offset of the status register.
const REG_STATUS: u64 = 0;
/// Low half of a status word: what to do.
const CMD_MASK: u64 = 0xffff;
/// The exit code of a fail command sits above the command.
const CODE_SHIFT: u32 = 16;
const CODE_MASK: u64 = 0xffff;
const CMD_PASS: u64 = 0x5555;
const CMD_FAIL: u64 = 0x3333;
const CMD_RESET: u64 = 0x7777;

/// How the guest asked the run to end.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FinisherStatus {
    /// `0x5555`: success.
    Pass,
    /// `0x3333 | code << 16`: failure with `code`.
    Fail(u16),
    /// `0x7777`: reset.
    Reset,
}

/// The SiFive test finisher.
///
/// ```
/// use hw_models::dev::{FinisherStatus, MmioDevice, TestFinisher};
/// use sim_core::AccessWidth;
///
/// let mut fin = TestFinisher::new();
/// fin.write(0, AccessWidth::Dword, 0x3333 | (7 << 16)).unwrap();
/// assert_eq!(fin.status(), Some(FinisherStatus::Fail(7)));
/// ```
#[derive(Clone, Debug, Default)]
pub struct TestFinisher {
    status: Option<FinisherStatus>,
}

impl TestFinisher {
    /// A finisher nobody has written to.
    pub fn new() -> Self {
        Self::default()
    }

    /// The latched status, if the guest asked to finish.
    pub fn status(&self) -> Option<FinisherStatus> {
        self.status
    }

    /// Forgets the latched status (after the board acted on a reset, for example).
    pub fn clear(&mut self) {
        self.status = None;
    }

    fn check(offset: u64, width: AccessWidth) -> Result<(), DevError> {
        if offset != REG_STATUS {
            return Err(DevError::BadOffset { offset, width });
        }
        match width {
            AccessWidth::Word | AccessWidth::Dword => Ok(()),
            _ => Err(DevError::BadWidth { offset, width }),
        }
    }
}

impl MmioDevice for TestFinisher {
    fn read(&mut self, offset: u64, width: AccessWidth) -> Result<u64, DevError> {
        Self::check(offset, width)?;
        Ok(0)
    }

    fn write(&mut self, offset: u64, width: AccessWidth, value: u64) -> Result<(), DevError> {
        Self::check(offset, width)?;
        let value = width.zero_extend(value);
        let status = match value & CMD_MASK {
            CMD_PASS => FinisherStatus::Pass,
            CMD_FAIL => FinisherStatus::Fail(((value >> CODE_SHIFT) & CODE_MASK) as u16),
            CMD_RESET => FinisherStatus::Reset,
            _ => return Ok(()),
        };
        self.status.get_or_insert(status);
        Ok(())
    }

    fn size(&self) -> u64 {
        FINISHER_SIZE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands() {
        for (v, want) in [
            (0x5555, FinisherStatus::Pass),
            (0xffff_5555, FinisherStatus::Pass),
            (0x3333, FinisherStatus::Fail(0)),
            (0x0001_3333, FinisherStatus::Fail(1)),
            (0xffff_3333, FinisherStatus::Fail(0xffff)),
            (0x7777, FinisherStatus::Reset),
        ] {
            let mut f = TestFinisher::new();
            f.write(0, AccessWidth::Dword, v).unwrap();
            assert_eq!(f.status(), Some(want), "{v:#x}");
        }
    }

    #[test]
    fn other_values_are_ignored_and_first_status_latches() {
        let mut f = TestFinisher::new();
        for v in [0, 0x5554, 0x3334, 0x1234_0000, 0x7776] {
            f.write(0, AccessWidth::Dword, v).unwrap();
        }
        assert_eq!(f.status(), None);
        f.write(0, AccessWidth::Word, 0x5555).unwrap();
        f.write(0, AccessWidth::Dword, 0x3333).unwrap();
        assert_eq!(f.status(), Some(FinisherStatus::Pass));
        f.clear();
        assert_eq!(f.status(), None);
    }

    #[test]
    fn word_write_has_no_code_bits() {
        let mut f = TestFinisher::new();
        // A 16-bit store carries only the command; upper value bits are not part of it.
        f.write(0, AccessWidth::Word, 0x0005_3333).unwrap();
        assert_eq!(f.status(), Some(FinisherStatus::Fail(0)));
    }

    #[test]
    fn bad_accesses() {
        let mut f = TestFinisher::new();
        assert_eq!(
            f.write(4, AccessWidth::Dword, 0x5555),
            Err(DevError::BadOffset {
                offset: 4,
                width: AccessWidth::Dword
            })
        );
        assert_eq!(
            f.write(0, AccessWidth::Qword, 0x5555),
            Err(DevError::BadWidth {
                offset: 0,
                width: AccessWidth::Qword
            })
        );
        assert!(f.read(0, AccessWidth::Byte).is_err());
        assert_eq!(f.read(0, AccessWidth::Dword), Ok(0));
        assert_eq!(f.status(), None);
        assert_eq!(f.size(), 0x1000);
    }
}
