//! Sv39/Sv48 (and Sv39x4/Sv48x4) page-table entry fields (priv spec, "Sv39 page table entry";
//! G-stage uses the identical format, norm:hgatp_mode_x4).

/// V: the entry is valid.
pub const V: u64 = 1 << 0;
/// R: readable.
pub const R: u64 = 1 << 1;
/// W: writable.
pub const W: u64 = 1 << 2;
/// X: executable.
pub const X: u64 = 1 << 3;
/// U: accessible to U-mode.
pub const U: u64 = 1 << 4;
/// G: global mapping (ignored in G-stage PTEs, norm:H_vm_gpa_g).
pub const G: u64 = 1 << 5;
/// A: accessed.
pub const A: u64 = 1 << 6;
/// D: dirty.
pub const D: u64 = 1 << 7;
/// R, W and X together: all zero means "pointer to the next level".
pub const RWX: u64 = R | W | X;
/// The bits hvsim keeps about a leaf in a TLB entry: V, R, W, X, U, G, A, D.
pub const FLAGS: u64 = 0xff;

/// First bit of the PPN field (bits 53:10).
pub const PPN_SHIFT: u32 = 10;
/// Width of the PPN field: 44 bits (norm:satp_ppn_sv39_sz, norm:satp_ppn_sv48_sz).
pub const PPN_BITS: u32 = 44;
/// Mask of the PPN field once shifted down.
pub const PPN_MASK: u64 = (1 << PPN_BITS) - 1;

/// Bits 63:54: N (Svnapot), PBMT (Svpbmt) and bits reserved for future standard use. hvsim
/// implements neither Svnapot nor Svpbmt, so all of them are reserved and a set bit makes the
/// PTE invalid (norm:Sv39_pte_svnapot_rsv, norm:Sv39_pte_svpbmt_rsv, norm:Sv39_pte_future_rsv).
pub const RESERVED_HIGH: u64 = 0x3ff << 54;

/// Bits that are reserved in a non-leaf PTE: D, A and U ("For non-leaf PTEs, the D, A, and U
/// bits are reserved for future standard use"). Step 3 of the translation algorithm faults on
/// any set reserved bit.
pub const RESERVED_NON_LEAF: u64 = D | A | U;

/// Size of one PTE in bytes (norm:Sv39_PTESIZE, norm:Sv48_PTESIZE).
pub const PTE_SIZE: u64 = 8;

/// The PPN of a PTE.
#[inline]
pub const fn ppn(pte: u64) -> u64 {
    (pte >> PPN_SHIFT) & PPN_MASK
}

/// Whether a valid PTE is a leaf (R or X set).
#[inline]
pub const fn is_leaf(pte: u64) -> bool {
    pte & (R | X) != 0
}

/// Whether a PTE is unusable: V=0, the reserved W-without-R encoding, a reserved high bit, or a
/// non-leaf with D/A/U set (translation algorithm step 3).
#[inline]
pub const fn is_invalid(pte: u64) -> bool {
    pte & V == 0
        || (pte & R == 0 && pte & W != 0)
        || pte & RESERVED_HIGH != 0
        || (!is_leaf(pte) && pte & RESERVED_NON_LEAF != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Step 3 of the translation algorithm and the R/W/X encoding table.
    #[test]
    fn validity() {
        assert!(is_invalid(0));
        assert!(is_invalid(R | W | A | D), "V=0");
        assert!(is_invalid(V | W), "W without R");
        assert!(is_invalid(V | W | X), "W without R, with X");
        assert!(is_invalid(V | R | (1 << 63)), "N without Svnapot");
        assert!(is_invalid(V | R | (1 << 61)), "PBMT without Svpbmt");
        assert!(is_invalid(V | R | (1 << 54)), "reserved");
        assert!(is_invalid(V | A), "non-leaf A");
        assert!(is_invalid(V | U), "non-leaf U");
        assert!(!is_invalid(V | G), "non-leaf G is allowed");
        assert!(!is_invalid(V | R | U | A | D | G));
        assert!(!is_invalid(V | X | (0xfff_ffff_ffff << PPN_SHIFT)));
        assert!(is_leaf(V | X) && !is_leaf(V));
        assert_eq!(ppn((0xabc << PPN_SHIFT) | V | (1 << 63)), 0xabc);
    }
}
