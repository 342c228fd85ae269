//! The set of physical CPUs a vCPU may run on.

use core::fmt;

const WORD_BITS: usize = u64::BITS as usize;
const WORDS: usize = 4;

/// A fixed-size bit set of physical-CPU ids `0..PCpuSet::CAPACITY`.
///
/// A bit mask rather than a `BTreeSet`: it is `Copy`, never allocates, and the affinity
/// check on `bind` is one shift and one AND. 256 physical CPUs is far more than a simulated
/// board has; ids beyond that are rejected, never silently dropped.
///
/// ```
/// use vcpu::PCpuSet;
/// let mut s = PCpuSet::EMPTY;
/// s.insert(3)?;
/// assert!(s.contains(3));
/// assert!(!s.contains(4));
/// assert!(s.insert(PCpuSet::CAPACITY).is_err());
/// assert!(PCpuSet::ALL.contains(255));
/// # Ok::<(), vcpu::VCpuError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PCpuSet {
    words: [u64; WORDS],
}

impl PCpuSet {
    /// How many physical-CPU ids the set can hold.
    pub const CAPACITY: usize = WORD_BITS * WORDS;
    /// No physical CPU.
    pub const EMPTY: Self = Self { words: [0; WORDS] };
    /// Every physical CPU.
    pub const ALL: Self = Self {
        words: [u64::MAX; WORDS],
    };

    /// The set holding only `cpu`.
    pub fn single(cpu: usize) -> Result<Self, crate::VCpuError> {
        let mut s = Self::EMPTY;
        s.insert(cpu)?;
        Ok(s)
    }

    /// The set of the physical CPUs whose bits are set in `mask` (bit `i` = CPU `i`), as
    /// axvcpu's `phys_cpu_set` mask.
    pub const fn from_mask(mask: u64) -> Self {
        Self {
            words: [mask, 0, 0, 0],
        }
    }

    /// Adds `cpu`; fails with [`crate::VCpuError::BadConfig`] if it is out of range.
    pub fn insert(&mut self, cpu: usize) -> Result<(), crate::VCpuError> {
        let word = self
            .words
            .get_mut(cpu / WORD_BITS)
            .ok_or(crate::VCpuError::BadConfig(
                "physical CPU id beyond PCpuSet::CAPACITY",
            ))?;
        *word |= 1 << (cpu % WORD_BITS);
        Ok(())
    }

    /// Removes `cpu` (nothing happens if it is absent or out of range).
    pub fn remove(&mut self, cpu: usize) {
        if let Some(word) = self.words.get_mut(cpu / WORD_BITS) {
            *word &= !(1 << (cpu % WORD_BITS));
        }
    }

    /// Whether `cpu` is in the set (always false beyond the capacity).
    pub fn contains(&self, cpu: usize) -> bool {
        self.words
            .get(cpu / WORD_BITS)
            .is_some_and(|w| w & (1 << (cpu % WORD_BITS)) != 0)
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    /// The members, in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        (0..Self::CAPACITY).filter(|&c| self.contains(c))
    }
}

impl Default for PCpuSet {
    /// Every physical CPU, as axvcpu's `phys_cpu_set: None`.
    fn default() -> Self {
        Self::ALL
    }
}

impl fmt::Debug for PCpuSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn membership_across_words() {
        let mut s = PCpuSet::EMPTY;
        for c in [0, 63, 64, 200, 255] {
            s.insert(c).unwrap();
        }
        assert_eq!(s.iter().collect::<Vec<_>>(), [0, 63, 64, 200, 255]);
        s.remove(64);
        s.remove(10_000);
        assert!(!s.contains(64));
        assert!(!s.contains(usize::MAX));
        assert!(PCpuSet::single(256).is_err());
    }

    #[test]
    fn mask_matches_bits() {
        let s = PCpuSet::from_mask(0b1010);
        assert_eq!(s.iter().collect::<Vec<_>>(), [1, 3]);
        assert!(PCpuSet::EMPTY.is_empty());
        assert!(!s.is_empty());
        assert_eq!(PCpuSet::default(), PCpuSet::ALL);
    }
}
