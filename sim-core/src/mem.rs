//! Host-physical memory: sparse, page-granular and bounded.
//!
//! A board owns one [`PhysMem`]. Its address map is a list of [`Region`]s: RAM banks, whose
//! pages are allocated on first write (untouched pages read as zero), and MMIO holes, which
//! memory itself never serves — the board's bus routes them to a device model.
//!
//! Memory is bounded: the sum of all RAM banks may not exceed the configured limit, so no guest
//! can make the host allocate more than that.

mod frame;
#[cfg(test)]
mod tests;

use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::addr::HostPhysAddr;
use crate::width::AccessWidth;

pub use frame::{FrameAllocator, FrameError};

/// log2 of [`PAGE_SIZE`].
pub const PAGE_SHIFT: u32 = 12;
/// The granule of allocation: 4 KiB.
pub const PAGE_SIZE: usize = 1 << PAGE_SHIFT;

/// One page of backing store.
pub type Page = [u8; PAGE_SIZE];

/// What lives at a range of host-physical addresses.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RegionKind {
    /// Ordinary RAM served by [`PhysMem`].
    Ram,
    /// A device window; the number is the board's device id.
    Mmio(u32),
}

/// One entry of the address map.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Region {
    /// First address.
    pub base: HostPhysAddr,
    /// Length in bytes (non-zero).
    pub size: u64,
    /// RAM or a device hole.
    pub kind: RegionKind,
}

impl Region {
    /// Whether `addr` lies inside the region.
    pub fn contains(&self, addr: u64) -> bool {
        addr.wrapping_sub(self.base.as_u64()) < self.size
    }

    /// One past the last address (saturating at `u64::MAX`).
    pub fn end(&self) -> u64 {
        self.base.as_u64().saturating_add(self.size)
    }
}

/// Why a memory operation failed.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum MemError {
    /// No RAM at the address: either unmapped or an MMIO hole.
    #[error("no RAM at host-physical address {0}")]
    NotRam(HostPhysAddr),
    /// A new region overlaps an existing one.
    #[error("region at {base} of {size:#x} bytes overlaps an existing region")]
    Overlap {
        /// Base of the rejected region.
        base: HostPhysAddr,
        /// Size of the rejected region.
        size: u64,
    },
    /// A region is empty, not page-aligned, or wraps the address space.
    #[error("region at {base} of {size:#x} bytes is empty, unaligned or wraps")]
    BadRegion {
        /// Base of the rejected region.
        base: HostPhysAddr,
        /// Size of the rejected region.
        size: u64,
    },
    /// Adding the RAM bank would exceed the configured memory limit.
    #[error("RAM of {requested:#x} bytes exceeds the memory limit of {limit:#x} bytes")]
    LimitExceeded {
        /// Total RAM that was requested.
        requested: u64,
        /// The configured limit.
        limit: u64,
    },
}

/// Where a page lives: a bank and a page index within it. Cheap to copy, so translation caches
/// can hold it instead of a pointer.
///
/// A `PageRef` is only meaningful for the [`PhysMem`] that produced it. Banks are never removed
/// or reordered, so a `PageRef` stays valid for the lifetime of that memory, also across later
/// [`PhysMem::add_ram`] calls.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PageRef {
    bank: u32,
    index: u32,
}

#[derive(Debug)]
struct RamBank {
    base: u64,
    size: u64,
    pages: Vec<Option<Box<Page>>>,
}

/// Zeroes, for reads of pages nobody wrote yet.
static ZERO_PAGE: Page = [0; PAGE_SIZE];

