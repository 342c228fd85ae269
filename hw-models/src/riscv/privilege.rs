//! Privilege modes. The H extension's virtualization mode V is a separate bit: the hart's
//! mode is the pair (privilege, V), giving M, HS, U, VS and VU.

/// A privilege level as encoded in xPP fields.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
#[repr(u8)]
pub enum PrivLevel {
    /// User (U or VU).
    User = 0,
    /// Supervisor (HS or VS).
    Supervisor = 1,
    /// Machine.
    Machine = 3,
}

impl PrivLevel {
    /// Decodes an xPP field value. Encoding 2 is reserved; MPP is WARL and hvsim maps it to
    /// User (documented in docs/riscv.md).
    pub const fn from_bits(bits: u64) -> Self {
        match bits & 3 {
            3 => Self::Machine,
            1 => Self::Supervisor,
            _ => Self::User,
        }
    }

    /// The xPP encoding.
    pub const fn bits(self) -> u64 {
        self as u64
    }
}

/// The full mode of a hart: privilege level plus the virtualization mode V.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Mode {
    /// The privilege level.
    pub privilege: PrivLevel,
    /// V: set in VS and VU modes. Never set with `Machine`.
    pub virt: bool,
}

impl Mode {
    /// M-mode.
    pub const M: Mode = Mode {
        privilege: PrivLevel::Machine,
        virt: false,
    };
    /// HS-mode (or S-mode on a hart without H).
    pub const HS: Mode = Mode {
        privilege: PrivLevel::Supervisor,
        virt: false,
    };
    /// U-mode.
    pub const U: Mode = Mode {
        privilege: PrivLevel::User,
        virt: false,
    };
    /// VS-mode.
    pub const VS: Mode = Mode {
        privilege: PrivLevel::Supervisor,
        virt: true,
    };
    /// VU-mode.
    pub const VU: Mode = Mode {
        privilege: PrivLevel::User,
        virt: true,
    };

    /// The conventional short name: "M", "HS", "U", "VS" or "VU".
    pub const fn name(self) -> &'static str {
        match (self.privilege, self.virt) {
            (PrivLevel::Machine, _) => "M",
            (PrivLevel::Supervisor, false) => "HS",
            (PrivLevel::User, false) => "U",
            (PrivLevel::Supervisor, true) => "VS",
            (PrivLevel::User, true) => "VU",
        }
    }
}
