//! The simulator's HAL: frames carved from a pool of the board's [`PhysMem`].
//!
//! NOTE: a minimal allocator of its own, because `sim_core::mem::FrameAllocator` is still
//! being written on branch `sim-core`. When it lands, [`SimFrames`] should delegate to it.

use alloc::vec;
use alloc::vec::Vec;

use sim_core::HostPhysAddr;
use sim_core::mem::{PAGE_SIZE, PhysMem};

use super::{HalError, HostVirtAddr, VCpuHal};

const FRAME: u64 = PAGE_SIZE as u64;
const BITMAP_BITS: usize = u64::BITS as usize;

/// The allocation state of a pool of 4 KiB frames. Owned by the Machine, next to the
/// [`PhysMem`] it carves from.
///
/// Allocation is deterministic: the most recently freed frame first, then fresh frames in
/// increasing address order.
#[derive(Debug, Clone)]
pub struct SimFrames {
    base: u64,
    frames: usize,
    next_fresh: usize,
    free: Vec<usize>,
    used: Vec<u64>,
}

impl SimFrames {
    /// A pool over `[base, base + size)`, which must be page-aligned, non-empty and RAM in
    /// `mem`.
    pub fn new(mem: &PhysMem, base: HostPhysAddr, size: u64) -> Result<Self, HalError> {
        let bad = HalError::BadPool { base, size };
        if size == 0 || !base.is_aligned(FRAME) || size % FRAME != 0 {
            return Err(bad);
        }
        mem.check_ram(base, size).map_err(|_| bad)?;
        let frames = usize::try_from(size / FRAME).map_err(|_| bad)?;
        Ok(Self {
            base: base.as_u64(),
            frames,
            next_fresh: 0,
            free: Vec::new(),
            used: vec![0; frames.div_ceil(BITMAP_BITS)],
        })
    }

    /// Frames still available.
    pub fn free_frames(&self) -> usize {
        self.frames - self.next_fresh + self.free.len()
    }

    fn index_of(&self, paddr: HostPhysAddr) -> Option<usize> {
        let off = paddr.as_u64().checked_sub(self.base)?;
        if off % FRAME != 0 {
            return None;
        }
        let idx = usize::try_from(off / FRAME).ok()?;
        (idx < self.frames).then_some(idx)
    }

    fn is_used(&self, idx: usize) -> bool {
        self.used
            .get(idx / BITMAP_BITS)
            .is_some_and(|w| w & (1 << (idx % BITMAP_BITS)) != 0)
    }

    fn set_used(&mut self, idx: usize, used: bool) {
        if let Some(w) = self.used.get_mut(idx / BITMAP_BITS) {
            let bit = 1 << (idx % BITMAP_BITS);
            if used {
                *w |= bit;
            } else {
                *w &= !bit;
            }
        }
    }

    fn addr_of(&self, idx: usize) -> HostPhysAddr {
        // idx < frames, and base + frames * FRAME was checked to be RAM, so no overflow.
        HostPhysAddr::new(self.base + idx as u64 * FRAME)
    }

    /// Takes a frame and zeroes it in `mem`.
    pub fn alloc(&mut self, mem: &mut PhysMem) -> Result<HostPhysAddr, HalError> {
        let idx = match self.free.pop() {
            Some(i) => i,
            None if self.next_fresh < self.frames => {
                self.next_fresh += 1;
                self.next_fresh - 1
            }
            None => return Err(HalError::OutOfFrames),
        };
        let addr = self.addr_of(idx);
        if let Err(e) = mem.zero(addr, FRAME) {
            self.free.push(idx);
            return Err(e.into());
        }
        self.set_used(idx, true);
        Ok(addr)
    }

    /// Gives a frame back.
    pub fn dealloc(&mut self, paddr: HostPhysAddr) -> Result<(), HalError> {
        match self.index_of(paddr) {
            Some(idx) if self.is_used(idx) => {
                self.set_used(idx, false);
                self.free.push(idx);
                Ok(())
            }
            _ => Err(HalError::NotAllocated(paddr)),
        }
    }
}

/// A [`VCpuHal`] handle onto one machine's frame pool and memory, built for the duration
/// of a call (as a hardware handle is).
///
/// Host-virtual addresses are host-physical plus a fixed direct-map offset (0 unless set):
/// the simulator runs hypervisor code as ordinary Rust with no HS-mode MMU of its own, so
/// a linear map is the honest model.
#[derive(Debug)]
pub struct SimHal<'a> {
    frames: &'a mut SimFrames,
    mem: &'a mut PhysMem,
    offset: u64,
}

impl<'a> SimHal<'a> {
    /// A handle with an identity direct map.
    pub fn new(frames: &'a mut SimFrames, mem: &'a mut PhysMem) -> Self {
        Self {
            frames,
            mem,
            offset: 0,
        }
    }

    /// The same handle with host-virtual = host-physical + `offset`.
    pub fn with_direct_map_offset(self, offset: u64) -> Self {
        Self { offset, ..self }
    }