/// Sparse, bounded host-physical memory with a region map.
///
/// ```
/// use sim_core::mem::{MemError, PhysMem, RegionKind};
/// use sim_core::{AccessWidth, HostPhysAddr};
///
/// let mut mem = PhysMem::new(1 << 20);
/// mem.add_ram(HostPhysAddr::new(0x8000_0000), 1 << 20).unwrap();
/// mem.add_mmio(HostPhysAddr::new(0x1000_0000), 0x1000, 0).unwrap(); // UART hole, device 0
///
/// // Little-endian, may cross pages; untouched RAM reads zero and costs nothing.
/// mem.write(HostPhysAddr::new(0x8000_0ffe), AccessWidth::Dword, 0xaabb_ccdd).unwrap();
/// assert_eq!(mem.read(HostPhysAddr::new(0x8000_1000), AccessWidth::Word), Ok(0xaabb));
/// assert_eq!(mem.resident_pages(), 2);
///
/// // The hole is not RAM: the board routes it to the device.
/// let uart = HostPhysAddr::new(0x1000_0000);
/// assert_eq!(mem.read(uart, AccessWidth::Byte), Err(MemError::NotRam(uart)));
/// assert_eq!(mem.region_at(uart).map(|r| r.kind), Some(RegionKind::Mmio(0)));
/// ```
#[derive(Debug)]
pub struct PhysMem {
    limit: u64,
    ram_total: u64,
    regions: Vec<Region>,
    banks: Vec<RamBank>,
    resident: usize,
    /// Bumped whenever a region is added: caches of "which page backs this address"
    /// (PageRef) built before are then stale.
    layout: u64,
}

impl PhysMem {
    /// Empty memory that will accept at most `limit` bytes of RAM banks.
    pub fn new(limit: u64) -> Self {
        Self {
            limit,
            ram_total: 0,
            regions: Vec::new(),
            banks: Vec::new(),
            resident: 0,
            layout: 0,
        }
    }

    /// Changes whenever the region map changes (RAM or MMIO added): a cache of
    /// [`PhysMem::page_ref`] results is valid while this is unchanged.
    pub fn layout_generation(&self) -> u64 {
        self.layout
    }

    /// The configured limit on RAM, in bytes.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Pages currently backed by host memory.
    pub fn resident_pages(&self) -> usize {
        self.resident
    }

    /// The address map, sorted by base.
    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    /// The region containing `addr`, if any.
    pub fn region_at(&self, addr: HostPhysAddr) -> Option<&Region> {
        self.regions.iter().find(|r| r.contains(addr.as_u64()))
    }

    /// Total bytes of RAM in all banks.
    pub fn ram_size(&self) -> u64 {
        self.ram_total
    }

    /// Whether `addr` is RAM (not an MMIO hole, not unmapped).
    #[inline]
    pub fn is_ram(&self, addr: HostPhysAddr) -> bool {
        self.page_ref(addr).is_some()
    }

    /// Adds a RAM bank. Its pages are allocated lazily.
    ///
    /// ```
    /// use sim_core::mem::{MemError, PhysMem};
    /// use sim_core::HostPhysAddr;
    ///
    /// let mut mem = PhysMem::new(1 << 20);
    /// mem.add_ram(HostPhysAddr::new(0x8000_0000), 1 << 20).unwrap();
    /// assert!(matches!(
    ///     mem.add_ram(HostPhysAddr::new(0x9000_0000), 0x1000),
    ///     Err(MemError::LimitExceeded { .. })
    /// ));
    /// ```
    pub fn add_ram(&mut self, base: HostPhysAddr, size: u64) -> Result<(), MemError> {
        let requested = self.ram_total.saturating_add(size);
        if requested > self.limit {
            return Err(MemError::LimitExceeded {
                requested,
                limit: self.limit,
            });
        }
        // PageRef holds 32-bit bank and page indices; a bank of more than 2^32 pages (16 TiB)
        // or more than 2^32 banks cannot be named, so refuse it up front.
        let pages = u32::try_from(size >> PAGE_SHIFT)
            .ok()
            .and_then(|p| usize::try_from(p).ok())
            .ok_or(MemError::BadRegion { base, size })?;
        if u32::try_from(self.banks.len()).is_err() {
            return Err(MemError::BadRegion { base, size });
        }
        self.insert_region(Region {
            base,
            size,
            kind: RegionKind::Ram,
        })?;
        // `vec![None; n]` of `Option<Box<_>>` is all-zero bits, which `alloc` turns into one
        // zeroed allocation: the OS backs the slot table lazily, so a large, mostly untouched
        // bank costs host memory only for the slots near pages in use.
        let v: Vec<Option<Box<Page>>> = alloc::vec![None; pages];
        // Pushed, not sorted in: bank indices inside existing PageRefs must stay valid.
        self.banks.push(RamBank {
            base: base.as_u64(),
            size,
            pages: v,
        });
        self.ram_total = requested;
        Ok(())
    }

