//! The physical memory the stage-2 builder writes its tables into.

use sim_core::AccessWidth;
use sim_core::HostPhysAddr;
use sim_core::mem::{FrameAllocator, FrameError, PhysMem};

/// Why the table memory failed.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum TableMemError {
    /// No zeroed, aligned run of frames was left for a table.
    #[error("out of frames for a stage-2 table ({frames} frame(s), {align:#x} aligned)")]
    OutOfFrames {
        /// Frames requested.
        frames: u64,
        /// Alignment requested.
        align: u64,
    },
    /// A page-table word could not be read or written.
    #[error("stage-2 table word at {0} is not accessible memory")]
    Access(HostPhysAddr),
}

/// Host-physical memory for page tables: zeroed frame runs and 64-bit words.
///
/// Implemented by [`SimTableMemory`] for the simulator; a bare-metal runner implements it
/// over its own allocator and a direct map.
pub trait TableMemory {
    /// Allocates `frames` zeroed, contiguous 4 KiB frames whose first address is a multiple
    /// of `align` (a power of two, at least 4 KiB).
    fn alloc_zeroed(&mut self, frames: u64, align: u64) -> Result<HostPhysAddr, TableMemError>;
    /// Reads the little-endian 64-bit word at `addr` (8-byte aligned).
    fn read_u64(&self, addr: HostPhysAddr) -> Result<u64, TableMemError>;
    /// Writes the little-endian 64-bit word at `addr` (8-byte aligned).
    fn write_u64(&mut self, addr: HostPhysAddr, value: u64) -> Result<(), TableMemError>;
}

/// [`TableMemory`] over the simulator's host-physical memory and its frame allocator,
/// borrowed for the duration of the build.
#[derive(Debug)]
pub struct SimTableMemory<'a> {
    mem: &'a mut PhysMem,
    frames: &'a mut FrameAllocator,
}

impl<'a> SimTableMemory<'a> {
    /// Borrows `mem` and the allocator that hands out its frames.
    pub fn new(mem: &'a mut PhysMem, frames: &'a mut FrameAllocator) -> Self {
        Self { mem, frames }
    }

    /// The memory, for reading back what was built.
    pub fn mem(&self) -> &PhysMem {
        self.mem
    }
}

impl TableMemory for SimTableMemory<'_> {
    fn alloc_zeroed(&mut self, frames: u64, align: u64) -> Result<HostPhysAddr, TableMemError> {
        self.frames
            .alloc_contiguous(self.mem, frames, align)
            .map_err(|e| match e {
                FrameError::Mem(sim_core::mem::MemError::NotRam(a)) => TableMemError::Access(a),
                _ => TableMemError::OutOfFrames { frames, align },
            })
    }

    fn read_u64(&self, addr: HostPhysAddr) -> Result<u64, TableMemError> {
        self.mem
            .read(addr, AccessWidth::Qword)
            .map_err(|_| TableMemError::Access(addr))
    }

    fn write_u64(&mut self, addr: HostPhysAddr, value: u64) -> Result<(), TableMemError> {
        self.mem
            .write(addr, AccessWidth::Qword, value)
            .map_err(|_| TableMemError::Access(addr))
    }
}