    /// The memory behind the handle, to read and write allocated frames.
    pub fn mem(&mut self) -> &mut PhysMem {
        self.mem
    }
}

impl VCpuHal for SimHal<'_> {
    fn alloc_frame(&mut self) -> Result<HostPhysAddr, HalError> {
        self.frames.alloc(self.mem)
    }

    fn dealloc_frame(&mut self, paddr: HostPhysAddr) -> Result<(), HalError> {
        self.frames.dealloc(paddr)
    }

    fn phys_to_virt(&self, paddr: HostPhysAddr) -> Result<HostVirtAddr, HalError> {
        paddr
            .as_u64()
            .checked_add(self.offset)
            .map(HostVirtAddr::new)
            .ok_or(HalError::NoTranslation(paddr.as_u64()))
    }

    fn virt_to_phys(&self, vaddr: HostVirtAddr) -> Result<HostPhysAddr, HalError> {
        vaddr
            .as_u64()
            .checked_sub(self.offset)
            .map(HostPhysAddr::new)
            .ok_or(HalError::NoTranslation(vaddr.as_u64()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::AccessWidth;

    const RAM: u64 = 0x8000_0000;

    fn mem() -> PhysMem {
        let mut m = PhysMem::new(1 << 20);
        m.add_ram(HostPhysAddr::new(RAM), 1 << 20).unwrap();
        m
    }

    #[test]
    fn frames_are_distinct_zeroed_and_exhaust() {
        let mut m = mem();
        // Dirty the pool first: allocation must hand out zeroed frames.
        m.write(HostPhysAddr::new(RAM + 8), AccessWidth::Qword, u64::MAX)
            .unwrap();
        let mut pool = SimFrames::new(&m, HostPhysAddr::new(RAM), 3 * FRAME).unwrap();
        let a = pool.alloc(&mut m).unwrap();
        let b = pool.alloc(&mut m).unwrap();
        let c = pool.alloc(&mut m).unwrap();
        assert_eq!(
            [a, b, c].map(|x| x.as_u64()),
            [RAM, RAM + FRAME, RAM + 2 * FRAME]
        );
        assert_eq!(
            m.read(HostPhysAddr::new(RAM + 8), AccessWidth::Qword),
            Ok(0)
        );
        assert_eq!(pool.alloc(&mut m), Err(HalError::OutOfFrames));
        assert_eq!(pool.free_frames(), 0);
        pool.dealloc(b).unwrap();
        assert_eq!(pool.free_frames(), 1);
        assert_eq!(pool.alloc(&mut m), Ok(b));
    }

    #[test]
    fn dealloc_rejects_double_free_and_foreign_frames() {
        let mut m = mem();
        let mut pool = SimFrames::new(&m, HostPhysAddr::new(RAM), 2 * FRAME).unwrap();
        let a = pool.alloc(&mut m).unwrap();
        pool.dealloc(a).unwrap();
        assert_eq!(pool.dealloc(a), Err(HalError::NotAllocated(a)));
        let never = HostPhysAddr::new(RAM + FRAME);
        assert_eq!(pool.dealloc(never), Err(HalError::NotAllocated(never)));
        let odd = HostPhysAddr::new(RAM + 8);
        assert_eq!(pool.dealloc(odd), Err(HalError::NotAllocated(odd)));
        let outside = HostPhysAddr::new(RAM + 2 * FRAME);
        assert_eq!(pool.dealloc(outside), Err(HalError::NotAllocated(outside)));
        assert_eq!(pool.free_frames(), 2);
    }

    #[test]
    fn pool_must_be_aligned_ram() {
        let m = mem();
        let base = HostPhysAddr::new(RAM);
        assert!(SimFrames::new(&m, base, 0).is_err());
        assert!(SimFrames::new(&m, HostPhysAddr::new(RAM + 1), FRAME).is_err());
        assert!(SimFrames::new(&m, base, FRAME + 1).is_err());
        // Runs past the end of RAM.
        assert!(SimFrames::new(&m, base, (1 << 20) + FRAME).is_err());
        assert!(SimFrames::new(&m, HostPhysAddr::new(0), FRAME).is_err());
    }

    #[test]
    fn direct_map_round_trips_and_rejects_overflow() {
        let mut m = mem();
        let mut pool = SimFrames::new(&m, HostPhysAddr::new(RAM), FRAME).unwrap();
        let hal = SimHal::new(&mut pool, &mut m).with_direct_map_offset(0xffff_0000_0000_0000);
        let p = HostPhysAddr::new(RAM);
        let v = hal.phys_to_virt(p).unwrap();
        assert_eq!(v.as_u64(), 0xffff_0000_8000_0000);
        assert_eq!(hal.virt_to_phys(v), Ok(p));
        assert_eq!(
            hal.phys_to_virt(HostPhysAddr::new(u64::MAX)),
            Err(HalError::NoTranslation(u64::MAX))
        );
        assert_eq!(
            hal.virt_to_phys(HostVirtAddr::new(1)),
            Err(HalError::NoTranslation(1))
        );
    }
}
