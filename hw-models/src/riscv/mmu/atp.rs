//! Decoding of the address-translation CSRs `satp`/`vsatp` and `hgatp` (RV64 layouts).

/// Position of the MODE field (bits 63:60) in `satp`, `vsatp` and `hgatp`.
pub const MODE_SHIFT: u32 = 60;
/// Position of `satp`.ASID (bits 59:44) and `hgatp`.VMID (bits 57:44).
pub const ID_SHIFT: u32 = 44;
/// ASIDMAX for Sv39/Sv48: 16 bits (norm:asidlen).
pub const ASID_MASK: u64 = 0xffff;
/// VMIDMAX for Sv39x4/Sv48x4: 14 bits (norm:hgatp_vmid_lsbs).
pub const VMID_MASK: u64 = 0x3fff;
/// The PPN field (bits 43:0).
pub const ATP_PPN_MASK: u64 = (1 << 44) - 1;

/// MODE encoding Bare (satp and hgatp).
pub const MODE_BARE: u64 = 0;
/// MODE encoding Sv39 (satp) / Sv39x4 (hgatp).
pub const MODE_SV39: u64 = 8;
/// MODE encoding Sv48 (satp) / Sv48x4 (hgatp).
pub const MODE_SV48: u64 = 9;

/// log2 of the 4 KiB page.
pub const PAGE_SHIFT: u32 = 12;
/// VPN bits per level (9 for Sv39/Sv48 and their x4 variants).
pub const VPN_BITS: u32 = 9;
/// Extra index bits of the G-stage root table: 2, so the root table is 16 KiB
/// (norm:hgatp_mode_x4).
pub const X4_EXTRA_BITS: u32 = 2;

/// A paged translation scheme for RV64: the page-table geometry shared by a first stage
/// (Sv39/Sv48) and its G-stage variant (Sv39x4/Sv48x4).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Scheme {
    /// Three levels, 39-bit VA (norm:Sv39_LEVELS, norm:Sv39_va_sz).
    Sv39,
    /// Four levels, 48-bit VA (norm:Sv48_LEVELS, norm:Sv48_va_sz).
    Sv48,
}

impl Scheme {
    /// LEVELS of the translation algorithm.
    #[inline]
    pub const fn levels(self) -> u32 {
        match self {
            Self::Sv39 => 3,
            Self::Sv48 => 4,
        }
    }

    /// Width of a first-stage virtual address: 39 or 48.
    #[inline]
    pub const fn va_bits(self) -> u32 {
        PAGE_SHIFT + VPN_BITS * self.levels()
    }

    /// Width of a G-stage input (guest-physical) address: 41 or 50
    /// (norm:hgatp_mode_sv39x4, norm:hgatp_mode_sv48x4).
    #[inline]
    pub const fn gpa_bits(self) -> u32 {
        self.va_bits() + X4_EXTRA_BITS
    }

    /// The MODE encoding.
    #[inline]
    pub const fn mode(self) -> u64 {
        match self {
            Self::Sv39 => MODE_SV39,
            Self::Sv48 => MODE_SV48,
        }
    }
}

/// What a MODE field selects.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum AtpMode {
    /// No translation.
    Bare,
    /// A paged scheme.
    Paged(Scheme),
    /// A MODE value hvsim does not implement (Sv57, Sv64, reserved, custom). The CSR file never
    /// holds one (see [`mode_supported`]); [`crate::riscv::mmu::translate`] refuses to translate
    /// through it (documented in docs/riscv-mmu.md).
    Unsupported(u8),
}

impl AtpMode {
    /// Decodes a raw MODE value (already shifted down, 4 bits).
    #[inline]
    pub const fn from_mode(mode: u64) -> Self {
        match mode & 0xf {
            MODE_BARE => Self::Bare,
            MODE_SV39 => Self::Paged(Scheme::Sv39),
            MODE_SV48 => Self::Paged(Scheme::Sv48),
            m => Self::Unsupported(m as u8),
        }
    }
}

/// Whether this MMU implements a MODE value of `satp`, `vsatp` or `hgatp`: Bare, Sv39(x4) and
/// Sv48(x4). The CSR file uses it to ignore `satp`/`vsatp` writes with another MODE
/// (norm:satp_mode_op_unsupported, norm:vsatp_mode_unsupported_v1) and to legalise the WARL
/// `hgatp`.MODE (norm:hgatp_mode_warl).
#[inline]
pub const fn mode_supported(mode: u64) -> bool {
    !matches!(AtpMode::from_mode(mode), AtpMode::Unsupported(_)) && mode <= 0xf
}

