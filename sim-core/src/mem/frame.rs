//! A deterministic allocator of 4 KiB host-physical frames out of a RAM range of a
//! [`PhysMem`].
//!
//! The Machine uses it for guest RAM frames and for stage-2 page tables. Allocation is lowest
//! address first, so the same sequence of calls always hands out the same frames on every host.
//! Free space is kept as a map of disjoint, coalesced extents (frame number → one past the last
//! frame), so a fresh allocator over gigabytes of RAM costs one map entry, not one per frame.
//!
//! The allocator does not own the memory: the board does. Calls that hand out frames take the
//! [`PhysMem`] to zero them.

use alloc::collections::BTreeMap;

use super::{MemError, PAGE_SHIFT, PAGE_SIZE, PhysMem};
use crate::addr::HostPhysAddr;

/// Why a frame operation failed.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum FrameError {
    /// The managed range is empty, not page-aligned, or not entirely RAM.
    #[error("frame range at {base} of {size:#x} bytes is empty, unaligned or not all RAM")]
    BadRange {
        /// Base of the rejected range.
        base: HostPhysAddr,
        /// Size of the rejected range.
        size: u64,
    },
    /// No free run of `count` frames with the requested alignment.
    #[error("out of frames: no free run of {count} frame(s) aligned to {align:#x}")]
    OutOfFrames {
        /// Frames requested.
        count: u64,
        /// Alignment requested, in bytes.
        align: u64,
    },
    /// `alloc_contiguous` was called with a zero count or an alignment that is not a power of
    /// two of at least [`PAGE_SIZE`].
    #[error("bad contiguous request: {count} frame(s) aligned to {align:#x}")]
    BadRequest {
        /// Frames requested.
        count: u64,
        /// Alignment requested, in bytes.
        align: u64,
    },
    /// The freed address is not a page-aligned frame inside the managed range.
    #[error("{0} is not a frame of this allocator")]
    NotOwned(HostPhysAddr),
    /// The freed frame is already free.
    #[error("frame {0} freed twice")]
    DoubleFree(HostPhysAddr),
    /// Zeroing the frame failed (the memory map changed under the allocator).
    #[error(transparent)]
    Mem(#[from] MemError),
}

/// Hands out zeroed 4 KiB frames, lowest address first.
///
/// ```
/// use sim_core::mem::{FrameAllocator, PhysMem};
/// use sim_core::HostPhysAddr;
///
/// let mut mem = PhysMem::new(1 << 20);
/// let base = HostPhysAddr::new(0x8000_0000);
/// mem.add_ram(base, 1 << 20).unwrap();
/// let mut frames = FrameAllocator::new(&mem, base, 1 << 20).unwrap();
/// let f = frames.alloc_frame(&mut mem).unwrap();
/// assert_eq!(f, base);
/// // A 16 KiB-aligned run of four frames, as an Sv39x4 root table needs.
/// let root = frames.alloc_contiguous(&mut mem, 4, 16 << 10).unwrap();
/// assert_eq!(root, HostPhysAddr::new(0x8000_4000));
/// frames.dealloc_frame(f).unwrap();
/// assert_eq!(frames.alloc_frame(&mut mem).unwrap(), base);
/// ```
#[derive(Clone, Debug)]
pub struct FrameAllocator {
    /// First frame number managed.
    first: u64,
    /// One past the last frame number managed.
    end: u64,
    /// Free extents: start frame number → end frame number (exclusive). Disjoint and never
    /// adjacent (coalesced on free).
    free: BTreeMap<u64, u64>,
    free_count: u64,
}

const PAGE: u64 = PAGE_SIZE as u64;

impl FrameAllocator {
    /// Manages the frames of `[base, base + size)`, which must be page-aligned and all RAM.
    pub fn new(mem: &PhysMem, base: HostPhysAddr, size: u64) -> Result<Self, FrameError> {
        let bad = FrameError::BadRange { base, size };
        if size == 0 || !base.is_aligned(PAGE) || size % PAGE != 0 {
            return Err(bad);
        }
        mem.check_ram(base, size).map_err(|_| bad)?;
        let first = base.as_u64() >> PAGE_SHIFT;
        let end = first + (size >> PAGE_SHIFT);
        let mut free = BTreeMap::new();
        free.insert(first, end);
        Ok(Self {
            first,
            end,
            free,
            free_count: end - first,
        })
    }

