//! A software TLB caching complete translations (VA -> host PA, through both stages), tagged by
//! V, VMID and ASID, with the exact flush operations of SFENCE.VMA, HFENCE.VVMA and
//! HFENCE.GVMA.
//!
//! Design (docs/riscv-mmu.md, "TLB"): a direct-mapped array indexed by VA[12+n:12]. Each entry
//! covers one 4 KiB page of VA and keeps the leaf flags and page sizes of both stages, so a hit
//! re-runs the same permission checks as the walker (privilege, SUM, MXR and HLVX are not part
//! of the tag and may change without a fence, norm:sfence_vma_sum_mxr_effect) and the flushes
//! can match superpages by their real extent. A hit that would fail a check, or a store to an
//! entry whose D bit is clear in either stage, falls back to a full walk, so faults and A/D
//! updates always come from memory.

use alloc::vec;
use alloc::vec::Vec;

use sim_core::addr::HostPhysAddr;
use sim_core::mem::PhysMem;

use super::atp::{ASID_MASK, AtpMode, Hgatp, MODE_SHIFT, PAGE_SHIFT, Satp, VMID_MASK};
use super::ctx::TranslateCtx;
use super::fault::{AccessType, Fault};
use super::perm::{GAccess, ad_needed, g_allows, s1_allows};
use super::translation::{Leaf, Translation};
use super::walk::translate;
use crate::riscv::privilege::PrivLevel;

/// Number of entries of [`Tlb::default`].
pub const DEFAULT_ENTRIES: usize = 512;
/// Upper bound on the number of entries [`Tlb::new`] accepts (larger requests are clamped).
pub const MAX_ENTRIES: usize = 1 << 20;

// Tag layout: one u64 compared with a single XOR.
const TAG_VALID: u64 = 1 << 0;
const TAG_VIRT: u64 = 1 << 1;
/// The first stage was Bare (V=1 with vsatp Bare). A MODE change from Bare takes effect
/// immediately (norm:sfence_vma_mode_effect), so such entries must never serve a paged vsatp.
const TAG_S1_BARE: u64 = 1 << 2;
/// The G-stage was Bare. Not architecturally required (a MODE change needs HFENCE.GVMA,
/// norm:hfence-gvma_mode) but free.
const TAG_G_BARE: u64 = 1 << 3;
const TAG_ASID_SHIFT: u32 = 16;
const TAG_VMID_SHIFT: u32 = 32;
const TAG_ASID: u64 = ASID_MASK << TAG_ASID_SHIFT;

#[derive(Clone, Copy, Debug, Default)]
struct Entry {
    tag: u64,
    /// VA >> 12.
    vpn: u64,
    /// PA >> 12 of that 4 KiB page.
    ppn: u64,
    /// GPA >> 12 of that 4 KiB page (the first-stage output).
    gppn: u64,
    s1: Leaf,
    g: Leaf,
    global: bool,
}

impl Entry {
    fn valid(&self) -> bool {
        self.tag & TAG_VALID != 0
    }
    fn virt(&self) -> bool {
        self.tag & TAG_VIRT != 0
    }
    fn s1_bare(&self) -> bool {
        self.tag & TAG_S1_BARE != 0
    }
    fn g_bare(&self) -> bool {
        self.tag & TAG_G_BARE != 0
    }
    fn asid(&self) -> u64 {
        (self.tag >> TAG_ASID_SHIFT) & ASID_MASK
    }
    fn vmid(&self) -> u64 {
        (self.tag >> TAG_VMID_SHIFT) & VMID_MASK
    }
    /// Whether the first-stage leaf of this entry maps `va` (its full superpage extent).
    fn s1_covers(&self, va: u64) -> bool {
        covers(self.vpn << PAGE_SHIFT, self.s1.page_shift, va)
    }
    /// Whether the G-stage leaf of this entry maps `gpa`.
    fn g_covers(&self, gpa: u64) -> bool {
        covers(self.gppn << PAGE_SHIFT, self.g.page_shift, gpa)
    }
    /// A superpage entry can be hit by a fence address outside its own 4 KiB slot.
    fn is_superpage(&self) -> bool {
        self.s1_bare() || u32::from(self.s1.page_shift) > PAGE_SHIFT
    }
}

