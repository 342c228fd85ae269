//! The simulator's HAL: frames from the board's [`FrameAllocator`] over its [`PhysMem`].

use sim_core::HostPhysAddr;
use sim_core::mem::{FrameAllocator, FrameError, PhysMem};

use super::{HalError, HostVirtAddr, VCpuHal};

impl From<FrameError> for HalError {
    fn from(e: FrameError) -> Self {
        match e {
            FrameError::OutOfFrames { .. } => HalError::OutOfFrames,
            FrameError::NotOwned(a) | FrameError::DoubleFree(a) => HalError::NotAllocated(a),
            other => HalError::Frame(other),
        }
    }
}

/// A [`VCpuHal`] handle onto one machine's frame allocator and memory, built for the
/// duration of a call (as a hardware handle is). The Machine owns both; nothing is global.
///
/// Host-virtual addresses are host-physical plus a fixed direct-map offset (0 unless set):
/// the simulator runs hypervisor code as ordinary Rust with no HS-mode MMU of its own, so
/// a linear map is the honest model.
///
/// ```
/// use sim_core::HostPhysAddr;
/// use sim_core::mem::{FrameAllocator, PhysMem};
/// use vcpu::{HalError, SimHal, VCpuHal};
///
/// let mut mem = PhysMem::new(1 << 20);
/// let base = HostPhysAddr::new(0x8000_0000);
/// mem.add_ram(base, 1 << 20)?;
/// let mut frames = FrameAllocator::new(&mem, base, 0x1000)?;
/// let mut hal = SimHal::new(&mut frames, &mut mem).with_direct_map_offset(0x1_0000_0000);
/// let f = hal.alloc_frame()?;
/// assert_eq!(hal.phys_to_virt(f)?.as_u64(), 0x1_8000_0000);
/// assert_eq!(hal.alloc_frame(), Err(HalError::OutOfFrames));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct SimHal<'a> {
    frames: &'a mut FrameAllocator,
    mem: &'a mut PhysMem,
    offset: u64,
}

impl<'a> SimHal<'a> {
    /// A handle with an identity direct map.
    pub fn new(frames: &'a mut FrameAllocator, mem: &'a mut PhysMem) -> Self {
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
        Ok(self.frames.alloc_frame(self.mem)?)
    }

    fn dealloc_frame(&mut self, paddr: HostPhysAddr) -> Result<(), HalError> {
        Ok(self.frames.dealloc_frame(paddr)?)
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
    use sim_core::mem::PAGE_SIZE;

    const RAM: u64 = 0x8000_0000;
    const FRAME: u64 = PAGE_SIZE as u64;

    fn mem() -> PhysMem {
        let mut m = PhysMem::new(1 << 20);
        m.add_ram(HostPhysAddr::new(RAM), 1 << 20).unwrap();
        m
    }

    #[test]
    fn frames_are_distinct_zeroed_and_exhaust() {
        let mut m = mem();
        // Dirty the pool first: the HAL contract is that frames read as zeros.
        m.write(HostPhysAddr::new(RAM + 8), AccessWidth::Qword, u64::MAX)
            .unwrap();
        let mut pool = FrameAllocator::new(&m, HostPhysAddr::new(RAM), 2 * FRAME).unwrap();
        let mut hal = SimHal::new(&mut pool, &mut m);
        let a = hal.alloc_frame().unwrap();
        let b = hal.alloc_frame().unwrap();
        assert_ne!(a, b);
        assert_eq!(
            hal.mem()
                .read(HostPhysAddr::new(a.as_u64() + 8), AccessWidth::Qword),
            Ok(0)
        );
        assert_eq!(hal.alloc_frame(), Err(HalError::OutOfFrames));
        hal.dealloc_frame(b).unwrap();
        assert_eq!(hal.alloc_frame(), Ok(b));
    }

    #[test]
    fn dealloc_rejects_double_free_and_foreign_frames() {
        let mut m = mem();
        let mut pool = FrameAllocator::new(&m, HostPhysAddr::new(RAM), 2 * FRAME).unwrap();
        let mut hal = SimHal::new(&mut pool, &mut m);
        let a = hal.alloc_frame().unwrap();
        hal.dealloc_frame(a).unwrap();
        assert_eq!(hal.dealloc_frame(a), Err(HalError::NotAllocated(a)));
        let outside = HostPhysAddr::new(RAM + 2 * FRAME);
        assert_eq!(
            hal.dealloc_frame(outside),
            Err(HalError::NotAllocated(outside))
        );
    }

    #[test]
    fn direct_map_round_trips_and_rejects_overflow() {
        let mut m = mem();
        let mut pool = FrameAllocator::new(&m, HostPhysAddr::new(RAM), FRAME).unwrap();
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
