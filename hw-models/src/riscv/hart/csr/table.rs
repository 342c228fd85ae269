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