    /// Frames currently free.
    pub fn free_frames(&self) -> u64 {
        self.free_count
    }

    /// Frames managed in total.
    pub fn total_frames(&self) -> u64 {
        self.end - self.first
    }

    /// Whether `addr` is a frame of this allocator that is currently allocated.
    pub fn is_allocated(&self, addr: HostPhysAddr) -> bool {
        let Some(frame) = self.owned_frame(addr) else {
            return false;
        };
        !self.is_free(frame)
    }

    /// Allocates the lowest free frame and zeroes it.
    pub fn alloc_frame(&mut self, mem: &mut PhysMem) -> Result<HostPhysAddr, FrameError> {
        self.alloc_contiguous(mem, 1, PAGE)
    }

    /// Allocates the lowest run of `count` free frames whose first address is a multiple of
    /// `align` (a power of two, at least [`PAGE_SIZE`]), and zeroes them.
    ///
    /// The 16 KiB-aligned, 16 KiB root table of Sv39x4/Sv48x4 G-stage translation is
    /// `alloc_contiguous(mem, 4, 0x4000)` (RISC-V privileged spec, "Two-Stage Address
    /// Translation": the root page table is 16 KiB and must be aligned to a 16 KiB boundary).
    pub fn alloc_contiguous(
        &mut self,
        mem: &mut PhysMem,
        count: u64,
        align: u64,
    ) -> Result<HostPhysAddr, FrameError> {
        if count == 0 || !align.is_power_of_two() || align < PAGE {
            return Err(FrameError::BadRequest { count, align });
        }
        let align_frames = align >> PAGE_SHIFT;
        let found = self.free.iter().find_map(|(&start, &end)| {
            let s = start.checked_next_multiple_of(align_frames)?;
            let e = s.checked_add(count)?;
            (e <= end).then_some((start, end, s, e))
        });
        let (start, end, s, e) = found.ok_or(FrameError::OutOfFrames { count, align })?;
        let addr = HostPhysAddr::new(s << PAGE_SHIFT);
        // Zero before committing, so a failure leaves the allocator unchanged.
        mem.zero(addr, count << PAGE_SHIFT)?;
        self.free.remove(&start);
        if start < s {
            self.free.insert(start, s);
        }
        if e < end {
            self.free.insert(e, end);
        }
        self.free_count -= count;
        Ok(addr)
    }

    /// Returns one frame to the allocator.
    pub fn dealloc_frame(&mut self, addr: HostPhysAddr) -> Result<(), FrameError> {
        let frame = self.owned_frame(addr).ok_or(FrameError::NotOwned(addr))?;
        if self.is_free(frame) {
            return Err(FrameError::DoubleFree(addr));
        }
        let mut start = frame;
        let mut end = frame + 1;
        // Coalesce with the extent ending right below and the one starting right above.
        if let Some((&ps, &pe)) = self.free.range(..frame).next_back() {
            if pe == frame {
                self.free.remove(&ps);
                start = ps;
            }
        }
        if let Some(ne) = self.free.remove(&end) {
            end = ne;
        }
        self.free.insert(start, end);
        self.free_count += 1;
        Ok(())
    }

    /// Returns `count` frames starting at `addr` (as handed out by
    /// [`alloc_contiguous`](Self::alloc_contiguous)). Fails, freeing nothing, if any of them is
    /// not an allocated frame of this allocator.
    pub fn dealloc_contiguous(&mut self, addr: HostPhysAddr, count: u64) -> Result<(), FrameError> {
        let first = self.owned_frame(addr).ok_or(FrameError::NotOwned(addr))?;
        for i in 0..count {
            let f = first
                .checked_add(i)
                .filter(|f| *f < self.end)
                .ok_or(FrameError::NotOwned(addr))?;
            if self.is_free(f) {
                return Err(FrameError::DoubleFree(HostPhysAddr::new(f << PAGE_SHIFT)));
            }
        }
        for i in 0..count {
            self.dealloc_frame(HostPhysAddr::new((first + i) << PAGE_SHIFT))?;
        }
        Ok(())
    }

