//! Data memory access: the translation seam, the RAM fast path and MMIO.
//!
//! Every access goes through [`Hart::translate`] (the MMU with the current fetch or data
//! context: Sv39/Sv48, and the G-stage at V=1; untranslated in M-mode and with Bare), then to
//! RAM via a small direct-mapped cache of page lookups, or to the board's MMIO callbacks.

use sim_core::mem::{PAGE_SHIFT, PAGE_SIZE, PageRef};
use sim_core::{AccessWidth, HostPhysAddr};

use super::bus::{Bus, MmioEffect};
use super::config::MisalignedPolicy;
use super::trap::Exception;
use super::xlate::fault_exception;
use super::{Hart, NO_PAGE, StopReason};
use crate::riscv::cause::exc;
use crate::riscv::mmu::{AccessType as MmuAccess, TranslateCtx};

/// Entries in the RAM lookup cache.
const RAM_TLB_ENTRIES: usize = 64;
const PAGE_MASK: u64 = PAGE_SIZE as u64 - 1;

/// What an access is for (selects fault causes and the MMU permission checked).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum AccessType {
    /// Instruction fetch.
    Fetch,
    /// Load (also LR).
    Load,
    /// Store, SC or AMO.
    Store,
}

impl AccessType {
    const fn access_fault(self) -> u64 {
        match self {
            Self::Fetch => exc::INSTRUCTION_ACCESS_FAULT,
            Self::Load => exc::LOAD_ACCESS_FAULT,
            Self::Store => exc::STORE_ACCESS_FAULT,
        }
    }

    const fn misaligned(self) -> u64 {
        match self {
            Self::Fetch => exc::INSTRUCTION_ADDRESS_MISALIGNED,
            Self::Load => exc::LOAD_ADDRESS_MISALIGNED,
            Self::Store => exc::STORE_ADDRESS_MISALIGNED,
        }
    }
}

/// Direct-mapped cache from physical page number to the [`PageRef`] of a RAM page.
#[derive(Clone, Debug)]
pub(crate) struct RamTlb {
    /// `ppn + 1`, 0 = empty.
    tag: [u64; RAM_TLB_ENTRIES],
    page: [Option<PageRef>; RAM_TLB_ENTRIES],
}

impl Default for RamTlb {
    fn default() -> Self {
        Self {
            tag: [0; RAM_TLB_ENTRIES],
            page: [None; RAM_TLB_ENTRIES],
        }
    }
}

const fn width_of(size: usize) -> AccessWidth {
    match size {
        1 => AccessWidth::Byte,
        2 => AccessWidth::Word,
        4 => AccessWidth::Dword,
        _ => AccessWidth::Qword,
    }
}

