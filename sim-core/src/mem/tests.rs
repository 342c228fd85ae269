//! Unit and property tests of [`PhysMem`] against a byte-map reference model.

use alloc::collections::BTreeMap;
use alloc::vec;
use alloc::vec::Vec;

use proptest::prelude::*;

use super::*;

const RAM_BASE: u64 = 0x8000_0000;
const RAM_SIZE: u64 = 4 * PAGE_SIZE as u64;
const MMIO_BASE: u64 = 0x1000_0000;

fn hpa(a: u64) -> HostPhysAddr {
    HostPhysAddr::new(a)
}

/// RAM at 0x8000_0000 (4 pages), a second bank at 0x9000_0000 (2 pages), a UART-sized hole.
fn board() -> PhysMem {
    let mut m = PhysMem::new(1 << 20);
    m.add_ram(hpa(RAM_BASE), RAM_SIZE).unwrap();
    m.add_ram(hpa(0x9000_0000), 2 * PAGE_SIZE as u64).unwrap();
    m.add_mmio(hpa(MMIO_BASE), PAGE_SIZE as u64, 7).unwrap();
    m
}

#[test]
fn untouched_ram_reads_zero_and_allocates_nothing() {
    let m = board();
    for w in AccessWidth::ALL {
        assert_eq!(m.read(hpa(RAM_BASE + 0x123), w), Ok(0));
    }
    let mut buf = [0xaau8; 64];
    m.read_bytes(hpa(RAM_BASE + PAGE_SIZE as u64 - 32), &mut buf)
        .unwrap();
    assert_eq!(buf, [0u8; 64]);
    assert_eq!(m.resident_pages(), 0);
}

