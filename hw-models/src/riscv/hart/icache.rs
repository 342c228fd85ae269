//! The decoded-instruction cache: decode once, keyed by physical address.
//!
//! Code is cached per 4 KiB physical page as an array of one [`Insn`] per halfword (the
//! granule of instruction addresses with C). A slot with `len == 0` is empty. A page→slot map
//! (a `BTreeMap`, deterministic) finds a page's array when execution enters the page; the run
//! loop then indexes the array directly while the pc stays in the page.
//!
//! Invalidation: every store the hart makes to RAM consults a 4096-bit filter indexed by the
//! physical page number. A clear bit (the common case: data pages) costs one load and test.
//! A set bit sends the store to [`DecodeCache::invalidate`], which empties exactly the slots
//! the written bytes can belong to (an instruction starting up to 2 bytes before them). The
//! board's own writes into memory go through [`DecodeCache::invalidate`] or
//! [`DecodeCache::flush`] via the hart API; FENCE.I flushes everything.

use alloc::collections::BTreeMap;
use alloc::vec;
use alloc::vec::Vec;

use crate::riscv::isa::{Insn, Op};
use sim_core::mem::{PAGE_SHIFT, PAGE_SIZE};

/// Instruction slots per page (one per halfword).
pub(crate) const SLOTS: usize = PAGE_SIZE / 2;
/// Bits in the store filter.
const FILTER_BITS: usize = 4096;

/// The empty slot marker.
pub(crate) const EMPTY: Insn = Insn {
    op: Op::Illegal,
    rd: 0,
    rs1: 0,
    rs2: 0,
    len: 0,
    imm: 0,
    raw: 0,
};

/// The cache. See the module documentation.
///
/// All slot arrays live in one flat vector (page handle `h` owns
/// `insns[h * SLOTS..(h + 1) * SLOTS]`), so a fetch is one bounds check and one load.
#[derive(Debug)]
pub(crate) struct DecodeCache {
    insns: Vec<Insn>,
    /// Per page handle: whether any slot may be non-empty (lets repeated invalidation skip
    /// work).
    populated: Vec<bool>,
    index: BTreeMap<u64, u32>,
    filter: Vec<u64>,
    capacity: usize,
    /// Bumped by every flush: page handles from before a flush name other pages after it.
    generation: u64,
}