impl Hart {
    /// Virtual to physical through the MMU with the current fetch or data context. The
    /// untranslated case (M-mode, Bare) costs one branch.
    #[inline(always)]
    pub(crate) fn translate<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        va: u64,
        access: AccessType,
    ) -> Result<u64, Exception> {
        let ctx = match access {
            AccessType::Fetch => {
                return match self.fetch_ctx {
                    None => Ok(va),
                    Some(c) => self.translate_with(bus, &c, va, access),
                };
            }
            _ => self.data_ctx,
        };
        let Some(c) = ctx else {
            return Ok(va);
        };
        // The last page translated for loads and for stores, valid until the context
        // changes (refresh_ctx) or a fence runs: one compare instead of a TLB lookup.
        let vpn = va >> PAGE_SHIFT;
        let slot = if access == AccessType::Store {
            &mut self.last_store
        } else {
            &mut self.last_load
        };
        if slot.0 == vpn {
            return Ok((slot.1 << PAGE_SHIFT) | (va & PAGE_MASK));
        }
        let pa = self.translate_with(bus, &c, va, access)?;
        let slot = if access == AccessType::Store {
            &mut self.last_store
        } else {
            &mut self.last_load
        };
        *slot = (vpn, pa >> PAGE_SHIFT);
        Ok(pa)
    }

    /// Forgets the last-page translations (the data context or the TLB changed).
    #[inline]
    pub(crate) fn forget_last_pages(&mut self) {
        self.last_load = (NO_PAGE, 0);
        self.last_store = (NO_PAGE, 0);
    }

    /// Translation through the TLB (walking on a miss).
    #[inline(never)]
    pub(crate) fn translate_with<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        ctx: &TranslateCtx,
        va: u64,
        access: AccessType,
    ) -> Result<u64, Exception> {
        let at = match access {
            AccessType::Fetch => MmuAccess::Fetch,
            AccessType::Load => MmuAccess::Load,
            AccessType::Store => MmuAccess::Store,
        };
        match self.tlb.translate(bus.mem(), ctx, va, at) {
            Ok(t) => Ok(t.pa.as_u64()),
            Err(f) => Err(fault_exception(f, va, ctx.virt)),
        }
    }

    /// Empties the RAM lookup cache if the memory map changed since it was filled (a
    /// hart runs against one memory; its map can grow between runs).
    #[inline]
    pub(crate) fn sync_ram_cache<B: Bus + ?Sized>(&mut self, bus: &mut B) {
        let layout = bus.mem().layout_generation();
        if layout != self.ram_layout {
            self.ram = RamTlb::default();
            self.ram_layout = layout;
        }
    }

    /// The RAM page holding physical page `ppn`, if it is RAM.
    #[inline(always)]
    pub(crate) fn ram_page<B: Bus + ?Sized>(&mut self, bus: &mut B, ppn: u64) -> Option<PageRef> {
        let i = (ppn as usize) % RAM_TLB_ENTRIES;
        if self.ram.tag[i] == ppn.wrapping_add(1) {
            return self.ram.page[i];
        }
        let p = bus.mem().page_ref(HostPhysAddr::new(ppn << PAGE_SHIFT))?;
        self.ram.tag[i] = ppn.wrapping_add(1);
        self.ram.page[i] = Some(p);
        Some(p)
    }

    /// A load of `size` (1, 2, 4, 8) bytes at `va`, zero-extended.
    #[inline(always)]
    pub(crate) fn load<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        va: u64,
        size: usize,
    ) -> Result<u64, Exception> {
        let misaligned = va & (size as u64 - 1) != 0;
        if misaligned && self.cfg.misaligned == MisalignedPolicy::Trap {
            return Err(Exception::new(exc::LOAD_ADDRESS_MISALIGNED, va));
        }
        let pa = self.translate(bus, va, AccessType::Load)?;
        let off = (pa & PAGE_MASK) as usize;
        if off + size <= PAGE_SIZE {
            if let Some(p) = self.ram_page(bus, pa >> PAGE_SHIFT) {
                let page = bus.mem().page(p);
                let mut b = [0u8; 8];
                if let (Some(d), Some(s)) = (b.get_mut(..size), page.get(off..off + size)) {
                    d.copy_from_slice(s);
                }
                return Ok(u64::from_le_bytes(b));
            }
            return self.mmio_load(bus, va, pa, size, misaligned, AccessType::Load);
        }
        self.load_split(bus, va, size)
    }

    fn mmio_load<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        va: u64,
        pa: u64,
        size: usize,
        misaligned: bool,
        at: AccessType,
    ) -> Result<u64, Exception> {
        // Devices are I/O regions: misaligned accesses to them raise address-misaligned
        // (norm:pma_idp_misaligned_exc lets I/O refuse them).
        if misaligned {
            return Err(Exception::new(at.misaligned(), va));
        }
        bus.mmio_read(HostPhysAddr::new(pa), width_of(size), self.st.retired)
            .map_err(|_| Exception::new(at.access_fault(), va))
    }

    /// A misaligned load crossing a page: byte by byte, all bytes must be RAM.
    fn load_split<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        va: u64,
        size: usize,
    ) -> Result<u64, Exception> {
        let mut v = 0u64;
        for i in 0..size {
            let a = va.wrapping_add(i as u64);
            let pa = self.translate(bus, a, AccessType::Load)?;
            let p = self
                .ram_page(bus, pa >> PAGE_SHIFT)
                .ok_or(Exception::new(exc::LOAD_ACCESS_FAULT, va))?;
            let byte = bus
                .mem()
                .page(p)
                .get((pa & PAGE_MASK) as usize)
                .copied()
                .unwrap_or(0);
            v |= u64::from(byte) << (8 * i);
        }
        Ok(v)
    }

    /// A store of the low `size` bytes of `value` at `va`.
    #[inline(always)]
    pub(crate) fn store<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        va: u64,
        size: usize,
        value: u64,
    ) -> Result<(), Exception> {
        let misaligned = va & (size as u64 - 1) != 0;
        if misaligned && self.cfg.misaligned == MisalignedPolicy::Trap {
            return Err(Exception::new(exc::STORE_ADDRESS_MISALIGNED, va));
        }
        let pa = self.translate(bus, va, AccessType::Store)?;
        let off = (pa & PAGE_MASK) as usize;
        if off + size <= PAGE_SIZE {
            if let Some(p) = self.ram_page(bus, pa >> PAGE_SHIFT) {
                let bytes = value.to_le_bytes();
                let page = bus.mem().page_mut(p);
                if let (Some(d), Some(s)) = (page.get_mut(off..off + size), bytes.get(..size)) {
                    d.copy_from_slice(s);
                }
                self.after_ram_store(pa, size as u64);
                return Ok(());
            }
            if misaligned {
                return Err(Exception::new(exc::STORE_ADDRESS_MISALIGNED, va));
            }
            let r = bus.mmio_write(
                HostPhysAddr::new(pa),
                width_of(size),
                value,
                self.st.retired,
            );
            return match r {
                Ok(MmioEffect::None) => Ok(()),
                Ok(MmioEffect::Attention) => {
                    self.request_stop(StopReason::Attention);
                    Ok(())
                }
                Err(_) => Err(Exception::new(exc::STORE_ACCESS_FAULT, va)),
            };
        }
        self.store_split(bus, va, size, value)
    }

    /// A misaligned store crossing a page: every byte is translated and checked to be RAM
    /// before any is written, so a fault leaves memory unchanged.
    fn store_split<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        va: u64,
        size: usize,
        value: u64,
    ) -> Result<(), Exception> {
        let mut targets = [(0u64, None::<PageRef>); 8];
        for (i, t) in targets.iter_mut().enumerate().take(size) {
            let pa = self.translate(bus, va.wrapping_add(i as u64), AccessType::Store)?;
            let p = self
                .ram_page(bus, pa >> PAGE_SHIFT)
                .ok_or(Exception::new(exc::STORE_ACCESS_FAULT, va))?;
            *t = (pa, Some(p));
        }
        for (i, &(pa, p)) in targets.iter().enumerate().take(size) {
            if let Some(p) = p {
                if let Some(b) = bus.mem().page_mut(p).get_mut((pa & PAGE_MASK) as usize) {
                    *b = (value >> (8 * i)) as u8;
                }
                self.after_ram_store(pa, 1);
            }
        }
        Ok(())
    }

    /// Bookkeeping after this hart wrote RAM: the LR reservation, the decode cache, watches.
    #[inline(always)]
    pub(crate) fn after_ram_store(&mut self, pa: u64, len: u64) {
        if let Some(r) = self.st.reservation {
            // hvsim fails SC after any store by this hart into the reservation set (allowed:
            // norm:sc_failure_code, an SC may fail for unspecified reasons).
            let last = pa.wrapping_add(len - 1);
            if pa & !7 == r || last & !7 == r {
                self.st.reservation = None;
            }
        }
        if self.icache.is_marked(pa >> PAGE_SHIFT) {
            self.marked_page_store(pa, len);
        }
    }

    #[cold]
    fn marked_page_store(&mut self, pa: u64, len: u64) {
        self.icache.invalidate(pa, len);
        let end = pa.wrapping_add(len);
        if let Some(&w) = self.watches.iter().find(|&&w| w >= pa && w < end) {
            self.request_stop(StopReason::WatchedStore { addr: w });
        }
    }

    /// Ends the slice after the current instruction.
    pub(crate) fn request_stop(&mut self, r: StopReason) {
        if self.stop.is_none() {
            self.stop = Some(r);
        }
        self.exit = true;
    }

    /// The physical address for an atomic (LR/SC/AMO) of `size` bytes at `va`, which must
    /// be naturally aligned (norm:LR_SC_ALIGNMENT, norm:amo_alignment: hvsim raises
    /// load-misaligned for LR and store/AMO-misaligned for SC and AMOs, never emulating),
    /// and RAM (atomics to devices raise an access fault: devices here support no AMOs).
    pub(crate) fn atomic_target<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        va: u64,
        size: usize,
        at: AccessType,
    ) -> Result<(u64, PageRef), Exception> {
        if va & (size as u64 - 1) != 0 {
            return Err(Exception::new(at.misaligned(), va));
        }
        let pa = self.translate(bus, va, at)?;
        let p = self
            .ram_page(bus, pa >> PAGE_SHIFT)
            .ok_or(Exception::new(at.access_fault(), va))?;
        Ok((pa, p))
    }

    /// Reads `size` aligned bytes from a RAM page.
    pub(crate) fn ram_read<B: Bus + ?Sized>(bus: &mut B, p: PageRef, pa: u64, size: usize) -> u64 {
        let off = (pa & PAGE_MASK) as usize;
        let mut b = [0u8; 8];
        if let (Some(d), Some(s)) = (b.get_mut(..size), bus.mem().page(p).get(off..off + size)) {
            d.copy_from_slice(s);
        }
        u64::from_le_bytes(b)
    }

    /// Writes `size` aligned bytes to a RAM page and does the store bookkeeping.
    pub(crate) fn ram_write<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        p: PageRef,
        pa: u64,
        size: usize,
        value: u64,
    ) {
        let off = (pa & PAGE_MASK) as usize;
        let bytes = value.to_le_bytes();
        if let (Some(d), Some(s)) = (
            bus.mem().page_mut(p).get_mut(off..off + size),
            bytes.get(..size),
        ) {
            d.copy_from_slice(s);
        }
        self.after_ram_store(pa, size as u64);
    }
}
