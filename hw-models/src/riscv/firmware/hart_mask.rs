//! The SBI "hart list" parameter pair (SBI v2.0 §3.1 "Hart list parameter"): `hart_mask`
//! is a bit vector of hart ids starting at `hart_mask_base`; a base of all ones means "all
//! available harts" and the mask is ignored.

use alloc::vec::Vec;

use super::sbi::{HART_MASK_BASE_ALL, err};

/// Bits in `hart_mask` (XLEN).
const MASK_BITS: u32 = u64::BITS;

/// The hart ids named by (`mask`, `base`), in ascending order, or SBI_ERR_INVALID_PARAM if
/// any of them is not a hart of the board (checked before anything is done, so a bad list
/// has no effect — as OpenSBI validates the whole list first).
pub(crate) fn resolve(mask: u64, base: u64, hart_count: usize) -> Result<Vec<usize>, i64> {
    if base == HART_MASK_BASE_ALL {
        return Ok((0..hart_count).collect());
    }
    let mut out = Vec::new();
    for bit in 0..MASK_BITS {
        if mask & (1 << bit) == 0 {
            continue;
        }
        let id = base
            .checked_add(u64::from(bit))
            .and_then(|id| usize::try_from(id).ok())
            .filter(|&id| id < hart_count)
            .ok_or(err::INVALID_PARAM)?;
        out.push(id);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_all_ones_selects_every_hart_and_ignores_the_mask() {
        assert_eq!(resolve(0, u64::MAX, 3), Ok(alloc::vec![0, 1, 2]));
        assert_eq!(resolve(0xdead, u64::MAX, 2), Ok(alloc::vec![0, 1]));
    }

    #[test]
    fn mask_bits_are_offsets_from_base() {
        assert_eq!(resolve(0b101, 1, 4), Ok(alloc::vec![1, 3]));
        assert_eq!(resolve(0, 1000, 4), Ok(alloc::vec![]));
    }

    #[test]
    fn any_hart_outside_the_board_is_invalid_param() {
        assert_eq!(resolve(0b11, 3, 4), Err(err::INVALID_PARAM));
        assert_eq!(resolve(1 << 63, u64::MAX - 1, 4), Err(err::INVALID_PARAM));
        assert_eq!(resolve(1 << 63, 1, 4), Err(err::INVALID_PARAM));
    }
}