    /// Declares an MMIO hole owned by device `id`.
    pub fn add_mmio(&mut self, base: HostPhysAddr, size: u64, id: u32) -> Result<(), MemError> {
        self.insert_region(Region {
            base,
            size,
            kind: RegionKind::Mmio(id),
        })
    }

    fn insert_region(&mut self, r: Region) -> Result<(), MemError> {
        let (base, size) = (r.base, r.size);
        if size == 0
            || !base.is_aligned(PAGE_SIZE as u64)
            || size % PAGE_SIZE as u64 != 0
            || base.as_u64().checked_add(size - 1).is_none()
        {
            return Err(MemError::BadRegion { base, size });
        }
        let last = base.as_u64() + (size - 1);
        if self
            .regions
            .iter()
            .any(|o| o.base.as_u64() <= last && base.as_u64() < o.end())
        {
            return Err(MemError::Overlap { base, size });
        }
        self.layout = self.layout.wrapping_add(1);
        let at = self.regions.partition_point(|o| o.base < base);
        self.regions.insert(at, r);
        Ok(())
    }

    /// Where the page holding `addr` lives, if `addr` is RAM.
    #[inline]
    pub fn page_ref(&self, addr: HostPhysAddr) -> Option<PageRef> {
        let a = addr.as_u64();
        for (i, b) in self.banks.iter().enumerate() {
            let off = a.wrapping_sub(b.base);
            if off < b.size {
                return Some(PageRef {
                    bank: i as u32,
                    index: (off >> PAGE_SHIFT) as u32,
                });
            }
        }
        None
    }

    /// The host-physical address of the first byte of a page.
    ///
    /// # Panics
    /// If `p` was produced by a different [`PhysMem`] (see [`PageRef`]).
    pub fn page_base(&self, p: PageRef) -> HostPhysAddr {
        let bank = &self.banks[p.bank as usize];
        HostPhysAddr::new(bank.base + ((p.index as u64) << PAGE_SHIFT))
    }

    /// Read access to a page; untouched pages read as zeros.
    ///
    /// # Panics
    /// If `p` was produced by a different [`PhysMem`] (see [`PageRef`]).
    #[inline]
    pub fn page(&self, p: PageRef) -> &Page {
        match &self.banks[p.bank as usize].pages[p.index as usize] {
            Some(page) => page,
            None => &ZERO_PAGE,
        }
    }

    /// Write access to a page, allocating it on first use.
    ///
    /// # Panics
    /// If `p` was produced by a different [`PhysMem`] (see [`PageRef`]).
    #[inline]
    pub fn page_mut(&mut self, p: PageRef) -> &mut Page {
        let slot = &mut self.banks[p.bank as usize].pages[p.index as usize];
        if slot.is_none() {
            self.resident += 1;
        }
        slot.get_or_insert_with(|| Box::new([0; PAGE_SIZE]))
    }

    /// Reads `width` bytes little-endian at `addr`. The access may cross a page boundary but
    /// every byte must be RAM.
    #[inline]
    pub fn read(&self, addr: HostPhysAddr, width: AccessWidth) -> Result<u64, MemError> {
        let n = width.size();
        let off = addr.page_offset() as usize;
        if off + n <= PAGE_SIZE {
            let p = self.page_ref(addr).ok_or(MemError::NotRam(addr))?;
            let page = self.page(p);
            let mut buf = [0u8; 8];
            buf[..n].copy_from_slice(&page[off..off + n]);
            return Ok(u64::from_le_bytes(buf));
        }
        let mut buf = [0u8; 8];
        self.read_bytes(addr, &mut buf[..n])?;
        Ok(u64::from_le_bytes(buf))
    }

