//! The width of a memory or register access, named as in axvcpu.

use core::fmt;

/// The width of a memory access.
///
/// Names follow axvcpu (and x86): a *word* is 16 bits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum AccessWidth {
    /// 8 bits.
    Byte,
    /// 16 bits.
    Word,
    /// 32 bits.
    Dword,
    /// 64 bits.
    Qword,
}

impl AccessWidth {
    /// All widths, narrowest first.
    pub const ALL: [AccessWidth; 4] = [Self::Byte, Self::Word, Self::Dword, Self::Qword];

    /// The width of an access of `size` bytes, or `None` if `size` is not 1, 2, 4 or 8.
    pub const fn from_size(size: usize) -> Option<Self> {
        match size {
            1 => Some(Self::Byte),
            2 => Some(Self::Word),
            4 => Some(Self::Dword),
            8 => Some(Self::Qword),
            _ => None,
        }
    }

    /// The size in bytes.
    pub const fn size(self) -> usize {
        1 << self.log2_size()
    }

    /// log2 of the size in bytes (0..=3).
    pub const fn log2_size(self) -> u32 {
        match self {
            Self::Byte => 0,
            Self::Word => 1,
            Self::Dword => 2,
            Self::Qword => 3,
        }
    }

    /// The size in bits.
    pub const fn bits(self) -> u32 {
        8 << self.log2_size()
    }

    /// A mask of the low `bits()` bits.
    pub const fn mask(self) -> u64 {
        match self {
            Self::Qword => u64::MAX,
            _ => (1u64 << self.bits()) - 1,
        }
    }

    /// Keeps the low `bits()` bits of `value`.
    pub const fn zero_extend(self, value: u64) -> u64 {
        value & self.mask()
    }

    /// Sign-extends the low `bits()` bits of `value` to 64 bits.
    pub const fn sign_extend(self, value: u64) -> u64 {
        let shift = 64 - self.bits();
        (((value << shift) as i64) >> shift) as u64
    }

    /// Zero- or sign-extends the low `bits()` bits of `value`.
    pub const fn extend(self, value: u64, signed: bool) -> u64 {
        if signed {
            self.sign_extend(value)
        } else {
            self.zero_extend(value)
        }
    }
}

impl TryFrom<usize> for AccessWidth {
    type Error = usize;
    /// Fails with the rejected size.
    fn try_from(size: usize) -> Result<Self, usize> {
        Self::from_size(size).ok_or(size)
    }
}

impl From<AccessWidth> for usize {
    fn from(w: AccessWidth) -> usize {
        w.size()
    }
}

impl fmt::Display for AccessWidth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.bits())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_round_trip() {
        for w in AccessWidth::ALL {
            assert_eq!(AccessWidth::from_size(w.size()), Some(w));
        }
        assert_eq!(AccessWidth::from_size(3), None);
        assert_eq!(AccessWidth::try_from(16usize), Err(16));
    }

    #[test]
    fn extension() {
        assert_eq!(AccessWidth::Byte.sign_extend(0x80), 0xffff_ffff_ffff_ff80);
        assert_eq!(AccessWidth::Byte.zero_extend(0x1ff), 0xff);
        assert_eq!(AccessWidth::Word.sign_extend(0x7fff), 0x7fff);
        assert_eq!(
            AccessWidth::Dword.sign_extend(0x8000_0000),
            0xffff_ffff_8000_0000
        );
        assert_eq!(AccessWidth::Qword.sign_extend(0x8000_0000), 0x8000_0000);
        assert_eq!(AccessWidth::Qword.mask(), u64::MAX);
        assert_eq!(AccessWidth::Dword.mask(), 0xffff_ffff);
    }
}
