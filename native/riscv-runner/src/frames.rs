//! Host-physical memory for the guest: a frame pool over the RAM above the runner image,
//! and the stage-2 builder's [`TableMemory`] over it. HS runs with satp = Bare, so a
//! host-physical address is directly a pointer.

use sim_core::HostPhysAddr;
use vcpu::stage2::{TableMemError, TableMemory};

/// 4 KiB.
pub const PAGE: u64 = 4096;

/// A bump allocator of physical frames in `[next, end)`.
#[derive(Debug)]
pub struct FramePool {
    next: u64,
    end: u64,
}

impl FramePool {
    /// The pool `[start, end)`: RAM nothing else uses.
    pub fn new(start: u64, end: u64) -> Self {
        Self { next: start, end }
    }

    /// `bytes` (a multiple of 4 KiB) aligned to `align` (a power of two), not zeroed.
    pub fn alloc(&mut self, bytes: u64, align: u64) -> Option<u64> {
        let base = self.next.checked_add(align - 1)? & !(align - 1);
        let end = base.checked_add(bytes)?;
        if end > self.end {
            return None;
        }
        self.next = end;
        Some(base)
    }

    /// Like [`Self::alloc`], zeroed.
    pub fn alloc_zeroed_bytes(&mut self, bytes: u64, align: u64) -> Option<u64> {
        let base = self.alloc(bytes, align)?;
        // SAFETY: [base, base+bytes) was just taken from the pool, which owns RAM no one
        // else uses; satp is Bare so the address is the pointer.
        unsafe { core::ptr::write_bytes(base as *mut u8, 0, bytes as usize) };
        Some(base)
    }
}

impl TableMemory for FramePool {
    fn alloc_zeroed(&mut self, frames: u64, align: u64) -> Result<HostPhysAddr, TableMemError> {
        frames
            .checked_mul(PAGE)
            .and_then(|bytes| self.alloc_zeroed_bytes(bytes, align.max(PAGE)))
            .map(HostPhysAddr::new)
            .ok_or(TableMemError::OutOfFrames { frames, align })
    }

    fn read_u64(&self, addr: HostPhysAddr) -> Result<u64, TableMemError> {
        let a = addr.as_u64();
        if a % 8 != 0 || a >= self.end {
            return Err(TableMemError::Access(addr));
        }
        // SAFETY: an aligned word inside RAM the pool owns (tables come from the pool).
        Ok(unsafe { core::ptr::read_volatile(a as *const u64) })
    }

    fn write_u64(&mut self, addr: HostPhysAddr, value: u64) -> Result<(), TableMemError> {
        let a = addr.as_u64();
        if a % 8 != 0 || a >= self.end {
            return Err(TableMemError::Access(addr));
        }
        // SAFETY: as in read_u64; the builder writes only tables it allocated here.
        unsafe { core::ptr::write_volatile(a as *mut u64, value) };
        Ok(())
    }
}
