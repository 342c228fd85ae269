//! The SBI hart list parameter (SBI spec, "Hart List Parameter"): `hart_mask` is a bit
//! vector of hart ids counted from `hart_mask_base`; a base of -1 means every hart.

use super::consts::HART_MASK_BASE_ALL;

/// Whether every hart the mask names is a hart of this VM (`0..hart_count`).
pub fn valid(hart_mask: u64, hart_mask_base: u64, hart_count: u64) -> bool {
    if hart_mask_base == HART_MASK_BASE_ALL {
        return true;
    }
    let mut m = hart_mask;
    while m != 0 {
        let bit = u64::from(m.trailing_zeros());
        match hart_mask_base.checked_add(bit) {
            Some(h) if h < hart_count => {}
            _ => return false,
        }
        m &= m - 1;
    }
    true
}

/// Whether the mask names no hart at all.
pub fn is_empty(hart_mask: u64, hart_mask_base: u64) -> bool {
    hart_mask_base != HART_MASK_BASE_ALL && hart_mask == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert!(valid(0b11, 0, 2));
        assert!(!valid(0b100, 0, 2));
        assert!(!valid(1, u64::MAX - 1, 4));
        assert!(valid(0, 7, 2));
        assert!(valid(u64::MAX, HART_MASK_BASE_ALL, 1));
        assert!(!valid(1 << 63, u64::MAX - 10, u64::MAX));
    }
}