/// Whether `addr` lies in the naturally aligned 2^shift region containing `base`.
fn covers(base: u64, shift: u8, addr: u64) -> bool {
    (base ^ addr).checked_shr(u32::from(shift)).unwrap_or(0) == 0
}

/// Hit/miss counters.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct TlbStats {
    /// Lookups served from the TLB.
    pub hits: u64,
    /// Lookups that needed a walk.
    pub misses: u64,
}

/// A per-hart software TLB. See the module documentation.
///
/// ```
/// use hw_models::riscv::PrivLevel;
/// use hw_models::riscv::mmu::{AccessType, Tlb, TranslateCtx};
/// use sim_core::mem::PhysMem;
/// let mut mem = PhysMem::new(1 << 20);
/// let mut tlb = Tlb::default();
/// let ctx = TranslateCtx::bare(PrivLevel::Supervisor);
/// let t = tlb.translate(&mut mem, &ctx, 0x1000, AccessType::Fetch).unwrap();
/// assert_eq!(t.pa.as_u64(), 0x1000);
/// tlb.sfence_vma(false, 0, None, None);
/// ```
#[derive(Debug)]
pub struct Tlb {
    entries: Vec<Entry>,
    mask: u64,
    /// Some valid entry may be a superpage (or a Bare-first-stage entry); address-specific
    /// VA fences must then scan every entry instead of one slot.
    may_hold_superpage: bool,
    stats: TlbStats,
    /// Bumped by every fence and flush: a translation obtained while it had one value and
    /// not fenced since may still be used (priv "Supervisor Memory-Management Fence
    /// Instruction": a hart may use stale translations until SFENCE.VMA/HFENCE).
    generation: u64,
}

impl Default for Tlb {
    fn default() -> Self {
        Self::new(DEFAULT_ENTRIES)
    }
}

/// The tag a lookup in `ctx` must match (before the ASID is masked for global entries), or
/// `None` when the context does not translate at all.
#[inline]
fn ctx_tag(ctx: &TranslateCtx) -> Option<u64> {
    if ctx.privilege == PrivLevel::Machine {
        return None;
    }
    let s1_bare = ctx.atp >> MODE_SHIFT == 0;
    if !ctx.virt {
        if s1_bare {
            return None;
        }
        let asid = Satp::decode(ctx.atp).asid as u64;
        return Some(TAG_VALID | (asid << TAG_ASID_SHIFT));
    }
    let asid = Satp::decode(ctx.atp).asid as u64;
    let hgatp = Hgatp::decode(ctx.hgatp);
    let mut tag =
        TAG_VALID | TAG_VIRT | (asid << TAG_ASID_SHIFT) | ((hgatp.vmid as u64) << TAG_VMID_SHIFT);
    if s1_bare {
        tag |= TAG_S1_BARE;
    }
    if hgatp.mode == AtpMode::Bare {
        tag |= TAG_G_BARE;
    }
    Some(tag)
}

impl Tlb {
    /// A TLB with `entries` slots, rounded up to a power of two and clamped to
    /// `1..=MAX_ENTRIES`.
    pub fn new(entries: usize) -> Self {
        let n = entries.clamp(1, MAX_ENTRIES).next_power_of_two();
        Self {
            entries: vec![Entry::default(); n],
            mask: (n - 1) as u64,
            may_hold_superpage: false,
            stats: TlbStats::default(),
            generation: 0,
        }
    }

    /// Number of slots.
    pub fn capacity(&self) -> usize {
        self.entries.len()
    }

    /// Number of valid entries (for tests and statistics).
    pub fn len(&self) -> usize {
        self.entries.iter().filter(|e| e.valid()).count()
    }

