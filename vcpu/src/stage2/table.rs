//! Building and walking one G-stage table.

use sim_core::{GuestPhysAddr, HostPhysAddr};

use super::error::Stage2Error;
use super::memory::TableMemory;
use super::mode::GStageMode;
use super::pte::Pte;
use crate::exit::AccessFlags;

/// Bytes in a page.
const PAGE: u64 = 1 << 12;
/// The root table: 16 KiB, four frames, 16 KiB aligned (norm:hgatp_mode_x4).
const ROOT_FRAMES: u64 = 4;
const ROOT_ALIGN: u64 = 16 << 10;
/// Index bits per level below the root (512 eight-byte PTEs per 4 KiB table).
const LEVEL_BITS: u32 = 9;
/// Index bits of the root level: two more than the others (norm:hgatp_mode_x4).
const ROOT_LEVEL_BITS: u32 = LEVEL_BITS + 2;
/// Bytes per PTE.
const PTE_SIZE: u64 = 8;
/// Highest host-physical address a 44-bit PPN can name, plus one.
const HPA_LIMIT: u64 = 1 << (12 + 44);

/// Where a guest-physical address lands.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Translation {
    /// The host-physical address.
    pub hpa: HostPhysAddr,
    /// The size of the leaf that maps it (4 KiB, 2 MiB, 1 GiB or 512 GiB).
    pub page_size: u64,
    /// The leaf's R/W/X permissions.
    pub perms: AccessFlags,
}

/// A G-stage table: its scheme and its 16 KiB root.
///
/// See the module documentation for an example.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct GStageTable {
    mode: GStageMode,
    root: HostPhysAddr,
    tables: u64,
}

/// The size of a leaf at `level` (0 = 4 KiB).
const fn level_size(level: u32) -> u64 {
    PAGE << (LEVEL_BITS * level)
}

impl GStageTable {
    /// Allocates an empty root table.
    pub fn new<M: TableMemory>(tm: &mut M, mode: GStageMode) -> Result<Self, Stage2Error> {
        let root = tm.alloc_zeroed(ROOT_FRAMES, ROOT_ALIGN)?;
        Ok(Self {
            mode,
            root,
            tables: 0,
        })
    }

    /// The scheme.
    pub fn mode(&self) -> GStageMode {
        self.mode
    }

    /// The root table's host-physical address (for `set_ept_root`).
    pub fn root(&self) -> HostPhysAddr {
        self.root
    }

    /// The hgatp value for this table and `vmid`.
    pub fn hgatp(&self, vmid: u16) -> u64 {
        self.mode.hgatp(self.root.as_u64(), vmid)
    }

    /// Non-root tables allocated so far (4 KiB each).
    pub fn table_count(&self) -> u64 {
        self.tables
    }

    fn index(&self, gpa: u64, level: u32) -> u64 {
        let bits = if level + 1 == self.mode.levels() {
            ROOT_LEVEL_BITS
        } else {
            LEVEL_BITS
        };
        (gpa >> (12 + LEVEL_BITS * level)) & ((1 << bits) - 1)
    }

