//! The access kinds of a nested (stage-2) page fault.

use core::fmt;
use core::ops::{BitOr, BitOrAssign};

/// Which kinds of access faulted: read, write, execute, or a combination (x86 EPT
/// violations report several bits at once). A tiny bit set, so the crate needs no
/// `bitflags` dependency.
///
/// ```
/// use vcpu::AccessFlags;
/// let rw = AccessFlags::READ | AccessFlags::WRITE;
/// assert!(rw.contains(AccessFlags::WRITE));
/// assert!(!rw.contains(AccessFlags::EXECUTE));
/// assert_eq!(rw.as_str(), "rw-");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct AccessFlags(u8);

impl AccessFlags {
    /// No access kind.
    pub const EMPTY: Self = Self(0);
    /// A data read.
    pub const READ: Self = Self(1 << 0);
    /// A data write.
    pub const WRITE: Self = Self(1 << 1);
    /// An instruction fetch.
    pub const EXECUTE: Self = Self(1 << 2);
    /// Every defined bit.
    pub const ALL: Self = Self(Self::READ.0 | Self::WRITE.0 | Self::EXECUTE.0);

    /// The set of the given raw bits, or `None` if `bits` has an undefined bit.
    pub const fn from_bits(bits: u8) -> Option<Self> {
        if bits & !Self::ALL.0 == 0 {
            Some(Self(bits))
        } else {
            None
        }
    }

    /// The raw bits (read = 1, write = 2, execute = 4).
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// Whether every bit of `other` is set in `self`.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether no bit is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The union of two sets.
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// `rwx`-style text with `-` for missing kinds, as in a page-table dump.
    pub const fn as_str(self) -> &'static str {
        // Indexed by the three bits; a table keeps this allocation-free for traces.
        const NAMES: [&str; 8] = ["---", "r--", "-w-", "rw-", "--x", "r-x", "-wx", "rwx"];
        NAMES[(self.0 & Self::ALL.0) as usize]
    }
}

impl BitOr for AccessFlags {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        self.union(rhs)
    }
}

impl BitOrAssign for AccessFlags {
    fn bitor_assign(&mut self, rhs: Self) {
        *self = self.union(rhs);
    }
}

impl fmt::Debug for AccessFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccessFlags({})", self.as_str())
    }
}

impl fmt::Display for AccessFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn from_bits_rejects_undefined_bits() {
        assert_eq!(AccessFlags::from_bits(0b111), Some(AccessFlags::ALL));
        assert_eq!(AccessFlags::from_bits(0b1000), None);
        assert_eq!(AccessFlags::from_bits(0), Some(AccessFlags::EMPTY));
    }

    #[test]
    fn text_lists_each_kind_in_rwx_order() {
        assert_eq!(AccessFlags::EMPTY.as_str(), "---");
        assert_eq!(AccessFlags::EXECUTE.as_str(), "--x");
        assert_eq!((AccessFlags::READ | AccessFlags::EXECUTE).as_str(), "r-x");
        assert_eq!(AccessFlags::ALL.as_str(), "rwx");
        let mut f = AccessFlags::WRITE;
        f |= AccessFlags::EXECUTE;
        assert_eq!(f.to_string(), "-wx");
        assert!(AccessFlags::EMPTY.is_empty());
        assert!(f.contains(AccessFlags::EMPTY));
    }
}