#[test]
fn little_endian_layout() {
    let mut m = board();
    m.write(hpa(RAM_BASE), AccessWidth::Qword, 0x0807_0605_0403_0201)
        .unwrap();
    let mut b = [0u8; 8];
    m.read_bytes(hpa(RAM_BASE), &mut b).unwrap();
    assert_eq!(b, [1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(m.read(hpa(RAM_BASE + 2), AccessWidth::Word), Ok(0x0403));
    // Only the low `width` bytes of the value are stored.
    m.write(hpa(RAM_BASE + 8), AccessWidth::Byte, 0xffff_ff42)
        .unwrap();
    assert_eq!(m.read(hpa(RAM_BASE + 8), AccessWidth::Dword), Ok(0x42));
}

#[test]
fn page_crossing_access_touches_two_pages() {
    let mut m = board();
    let a = RAM_BASE + PAGE_SIZE as u64 - 3;
    m.write(hpa(a), AccessWidth::Qword, 0x1122_3344_5566_7788)
        .unwrap();
    assert_eq!(m.resident_pages(), 2);
    assert_eq!(
        m.read(hpa(a), AccessWidth::Qword),
        Ok(0x1122_3344_5566_7788)
    );
    assert_eq!(
        m.read(hpa(RAM_BASE + PAGE_SIZE as u64), AccessWidth::Byte),
        Ok(0x55)
    );
}

#[test]
fn access_running_off_the_end_of_ram_fails_without_side_effects() {
    let mut m = board();
    let last = RAM_BASE + RAM_SIZE - 4;
    assert_eq!(
        m.write(hpa(last), AccessWidth::Qword, u64::MAX),
        Err(MemError::NotRam(hpa(RAM_BASE + RAM_SIZE)))
    );
    assert_eq!(m.read(hpa(last), AccessWidth::Dword), Ok(0));
    assert_eq!(m.resident_pages(), 0);
    assert!(m.read(hpa(last), AccessWidth::Qword).is_err());
}

#[test]
fn mmio_holes_and_unmapped_addresses_are_not_ram() {
    let mut m = board();
    assert_eq!(
        m.read(hpa(MMIO_BASE), AccessWidth::Byte),
        Err(MemError::NotRam(hpa(MMIO_BASE)))
    );
    assert_eq!(
        m.write(hpa(MMIO_BASE + 8), AccessWidth::Dword, 1),
        Err(MemError::NotRam(hpa(MMIO_BASE + 8)))
    );
    assert!(m.page_ref(hpa(MMIO_BASE)).is_none());
    assert!(!m.is_ram(hpa(MMIO_BASE)));
    assert!(!m.is_ram(hpa(0)));
    assert!(m.is_ram(hpa(RAM_BASE)));
    assert_eq!(
        m.region_at(hpa(MMIO_BASE + 0xfff)).map(|r| r.kind),
        Some(RegionKind::Mmio(7))
    );
    assert_eq!(
        m.region_at(hpa(RAM_BASE)).map(|r| r.kind),
        Some(RegionKind::Ram)
    );
    assert_eq!(m.region_at(hpa(MMIO_BASE + 0x1000)), None);
    assert_eq!(
        m.check_ram(hpa(MMIO_BASE), 1),
        Err(MemError::NotRam(hpa(MMIO_BASE)))
    );
    assert_eq!(m.check_ram(hpa(MMIO_BASE), 0), Ok(()));
}

#[test]
fn regions_are_sorted_and_overlaps_rejected() {
    let mut m = board();
    let bases: Vec<u64> = m.regions().iter().map(|r| r.base.as_u64()).collect();
    assert_eq!(bases, vec![MMIO_BASE, RAM_BASE, 0x9000_0000]);
    // Overlapping the last page of the first bank.
    assert_eq!(
        m.add_mmio(hpa(RAM_BASE + RAM_SIZE - 0x1000), 0x2000, 1),
        Err(MemError::Overlap {
            base: hpa(RAM_BASE + RAM_SIZE - 0x1000),
            size: 0x2000
        })
    );
    // Enclosing an existing region.
    assert!(matches!(
        m.add_ram(hpa(0), 0x1_0000_0000),
        Err(MemError::LimitExceeded { .. })
    ));
    assert!(matches!(
        m.add_mmio(hpa(0), 0xa000_0000, 1),
        Err(MemError::Overlap { .. })
    ));
    // Adjacent is fine.
    m.add_mmio(hpa(RAM_BASE + RAM_SIZE), 0x1000, 2).unwrap();
    m.add_mmio(hpa(RAM_BASE - 0x1000), 0x1000, 3).unwrap();
    assert_eq!(m.regions().len(), 5);
}

#[test]
fn bad_regions_rejected() {
    let mut m = PhysMem::new(u64::MAX);
    for (base, size) in [
        (0x1000u64, 0u64),
        (0x1001, 0x1000),
        (0x1000, 0x1001),
        (0xffff_ffff_ffff_f000, 0x2000),
    ] {
        assert_eq!(
            m.add_mmio(hpa(base), size, 0),
            Err(MemError::BadRegion {
                base: hpa(base),
                size
            }),
            "{base:#x}+{size:#x}"
        );
    }
    // A bank whose page index would not fit a PageRef.
    assert!(matches!(
        m.add_ram(hpa(0), 1 << 45),
        Err(MemError::BadRegion { .. })
    ));
    assert!(m.regions().is_empty());
}

#[test]
fn limit_is_cumulative() {
    let mut m = PhysMem::new(0x3000);
    m.add_ram(hpa(0), 0x2000).unwrap();
    assert_eq!(
        m.add_ram(hpa(0x10_0000), 0x2000),
        Err(MemError::LimitExceeded {
            requested: 0x4000,
            limit: 0x3000
        })
    );
    m.add_ram(hpa(0x10_0000), 0x1000).unwrap();
    assert_eq!(m.ram_size(), 0x3000);
    // MMIO holes do not count against the limit.
    m.add_mmio(hpa(0x20_0000), 0x10_0000, 0).unwrap();
    assert_eq!(m.ram_size(), 0x3000);
}

#[test]
fn top_page_of_address_space_is_usable() {
    let top = 0xffff_ffff_ffff_f000u64;
    let mut m = PhysMem::new(0x1000);
    m.add_ram(hpa(top), 0x1000).unwrap();
    m.check_ram(hpa(top), 0x1000).unwrap();
    m.write(hpa(u64::MAX - 7), AccessWidth::Qword, 0xdead_beef)
        .unwrap();
    assert_eq!(
        m.read(hpa(u64::MAX - 7), AccessWidth::Qword),
        Ok(0xdead_beef)
    );
    // The byte past the top does not exist.
    assert!(m.read(hpa(u64::MAX - 3), AccessWidth::Qword).is_err());
    assert!(m.check_ram(hpa(top), 0x1001).is_err());
    m.zero(hpa(top), 0x1000).unwrap();
    assert_eq!(m.resident_pages(), 0);
}

#[test]
fn zero_releases_whole_pages_and_clears_partial_ones() {
    let mut m = board();
    let mut data = vec![0xffu8; 3 * PAGE_SIZE];
    data[0] = 1;
    m.write_bytes(hpa(RAM_BASE), &data).unwrap();
    assert_eq!(m.resident_pages(), 3);
    // Zero half of page 0 and all of page 1.
    m.zero(hpa(RAM_BASE + 0x800), 0x1800).unwrap();
    assert_eq!(m.resident_pages(), 2);
    assert_eq!(m.read(hpa(RAM_BASE), AccessWidth::Byte), Ok(1));
    assert_eq!(m.read(hpa(RAM_BASE + 0x7ff), AccessWidth::Byte), Ok(0xff));
    assert_eq!(m.read(hpa(RAM_BASE + 0x800), AccessWidth::Byte), Ok(0));
    assert_eq!(m.read(hpa(RAM_BASE + 0x1800), AccessWidth::Qword), Ok(0));
    assert_eq!(m.read(hpa(RAM_BASE + 0x2000), AccessWidth::Byte), Ok(0xff));
    // Zeroing an untouched page does not allocate it.
    m.zero(hpa(RAM_BASE + 0x3000), 0x10).unwrap();
    assert_eq!(m.resident_pages(), 2);
    // Failing zero changes nothing.
    assert!(m.zero(hpa(RAM_BASE), RAM_SIZE + 1).is_err());
    assert_eq!(m.read(hpa(RAM_BASE), AccessWidth::Byte), Ok(1));
}

#[test]
fn page_refs_stay_valid_after_adding_banks() {
    let mut m = PhysMem::new(1 << 20);
    m.add_ram(hpa(0x9000_0000), 0x1000).unwrap();
    let p = m.page_ref(hpa(0x9000_0010)).unwrap();
    m.page_mut(p)[0x10] = 0x5a;
    // A bank below the first one must not shift existing bank indices.
    m.add_ram(hpa(0x1000), 0x1000).unwrap();
    assert_eq!(m.page(p)[0x10], 0x5a);
    assert_eq!(m.page_base(p), hpa(0x9000_0000));
    assert_eq!(m.page_ref(hpa(0x9000_0010)), Some(p));
    let q = m.page_ref(hpa(0x1fff)).unwrap();
    assert_eq!(m.page_base(q), hpa(0x1000));
}

fn width() -> impl Strategy<Value = AccessWidth> {
    prop::sample::select(AccessWidth::ALL.to_vec())
}

#[derive(Clone, Debug)]
enum Op {
    Write(u64, AccessWidth, u64),
    WriteBytes(u64, Vec<u8>),
    Zero(u64, u64),
}

/// Offsets span the RAM bank plus a page of MMIO-free, unmapped space after it, so some
/// accesses run off the end.
fn op() -> impl Strategy<Value = Op> {
    let span = RAM_SIZE + PAGE_SIZE as u64;
    prop_oneof![
        (0..span, width(), any::<u64>()).prop_map(|(o, w, v)| Op::Write(o, w, v)),
        (0..span, prop::collection::vec(any::<u8>(), 0..300))
            .prop_map(|(o, d)| Op::WriteBytes(o, d)),
        (0..span, 0..2 * PAGE_SIZE as u64).prop_map(|(o, l)| Op::Zero(o, l)),
    ]
}

/// Reference: a byte map of the single bank [RAM_BASE, RAM_BASE + RAM_SIZE). An empty range
/// contains no byte that is not RAM, so it always succeeds.
fn ref_in_ram(off: u64, len: u64) -> bool {
    len == 0 || off.checked_add(len).is_some_and(|end| end <= RAM_SIZE)
}

proptest! {
    /// Read-after-write at any width and offset, including page-crossing offsets: a read
    /// returns the little-endian bytes last written, untouched bytes read zero, and an access
    /// that is not entirely RAM fails and changes nothing.
    #[test]
    fn prop_matches_byte_map(ops in prop::collection::vec(op(), 1..40)) {
        let mut m = PhysMem::new(RAM_SIZE);
        m.add_ram(hpa(RAM_BASE), RAM_SIZE).unwrap();
        let mut model: BTreeMap<u64, u8> = BTreeMap::new();
        // Pages written since they were last wholly zeroed: exactly the resident ones.
        let mut resident: alloc::collections::BTreeSet<u64> = Default::default();
        let page = |o: u64| o / PAGE_SIZE as u64;
        for op in ops {
            match op {
                Op::Write(off, w, v) => {
                    let n = w.size() as u64;
                    let r = m.write(hpa(RAM_BASE + off), w, v);
                    prop_assert_eq!(r.is_ok(), ref_in_ram(off, n));
                    if r.is_ok() {
                        for i in 0..n {
                            model.insert(off + i, (v >> (8 * i)) as u8);
                            resident.insert(page(off + i));
                        }
                    }
                }
                Op::WriteBytes(off, d) => {
                    let r = m.write_bytes(hpa(RAM_BASE + off), &d);
                    prop_assert_eq!(r.is_ok(), ref_in_ram(off, d.len() as u64));
                    if r.is_ok() {
                        for (i, b) in d.iter().enumerate() {
                            model.insert(off + i as u64, *b);
                            resident.insert(page(off + i as u64));
                        }
                    }
                }
                Op::Zero(off, len) => {
                    let r = m.zero(hpa(RAM_BASE + off), len);
                    prop_assert_eq!(r.is_ok(), ref_in_ram(off, len));
                    if r.is_ok() {
                        for i in 0..len {
                            model.remove(&(off + i));
                        }
                        let first_whole = off.div_ceil(PAGE_SIZE as u64);
                        let end_whole = (off + len) / PAGE_SIZE as u64;
                        for p in first_whole..end_whole {
                            resident.remove(&p);
                        }
                    }
                }
            }
        }
        for off in (0..RAM_SIZE).step_by(8) {
            let want = (0..8).fold(0u64, |acc, i| {
                acc | u64::from(*model.get(&(off + i)).unwrap_or(&0)) << (8 * i)
            });
            prop_assert_eq!(m.read(hpa(RAM_BASE + off), AccessWidth::Qword), Ok(want));
        }
        prop_assert_eq!(m.resident_pages(), resident.len());
    }

    /// Every width at every offset reads back exactly the value written, truncated to the
    /// width, whether or not the access crosses a page boundary.
    #[test]
    fn prop_read_after_write(off in 0..RAM_SIZE - 8, w in width(), v in any::<u64>()) {
        let mut m = PhysMem::new(RAM_SIZE);
        m.add_ram(hpa(RAM_BASE), RAM_SIZE).unwrap();
        m.write(hpa(RAM_BASE + off), w, v).unwrap();
        prop_assert_eq!(m.read(hpa(RAM_BASE + off), w), Ok(w.zero_extend(v)));
        let crosses = (off % PAGE_SIZE as u64) + w.size() as u64 > PAGE_SIZE as u64;
        prop_assert_eq!(m.resident_pages(), if crosses { 2 } else { 1 });
        // Bytes just outside the access are untouched.
        if off > 0 {
            prop_assert_eq!(m.read(hpa(RAM_BASE + off - 1), AccessWidth::Byte), Ok(0));
        }
        prop_assert_eq!(
            m.read(hpa(RAM_BASE + off + w.size() as u64), AccessWidth::Byte),
            Ok(0)
        );
    }

    /// Regions never overlap: an insertion succeeds exactly when the page-aligned range is
    /// disjoint from every region accepted so far.
    #[test]
    fn prop_overlap_rejection(rs in prop::collection::vec((0u64..64, 1u64..8), 1..20)) {
        let mut m = PhysMem::new(u64::MAX);
        let mut accepted: Vec<(u64, u64)> = Vec::new();
        for (i, (page, pages)) in rs.into_iter().enumerate() {
            let (b, s) = (page * PAGE_SIZE as u64, pages * PAGE_SIZE as u64);
            let disjoint = accepted.iter().all(|&(ob, os)| b + s <= ob || ob + os <= b);
            let r = if i % 2 == 0 {
                m.add_ram(hpa(b), s)
            } else {
                m.add_mmio(hpa(b), s, i as u32)
            };
            prop_assert_eq!(r.is_ok(), disjoint);
            if disjoint {
                accepted.push((b, s));
            }
        }
        let regs = m.regions();
        prop_assert!(regs.windows(2).all(|w| w[0].end() <= w[1].base.as_u64()));
    }
}

#[test]
fn check_ram_spans_adjacent_banks_and_reports_first_gap() {
    let mut m = PhysMem::new(1 << 30);
    m.add_ram(hpa(0x1000), 0x2000).unwrap();
    m.add_ram(hpa(0x3000), 0x1000).unwrap();
    m.add_ram(hpa(0x5000), 0x1000).unwrap();
    m.check_ram(hpa(0x1800), 0x2800).unwrap();
    assert_eq!(
        m.check_ram(hpa(0x1800), 0x3000),
        Err(MemError::NotRam(hpa(0x4000)))
    );
    // A write spanning the two adjacent banks lands in both.
    m.write(hpa(0x2ffc), AccessWidth::Qword, 0x1122_3344_5566_7788)
        .unwrap();
    assert_eq!(m.read(hpa(0x3000), AccessWidth::Dword), Ok(0x1122_3344));
    // Large ranges are cheap to check.
    let mut big = PhysMem::new(1 << 34);
    big.add_ram(hpa(0), 1 << 34).unwrap();
    big.check_ram(hpa(0), 1 << 34).unwrap();
    assert_eq!(big.resident_pages(), 0);
}