    /// Maps `[gpa, gpa + size)` to `[hpa, hpa + size)` with `perms`, using the largest leaf
    /// (512 GiB, 1 GiB, 2 MiB, 4 KiB) whose alignment both sides share at each step.
    /// Addresses and size must be 4 KiB multiples; every page must be unmapped.
    pub fn map<M: TableMemory>(
        &mut self,
        tm: &mut M,
        gpa: GuestPhysAddr,
        hpa: HostPhysAddr,
        size: u64,
        perms: AccessFlags,
    ) -> Result<(), Stage2Error> {
        if size == 0 || size % PAGE != 0 || !gpa.is_aligned(PAGE) || !hpa.is_aligned(PAGE) {
            return Err(Stage2Error::Unaligned { gpa, hpa, size });
        }
        let out_of_range = Stage2Error::OutOfRange {
            gpa,
            size,
            bits: self.mode.gpa_bits(),
            mode: self.mode.name(),
        };
        // Guest-physical bits above the scheme's width must be zero (norm:hgatp_mode_sv39x4,
        // norm:hgatp_mode_sv48x4), so nothing can be mapped there.
        let gpa_end = gpa.as_u64().checked_add(size).ok_or(out_of_range)?;
        let hpa_end = hpa.as_u64().checked_add(size).ok_or(out_of_range)?;
        if gpa_end > 1u64 << self.mode.gpa_bits() || hpa_end > HPA_LIMIT {
            return Err(out_of_range);
        }
        let (mut g, mut h) = (gpa.as_u64(), hpa.as_u64());
        let mut cap = self.mode.levels() - 1;
        while g < gpa_end {
            let left = gpa_end - g;
            let level = (0..=cap)
                .rev()
                .find(|&l| {
                    let s = level_size(l);
                    g % s == 0 && h % s == 0 && left >= s
                })
                .unwrap_or(0);
            if self.place(tm, g, h, level, perms)? {
                let s = level_size(level);
                g += s;
                h += s;
                cap = self.mode.levels() - 1;
            } else {
                // A table already covers this span: map it with smaller leaves. At level 0 a
                // valid non-leaf entry cannot exist in a table this builder wrote.
                cap = level.checked_sub(1).ok_or(Stage2Error::Overlap {
                    gpa: GuestPhysAddr::new(g),
                })?;
            }
        }
        Ok(())
    }

    /// Writes one leaf at `level`. Returns `Ok(false)` if a next-level table already sits
    /// where the leaf would go (the caller then uses smaller leaves).
    fn place<M: TableMemory>(
        &mut self,
        tm: &mut M,
        gpa: u64,
        hpa: u64,
        level: u32,
        perms: AccessFlags,
    ) -> Result<bool, Stage2Error> {
        let mut table = self.root;
        let mut l = self.mode.levels() - 1;
        loop {
            let slot = HostPhysAddr::new(table.as_u64() + self.index(gpa, l) * PTE_SIZE);
            let pte = Pte::from_bits(tm.read_u64(slot)?);
            if pte.is_leaf() {
                return Err(Stage2Error::Overlap {
                    gpa: GuestPhysAddr::new(gpa),
                });
            }
            if l == level {
                if pte.is_valid() {
                    return Ok(false);
                }
                tm.write_u64(slot, Pte::leaf(HostPhysAddr::new(hpa), perms).bits())?;
                return Ok(true);
            }
            table = if pte.is_valid() {
                pte.addr()
            } else {
                let next = tm.alloc_zeroed(1, PAGE)?;
                tm.write_u64(slot, Pte::table(next).bits())?;
                self.tables += 1;
                next
            };
            l -= 1;
        }
    }

    /// Walks the table for `gpa` as the G-stage walk would: `None` when the address is
    /// beyond the scheme's width or reaches an invalid entry.
    pub fn translate<M: TableMemory>(
        &self,
        tm: &M,
        gpa: GuestPhysAddr,
    ) -> Result<Option<Translation>, Stage2Error> {
        let g = gpa.as_u64();
        if g >> self.mode.gpa_bits() != 0 {
            return Ok(None);
        }
        let mut table = self.root;
        for l in (0..self.mode.levels()).rev() {
            let slot = HostPhysAddr::new(table.as_u64() + self.index(g, l) * PTE_SIZE);
            let pte = Pte::from_bits(tm.read_u64(slot)?);
            if !pte.is_valid() {
                return Ok(None);
            }
            if pte.is_leaf() {
                let size = level_size(l);
                return Ok(Some(Translation {
                    hpa: HostPhysAddr::new(pte.addr().as_u64() | (g & (size - 1))),
                    page_size: size,
                    perms: pte.perms(),
                }));
            }
            table = pte.addr();
        }
        Ok(None)
    }
}
