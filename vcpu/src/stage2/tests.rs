//! Stage-2 builder tests against an independent reference walker.

use alloc::vec::Vec;

use proptest::prelude::*;
use sim_core::mem::{FrameAllocator, PhysMem};
use sim_core::{AccessWidth, GuestPhysAddr, HostPhysAddr};

use super::*;
use crate::exit::AccessFlags;

const HOST_BASE: u64 = 0x1_0000_0000;
const HOST_SIZE: u64 = 64 << 20;

fn host() -> (PhysMem, FrameAllocator) {
    let mut mem = PhysMem::new(HOST_SIZE);
    mem.add_ram(HostPhysAddr::new(HOST_BASE), HOST_SIZE)
        .unwrap();
    let fa = FrameAllocator::new(&mem, HostPhysAddr::new(HOST_BASE), HOST_SIZE).unwrap();
    (mem, fa)
}

/// A reference G-stage walk written from the spec text, independent of the builder: the
/// root index takes GPA bits [gpa_bits-1 : 12+9*(levels-1)] (two extra bits,
/// norm:hgatp_mode_x4), lower levels take 9 bits each; a valid PTE with R|W|X is a leaf.
/// Returns (hpa, leaf pte bits, leaf level).
fn reference_walk(mem: &PhysMem, root: u64, levels: u32, gpa: u64) -> Option<(u64, u64, u32)> {
    let gpa_bits = 12 + 9 * levels + 2;
    if gpa >> gpa_bits != 0 {
        return None;
    }
    let mut table = root;
    for level in (0..levels).rev() {
        let shift = 12 + 9 * level;
        let idx = if level == levels - 1 {
            gpa >> shift
        } else {
            (gpa >> shift) & 0x1ff
        };
        let pte = mem
            .read(HostPhysAddr::new(table + idx * 8), AccessWidth::Qword)
            .unwrap();
        if pte & 1 == 0 {
            return None;
        }
        let ppn_addr = ((pte >> 10) & ((1 << 44) - 1)) << 12;
        if pte & 0b1110 != 0 {
            let off = gpa & ((1u64 << shift) - 1);
            // A superpage's PPN must be aligned to its size (misaligned superpage = fault).
            assert_eq!(ppn_addr & ((1u64 << shift) - 1), 0, "misaligned superpage");
            return Some((ppn_addr | off, pte, level));
        }
        // Non-leaf PTEs: D, A, U reserved (must be zero).
        assert_eq!(pte & (Pte::D | Pte::A | Pte::U), 0, "non-leaf with D/A/U");
        table = ppn_addr;
    }
    None
}

fn build(mode: GStageMode, maps: &[(u64, u64, u64)]) -> (PhysMem, GStageTable) {
    let (mut mem, mut fa) = host();
    let mut tm = SimTableMemory::new(&mut mem, &mut fa);
    let mut gt = GStageTable::new(&mut tm, mode).unwrap();
    for &(g, h, s) in maps {
        gt.map(
            &mut tm,
            GuestPhysAddr::new(g),
            HostPhysAddr::new(h),
            s,
            AccessFlags::ALL,
        )
        .unwrap();
    }
    (mem, gt)
}

#[test]
fn root_is_16k_aligned_and_hgatp_encodes_it() {
    for mode in [GStageMode::Sv39x4, GStageMode::Sv48x4] {
        let (_, gt) = build(mode, &[]);
        assert_eq!(gt.root().as_u64() % 0x4000, 0);
        let hgatp = gt.hgatp(5);
        assert_eq!(hgatp >> 60, if mode == GStageMode::Sv39x4 { 8 } else { 9 });
        assert_eq!((hgatp >> 44) & 0x3fff, 5);
        assert_eq!((hgatp & ((1 << 44) - 1)) << 12, gt.root().as_u64());
    }
}

#[test]
fn superpages_where_alignment_allows() {
    // 1 GiB aligned on both sides: one gigapage, no lower tables.
    let (mem, gt) = build(GStageMode::Sv39x4, &[(0x4000_0000, 0x4000_0000, 1 << 30)]);
    let (_, pte, level) = reference_walk(&mem, gt.root().as_u64(), 3, 0x4000_1234).unwrap();
    assert_eq!(level, 2);
    assert_eq!(pte & 0xff, 0xdf, "V R W X U A D");
    assert_eq!(gt.table_count(), 0);
    // Host side only 4 KiB aligned: 4 KiB pages everywhere.
    let (mem, gt) = build(
        GStageMode::Sv39x4,
        &[(0x8000_0000, HOST_BASE + 0x1000, 0x20_0000)],
    );
    let (hpa, _, level) = reference_walk(&mem, gt.root().as_u64(), 3, 0x801f_f008).unwrap();
    assert_eq!((hpa, level), (HOST_BASE + 0x1000 + 0x1f_f008, 0));
}

#[test]
fn rejections() {
    let (mut mem, mut fa) = host();
    let mut tm = SimTableMemory::new(&mut mem, &mut fa);
    let mut gt = GStageTable::new(&mut tm, GStageMode::Sv39x4).unwrap();
    let g = GuestPhysAddr::new;
    let h = HostPhysAddr::new;
    assert!(matches!(
        gt.map(&mut tm, g(0x8000_0800), h(0), 0x1000, AccessFlags::ALL),
        Err(Stage2Error::Unaligned { .. })
    ));
    assert!(matches!(
        gt.map(&mut tm, g(0x8000_0000), h(0), 0, AccessFlags::ALL),
        Err(Stage2Error::Unaligned { .. })
    ));
    // Sv39x4 covers 2^41 bytes; the last page fits, the next does not.
    gt.map(
        &mut tm,
        g((1 << 41) - 0x1000),
        h(0),
        0x1000,
        AccessFlags::ALL,
    )
    .unwrap();
    assert!(matches!(
        gt.map(&mut tm, g(1 << 41), h(0), 0x1000, AccessFlags::ALL),
        Err(Stage2Error::OutOfRange { bits: 41, .. })
    ));
    assert!(matches!(
        gt.map(&mut tm, g(!0xfff), h(0), 0x2000, AccessFlags::ALL),
        Err(Stage2Error::OutOfRange { .. })
    ));
    gt.map(
        &mut tm,
        g(0x8000_0000),
        h(0x20_0000),
        0x20_0000,
        AccessFlags::ALL,
    )
    .unwrap();
    assert_eq!(
        gt.map(&mut tm, g(0x8010_0000), h(0), 0x1000, AccessFlags::ALL),
        Err(Stage2Error::Overlap {
            gpa: g(0x8010_0000)
        })
    );
}