    fn owned_frame(&self, addr: HostPhysAddr) -> Option<u64> {
        if !addr.is_aligned(PAGE) {
            return None;
        }
        let frame = addr.as_u64() >> PAGE_SHIFT;
        (self.first..self.end).contains(&frame).then_some(frame)
    }

    fn is_free(&self, frame: u64) -> bool {
        self.free
            .range(..=frame)
            .next_back()
            .is_some_and(|(_, &end)| frame < end)
    }
}

#[cfg(test)]
mod tests {
    use alloc::collections::BTreeSet;
    use alloc::vec::Vec;

    use proptest::prelude::*;

    use super::*;
    use crate::width::AccessWidth;

    const BASE: u64 = 0x8000_0000;

    fn setup(frames: u64) -> (PhysMem, FrameAllocator) {
        let mut mem = PhysMem::new(1 << 30);
        mem.add_ram(HostPhysAddr::new(BASE), frames * PAGE).unwrap();
        let fa = FrameAllocator::new(&mem, HostPhysAddr::new(BASE), frames * PAGE).unwrap();
        (mem, fa)
    }

    #[test]
    fn lowest_first_and_zeroed() {
        let (mut mem, mut fa) = setup(4);
        // Dirty the second frame before it is handed out.
        mem.write(HostPhysAddr::new(BASE + PAGE + 8), AccessWidth::Qword, 0x55)
            .unwrap();
        let a = fa.alloc_frame(&mut mem).unwrap();
        let b = fa.alloc_frame(&mut mem).unwrap();
        assert_eq!((a.as_u64(), b.as_u64()), (BASE, BASE + PAGE));
        assert_eq!(
            mem.read(HostPhysAddr::new(BASE + PAGE + 8), AccessWidth::Qword),
            Ok(0)
        );
        assert_eq!(fa.free_frames(), 2);
        assert!(fa.is_allocated(a));
        fa.dealloc_frame(a).unwrap();
        assert!(!fa.is_allocated(a));
        assert_eq!(fa.alloc_frame(&mut mem).unwrap(), a);
    }

    #[test]
    fn exhaustion_is_an_error() {
        let (mut mem, mut fa) = setup(2);
        fa.alloc_frame(&mut mem).unwrap();
        fa.alloc_frame(&mut mem).unwrap();
        assert_eq!(
            fa.alloc_frame(&mut mem),
            Err(FrameError::OutOfFrames {
                count: 1,
                align: PAGE
            })
        );
    }

    #[test]
    fn contiguous_respects_alignment() {
        let (mut mem, mut fa) = setup(16);
        let one = fa.alloc_frame(&mut mem).unwrap();
        assert_eq!(one.as_u64(), BASE);
        let root = fa.alloc_contiguous(&mut mem, 4, 0x4000).unwrap();
        assert_eq!(root.as_u64(), BASE + 0x4000);
        // The gap below the aligned run is still handed out, lowest first.
        assert_eq!(fa.alloc_frame(&mut mem).unwrap().as_u64(), BASE + PAGE);
        assert_eq!(fa.free_frames(), 16 - 6);
        // 16 frames at 64 KiB alignment cannot fit in what remains.
        assert!(matches!(
            fa.alloc_contiguous(&mut mem, 16, 0x10000),
            Err(FrameError::OutOfFrames { .. })
        ));
    }

