//! Address newtypes. Mixing a guest-physical address with a host-physical one is the classic
//! hypervisor bug, so each address space gets its own type.

use core::fmt;

macro_rules! address_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        #[repr(transparent)]
        pub struct $name(u64);

        impl $name {
            /// Wraps a raw address.
            pub const fn new(raw: u64) -> Self {
                Self(raw)
            }

            /// The raw address.
            pub const fn as_u64(self) -> u64 {
                self.0
            }

            /// `self + off`, or `None` on overflow.
            pub const fn checked_add(self, off: u64) -> Option<Self> {
                match self.0.checked_add(off) {
                    Some(v) => Some(Self(v)),
                    None => None,
                }
            }

            /// `self - off`, or `None` on underflow.
            pub const fn checked_sub(self, off: u64) -> Option<Self> {
                match self.0.checked_sub(off) {
                    Some(v) => Some(Self(v)),
                    None => None,
                }
            }

            /// The distance from `base` up to `self`, or `None` if `self < base`.
            pub const fn offset_from(self, base: Self) -> Option<u64> {
                self.0.checked_sub(base.0)
            }

            /// Rounds down to a multiple of `align` (a power of two).
            pub const fn align_down(self, align: u64) -> Self {
                Self(self.0 & !(align - 1))
            }

            /// Whether the address is a multiple of `align` (a power of two).
            pub const fn is_aligned(self, align: u64) -> bool {
                self.0 & (align - 1) == 0
            }

            /// The offset within a 4 KiB page.
            pub const fn page_offset(self) -> u64 {
                self.0 & 0xfff
            }
        }

        impl From<u64> for $name {
            fn from(raw: u64) -> Self {
                Self(raw)
            }
        }

        impl From<$name> for u64 {
            fn from(a: $name) -> u64 {
                a.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{:#x}", self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({:#x})"), self.0)
            }
        }

        impl fmt::LowerHex for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::LowerHex::fmt(&self.0, f)
            }
        }
    };
}

address_type!(
    /// An address in a guest's physical address space (the output of its own translation,
    /// the input of stage 2 / G-stage / EPT).
    GuestPhysAddr
);
address_type!(
    /// An address in a guest's virtual address space.
    GuestVirtAddr
);
address_type!(
    /// An address in host-physical memory: the board's [`crate::mem::PhysMem`].
    HostPhysAddr
);

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn display_is_hex() {
        assert_eq!(format!("{}", GuestPhysAddr::new(0x8000_0000)), "0x80000000");
        assert_eq!(
            format!("{:?}", HostPhysAddr::new(0x10)),
            "HostPhysAddr(0x10)"
        );
    }

    #[test]
    fn checked_arithmetic() {
        assert_eq!(GuestVirtAddr::new(u64::MAX).checked_add(1), None);
        assert_eq!(GuestVirtAddr::new(0).checked_sub(1), None);
        assert_eq!(
            GuestPhysAddr::new(0x1000).checked_add(0x10),
            Some(GuestPhysAddr::new(0x1010))
        );
        assert_eq!(
            GuestPhysAddr::new(0x1010).offset_from(GuestPhysAddr::new(0x1000)),
            Some(0x10)
        );
        assert_eq!(
            GuestPhysAddr::new(0x1234).align_down(0x1000),
            GuestPhysAddr::new(0x1000)
        );
        assert!(GuestPhysAddr::new(0x2000).is_aligned(0x1000));
        assert!(!GuestPhysAddr::new(0x2001).is_aligned(2));
    }
}
