//! The G-stage translation schemes the builder writes.

/// A G-stage scheme (hgatp.MODE).
///
/// ```
/// use vcpu::stage2::GStageMode;
/// assert_eq!(GStageMode::Sv39x4.gpa_bits(), 41);
/// assert_eq!(GStageMode::Sv48x4.levels(), 4);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum GStageMode {
    /// Sv39x4: three levels, 41-bit guest-physical addresses (norm:hgatp_mode_sv39x4).
    #[default]
    Sv39x4,
    /// Sv48x4: four levels, 50-bit guest-physical addresses (norm:hgatp_mode_sv48x4).
    Sv48x4,
}

/// hgatp.MODE for Sv39x4 (priv spec, "Hypervisor Guest Address Translation and Protection
/// Register (hgatp)", encoding table).
const HGATP_MODE_SV39X4: u64 = 8;
/// hgatp.MODE for Sv48x4.
const HGATP_MODE_SV48X4: u64 = 9;
/// hgatp.MODE field position (HSXLEN = 64).
const HGATP_MODE_SHIFT: u32 = 60;
/// hgatp.VMID field position and width (VMIDMAX = 14 for Sv39x4/Sv48x4).
const HGATP_VMID_SHIFT: u32 = 44;
const HGATP_VMID_MASK: u64 = (1 << 14) - 1;
/// hgatp.PPN width.
const HGATP_PPN_MASK: u64 = (1 << 44) - 1;

impl GStageMode {
    /// The number of page-table levels.
    pub const fn levels(self) -> u32 {
        match self {
            Self::Sv39x4 => 3,
            Self::Sv48x4 => 4,
        }
    }

    /// The width of a guest-physical address: the Sv39/Sv48 width plus two
    /// (norm:hgatp_mode_x4).
    pub const fn gpa_bits(self) -> u32 {
        12 + 9 * self.levels() + 2
    }

    /// The spec name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sv39x4 => "Sv39x4",
            Self::Sv48x4 => "Sv48x4",
        }
    }

    /// The hgatp.MODE encoding.
    pub const fn hgatp_mode(self) -> u64 {
        match self {
            Self::Sv39x4 => HGATP_MODE_SV39X4,
            Self::Sv48x4 => HGATP_MODE_SV48X4,
        }
    }

    /// The hgatp value selecting this scheme with root table `root` (16 KiB aligned) and
    /// `vmid` (truncated to its 14 bits, as the WARL field would).
    ///
    /// ```
    /// use vcpu::stage2::GStageMode;
    /// assert_eq!(GStageMode::Sv39x4.hgatp(0x8000_4000, 1), 8 << 60 | 1 << 44 | 0x80004);
    /// ```
    pub const fn hgatp(self, root: u64, vmid: u16) -> u64 {
        (self.hgatp_mode() << HGATP_MODE_SHIFT)
            | (((vmid as u64) & HGATP_VMID_MASK) << HGATP_VMID_SHIFT)
            | ((root >> 12) & HGATP_PPN_MASK)
    }
}