    /// Writes the low `width` bytes of `value` little-endian at `addr`.
    #[inline]
    pub fn write(
        &mut self,
        addr: HostPhysAddr,
        width: AccessWidth,
        value: u64,
    ) -> Result<(), MemError> {
        let n = width.size();
        let off = addr.page_offset() as usize;
        let bytes = value.to_le_bytes();
        if off + n <= PAGE_SIZE {
            let p = self.page_ref(addr).ok_or(MemError::NotRam(addr))?;
            self.page_mut(p)[off..off + n].copy_from_slice(&bytes[..n]);
            return Ok(());
        }
        self.write_bytes(addr, &bytes[..n])
    }

    /// Checks that every byte of `[addr, addr + len)` is RAM. A range that would run past the
    /// top of the address space fails with the first address that does not exist.
    pub fn check_ram(&self, addr: HostPhysAddr, len: u64) -> Result<(), MemError> {
        let mut a = addr.as_u64();
        let mut left = len;
        // Bank by bank, not page by page: a multi-GiB check costs one step per bank.
        while left > 0 {
            let bank = self
                .banks
                .iter()
                .find(|b| a.wrapping_sub(b.base) < b.size)
                .ok_or(MemError::NotRam(HostPhysAddr::new(a)))?;
            let chunk = (bank.size - (a - bank.base)).min(left);
            left -= chunk;
            if left == 0 {
                break;
            }
            // More bytes remain, so the next bank must exist; past 2^64 it cannot.
            a = a
                .checked_add(chunk)
                .ok_or(MemError::NotRam(HostPhysAddr::new(u64::MAX)))?;
        }
        Ok(())
    }

    /// Copies bytes out of memory. Fails, reading nothing, unless all of them are RAM.
    pub fn read_bytes(&self, addr: HostPhysAddr, out: &mut [u8]) -> Result<(), MemError> {
        self.check_ram(addr, out.len() as u64)?;
        let mut a = addr.as_u64();
        let mut done = 0;
        while done < out.len() {
            let off = (a as usize) & (PAGE_SIZE - 1);
            let chunk = (PAGE_SIZE - off).min(out.len() - done);
            let p = self
                .page_ref(HostPhysAddr::new(a))
                .ok_or(MemError::NotRam(HostPhysAddr::new(a)))?;
            out[done..done + chunk].copy_from_slice(&self.page(p)[off..off + chunk]);
            done += chunk;
            a = a.wrapping_add(chunk as u64);
        }
        Ok(())
    }

    /// Copies bytes into memory. Fails, writing nothing, unless all of them are RAM.
    pub fn write_bytes(&mut self, addr: HostPhysAddr, data: &[u8]) -> Result<(), MemError> {
        self.check_ram(addr, data.len() as u64)?;
        let mut a = addr.as_u64();
        let mut done = 0;
        while done < data.len() {
            let off = (a as usize) & (PAGE_SIZE - 1);
            let chunk = (PAGE_SIZE - off).min(data.len() - done);
            let p = self
                .page_ref(HostPhysAddr::new(a))
                .ok_or(MemError::NotRam(HostPhysAddr::new(a)))?;
            self.page_mut(p)[off..off + chunk].copy_from_slice(&data[done..done + chunk]);
            done += chunk;
            a = a.wrapping_add(chunk as u64);
        }
        Ok(())
    }

    /// Fills `[addr, addr + len)` with zeros, releasing whole pages back to "untouched".
    pub fn zero(&mut self, addr: HostPhysAddr, len: u64) -> Result<(), MemError> {
        self.check_ram(addr, len)?;
        let mut a = addr.as_u64();
        let mut left = len;
        while left > 0 {
            let off = (a as usize) & (PAGE_SIZE - 1);
            let chunk = ((PAGE_SIZE - off) as u64).min(left) as usize;
            let p = self
                .page_ref(HostPhysAddr::new(a))
                .ok_or(MemError::NotRam(HostPhysAddr::new(a)))?;
            if chunk == PAGE_SIZE {
                let slot = &mut self.banks[p.bank as usize].pages[p.index as usize];
                if slot.take().is_some() {
                    self.resident -= 1;
                }
            } else if self.banks[p.bank as usize].pages[p.index as usize].is_some() {
                self.page_mut(p)[off..off + chunk].fill(0);
            }
            left -= chunk as u64;
            a = a.wrapping_add(chunk as u64);
        }
        Ok(())
    }
}