    /// Whether no entry is valid.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Changes whenever entries may have been invalidated (any fence or flush): a
    /// translation cached outside the TLB (the hart's fetch page) is still usable while
    /// this is unchanged.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Hit/miss counters since creation.
    pub fn stats(&self) -> TlbStats {
        self.stats
    }

    #[inline]
    fn slot(&self, vpn: u64) -> usize {
        (vpn & self.mask) as usize
    }

    /// Translates through the TLB: a hit that passes every check is returned, anything else
    /// walks the page tables with [`translate`] and caches the result.
    #[inline]
    pub fn translate(
        &mut self,
        mem: &mut PhysMem,
        ctx: &TranslateCtx,
        va: u64,
        access: AccessType,
    ) -> Result<Translation, Fault> {
        let Some(tag) = ctx_tag(ctx) else {
            return Ok(Translation::identity(va));
        };
        if let Some(t) = self.lookup_tagged(tag, ctx, va, access) {
            self.stats.hits = self.stats.hits.wrapping_add(1);
            return Ok(t);
        }
        self.stats.misses = self.stats.misses.wrapping_add(1);
        let t = translate(mem, ctx, va, access)?;
        self.insert_tagged(tag, va, &t);
        Ok(t)
    }

    /// A cached translation of `va` usable for `access` in `ctx`, without walking.
    pub fn lookup(&self, ctx: &TranslateCtx, va: u64, access: AccessType) -> Option<Translation> {
        self.lookup_tagged(ctx_tag(ctx)?, ctx, va, access)
    }

    #[inline]
    fn lookup_tagged(
        &self,
        tag: u64,
        ctx: &TranslateCtx,
        va: u64,
        access: AccessType,
    ) -> Option<Translation> {
        let vpn = va >> PAGE_SHIFT;
        let e = self.entries.get(self.slot(vpn))?;
        // Global mappings match every ASID.
        let mask = if e.global { !TAG_ASID } else { !0 };
        if (e.tag ^ tag) & mask != 0 || e.vpn != vpn {
            return None;
        }
        let write = access == AccessType::Store;
        let need = ad_needed(write);
        if !e.s1_bare() && (!s1_allows(e.s1.bits(), ctx, access) || e.s1.bits() & need != need) {
            return None;
        }
        if e.virt()
            && !e.g_bare()
            && (!g_allows(e.g.bits(), ctx, access, GAccess::Explicit) || e.g.bits() & need != need)
        {
            return None;
        }
        let off = va & ((1 << PAGE_SHIFT) - 1);
        Some(Translation {
            pa: HostPhysAddr::new((e.ppn << PAGE_SHIFT) | off),
            gpa: (e.gppn << PAGE_SHIFT) | off,
            s1: (!e.s1_bare()).then_some(e.s1),
            g: (e.virt() && !e.g_bare()).then_some(e.g),
            global: e.global,
        })
    }

    /// Caches a translation of `va` made by [`translate`] in `ctx`. Contexts that do not
    /// translate (M-mode, V=0 with Bare) are not cached.
    pub fn insert(&mut self, ctx: &TranslateCtx, va: u64, t: &Translation) {
        if let Some(tag) = ctx_tag(ctx) {
            self.insert_tagged(tag, va, t);
        }
    }

    fn insert_tagged(&mut self, tag: u64, va: u64, t: &Translation) {
        let vpn = va >> PAGE_SHIFT;
        let e = Entry {
            tag,
            vpn,
            ppn: t.pa.as_u64() >> PAGE_SHIFT,
            gppn: t.gpa >> PAGE_SHIFT,
            s1: t.s1.unwrap_or_default(),
            g: t.g.unwrap_or_default(),
            global: t.global,
        };
        self.may_hold_superpage |= e.is_superpage();
        let i = self.slot(vpn);
        if let Some(slot) = self.entries.get_mut(i) {
            *slot = e;
        }
    }

    /// Invalidates every entry.
    pub fn flush_all(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        self.entries.fill(Entry::default());
        self.may_hold_superpage = false;
    }