impl DecodeCache {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            insns: Vec::new(),
            populated: Vec::new(),
            index: BTreeMap::new(),
            filter: vec![0; FILTER_BITS / 64],
            capacity: capacity.max(1),
            generation: 0,
        }
    }

    #[inline]
    fn filter_pos(ppn: u64) -> (usize, u64) {
        let b = (ppn as usize) % FILTER_BITS;
        (b / 64, 1 << (b % 64))
    }

    /// Whether physical page `ppn` may hold cached code (or is otherwise marked). False
    /// positives are allowed, false negatives are not.
    #[inline(always)]
    pub(crate) fn is_marked(&self, ppn: u64) -> bool {
        let (w, m) = Self::filter_pos(ppn);
        self.filter.get(w).is_some_and(|x| x & m != 0)
    }

    /// Marks page `ppn` in the store filter.
    pub(crate) fn mark(&mut self, ppn: u64) {
        let (w, m) = Self::filter_pos(ppn);
        if let Some(x) = self.filter.get_mut(w) {
            *x |= m;
        }
    }

    /// The handle of physical page `ppn`'s slot array, if it has one.
    #[inline]
    pub(crate) fn handle_of(&self, ppn: u64) -> Option<&u32> {
        self.index.get(&ppn)
    }

    /// The slot array for physical page `ppn`, creating it (and flushing everything first if
    /// the cache is full). Returns its handle and whether a flush happened.
    pub(crate) fn page_for(&mut self, ppn: u64) -> (u32, bool) {
        if let Some(&i) = self.index.get(&ppn) {
            return (i, false);
        }
        let mut flushed = false;
        if self.populated.len() >= self.capacity {
            self.flush();
            flushed = true;
        }
        let i = self.populated.len() as u32;
        self.insns.resize(self.insns.len() + SLOTS, EMPTY);
        self.populated.push(false);
        self.index.insert(ppn, i);
        self.mark(ppn);
        (i, flushed)
    }

    /// The slot for page offset `off`, if the handle is valid.
    #[inline(always)]
    pub(crate) fn slot(&self, page: u32, off: u64) -> Option<&Insn> {
        self.insns.get(slot_index(page, off))
    }

    /// Caches `insn` at page offset `off`.
    pub(crate) fn set(&mut self, page: u32, off: u64, insn: Insn) {
        if let (Some(s), Some(p)) = (
            self.insns.get_mut(slot_index(page, off)),
            self.populated.get_mut(page as usize),
        ) {
            *s = insn;
            *p = true;
        }
    }

    /// Empties every slot an instruction overlapping physical bytes `[pa, pa + len)` could
    /// occupy. Returns whether anything was cached in the pages touched.
    pub(crate) fn invalidate(&mut self, pa: u64, len: u64) -> bool {
        if len == 0 {
            return false;
        }
        let first = pa.saturating_sub(2);
        let last = pa.saturating_add(len - 1);
        let mut hit = false;
        let mut ppn = first >> PAGE_SHIFT;
        while ppn <= last >> PAGE_SHIFT {
            if let Some(&i) = self.index.get(&ppn) {
                if let Some(p) = self.populated.get_mut(i as usize).filter(|p| **p) {
                    let page_base = ppn << PAGE_SHIFT;
                    let lo = first.max(page_base) - page_base;
                    let hi = last.min(page_base + (PAGE_SIZE as u64 - 1)) - page_base;
                    if lo == 0 && hi == PAGE_SIZE as u64 - 1 {
                        *p = false;
                    }
                    let (lo, hi) = (slot_index(i, lo), slot_index(i, hi));
                    if let Some(slots) = self.insns.get_mut(lo..=hi) {
                        slots.fill(EMPTY);
                    }
                    hit = true;
                }
            }
            match ppn.checked_add(1) {
                Some(n) => ppn = n,
                None => break,
            }
        }
        hit
    }

    /// Drops everything.
    pub(crate) fn flush(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        self.insns.clear();
        self.populated.clear();
        self.index.clear();
        self.filter.fill(0);
    }

    /// Changes at every flush; a page handle is valid while it is unchanged.
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    /// Number of physical pages with a slot array.
    pub(crate) fn pages(&self) -> usize {
        self.populated.len()
    }
}

/// The flat index of the slot for page offset `off` of page handle `page`.
#[inline(always)]
fn slot_index(page: u32, off: u64) -> usize {
    (page as usize) * SLOTS + ((off as usize >> 1) & (SLOTS - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add() -> Insn {
        Insn {
            rd: 1,
            ..Insn::new(Op::Add)
        }
    }

    #[test]
    fn invalidation_is_precise_and_covers_straddling_instructions() {
        let mut c = DecodeCache::new(4);
        let (p, _) = c.page_for(5);
        for off in (0..16).step_by(2) {
            c.set(p, off, add());
        }
        assert!(c.is_marked(5));
        // A 1-byte store at offset 9 can hit the instructions starting at 6 and 8 (a 4-byte
        // one at 6 covers 6..10) but not the one at 10.
        assert!(c.invalidate((5 << 12) + 9, 1));
        assert_eq!(c.slot(p, 6).map_or(0, |i| i.len), 0);
        assert_eq!(c.slot(p, 8).map_or(0, |i| i.len), 0);
        assert_eq!(c.slot(p, 4).map_or(0, |i| i.len), 4);
        assert_eq!(c.slot(p, 10).map_or(0, |i| i.len), 4);
        // A store into a page without code touches nothing.
        assert!(!c.invalidate(7 << 12, 8));
    }

    #[test]
    fn capacity_flushes() {
        let mut c = DecodeCache::new(2);
        assert!(!c.page_for(1).1);
        assert!(!c.page_for(2).1);
        assert!(c.page_for(3).1);
        assert_eq!(c.pages(), 1);
        assert!(!c.is_marked(1));
    }
}