/// A decoded `satp` or `vsatp`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Satp {
    /// MODE.
    pub mode: AtpMode,
    /// ASID (16 bits; the CSR file masks it to the implemented ASIDLEN).
    pub asid: u16,
    /// PPN of the root page table.
    pub ppn: u64,
}

impl Satp {
    /// Decodes a raw RV64 `satp`/`vsatp` value.
    #[inline]
    pub const fn decode(raw: u64) -> Self {
        Self {
            mode: AtpMode::from_mode(raw >> MODE_SHIFT),
            asid: ((raw >> ID_SHIFT) & ASID_MASK) as u16,
            ppn: raw & ATP_PPN_MASK,
        }
    }
}

/// A decoded `hgatp`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Hgatp {
    /// MODE (Sv39 stands for Sv39x4, Sv48 for Sv48x4).
    pub mode: AtpMode,
    /// VMID (14 bits; the CSR file masks it to the implemented VMIDLEN).
    pub vmid: u16,
    /// PPN of the 16 KiB root page table, with PPN[1:0] forced to zero: those bits "always
    /// read as zeros" in the paged modes (norm:hgatp_ppn_op).
    pub ppn: u64,
}

impl Hgatp {
    /// Decodes a raw RV64 `hgatp` value.
    #[inline]
    pub const fn decode(raw: u64) -> Self {
        Self {
            mode: AtpMode::from_mode(raw >> MODE_SHIFT),
            vmid: ((raw >> ID_SHIFT) & VMID_MASK) as u16,
            ppn: raw & ATP_PPN_MASK & !((1 << X4_EXTRA_BITS) - 1),
        }
    }
}

/// Whether `va` is a canonical address for a first-stage scheme of `va_bits`: bits 63:va_bits
/// all equal bit va_bits-1 (norm:Sv39_va_signext, norm:Sv48_va_signext).
#[inline]
pub const fn is_canonical(va: u64, va_bits: u32) -> bool {
    let shift = 64 - va_bits;
    (((va << shift) as i64) >> shift) as u64 == va
}

#[cfg(test)]
mod tests {
    use super::*;

    /// rv64satp layout: MODE 63:60, ASID 59:44, PPN 43:0 (norm:satp).
    #[test]
    fn satp_fields() {
        let s = Satp::decode((9 << 60) | (0xbeef << 44) | 0x1234_5678);
        assert_eq!(s.mode, AtpMode::Paged(Scheme::Sv48));
        assert_eq!((s.asid, s.ppn), (0xbeef, 0x1234_5678));
        assert_eq!(Satp::decode(0).mode, AtpMode::Bare);
        assert_eq!(Satp::decode(10 << 60).mode, AtpMode::Unsupported(10));
    }

    /// rv64hgatp layout: VMID 57:44 (bits 59:58 are zero), PPN[1:0] read as zero in the x4
    /// modes (norm:hgatp_ppn_op).
    #[test]
    fn hgatp_fields() {
        let h = Hgatp::decode((8 << 60) | (0xffff << 44) | 0x1003);
        assert_eq!(h.mode, AtpMode::Paged(Scheme::Sv39));
        assert_eq!((h.vmid, h.ppn), (0x3fff, 0x1000));
    }

    /// norm:Sv39_va_signext, norm:Sv48_va_signext; GPA widths of norm:hgatp_mode_sv39x4/48x4.
    #[test]
    fn widths_and_canonical() {
        assert_eq!((Scheme::Sv39.va_bits(), Scheme::Sv39.gpa_bits()), (39, 41));
        assert_eq!((Scheme::Sv48.va_bits(), Scheme::Sv48.gpa_bits()), (48, 50));
        assert!(is_canonical(0x0000_003f_ffff_ffff, 39));
        assert!(is_canonical(0xffff_ffc0_0000_0000, 39));
        assert!(!is_canonical(0x0000_0040_0000_0000, 39));
        assert!(!is_canonical(0xffff_ff7f_ffff_ffff, 39));
        assert!(is_canonical(0xffff_8000_0000_0000, 48));
        assert!(!is_canonical(0x0000_8000_0000_0000, 48));
    }

    #[test]
    fn supported_modes() {
        let supported: [u64; 3] = [MODE_BARE, MODE_SV39, MODE_SV48];
        for m in 0..32 {
            assert_eq!(mode_supported(m), supported.contains(&m), "mode {m}");
        }
    }
}
