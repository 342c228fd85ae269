//! The CSR dispatch table: CSR number → definition in one indexed load.
//!
//! `lookup` (the `match` chains of the machine, supervisor, hypervisor and trigger files)
//! stays the single definition of which CSRs exist. The table is built from it once per
//! hart (at `Hart::new` and `reset`), so every CSR instruction and every `csr_access` of the
//! hypervisor seam costs an array index instead of up to four `match` chains
//! (docs/riscv-hart.md, "CSR dispatch").

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::{CsrDef, lookup};
use crate::riscv::hart::config::Features;

/// CSR numbers are 12 bits wide (Zicsr: csr[11:0]).
const CSR_SPACE: usize = 1 << 12;
/// Index value of a number with no CSR.
const ABSENT: u16 = u16::MAX;

/// The implemented CSRs of one feature set, indexed by number.
#[derive(Clone)]
pub(crate) struct CsrTable {
    /// `slot[num]`: position of CSR `num` in `defs`, or [`ABSENT`].
    slot: Box<[u16]>,
    defs: Vec<CsrDef>,
}

impl CsrTable {
    /// Builds the table for features `f` from [`lookup`].
    pub(crate) fn new(f: Features) -> Self {
        let mut defs = Vec::new();
        let mut slot = alloc::vec![ABSENT; CSR_SPACE].into_boxed_slice();
        for (num, s) in (0u16..).zip(slot.iter_mut()) {
            if let Some(d) = lookup(num, f) {
                // Fewer than 4096 CSRs exist, so the position always fits below ABSENT.
                if let Ok(i) = u16::try_from(defs.len()) {
                    *s = i;
                    defs.push(d);
                }
            }
        }
        Self { slot, defs }
    }

    /// The definition of CSR `num`, or `None` if it does not exist (any number above 12
    /// bits included). Same answer as [`lookup`] for the table's features.
    #[inline]
    pub(crate) fn get(&self, num: u16) -> Option<&CsrDef> {
        let i = *self.slot.get(usize::from(num))?;
        self.defs.get(usize::from(i))
    }
}

impl core::fmt::Debug for CsrTable {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CsrTable")
            .field("csrs", &self.defs.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::riscv::hart::state::ArchState;

    /// The table answers exactly as the `match` chains for all 4096 numbers (and numbers
    /// beyond 12 bits do not exist), for every feature set: same existence, writability,
    /// counter gate, read-modify-write rule and read value (Zicsr: an absent CSR raises
    /// illegal-instruction, so existence must not change).
    #[test]
    fn table_matches_lookup_for_every_number() {
        for (s, h) in [(false, false), (true, false), (true, true)] {
            let f = Features { s, h };
            let t = CsrTable::new(f);
            let st = ArchState::new(3, 0x8000_0000, f);
            let mut present = 0;
            for num in 0..=u16::MAX {
                let a = t.get(num);
                let b = lookup(num, f);
                assert_eq!(a.is_some(), b.is_some(), "csr {num:#x} features {f:?}");
                if let (Some(a), Some(b)) = (a, b) {
                    present += 1;
                    assert_eq!(a.write.is_some(), b.write.is_some(), "csr {num:#x}");
                    assert_eq!(a.counter_bit, b.counter_bit, "csr {num:#x}");
                    assert_eq!(a.rmw_read.is_some(), b.rmw_read.is_some(), "csr {num:#x}");
                    assert_eq!((a.read)(&st), (b.read)(&st), "csr {num:#x}");
                }
            }
            // mstatus, mhartid and the pmpaddr registers exist in every feature set.
            assert!(present > 64 + 3);
            assert!(t.get(0x1000).is_none());
        }
    }
}
