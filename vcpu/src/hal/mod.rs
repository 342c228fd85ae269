//! The memory services the vCPU layer needs from its host, after axvcpu's `AxVCpuHal`.
//!
//! axvcpu's HAL is a set of static functions over global allocators. Here it is a trait
//! with `&mut self` methods: the implementation is a handle onto *one* machine's memory,
//! built by whoever owns that memory, so no allocator is global.

mod sim;

use core::fmt;

use sim_core::HostPhysAddr;
use sim_core::mem::{FrameError, MemError};

pub use sim::SimHal;

/// An address in the hypervisor's own (host) virtual address space.
///
/// ```
/// use vcpu::HostVirtAddr;
/// assert_eq!(HostVirtAddr::new(0x1000).as_u64(), 0x1000);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HostVirtAddr(u64);

impl HostVirtAddr {
    /// Wraps a raw address.
    pub const fn new(raw: u64) -> Self {
        Self(raw)
    }

    /// The raw address.
    pub const fn as_u64(self) -> u64 {
        self.0
    }
}

impl fmt::Debug for HostVirtAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HostVirtAddr({:#x})", self.0)
    }
}

/// Why a HAL operation failed. Every variant is a failure in the sense of
/// [`crate::VCpuError::is_rejection`] once wrapped in [`crate::VCpuError::Hal`].
///
/// ```
/// use sim_core::HostPhysAddr;
/// use vcpu::{HalError, VCpuError};
/// let e: VCpuError = HalError::NotAllocated(HostPhysAddr::new(0x1000)).into();
/// assert!(!e.is_rejection());
/// assert_eq!(e.to_string(), "frame 0x1000 was not allocated here");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum HalError {
    /// No free frame is left.
    #[error("out of frames")]
    OutOfFrames,
    /// The frame is not one this allocator handed out (double free or foreign address).
    #[error("frame {0} was not allocated here")]
    NotAllocated(HostPhysAddr),
    /// Another frame-allocator failure.
    #[error(transparent)]
    Frame(FrameError),
    /// The address has no translation between the physical and virtual views.
    #[error("no translation for address {0:#x}")]
    NoTranslation(u64),
    /// The underlying memory failed.
    #[error(transparent)]
    Mem(#[from] MemError),
}

/// Frame allocation and address translation for the vCPU layer.
///
/// ```
/// use sim_core::HostPhysAddr;
/// use sim_core::mem::PhysMem;
/// use sim_core::mem::FrameAllocator;
/// use vcpu::{SimHal, VCpuHal};
///
/// let mut mem = PhysMem::new(1 << 20);
/// mem.add_ram(HostPhysAddr::new(0x8000_0000), 1 << 20)?;
/// let mut frames = FrameAllocator::new(&mem, HostPhysAddr::new(0x8000_0000), 0x2000)?;
/// let mut hal = SimHal::new(&mut frames, &mut mem);
/// let f = hal.alloc_frame()?;
/// assert_eq!(hal.virt_to_phys(hal.phys_to_virt(f)?)?, f);
/// hal.dealloc_frame(f)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait VCpuHal {
    /// Allocates one 4 KiB frame of host-physical memory that reads as zeros.
    fn alloc_frame(&mut self) -> Result<HostPhysAddr, HalError>;

    /// Returns a frame from [`VCpuHal::alloc_frame`]. Fails with
    /// [`HalError::NotAllocated`], changing nothing, for any other address.
    fn dealloc_frame(&mut self, paddr: HostPhysAddr) -> Result<(), HalError>;

    /// The host-virtual address at which the hypervisor sees `paddr`.
    fn phys_to_virt(&self, paddr: HostPhysAddr) -> Result<HostVirtAddr, HalError>;

    /// The host-physical address behind `vaddr`.
    fn virt_to_phys(&self, vaddr: HostVirtAddr) -> Result<HostPhysAddr, HalError>;
}