    /// SFENCE.VMA. `virt`: executed with V=1, so it acts on the VS-stage entries of the
    /// current `vmid` (norm:sfence_vma_v1), else on the HS-level (V=0) entries
    /// (norm:sfence_vma_v0). `va`: rs1 when rs1≠x0; `asid`: rs2 when rs2≠x0. Bits above
    /// ASIDMAX/VMIDMAX are ignored (norm:sfence_vma_rs2_bits); the caller masks the value to
    /// the implemented ASIDLEN/VMIDLEN as the CSR file does.
    ///
    /// Removes exactly the entries whose first-stage leaf maps `va` (any size), whose ASID is
    /// `asid` and that are not global (norm:sfence_vma_all_asid_va, norm:sfence_vma_asid_only,
    /// norm:sfence_vma_va_all_asid, norm:sfence_vma_va_asid). V=1 entries made with vsatp Bare
    /// hold no VS-level PTE, but are removed by every VS-level fence of their VMID.
    pub fn sfence_vma(&mut self, virt: bool, vmid: u64, va: Option<u64>, asid: Option<u64>) {
        let vmid = vmid & VMID_MASK;
        let asid = asid.map(|a| a & ASID_MASK);
        let pred = |e: &Entry| {
            if e.virt() != virt || (virt && e.vmid() != vmid) {
                return false;
            }
            if e.s1_bare() {
                return true;
            }
            let asid_ok = asid.is_none_or(|a| !e.global && e.asid() == a);
            asid_ok && va.is_none_or(|v| e.s1_covers(v))
        };
        match va {
            Some(v) if !self.may_hold_superpage => self.flush_slot(v >> PAGE_SHIFT, pred),
            _ => self.flush_where(pred),
        }
    }

    /// HFENCE.VVMA: SFENCE.VMA for the VS-stage of the virtual machine `vmid` (the current
    /// `hgatp`.VMID, norm:hfence-vvma_mode, norm:hfence-vvma_limits).
    pub fn hfence_vvma(&mut self, vmid: u64, va: Option<u64>, asid: Option<u64>) {
        self.sfence_vma(true, vmid, va, asid);
    }

    /// HFENCE.GVMA (norm:hfence-gvma_op). `vmid`: rs2 when rs2≠x0; `gpa`: the guest-physical
    /// address when rs1≠x0, i.e. rs1 << 2 (the hart undoes the instruction's shift).
    ///
    /// Removes every V=1 entry of that VMID whose G-stage leaf maps `gpa` (any size). Entries
    /// made with `hgatp` Bare hold no G-stage mapping, so only the `gpa`-less form removes them
    /// (norm:hfence-gvma_mode requires that form after a MODE change). VS-stage information
    /// is not G-stage-derived and need not be flushed; combined entries are flushed whole.
    pub fn hfence_gvma(&mut self, vmid: Option<u64>, gpa: Option<u64>) {
        let vmid = vmid.map(|v| v & VMID_MASK);
        self.flush_where(|e| {
            e.virt()
                && vmid.is_none_or(|v| e.vmid() == v)
                && gpa.is_none_or(|g| !e.g_bare() && e.g_covers(g))
        });
    }

    fn flush_slot(&mut self, vpn: u64, pred: impl Fn(&Entry) -> bool) {
        self.generation = self.generation.wrapping_add(1);
        let i = self.slot(vpn);
        if let Some(e) = self.entries.get_mut(i) {
            if e.valid() && pred(e) {
                *e = Entry::default();
            }
        }
    }

    fn flush_where(&mut self, pred: impl Fn(&Entry) -> bool) {
        self.generation = self.generation.wrapping_add(1);
        let mut superpage = false;
        for e in &mut self.entries {
            if !e.valid() {
                continue;
            }
            if pred(e) {
                *e = Entry::default();
            } else {
                superpage |= e.is_superpage();
            }
        }
        self.may_hold_superpage = superpage;
    }
}