    #[test]
    fn bad_requests_and_frees() {
        let (mut mem, mut fa) = setup(4);
        for (count, align) in [(0, PAGE), (1, 0), (1, 0x800), (1, 0x3000)] {
            assert_eq!(
                fa.alloc_contiguous(&mut mem, count, align),
                Err(FrameError::BadRequest { count, align })
            );
        }
        let a = fa.alloc_frame(&mut mem).unwrap();
        assert_eq!(
            fa.dealloc_frame(HostPhysAddr::new(BASE + 4 * PAGE)),
            Err(FrameError::NotOwned(HostPhysAddr::new(BASE + 4 * PAGE)))
        );
        assert_eq!(
            fa.dealloc_frame(HostPhysAddr::new(BASE + 8)),
            Err(FrameError::NotOwned(HostPhysAddr::new(BASE + 8)))
        );
        let free_one = HostPhysAddr::new(BASE + PAGE);
        assert_eq!(
            fa.dealloc_frame(free_one),
            Err(FrameError::DoubleFree(free_one))
        );
        fa.dealloc_frame(a).unwrap();
        assert_eq!(fa.dealloc_frame(a), Err(FrameError::DoubleFree(a)));
        assert_eq!(fa.free_frames(), 4);
    }

    #[test]
    fn range_must_be_ram() {
        let mut mem = PhysMem::new(1 << 20);
        mem.add_ram(HostPhysAddr::new(BASE), 2 * PAGE).unwrap();
        mem.add_mmio(HostPhysAddr::new(BASE + 2 * PAGE), PAGE, 0)
            .unwrap();
        for (b, s) in [
            (BASE, 3 * PAGE),
            (BASE, 0),
            (BASE + 1, PAGE),
            (BASE, PAGE + 1),
        ] {
            assert_eq!(
                FrameAllocator::new(&mem, HostPhysAddr::new(b), s).map(|_| ()),
                Err(FrameError::BadRange {
                    base: HostPhysAddr::new(b),
                    size: s
                })
            );
        }
    }

    #[test]
    fn dealloc_contiguous_is_all_or_nothing() {
        let (mut mem, mut fa) = setup(8);
        let run = fa.alloc_contiguous(&mut mem, 4, PAGE).unwrap();
        assert!(matches!(
            fa.dealloc_contiguous(run, 5),
            Err(FrameError::DoubleFree(_))
        ));
        assert_eq!(fa.free_frames(), 4);
        fa.dealloc_contiguous(run, 4).unwrap();
        assert_eq!(fa.free_frames(), 8);
        // Fully coalesced again: the whole range is one run.
        assert_eq!(fa.alloc_contiguous(&mut mem, 8, PAGE).unwrap(), run);
    }

    #[derive(Clone, Debug)]
    enum Op {
        Alloc(u64, u32),
        Free(usize),
    }

    proptest! {
        /// Against a reference that scans a frame bitmap from the bottom: every allocation
        /// returns the lowest aligned free run (determinism: lowest address first), frees
        /// make frames available again, and the free count is exact.
        #[test]
        fn prop_matches_first_fit_bitmap(ops in prop::collection::vec(
            prop_oneof![
                (1u64..5, 0u32..3).prop_map(|(c, a)| Op::Alloc(c, a)),
                any::<usize>().prop_map(Op::Free),
            ], 1..60)) {
            const N: u64 = 32;
            let (mut mem, mut fa) = setup(N);
            let mut used: BTreeSet<u64> = BTreeSet::new();
            let mut live: Vec<u64> = Vec::new();
            for op in ops {
                match op {
                    Op::Alloc(count, align_log) => {
                        let align = PAGE << align_log;
                        let af = align / PAGE;
                        let want = (0..N)
                            .filter(|f| (BASE / PAGE + f) % af == 0)
                            .find(|f| f + count <= N && (*f..f + count).all(|x| !used.contains(&x)));
                        let got = fa.alloc_contiguous(&mut mem, count, align);
                        match want {
                            Some(f) => {
                                prop_assert_eq!(got, Ok(HostPhysAddr::new(BASE + f * PAGE)));
                                for x in f..f + count {
                                    used.insert(x);
                                    live.push(x);
                                }
                            }
                            None => prop_assert_eq!(got, Err(FrameError::OutOfFrames { count, align })),
                        }
                    }
                    Op::Free(i) => {
                        if live.is_empty() {
                            continue;
                        }
                        let x = live.swap_remove(i % live.len());
                        used.remove(&x);
                        prop_assert_eq!(fa.dealloc_frame(HostPhysAddr::new(BASE + x * PAGE)), Ok(()));
                    }
                }
                prop_assert_eq!(fa.free_frames(), N - used.len() as u64);
            }
        }
    }
}