#[test]
fn out_of_frames_is_an_error() {
    let mut mem = PhysMem::new(0x8000);
    mem.add_ram(HostPhysAddr::new(HOST_BASE), 0x8000).unwrap();
    let mut fa = FrameAllocator::new(&mem, HostPhysAddr::new(HOST_BASE), 0x8000).unwrap();
    let mut tm = SimTableMemory::new(&mut mem, &mut fa);
    let mut gt = GStageTable::new(&mut tm, GStageMode::Sv48x4).unwrap();
    // Root uses 4 frames; a 4 KiB mapping needs 3 more tables, and 4 are left: the second
    // mapping far away needs 3 more and fails.
    gt.map(
        &mut tm,
        GuestPhysAddr::new(0),
        HostPhysAddr::new(0),
        0x1000,
        AccessFlags::ALL,
    )
    .unwrap();
    assert!(matches!(
        gt.map(
            &mut tm,
            GuestPhysAddr::new(1 << 45),
            HostPhysAddr::new(0),
            0x1000,
            AccessFlags::ALL
        ),
        Err(Stage2Error::Memory(TableMemError::OutOfFrames { .. }))
    ));
}

/// Disjoint page-aligned mappings: (gpa page, hpa page, pages), with a random shift to make
/// some of them superpage-aligned.
fn mappings() -> impl Strategy<Value = Vec<(u64, u64, u64)>> {
    prop::collection::vec((0u64..1 << 12, 0u64..1 << 14, 1u64..1100, 0u32..3), 1..6).prop_map(|v| {
        let mut out: Vec<(u64, u64, u64)> = Vec::new();
        for (gslot, hslot, pages, align_level) in v {
            let unit = 1u64 << (12 + 9 * align_level);
            let g = (gslot * unit) % (1 << 40);
            let h = (hslot * unit) % (1 << 45);
            let s = pages * 0x1000;
            let disjoint = out.iter().all(|&(og, _, os)| g + s <= og || og + os <= g);
            if disjoint {
                out.push((g, h, s));
            }
        }
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// norm:hgatp_mode_x4, norm:hgatp_mode_sv39x4, norm:hgatp_mode_sv48x4: after mapping
    /// disjoint ranges, a reference walker finds every requested page mapped to exactly its
    /// host page with V|R|W|X|U|A|D, and pages just outside every range unmapped.
    #[test]
    fn prop_reference_walker_sees_exact_mappings(maps in mappings(), sv48 in any::<bool>()) {
        let (mode, levels) = if sv48 { (GStageMode::Sv48x4, 4) } else { (GStageMode::Sv39x4, 3) };
        let (mem, gt) = build(mode, &maps);
        let root = gt.root().as_u64();
        for &(g, h, s) in &maps {
            // Every page: first, last and a stride through the middle.
            let pages = s / 0x1000;
            let step = (pages / 16).max(1);
            let mut p = 0;
            while p < pages {
                let off = p * 0x1000 + 0x8;
                let (hpa, pte, _) = reference_walk(&mem, root, levels, g + off).expect("mapped");
                prop_assert_eq!(hpa, h + off);
                prop_assert_eq!(pte & 0xff, 0xdf);
                p += step;
            }
            let (hpa, _, _) = reference_walk(&mem, root, levels, g + s - 1).expect("last byte");
            prop_assert_eq!(hpa, h + s - 1);
            for edge in [g.wrapping_sub(1), g + s] {
                let inside = maps.iter().any(|&(og, _, os)| edge >= og && edge < og + os);
                if !inside {
                    prop_assert_eq!(reference_walk(&mem, root, levels, edge), None);
                }
            }
        }
        // The builder's own walker agrees with the reference.
        let tm_mem = mem;
        for &(g, _, s) in &maps {
            let probe = g + s / 2;
            let want = reference_walk(&tm_mem, root, levels, probe).map(|(hpa, _, _)| hpa);
            let got = gt
                .translate(&ReadOnly(&tm_mem), GuestPhysAddr::new(probe))
                .unwrap()
                .map(|t| t.hpa.as_u64());
            prop_assert_eq!(got, want);
        }
    }
}

/// Read-only table memory over a finished build, for `translate`.
struct ReadOnly<'a>(&'a PhysMem);

impl TableMemory for ReadOnly<'_> {
    fn alloc_zeroed(&mut self, frames: u64, align: u64) -> Result<HostPhysAddr, TableMemError> {
        Err(TableMemError::OutOfFrames { frames, align })
    }
    fn read_u64(&self, addr: HostPhysAddr) -> Result<u64, TableMemError> {
        self.0
            .read(addr, AccessWidth::Qword)
            .map_err(|_| TableMemError::Access(addr))
    }
    fn write_u64(&mut self, addr: HostPhysAddr, _: u64) -> Result<(), TableMemError> {
        Err(TableMemError::Access(addr))
    }
}
